/* voice_data.h — FSDD-named recordings held as waveforms in memory, and their features under a
 * recipe's front end: the clean clips, or with waveform-augmented copies drawn from a seed. */
#ifndef VOICE_DATA_H
#define VOICE_DATA_H
#include <stddef.h>
#include <stdint.h>
#include "augment.h"
#include "dataset.h"
#include "fsdd.h"
#include "melspec.h"

typedef struct {
    FsddIndex ix;     /* names, digits, speakers (fsdd_scan order) */
    float **wave;     /* [ix.n] mono samples at 8 kHz */
    int *len;         /* [ix.n] */
} VoiceClips;

/* Scan dir (fsdd_scan: names that do not parse are skipped) and read every recording at 8 kHz
 * (wav_read; OpenMP over files).  A recording that is refused fails the whole read, naming the
 * first such file.  0 or -1 with err. */
int voice_clips_read(const char *dir, VoiceClips *c, char *err, size_t errlen);
void voice_clips_free(VoiceClips *c);

/* The seed of copy k of the clip at path (its base name, so a clip's augmentation does not depend
 * on the folder, the fold or the other clips). */
uint64_t voice_copy_seed(uint64_t seed, const char *path, int k);

/* Features [n*(1+copies)][1][n_mels][frames] of clips idx[0..n) under p: first every clip clean,
 * then copy k = 1..copies of every clip, augmented by augment_wave(wave) from
 * voice_copy_seed(seed, path, k).  y = digit, group = speaker index + group_offset.
 * NULL with err (out of memory, bad mel parameters, a clip too short to augment). */
Dataset *voice_featurise(const VoiceClips *c, const int *idx, int n, const MelParams *p,
                         const AugmentConfig *wave, int copies, uint64_t seed, int group_offset,
                         char *err, size_t errlen);
/* All clips of c, clean. */
Dataset *voice_featurise_all(const VoiceClips *c, const MelParams *p, char *err, size_t errlen);
#endif
