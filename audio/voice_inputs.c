/* voice_inputs.c — read the recordings of a voices experiment and check the held-out rule (see voice_inputs.h). */
#include "voice_inputs.h"
#include "voice_folds.h"
#include <limits.h>
#include <string.h>

void voice_inputs_free(VoiceInputs *in) {
    voice_clips_free(&in->fsdd);
    voice_clips_free(&in->synth);
    voice_clips_free(&in->test);
}

int voice_inputs_load(const char *data_opt, const char *synth_dir, const char *test_dir, VoiceInputs *in,
                      char *err, size_t errlen) {
    memset(in, 0, sizeof *in);
    char rec[PATH_MAX];
    if (fsdd_find_dir(data_opt, rec, sizeof rec, err, errlen) || voice_clips_read(rec, &in->fsdd, err, errlen) ||
        (synth_dir && voice_clips_read(synth_dir, &in->synth, err, errlen)) ||
        (test_dir && voice_clips_read(test_dir, &in->test, err, errlen)) ||
        (synth_dir && voice_check_disjoint(&in->fsdd.ix, "FSDD", &in->synth.ix, "the synthetic training voices",
                                           err, errlen)) ||
        (test_dir && voice_check_disjoint(&in->fsdd.ix, "FSDD (the training speakers)", &in->test.ix,
                                          "the held-out voices", err, errlen)) ||
        (test_dir && synth_dir && voice_check_disjoint(&in->synth.ix, "the synthetic training voices",
                                                       &in->test.ix, "the held-out voices", err, errlen))) {
        voice_inputs_free(in);
        return -1;
    }
    return 0;
}
