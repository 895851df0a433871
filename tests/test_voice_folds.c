/* test_voice_folds.c — leave-one-speaker-out folds on a tiny made-up folder: "all" names every
 * speaker once; each fold's test set is exactly its speaker's clips and its training set holds none
 * of them (nor the excluded speaker's); the test sets of the folds partition the clips; upstream is
 * takes 0-4; --limit keeps at most N clips per (speaker, digit); the held-out-voice rule refuses a
 * shared speaker; bad fold lists are refused. */
#include "test.h"
#include "fsdd.h"
#include "voice_folds.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const speakers[] = {"ann", "bob", "cy", "dee"};

static void touch(const char *dir, int d, const char *s, int t) {
    char p[512];
    snprintf(p, sizeof p, "%s/%d_%s_%d.wav", dir, d, s, t);
    FILE *f = fopen(p, "w");
    if (f) fclose(f);
}

static void test_folds(const FsddIndex *ix) {
    char names[VOICE_MAX_FOLDS][FSDD_SPEAKER_MAX], err[512];
    int n = voice_folds_parse(ix, "all", names, VOICE_MAX_FOLDS, err, sizeof err);
    CHECK(n == 4);
    int *seen = calloc((size_t)ix->n, sizeof(int)), ok = 1;
    for (int f = 0; f < n; f++) {
        int *tr, *te, ntr, nte;
        CHECK(!voice_fold_split(ix, names[f], NULL, &tr, &ntr, &te, &nte, err, sizeof err));
        int s = fsdd_speaker_id(ix, names[f]);
        for (int i = 0; i < nte; i++) { if (ix->speaker[te[i]] != s) ok = 0; seen[te[i]]++; }
        for (int i = 0; i < ntr; i++) if (ix->speaker[tr[i]] == s) ok = 0;
        if (ntr + nte != ix->n || nte != 10 * 7) ok = 0;
        free(tr); free(te);
    }
    CHECK(ok);
    int once = 1;
    for (int i = 0; i < ix->n; i++) once &= seen[i] == 1;
    CHECKF(once, "every clip is in exactly one fold's test set");
    free(seen);
}

static void test_exclude_limit_upstream(const FsddIndex *ix) {
    char err[512];
    int *tr, *te, ntr, nte;
    CHECK(!voice_fold_split(ix, "bob", "ann", &tr, &ntr, &te, &nte, err, sizeof err));
    int a = fsdd_speaker_id(ix, "ann"), ok = 1;
    for (int i = 0; i < ntr; i++) ok &= ix->speaker[tr[i]] != a;
    CHECK(ok && ntr == 2 * 70 && nte == 70);
    int k = voice_limit(ix, tr, ntr, 3);
    CHECK(k == 2 * 10 * 3);
    free(tr); free(te);
    CHECK(voice_fold_split(ix, "bob", "bob", &tr, &ntr, &te, &nte, err, sizeof err) == -1);
    CHECK(!voice_fold_split(ix, "upstream", NULL, &tr, &ntr, &te, &nte, err, sizeof err));
    ok = nte == 4 * 10 * 5;
    for (int i = 0; i < nte; i++) ok &= ix->take[te[i]] < 5;
    CHECK(ok);
    free(tr); free(te);
}

static void test_refusals(const FsddIndex *ix, const char *dir) {
    char names[VOICE_MAX_FOLDS][FSDD_SPEAKER_MAX], err[512];
    CHECK(voice_folds_parse(ix, "ann,zed", names, VOICE_MAX_FOLDS, err, sizeof err) == -1 && strstr(err, "zed"));
    CHECK(voice_folds_parse(ix, "ann,ann", names, VOICE_MAX_FOLDS, err, sizeof err) == -1 && strstr(err, "twice"));
    CHECK(voice_folds_parse(ix, "ann,", names, VOICE_MAX_FOLDS, err, sizeof err) == -1);
    CHECK(voice_folds_parse(ix, "upstream,cy", names, VOICE_MAX_FOLDS, err, sizeof err) == 2);
    CHECK(voice_folds_parse(ix, "all,upstream", names, VOICE_MAX_FOLDS, err, sizeof err) == 5 &&
          !strcmp(names[4], "upstream") && !strcmp(names[0], "ann"));
    CHECK(voice_folds_parse(ix, "all,cy", names, VOICE_MAX_FOLDS, err, sizeof err) == -1);
    /* held-out voices: a folder sharing "cy" with the training speakers is refused, naming cy */
    char other[600];
    snprintf(other, sizeof other, "%s/other", dir);
    mkdir(other, 0700);
    touch(other, 1, "zed", 0);
    FsddIndex t;
    CHECK(!fsdd_scan(other, &t, err, sizeof err));
    CHECK(voice_check_disjoint(ix, "FSDD", &t, "the held-out voices", err, sizeof err) == 0);
    fsdd_index_free(&t);
    touch(other, 2, "cy", 0);
    CHECK(!fsdd_scan(other, &t, err, sizeof err));
    CHECK(voice_check_disjoint(ix, "FSDD", &t, "the held-out voices", err, sizeof err) == -1 && strstr(err, "'cy'"));
    fsdd_index_free(&t);
}

int main(void) {
    char dir[] = "/tmp/test_voice_folds.XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    for (int s = 0; s < 4; s++)
        for (int d = 0; d < 10; d++)
            for (int t = 0; t < 7; t++) touch(dir, d, speakers[s], t);
    FsddIndex ix;
    char err[512];
    CHECK(!fsdd_scan(dir, &ix, err, sizeof err) && ix.n == 280 && ix.n_speakers == 4);
    test_folds(&ix);
    test_exclude_limit_upstream(&ix);
    test_refusals(&ix, dir);
    fsdd_index_free(&ix);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE("test_voice_folds");
}
