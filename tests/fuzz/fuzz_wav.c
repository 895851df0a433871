/* fuzz_wav — libFuzzer harness: wav_read (libsndfile + our checks + resampling) and
 * the speech log-mel features of whatever it accepts. */
#include "fuzz_common.h"
#include "wav.h"
#include <math.h>
#include "melspec.h"
#include "speech_modality.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static MelBank *bank;
    static MelParams p;
    if (!bank) {
        char e[256];
        speech_mel_params(&p);
        bank = mel_bank_new(&p, e, sizeof e);
        if (!bank) { fprintf(stderr, "%s\n", e); abort(); }
    }
    const char *path = fuzz_as_file(data, size);
    char err[512];
    float *x = NULL; int n = 0, sr = 0;
    /* keep the file's rate (no resampling of huge inputs), then the 8 kHz features */
    if (wav_read(path, 0, &x, &n, &sr, err, sizeof err) == 0) {
        for (int i = 0; i < n; i++) if (!(x[i] >= -1.0f && x[i] <= 1.0f)) abort();   /* wav.h's promise */
        free(x);
        if (n <= 1 << 18) {
            float *f = malloc(sizeof(float) * (size_t)p.n_mels * p.frames);
            if (mel_file_features(bank, path, f, err, sizeof err) == 0)
                for (int i = 0; i < p.n_mels * p.frames; i++) if (!isfinite(f[i])) abort();
            free(f);
        }
    }
    return 0;
}
