/* speech_modality.h — the audio modality (FSDD spoken digits) for the shared driver.
 *
 * Samples are log-mel spectrograms [1][n_mels 40][frames 96] (melspec.h
 * defaults, per-utterance max normalisation), computed once per recordings
 * folder into the feature cache (audio/featcache.h) and reused afterwards.
 * --split: "upstream" (default; takes 0-4 test) or a speaker name (that
 * speaker's recordings are the test set, the other five train). */
#ifndef SPEECH_MODALITY_H
#define SPEECH_MODALITY_H
#include "modality.h"
#include "melspec.h"
extern const Modality speech_modality;
/* The feature parameters the speech modality trains on (and unlearn-prep
 * caches by default). */
void speech_mel_params(MelParams *p);
#endif
