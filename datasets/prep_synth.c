/* prep_synth.c — synthesise FSDD-named spoken digits with espeak-ng and libsamplerate (see prep_synth.h). */
#include "prep_synth.h"
#include "prep_run.h"
#include "prep_fmt.h"
#include "paths.h"
#include "fsdd.h"
#include "wav.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <samplerate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *const synth_default_voices[] = {"en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029",
                                            "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc", NULL};
const char *const synth_default_variants[] = {"", "m3", "f2", "f4", NULL};
const char *const synth_words[10] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

void synth_take_setting(int take, int *pitch, int *speed) {
    /* take 0 is the voice's default-like setting, then the corners and edges of
     * a 3x3 grid of pitch {35, 50, 65} x speed {145, 175, 205} wpm */
    static const int grid[9][2] = {{50, 175}, {35, 145}, {65, 205}, {35, 205}, {65, 145},
                                   {50, 145}, {50, 205}, {35, 175}, {65, 175}};
    int t = ((take % 9) + 9) % 9;
    *pitch = grid[t][0];
    *speed = grid[t][1];
}

void synth_speaker_name(const char *voice, const char *variant, char *out, size_t len) {
    if (variant && *variant) prep_fmt(out, len, "tts-%s-%s", voice, variant);
    else prep_fmt(out, len, "tts-%s", voice);
}

static int variant_known(const char *v) {
    static const char *dirs[] = {"/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
                                 "/usr/share/espeak-ng-data", "/usr/lib/espeak-ng-data", "/usr/local/share/espeak-ng-data"};
    int any = 0;
    const char *env = getenv("ESPEAK_DATA_PATH");
    char p[PATH_MAX + 64];
    if (env && *env) {
        prep_fmt(p, sizeof p, "%s/espeak-ng-data/voices/!v", env);
        if (path_is_dir(p)) { any = 1; prep_fmt(p, sizeof p, "%s/espeak-ng-data/voices/!v/%s", env, v); if (!access(p, R_OK)) return 1; }
    }
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        prep_fmt(p, sizeof p, "%s/voices/!v", dirs[i]);
        if (!path_is_dir(p)) continue;
        any = 1;
        prep_fmt(p, sizeof p, "%s/voices/!v/%s", dirs[i], v);
        if (!access(p, R_OK)) return 1;
    }
    return !any; /* no data folder found: cannot tell, let espeak-ng decide */
}

/* One utterance: espeak-ng -> 22.05 kHz WAV -> trim, resample, normalise -> out. */
static int synth_one(const char *espeak, const char *voice, const char *variant, int digit, int take, int sr,
                     const char *out, char *err, size_t errlen) {
    char v[128], ps[16], ss[16], raw[PATH_MAX + 32], tmp[PATH_MAX + 32];
    if (variant && *variant) prep_fmt(v, sizeof v, "%s+%s", voice, variant);
    else prep_fmt(v, sizeof v, "%s", voice);
    int pitch, speed;
    synth_take_setting(take, &pitch, &speed);
    prep_fmt(ps, sizeof ps, "%d", pitch);
    prep_fmt(ss, sizeof ss, "%d", speed);
    prep_fmt(raw, sizeof raw, "%s.espeak.wav", out);
    prep_fmt(tmp, sizeof tmp, "%s.tmp.wav", out);
    char *argv[] = {(char *)espeak, "-v", v, "-p", ps, "-s", ss, "-w", raw, (char *)synth_words[digit], NULL};
    int rc = prep_run(argv, 1);
    if (rc) {
        unlink(raw);
        prep_fmt(err, errlen, "espeak-ng -v %s failed (exit %d) for '%s'", v, rc, synth_words[digit]);
        return -1;
    }
    float *x = NULL, *y = NULL;
    int n = 0, m = 0, rate = 0;
    rc = wav_read(raw, 0, &x, &n, &rate, err, errlen);
    unlink(raw);
    if (rc) return -1;
    float peak = 0;
    for (int i = 0; i < n; i++) if (fabsf(x[i]) > peak) peak = fabsf(x[i]);
    float thr = peak * 0.01f; /* -40 dB */
    int a = 0, b = n;
    while (a < n && fabsf(x[a]) < thr) a++;
    while (b > a && fabsf(x[b - 1]) < thr) b--;
    int margin = rate / 100;
    a = a > margin ? a - margin : 0;
    b = b + margin < n ? b + margin : n;
    rc = wav_resample(x + a, b - a, (double)sr / rate, SRC_SINC_BEST_QUALITY, &y, &m, err, errlen);
    free(x);
    if (rc) return -1;
    float pk = 0;
    for (int i = 0; i < m; i++) if (fabsf(y[i]) > pk) pk = fabsf(y[i]);
    if (pk > 0) for (int i = 0; i < m; i++) y[i] *= 0.9f / pk;
    rc = wav_write(tmp, y, m, 1, sr, 0, err, errlen);
    free(y);
    if (rc) { unlink(tmp); return -1; }
    if (rename(tmp, out)) {
        prep_fmt(err, errlen, "%s: cannot rename into place (%s)", out, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int prep_synth(const SynthOptions *o, FILE *log, char *err, size_t errlen) {
    char espeak[PATH_MAX];
    const char *prog = o->espeak && *o->espeak ? o->espeak : "espeak-ng";
    if (prep_which(prog, espeak, sizeof espeak)) {
        prep_fmt(err, errlen, "%s not found: install it with 'apt-get install espeak-ng' (Debian/Ubuntu; "
                 "'dnf install espeak-ng' on Fedora, 'brew install espeak-ng' on macOS), or pass --espeak PATH", prog);
        return -1;
    }
    const char *const *voices = o->voices ? o->voices : synth_default_voices;
    const char *const *variants = o->variants ? o->variants : synth_default_variants;
    int all_digits[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int *digits = o->digits ? o->digits : all_digits;
    int nd = o->digits ? o->n_digits : 10;
    int takes = o->takes > 0 ? o->takes : 9;
    int sr = o->sr > 0 ? o->sr : 8000;
    int jobs = o->jobs > 0 ? o->jobs : 2;
    if (takes > 9) { prep_fmt(err, errlen, "--takes must be 1..9 (the pitch x speed grid)"); return -1; }
    int nv = 0, nvar = 0;
    while (voices[nv]) nv++;
    while (variants[nvar]) nvar++;
    if (!nv || !nvar || nd <= 0) { prep_fmt(err, errlen, "nothing to synthesise (no voices, variants or digits)"); return -1; }
    for (int i = 0; i < nvar; i++)
        if (*variants[i] && !variant_known(variants[i])) {
            prep_fmt(err, errlen, "unknown espeak-ng variant '%s' (see the voices/!v folder of espeak-ng-data)", variants[i]);
            return -1;
        }
    for (int i = 0; i < nd; i++)
        if (digits[i] < 0 || digits[i] > 9) { prep_fmt(err, errlen, "digit %d is not 0..9", digits[i]); return -1; }
    /* check each voice once, quickly, so a bad name fails with one clear line */
    for (int i = 0; i < nv; i++) {
        char *argv[] = {espeak, "-q", "-v", (char *)voices[i], "one", NULL};
        if (prep_run(argv, 1)) {
            prep_fmt(err, errlen, "espeak-ng does not know the voice '%s' (espeak-ng --voices=en lists them)", voices[i]);
            return -1;
        }
    }
    if (mkdir_p(o->out_dir, err, errlen)) return -1;
    long total = (long)nv * nvar * nd * takes;
    if (log)
        fprintf(log, "synth: %d voices x %d variants x %d digits x %d takes = %ld recordings -> %s\n", nv, nvar, nd,
                takes, total, o->out_dir);
    long done = 0, first_bad = total;
    char *bad_msg = calloc(1, errlen ? errlen : 1);
    #pragma omp parallel for num_threads(jobs) schedule(dynamic, 1)
    for (long j = 0; j < total; j++) {
        int t = (int)(j % takes), r = (int)(j / takes);
        int di = r % nd; r /= nd;
        int va = r % nvar, vo = r / nvar;
        char spk[FSDD_SPEAKER_MAX + 32], path[PATH_MAX + 128], e[1024];
        synth_speaker_name(voices[vo], variants[va], spk, sizeof spk);
        prep_fmt(path, sizeof path, "%s/%d_%s_%d.wav", o->out_dir, digits[di], spk, t);
        int rc = synth_one(espeak, voices[vo], variants[va], digits[di], t, sr, path, e, sizeof e);
        #pragma omp critical(prep_synth)
        {
            if (rc) { if (j < first_bad) { first_bad = j; if (bad_msg) prep_fmt(bad_msg, errlen, "%s", e); } }
            else done++;
        }
    }
    if (first_bad < total) {
        prep_fmt(err, errlen, "%s", bad_msg ? bad_msg : "synthesis failed");
        free(bad_msg);
        return -1;
    }
    free(bad_msg);
    return (int)done;
}
