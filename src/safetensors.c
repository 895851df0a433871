/* safetensors.c — writer and strict reader for the safetensors format.
 *
 * Layout: u64 little-endian N | N bytes of JSON header | tensor bytes.
 * The writer puts "__metadata__" first, then the tensors in the caller's order
 * with data_offsets contiguous from 0 in that order, and pads the header with
 * spaces so the data starts on an 8-byte boundary (as the reference Rust
 * implementation does).  The reader accepts any valid F32 file: header keys in
 * any order, data in any order, as long as the tensors tile the data section
 * exactly (no gaps, no overlap, nothing after the last one).  The reader's
 * tensors are listed in data order. */
#include "safetensors.h"
#include "escape.h"
#include "shape_math.h"
#include "atomic_file.h"
#include "json.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ST_MAX_HEADER (100u * 1024 * 1024)   /* the reference implementation's limit */

#define FAIL(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int host_is_le(void) { const uint16_t one = 1; return *(const uint8_t *)&one == 1; }

static void bswap32_inplace(void *p, size_t n) {
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++, b += 4) {
        uint8_t t0 = b[0], t1 = b[1];
        b[0] = b[3]; b[1] = b[2]; b[2] = t1; b[3] = t0;
    }
}

static void shape_str(char *buf, size_t len, const int64_t *shape, int ndim) {
    size_t at = 0;
    if (len == 0) return;
    buf[0] = 0;
    at += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, i ? ",%lld" : "%lld", (long long)shape[i]);
    if (at < len) snprintf(buf + at, len - at, "]");
}

/* Elements of a tensor: the checked product of its dims (shape_math.h), or -1 when a dim is
 * negative or the product overflows or exceeds SHAPE_MAX_BUFFER. */
static int64_t st_numel(const int64_t *shape, int ndim) {
    int64_t p = 1;
    for (int i = 0; i < ndim; i++)
        if (shape_mul(&p, p, shape[i], SHAPE_MAX_BUFFER)) return -1;
    return p;
}

/* The JSON header: __metadata__ first, then the tensors with contiguous data_offsets, padded with
 * spaces so that the data starts on an 8-byte boundary. */
static void write_header(JsonWriter *w, const StTensor *t, int nt, const StMeta *meta, int nm) {
    jw_object(w, JW_INLINE);
    if (nm > 0) {
        jw_key(w, "__metadata__");
        jw_object(w, JW_INLINE);
        for (int i = 0; i < nm; i++) { jw_key(w, meta[i].key); jw_str(w, meta[i].value); }
        jw_end(w);
    }
    uint64_t off = 0;
    for (int i = 0; i < nt; i++) {
        uint64_t end = off + (uint64_t)t[i].len * 4;
        jw_key(w, t[i].name);
        jw_object(w, JW_INLINE);
        jw_key(w, "dtype"); jw_str(w, "F32");
        jw_key(w, "shape");
        jw_array(w, JW_INLINE);
        for (int d = 0; d < t[i].ndim; d++) jw_int(w, (long long)t[i].shape[d]);
        jw_end(w);
        jw_key(w, "data_offsets");
        jw_array(w, JW_INLINE);
        jw_int(w, (long long)off);
        jw_int(w, (long long)end);
        jw_end(w);
        jw_end(w);
        off = end;
    }
    jw_end(w);
    while ((8 + w->buf.len) % 8) jb_puts(&w->buf, " ");
}

int st_write(const char *path, const StTensor *t, int nt, const StMeta *meta, int nm,
             char *err, size_t errlen) {
    JsonWriter hw;
    jw_init(&hw, JW_COMPACT);
    JsonBuf *hb = &hw.buf;
    AtomicFile af; memset(&af, 0, sizeof af);
    float *swap = NULL;
    if (nt < 0 || nm < 0) FAIL("%s: negative tensor or metadata count", esc(path));
    for (int i = 0; i < nt; i++) {
        const StTensor *x = &t[i];
        size_t nl = strnlen(x->name, sizeof x->name);
        if (nl == 0) FAIL("%s: tensor %d has an empty name", esc(path), i);
        if (nl == sizeof x->name) FAIL("%s: tensor %d name is not terminated", esc(path), i);
        if (strcmp(x->name, "__metadata__") == 0) FAIL("%s: a tensor cannot be named __metadata__", esc(path));
        if (x->ndim < 0 || x->ndim > 8) FAIL("%s: tensor %s has %d dimensions (0..8 allowed)", esc(path), esc(x->name), x->ndim);
        int64_t numel = st_numel(x->shape, x->ndim);
        char sh[160]; shape_str(sh, sizeof sh, x->shape, x->ndim);
        if (numel < 0) FAIL("%s: tensor %s has an invalid shape %s", esc(path), esc(x->name), sh);
        if ((uint64_t)numel != (uint64_t)x->len)
            FAIL("%s: tensor %s has shape %s (%lld values) but %zu floats were given",
                 esc(path), esc(x->name), sh, (long long)numel, x->len);
        if (x->len && !x->data) FAIL("%s: tensor %s has no data", esc(path), esc(x->name));
        for (int j = 0; j < i; j++)
            if (strcmp(t[j].name, x->name) == 0) FAIL("%s: tensor %s is listed twice", esc(path), esc(x->name));
    }
    for (int i = 0; i < nm; i++) {
        size_t kl = strnlen(meta[i].key, sizeof meta[i].key);
        if (kl == 0 || kl == sizeof meta[i].key) FAIL("%s: metadata entry %d has an empty or unterminated key", esc(path), i);
        if (!meta[i].value) FAIL("%s: metadata %s has no value", esc(path), esc(meta[i].key));
        for (int j = 0; j < i; j++)
            if (strcmp(meta[j].key, meta[i].key) == 0) FAIL("%s: metadata key %s is listed twice", esc(path), esc(meta[i].key));
    }

    write_header(&hw, t, nt, meta, nm);
    if (hb->oom) FAIL("%s: out of memory building the header", esc(path));
    if (hb->len > ST_MAX_HEADER) FAIL("%s: header of %zu bytes is too large", esc(path), hb->len);

    if (atomic_open(&af, path, err, errlen)) goto fail;
    uint8_t n8[8];
    for (int i = 0; i < 8; i++) n8[i] = (uint8_t)((uint64_t)hb->len >> (8 * i));
    fwrite(n8, 1, 8, af.fp);
    fwrite(hb->buf, 1, hb->len, af.fp);
    int le = host_is_le();
    for (int i = 0; i < nt; i++) {
        if (!t[i].len) continue;
        if (le) { fwrite(t[i].data, sizeof(float), t[i].len, af.fp); continue; }
        /* big-endian host: swap in chunks */
        if (!swap && !(swap = malloc(4096 * sizeof(float)))) FAIL("%s: out of memory", esc(path));
        for (size_t k = 0; k < t[i].len; k += 4096) {
            size_t m = t[i].len - k < 4096 ? t[i].len - k : 4096;
            memcpy(swap, t[i].data + k, m * sizeof(float));
            bswap32_inplace(swap, m);
            fwrite(swap, sizeof(float), m, af.fp);
        }
    }
    jw_free(&hw); free(swap);
    return atomic_commit(&af, err, errlen);   /* reports any write error above */
fail:
    if (af.fp) atomic_abort(&af);
    jw_free(&hw); free(swap);
    return -1;
}

/* ---- reader ---- */

/* The blob is allocated with room in front so the data section lands on an
 * 8-byte boundary whatever the header length; the allocation's base pointer is
 * stored in the 8 bytes just before the blob. */
static void blob_free(void *blob) {
    if (!blob) return;
    void *base;
    memcpy(&base, (char *)blob - sizeof base, sizeof base);
    free(base);
}

static const char *known_dtypes[] = { "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16",
                                      "BF16", "I32", "U32", "F32", "F64", "I64", "U64", NULL };
static const int dtype_bytes[] = { 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8 };

/* bytes per element of a known dtype, 0 for an unknown one */
static int dtype_size(const char *dt) {
    for (int k = 0; known_dtypes[k]; k++) if (strcmp(known_dtypes[k], dt) == 0) return dtype_bytes[k];
    return 0;
}

typedef struct { int64_t begin, end; int idx; } Span;
static int cmp_span(const void *a, const void *b) {
    const Span *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return x->idx - y->idx;
}

/* Read the whole file into a blob whose data section lands on an 8-byte boundary; check the
 * header length.  0, or -1 with err (nothing left allocated). */
static int read_blob(const char *path, char **blob_out, uint64_t *size_out, uint64_t *hlen_out, char *err,
                     size_t errlen) {
    void *base = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) FAIL("%s: cannot open: %s", esc(path), strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0) FAIL("%s: cannot stat: %s", esc(path), strerror(errno));
    if (!S_ISREG(sb.st_mode)) FAIL("%s: not a regular file", esc(path));
    uint64_t size = (uint64_t)sb.st_size;
    if (size < 8) FAIL("%s: file is %llu bytes, too short for safetensors (needs an 8-byte header length)",
                       esc(path), (unsigned long long)size);
    uint8_t n8[8];
    if (fread(n8, 1, 8, fp) != 8) FAIL("%s: cannot read the header length", esc(path));
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)n8[i] << (8 * i);
    if (hlen > size - 8)
        FAIL("%s: header length %llu runs past the end of the file (%llu bytes) - truncated or not safetensors",
             esc(path), (unsigned long long)hlen, (unsigned long long)size);
    if (hlen > ST_MAX_HEADER) FAIL("%s: header length %llu is larger than the 100 MB limit", esc(path), (unsigned long long)hlen);
    if (hlen < 2) FAIL("%s: header of %llu bytes cannot hold a JSON object", esc(path), (unsigned long long)hlen);
    if (size > (uint64_t)SIZE_MAX - 64) FAIL("%s: file too large", esc(path));

    size_t pad = (8 - (size_t)((8 + hlen) % 8)) % 8;  /* data section aligned to 8 */
    _Static_assert(sizeof(void *) <= 8, "base pointer must fit in 8 bytes");
    size_t lead = 8 + pad;                             /* (lead + 8 + hlen) % 8 == 0 */
    base = malloc(lead + (size_t)size);
    if (!base) FAIL("%s: out of memory for %llu bytes", esc(path), (unsigned long long)size);
    char *blob = (char *)base + lead;
    memcpy(blob - sizeof base, &base, sizeof base);
    memcpy(blob, n8, 8);
    if (size > 8 && fread(blob + 8, 1, (size_t)size - 8, fp) != (size_t)size - 8)
        FAIL("%s: short read (file changed while reading?)", esc(path));
    fclose(fp);
    *blob_out = blob;
    *size_out = size;
    *hlen_out = hlen;
    return 0;
fail:
    if (fp) fclose(fp);
    free(base);
    return -1;
}

/* The __metadata__ object into *meta (string values only).  0 or -1 with err; *meta and *nm hold what
 * was read either way (the caller frees them). */
static int read_meta(const char *path, const JsonValue *md, StMeta **meta, int *nm, char *err, size_t errlen) {
    if (md->type != JSON_OBJECT) FAIL("%s: __metadata__ is a JSON %s, not an object", esc(path), json_type_name(md->type));
    *meta = calloc((size_t)(md->n ? md->n : 1), sizeof **meta);
    if (!*meta) FAIL("%s: out of memory", esc(path));
    for (int i = 0; i < md->n; i++) {
        const JsonValue *v = &md->items[i];
        StMeta *e = &(*meta)[*nm];
        if (md->key_lens[i] == 0 || md->key_lens[i] >= sizeof e->key || strlen(md->keys[i]) != md->key_lens[i])
            FAIL("%s: metadata key '%s' is empty, too long (max %zu bytes) or has a NUL byte",
                 esc(path), esc(md->keys[i]), sizeof e->key - 1);
        if (v->type != JSON_STRING)
            FAIL("%s: metadata %s is a JSON %s; safetensors metadata values must be strings",
                 path, md->keys[i], json_type_name(v->type));
        if (strlen(v->str) != v->len) FAIL("%s: metadata %s contains a NUL byte", esc(path), esc(md->keys[i]));
        memcpy(e->key, md->keys[i], md->key_lens[i] + 1);
        e->value = malloc(v->len + 1);
        if (!e->value) FAIL("%s: out of memory", esc(path));
        memcpy(e->value, v->str, v->len + 1);
        (*nm)++;
    }
    return 0;
fail:
    return -1;
}

/* dtype (F32 only) and shape of one header entry into t.  0 or -1 with err. */
static int read_dtype_shape(const char *path, const char *name, const JsonValue *e, StTensor *t, int any,
                            char *err, size_t errlen) {
    for (int k = 0; k < e->n; k++)
        if (strcmp(e->keys[k], "dtype") && strcmp(e->keys[k], "shape") && strcmp(e->keys[k], "data_offsets"))
            FAIL("%s: tensor %s: unknown field \"%s\"", esc(path), esc(name), esc(e->keys[k]));
    const JsonValue *dt = json_get(e, "dtype"), *sh = json_get(e, "shape");
    if (!dt || dt->type != JSON_STRING) FAIL("%s: tensor %s: missing or non-string dtype", esc(path), esc(name));
    if (!dtype_size(dt->str)) FAIL("%s: tensor %s has unknown dtype '%s'", esc(path), esc(name), esc(dt->str));
    if (!any && strcmp(dt->str, "F32") != 0)
        FAIL("%s: tensor %s has dtype %s; only F32 is supported", esc(path), esc(name), esc(dt->str));
    snprintf(t->dtype, sizeof t->dtype, "%s", dt->str);
    if (!sh || sh->type != JSON_ARRAY) FAIL("%s: tensor %s: missing or non-array shape", esc(path), esc(name));
    if (sh->n > 8) FAIL("%s: tensor %s has %d dimensions (at most 8 supported)", esc(path), esc(name), sh->n);
    t->ndim = sh->n;
    for (int d = 0; d < sh->n; d++) {
        const JsonValue *v = &sh->items[d];
        if (v->type != JSON_NUMBER || !v->is_int || v->i < 0)
            FAIL("%s: tensor %s: shape entry %d is not a non-negative integer", esc(path), esc(name), d);
        t->shape[d] = v->i;
    }
    return 0;
fail:
    return -1;
}

/* One tensor entry of the header: name, dtype, shape, data_offsets (checked against the shape and
 * the data section).  0 or -1 with err. */
static int read_tensor(const char *path, const char *name, size_t name_len, const JsonValue *e, const char *data,
                       uint64_t data_len, StTensor *t, Span *span, int any, char *err, size_t errlen) {
    if (name_len == 0) FAIL("%s: a tensor has an empty name", esc(path));
    if (name_len >= sizeof t->name || strlen(name) != name_len)
        FAIL("%s: tensor name '%s' is too long (max %zu bytes) or has a NUL byte",
             esc(path), esc(name), sizeof t->name - 1);
    if (e->type != JSON_OBJECT) FAIL("%s: tensor %s: entry is a JSON %s, not an object", esc(path), esc(name), json_type_name(e->type));
    memcpy(t->name, name, name_len + 1);
    if (read_dtype_shape(path, name, e, t, any, err, errlen)) return -1;
    int es = dtype_size(t->dtype);
    const JsonValue *of = json_get(e, "data_offsets");
    if (!of || of->type != JSON_ARRAY || of->n != 2)
        FAIL("%s: tensor %s: data_offsets must be an array [begin,end]", esc(path), esc(name));
    for (int d = 0; d < 2; d++)
        if (of->items[d].type != JSON_NUMBER || !of->items[d].is_int || of->items[d].i < 0)
            FAIL("%s: tensor %s: data_offsets entries must be non-negative integers", esc(path), esc(name));
    int64_t b = of->items[0].i, en = of->items[1].i;
    if (b > en) FAIL("%s: tensor %s: data_offsets [%lld,%lld] end before they begin", esc(path), esc(name), (long long)b, (long long)en);
    if ((uint64_t)en > data_len)
        FAIL("%s: tensor %s: data_offsets [%lld,%lld] run past the %llu data bytes (truncated file?)",
             esc(path), esc(name), (long long)b, (long long)en, (unsigned long long)data_len);
    int64_t numel = st_numel(t->shape, t->ndim);
    char shs[160]; shape_str(shs, sizeof shs, t->shape, t->ndim);
    if (numel < 0 || numel > (int64_t)((uint64_t)INT64_MAX / 8) || numel * es != en - b)
        FAIL("%s: tensor %s: shape %s needs %lld bytes but data_offsets [%lld,%lld] hold %lld",
             esc(path), esc(name), shs, numel < 0 ? -1LL : (long long)numel * es, (long long)b, (long long)en, (long long)(en - b));
    if (!any && b % 4) FAIL("%s: tensor %s: data offset %lld is not a multiple of 4", esc(path), esc(name), (long long)b);
    t->len = (size_t)numel;
    t->data = (const float *)(const void *)(data + b);
    span->begin = b; span->end = en;
    return 0;
fail:
    return -1;
}

/* The tensors must tile [0, data_len) exactly; spans come back sorted by offset.  0 or -1 with err. */
static int check_tiling(const char *path, Span *spans, int nt, const StTensor *tens, uint64_t data_len, char *err,
                        size_t errlen) {
    qsort(spans, (size_t)nt, sizeof *spans, cmp_span);
    int64_t at = 0;
    for (int i = 0; i < nt; i++) {
        if (spans[i].begin < at) {
            const char *prev = tens[spans[i - 1].idx].name;
            FAIL("%s: tensors %s and %s overlap in the data section", esc(path), esc(prev), esc(tens[spans[i].idx].name));
        }
        if (spans[i].begin > at)
            FAIL("%s: %lld unused bytes before tensor %s (data_offsets not contiguous)",
                 esc(path), (long long)(spans[i].begin - at), esc(tens[spans[i].idx].name));
        at = spans[i].end;
    }
    if ((uint64_t)at != data_len)
        FAIL("%s: %llu bytes of trailing garbage after the last tensor", esc(path), (unsigned long long)(data_len - (uint64_t)at));
    return 0;
fail:
    return -1;
}

static int st_read_opt(const char *path, StFile *f, int any, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    char *blob = NULL;
    JsonValue *root = NULL;
    StTensor *tens = NULL; StMeta *meta = NULL; Span *spans = NULL;
    int nt = 0, nm = 0;
    uint64_t size, hlen;

    if (read_blob(path, &blob, &size, &hlen, err, errlen)) return -1;
    const char *hdr = blob + 8;
    if (hdr[0] != '{') FAIL("%s: header does not start with '{' - not a safetensors file", esc(path));
    char jerr[200];
    root = json_parse(hdr, (size_t)hlen, jerr, sizeof jerr);
    if (!root) FAIL("%s: header is not valid JSON (%s)", esc(path), jerr);
    if (root->type != JSON_OBJECT) FAIL("%s: header is a JSON %s, not an object", esc(path), json_type_name(root->type));
    uint64_t data_len = size - 8 - hlen;
    const char *data = blob + 8 + hlen;

    int ntens = 0;
    const JsonValue *md = NULL;
    for (int i = 0; i < root->n; i++) {
        if (strcmp(root->keys[i], "__metadata__") == 0 && root->key_lens[i] == 12) md = &root->items[i];
        else ntens++;
    }
    if (md && read_meta(path, md, &meta, &nm, err, errlen)) goto fail;
    tens = calloc((size_t)(ntens ? ntens : 1), sizeof *tens);
    spans = calloc((size_t)(ntens ? ntens : 1), sizeof *spans);
    if (!tens || !spans) FAIL("%s: out of memory", esc(path));
    for (int i = 0; i < root->n; i++) {
        if (&root->items[i] == md) continue;
        if (read_tensor(path, root->keys[i], root->key_lens[i], &root->items[i], data, data_len, &tens[nt], &spans[nt],
                        any, err, errlen))
            goto fail;
        spans[nt].idx = nt;
        nt++;
    }
    if (check_tiling(path, spans, nt, tens, data_len, err, errlen)) goto fail;

    /* reorder into data order */
    StTensor *ordered = calloc((size_t)(nt ? nt : 1), sizeof *ordered);
    if (!ordered) FAIL("%s: out of memory", esc(path));
    for (int i = 0; i < nt; i++) ordered[i] = tens[spans[i].idx];
    free(tens); tens = ordered;

    if (!any && !host_is_le())
        for (int i = 0; i < nt; i++) bswap32_inplace((void *)(uintptr_t)tens[i].data, tens[i].len);

    json_free(root); free(spans);
    f->blob = blob; f->blob_len = (size_t)size;
    f->t = tens; f->nt = nt;
    f->meta = meta; f->nm = nm;
    return 0;
fail:
    json_free(root);
    free(spans); free(tens);
    if (meta) for (int i = 0; i < nm; i++) free(meta[i].value);
    free(meta);
    blob_free(blob);
    memset(f, 0, sizeof *f);
    return -1;
}

int st_read(const char *path, StFile *f, char *err, size_t errlen) { return st_read_opt(path, f, 0, err, errlen); }
int st_read_any(const char *path, StFile *f, char *err, size_t errlen) { return st_read_opt(path, f, 1, err, errlen); }

void st_free(StFile *f) {
    if (!f) return;
    blob_free(f->blob);
    free(f->t);
    if (f->meta) for (int i = 0; i < f->nm; i++) free(f->meta[i].value);
    free(f->meta);
    memset(f, 0, sizeof *f);
}

const StTensor *st_find(const StFile *f, const char *name) {
    for (int i = 0; i < f->nt; i++) if (strcmp(f->t[i].name, name) == 0) return &f->t[i];
    return NULL;
}

const char *st_meta(const StFile *f, const char *key) {
    for (int i = 0; i < f->nm; i++) if (strcmp(f->meta[i].key, key) == 0) return f->meta[i].value;
    return NULL;
}
