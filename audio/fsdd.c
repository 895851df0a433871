/* fsdd.c — the Free Spoken Digit Dataset: file names, splits, loading, the recordings folder (see fsdd.h). */
#include "escape.h"
#include "fsdd.h"
#include "paths.h"
#include <limits.h>
#include <dirent.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int fsdd_parse_name(const char *path, FsddName *out) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t len = strlen(b);
    if (len < 4 || strcasecmp(b + len - 4, ".wav")) return -1;
    len -= 4;
    /* digit */
    if (len < 5 || !isdigit((unsigned char)b[0]) || b[1] != '_') return -1;
    /* take: digits after the last '_' */
    size_t u = len;
    while (u > 2 && b[u - 1] != '_') u--;
    if (u <= 2 || u == len) return -1;        /* no second '_' or empty take */
    long take = 0;
    for (size_t i = u; i < len; i++) {
        if (!isdigit((unsigned char)b[i]) || take > 100000000) return -1;
        take = take * 10 + (b[i] - '0');
    }
    size_t sl = u - 1 - 2;                    /* speaker = b[2 .. u-1) */
    if (sl == 0 || sl >= FSDD_SPEAKER_MAX) return -1;
    for (size_t i = 2; i < u - 1; i++)
        if (!isalnum((unsigned char)b[i]) && b[i] != '-') return -1;
    out->digit = b[0] - '0';
    memcpy(out->speaker, b + 2, sl);
    out->speaker[sl] = 0;
    out->take = (int)take;
    return 0;
}

typedef struct { FsddName nm; char *path; } Entry;

static int entry_cmp(const void *a, const void *b) {
    const Entry *x = a, *y = b;
    if (x->nm.digit != y->nm.digit) return x->nm.digit - y->nm.digit;
    int c = strcmp(x->nm.speaker, y->nm.speaker);
    if (c) return c;
    if (x->nm.take != y->nm.take) return x->nm.take < y->nm.take ? -1 : 1;
    return strcmp(x->path, y->path);
}
static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void fsdd_index_free(FsddIndex *ix) {
    if (!ix) return;
    for (int i = 0; i < ix->n; i++) free(ix->path ? ix->path[i] : NULL);
    for (int i = 0; i < ix->n_speakers; i++) free(ix->speakers[i]);
    free(ix->path); free(ix->digit); free(ix->speaker); free(ix->take); free(ix->speakers);
    memset(ix, 0, sizeof *ix);
}

int fsdd_scan(const char *dir, FsddIndex *ix, char *err, size_t errlen) {
    memset(ix, 0, sizeof *ix);
    DIR *d = opendir(dir);
    if (!d) { snprintf(err, errlen, "%s: cannot open the FSDD recordings folder", esc(dir)); return -1; }
    Entry *e = NULL; int n = 0, cap = 0, oom = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        FsddName nm;
        if (fsdd_parse_name(de->d_name, &nm)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            Entry *t = realloc(e, sizeof(Entry) * (size_t)cap);
            if (!t) { oom = 1; break; }
            e = t;
        }
        size_t pl = strlen(dir) + strlen(de->d_name) + 2;
        e[n].path = malloc(pl);
        if (!e[n].path) { oom = 1; break; }
        snprintf(e[n].path, pl, "%s/%s", dir, de->d_name);
        e[n].nm = nm;
        n++;
    }
    closedir(d);
    if (oom || n == 0) {
        for (int i = 0; i < n; i++) free(e[i].path);
        free(e);
        if (oom) snprintf(err, errlen, "out of memory listing %s", esc(dir));
        else snprintf(err, errlen, "%s: no FSDD recordings ({digit}_{speaker}_{take}.wav) found", esc(dir));
        return -1;
    }
    qsort(e, (size_t)n, sizeof(Entry), entry_cmp);
    ix->n = n;
    ix->path = calloc((size_t)n, sizeof(char *));
    ix->digit = malloc(sizeof(int) * (size_t)n);
    ix->speaker = malloc(sizeof(int) * (size_t)n);
    ix->take = malloc(sizeof(int) * (size_t)n);
    char **names = malloc(sizeof(char *) * (size_t)n);
    if (!ix->path || !ix->digit || !ix->speaker || !ix->take || !names) {
        for (int i = 0; i < n; i++) free(e[i].path);
        free(e); free(names); ix->n = 0; fsdd_index_free(ix);
        snprintf(err, errlen, "out of memory listing %s", esc(dir));
        return -1;
    }
    for (int i = 0; i < n; i++) names[i] = e[i].nm.speaker;
    qsort(names, (size_t)n, sizeof(char *), str_cmp);
    int ns = 0;
    for (int i = 0; i < n; i++) if (i == 0 || strcmp(names[i], names[i - 1])) names[ns++] = names[i];
    ix->speakers = calloc((size_t)ns, sizeof(char *));
    int bad = !ix->speakers;
    for (int s = 0; s < ns && !bad; s++) {
        ix->speakers[s] = strdup(names[s]);
        if (!ix->speakers[s]) bad = 1;
        else ix->n_speakers = s + 1;
    }
    free(names);
    for (int i = 0; i < n; i++) {
        ix->path[i] = e[i].path;
        ix->digit[i] = e[i].nm.digit;
        ix->take[i] = e[i].nm.take;
        ix->speaker[i] = bad ? -1 : fsdd_speaker_id(ix, e[i].nm.speaker);
    }
    free(e);
    if (bad) { fsdd_index_free(ix); snprintf(err, errlen, "out of memory listing %s", esc(dir)); return -1; }
    return 0;
}

int fsdd_speaker_id(const FsddIndex *ix, const char *name) {
    int lo = 0, hi = ix->n_speakers - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(name, ix->speakers[mid]);
        if (!c) return mid;
        if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    return -1;
}

void fsdd_speakers_string(const FsddIndex *ix, char *buf, size_t len) {
    if (!len) return;
    buf[0] = 0;
    size_t o = 0;
    for (int s = 0; s < ix->n_speakers && o < len; s++) {
        int w = snprintf(buf + o, len - o, "%s%s", s ? "," : "", ix->speakers[s]);
        if (w < 0) break;
        o += (size_t)w;
    }
}

int fsdd_split(const FsddIndex *ix, const char *holdout, int **train, int *n_train,
               int **test, int *n_test, char *err, size_t errlen) {
    *train = *test = NULL; *n_train = *n_test = 0;
    int hs = -1;
    if (holdout && *holdout && strcmp(holdout, "upstream")) {
        hs = fsdd_speaker_id(ix, holdout);
        if (hs < 0) {
            char sp[512];
            fsdd_speakers_string(ix, sp, sizeof sp);
            snprintf(err, errlen, "unknown speaker '%s' to hold out (speakers: %s)", esc(holdout), esc(sp));
            return -1;
        }
    }
    int *tr = malloc(sizeof(int) * (size_t)(ix->n ? ix->n : 1));
    int *te = malloc(sizeof(int) * (size_t)(ix->n ? ix->n : 1));
    if (!tr || !te) { free(tr); free(te); snprintf(err, errlen, "out of memory"); return -1; }
    int a = 0, b = 0;
    for (int i = 0; i < ix->n; i++) {
        int is_test = hs >= 0 ? ix->speaker[i] == hs : ix->take[i] < FSDD_TEST_TAKES;
        if (is_test) te[b++] = i; else tr[a++] = i;
    }
    *train = tr; *n_train = a; *test = te; *n_test = b;
    return 0;
}

Dataset *fsdd_load(const FsddIndex *ix, const int *idx, int n, const MelParams *p,
                   char *err, size_t errlen) {
    for (int i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= ix->n) { snprintf(err, errlen, "fsdd_load: index %d out of range", idx[i]); return NULL; }
    MelBank *bank = mel_bank_new(p, err, errlen);
    if (!bank) return NULL;
    Dataset *d = ds_new(n, 1, p->n_mels, p->frames);
    if (d) d->group = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!d || !d->group) { ds_free(d); mel_bank_free(bank); snprintf(err, errlen, "out of memory"); return NULL; }
    size_t ss = ds_sample_size(d);
    int first_bad = n;               /* lowest failing position, so the message is deterministic */
    char *bad_msg = calloc(1, errlen ? errlen : 1);
    #pragma omp parallel for schedule(dynamic, 8)
    for (int i = 0; i < n; i++) {
        int k = idx[i];
        char e[512];
        d->y[i] = ix->digit[k];
        d->group[i] = ix->speaker[k];
        if (mel_file_features(bank, ix->path[k], d->x + (size_t)i * ss, e, sizeof e)) {
            #pragma omp critical(fsdd_load_err)
            {
                if (i < first_bad) { first_bad = i; if (bad_msg && errlen) snprintf(bad_msg, errlen, "%s", e); }
            }
        }
    }
    mel_bank_free(bank);
    if (first_bad < n) {
        snprintf(err, errlen, "%s", bad_msg ? bad_msg : "a recording could not be read");
        free(bad_msg); ds_free(d);
        return NULL;
    }
    free(bad_msg);
    return d;
}

int fsdd_find_dir(const char *data_opt, char *out, size_t len, char *err, size_t errlen) {
    char root[PATH_MAX], p[PATH_MAX + 32];
    if (find_data_dir(data_opt, "fsdd/recordings", root, sizeof root, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s/fsdd/recordings", root);
    if (!path_is_dir(p)) snprintf(p, sizeof p, "%s/recordings", root);
    if (!path_is_dir(p)) snprintf(p, sizeof p, "%s", root);
    if (snprintf(out, len, "%s", p) >= (int)len) { snprintf(err, errlen, "path too long"); return -1; }
    return 0;
}
