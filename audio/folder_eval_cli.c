/* folder_eval_cli.c — `speech-unlearn eval-folder`: score a model on a folder of
 * {digit}_{speaker}_{take}.wav recordings (speakers the model never heard), per digit and per speaker. */
#include "folder_eval_cli.h"
#include "escape.h"
#include "report.h"
#include "safetensors.h"
#include "services.h"
#include "voice_folder.h"
#include "voice_recipe.h"
#include "voice_score.h"
#include "voice_train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(const Modality *m) {
    printf("usage: %s eval-folder --model FILE --folder DIR [options]\n\n"
           "Score a model on your own recordings: every file of DIR must be a WAV named\n"
           "{digit}_{speaker}_{take}.wav (e.g. 7_anna_0.wav; dot files are ignored), at most %g s long.\n"
           "Prints the accuracy per digit, per speaker and overall.  The clips are featurised with the\n"
           "model's own front end (the 'voices' note loso writes into its models; max otherwise).\n\n"
           "  --model FILE        the checkpoint\n"
           "  --folder DIR        the recordings\n"
           "  --skip-unknown      score only clips of digits the model has a slot for (default: such a\n"
           "                      clip is refused, since the model cannot say its digit)\n"
           "  --max-seconds X     longest clip accepted (default %g)\n"
           "  --json FILE         also write the scores as JSON\n"
           "  --threads N         CPU threads (default: all cores)\n\n"
           "Refused, with one line naming the file: a name that is not {digit}_{speaker}_{take}.wav, an\n"
           "entry that is not a regular file, audio that does not decode (not a WAV, truncated, empty, all\n"
           "silence, samples out of range), a clip longer than --max-seconds, an empty folder.\n",
           m->program, VOICE_FOLDER_MAX_SECONDS, VOICE_FOLDER_MAX_SECONDS);
    fputs(CLI_EXIT_HELP, stdout);
}

/* The model's front end: "norm=<name>" at the start of its "voices" metadata, else max.  0 or -1. */
static int model_norm(const char *path, MelNorm *norm, char *err, size_t errlen) {
    StFile f;
    *norm = MEL_NORM_MAX;
    if (st_read(path, &f, err, errlen)) return -1;
    const char *v = st_meta(&f, "voices");
    int rc = 0;
    if (v && !strncmp(v, "norm=", 5)) {
        char name[16];
        size_t k = strcspn(v + 5, " ");
        snprintf(name, sizeof name, "%.*s", (int)(k < 15 ? k : 15), v + 5);
        int n = mel_norm_parse(name);
        if (n < 0) { snprintf(err, errlen, "%s: unknown front end '%s' in its metadata", esc(path), esc(name)); rc = -1; }
        else *norm = (MelNorm)n;
    }
    st_free(&f);
    return rc;
}

/* Refuse the first clip whose digit has no slot (unless skipping).  0 or -1 with err. */
static int check_digits(const VoiceClips *c, const ClassMap *cm, int skip, char *err, size_t errlen) {
    for (int i = 0; i < c->ix.n && !skip; i++)
        if (classmap_slot(cm, c->ix.digit[i]) < 0) {
            char cl[256];
            classmap_format(cm, cl, sizeof cl);
            snprintf(err, errlen, "%s: digit %d has no output slot in the model (its classes: %s); "
                     "--skip-unknown scores the other clips", esc(c->ix.path[i]), c->ix.digit[i], cl);
            return -1;
        }
    return 0;
}

static int write_json(const char *path, const char *model, const char *folder, const VoiceScore *s,
                      char *const *speakers, char *err, size_t errlen) {
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "model"); jw_str(&w, model);
    jw_key(&w, "folder"); jw_str(&w, folder);
    jw_key(&w, "score"); voice_score_json(&w, s, speakers);
    jw_end(&w);
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

/* Load, check, score, print.  0 or -1 with err. */
static int run(const Modality *m, const CliOpt *o, double max_s, char *err, size_t errlen) {
    const char *path = cli_str(o, "model", NULL), *dir = cli_str(o, "folder", NULL), *json = cli_str(o, "json", NULL);
    ClassMap cm;
    VoiceRecipe r;
    voice_recipe_today(&r);
    VoiceClips c;
    Net *net = svc_load_model(m, path, &cm, err, errlen);
    if (!net) return -1;
    int rc = model_norm(path, &r.norm, err, errlen);
    if (!rc) rc = voice_folder_read(dir, max_s, &c, err, errlen);
    if (rc) { net_free(net); return -1; }
    MelParams p;
    voice_recipe_mel(&r, &p);
    VoiceScore s = {0};
    if (net->in_c != 1 || net->in_h != p.n_mels || net->in_w != p.frames) {
        snprintf(err, errlen, "%s: the model's input is %dx%dx%d, not the 1x%dx%d of the speech features", esc(path),
                 net->in_c, net->in_h, net->in_w, p.n_mels, p.frames);
        rc = -1;
    }
    if (!rc) rc = check_digits(&c, &cm, cli_flag(o, "skip-unknown"), err, errlen);
    if (!rc) rc = voice_eval_clips(net, &cm, &r, &c, NULL, 0, &s, err, errlen);
    if (!rc) {
        printf("%s on %s (front end %s): %d clips, %d speakers\n\n", esc(path), esc(dir), mel_norm_name(r.norm),
               c.ix.n, c.ix.n_speakers);
        voice_score_table(stdout, &s, c.ix.speakers);
        if (s.unscored) printf("skipped %ld clips of digits the model has no slot for\n", s.unscored);
        if (json && !(rc = write_json(json, path, dir, &s, c.ix.speakers, err, errlen))) printf("wrote %s\n", esc(json));
    }
    voice_score_free(&s);
    voice_clips_free(&c);
    net_free(net);
    return rc;
}

int cmd_eval_folder(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"model", 1, 0}, {"folder", 1, 0}, {"skip-unknown", 0, 0}, {"max-seconds", 1, 0},
                  {"json", 1, 0}, {"threads", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s eval-folder: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { help(m); return 0; }
    long threads;
    double max_s;
    const char *json = cli_str(o, "json", NULL);
    if (svc_threads_opt(o, &threads, err, sizeof err) ||
        cli_float(o, "max-seconds", VOICE_FOLDER_MAX_SECONDS, 0.1, 3600, &max_s, err, sizeof err) ||
        (json && svc_check_outputs(&json, 1, err, sizeof err))) {
        fprintf(stderr, "%s eval-folder: %s\n", m->program, err);
        return 2;
    }
    if (!cli_str(o, "model", NULL) || !cli_str(o, "folder", NULL)) {
        fprintf(stderr, "%s eval-folder: --model FILE and --folder DIR are required\n", m->program);
        return 2;
    }
    svc_set_threads((int)threads);
    if (run(m, o, max_s, err, sizeof err)) { fprintf(stderr, "%s eval-folder: %s\n", m->program, err); return 1; }
    return 0;
}
