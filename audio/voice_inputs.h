/* voice_inputs.h — the recordings a voices experiment reads: FSDD, the synthetic training voices,
 * a folder of held-out voices to test on; the held-out rule checked once they are listed. */
#ifndef VOICE_INPUTS_H
#define VOICE_INPUTS_H
#include <stddef.h>
#include "voice_data.h"

typedef struct {
    VoiceClips fsdd;
    VoiceClips synth;       /* synthetic training voices (ix.n = 0: none) */
    VoiceClips test;        /* held-out voices (ix.n = 0: none) */
} VoiceInputs;

/* Read FSDD (fsdd_find_dir(data_opt)), synth_dir and test_dir (NULL: none).  Refuses a test folder
 * sharing a speaker with FSDD or the synthetic training voices, and synthetic training voices
 * named like an FSDD speaker (so a fold's held-out speaker can never come back through them).
 * 0 or -1 with err. */
int voice_inputs_load(const char *data_opt, const char *synth_dir, const char *test_dir, VoiceInputs *in,
                      char *err, size_t errlen);
void voice_inputs_free(VoiceInputs *in);
#endif
