/* test_fsdd.c — FSDD names, splits and loading into a Dataset. */
#include "test.h"
#include "fsdd.h"
#include "wav.h"
#include <unistd.h>
#include <omp.h>

static int contains(const int *a, int n, int v) { for (int i = 0; i < n; i++) if (a[i] == v) return 1; return 0; }

int main(void) {
    char err[1024];
    FsddName nm;
    /* --- names --- */
    CHECK(fsdd_parse_name("7_jackson_32.wav", &nm) == 0 && nm.digit == 7 && !strcmp(nm.speaker, "jackson") && nm.take == 32);
    CHECK(fsdd_parse_name("/a/b_c/0_george_0.WAV", &nm) == 0 && nm.digit == 0 && !strcmp(nm.speaker, "george") && nm.take == 0);
    CHECK(fsdd_parse_name("9_yweweler_49.wav", &nm) == 0 && nm.take == 49);
    const char *bad[] = {"x_jackson_1.wav", "10_jackson_1.wav", "7_jackson_.wav", "7_jackson_3.mp3", "7__3.wav",
                         "7_jackson.wav", "7_jack_son_3.wav", "7_jackson_3a.wav", "README.md", "7_jackson_3.wav.bak",
                         "", ".wav", "7_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_1.wav"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECKF(fsdd_parse_name(bad[i], &nm) == -1, "%s", bad[i]);

    /* --- scan a small temp folder: junk ignored, order, speakers --- */
    char tmpl[] = "/tmp/test_fsdd_XXXXXX";
    char *tmp = mkdtemp(tmpl);
    CHECK(tmp != NULL);
    float tone[800];
    for (int i = 0; i < 800; i++) tone[i] = 0.3f * sinf(2 * (float)M_PI * 300 * i / 8000.0f);
    const char *files[] = {"3_zed_10.wav", "3_amy_2.wav", "1_zed_0.wav", "3_amy_10.wav"};
    char path[1200];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
        CHECKF(wav_write(path, tone, 800, 1, 8000, 0, err, sizeof err) == 0, "%s", err);
    }
    snprintf(path, sizeof path, "%s/notes.txt", tmp);
    FILE *f = fopen(path, "w"); fputs("x", f); fclose(f);
    FsddIndex ix;
    CHECKF(fsdd_scan(tmp, &ix, err, sizeof err) == 0, "%s", err);
    CHECK(ix.n == 4 && ix.n_speakers == 2);
    if (ix.n == 4 && ix.n_speakers == 2) {
        CHECK(!strcmp(ix.speakers[0], "amy") && !strcmp(ix.speakers[1], "zed"));
        /* (digit, speaker, take) numeric order */
        CHECK(ix.digit[0] == 1 && ix.digit[1] == 3 && ix.speaker[1] == 0 && ix.take[1] == 2 && ix.take[2] == 10 && ix.speaker[3] == 1);
        char sp[64]; fsdd_speakers_string(&ix, sp, sizeof sp);
        CHECK(!strcmp(sp, "amy,zed"));
    }
    /* a refused file makes the load fail, naming it */
    snprintf(path, sizeof path, "%s/5_amy_0.wav", tmp);
    f = fopen(path, "w"); fputs("this is not audio\n", f); fclose(f);
    fsdd_index_free(&ix);
    CHECK(fsdd_scan(tmp, &ix, err, sizeof err) == 0 && ix.n == 5);
    MelParams p; mel_default_params(&p);
    int all5[5] = {0, 1, 2, 3, 4};
    Dataset *d = fsdd_load(&ix, all5, 5, &p, err, sizeof err);
    CHECK(d == NULL);
    CHECKF(strstr(err, "5_amy_0.wav") && !strchr(err, '\n'), "%s", err);
    int four[4] = {0, 1, 2, 3};
    d = fsdd_load(&ix, four, 4, &p, err, sizeof err);
    CHECKF(d && d->n == 4 && d->c == 1 && d->h == 40 && d->w == 96, "%s", err);
    ds_free(d);
    fsdd_index_free(&ix);
    for (int i = 0; i < 4; i++) { snprintf(path, sizeof path, "%s/%s", tmp, files[i]); unlink(path); }
    snprintf(path, sizeof path, "%s/5_amy_0.wav", tmp); unlink(path);
    snprintf(path, sizeof path, "%s/notes.txt", tmp); unlink(path);
    CHECK(fsdd_scan(tmp, &ix, err, sizeof err) == -1 && strstr(err, "no FSDD"));
    rmdir(tmp);
    CHECK(fsdd_scan("/nonexistent/fsdd", &ix, err, sizeof err) == -1 && strstr(err, "/nonexistent/fsdd"));

    /* --- the real dataset --- */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fsdd/recordings", test_data_dir());
    int rc = fsdd_scan(dir, &ix, err, sizeof err);
    CHECKF(rc == 0, "%s (set UNLEARN_DATA)", err);
    if (rc) TEST_DONE("test_fsdd");
    CHECKF(ix.n == 3000 && ix.n_speakers == 6, "n=%d speakers=%d", ix.n, ix.n_speakers);
    char sp[256]; fsdd_speakers_string(&ix, sp, sizeof sp);
    printf("  %d files, speakers: %s\n", ix.n, sp);
    CHECK(!strcmp(sp, "george,jackson,lucas,nicolas,theo,yweweler"));

    int *tr, *te, ntr, nte;
    CHECK(fsdd_split(&ix, NULL, &tr, &ntr, &te, &nte, err, sizeof err) == 0);
    CHECKF(ntr == 2700 && nte == 300, "upstream %d/%d", ntr, nte);
    int ok = 1, per[6][10] = {{0}};
    for (int i = 0; i < nte; i++) { ok &= ix.take[te[i]] < 5; per[ix.speaker[te[i]]][ix.digit[te[i]]]++; }
    for (int i = 0; i < ntr; i++) ok &= ix.take[tr[i]] >= 5;
    CHECK(ok);
    ok = 1;
    for (int s = 0; s < 6; s++) for (int c = 0; c < 10; c++) ok &= per[s][c] == 5;
    CHECK(ok);
    int *mark = calloc((size_t)ix.n, sizeof(int));
    for (int i = 0; i < ntr; i++) mark[tr[i]]++;
    for (int i = 0; i < nte; i++) mark[te[i]] += 2;
    ok = 1; for (int i = 0; i < ix.n; i++) ok &= mark[i] == 1 || mark[i] == 2;   /* each file exactly once */
    CHECK(ok);
    free(tr); free(te);
    CHECK(fsdd_split(&ix, "upstream", &tr, &ntr, &te, &nte, err, sizeof err) == 0 && ntr == 2700);
    free(tr); free(te);

    for (int s = 0; s < ix.n_speakers; s++) {
        CHECK(fsdd_split(&ix, ix.speakers[s], &tr, &ntr, &te, &nte, err, sizeof err) == 0);
        CHECKF(ntr == 2500 && nte == 500, "holdout %s: %d/%d", ix.speakers[s], ntr, nte);
        ok = 1;
        for (int i = 0; i < ntr; i++) ok &= ix.speaker[tr[i]] != s;
        for (int i = 0; i < nte; i++) ok &= ix.speaker[te[i]] == s && !contains(tr, ntr, te[i]);
        CHECKF(ok, "holdout %s leaks", ix.speakers[s]);
        free(tr); free(te);
    }
    CHECK(fsdd_split(&ix, "bob", &tr, &ntr, &te, &nte, err, sizeof err) == -1 && strstr(err, "bob") && strstr(err, "theo"));
    CHECK(fsdd_speaker_id(&ix, "theo") == 4 && fsdd_speaker_id(&ix, "zzz") == -1);

    /* --- load everything (2 threads), then a subset single-threaded: identical --- */
    int *all = malloc(sizeof(int) * (size_t)ix.n);
    for (int i = 0; i < ix.n; i++) all[i] = i;
    double t0 = omp_get_wtime();
    d = fsdd_load(&ix, all, ix.n, &p, err, sizeof err);
    double t1 = omp_get_wtime();
    CHECKF(d != NULL, "%s", err);
    if (d) {
        printf("  featurised %d clips in %.2f s (%d threads)\n", d->n, t1 - t0, omp_get_max_threads());
        CHECK(d->n == 3000 && d->c == 1 && d->h == 40 && d->w == 96 && d->group);
        size_t ss = ds_sample_size(d);
        ok = 1;
        int per_digit[10] = {0};
        for (int i = 0; i < d->n; i++) {
            ok &= d->y[i] == ix.digit[i] && d->group[i] == ix.speaker[i];
            float mx = -9, mn = 9;
            for (size_t j = 0; j < ss; j++) { float v = d->x[i * ss + j]; if (v > mx) mx = v; if (v < mn) mn = v; }
            ok &= mx == 1.0f && mn >= -1.0f - 1e-6f;
            per_digit[d->y[i]]++;
        }
        CHECK(ok);
        ok = 1; for (int c = 0; c < 10; c++) ok &= per_digit[c] == 300;
        CHECK(ok);
        int sub[7] = {2999, 0, 17, 1500, 42, 2048, 999};
        omp_set_num_threads(1);
        Dataset *e = fsdd_load(&ix, sub, 7, &p, err, sizeof err);
        CHECK(e != NULL);
        if (e) {
            ok = 1;
            for (int i = 0; i < 7; i++) ok &= !memcmp(e->x + i * ss, d->x + (size_t)sub[i] * ss, ss * sizeof(float)) && e->y[i] == d->y[sub[i]];
            CHECK(ok);
            ds_free(e);
        }
        ds_free(d);
    }
    free(all); free(mark);
    fsdd_index_free(&ix);
    mel_cleanup();
    TEST_DONE("test_fsdd");
}
