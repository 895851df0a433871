/* idx.c — MNIST IDX reader via zlib (gzread reads gzip and plain files alike). */
#include "idx.h"
#include "escape.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define SETERR(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); } while (0)

/* read exactly len bytes; returns bytes read, or -1 on a decompression error */
static long long gz_read_all(gzFile g, void *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        size_t want = len - got;
        if (want > (1u << 30)) want = 1u << 30;
        int k = gzread(g, (char *)buf + got, (unsigned)want);
        if (k < 0) return -1;
        if (k == 0) break;
        got += (size_t)k;
    }
    return (long long)got;
}

static const char *gz_msg(gzFile g) {
    int e;
    const char *m = gzerror(g, &e);
    if (e == Z_ERRNO) return strerror(errno);
    return m && *m ? m : "read error";
}

/* Open, check the magic, read ndims dims.  Returns the handle or NULL with err. */
static gzFile open_idx(const char *path, uint32_t magic, int ndims, uint32_t *dims, long long *fsize,
                       char *err, size_t errlen) {
    struct stat sb;
    if (stat(path, &sb) != 0) { SETERR("%s: cannot open: %s", esc(path), strerror(errno)); return NULL; }
    if (S_ISDIR(sb.st_mode)) { SETERR("%s: is a directory, not an IDX file", esc(path)); return NULL; }
    *fsize = S_ISREG(sb.st_mode) ? (long long)sb.st_size : -1;
    gzFile g = gzopen(path, "rb");
    if (!g) { SETERR("%s: cannot open: %s", esc(path), strerror(errno ? errno : ENOMEM)); return NULL; }
    gzbuffer(g, 1 << 17);
    uint8_t h[4 + 4 * 3];
    size_t hl = 4 + 4 * (size_t)ndims;
    long long k = gz_read_all(g, h, hl);
    if (k < 0) { SETERR("%s: corrupt gzip data: %s", esc(path), gz_msg(g)); gzclose(g); return NULL; }
    if ((size_t)k < 4) {
        SETERR("%s: file is %lld bytes, too short for an IDX header", esc(path), k);
        gzclose(g); return NULL;
    }
    uint32_t m = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (m != magic) {
        const char *hint = m == IDX_MAGIC_IMAGES ? " (this is an IDX image file)"
                         : m == IDX_MAGIC_LABELS ? " (this is an IDX label file)"
                         : (h[0] == 0x1f && h[1] == 0x8b) ? " (gzip data that zlib could not unpack)" : "";
        SETERR("%s: bad magic 0x%08x, expected 0x%08x for an IDX %s file%s", esc(path), m, magic,
               magic == IDX_MAGIC_IMAGES ? "image" : "label", hint);
        gzclose(g); return NULL;
    }
    if ((size_t)k < hl) {
        SETERR("%s: truncated IDX header (%lld of %zu bytes)", esc(path), k, hl);
        gzclose(g); return NULL;
    }
    for (int i = 0; i < ndims; i++) {
        const uint8_t *d = h + 4 + 4 * i;
        dims[i] = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    }
    return g;
}

/* deflate cannot expand by more than about 1032:1 */
#define GZ_MAX_RATIO 1032

/* Before anything is allocated: does the file hold what the header declares?
 * A plain file must hold exactly hl + len bytes; a gzip file must at least be
 * large enough to unpack to len bytes. */
static int check_declared(gzFile g, const char *path, size_t len, size_t hl, long long fsize, const char *what,
                          size_t unit, char *err, size_t errlen) {
    if (fsize < 0) return 0;   /* not a regular file (a pipe): the chunked read below still bounds memory */
    unsigned long long have = (unsigned long long)fsize;
    if (gzdirect(g)) {
        unsigned long long body = have > hl ? have - hl : 0;
        if (body < len) {
            SETERR("%s: truncated: header promises %zu %s (%zu bytes) but the file holds %llu bytes after the header",
                   esc(path), len / unit, what, len, body);
            return -1;
        }
        if (body > len) { SETERR("%s: file is longer than its header says (%zu %s)", esc(path), len / unit, what); return -1; }
    } else if (len / GZ_MAX_RATIO > have) {
        SETERR("%s: truncated: header promises %zu %s (%zu bytes), more than a %llu-byte gzip file can hold",
               esc(path), len / unit, what, len, have);
        return -1;
    }
    return 0;
}

/* Read exactly `len` payload bytes into a buffer that grows with the data
 * actually read (never more than twice what arrived), and make sure nothing
 * follows.  Returns the malloc'd buffer or NULL with err. */
static uint8_t *read_payload(gzFile g, const char *path, size_t len, const char *what,
                             size_t unit, char *err, size_t errlen) {
    size_t cap = len < ((size_t)1 << 20) ? len : ((size_t)1 << 20), got = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) { SETERR("%s: out of memory for %zu bytes", esc(path), cap); return NULL; }
    for (;;) {
        long long k = gz_read_all(g, buf + got, cap - got);
        if (k < 0) { SETERR("%s: corrupt gzip data: %s", esc(path), gz_msg(g)); free(buf); return NULL; }
        got += (size_t)k;
        if (got < cap || cap == len) break;
        size_t ncap = cap * 2 < len ? cap * 2 : len;
        uint8_t *nb = realloc(buf, ncap);
        if (!nb) { SETERR("%s: out of memory for %zu bytes", esc(path), ncap); free(buf); return NULL; }
        buf = nb; cap = ncap;
    }
    if (got < len) {
        SETERR("%s: truncated: header promises %zu %s but the file holds %zu bytes of the %zu needed",
               esc(path), len / unit, what, got, len);
        free(buf);
        return NULL;
    }
    uint8_t extra[16];
    long long x = gz_read_all(g, extra, sizeof extra);
    if (x < 0) { SETERR("%s: corrupt gzip data after the %s: %s", esc(path), what, gz_msg(g)); free(buf); return NULL; }
    if (x > 0) { SETERR("%s: file is longer than its header says (%zu %s)", esc(path), len / unit, what); free(buf); return NULL; }
    return buf;
}

int idx_read_images(const char *path, uint8_t **out, int *n, int *rows, int *cols,
                    char *err, size_t errlen) {
    *out = NULL;
    uint32_t d[3];
    long long fsize;
    gzFile g = open_idx(path, IDX_MAGIC_IMAGES, 3, d, &fsize, err, errlen);
    if (!g) return -1;
    if (d[0] == 0 || d[1] == 0 || d[2] == 0 || d[1] > 4096 || d[2] > 4096 || d[0] > 100000000u) {
        SETERR("%s: implausible image dimensions %u x %u x %u", esc(path), d[0], d[1], d[2]);
        gzclose(g); return -1;
    }
    size_t img = (size_t)d[1] * d[2], len = (size_t)d[0] * img;
    if (len / img != d[0] || len > ((size_t)1 << 34)) {
        SETERR("%s: %u images of %u x %u is too large", esc(path), d[0], d[1], d[2]);
        gzclose(g); return -1;
    }
    if (check_declared(g, path, len, 16, fsize, "images", img, err, errlen)) { gzclose(g); return -1; }
    uint8_t *buf = read_payload(g, path, len, "images", img, err, errlen);
    if (!buf) { gzclose(g); return -1; }
    gzclose(g);
    *out = buf; *n = (int)d[0]; *rows = (int)d[1]; *cols = (int)d[2];
    return 0;
}

int idx_read_labels(const char *path, uint8_t **out, int *n, char *err, size_t errlen) {
    *out = NULL;
    uint32_t d[1];
    long long fsize;
    gzFile g = open_idx(path, IDX_MAGIC_LABELS, 1, d, &fsize, err, errlen);
    if (!g) return -1;
    if (d[0] == 0 || d[0] > 100000000u) {
        SETERR("%s: implausible label count %u", esc(path), d[0]);
        gzclose(g); return -1;
    }
    if (check_declared(g, path, d[0], 8, fsize, "labels", 1, err, errlen)) { gzclose(g); return -1; }
    uint8_t *buf = read_payload(g, path, d[0], "labels", 1, err, errlen);
    if (!buf) { gzclose(g); return -1; }
    gzclose(g);
    *out = buf; *n = (int)d[0];
    return 0;
}

Dataset *idx_load_pair(const char *images, const char *labels, int normalise, int max_label,
                       char *err, size_t errlen) {
    uint8_t *pix = NULL, *lab = NULL;
    int n, rows, cols, nl;
    if (idx_read_images(images, &pix, &n, &rows, &cols, err, errlen)) return NULL;
    if (idx_read_labels(labels, &lab, &nl, err, errlen)) { free(pix); return NULL; }
    if (n != nl) {
        SETERR("%s has %d images but %s has %d labels", esc(images), n, esc(labels), nl);
        free(pix); free(lab); return NULL;
    }
    for (int i = 0; i < n; i++)
        if (max_label > 0 && lab[i] >= max_label) {
            SETERR("%s: label %d of sample %d is outside 0..%d", esc(labels), lab[i], i, max_label - 1);
            free(pix); free(lab); return NULL;
        }
    Dataset *d = ds_new(n, 1, rows, cols);
    if (!d) { SETERR("%s: out of memory", esc(images)); free(pix); free(lab); return NULL; }
    size_t total = (size_t)n * rows * cols;
    float lut[256];
    for (int v = 0; v < 256; v++) {
        float x = (float)v / 255.0f;
        lut[v] = normalise ? (x - MNIST_MEAN) / MNIST_STD : x;
    }
    for (size_t i = 0; i < total; i++) d->x[i] = lut[pix[i]];
    for (int i = 0; i < n; i++) d->y[i] = lab[i];
    free(pix); free(lab);
    return d;
}

int mnist_find_file(const char *dir, const char *which, char *out, size_t outlen) {
    /* "train-images-idx3-ubyte" also appears as "train-images.idx3-ubyte" */
    char alt[64];
    snprintf(alt, sizeof alt, "%s", which);
    char *dash = strstr(alt, "-idx");
    if (dash) *dash = '.';
    const char *names[2] = { which, alt };
    const char *sfx[2] = { ".gz", "" };
    for (int a = 0; a < (dash ? 2 : 1); a++)
        for (int s = 0; s < 2; s++) {
            snprintf(out, outlen, "%s/%s%s", dir, names[a], sfx[s]);
            struct stat sb;
            if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) return 0;
        }
    return -1;
}

Dataset *mnist_load(const char *dir, int train, int normalise, char *err, size_t errlen) {
    struct stat sb;
    if (!dir || !*dir) dir = ".";
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        SETERR("no MNIST files in %s: %s", esc(dir), stat(dir, &sb) != 0 ? "no such directory" : "not a directory");
        return NULL;
    }
    const char *img = train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
    const char *lab = train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
    char ip[4096], lp[4096];
    if (mnist_find_file(dir, img, ip, sizeof ip)) {
        SETERR("no MNIST files in %s (expected %s[.gz])", esc(dir), img);
        return NULL;
    }
    if (mnist_find_file(dir, lab, lp, sizeof lp)) {
        SETERR("no MNIST labels in %s (expected %s[.gz] next to %s)", esc(dir), lab, esc(ip));
        return NULL;
    }
    return idx_load_pair(ip, lp, normalise, 10, err, errlen);
}
