/* voice_data.c — recordings in memory and their (augmented) features (see voice_data.h). */
#include "voice_data.h"
#include "wav.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void voice_clips_free(VoiceClips *c) {
    if (c->wave)
        for (int i = 0; i < c->ix.n; i++) free(c->wave[i]);
    free(c->wave);
    free(c->len);
    fsdd_index_free(&c->ix);
    memset(c, 0, sizeof *c);
}

int voice_clips_read(const char *dir, VoiceClips *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    if (fsdd_scan(dir, &c->ix, err, errlen)) return -1;
    int n = c->ix.n, first_bad = n;
    c->wave = calloc((size_t)n, sizeof(float *));
    c->len = calloc((size_t)n, sizeof(int));
    if (!c->wave || !c->len) { voice_clips_free(c); snprintf(err, errlen, "out of memory"); return -1; }
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < n; i++) {
        char e[512];
        if (wav_read(c->ix.path[i], 8000, &c->wave[i], &c->len[i], NULL, e, sizeof e)) {
            #pragma omp critical(voice_clips_err)
            if (i < first_bad) { first_bad = i; snprintf(err, errlen, "%s", e); }
        }
    }
    if (first_bad < n) { voice_clips_free(c); return -1; }
    return 0;
}

uint64_t voice_copy_seed(uint64_t seed, const char *path, int k) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a of the base name */
    for (; *b; b++) h = (h ^ (unsigned char)*b) * 1099511628211ULL;
    uint64_t s = seed ^ h ^ ((uint64_t)k * 0x9e3779b97f4a7c15ULL);
    return splitmix64(&s);
}

/* Features of one clip (copy 0: clean) into out.  0 or -1 with err. */
static int clip_features(const MelBank *b, const VoiceClips *c, int i, const AugmentConfig *wave, int k,
                         uint64_t seed, float *out, char *err, size_t errlen) {
    if (k == 0) {
        if (mel_features(b, c->wave[i], c->len[i], out) >= 0) return 0;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    Rng r;
    rng_seed(&r, voice_copy_seed(seed, c->ix.path[i], k));
    float *y; int ny;
    if (augment_wave(c->wave[i], c->len[i], wave, &r, &y, &ny, err, errlen)) return -1;
    int rc = mel_features(b, y, ny, out);
    free(y);
    if (rc < 0) { snprintf(err, errlen, "out of memory"); return -1; }
    return 0;
}

Dataset *voice_featurise(const VoiceClips *c, const int *idx, int n, const MelParams *p,
                         const AugmentConfig *wave, int copies, uint64_t seed, int group_offset,
                         char *err, size_t errlen) {
    MelBank *bank = mel_bank_new(p, err, errlen);
    if (!bank) return NULL;
    int N = n * (1 + copies), first_bad = N;
    Dataset *d = ds_new(N, 1, p->n_mels, p->frames);
    if (d) d->group = malloc(sizeof(int) * (size_t)(N ? N : 1));
    if (!d || !d->group) { ds_free(d); mel_bank_free(bank); snprintf(err, errlen, "out of memory"); return NULL; }
    size_t ss = ds_sample_size(d);
    #pragma omp parallel for schedule(dynamic, 16)
    for (int j = 0; j < N; j++) {
        int i = idx[j % n], k = j / n;
        char e[512];
        d->y[j] = c->ix.digit[i];
        d->group[j] = c->ix.speaker[i] + group_offset;
        if (clip_features(bank, c, i, wave, k, seed, d->x + (size_t)j * ss, e, sizeof e)) {
            #pragma omp critical(voice_feat_err)
            if (j < first_bad) { first_bad = j; snprintf(err, errlen, "%s", e); }
        }
    }
    mel_bank_free(bank);
    if (first_bad < N) { ds_free(d); return NULL; }
    return d;
}

Dataset *voice_featurise_all(const VoiceClips *c, const MelParams *p, char *err, size_t errlen) {
    int *idx = malloc(sizeof(int) * (size_t)(c->ix.n ? c->ix.n : 1));
    if (!idx) { snprintf(err, errlen, "out of memory"); return NULL; }
    for (int i = 0; i < c->ix.n; i++) idx[i] = i;
    Dataset *d = voice_featurise(c, idx, c->ix.n, p, NULL, 0, 0, 0, err, errlen);
    free(idx);
    return d;
}
