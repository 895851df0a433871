/* prep_synth.h — synthesise FSDD-named spoken digits with espeak-ng. */
#ifndef PREP_SYNTH_H
#define PREP_SYNTH_H
#include <stddef.h>
#include <stdio.h>
typedef struct {
    const char *espeak;         /* espeak-ng executable (NULL: "espeak-ng" in PATH) */
    const char *out_dir;        /* where the WAVs go (created) */
    const char *const *voices;  /* NULL-terminated; NULL: synth_default_voices */
    const char *const *variants;/* NULL-terminated, "" = the voice's own; NULL: synth_default_variants */
    const int *digits; int n_digits;   /* NULL: 0..9 */
    int takes;                  /* pitch/speed settings per voice+variant, 1..9 (0: 9) */
    int sr;                     /* output rate [8000] */
    int jobs;                   /* parallel espeak-ng processes (0: 2) */
} SynthOptions;
extern const char *const synth_default_voices[];   /* 8 native English voices */
extern const char *const synth_default_variants[]; /* "", "m3", "f2", "f4" */
extern const char *const synth_words[10];          /* "zero" .. "nine" */
/* take t -> espeak-ng pitch (-p, 0..99) and speed (-s, words per minute) */
void synth_take_setting(int take, int *pitch, int *speed);
/* Speaker name for voice+variant: "tts-<voice>[-<variant>]". */
void synth_speaker_name(const char *voice, const char *variant, char *out, size_t len);

/* Synthesise every voice x variant x digit x take into out_dir as
 * {digit}_{speaker}_{take}.wav: espeak-ng writes a 22.05 kHz WAV, which is
 * trimmed of leading/trailing silence (below -40 dB of the peak, 10 ms kept),
 * resampled to sr with libsamplerate (SRC_SINC_BEST_QUALITY), peak-normalised
 * to 0.9 and written as 16-bit PCM without dither.  Existing files are
 * regenerated.  Returns the number of files written, or -1 with err (espeak-ng
 * missing: the message says how to install it). */
int prep_synth(const SynthOptions *o, FILE *log, char *err, size_t errlen);
#endif
