/* voice_recipe.h — a speech training recipe meant to carry over to speakers it never heard.
 *
 * A recipe is: the front end (the per-utterance normalisation of the log-mel, melspec.h),
 * `copies` waveform-augmented copies of every training clip besides the clean one (speed,
 * gain, white noise: augment_wave, drawn once per clip and copy from the seed), on-the-fly
 * feature augmentation of every batch (time shift, SpecAugment masks, VTLP: augment_features),
 * an optional folder of synthetic training voices, and a step budget.
 *
 * The budget is counted in passes over the *FSDD training clips*, whatever the copies and the
 * synthetic voices add: steps = epochs * ceil(n_fsdd_train / batch).  So two recipes given the
 * same epochs cost the same training compute and differ only in what they train on.
 *
 * "today" is the recipe speech-unlearn's pretrain uses (max-normalised log-mel, shift + masks,
 * 15 epochs); "voices" is the speaker-robust one this file proposes (see voice_recipe_voices).
 */
#ifndef VOICE_RECIPE_H
#define VOICE_RECIPE_H
#include <stddef.h>
#include <stdint.h>
#include "augment.h"
#include "cli.h"
#include "melspec.h"

typedef struct {
    MelNorm norm;             /* front end */
    int copies;               /* waveform-augmented copies per training clip (0..16) */
    AugmentConfig wave;       /* speed, gain_db, noise_snr_* of the copies */
    AugmentConfig feat;       /* every batch: time_shift, masks, vtlp */
    const char *synth_dir;    /* extra training voices, FSDD-named WAVs (NULL: none) */
    int epochs;               /* budget in passes over the FSDD training clips */
    uint64_t seed;            /* init, batch order, every augmentation */
    const char *net;          /* net spec name or path */
} VoiceRecipe;

/* Today's recipe: max norm, no copies, augment_default on the fly, no synthetic voices, 15 epochs. */
void voice_recipe_today(VoiceRecipe *r);
/* The speaker-robust recipe (its settings and why: voice_recipe.c). */
void voice_recipe_voices(VoiceRecipe *r);

/* The recipe options every voices command takes (for CliOpt arrays) and their --help lines. */
#define VOICE_RECIPE_OPTS {"recipe", 1, 0}, {"norm", 1, 0}, {"copies", 1, 0}, {"speed", 1, 0}, \
    {"gain-db", 1, 0}, {"snr", 1, 0}, {"vtlp", 1, 0}, {"synth", 1, 0}, {"epochs", 1, 0}, {"seed", 1, 0}, \
    {"net", 1, 0}, {"no-specaugment", 0, 0}
extern const char *voice_recipe_help;

/* Start from --recipe (today|voices, default def) and apply the other recipe options.
 * 0, or -1 with one line in err (a usage error). */
int voice_recipe_from_opts(const CliOpt *o, const char *def, VoiceRecipe *r, char *err, size_t errlen);
/* Apply one "key=value" setting (the keys of voice_recipe_string), for the ablation's rows.
 * 0 or -1 with err. */
int voice_recipe_set(VoiceRecipe *r, const char *kv, char *err, size_t errlen);
/* One line naming every setting: "norm=max copies=0 speed=0 gain=0 snr=0:0 vtlp=0 shift=8 masks=2x8,2x5
 * synth=none epochs=15 seed=1 net=speech". */
void voice_recipe_string(const VoiceRecipe *r, char *buf, size_t len);
/* The mel parameters of the recipe's front end (speech_mel_params with its norm). */
void voice_recipe_mel(const VoiceRecipe *r, MelParams *p);
#endif
