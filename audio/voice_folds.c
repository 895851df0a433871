/* voice_folds.c — folds of a voices experiment and the held-out-voice rule (see voice_folds.h). */
#include "voice_folds.h"
#include "escape.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_fold(const FsddIndex *ix, const char *name, char names[][FSDD_SPEAKER_MAX], int n, int max,
                    char *err, size_t errlen) {
    if (!*name) { snprintf(err, errlen, "empty fold name in the list"); return -1; }
    if (strcmp(name, "upstream") && fsdd_speaker_id(ix, name) < 0) {
        char sp[512];
        fsdd_speakers_string(ix, sp, sizeof sp);
        snprintf(err, errlen, "unknown fold '%s' (upstream or a speaker: %s)", esc(name), esc(sp));
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) { snprintf(err, errlen, "fold '%s' is listed twice", esc(name)); return -1; }
    if (n >= max) { snprintf(err, errlen, "more than %d folds", max); return -1; }
    snprintf(names[n], FSDD_SPEAKER_MAX, "%s", name);
    return 0;
}

int voice_folds_parse(const FsddIndex *ix, const char *list, char names[][FSDD_SPEAKER_MAX], int max,
                      char *err, size_t errlen) {
    int n = 0;
    const char *p = list;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char name[FSDD_SPEAKER_MAX + 1];
        if (len > FSDD_SPEAKER_MAX) { snprintf(err, errlen, "fold name '%s' is too long", esc_n(p, len)); return -1; }
        memcpy(name, p, len);
        name[len] = 0;
        if (!strcmp(name, "all")) {
            for (int s = 0; s < ix->n_speakers; s++)
                if (add_fold(ix, ix->speakers[s], names, n++, max, err, errlen)) return -1;
        } else if (add_fold(ix, name, names, n++, max, err, errlen)) return -1;
        if (!c) return n;
        p = c + 1;
    }
}

int voice_fold_split(const FsddIndex *ix, const char *fold, const char *exclude, int **train, int *n_train,
                     int **test, int *n_test, char *err, size_t errlen) {
    if (fsdd_split(ix, fold, train, n_train, test, n_test, err, errlen)) return -1;
    if (!exclude || !*exclude) return 0;
    int xs = fsdd_speaker_id(ix, exclude);
    if (xs < 0 || !strcmp(exclude, fold)) {
        snprintf(err, errlen, "cannot leave out speaker '%s' besides fold '%s'", esc(exclude), esc(fold));
        free(*train); free(*test);
        return -1;
    }
    int a = 0, b = 0;
    for (int i = 0; i < *n_train; i++) if (ix->speaker[(*train)[i]] != xs) (*train)[a++] = (*train)[i];
    for (int i = 0; i < *n_test; i++) if (ix->speaker[(*test)[i]] != xs) (*test)[b++] = (*test)[i];
    *n_train = a; *n_test = b;
    return 0;
}

int voice_check_disjoint(const FsddIndex *train, const char *train_what, const FsddIndex *test,
                         const char *test_what, char *err, size_t errlen) {
    for (int s = 0; s < test->n_speakers; s++)
        if (fsdd_speaker_id(train, test->speakers[s]) >= 0) {
            snprintf(err, errlen, "speaker '%s' of %s is also in %s: held-out voices must never be trained on",
                     esc(test->speakers[s]), test_what, train_what);
            return -1;
        }
    return 0;
}

int voice_limit(const FsddIndex *ix, int *idx, int n, int limit) {
    if (limit <= 0) return n;
    int *count = calloc((size_t)(ix->n_speakers ? ix->n_speakers : 1) * 10, sizeof(int)), k = 0;
    if (!count) return n;
    for (int i = 0; i < n; i++) {
        int *c = &count[ix->speaker[idx[i]] * 10 + ix->digit[idx[i]]];
        if ((*c)++ < limit) idx[k++] = idx[i];
    }
    free(count);
    return k;
}
