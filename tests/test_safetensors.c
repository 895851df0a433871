/* test_safetensors — round trip bit-identical, atomic replacement, strict reader
 * refusals (each message names the file), and an independent Python/numpy check
 * of a written file (tests/safetensors_check.py). */
#include "test.h"
#include "safetensors.h"
#include "atomic_file.h"
#include "json.h"
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char *META_SPEC = "input 1 28 28\nconv 16 k=3\t# \"quoted\" \\ back\nlinear classes\n";
static const char *META_UNI = "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80";

static float wa[24], wb[4], ws[1];

static int write_sample(const char *path, char *err, size_t errlen) {
    for (int i = 0; i < 24; i++) wa[i] = (float)(i - 7) * 0.125f;
    wb[0] = (float)(1 << 20); wb[1] = -0.0f; wb[2] = 3.0e-38f; wb[3] = 1.5f;
    ws[0] = 42.0f;
    StTensor t[4];
    memset(t, 0, sizeof t);
    strcpy(t[0].name, "layers.0.weight"); t[0].ndim = 3; t[0].shape[0] = 2; t[0].shape[1] = 3; t[0].shape[2] = 4;
    t[0].data = wa; t[0].len = 24;
    strcpy(t[1].name, "layers.0.bias"); t[1].ndim = 1; t[1].shape[0] = 4; t[1].data = wb; t[1].len = 4;
    strcpy(t[2].name, "empty"); t[2].ndim = 2; t[2].shape[0] = 0; t[2].shape[1] = 5; t[2].data = NULL; t[2].len = 0;
    strcpy(t[3].name, "scalar"); t[3].ndim = 0; t[3].data = ws; t[3].len = 1;
    StMeta m[3];
    memset(m, 0, sizeof m);
    strcpy(m[0].key, "spec"); m[0].value = (char *)META_SPEC;
    strcpy(m[1].key, "classes"); m[1].value = "0,1,2,4,5,6,7,8,9";
    strcpy(m[2].key, "unicode"); m[2].value = (char *)META_UNI;
    return st_write(path, t, 4, m, 3, err, errlen);
}

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}
static void spit(const char *path, const void *b, size_t len) {
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
}

/* A file with the given header text (no padding added) and `data_len` bytes of data. */
static void craft(const char *path, const char *header, size_t data_len) {
    size_t n = strlen(header);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 8; i++) fputc((int)(((uint64_t)n >> (8 * i)) & 0xff), f);
    fwrite(header, 1, n, f);
    for (size_t i = 0; i < data_len; i++) fputc(0, f);
    fclose(f);
}

/* st_read must fail with a one-line message naming the file and containing want. */
static int refuses(const char *path, const char *want) {
    StFile f; char err[512] = "";
    int rc = st_read(path, &f, err, sizeof err);
    if (rc == 0) { fprintf(stderr, "  %s: accepted, wanted '%s'\n", path, want); st_free(&f); return 0; }
    if (!strstr(err, path) || !strstr(err, want) || strchr(err, '\n')) {
        fprintf(stderr, "  %s: message '%s' lacks '%s'\n", path, err, want);
        return 0;
    }
    return f.blob == NULL && f.t == NULL;
}

static int count_tmp_files(void) {
    DIR *d = opendir(dir); int n = 0; struct dirent *e;
    while ((e = readdir(d))) if (strstr(e->d_name, ".tmp.")) n++;
    closedir(d);
    return n;
}

static void json_tests(void) {
    char err[256];
    const char *txt = "{\"a\":[1,-2,3.5e1,true,false,null],\"s\":\"x\\n\\u00e9\\ud83d\\ude00\",\"big\":9223372036854775807}";
    JsonValue *v = json_parse(txt, strlen(txt), err, sizeof err);
    CHECK(v && v->type == JSON_OBJECT && v->n == 3);
    if (v) {
        const JsonValue *a = json_get(v, "a"), *s = json_get(v, "s"), *big = json_get(v, "big");
        CHECK(a && a->n == 6 && a->items[0].is_int && a->items[1].i == -2 && !a->items[2].is_int &&
              a->items[2].num == 35.0 && a->items[3].boolean == 1 && a->items[5].type == JSON_NULL);
        CHECK(s && strcmp(s->str, "x\n\xc3\xa9\xf0\x9f\x98\x80") == 0);
        CHECK(big && big->is_int && big->i == INT64_MAX);
        CHECK(json_get(v, "missing") == NULL);
    }
    json_free(v);
    const char *bad[] = { "{\"a\":1,}", "{\"a\" 1}", "[1,2", "{\"a\":1}x", "\"\x01\"", "01", "{\"a\":1,\"a\":2}",
                          "\"\\q\"", "\"\\ud800\"", "\"\xff\"", "tru", "-", "1.", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        JsonValue *b = json_parse(bad[i], strlen(bad[i]), err, sizeof err);
        CHECKF(b == NULL && strstr(err, "at byte"), "accepted bad JSON #%zu", i);
        json_free(b);
    }
    char deep[200]; memset(deep, '[', 100); memset(deep + 100, ']', 100);
    CHECK(json_parse(deep, 200, err, sizeof err) == NULL && strstr(err, "nesting"));
    /* writer escapes round-trip through the reader */
    JsonBuf jb; jb_init(&jb);
    jb_puts(&jb, "["); jb_str(&jb, META_SPEC); jb_puts(&jb, ","); jb_strn(&jb, "a\0b\x7f", 4);
    jb_puts(&jb, ","); jb_num(&jb, 0.1); jb_puts(&jb, ","); jb_num(&jb, 1.0 / 0.0); jb_puts(&jb, "]");
    CHECK(!jb.oom && !strchr(jb.buf, '\n'));
    v = json_parse(jb.buf, jb.len, err, sizeof err);
    CHECK(v && v->n == 4 && strcmp(v->items[0].str, META_SPEC) == 0 && v->items[1].len == 4 &&
          memcmp(v->items[1].str, "a\0b\x7f", 4) == 0 && v->items[2].num == 0.1 && v->items[3].type == JSON_NULL);
    json_free(v); jb_free(&jb);
}

int main(void) {
    strcpy(dir, "/tmp/test_safetensors_XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[256], p2[256], err[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);

    json_tests();

    /* ---- round trip ---- */
    CHECKF(write_sample(path, err, sizeof err) == 0, "%s", err);
    StFile f;
    CHECKF(st_read(path, &f, err, sizeof err) == 0, "%s", err);
    CHECK(f.nt == 4 && f.nm == 3);
    const StTensor *a = st_find(&f, "layers.0.weight"), *b = st_find(&f, "layers.0.bias");
    const StTensor *e = st_find(&f, "empty"), *s = st_find(&f, "scalar");
    CHECK(a && a->ndim == 3 && a->shape[0] == 2 && a->shape[1] == 3 && a->shape[2] == 4 && a->len == 24);
    CHECK(a && memcmp(a->data, wa, sizeof wa) == 0);
    CHECK(b && b->len == 4 && memcmp(b->data, wb, sizeof wb) == 0);
    CHECK(b && signbit(b->data[1]));
    CHECK(e && e->ndim == 2 && e->shape[0] == 0 && e->shape[1] == 5 && e->len == 0);
    CHECK(s && s->ndim == 0 && s->len == 1 && s->data[0] == 42.0f);
    CHECK(a && ((uintptr_t)a->data % 8) == 0);
    CHECK(strcmp(f.t[0].name, "layers.0.weight") == 0 && strcmp(f.t[1].name, "layers.0.bias") == 0);
    CHECK(st_meta(&f, "spec") && strcmp(st_meta(&f, "spec"), META_SPEC) == 0);
    CHECK(st_meta(&f, "classes") && strcmp(st_meta(&f, "classes"), "0,1,2,4,5,6,7,8,9") == 0);
    CHECK(st_meta(&f, "unicode") && strcmp(st_meta(&f, "unicode"), META_UNI) == 0);
    CHECK(st_meta(&f, "nope") == NULL && st_find(&f, "nope") == NULL);
    st_free(&f);
    st_free(&f);   /* idempotent */

    /* layout: 8-byte length, header padded with spaces to 8-byte alignment */
    size_t len; unsigned char *raw = slurp(path, &len);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)raw[i] << (8 * i);
    CHECK((8 + hl) % 8 == 0 && 8 + hl + (24 + 4 + 0 + 1) * 4 == len);
    {
        size_t endj = 8 + hl;
        while (endj > 8 && raw[endj - 1] == ' ') endj--;
        CHECK(raw[8] == '{' && raw[endj - 1] == '}' && 8 + hl - endj < 8);
    }
    CHECK(memchr(raw + 8, '\n', hl) == NULL);   /* the newlines of the spec are escaped */

    /* ---- independent reader (python json + numpy) ---- */
    if (access("/usr/bin/python3", X_OK) == 0 && access("tests/safetensors_check.py", R_OK) == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/safetensors_check.py '%s'", path);
        int rc = system(cmd);
        int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
        if (code == 3) { printf("python check: numpy missing, tensor values not checked (header checked)\n"); CHECK(1); }
        else CHECKF(code == 0, "safetensors_check.py exit %d", code);
    } else {
        printf("python check skipped: /usr/bin/python3 or tests/safetensors_check.py not found (run from the repo root)\n");
    }

    /* ---- atomic replacement, no temp files left ---- */
    CHECK(count_tmp_files() == 0);
    {
        float one = 1.0f;
        StTensor t; memset(&t, 0, sizeof t);
        strcpy(t.name, "x"); t.ndim = 1; t.shape[0] = 2; t.data = &one; t.len = 1;  /* shape says 2 */
        CHECK(st_write(path, &t, 1, NULL, 0, err, sizeof err) == -1 && strstr(err, "shape [2]"));
        StTensor d2[2]; memset(d2, 0, sizeof d2);
        strcpy(d2[0].name, "x"); d2[0].ndim = 1; d2[0].shape[0] = 1; d2[0].data = &one; d2[0].len = 1;
        d2[1] = d2[0];
        CHECK(st_write(path, d2, 2, NULL, 0, err, sizeof err) == -1 && strstr(err, "twice"));
        d2[1].name[0] = 0;
        CHECK(st_write(path, d2, 2, NULL, 0, err, sizeof err) == -1 && strstr(err, "empty name"));
        /* the failed writes left the earlier file intact */
        size_t l2; unsigned char *raw2 = slurp(path, &l2);
        CHECK(l2 == len && memcmp(raw, raw2, len) == 0);
        free(raw2);
        /* a successful rewrite replaces it */
        CHECKF(st_write(path, d2, 1, NULL, 0, err, sizeof err) == 0, "%s", err);
        CHECK(st_read(path, &f, err, sizeof err) == 0 && f.nt == 1 && f.nm == 0 && f.t[0].data[0] == 1.0f);
        st_free(&f);
        snprintf(p2, sizeof p2, "%s/no/such/dir/m.safetensors", dir);
        CHECK(st_write(p2, d2, 1, NULL, 0, err, sizeof err) == -1 && strstr(err, p2));
        CHECK(count_tmp_files() == 0);
    }
    /* atomic_write helper itself */
    snprintf(p2, sizeof p2, "%s/r.json", dir);
    CHECK(atomic_write_text(p2, "{\"a\":1}\n", err, sizeof err) == 0);
    CHECK(atomic_write_text(p2, "{\"a\":2}\n", err, sizeof err) == 0);
    { size_t l; unsigned char *t = slurp(p2, &l); CHECK(t && l == 8 && memcmp(t, "{\"a\":2}\n", 8) == 0); free(t); }
    {
        AtomicFile af;
        CHECK(atomic_open(&af, p2, err, sizeof err) == 0);
        fprintf(af.fp, "partial");
        atomic_abort(&af);
        size_t l; unsigned char *t = slurp(p2, &l); CHECK(t && l == 8 && t[5] == '2'); free(t);
        CHECK(count_tmp_files() == 0);
    }

    /* ---- reader refusals ---- */
    CHECK(write_sample(path, err, sizeof err) == 0);
    free(raw); raw = slurp(path, &len);
    snprintf(p2, sizeof p2, "%s/bad.safetensors", dir);

    CHECK(refuses(p2, "cannot open"));                         /* missing */
    spit(p2, raw, 5);            CHECK(refuses(p2, "too short"));
    spit(p2, raw, 0);            CHECK(refuses(p2, "too short"));
    spit(p2, raw, 8 + hl / 2);   CHECK(refuses(p2, "runs past the end"));
    spit(p2, raw, len - 4);      CHECK(refuses(p2, "run past"));        /* truncated data */
    spit(p2, raw, len - 1);      CHECK(refuses(p2, "run past"));
    {   /* trailing garbage */
        unsigned char *g = malloc(len + 4); memcpy(g, raw, len); memset(g + len, 0xab, 4);
        spit(p2, g, len + 4); CHECK(refuses(p2, "trailing garbage"));
        free(g);
    }
    {   /* corrupted header JSON: break a ':' and a '"' */
        unsigned char *g = malloc(len); memcpy(g, raw, len);
        unsigned char *c = memchr(g + 9, ':', hl); *c = ';';
        spit(p2, g, len); CHECK(refuses(p2, "not valid JSON"));
        memcpy(g, raw, len); g[8] = '[';
        spit(p2, g, len); CHECK(refuses(p2, "does not start with '{'"));
        memcpy(g, raw, len); g[8 + hl - 1] = 'x';
        spit(p2, g, len); CHECK(refuses(p2, "not valid JSON"));
        free(g);
    }
    {   /* huge header length */
        unsigned char g[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
        spit(p2, g, 16); CHECK(refuses(p2, "runs past the end"));
    }
    const char *T1 = "\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    char h[512];
    craft(p2, "{\"t\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "unknown dtype 'F33'"));
    craft(p2, "{\"t\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "only F32"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 8);
    CHECK(refuses(p2, "run past"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8);
    CHECK(refuses(p2, "end before they begin"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "shape [3] needs 12 bytes"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "not a non-negative integer"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "not a non-negative integer"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8);
    CHECK(refuses(p2, "data_offsets must be"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8);
    CHECK(refuses(p2, "data_offsets must be"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}", 8);
    CHECK(refuses(p2, "unknown field"));
    craft(p2, "{\"t\":[1,2]}", 8);
    CHECK(refuses(p2, "not an object"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
              "\"u\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
    CHECK(refuses(p2, "overlap"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
              "\"u\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
    CHECK(refuses(p2, "overlap"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
              "\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16);
    CHECK(refuses(p2, "not contiguous"));
    snprintf(h, sizeof h, "{%s,%s}", T1, T1);
    craft(p2, h, 8);
    CHECK(refuses(p2, "duplicate key"));
    snprintf(h, sizeof h, "{\"__metadata__\":{\"k\":1},%s}", T1);
    craft(p2, h, 8);
    CHECK(refuses(p2, "must be strings"));
    snprintf(h, sizeof h, "{\"__metadata__\":[],%s}", T1);
    craft(p2, h, 8);
    CHECK(refuses(p2, "__metadata__ is a JSON array"));
    craft(p2, "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 10);
    CHECK(refuses(p2, "2 bytes of trailing garbage"));

    /* a valid foreign file: odd header length (data not aligned in the file),
     * header keys in another order, data in reverse order of the header */
    {
        const char *hdr = "{\"b\":{\"shape\":[1],\"data_offsets\":[8,12],\"dtype\":\"F32\"},"
                          "\"a\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2]},"
                          "\"__metadata__\":{\"x\":\"y\"}}";
        size_t hn = strlen(hdr);
        CHECK((8 + hn) % 4 != 0);
        FILE *fp = fopen(p2, "wb");
        for (int i = 0; i < 8; i++) fputc((int)((hn >> (8 * i)) & 0xff), fp);
        fwrite(hdr, 1, hn, fp);
        float vals[3] = {1.25f, -2.5f, 7.0f};   /* a = {1.25,-2.5}, b = {7} */
        fwrite(vals, 4, 3, fp);
        fclose(fp);
        CHECKF(st_read(p2, &f, err, sizeof err) == 0, "%s", err);
        CHECK(f.nt == 2 && strcmp(f.t[0].name, "a") == 0 && strcmp(f.t[1].name, "b") == 0);
        const StTensor *ta = st_find(&f, "a"), *tb = st_find(&f, "b");
        CHECK(ta && ((uintptr_t)ta->data % 4) == 0 && ta->data[0] == 1.25f && ta->data[1] == -2.5f);
        CHECK(tb && tb->data[0] == 7.0f);
        CHECK(st_meta(&f, "x") && strcmp(st_meta(&f, "x"), "y") == 0);
        st_free(&f);
    }
    /* empty tensor set is a valid file */
    craft(p2, "{}      ", 0);
    CHECK(st_read(p2, &f, err, sizeof err) == 0 && f.nt == 0);
    st_free(&f);

    free(raw);
    char cmd[128]; snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_safetensors");
}
