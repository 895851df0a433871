/* test_prep.c — dataset preparation: MD5 (RFC 1321 test suite), MNIST md5
 * verification on the real files and refusal of a corrupted copy by name, the
 * FSDD count/naming check, the feature cache (built once, reused without being
 * rewritten, never reused silently with other parameters or other recordings),
 * the speech modality's loader and splits, and espeak-ng synthesis. */
#include "test.h"
#include "featcache.h"
#include "fsdd.h"
#include "md5.h"
#include "prep.h"
#include "speech_modality.h"
#include "wav.h"
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmproot[PATH_MAX];

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static int copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    if (!a || !b) { if (a) fclose(a); return -1; }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0) fwrite(buf, 1, n, b);
    fclose(a);
    return fclose(b);
}

static int mtime_ns(const char *p, long long *out) {
    struct stat st;
    if (stat(p, &st)) return -1;
    *out = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return 0;
}

static void test_md5(void) {
    /* RFC 1321 appendix A.5 */
    static const char *in[] = {"", "a", "abc", "message digest", "abcdefghijklmnopqrstuvwxyz",
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                               "12345678901234567890123456789012345678901234567890123456789012345678901234567890"};
    static const char *out[] = {"d41d8cd98f00b204e9800998ecf8427e", "0cc175b9c0f1b6a831c399e269772661",
                                "900150983cd24fb0d6963f7d28e17f72", "f96b697d7cb7938d525a2f31aaf161d0",
                                "c3fcd3d76192e4007dfb496cca67e13b", "d174ab98d277d9f5a5611c2c9f419d9f",
                                "57edf4a22be3c955ac49da2e2107b67a"};
    char h[33];
    for (int i = 0; i < 7; i++) {
        md5_buffer_hex(in[i], strlen(in[i]), h);
        CHECKF(!strcmp(h, out[i]), "md5(\"%s\") = %s", in[i], h);
    }
    /* incremental updates across block boundaries give the same digest */
    char big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (char)(i * 7 + 3);
    char h1[33], h2[33];
    md5_buffer_hex(big, sizeof big, h1);
    Md5 c;
    uint8_t d[16];
    md5_init(&c);
    for (int i = 0; i < 1000; i += 37) md5_update(&c, big + i, (size_t)(i + 37 <= 1000 ? 37 : 1000 - i));
    md5_final(&c, d);
    md5_hex(d, h2);
    CHECK(!strcmp(h1, h2));
}

static void test_mnist(const char *data) {
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/mnist", data);
    MnistCheck st[MNIST_N_FILES];
    int bad = prep_check_mnist(dir, st);
    CHECKF(bad == 0, "real MNIST files: %d not verified (%s)", bad, st[0].msg);
    for (int i = 0; i < MNIST_N_FILES; i++) {
        CHECK(st[i].status == MNIST_OK);
        CHECKF(!strcmp(st[i].md5, mnist_ref[i].gz_md5), "%s", st[i].msg);
    }
    /* a corrupted copy of one file (one byte flipped) is refused by name; the
     * other three, linked from the real ones, still pass */
    char cdir[PATH_MAX + 16];
    snprintf(cdir, sizeof cdir, "%s/mnist-bad", tmproot);
    CHECK(mkdir(cdir, 0777) == 0);
    for (int i = 0; i < MNIST_N_FILES; i++) {
        char src[PATH_MAX + 64], dst[PATH_MAX + 64];
        snprintf(src, sizeof src, "%s/%s.gz", dir, mnist_ref[i].stem);
        snprintf(dst, sizeof dst, "%s/%s.gz", cdir, mnist_ref[i].stem);
        if (i == 3) CHECK(copy_file(src, dst) == 0);
        else CHECK(symlink(src, dst) == 0);
    }
    char victim[PATH_MAX + 64];
    snprintf(victim, sizeof victim, "%s/t10k-labels-idx1-ubyte.gz", cdir);
    FILE *f = fopen(victim, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 1000, SEEK_SET);
        int c = fgetc(f);
        fseek(f, 1000, SEEK_SET);
        fputc(c ^ 0x01, f);
        fclose(f);
    }
    bad = prep_check_mnist(cdir, st);
    CHECKF(bad == 1, "corrupted copy: %d bad", bad);
    CHECK(st[0].status == MNIST_OK && st[1].status == MNIST_OK && st[2].status == MNIST_OK);
    CHECK(st[3].status == MNIST_BAD);
    CHECKF(strstr(st[3].msg, "t10k-labels-idx1-ubyte.gz") && strstr(st[3].msg, "REFUSED"), "%s", st[3].msg);
    /* a missing file is reported as missing, with its expected name */
    unlink(victim);
    bad = prep_check_mnist(cdir, st);
    CHECK(bad == 1 && st[3].status == MNIST_MISSING && strstr(st[3].msg, "t10k-labels-idx1-ubyte.gz"));
}

/* A small recordings folder: symlinks to the given speakers' takes 0..takes-1. */
static int make_subset(const char *rec, const char *dst, const char **speakers, int ns, int takes) {
    if (mkdir(dst, 0777) && errno != EEXIST) return -1;
    int n = 0;
    for (int s = 0; s < ns; s++)
        for (int d = 0; d < 10; d++)
            for (int t = 0; t < takes; t++) {
                char a[PATH_MAX + 64], b[PATH_MAX + 64];
                snprintf(a, sizeof a, "%s/%d_%s_%d.wav", rec, d, speakers[s], t);
                snprintf(b, sizeof b, "%s/%d_%s_%d.wav", dst, d, speakers[s], t);
                if (symlink(a, b)) return -1;
                n++;
            }
    return n;
}

static void test_fsdd_check(const char *rec) {
    FsddCheck c;
    char err[512];
    CHECK(prep_check_fsdd(rec, &c, err, sizeof err) == 0);
    CHECKF(c.complete, "%s", c.problem);
    CHECK(c.n == 3000 && c.n_speakers == 6 && c.max_take == 49 && c.n_other == 0);
    CHECK(c.n_train == 2700 && c.n_test == 300);
    CHECK(!strcmp(c.speakers[0], "george") && !strcmp(c.speakers[5], "yweweler"));
    for (int s = 0; s < 6; s++) for (int k = 0; k < 10; k++) CHECK(c.count[s][k] == 50);
    char hex[33];
    CHECK(prep_fsdd_digest(rec, hex, err, sizeof err) == 0);
    CHECKF(!strcmp(hex, fsdd_reference_digest), "digest %s", hex);

    /* a partial copy is not complete, and the count is named */
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/fsdd-part", tmproot);
    const char *spk[] = {"jackson", "theo"};
    CHECK(make_subset(rec, sub, spk, 2, 3) == 60);
    CHECK(prep_check_fsdd(sub, &c, err, sizeof err) == 0);
    CHECK(!c.complete && c.n == 60 && c.n_speakers == 2 && c.n_test == 60);
    CHECKF(strstr(c.problem, "60 recordings, expected 3000") != NULL, "%s", c.problem);
    /* a file with a wrong name is reported by name */
    char odd[PATH_MAX + 64];
    snprintf(odd, sizeof odd, "%s/seven_theo_1.wav", sub);
    FILE *f = fopen(odd, "w");
    if (f) fclose(f);
    CHECK(prep_check_fsdd(sub, &c, err, sizeof err) == 0);
    CHECK(!c.complete && c.n_other == 1);
    CHECKF(strstr(c.problem, "seven_theo_1.wav") != NULL, "%s", c.problem);
    unlink(odd);
    /* an empty folder is an error */
    char empty[PATH_MAX + 16];
    snprintf(empty, sizeof empty, "%s/empty", tmproot);
    mkdir(empty, 0777);
    CHECK(prep_check_fsdd(empty, &c, err, sizeof err) == -1);
}

static void test_featcache(const char *rec) {
    char sub[PATH_MAX + 16], cache[PATH_MAX + 16], err[1024];
    snprintf(sub, sizeof sub, "%s/fsdd-cache-rec", tmproot);
    snprintf(cache, sizeof cache, "%s/cache", tmproot);
    const char *spk[] = {"george", "lucas", "yweweler"};
    CHECK(make_subset(rec, sub, spk, 3, 6) == 180);
    MelParams p;
    speech_mel_params(&p);
    char why[768];
    CHECK(featcache_check(sub, cache, "t", &p, why, sizeof why) == -1);   /* none yet */

    /* first run: computed and written */
    FeatSet a, b;
    FILE *log = tmpfile();
    CHECK(featcache_get(sub, cache, "t", &p, 0, log, &a, err, sizeof err) == 0);
    CHECK(a.written == 1 && a.reused == 0 && a.all && a.all->n == 180);
    CHECK(a.all->c == 1 && a.all->h == 40 && a.all->w == 96);
    long long m1 = 0, m2 = -1, mm1 = 0, mm2 = -1;
    CHECK(mtime_ns(a.bin_path, &m1) == 0 && mtime_ns(a.manifest_path, &mm1) == 0);
    CHECK(featcache_check(sub, cache, "t", &p, why, sizeof why) == 1);

    /* second run: reused, files not rewritten, identical features */
    usleep(20000);
    CHECK(featcache_get(sub, cache, "t", &p, 0, log, &b, err, sizeof err) == 0);
    CHECK(b.reused == 1 && b.written == 0 && b.all->n == 180);
    CHECK(mtime_ns(b.bin_path, &m2) == 0 && mtime_ns(b.manifest_path, &mm2) == 0);
    CHECKF(m1 == m2 && mm1 == mm2, "cache rewritten on reuse (%lld vs %lld)", m1, m2);
    CHECK(memcmp(a.all->x, b.all->x, sizeof(float) * 180 * 40 * 96) == 0);
    CHECK(memcmp(a.all->y, b.all->y, sizeof(int) * 180) == 0 && memcmp(a.all->group, b.all->group, sizeof(int) * 180) == 0);
    /* and they equal a direct fsdd_load */
    int idx[180];
    for (int i = 0; i < 180; i++) idx[i] = i;
    Dataset *direct = fsdd_load(&b.ix, idx, 180, &p, err, sizeof err);
    CHECK(direct && memcmp(direct->x, b.all->x, sizeof(float) * 180 * 40 * 96) == 0);
    ds_free(direct);
    featset_free(&a);
    featset_free(&b);

    /* the log said so */
    rewind(log);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = 0;
    CHECKF(strstr(text, "computing 180 recordings") && strstr(text, "reusing cache"), "%s", text);

    /* other parameters: refused with FEATCACHE_REFUSE, rebuilt (saying why) otherwise */
    MelParams q = p;
    q.n_mels = 32;
    CHECK(featcache_check(sub, cache, "t", &q, why, sizeof why) == 0);
    CHECKF(strstr(why, "other feature parameters") && strstr(why, "n_mels=40") && strstr(why, "n_mels=32"), "%s", why);
    CHECK(featcache_get(sub, cache, "t", &q, FEATCACHE_REFUSE, NULL, &a, err, sizeof err) == -1);
    CHECKF(strstr(err, "other feature parameters") != NULL, "%s", err);
    CHECK(mtime_ns(b.bin_path, &m2) == 0 && m2 == m1);     /* refusing leaves it alone */
    FILE *log2 = tmpfile();
    CHECK(featcache_get(sub, cache, "t", &q, 0, log2, &a, err, sizeof err) == 0);
    CHECK(a.reused == 0 && a.written == 1 && a.all->h == 32);
    rewind(log2);
    n = fread(text, 1, sizeof text - 1, log2);
    text[n] = 0;
    CHECKF(strstr(text, "not reusing") && strstr(text, "other feature parameters") && strstr(text, "rebuilding"), "%s", text);
    featset_free(&a);
    fclose(log2);

    /* changed recordings: one file fewer -> not reused */
    char gone[PATH_MAX + 64];
    snprintf(gone, sizeof gone, "%s/3_lucas_2.wav", sub);
    CHECK(unlink(gone) == 0);
    CHECK(featcache_check(sub, cache, "t", &q, why, sizeof why) == 0);
    CHECKF(strstr(why, "recordings changed") != NULL, "%s", why);

    /* a truncated features file is not reused */
    CHECK(featcache_get(sub, cache, "t", &q, FEATCACHE_QUIET, log, &a, err, sizeof err) == 0 && a.written);
    char bin[PATH_MAX];
    snprintf(bin, sizeof bin, "%s", a.bin_path);
    featset_free(&a);
    CHECK(truncate(bin, 5000) == 0);
    CHECK(featcache_check(sub, cache, "t", &q, why, sizeof why) == 0);
    CHECKF(strstr(why, "truncated") != NULL, "%s", why);
    fclose(log);
}

static void test_speech_load(const char *data) {
    char cache[PATH_MAX + 16], err[1024];
    snprintf(cache, sizeof cache, "%s/cache-speech", tmproot);
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = data;
    o.cache_dir = cache;
    o.seed = 1;
    Dataset *tr = NULL, *te = NULL;
    CHECKF(speech_modality.load(&o, &tr, &te, err, sizeof err) == 0, "%s", err);
    CHECK(tr && te && tr->n == 2700 && te->n == 300 && tr->h == 40 && tr->w == 96);
    for (int k = 0; te && k < 10; k++) CHECK(ds_count_class(te, k) == 30);
    ds_free(tr); ds_free(te);
    /* second load reuses the cache; leave-one-speaker-out */
    o.split = "theo";
    CHECKF(speech_modality.load(&o, &tr, &te, err, sizeof err) == 0, "%s", err);
    CHECK(tr && te && tr->n == 2500 && te->n == 500);
    int theo = -1, ok = 1;
    for (int i = 0; te && i < te->n; i++) { if (theo < 0) theo = te->group[i]; if (te->group[i] != theo) ok = 0; }
    for (int i = 0; tr && i < tr->n; i++) if (tr->group[i] == theo) ok = 0;
    CHECK(ok && theo == 4);   /* speakers alphabetical: george jackson lucas nicolas theo yweweler */
    ds_free(tr); ds_free(te);
    /* limits */
    o.split = "upstream";
    o.limit_per_class = 7;
    o.test_limit_per_class = 3;
    CHECKF(speech_modality.load(&o, &tr, &te, err, sizeof err) == 0, "%s", err);
    CHECK(tr && te && tr->n == 70 && te->n == 30);
    ds_free(tr); ds_free(te);
    /* an unknown speaker: one clear line naming the speakers */
    o.split = "bob";
    CHECK(speech_modality.load(&o, &tr, &te, err, sizeof err) == -1);
    CHECKF(strstr(err, "unknown speaker 'bob'") && strstr(err, "yweweler") && !strchr(err, '\n'), "%s", err);
    CHECK(strcmp(speech_modality.name, "speech") == 0 && speech_modality.n_labels == 10);
}

static void test_synth(void) {
    char out[PATH_MAX + 16], err[1024];
    snprintf(out, sizeof out, "%s/synth", tmproot);
    SynthOptions o;
    memset(&o, 0, sizeof o);
    /* espeak-ng missing: says how to install it */
    o.espeak = "/nonexistent/espeak-ng";
    o.out_dir = out;
    CHECK(prep_synth(&o, NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, "apt-get install espeak-ng") != NULL, "%s", err);
    char path[PATH_MAX];
    if (prep_which("espeak-ng", path, sizeof path)) {
        printf("espeak-ng not installed: synthesis itself not tested\n");
        return;
    }
    const char *voices[] = {"en-us", NULL}, *variants[] = {"", NULL};
    int digits[] = {1, 2};
    o.espeak = NULL;
    o.voices = voices;
    o.variants = variants;
    o.digits = digits;
    o.n_digits = 2;
    o.takes = 1;
    CHECKF(prep_synth(&o, NULL, err, sizeof err) == 2, "%s", err);
    char f1[PATH_MAX + 64], h1[33], h2[33];
    snprintf(f1, sizeof f1, "%s/1_tts-en-us_0.wav", out);
    float *x = NULL;
    int n = 0, sr = 0;
    CHECKF(wav_read(f1, 0, &x, &n, &sr, err, sizeof err) == 0, "%s", err);
    CHECK(sr == 8000 && n > 1600 && n < 16000);   /* "one": 0.2 .. 2 s at 8 kHz */
    float pk = 0;
    for (int i = 0; i < n; i++) if (fabsf(x[i]) > pk) pk = fabsf(x[i]);
    CHECK(pk > 0.85f && pk < 0.95f);
    free(x);
    FsddName nm;
    CHECK(fsdd_parse_name(f1, &nm) == 0 && nm.digit == 1 && !strcmp(nm.speaker, "tts-en-us") && nm.take == 0);
    /* reproducible: a second run writes the same bytes */
    CHECK(md5_file(f1, h1, err, sizeof err) == 0);
    CHECK(prep_synth(&o, NULL, err, sizeof err) == 2);
    CHECK(md5_file(f1, h2, err, sizeof err) == 0 && !strcmp(h1, h2));
    FsddIndex ix;
    CHECK(fsdd_scan(out, &ix, err, sizeof err) == 0 && ix.n == 2 && ix.n_speakers == 1);
    fsdd_index_free(&ix);
    /* an unknown voice: one line */
    const char *bad[] = {"xx-nosuchvoice", NULL};
    o.voices = bad;
    CHECK(prep_synth(&o, NULL, err, sizeof err) == -1 && strstr(err, "xx-nosuchvoice"));
    int pitch, speed;
    synth_take_setting(0, &pitch, &speed);
    CHECK(pitch == 50 && speed == 175);
}

int main(void) {
    const char *data = test_data_dir();
    snprintf(tmproot, sizeof tmproot, "/tmp/test_prep.XXXXXX");
    if (!mkdtemp(tmproot)) { perror("mkdtemp"); return 1; }
    test_md5();
    char rec[PATH_MAX + 32], mn[PATH_MAX + 16];
    snprintf(rec, sizeof rec, "%s/fsdd/recordings", data);
    snprintf(mn, sizeof mn, "%s/mnist", data);
    if (access(mn, R_OK) == 0) test_mnist(data);
    else printf("no MNIST in %s: md5 checks on the real files skipped\n", data);
    if (access(rec, R_OK) == 0) {
        test_fsdd_check(rec);
        test_featcache(rec);
        test_speech_load(data);
    } else printf("no FSDD in %s: FSDD checks skipped\n", data);
    test_synth();
    nftw(tmproot, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    TEST_DONE("test_prep");
}
