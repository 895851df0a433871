/* test_torch_import.c — import of PyTorch state dicts without PyTorch (issue 14): small hand-made
 * safetensors files against a tiny net; every refusal (missing, extra, wrong shape, wrong dtype) is one
 * line naming the tensor, its shape and the layer; F16/BF16 widen exactly; names are escaped; the CLI
 * exits 2 on usage errors and 1 on a refused file; export names invert import. */
#include "test.h"
#include "safetensors.h"
#include "torch_names.h"
#include <stdint.h>
#include <sys/wait.h>

static const char *SPEC = "input 1 4 4\nconv 2 k=3 bias=0\nbatchnorm\nrelu\ngap\nlinear classes\n";
static char dir[] = "/tmp/torch_impXXXXXX";

typedef struct { const char *name, *dtype; int ndim; int64_t shape[4]; } Ent;

static int esize(const char *dt) { return !strcmp(dt, "F64") || !strcmp(dt, "I64") ? 8 : !strcmp(dt, "F16") || !strcmp(dt, "BF16") ? 2 : 4; }
static size_t numel(const Ent *e) { size_t n = 1; for (int d = 0; d < e->ndim; d++) n *= (size_t)e->shape[d]; return n; }

/* JSON string with control bytes as \u00XX */
static void json_name(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\') fprintf(f, "\\u%04x", (unsigned char)*s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

/* A safetensors file of entries e; element k of a float tensor is value(k) (F32/F16/BF16 bit patterns
 * from raw16 when given). */
static void craft(const char *path, const Ent *e, int n, const uint16_t *raw16) {
    char *hdr = NULL; size_t hl = 0;
    FILE *h = open_memstream(&hdr, &hl);
    size_t at = 0;
    fputc('{', h);
    for (int i = 0; i < n; i++) {
        size_t bytes = numel(&e[i]) * (size_t)esize(e[i].dtype);
        if (i) fputc(',', h);
        json_name(h, e[i].name);
        fprintf(h, ":{\"dtype\":\"%s\",\"shape\":[", e[i].dtype);
        for (int d = 0; d < e[i].ndim; d++) fprintf(h, d ? ",%lld" : "%lld", (long long)e[i].shape[d]);
        fprintf(h, "],\"data_offsets\":[%zu,%zu]}", at, at + bytes);
        at += bytes;
    }
    fputc('}', h);
    fclose(h);
    FILE *f = fopen(path, "wb");
    uint64_t len = hl;
    for (int b = 0; b < 8; b++) fputc((int)(len >> (8 * b)) & 0xff, f);
    fwrite(hdr, 1, hl, f);
    for (int i = 0; i < n; i++) {
        size_t m = numel(&e[i]);
        for (size_t k = 0; k < m; k++) {
            int es = esize(e[i].dtype);
            if (es == 2) { uint16_t v = raw16 ? raw16[k % 4] : 0x3c00; fputc(v & 0xff, f); fputc(v >> 8, f); continue; }
            float v = (float)(i + 1) + 0.125f * (float)k;
            uint8_t b[8] = {0};
            if (es == 4) memcpy(b, &v, 4);
            else { double d = v; memcpy(b, &d, 8); }
            fwrite(b, 1, (size_t)es, f);
        }
    }
    fclose(f);
    free(hdr);
}

/* the tiny net's state dict as PyTorch names it, in safetensors' (lexicographic) order */
static Ent good[] = {
    {"classifier.1.bias", "F32", 1, {3}}, {"classifier.1.weight", "F32", 2, {3, 2}},
    {"features.0.weight", "F32", 4, {2, 1, 3, 3}}, {"features.1.bias", "F32", 1, {2}},
    {"features.1.num_batches_tracked", "I64", 0, {0}}, {"features.1.running_mean", "F32", 1, {2}},
    {"features.1.running_var", "F32", 1, {2}}, {"features.1.weight", "F32", 1, {2}},
};
#define NGOOD ((int)(sizeof good / sizeof good[0]))

static Net *tiny(void) {
    char err[256];
    Net *n = net_parse(SPEC, "tiny", 0, 0, 0, 3, err, sizeof err);
    if (!n) fprintf(stderr, "%s\n", err);
    return n;
}

/* import file path into a fresh tiny net; report text into *out (malloc'd); returns the mismatch count */
static int import_file(const char *path, char **out, Net **keep) {
    StFile f;
    char err[512];
    *out = strdup("");
    if (st_read_any(path, &f, err, sizeof err)) { free(*out); *out = strdup(err); return -2; }
    Net *net = tiny();
    size_t len = 0;
    free(*out);
    FILE *r = open_memstream(out, &len);
    int rc = torch_import(net, &f, r, "T: ", NULL);
    fclose(r);
    st_free(&f);
    if (keep) *keep = net; else net_free(net);
    return rc;
}

static int lines(const char *s) { int n = 0; for (; *s; s++) n += *s == '\n'; return n; }

/* one file with good[] changed by fn; expect n mismatches and every pattern in the report */
static void expect(const char *tag, const Ent *e, int n, int want, const char *p1, const char *p2) {
    char path[300], *rep;
    snprintf(path, sizeof path, "%s/%s.safetensors", dir, tag);
    craft(path, e, n, NULL);
    int rc = import_file(path, &rep, NULL);
    CHECKF(rc == want && lines(rep) == want, "%s: rc %d lines %d (want %d): %s", tag, rc, lines(rep), want, rep);
    CHECKF(!p1 || strstr(rep, p1), "%s: '%s' not in: %s", tag, p1, rep);
    CHECKF(!p2 || strstr(rep, p2), "%s: '%s' not in: %s", tag, p2, rep);
    free(rep);
}

static void test_good(void) {
    char path[300], *rep;
    snprintf(path, sizeof path, "%s/good.safetensors", dir);
    craft(path, good, NGOOD, NULL);
    Net *net = NULL;
    CHECKF(import_file(path, &rep, &net) == 0 && !*rep, "good: %s", rep);
    NetTensor t[8];
    CHECK(net_tensors(net, t, 8) == 7);
    /* conv weight = entry 3 (value 3 + k/8), bn running_var = entry 7, linear bias = entry 1 */
    CHECK(t[0].data[0] == 3.0f && t[0].data[17] == 3.0f + 0.125f * 17);
    CHECK(t[4].data[1] == 7.125f && t[6].data[2] == 1.25f);
    free(rep);
    net_free(net);
}

static void test_widen(void) {
    /* F16 0.5, -2, 65504, 2^-24 (subnormal); BF16 1.0, -0.5, 2^-133 (subnormal), 3.0e38-ish */
    static const uint16_t f16[4] = {0x3800, 0xc000, 0x7bff, 0x0001}, bf16[4] = {0x3f80, 0xbf00, 0x0001, 0x7f61};
    const float want16[4] = {0.5f, -2.0f, 65504.0f, 5.9604644775390625e-08f};
    Ent e[NGOOD];
    for (int pass = 0; pass < 2; pass++) {
        memcpy(e, good, sizeof good);
        for (int i = 0; i < NGOOD; i++) if (!strcmp(e[i].dtype, "F32")) e[i].dtype = pass ? "BF16" : "F16";
        char path[300], *rep;
        snprintf(path, sizeof path, "%s/half%d.safetensors", dir, pass);
        craft(path, e, NGOOD, pass ? bf16 : f16);
        Net *net = NULL;
        CHECKF(import_file(path, &rep, &net) == 0, "%s: %s", pass ? "BF16" : "F16", rep);
        for (int k = 0; k < 4; k++) {
            uint32_t u = (uint32_t)bf16[k] << 16; float b; memcpy(&b, &u, 4);
            float w = pass ? b : want16[k];
            CHECKF(net->params[k] == w, "%s element %d: %.9g vs %.9g", pass ? "BF16" : "F16", k, net->params[k], w);
        }
        free(rep);
        net_free(net);
    }
}

static void test_refusals(void) {
    Ent e[NGOOD + 60];
    memcpy(e, good, sizeof good);
    /* missing: drop running_var */
    Ent miss[NGOOD - 1]; int k = 0;
    for (int i = 0; i < NGOOD; i++) if (strcmp(good[i].name, "features.1.running_var")) miss[k++] = good[i];
    expect("missing", miss, k, 1, "missing tensor: layer 1 (batchnorm, spec line 3, exported as features.1) expects "
           "running_var [2]", "module features.1 has no running_var");
    /* missing module: no classifier */
    expect("nohead", good + 2, NGOOD - 2, 2, "expects weight [3,2], but the file has no module left", "expects bias [3]");
    /* extra module and extra tensor */
    memcpy(e, good, sizeof good);
    e[NGOOD] = (Ent){"classifier.2.weight", "F32", 2, {3, 2}};
    expect("extra", e, NGOOD + 1, 1, "extra tensor: classifier.2.weight [3,2]", "no layer of the net is left");
    e[NGOOD] = (Ent){"features.0.bias", "F32", 1, {2}};
    expect("extrabias", e, NGOOD + 1, 1, "extra tensor: features.0.bias [2]", "layer 0 (conv, spec line 2");
    /* wrong shape */
    memcpy(e, good, sizeof good);
    e[1].shape[0] = 4;
    expect("shape", e, NGOOD, 1, "wrong shape: tensor classifier.1.weight [4,2]", "layer 4 (linear, spec line 6, "
           "exported as classifier.1) expects weight [3,2]");
    /* wrong dtype */
    memcpy(e, good, sizeof good);
    e[2].dtype = "F64";
    expect("dtype", e, NGOOD, 1, "wrong dtype: tensor features.0.weight [2,1,3,3] is F64", "layer 0 (conv");
    e[2].dtype = "I32";
    expect("dtype_i32", e, NGOOD, 1, "features.0.weight [2,1,3,3] is I32", "F16 and BF16 are widened exactly");
    /* hostile name: escaped, no control byte reaches the report */
    memcpy(e, good, sizeof good);
    e[NGOOD] = (Ent){"classifier.9\x1b[31m.weight", "F32", 1, {1}};
    expect("escape", e, NGOOD + 1, 1, "classifier.9\\x1b[31m.weight", NULL);
    /* many mismatches: 40 lines, then one counting the rest */
    static char names[60][32];
    for (int i = 0; i < 50; i++) {
        snprintf(names[i], sizeof names[i], "zz.%d.weight", i);
        e[NGOOD + i] = (Ent){names[i], "F32", 1, {1}};
    }
    char path[300], *rep;
    snprintf(path, sizeof path, "%s/many.safetensors", dir);
    craft(path, e, NGOOD + 50, NULL);
    CHECKF(import_file(path, &rep, NULL) == 50 && lines(rep) == 41 && strstr(rep, "T: ... and 10 more mismatches"),
           "many: %s", rep);
    free(rep);
}

static void test_other_names(void) {
    /* a plain nn.Sequential ("0.weight") and our own names ("layers.0.weight") map by order too */
    const char *pre[2] = {"", "layers."};
    const char *idx[8] = {"5.bias", "5.weight", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean",
                          "1.running_var", "1.weight"};
    for (int p = 0; p < 2; p++) {
        Ent e[NGOOD];
        static char nm[2][8][48];
        memcpy(e, good, sizeof good);
        for (int i = 0; i < NGOOD; i++) { snprintf(nm[p][i], 48, "%s%s", pre[p], idx[i]); e[i].name = nm[p][i]; }
        expect(p ? "ours" : "sequential", e, NGOOD, 0, NULL, NULL);
    }
}

static int sh(const char *cmd) {
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* CLI: exit codes, one stderr line per mismatch, export names and their re-import */
static void test_cli(void) {
    const char *B = test_bin_dir();
    char spec[300], cmd[2048];
    snprintf(spec, sizeof spec, "%s/tiny.net", dir);
    FILE *f = fopen(spec, "w"); fputs(SPEC, f); fclose(f);
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn import --torch %s/good.safetensors --out %s/o.safetensors 2>%s/e", B, dir, dir, dir);
    CHECKF(sh(cmd) == 2, "no --net: exit 2");
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn import --torch %s/good.safetensors --net %s --classes 0,0,1 --out %s/o.safetensors 2>%s/e",
             B, dir, spec, dir, dir);
    CHECKF(sh(cmd) == 2, "bad --classes: exit 2");
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn import --torch %s/good.safetensors --net nosuchnet --out %s/o.safetensors 2>%s/e",
             B, dir, dir, dir);
    CHECKF(sh(cmd) == 2, "unknown net: exit 2");
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn import --torch %s/shape.safetensors --net %s --classes 0,1,2 --out %s/o.safetensors 2>%s/e"
             " && exit 9; test $? -eq 1 && test $(wc -l <%s/e) -eq 1 && grep -q 'shape.safetensors: wrong shape: tensor classifier.1.weight [[]4,2[]]' %s/e",
             B, dir, spec, dir, dir, dir, dir);
    CHECKF(sh(cmd) == 0, "wrong shape: exit 1, one line");
    snprintf(cmd, sizeof cmd, "printf 'not a safetensors file' >%s/junk; %s/mnist-unlearn import --torch %s/junk --net %s --classes 0,1,2"
             " --out %s/o.safetensors 2>%s/e; test $? -eq 1 && test $(wc -l <%s/e) -eq 1 && test ! -e %s/o.safetensors",
             dir, B, dir, spec, dir, dir, dir, dir);
    CHECKF(sh(cmd) == 0, "not safetensors: exit 1, one line, nothing written");
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn import --torch %s/good.safetensors --net %s --classes 0,1,2 --out %s/o.safetensors >/dev/null"
             " && %s/mnist-unlearn export --model %s/o.safetensors --out %s/x.safetensors >/dev/null"
             " && %s/mnist-unlearn import --torch %s/x.safetensors --net %s --classes 0,1,2 --out %s/o2.safetensors >/dev/null",
             B, dir, spec, dir, B, dir, dir, B, dir, spec, dir);
    CHECKF(sh(cmd) == 0, "import -> export -> import");
    StFile a, b;
    char pa[300], pb[300], err[512];
    snprintf(pa, sizeof pa, "%s/x.safetensors", dir);
    snprintf(pb, sizeof pb, "%s/good.safetensors", dir);
    int ok = st_read(pa, &a, err, sizeof err) == 0 && st_read_any(pb, &b, err, sizeof err) == 0;
    CHECKF(ok, "%s", err);
    if (!ok) return;
    CHECK(a.nt == NGOOD - 1);   /* everything but num_batches_tracked, under the same names */
    for (int i = 0; i < a.nt; i++) {
        const StTensor *t = st_find(&b, a.t[i].name);
        CHECKF(t && !memcmp(t->data, a.t[i].data, a.t[i].len * 4), "exported %s", a.t[i].name);
    }
    st_free(&a); st_free(&b);
    snprintf(cmd, sizeof cmd, "%s/mnist-unlearn export --model %s/good.safetensors --out %s/y.safetensors 2>%s/e;"
             " test $? -eq 1 && test $(wc -l <%s/e) -eq 1 && %s/mnist-unlearn export --out x 2>/dev/null; test $? -eq 2",
             B, dir, dir, dir, dir, B);
    CHECKF(sh(cmd) == 0, "export: exit 1 for a state dict, 2 without --model");
}

int main(void) {
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    test_good();
    test_widen();
    test_refusals();
    test_other_names();
    test_cli();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_torch_import");
}
