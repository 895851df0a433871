/* prep.c — see prep.h. */
#include "prep.h"
#include "featcache.h"
#include "md5.h"
#include "paths.h"
#include "idx.h"
#include "wav.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <samplerate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* snprintf without GCC's compile-time truncation warnings: every message here
 * may be cut at the buffer's end, which is what we want for one-line errors. */
__attribute__((format(printf, 3, 4))) static int fmt(char *buf, size_t len, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, len, f, ap);
    va_end(ap);
    return n;
}

/* ---- MNIST ------------------------------------------------------------ */

/* Published md5s of the gzipped files (LeCun et al.); the raw md5s are those of
 * the decompressed bytes of these exact files. */
const MnistRef mnist_ref[MNIST_N_FILES] = {
    {"train-images-idx3-ubyte", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873", 47040016, "6bbc9ace898e44ae57da46a324031adb"},
    {"train-labels-idx1-ubyte", 28881, "d53e105ee54ea40749a09fcbcd1e9432", 60008, "a25bea736e30d166cdddb491f175f624"},
    {"t10k-images-idx3-ubyte", 1648877, "9fb629c4189551a2d022fa330f9573f3", 7840016, "2646ac647ad5339dbf082846283269ea"},
    {"t10k-labels-idx1-ubyte", 4542, "ec29112dd5afa0611ce80d1b7f02629c", 10008, "27ae3e4e09519cfbb04c329615203637"},
};

const char *const mnist_mirrors[] = {
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
    NULL,
};

static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static long fsize(const char *p) {
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

int prep_check_mnist(const char *dir, MnistCheck out[MNIST_N_FILES]) {
    int bad = 0;
    for (int i = 0; i < MNIST_N_FILES; i++) {
        MnistCheck *c = &out[i];
        const MnistRef *r = &mnist_ref[i];
        memset(c, 0, sizeof *c);
        if (mnist_find_file(dir, r->stem, c->path, sizeof c->path)) {
            c->path[0] = 0;
            c->status = MNIST_MISSING;
            fmt(c->msg, sizeof c->msg, "%s/%s.gz: missing", dir, r->stem);
            bad++;
            continue;
        }
        char err[PATH_MAX + 64];
        c->bytes = fsize(c->path);
        if (md5_file(c->path, c->md5, err, sizeof err)) {
            c->status = MNIST_BAD;
            fmt(c->msg, sizeof c->msg, "%s", err);
            bad++;
            continue;
        }
        int gz = ends_with(c->path, ".gz");
        const char *want = gz ? r->gz_md5 : r->raw_md5;
        long want_bytes = gz ? r->gz_bytes : r->raw_bytes;
        if (strcmp(c->md5, want)) {
            c->status = MNIST_BAD;
            fmt(c->msg, sizeof c->msg,
                     "%s: REFUSED: md5 %s does not match the published %s (%ld bytes, expected %ld): corrupted or "
                     "incomplete ('unlearn-prep fetch' replaces it)",
                     c->path, c->md5, want, c->bytes, want_bytes);
            bad++;
        } else {
            c->status = MNIST_OK;
            fmt(c->msg, sizeof c->msg, "%s: md5 %s ok", c->path, c->md5);
        }
    }
    return bad;
}

/* ---- FSDD ------------------------------------------------------------- */

/* MD5 over "<name> <md5>\n" of every FSDD WAV in (digit, speaker, take) order,
 * computed with prep_fsdd_digest from the project's reference copy (the
 * 6-speaker, 3000-recording release in ../shared/datasets/fsdd). */
const char *const fsdd_reference_digest = "0bafb556c9fb2ebf1f53dc15e0a180c1";
const char *const fsdd_release_url =
    "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz";

int prep_check_fsdd(const char *recdir, FsddCheck *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    c->max_take = -1;
    DIR *d = opendir(recdir);
    if (!d) { fmt(err, errlen, "%s: cannot open the FSDD recordings folder (%s)", recdir, strerror(errno)); return -1; }
    uint64_t seen[FSDD_MAX_SPEAKERS][10]; /* takes 0..63 seen, per speaker and digit */
    memset(seen, 0, sizeof seen);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        FsddName nm;
        if (fsdd_parse_name(de->d_name, &nm)) {
            if (!c->n_other++) fmt(c->other_example, sizeof c->other_example, "%s", de->d_name);
            continue;
        }
        int s;
        for (s = 0; s < c->n_speakers; s++) if (!strcmp(c->speakers[s], nm.speaker)) break;
        if (s == c->n_speakers) {
            if (s == FSDD_MAX_SPEAKERS) {
                if (!c->problem[0]) fmt(c->problem, sizeof c->problem, "more than %d speakers", FSDD_MAX_SPEAKERS);
                c->n++;
                continue;
            }
            fmt(c->speakers[s], FSDD_SPEAKER_MAX, "%s", nm.speaker);
            c->n_speakers++;
        }
        c->n++;
        c->count[s][nm.digit]++;
        if (nm.take > c->max_take) c->max_take = nm.take;
        if (nm.take < FSDD_TEST_TAKES) c->n_test++; else c->n_train++;
        if (nm.take >= FSDD_EXPECTED_TAKES) {
            if (!c->problem[0])
                fmt(c->problem, sizeof c->problem, "%s: take %d is outside 0..%d", de->d_name, nm.take,
                         FSDD_EXPECTED_TAKES - 1);
        } else if (seen[s][nm.digit] >> nm.take & 1) {
            if (!c->problem[0])
                fmt(c->problem, sizeof c->problem, "%s: digit %d, speaker %s, take %d appears twice", de->d_name,
                         nm.digit, nm.speaker, nm.take);
        } else seen[s][nm.digit] |= (uint64_t)1 << nm.take;
    }
    closedir(d);
    if (c->n == 0) {
        fmt(err, errlen, "%s: no FSDD recordings ({digit}_{speaker}_{take}.wav) found", recdir);
        return -1;
    }
    /* speakers in alphabetical order (like fsdd_scan) */
    for (int i = 1; i < c->n_speakers; i++)
        for (int j = i; j > 0 && strcmp(c->speakers[j - 1], c->speakers[j]) > 0; j--) {
            char t[FSDD_SPEAKER_MAX];
            int tc[10];
            memcpy(t, c->speakers[j], sizeof t); memcpy(c->speakers[j], c->speakers[j - 1], sizeof t);
            memcpy(c->speakers[j - 1], t, sizeof t);
            memcpy(tc, c->count[j], sizeof tc); memcpy(c->count[j], c->count[j - 1], sizeof tc);
            memcpy(c->count[j - 1], tc, sizeof tc);
        }
    if (!c->problem[0] && c->n_other)
        fmt(c->problem, sizeof c->problem, "%d file(s) not named {digit}_{speaker}_{take}.wav (e.g. '%s')",
                 c->n_other, c->other_example);
    if (!c->problem[0] && c->n != FSDD_EXPECTED_FILES)
        fmt(c->problem, sizeof c->problem, "%d recordings, expected %d", c->n, FSDD_EXPECTED_FILES);
    if (!c->problem[0] && c->n_speakers != FSDD_EXPECTED_SPEAKERS)
        fmt(c->problem, sizeof c->problem, "%d speakers, expected %d", c->n_speakers, FSDD_EXPECTED_SPEAKERS);
    for (int s = 0; s < c->n_speakers && !c->problem[0]; s++)
        for (int k = 0; k < 10; k++)
            if (c->count[s][k] != FSDD_EXPECTED_TAKES) {
                fmt(c->problem, sizeof c->problem, "speaker %s has %d recordings of digit %d, expected %d",
                         c->speakers[s], c->count[s][k], k, FSDD_EXPECTED_TAKES);
                break;
            }
    c->complete = !c->problem[0];
    return 0;
}

int prep_fsdd_digest(const char *recdir, char hex[33], char *err, size_t errlen) {
    FsddIndex ix;
    if (fsdd_scan(recdir, &ix, err, errlen)) return -1;
    Md5 all;
    md5_init(&all);
    int rc = 0;
    for (int i = 0; i < ix.n; i++) {
        char h[33], line[512];
        if (md5_file(ix.path[i], h, err, errlen)) { rc = -1; break; }
        const char *b = strrchr(ix.path[i], '/');
        int n = fmt(line, sizeof line, "%s %s\n", b ? b + 1 : ix.path[i], h);
        md5_update(&all, line, (size_t)n);
    }
    fsdd_index_free(&ix);
    if (rc) return -1;
    uint8_t dg[16];
    md5_final(&all, dg);
    md5_hex(dg, hex);
    return 0;
}

/* ---- locating --------------------------------------------------------- */

static int is_dir(const char *p) {
    struct stat st;
    return !stat(p, &st) && S_ISDIR(st.st_mode);
}

int prep_find_mnist(const char *data_opt, char *out, size_t len, char *err, size_t errlen) {
    char root[PATH_MAX], p[PATH_MAX + 16];
    if (find_data_dir(data_opt, "mnist", root, sizeof root, err, errlen)) return -1;
    fmt(p, sizeof p, "%s/mnist", root);
    if (fmt(out, len, "%s", is_dir(p) ? p : root) >= (int)len) { fmt(err, errlen, "path too long"); return -1; }
    return 0;
}

int prep_find_fsdd(const char *data_opt, char *out, size_t len, char *err, size_t errlen) {
    char root[PATH_MAX], p[PATH_MAX + 32];
    if (find_data_dir(data_opt, "fsdd/recordings", root, sizeof root, err, errlen)) return -1;
    fmt(p, sizeof p, "%s/fsdd/recordings", root);
    if (!is_dir(p)) fmt(p, sizeof p, "%s/recordings", root);
    if (!is_dir(p)) fmt(p, sizeof p, "%s", root);
    if (fmt(out, len, "%s", p) >= (int)len) { fmt(err, errlen, "path too long"); return -1; }
    return 0;
}

void prep_download_root(const char *data_opt, char *out, size_t len) {
    if (data_opt && *data_opt) { fmt(out, len, "%s", data_opt); return; }
    const char *env = getenv("UNLEARN_DATA");
    if (env && *env) { fmt(out, len, "%s", env); return; }
    char root[PATH_MAX];
    if (!unlearn_repo_root(root, sizeof root)) {
        char *s = strrchr(root, '/');
        if (s && s != root) {
            *s = 0;
            if (strlen(root) + 17 < len) { fmt(out, len, "%s/shared/datasets", root); return; }
        }
    }
    fmt(out, len, "datasets");
}

/* ---- subprocesses ----------------------------------------------------- */

int prep_run(char *const argv[], int quiet) {
    pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); if (fd > 2) close(fd); }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return 127;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 127;
}

int prep_which(const char *prog, char *out, size_t len) {
    if (strchr(prog, '/')) {
        if (access(prog, X_OK)) return -1;
        fmt(out, len, "%s", prog);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        char cand[PATH_MAX];
        if (n > 0 && n + strlen(prog) + 2 < sizeof cand) {
            memcpy(cand, path, n);
            fmt(cand + n, sizeof cand - n, "/%s", prog);
            if (!access(cand, X_OK) && !is_dir(cand)) { fmt(out, len, "%s", cand); return 0; }
        }
        path += n;
        if (*path == ':') path++;
    }
    return -1;
}

/* ---- downloading ------------------------------------------------------ */

int prep_download(const char *url, const char *path, FILE *log, char *err, size_t errlen) {
    char tmp[PATH_MAX + 16], tool[PATH_MAX];
    fmt(tmp, sizeof tmp, "%s.part", path);
    int rc;
    if (log) fprintf(log, "  downloading %s\n", url);
    if (!prep_which("curl", tool, sizeof tool)) {
        char *argv[] = {tool, "-fsSL", "--retry", "2", "--connect-timeout", "20", "-o", tmp, (char *)url, NULL};
        rc = prep_run(argv, 0);
    } else if (!prep_which("wget", tool, sizeof tool)) {
        char *argv[] = {tool, "-q", "--tries=2", "--timeout=20", "-O", tmp, (char *)url, NULL};
        rc = prep_run(argv, 0);
    } else {
        fmt(err, errlen, "neither curl nor wget is installed (apt-get install curl), cannot download %s", url);
        return -1;
    }
    if (rc) {
        unlink(tmp);
        fmt(err, errlen, "download of %s failed (exit status %d; offline?)", url, rc);
        return -1;
    }
    if (rename(tmp, path)) {
        fmt(err, errlen, "%s: cannot rename into place (%s)", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int prep_fetch_mnist(const char *dir, const char *mirror, FILE *log, char *err, size_t errlen) {
    const char *one[2] = {mirror, NULL};
    const char *const *mirrors = mirror && *mirror ? one : mnist_mirrors;
    if (mkdir_p(dir, err, errlen)) return -1;
    MnistCheck st[MNIST_N_FILES];
    prep_check_mnist(dir, st);
    for (int i = 0; i < MNIST_N_FILES; i++) {
        if (st[i].status == MNIST_OK) continue;
        const MnistRef *r = &mnist_ref[i];
        if (st[i].status == MNIST_BAD) {
            /* keep the bad copy aside rather than deleting someone's file */
            char aside[PATH_MAX + 16];
            fmt(aside, sizeof aside, "%s.corrupt", st[i].path);
            if (rename(st[i].path, aside)) {
                fmt(err, errlen, "%s: cannot move the corrupted file aside (%s)", st[i].path, strerror(errno));
                return -1;
            }
            if (log) fprintf(log, "  moved the corrupted %s to %s\n", st[i].path, aside);
        }
        char dest[PATH_MAX + 64];
        fmt(dest, sizeof dest, "%s/%s.gz", dir, r->stem);
        int done = 0;
        char last[1024] = "";
        for (int m = 0; mirrors[m] && !done; m++) {
            char url[PATH_MAX];
            size_t ml = strlen(mirrors[m]);
            fmt(url, sizeof url, "%s%s%s.gz", mirrors[m], ml && mirrors[m][ml - 1] == '/' ? "" : "/", r->stem);
            if (prep_download(url, dest, log, last, sizeof last)) continue;
            char h[33];
            if (md5_file(dest, h, last, sizeof last)) { unlink(dest); continue; }
            if (strcmp(h, r->gz_md5)) {
                fmt(last, sizeof last, "%s from %s: md5 %s, expected %s; deleted", dest, url, h, r->gz_md5);
                if (log) fprintf(log, "  %s\n", last);
                unlink(dest);
                continue;
            }
            if (log) fprintf(log, "  %s: md5 %s ok\n", dest, h);
            done = 1;
        }
        if (!done) { fmt(err, errlen, "could not download %s.gz from any mirror (last: %s)", r->stem, last); return -1; }
    }
    return 0;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}
static void rm_rf(const char *p) { nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

int prep_fetch_fsdd(const char *root, const char *url, FILE *log, char *err, size_t errlen) {
    if (!url) url = fsdd_release_url;
    char fdir[PATH_MAX], arch[PATH_MAX + 32], unpack[PATH_MAX + 32], rec[PATH_MAX + 32];
    fmt(fdir, sizeof fdir, "%s/fsdd", root);
    if (mkdir_p(fdir, err, errlen)) return -1;
    fmt(rec, sizeof rec, "%s/recordings", fdir);
    if (is_dir(rec)) {
        FsddCheck c;
        char e2[512];
        if (!prep_check_fsdd(rec, &c, e2, sizeof e2) && c.complete) return 0;
        char aside[PATH_MAX + 64];
        fmt(aside, sizeof aside, "%s.incomplete.%ld", rec, (long)getpid());
        if (rename(rec, aside)) { fmt(err, errlen, "%s: cannot move the incomplete folder aside", rec); return -1; }
        if (log) fprintf(log, "  moved the incomplete %s to %s\n", rec, aside);
    }
    fmt(arch, sizeof arch, "%s/fsdd-release.tar.gz", fdir);
    if (prep_download(url, arch, log, err, errlen)) return -1;
    fmt(unpack, sizeof unpack, "%s/.unpack.%ld", fdir, (long)getpid());
    if (mkdir_p(unpack, err, errlen)) { unlink(arch); return -1; }
    char *argv[] = {"tar", "-xzf", arch, "-C", unpack, NULL};
    int rc = prep_run(argv, 0);
    unlink(arch);
    if (rc) { rm_rf(unpack); fmt(err, errlen, "%s: could not unpack the FSDD archive (tar exit %d)", arch, rc); return -1; }
    /* the archive holds one top folder (free-spoken-digit-dataset-<tag>/) with recordings/ */
    DIR *d = opendir(unpack);
    char found[PATH_MAX + 300] = "", top[PATH_MAX + 300] = "";
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char cand[PATH_MAX + 300];
        fmt(cand, sizeof cand, "%s/%s/recordings", unpack, de->d_name);
        if (is_dir(cand)) { fmt(found, sizeof found, "%s", cand); fmt(top, sizeof top, "%s/%s", unpack, de->d_name); break; }
    }
    if (d) closedir(d);
    if (!found[0]) { rm_rf(unpack); fmt(err, errlen, "the FSDD archive from %s has no recordings/ folder", url); return -1; }
    if (rename(found, rec)) { rm_rf(unpack); fmt(err, errlen, "%s: cannot move the recordings into place", rec); return -1; }
    const char *extra[] = {"README.md", "metadata.py"};
    for (int i = 0; i < 2; i++) {
        char a[PATH_MAX + 320], b[PATH_MAX + 32];
        fmt(a, sizeof a, "%s/%s", top, extra[i]);
        fmt(b, sizeof b, "%s/%s", fdir, extra[i]);
        if (access(b, F_OK)) (void)rename(a, b);
    }
    rm_rf(unpack);
    FsddCheck c;
    if (prep_check_fsdd(rec, &c, err, errlen)) return -1;
    if (!c.complete) { fmt(err, errlen, "the downloaded FSDD in %s is not complete: %s", rec, c.problem); return -1; }
    char h[33];
    if (prep_fsdd_digest(rec, h, err, errlen)) return -1;
    if (log) {
        if (!strcmp(h, fsdd_reference_digest)) fprintf(log, "  %s: 3000 recordings, content digest %s ok\n", rec, h);
        else fprintf(log, "  %s: 3000 recordings; warning: content digest %s differs from the reference %s "
                     "(another release of FSDD?)\n", rec, h, fsdd_reference_digest);
    }
    return 0;
}

/* ---- synthesis -------------------------------------------------------- */

const char *const synth_default_voices[] = {"en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029",
                                            "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", NULL};
const char *const synth_default_variants[] = {"", "m3", "f2", "f4", NULL};
const char *const synth_words[10] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

void synth_take_setting(int take, int *pitch, int *speed) {
    /* take 0 is the voice's default-like setting, then the corners and edges of
     * a 3x3 grid of pitch {35, 50, 65} x speed {145, 175, 205} wpm */
    static const int grid[9][2] = {{50, 175}, {35, 145}, {65, 205}, {35, 205}, {65, 145},
                                   {50, 145}, {50, 205}, {35, 175}, {65, 175}};
    int t = ((take % 9) + 9) % 9;
    *pitch = grid[t][0];
    *speed = grid[t][1];
}

void synth_speaker_name(const char *voice, const char *variant, char *out, size_t len) {
    if (variant && *variant) fmt(out, len, "tts-%s-%s", voice, variant);
    else fmt(out, len, "tts-%s", voice);
}

static int variant_known(const char *v) {
    static const char *dirs[] = {"/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
                                 "/usr/share/espeak-ng-data", "/usr/lib/espeak-ng-data", "/usr/local/share/espeak-ng-data"};
    int any = 0;
    const char *env = getenv("ESPEAK_DATA_PATH");
    char p[PATH_MAX + 64];
    if (env && *env) {
        fmt(p, sizeof p, "%s/espeak-ng-data/voices/!v", env);
        if (is_dir(p)) { any = 1; fmt(p, sizeof p, "%s/espeak-ng-data/voices/!v/%s", env, v); if (!access(p, R_OK)) return 1; }
    }
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        fmt(p, sizeof p, "%s/voices/!v", dirs[i]);
        if (!is_dir(p)) continue;
        any = 1;
        fmt(p, sizeof p, "%s/voices/!v/%s", dirs[i], v);
        if (!access(p, R_OK)) return 1;
    }
    return !any; /* no data folder found: cannot tell, let espeak-ng decide */
}

/* One utterance: espeak-ng -> 22.05 kHz WAV -> trim, resample, normalise -> out. */
static int synth_one(const char *espeak, const char *voice, const char *variant, int digit, int take, int sr,
                     const char *out, char *err, size_t errlen) {
    char v[128], ps[16], ss[16], raw[PATH_MAX + 32], tmp[PATH_MAX + 32];
    if (variant && *variant) fmt(v, sizeof v, "%s+%s", voice, variant);
    else fmt(v, sizeof v, "%s", voice);
    int pitch, speed;
    synth_take_setting(take, &pitch, &speed);
    fmt(ps, sizeof ps, "%d", pitch);
    fmt(ss, sizeof ss, "%d", speed);
    fmt(raw, sizeof raw, "%s.espeak.wav", out);
    fmt(tmp, sizeof tmp, "%s.tmp.wav", out);
    char *argv[] = {(char *)espeak, "-v", v, "-p", ps, "-s", ss, "-w", raw, (char *)synth_words[digit], NULL};
    int rc = prep_run(argv, 1);
    if (rc) {
        unlink(raw);
        fmt(err, errlen, "espeak-ng -v %s failed (exit %d) for '%s'", v, rc, synth_words[digit]);
        return -1;
    }
    float *x = NULL, *y = NULL;
    int n = 0, m = 0, rate = 0;
    rc = wav_read(raw, 0, &x, &n, &rate, err, errlen);
    unlink(raw);
    if (rc) return -1;
    float peak = 0;
    for (int i = 0; i < n; i++) if (fabsf(x[i]) > peak) peak = fabsf(x[i]);
    float thr = peak * 0.01f; /* -40 dB */
    int a = 0, b = n;
    while (a < n && fabsf(x[a]) < thr) a++;
    while (b > a && fabsf(x[b - 1]) < thr) b--;
    int margin = rate / 100;
    a = a > margin ? a - margin : 0;
    b = b + margin < n ? b + margin : n;
    rc = wav_resample(x + a, b - a, (double)sr / rate, SRC_SINC_BEST_QUALITY, &y, &m, err, errlen);
    free(x);
    if (rc) return -1;
    float pk = 0;
    for (int i = 0; i < m; i++) if (fabsf(y[i]) > pk) pk = fabsf(y[i]);
    if (pk > 0) for (int i = 0; i < m; i++) y[i] *= 0.9f / pk;
    rc = wav_write(tmp, y, m, 1, sr, 0, err, errlen);
    free(y);
    if (rc) { unlink(tmp); return -1; }
    if (rename(tmp, out)) {
        fmt(err, errlen, "%s: cannot rename into place (%s)", out, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int prep_synth(const SynthOptions *o, FILE *log, char *err, size_t errlen) {
    char espeak[PATH_MAX];
    const char *prog = o->espeak && *o->espeak ? o->espeak : "espeak-ng";
    if (prep_which(prog, espeak, sizeof espeak)) {
        fmt(err, errlen, "%s not found: install it with 'apt-get install espeak-ng' (Debian/Ubuntu; "
                 "'dnf install espeak-ng' on Fedora, 'brew install espeak-ng' on macOS), or pass --espeak PATH", prog);
        return -1;
    }
    const char *const *voices = o->voices ? o->voices : synth_default_voices;
    const char *const *variants = o->variants ? o->variants : synth_default_variants;
    int all_digits[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int *digits = o->digits ? o->digits : all_digits;
    int nd = o->digits ? o->n_digits : 10;
    int takes = o->takes > 0 ? o->takes : 9;
    int sr = o->sr > 0 ? o->sr : 8000;
    int jobs = o->jobs > 0 ? o->jobs : 2;
    if (takes > 9) { fmt(err, errlen, "--takes must be 1..9 (the pitch x speed grid)"); return -1; }
    int nv = 0, nvar = 0;
    while (voices[nv]) nv++;
    while (variants[nvar]) nvar++;
    if (!nv || !nvar || nd <= 0) { fmt(err, errlen, "nothing to synthesise (no voices, variants or digits)"); return -1; }
    for (int i = 0; i < nvar; i++)
        if (*variants[i] && !variant_known(variants[i])) {
            fmt(err, errlen, "unknown espeak-ng variant '%s' (see the voices/!v folder of espeak-ng-data)", variants[i]);
            return -1;
        }
    for (int i = 0; i < nd; i++)
        if (digits[i] < 0 || digits[i] > 9) { fmt(err, errlen, "digit %d is not 0..9", digits[i]); return -1; }
    /* check each voice once, quickly, so a bad name fails with one clear line */
    for (int i = 0; i < nv; i++) {
        char *argv[] = {espeak, "-q", "-v", (char *)voices[i], "one", NULL};
        if (prep_run(argv, 1)) {
            fmt(err, errlen, "espeak-ng does not know the voice '%s' (espeak-ng --voices=en lists them)", voices[i]);
            return -1;
        }
    }
    if (mkdir_p(o->out_dir, err, errlen)) return -1;
    long total = (long)nv * nvar * nd * takes;
    if (log)
        fprintf(log, "synth: %d voices x %d variants x %d digits x %d takes = %ld recordings -> %s\n", nv, nvar, nd,
                takes, total, o->out_dir);
    long done = 0, first_bad = total;
    char *bad_msg = calloc(1, errlen ? errlen : 1);
    #pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
    for (long j = 0; j < total; j++) {
        int t = (int)(j % takes), r = (int)(j / takes);
        int di = r % nd; r /= nd;
        int va = r % nvar, vo = r / nvar;
        char spk[FSDD_SPEAKER_MAX + 32], path[PATH_MAX + 128], e[1024];
        synth_speaker_name(voices[vo], variants[va], spk, sizeof spk);
        fmt(path, sizeof path, "%s/%d_%s_%d.wav", o->out_dir, digits[di], spk, t);
        int rc = synth_one(espeak, voices[vo], variants[va], digits[di], t, sr, path, e, sizeof e);
        #pragma omp critical(prep_synth)
        {
            if (rc) { if (j < first_bad) { first_bad = j; if (bad_msg) fmt(bad_msg, errlen, "%s", e); } }
            else done++;
        }
    }
    if (first_bad < total) {
        fmt(err, errlen, "%s", bad_msg ? bad_msg : "synthesis failed");
        free(bad_msg);
        return -1;
    }
    free(bad_msg);
    return (int)done;
}
