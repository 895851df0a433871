/* test_idx — real MNIST (counts, exact label histograms, pixel ranges, the
 * normalisation flag) and refusals of bad IDX files generated in a temp dir:
 * wrong magic, truncated (plain and gzip), trailing data, count mismatch,
 * bad labels, missing directory / files. */
#include "test.h"
#include "idx.h"
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];

static void be32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

/* write an IDX file: magic, dims, then `payload` bytes (pattern i*7), optionally gzipped */
static void write_idx(const char *path, uint32_t magic, const uint32_t *dims, int nd, size_t payload, int gz) {
    size_t hl = 4 + 4 * (size_t)nd, len = hl + payload;
    uint8_t *b = malloc(len);
    be32(b, magic);
    for (int i = 0; i < nd; i++) be32(b + 4 + 4 * i, dims[i]);
    for (size_t i = 0; i < payload; i++) b[hl + i] = (uint8_t)((i * 7) % (magic == IDX_MAGIC_LABELS ? 10 : 256));
    if (gz) {
        gzFile g = gzopen(path, "wb");
        gzwrite(g, b, (unsigned)len);
        gzclose(g);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(b, 1, len, f);
        fclose(f);
    }
    free(b);
}

static char *p(const char *name) {
    static char buf[4][256]; static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int pair_refused(const char *img, const char *lab, const char *name_in_msg, const char *want) {
    char err[512] = "";
    Dataset *d = idx_load_pair(img, lab, 0, 10, err, sizeof err);
    if (d) { fprintf(stderr, "  accepted %s + %s (wanted '%s')\n", img, lab, want); ds_free(d); return 0; }
    if (getenv("SHOW_ERRORS")) printf("  %s\n", err);
    if (!strstr(err, want) || !strstr(err, name_in_msg) || strchr(err, '\n')) {
        fprintf(stderr, "  message '%s' lacks '%s' or '%s'\n", err, want, name_in_msg);
        return 0;
    }
    return 1;
}

static void real_mnist(void) {
    char mdir[1024], err[512];
    snprintf(mdir, sizeof mdir, "%s/mnist", test_data_dir());
    if (access(mdir, R_OK) != 0) {
        printf("real MNIST checks skipped: %s not found (set UNLEARN_DATA)\n", mdir);
        return;
    }
    static const int train_hist[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    static const int test_hist[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    Dataset *tr = mnist_load(mdir, 1, 0, err, sizeof err);
    CHECKF(tr != NULL, "%s", err);
    Dataset *te = mnist_load(mdir, 0, 0, err, sizeof err);
    CHECKF(te != NULL, "%s", err);
    if (!tr || !te) { ds_free(tr); ds_free(te); return; }
    CHECK(tr->n == 60000 && te->n == 10000);
    CHECK(tr->c == 1 && tr->h == 28 && tr->w == 28 && te->h == 28 && te->w == 28);
    for (int k = 0; k < 10; k++) {
        CHECKF(ds_count_class(tr, k) == train_hist[k], "train class %d: %d", k, ds_count_class(tr, k));
        CHECKF(ds_count_class(te, k) == test_hist[k], "test class %d: %d", k, ds_count_class(te, k));
    }
    CHECK(tr->y[0] == 5 && tr->y[1] == 0 && te->y[0] == 7);
    size_t total = (size_t)tr->n * 784;
    double sum = 0; float lo = 1, hi = 0;
    for (size_t i = 0; i < total; i++) {
        float v = tr->x[i];
        sum += v; if (v < lo) lo = v; if (v > hi) hi = v;
    }
    CHECK(lo == 0.0f && hi == 1.0f);
    CHECKF(fabs(sum / total - 0.1307) < 0.001, "mean %f", sum / total);
    /* normalised: mean ~0 std ~1, and an exact affine image of the raw values */
    Dataset *trn = mnist_load(mdir, 1, 1, err, sizeof err);
    CHECK(trn != NULL);
    if (trn) {
        double s1 = 0, s2 = 0; int affine = 1;
        for (size_t i = 0; i < total; i++) {
            double v = trn->x[i];
            s1 += v; s2 += v * v;
            if (fabsf(trn->x[i] - (tr->x[i] - MNIST_MEAN) / MNIST_STD) > 1e-6f) affine = 0;
        }
        double mean = s1 / total, sd = sqrt(s2 / total - mean * mean);
        CHECKF(fabs(mean) < 0.01 && fabs(sd - 1.0) < 0.01, "mean %f std %f", mean, sd);
        CHECK(affine);
        CHECK(memcmp(trn->y, tr->y, sizeof(int) * 60000) == 0);
        ds_free(trn);
    }
    ds_free(tr); ds_free(te);
}

int main(void) {
    real_mnist();

    strcpy(dir, "/tmp/test_idx_XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char err[512];
    uint32_t di[3] = {10, 4, 3}, dl[1] = {10};

    /* a good small pair, plain and gzip, in MNIST names */
    write_idx(p("train-images-idx3-ubyte.gz"), IDX_MAGIC_IMAGES, di, 3, 120, 1);
    write_idx(p("train-labels-idx1-ubyte"), IDX_MAGIC_LABELS, dl, 1, 10, 0);
    Dataset *d = mnist_load(dir, 1, 0, err, sizeof err);
    CHECKF(d && d->n == 10 && d->h == 4 && d->w == 3, "%s", err);
    if (d) {
        CHECK(d->x[1] == 7.0f / 255.0f && d->x[119] == (float)((119 * 7) % 256) / 255.0f);
        CHECK(d->y[0] == 0 && d->y[1] == 7 && d->y[2] == 4);
        ds_free(d);
    }
    /* test split files absent */
    d = mnist_load(dir, 0, 0, err, sizeof err);
    CHECK(!d && strstr(err, "no MNIST files in") && strstr(err, dir) && strstr(err, "t10k-images-idx3-ubyte[.gz]"));
    /* missing directory */
    d = mnist_load(p("nope"), 1, 0, err, sizeof err);
    CHECK(!d && strstr(err, "no MNIST files in") && strstr(err, "nope") && strstr(err, "no such directory"));
    /* labels missing */
    write_idx(p("t10k-images-idx3-ubyte"), IDX_MAGIC_IMAGES, di, 3, 120, 0);
    d = mnist_load(dir, 0, 0, err, sizeof err);
    CHECK(!d && strstr(err, "t10k-labels-idx1-ubyte[.gz]"));
    /* alternative dotted spelling is found */
    write_idx(p("t10k-labels.idx1-ubyte"), IDX_MAGIC_LABELS, dl, 1, 10, 0);
    d = mnist_load(dir, 0, 1, err, sizeof err);
    CHECKF(d && d->n == 10 && fabsf(d->x[0] - (0.0f - MNIST_MEAN) / MNIST_STD) < 1e-6f, "%s", err);
    ds_free(d);

    /* wrong magic: labels where images are expected, and junk */
    write_idx(p("swap.idx"), IDX_MAGIC_LABELS, dl, 1, 10, 0);
    CHECK(pair_refused(p("swap.idx"), p("train-labels-idx1-ubyte"), "swap.idx", "bad magic 0x00000801, expected 0x00000803"));
    write_idx(p("junk.gz"), 0x12345678u, di, 3, 120, 1);
    CHECK(pair_refused(p("junk.gz"), p("train-labels-idx1-ubyte"), "junk.gz", "bad magic 0x12345678"));
    CHECK(pair_refused(p("train-images-idx3-ubyte.gz"), p("t10k-images-idx3-ubyte"), "t10k-images-idx3-ubyte",
                       "bad magic 0x00000803, expected 0x00000801"));
    /* truncated: header says 10 images, 115 of 120 bytes present (plain and gzip) */
    write_idx(p("trunc"), IDX_MAGIC_IMAGES, di, 3, 115, 0);
    CHECK(pair_refused(p("trunc"), p("train-labels-idx1-ubyte"), "trunc", "truncated"));
    write_idx(p("trunc.gz"), IDX_MAGIC_IMAGES, di, 3, 115, 1);
    CHECK(pair_refused(p("trunc.gz"), p("train-labels-idx1-ubyte"), "trunc.gz", "truncated"));
    write_idx(p("lab-trunc"), IDX_MAGIC_LABELS, dl, 1, 9, 0);
    CHECK(pair_refused(p("train-images-idx3-ubyte.gz"), p("lab-trunc"), "lab-trunc", "truncated"));
    /* a gzip stream cut in the middle */
    {
        uint32_t big[3] = {200, 28, 28};
        write_idx(p("cut.gz"), IDX_MAGIC_IMAGES, big, 3, 200 * 784, 1);
        FILE *f = fopen(p("cut.gz"), "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); fclose(f);
        CHECK(truncate(p("cut.gz"), n / 2) == 0);
        uint8_t *px; int ni, r, c;
        CHECK(idx_read_images(p("cut.gz"), &px, &ni, &r, &c, err, sizeof err) == -1 && strstr(err, "cut.gz"));
    }
    /* header itself cut short */
    write_idx(p("short"), IDX_MAGIC_IMAGES, di, 1, 0, 0);
    CHECK(pair_refused(p("short"), p("train-labels-idx1-ubyte"), "short", "truncated IDX header"));
    { FILE *f = fopen(p("tiny"), "wb"); fputc(0, f); fclose(f); }
    CHECK(pair_refused(p("tiny"), p("train-labels-idx1-ubyte"), "tiny", "too short"));
    /* longer than the header says */
    write_idx(p("long"), IDX_MAGIC_IMAGES, di, 3, 121, 0);
    CHECK(pair_refused(p("long"), p("train-labels-idx1-ubyte"), "long", "longer than its header"));
    /* zero dims */
    uint32_t dz[3] = {10, 0, 3};
    write_idx(p("zero"), IDX_MAGIC_IMAGES, dz, 3, 0, 0);
    CHECK(pair_refused(p("zero"), p("train-labels-idx1-ubyte"), "zero", "implausible image dimensions"));
    /* count mismatch */
    uint32_t d9[1] = {9};
    write_idx(p("lab9"), IDX_MAGIC_LABELS, d9, 1, 9, 0);
    CHECK(pair_refused(p("train-images-idx3-ubyte.gz"), p("lab9"), "lab9", "has 10 images but"));
    /* a label outside 0..9 */
    {
        uint8_t b[8 + 10] = {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        FILE *f = fopen(p("lab10"), "wb"); fwrite(b, 1, sizeof b, f); fclose(f);
        CHECK(pair_refused(p("train-images-idx3-ubyte.gz"), p("lab10"), "lab10", "label 10 of sample 9"));
    }
    /* hostile headers: the declared size is checked against the file before anything is allocated */
    {
        uint32_t huge[3] = {6000, 1000, 1000};               /* 16 bytes asking for 6 GB (idx_6gb_malloc.idx) */
        write_idx(p("6gb.idx"), IDX_MAGIC_IMAGES, huge, 3, 0, 0);
        CHECK(pair_refused(p("6gb.idx"), p("train-labels-idx1-ubyte"), "6gb.idx", "bytes after the header"));
        write_idx(p("6gb.idx.gz"), IDX_MAGIC_IMAGES, huge, 3, 100, 1);
        CHECK(pair_refused(p("6gb.idx.gz"), p("train-labels-idx1-ubyte"), "6gb.idx.gz", "gzip file can hold"));
        uint32_t many[1] = {100000000};
        write_idx(p("lab-huge"), IDX_MAGIC_LABELS, many, 1, 5, 0);
        CHECK(pair_refused(p("train-images-idx3-ubyte.gz"), p("lab-huge"), "lab-huge", "bytes after the header"));
        uint32_t wide[3] = {1, 5000, 5000};                  /* per-dimension limit */
        write_idx(p("wide"), IDX_MAGIC_IMAGES, wide, 3, 0, 0);
        CHECK(pair_refused(p("wide"), p("train-labels-idx1-ubyte"), "wide", "implausible image dimensions"));
        /* a plausible gzip header whose stream ends early: refused after a bounded read */
        uint32_t mid[3] = {400, 28, 28};
        write_idx(p("mid.gz"), IDX_MAGIC_IMAGES, mid, 3, 3000, 1);
        CHECK(pair_refused(p("mid.gz"), p("train-labels-idx1-ubyte"), "mid.gz", "truncated"));
        /* the shared reproducer, when present */
        char rp[1024];
        snprintf(rp, sizeof rp, "%s/../repro/idx_6gb_malloc.idx", test_data_dir());
        if (access(rp, R_OK) == 0)
            CHECK(pair_refused(rp, p("train-labels-idx1-ubyte"), "idx_6gb_malloc.idx", "truncated"));
        /* a control character in a file name is escaped in the message */
        write_idx(p("bad\nname\x1b[2J"), IDX_MAGIC_IMAGES, huge, 3, 0, 0);
        char err2[512] = "";
        CHECK(idx_load_pair(p("bad\nname\x1b[2J"), p("train-labels-idx1-ubyte"), 0, 10, err2, sizeof err2) == NULL);
        CHECKF(strstr(err2, "bad\\x0aname\\x1b[2J") && !strchr(err2, '\n') && !strchr(err2, 0x1b), "%s", err2);
    }
    /* missing file and a directory in its place */
    CHECK(pair_refused(p("absent"), p("train-labels-idx1-ubyte"), "absent", "cannot open"));
    CHECK(pair_refused(dir, p("train-labels-idx1-ubyte"), dir, "is a directory"));

    char cmd[128]; snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_idx");
}
