/* voice_train.h — train one speech model under a VoiceRecipe and score it on clean clips: the unit
 * that loso and ablate repeat for every fold. */
#ifndef VOICE_TRAIN_H
#define VOICE_TRAIN_H
#include <stddef.h>
#include "classmap.h"
#include "modality.h"
#include "net.h"
#include "voice_data.h"
#include "voice_recipe.h"
#include "voice_score.h"

typedef struct {
    int n_fsdd, n_synth;   /* clean training clips of the model's classes: FSDD, synthetic */
    int n_samples;         /* training samples with the copies */
    long steps;
    double seconds;        /* featurisation + training */
} VoiceTrainInfo;

/* Train a fresh net (r->net, initialised from r->seed) on the FSDD clips tr[0..ntr) of fsdd plus
 * every clip of synth (NULL: none), each with r->copies augmented copies, classes cm, for
 * r->epochs * ceil(n_fsdd / batch) steps of m's recipe optimiser.  The net or NULL with err. */
Net *voice_train(const Modality *m, const VoiceRecipe *r, const ClassMap *cm, const VoiceClips *fsdd,
                 const int *tr, int ntr, const VoiceClips *synth, int verbose, VoiceTrainInfo *info,
                 char *err, size_t errlen);
/* Score net on clips idx[0..n) of c (idx NULL: all), featurised clean with r's front end; groups are
 * c's speaker indexes.  0 or -1 with err. */
int voice_eval_clips(Net *net, const ClassMap *cm, const VoiceRecipe *r, const VoiceClips *c, const int *idx,
                     int n, VoiceScore *s, char *err, size_t errlen);
#endif
