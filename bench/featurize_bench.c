/* featurize_bench.c — featurisation throughput over the FSDD recordings.
 *
 *   featurize_bench [RECORDINGS_DIR] [REPEATS] [NORM]
 *
 * NORM: the per-utterance normalisation (max, the default; meanstd; cmvn).
 * Reads and featurises every clip (wav_read + mel_features: the default
 * parameters, 40 mels x 96 frames), OpenMP across clips ($OMP_NUM_THREADS),
 * REPEATS times (default 5; the first, untimed pass warms the page cache), and
 * reports the best pass.  Also times features alone on audio already in memory.
 * Last line (machine-readable, read by bench/run.sh):
 *   featurize ours clips_per_s=... rtf=... x_realtime=... features_only_clips_per_s=... clips=... audio_s=... threads=...
 * rtf = processing seconds / audio seconds (lower is faster).
 * Built by `make bench` ($(BUILD)/bench/featurize_bench), or standalone:
 *   gcc -std=c11 -D_GNU_SOURCE -O3 -march=native -fopenmp -Isrc -Iaudio bench/featurize_bench.c \
 *       audio/wav.c audio/melspec.c audio/fsdd.c src/dataset.c src/rng.c -o featurize_bench \
 *       -lfftw3f -lsndfile -lsamplerate -lm
 */
#include "fsdd.h"
#include "melspec.h"
#include "wav.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char dir[1024], err[1024];
    if (argc > 1) snprintf(dir, sizeof dir, "%s", argv[1]);
    else {
        const char *d = getenv("UNLEARN_DATA");
        snprintf(dir, sizeof dir, "%s/fsdd/recordings", d && *d ? d : "../shared/datasets");
    }
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (reps < 1) reps = 1;
    FsddIndex ix;
    if (fsdd_scan(dir, &ix, err, sizeof err)) { fprintf(stderr, "featurize_bench: %s\n", err); return 1; }
    MelParams p; mel_default_params(&p);
    if (argc > 3 && mel_norm_parse(argv[3]) < 0) { fprintf(stderr, "featurize_bench: unknown norm '%s'\n", argv[3]); return 2; }
    if (argc > 3) p.norm = (MelNorm)mel_norm_parse(argv[3]);
    MelBank *b = mel_bank_new(&p, err, sizeof err);
    if (!b) { fprintf(stderr, "featurize_bench: %s\n", err); return 1; }
    int n = ix.n;
    size_t fs = (size_t)p.n_mels * p.frames;
    float *feat = malloc(sizeof(float) * fs * (size_t)n);
    float **wave = calloc((size_t)n, sizeof(float *));
    int *len = calloc((size_t)n, sizeof(int));
    if (!feat || !wave || !len) { fprintf(stderr, "featurize_bench: out of memory\n"); return 1; }
    int bad = 0;
    /* untimed pass: warms the page cache, keeps the audio for the features-only timing */
    #pragma omp parallel for schedule(dynamic, 8) reduction(+:bad)
    for (int i = 0; i < n; i++) {
        char e[512];
        if (wav_read(ix.path[i], p.sr, &wave[i], &len[i], NULL, e, sizeof e)) { fprintf(stderr, "%s\n", e); bad++; }
    }
    if (bad) { fprintf(stderr, "featurize_bench: %d clips refused\n", bad); return 1; }
    memset(feat, 0, sizeof(float) * fs * (size_t)n);  /* first touch outside the timing (page faults) */
    double audio_s = 0;
    for (int i = 0; i < n; i++) audio_s += (double)len[i] / p.sr;

    double best = 1e30, best_f = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = omp_get_wtime();
        #pragma omp parallel for schedule(dynamic, 8) reduction(+:bad)
        for (int i = 0; i < n; i++) {
            char e[512];
            if (mel_file_features(b, ix.path[i], feat + (size_t)i * fs, e, sizeof e)) bad++;
        }
        double t1 = omp_get_wtime();
        #pragma omp parallel for schedule(dynamic, 8)
        for (int i = 0; i < n; i++) mel_features(b, wave[i], len[i], feat + (size_t)i * fs);
        double t2 = omp_get_wtime();
        if (t1 - t0 < best) best = t1 - t0;
        if (t2 - t1 < best_f) best_f = t2 - t1;
    }
    if (bad) { fprintf(stderr, "featurize_bench: clips refused during timing\n"); return 1; }
    double cs = 0; for (size_t i = 0; i < fs * (size_t)n; i++) cs += feat[i];   /* keep the work observable */
    fprintf(stderr, "featurize_bench: %d clips, %.1f s of audio, best of %d: read+features %.3f s, features only %.3f s (checksum %.3f)\n",
            n, audio_s, reps, best, best_f, cs);
    printf("featurize ours clips_per_s=%.1f rtf=%.3g x_realtime=%.0f features_only_clips_per_s=%.1f clips=%d audio_s=%.1f threads=%d\n",
           n / best, best / audio_s, audio_s / best, n / best_f, n, audio_s, omp_get_max_threads());
    for (int i = 0; i < n; i++) free(wave[i]);
    free(wave); free(len); free(feat);
    mel_bank_free(b);
    fsdd_index_free(&ix);
    mel_cleanup();
    return 0;
}
