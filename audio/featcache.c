/* featcache.c — log-mel features of a recordings folder computed once and kept on disk (see featcache.h). */
#include "featcache.h"
#include "escape.h"
#include "atomic_file.h"
#include "md5.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BIN_MAGIC "UNLFEAT1\n"
#define MAX_HEADER 4096

void featcache_default_dir(char *out, size_t len) {
    const char *env = getenv("UNLEARN_CACHE");
    if (env && *env) { snprintf(out, len, "%s", env); return; }
    char root[PATH_MAX];
    if (!unlearn_repo_root(root, sizeof root) && strlen(root) + 7 <= len) { snprintf(out, len, "%s/cache", root); return; }
    snprintf(out, len, "cache");
}

void featset_free(FeatSet *fs) {
    if (!fs) return;
    fsdd_index_free(&fs->ix);
    ds_free(fs->all);
    fs->all = NULL;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static long file_size(const char *p) {
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

static int host_little_endian(void) {
    uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct {
    char params[1024];
    char build[64];
    int n, c, h, w;
    int have_params, have_build, have_shape;
} CacheHead;

/* "key: value" lines common to both files. */
static void head_line(CacheHead *hd, const char *line) {
    if (!strncmp(line, "params: ", 8)) { snprintf(hd->params, sizeof hd->params, "%s", line + 8); hd->have_params = 1; }
    else if (!strncmp(line, "build: ", 7)) { snprintf(hd->build, sizeof hd->build, "%s", line + 7); hd->have_build = 1; }
    else if (!strncmp(line, "shape: ", 7))
        hd->have_shape = sscanf(line + 7, "%d %d %d %d", &hd->n, &hd->c, &hd->h, &hd->w) == 4;
}

static void chomp(char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

/* Manifest rows kept for comparison with the scanned folder. */
typedef struct { char file[256]; long bytes; } Row;

static int read_manifest(const char *path, CacheHead *hd, Row **rows, int *nrows, char *why, size_t wl) {
    memset(hd, 0, sizeof *hd);
    *rows = NULL; *nrows = 0;
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(why, wl, "%s: cannot read", esc(path)); return -1; }
    char line[2048];
    int cap = 0, n = 0, header_seen = 0, bad = 0;
    Row *r = NULL;
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        if (line[0] == '#') { head_line(hd, line[1] == ' ' ? line + 2 : line + 1); continue; }
        if (!header_seen) {
            if (strcmp(line, "file,digit,speaker,take,split,bytes")) { bad = 1; break; }
            header_seen = 1;
            continue;
        }
        if (!line[0]) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            Row *t = realloc(r, sizeof(Row) * (size_t)cap);
            if (!t) { bad = 1; break; }
            r = t;
        }
        char *c1 = strchr(line, ','), *last = strrchr(line, ',');
        if (!c1 || !last || c1 == last || (size_t)(c1 - line) >= sizeof r[n].file) { bad = 1; break; }
        memcpy(r[n].file, line, (size_t)(c1 - line));
        r[n].file[c1 - line] = 0;
        char *end;
        r[n].bytes = strtol(last + 1, &end, 10);
        if (*end || end == last + 1) { bad = 1; break; }
        n++;
    }
    fclose(f);
    if (bad || !header_seen || !hd->have_params || !hd->have_build || !hd->have_shape) {
        free(r);
        snprintf(why, wl, "%s is not a valid manifest", esc(path));
        return -1;
    }
    *rows = r; *nrows = n;
    return 0;
}

/* Reads the .bin header; leaves f positioned at the data.  Returns header length or -1. */
static long read_bin_head(FILE *f, CacheHead *hd) {
    memset(hd, 0, sizeof *hd);
    char line[2048];
    if (!fgets(line, sizeof line, f) || strcmp(line, BIN_MAGIC)) return -1;
    int dtype_ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (ftell(f) > MAX_HEADER) return -1;
        chomp(line);
        if (!strcmp(line, "end")) return dtype_ok && hd->have_params && hd->have_build && hd->have_shape ? ftell(f) : -1;
        if (!strcmp(line, "dtype: float32-le")) dtype_ok = 1;
        head_line(hd, line);
    }
    return -1;
}

/* The space-separated tokens that differ: "cache n_mels=40 frames=96; now n_mels=32 frames=64". */
static void params_diff(const char *cache, const char *now, char *out, size_t len) {
    char a[1024], b[1024], ca[512] = "", nb[512] = "";
    snprintf(a, sizeof a, "%s", cache);
    snprintf(b, sizeof b, "%s", now);
    char *ta[64], *tb[64], *sv;
    int na = 0, nb_ = 0;
    for (char *t = strtok_r(a, " ", &sv); t && na < 64; t = strtok_r(NULL, " ", &sv)) ta[na++] = t;
    for (char *t = strtok_r(b, " ", &sv); t && nb_ < 64; t = strtok_r(NULL, " ", &sv)) tb[nb_++] = t;
    for (int i = 0; i < na; i++) {
        int found = 0;
        for (int j = 0; j < nb_ && !found; j++) found = !strcmp(ta[i], tb[j]);
        if (!found && strlen(ca) + strlen(ta[i]) + 2 < sizeof ca) { strcat(ca, " "); strcat(ca, ta[i]); }
    }
    for (int j = 0; j < nb_; j++) {
        int found = 0;
        for (int i = 0; i < na && !found; i++) found = !strcmp(ta[i], tb[j]);
        if (!found && strlen(nb) + strlen(tb[j]) + 2 < sizeof nb) { strcat(nb, " "); strcat(nb, tb[j]); }
    }
    snprintf(out, len, "cache:%.200s; now:%.200s", ca[0] ? ca : " -", nb[0] ? nb : " -");
}

/* Is the cache valid for (p, ix)?  1 yes, 0 no (why), -1 absent. */
static int cache_valid(const char *bin, const char *man, const char *params, const FsddIndex *ix, int n_mels,
                       int frames, char *why, size_t wl) {
    int have_bin = access(bin, F_OK) == 0, have_man = access(man, F_OK) == 0;
    if (!have_bin && !have_man) return -1;
    if (!have_bin || !have_man) {
        snprintf(why, wl, "only one of %s and %s exists", esc(bin), esc(man));
        return 0;
    }
    CacheHead mh, bh;
    Row *rows = NULL;
    int nrows = 0, ok = 0;
    if (read_manifest(man, &mh, &rows, &nrows, why, wl)) return 0;
    FILE *f = fopen(bin, "rb");
    long hl = f ? read_bin_head(f, &bh) : -1;
    if (f) fclose(f);
    if (hl < 0) { snprintf(why, wl, "%s has no valid header", esc(bin)); goto out; }
    if (strcmp(mh.params, params)) {
        char d[512];
        params_diff(mh.params, params, d, sizeof d);
        snprintf(why, wl, "it was made with other feature parameters (%s)", esc(d));
        goto out;
    }
    if (strcmp(bh.params, mh.params) || strcmp(bh.build, mh.build)) {
        snprintf(why, wl, "%s and %s come from different builds", esc(bin), esc(man));
        goto out;
    }
    if (mh.n != bh.n || mh.c != bh.c || mh.h != bh.h || mh.w != bh.w || mh.n != nrows || mh.c != 1 ||
        mh.h != n_mels || mh.w != frames) {
        snprintf(why, wl, "the shapes in %s and %s disagree", esc(bin), esc(man));
        goto out;
    }
    long want = hl + (long)mh.n * mh.c * mh.h * mh.w * (long)sizeof(float);
    if (file_size(bin) != want) {
        snprintf(why, wl, "%s has %ld bytes, its header says %ld (truncated?)", esc(bin), file_size(bin), want);
        goto out;
    }
    if (nrows != ix->n) {
        snprintf(why, wl, "the recordings changed (%d files in the cache, %d now)", nrows, ix->n);
        goto out;
    }
    for (int i = 0; i < nrows; i++) {
        const char *b = base_name(ix->path[i]);
        if (strcmp(rows[i].file, b)) {
            snprintf(why, wl, "the recordings changed (cache row %d is %s, the folder has %s)", i + 1, esc(rows[i].file), esc(b));
            goto out;
        }
        long sz = file_size(ix->path[i]);
        if (sz != rows[i].bytes) {
            snprintf(why, wl, "the recordings changed (%s: %ld bytes, %ld in the cache)", esc(b), sz, rows[i].bytes);
            goto out;
        }
    }
    ok = 1;
out:
    free(rows);
    return ok;
}

static int read_features(const char *bin, Dataset *d, char *err, size_t errlen) {
    FILE *f = fopen(bin, "rb");
    if (!f) { snprintf(err, errlen, "%s: cannot open", esc(bin)); return -1; }
    CacheHead h;
    if (read_bin_head(f, &h) < 0) { fclose(f); snprintf(err, errlen, "%s: bad header", esc(bin)); return -1; }
    size_t cnt = (size_t)d->n * ds_sample_size(d);
    size_t got = fread(d->x, sizeof(float), cnt, f);
    fclose(f);
    if (got != cnt) { snprintf(err, errlen, "%s: short read", esc(bin)); return -1; }
    return 0;
}

/* ---- writing ---------------------------------------------------------- */

static void make_build_id(const char *params, int n, char out[33]) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[1200];
    int len = snprintf(buf, sizeof buf, "%s|%d|%ld.%09ld|%ld", params, n, (long)ts.tv_sec, ts.tv_nsec, (long)getpid());
    md5_buffer_hex(buf, (size_t)(len < (int)sizeof buf ? len : (int)sizeof buf - 1), out);
}

static int write_cache(const char *bin, const char *man, const char *params, const FsddIndex *ix, const Dataset *d,
                       char *err, size_t errlen) {
    char build[33];
    make_build_id(params, d->n, build);
    AtomicFile af;
    if (atomic_open(&af, bin, err, errlen)) return -1;
    fprintf(af.fp, "%sparams: %s\nbuild: %s\nshape: %d %d %d %d\ndtype: float32-le\nend\n", BIN_MAGIC, params, build,
            d->n, d->c, d->h, d->w);
    fwrite(d->x, sizeof(float), (size_t)d->n * ds_sample_size(d), af.fp);
    if (atomic_commit(&af, err, errlen)) return -1;
    if (atomic_open(&af, man, err, errlen)) return -1;
    fprintf(af.fp, "# unlearn feature cache manifest v1 (features in %s)\n# params: %s\n# build: %s\n"
            "# shape: %d %d %d %d\nfile,digit,speaker,take,split,bytes\n",
            base_name(bin), params, build, d->n, d->c, d->h, d->w);
    for (int i = 0; i < ix->n; i++)
        fprintf(af.fp, "%s,%d,%s,%d,%s,%ld\n", base_name(ix->path[i]), ix->digit[i], ix->speakers[ix->speaker[i]],
                ix->take[i], ix->take[i] < FSDD_TEST_TAKES ? "test" : "train", file_size(ix->path[i]));
    return atomic_commit(&af, err, errlen);
}

/* The cache folder exists (made if need be) and is writable: checked before the features are
 * computed, so a cache that cannot be written costs no work.  0 or -1 with err. */
static int writable_dir(const char *dir, char *err, size_t errlen) {
    char e[PATH_MAX + 256];
    if (mkdir_p(dir, e, sizeof e)) { snprintf(err, errlen, "feature cache not written: %s", e); return -1; }
    if (access(dir, W_OK | X_OK)) {
        snprintf(err, errlen, "feature cache not written: %s is not writable", esc(dir));
        return -1;
    }
    return 0;
}

static int cache_paths(const char *cache_dir, const char *name, char *bin, char *man, char *err, size_t errlen) {
    if (snprintf(bin, PATH_MAX, "%s/%s.features.bin", cache_dir, name) >= PATH_MAX ||
        snprintf(man, PATH_MAX, "%s/%s.manifest.csv", cache_dir, name) >= PATH_MAX) {
        snprintf(err, errlen, "%s: cache folder name too long", esc(cache_dir));
        return -1;
    }
    return 0;
}

int featcache_check(const char *rec_dir, const char *cache_dir, const char *name, const MelParams *p,
                    char *why, size_t whylen) {
    char dir[PATH_MAX], bin[PATH_MAX], man[PATH_MAX], params[1024];
    if (cache_dir && *cache_dir) snprintf(dir, sizeof dir, "%s", cache_dir);
    else featcache_default_dir(dir, sizeof dir);
    if (cache_paths(dir, name, bin, man, why, whylen)) return 0;
    mel_params_string(p, params, sizeof params);
    FsddIndex ix;
    if (fsdd_scan(rec_dir, &ix, why, whylen)) return 0;
    why[0] = 0;
    int r = cache_valid(bin, man, params, &ix, p->n_mels, p->frames, why, whylen);
    fsdd_index_free(&ix);
    return r;
}

int featcache_get(const char *rec_dir, const char *cache_dir, const char *name, const MelParams *p,
                  int flags, FILE *log, FeatSet *fs, char *err, size_t errlen) {
    memset(fs, 0, sizeof *fs);
    if (!host_little_endian()) { snprintf(err, errlen, "the feature cache needs a little-endian machine"); return -1; }
    char dir[PATH_MAX], params[1024];
    if (cache_dir && *cache_dir) snprintf(dir, sizeof dir, "%s", cache_dir);
    else featcache_default_dir(dir, sizeof dir);
    if (cache_paths(dir, name, fs->bin_path, fs->manifest_path, err, errlen)) return -1;
    mel_params_string(p, params, sizeof params);
    if (fsdd_scan(rec_dir, &fs->ix, err, errlen)) return -1;
    int v = cache_valid(fs->bin_path, fs->manifest_path, params, &fs->ix, p->n_mels, p->frames, fs->why,
                        sizeof fs->why);
    fs->all = ds_new(fs->ix.n, 1, p->n_mels, p->frames);
    if (fs->all) fs->all->group = malloc(sizeof(int) * (size_t)(fs->ix.n ? fs->ix.n : 1));
    if (!fs->all || !fs->all->group) { featset_free(fs); snprintf(err, errlen, "out of memory"); return -1; }
    for (int i = 0; i < fs->ix.n; i++) { fs->all->y[i] = fs->ix.digit[i]; fs->all->group[i] = fs->ix.speaker[i]; }
    if (v == 1 && (flags & FEATCACHE_FORCE)) {
        snprintf(fs->why, sizeof fs->why, "a rebuild was asked for");
        v = 0;
    }
    if (v == 1) {
        if (!read_features(fs->bin_path, fs->all, err, errlen)) {
            fs->reused = 1;
            if (log && !(flags & FEATCACHE_QUIET)) fprintf(log, "features: reusing cache %s (%d recordings, same parameters)\n", esc(fs->bin_path), fs->ix.n);
            return 0;
        }
        snprintf(fs->why, sizeof fs->why, "%s", err);
        v = 0;
    }
    if (v == 0 && (flags & FEATCACHE_REFUSE) && !(flags & FEATCACHE_FORCE)) {
        snprintf(err, errlen, "feature cache %s not reused: %s (remove it, or rebuild it with "
                 "'unlearn-prep features --rebuild')", esc(fs->bin_path), fs->why);
        featset_free(fs);
        return -1;
    }
    if ((flags & FEATCACHE_MUST_WRITE) && writable_dir(dir, err, errlen)) { featset_free(fs); return -1; }
    if (log) {
        if (v == 0) fprintf(log, "features: not reusing cache %s: %s; rebuilding\n", esc(fs->bin_path), fs->why);
        else if (!(flags & FEATCACHE_QUIET)) fprintf(log, "features: no cache yet; computing %d recordings -> %s\n", fs->ix.n, esc(fs->bin_path));
    }
    int *idx = malloc(sizeof(int) * (size_t)(fs->ix.n ? fs->ix.n : 1));
    if (!idx) { featset_free(fs); snprintf(err, errlen, "out of memory"); return -1; }
    for (int i = 0; i < fs->ix.n; i++) idx[i] = i;
    Dataset *d = fsdd_load(&fs->ix, idx, fs->ix.n, p, err, errlen);
    free(idx);
    if (!d) { featset_free(fs); return -1; }
    ds_free(fs->all);
    fs->all = d;
    char werr[PATH_MAX + 256];
    if (mkdir_p(dir, werr, sizeof werr) ||
        write_cache(fs->bin_path, fs->manifest_path, params, &fs->ix, d, werr, sizeof werr)) {
        if (flags & FEATCACHE_MUST_WRITE) {
            snprintf(err, errlen, "feature cache not written: %s", werr);
            featset_free(fs);
            return -1;
        }
        fprintf(stderr, "features: warning: cache not written (%s); using the features in memory\n", werr);
        return 0;
    }
    fs->written = 1;
    return 0;
}
