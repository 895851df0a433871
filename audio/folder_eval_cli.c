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
           "  --forget C          also report where the clips of digit C land: the share said to be C, or,\n"
           "                      when the model has no slot for C, the share in the slot of --learn L\n"
           "                      (the class that replaced it: the leakage of an unlearned model)\n"
           "  --learn L           the class in C's old slot (with --forget)\n"
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

/* Refuse the first clip whose digit has no slot (unless skipping; the --forget digit is reported apart).
 * 0 or -1 with err. */
static int check_digits(const VoiceClips *c, const ClassMap *cm, int skip, int forget, char *err, size_t errlen) {
    for (int i = 0; i < c->ix.n && !skip; i++)
        if (classmap_slot(cm, c->ix.digit[i]) < 0 && c->ix.digit[i] != forget) {
            char cl[256];
            classmap_format(cm, cl, sizeof cl);
            snprintf(err, errlen, "%s: digit %d has no output slot in the model (its classes: %s); "
                     "--skip-unknown scores the other clips", esc(c->ix.path[i]), c->ix.digit[i], cl);
            return -1;
        }
    return 0;
}

/* Where the clips of the forgotten digit land (--forget C [--learn L]). */
typedef struct {
    int digit, slot, slot_class;   /* digit -1: not asked */
    long n, in_slot;
    double share;                  /* in_slot / n (0 when n = 0) */
} ForgetShare;

/* Score the clips of f->digit against the slot that is (or replaced) it.  0, or -1 with err. */
static int forget_share(Net *net, const ClassMap *cm, const VoiceRecipe *r, const VoiceClips *c, int learn,
                        ForgetShare *f, char *err, size_t errlen) {
    const int C = f->digit;
    f->slot = classmap_slot(cm, C);
    if (f->slot < 0 && learn >= 0) f->slot = classmap_slot(cm, learn);
    if (f->slot < 0) {
        snprintf(err, errlen, learn >= 0 ? "the model has no slot for digit %d nor for digit %d (--learn)"
                                         : "the model has no slot for digit %d; say which class replaced it with --learn",
                 C, learn);
        return -1;
    }
    f->slot_class = cm->slot_class[f->slot];
    int *idx = malloc(sizeof(int) * (size_t)(c->ix.n ? c->ix.n : 1)), n = 0;
    if (!idx) { snprintf(err, errlen, "out of memory"); return -1; }
    for (int i = 0; i < c->ix.n; i++)
        if (c->ix.digit[i] == C) idx[n++] = i;
    ClassMap as = *cm;   /* the slot read as C: a clip of C "correct" = said to be in that slot */
    as.slot_class[f->slot] = C;
    VoiceScore s = {0};
    int rc = n ? voice_eval_clips(net, &as, r, c, idx, n, &s, err, errlen) : 0;
    f->n = n;
    f->in_slot = n && !rc ? s.digit_ok[C] : 0;
    f->share = n ? (double)f->in_slot / (double)n : 0.0;
    voice_score_free(&s);
    free(idx);
    return rc;
}

static int write_json(const char *path, const char *model, const char *folder, const VoiceScore *s,
                      char *const *speakers, const ForgetShare *f, char *err, size_t errlen) {
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "model"); jw_str(&w, model);
    jw_key(&w, "folder"); jw_str(&w, folder);
    jw_key(&w, "score"); voice_score_json(&w, s, speakers);
    if (f->digit >= 0) {
        jw_key(&w, "forget");
        jw_object(&w, JW_INLINE);
        jw_key(&w, "digit"); jw_int(&w, f->digit);
        jw_key(&w, "slot"); jw_int(&w, f->slot);
        jw_key(&w, "slot_class"); jw_int(&w, f->slot_class);
        jw_key(&w, "n"); jw_int(&w, f->n);
        jw_key(&w, "in_slot"); jw_int(&w, f->in_slot);
        jw_key(&w, "share"); jw_num6(&w, f->share);
        jw_end(&w);
    }
    jw_end(&w);
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

/* Load, check, score, print.  0 or -1 with err. */
static int run(const Modality *m, const CliOpt *o, double max_s, int forget, int learn, char *err, size_t errlen) {
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
    ForgetShare f = {.digit = forget};
    if (!rc) rc = check_digits(&c, &cm, cli_flag(o, "skip-unknown"), forget, err, errlen);
    if (!rc && forget >= 0) rc = forget_share(net, &cm, &r, &c, learn, &f, err, errlen);
    if (!rc) rc = voice_eval_clips(net, &cm, &r, &c, NULL, 0, &s, err, errlen);
    if (!rc) {
        printf("%s on %s (front end %s): %d clips, %d speakers\n\n", esc(path), esc(dir), mel_norm_name(r.norm),
               c.ix.n, c.ix.n_speakers);
        voice_score_table(stdout, &s, c.ix.speakers);
        if (s.unscored) printf("skipped %ld clips of digits the model has no slot for\n", s.unscored);
        if (forget >= 0)
            printf("digit %d: %ld of its %ld clips in slot %d (class %d): %.1f%%\n", forget, f.in_slot, f.n, f.slot,
                   f.slot_class, 100.0 * f.share);
        if (json && !(rc = write_json(json, path, dir, &s, c.ix.speakers, &f, err, errlen))) printf("wrote %s\n", esc(json));
    }
    voice_score_free(&s);
    voice_clips_free(&c);
    net_free(net);
    return rc;
}

int cmd_eval_folder(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"model", 1, 0}, {"folder", 1, 0}, {"skip-unknown", 0, 0}, {"max-seconds", 1, 0}, {"forget", 1, 0},
                  {"learn", 1, 0},
                  {"json", 1, 0}, {"threads", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s eval-folder: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { help(m); return 0; }
    long threads, forget, learn;
    double max_s;
    const char *json = cli_str(o, "json", NULL);
    if (svc_threads_opt(o, &threads, err, sizeof err) ||
        cli_float(o, "max-seconds", VOICE_FOLDER_MAX_SECONDS, 0.1, 3600, &max_s, err, sizeof err) ||
        cli_int(o, "forget", -1, 0, 9, &forget, err, sizeof err) || cli_int(o, "learn", -1, 0, 9, &learn, err, sizeof err) ||
        (learn >= 0 && forget < 0 && snprintf(err, sizeof err, "--learn needs --forget") > 0) ||
        (json && svc_check_outputs(&json, 1, err, sizeof err))) {
        fprintf(stderr, "%s eval-folder: %s\n", m->program, err);
        return 2;
    }
    if (!cli_str(o, "model", NULL) || !cli_str(o, "folder", NULL)) {
        fprintf(stderr, "%s eval-folder: --model FILE and --folder DIR are required\n", m->program);
        return 2;
    }
    svc_set_threads((int)threads);
    if (run(m, o, max_s, (int)forget, (int)learn, err, sizeof err)) { fprintf(stderr, "%s eval-folder: %s\n", m->program, err); return 1; }
    return 0;
}
