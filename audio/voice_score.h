/* voice_score.h — accuracy of a model on FSDD-named clips, per digit and per speaker.
 * Clips whose digit has no output slot in the model are not scored: they are counted in
 * `unscored` (the commands decide whether such clips are refused or skipped). */
#ifndef VOICE_SCORE_H
#define VOICE_SCORE_H
#include <stdio.h>
#include "classmap.h"
#include "dataset.h"
#include "json.h"
#include "net.h"

#define VOICE_MAX_SPEAKERS 4096

typedef struct {
    long n, correct, unscored;
    long digit_n[10], digit_ok[10];
    int n_speakers;
    long *spk_n, *spk_ok;       /* [n_speakers] */
} VoiceScore;

/* Predict every sample of d (group = speaker index in [0, n_speakers)) and count.  0 or -1 (memory). */
int voice_score(Net *net, const ClassMap *cm, const Dataset *d, int n_speakers, VoiceScore *s);
void voice_score_free(VoiceScore *s);
/* correct / n (NaN when n = 0). */
double voice_acc(long ok, long n);
/* "digit" and "speaker" tables (speakers[] names the groups). */
void voice_score_table(FILE *f, const VoiceScore *s, char *const *speakers);
/* {"n":..,"correct":..,"accuracy":..,"unscored":..,"per_digit":{..},"per_speaker":{..}} as the next value. */
void voice_score_json(JsonWriter *w, const VoiceScore *s, char *const *speakers);
#endif
