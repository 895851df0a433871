/* loso_cli.c — `speech-unlearn loso`: train on five speakers, test on the sixth, for every speaker
 * (and "upstream" when asked), under one recipe; a table, JSON and CSV. */
#include "loso_cli.h"
#include "checkpoint.h"
#include "escape.h"
#include "loso_report.h"
#include "paths.h"
#include "services.h"
#include "voice_folds.h"
#include "voice_inputs.h"
#include "voice_train.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void loso_help(const Modality *m) {
    printf("usage: %s loso [options]\n\n"
           "Leave-one-speaker-out: for every FSDD speaker, train a model on the other speakers' clips\n"
           "(plus --synth voices) under one recipe and test it on every clip of the held-out speaker.\n"
           "Prints one row per fold, then the mean and the worst speaker.\n\n"
           "  --folds LIST        comma list of speakers, 'all' (every speaker: the default) and\n"
           "                      'upstream' (takes 0-4 of every speaker test, the rest train; not in\n"
           "                      the mean), e.g. all,upstream\n"
           "  --classes LIST      output slots (default %s)\n"
           "  --synth-test DIR    held-out voices ({digit}_{speaker}_{take}.wav): every fold's model is\n"
           "                      also scored on them; refused if one of them is a training speaker\n"
           "  --models DIR        keep each fold's model as DIR/loso-<fold>.safetensors\n"
           "  --json FILE         the folds as JSON      --csv FILE   one row per fold\n"
           "                      (both appear together at the end of the run, or neither does)\n"
           "%s"
           "  --data DIR          datasets folder (default: $UNLEARN_DATA, then ../shared/datasets)\n"
           "  --limit N           at most N clips of every (speaker, digit) in each fold's training and\n"
           "                      test sets (quick runs)\n"
           "  --threads N         CPU threads (default: all cores)\n"
           "  --quiet             no progress lines\n",
           m->program, m->default_classes, voice_recipe_help);
    fputs(CLI_EXIT_HELP, stdout);
}

/* Train and score one fold (progress on stderr unless quiet).  0 or -1 with err. */
static int run_fold(const Modality *m, const VoiceRecipe *r, const ClassMap *cm, const VoiceInputs *in,
                    const CliOpt *o, LosoFold *f, int i, int n, char *err, size_t errlen) {
    int *tr, *te, ntr, nte, quiet = cli_flag(o, "quiet");
    const char *models = cli_str(o, "models", NULL);
    long limit = atol(cli_str(o, "limit", "0"));
    if (voice_fold_split(&in->fsdd.ix, f->name, NULL, &tr, &ntr, &te, &nte, err, errlen)) return -1;
    ntr = voice_limit(&in->fsdd.ix, tr, ntr, (int)limit);
    nte = voice_limit(&in->fsdd.ix, te, nte, (int)limit);
    if (!quiet) fprintf(stderr, "%s loso: fold %d/%d (held out %s): training on %d FSDD clips + %d synthetic\n",
                        m->program, i + 1, n, esc(f->name), ntr, in->synth.ix.n);
    Net *net = voice_train(m, r, cm, &in->fsdd, tr, ntr, in->synth.ix.n ? &in->synth : NULL, 0, &f->info,
                           err, errlen);
    int rc = net ? voice_eval_clips(net, cm, r, &in->fsdd, te, nte, &f->score, err, errlen) : -1;
    if (!rc && in->test.ix.n) rc = voice_eval_clips(net, cm, r, &in->test, NULL, 0, &f->synth, err, errlen);
    if (!rc && models) {
        char path[PATH_MAX + 64], desc[1024];
        snprintf(path, sizeof path, "%s/loso-%s.safetensors", models, f->name);
        voice_recipe_string(r, desc, sizeof desc);
        rc = checkpoint_save(path, net, cm, m->name, "voices", desc, err, errlen);
    }
    if (!rc && !quiet) {
        fprintf(stderr, "%s loso: fold %d/%d (held out %s): %.2f%% of %ld clips", m->program, i + 1, n,
                esc(f->name), 100 * voice_acc(f->score.correct, f->score.n), f->score.n);
        if (f->synth.n) fprintf(stderr, "; held-out voices %.2f%% of %ld", 100 * voice_acc(f->synth.correct, f->synth.n),
                                f->synth.n);
        fprintf(stderr, "; %ld steps, %.0f s\n", f->info.steps, f->info.seconds);
    }
    net_free(net);
    free(tr); free(te);
    return rc;
}

/* Write the JSON and CSV (either may be NULL) together.  0 or -1 with err. */
static int write_outputs(const char *json, const char *csv, const LosoReport *rep, char *err, size_t errlen) {
    const char *outs[2] = {json, csv};
    SvcOutputs so;
    if (svc_outputs_begin(&so, outs, 2, err, errlen)) return -1;
    int rc = (json && loso_write_json(so.stage[0], rep, err, errlen)) ||
             (csv && loso_write_csv(so.stage[1], rep, err, errlen));
    if (rc) { svc_outputs_abort(&so); return -1; }
    return svc_outputs_commit(&so, err, errlen);
}

/* Options -> recipe, classes, outputs; exit 2 on a usage error (message printed). */
static int parse(const Modality *m, CliOpt *o, VoiceRecipe *r, ClassMap *cm, char *err, size_t errlen) {
    long threads, limit;
    if (svc_threads_opt(o, &threads, err, errlen) || cli_int(o, "limit", 0, 0, 100000, &limit, err, errlen) || voice_recipe_from_opts(o, "today", r, err, errlen) ||
        classmap_parse(cm, cli_str(o, "classes", m->default_classes), m->n_labels, err, errlen))
        return 2;
    const char *outs[2] = {cli_str(o, "json", NULL), cli_str(o, "csv", NULL)};
    if (svc_check_outputs(outs, 2, err, errlen)) return 2;
    const char *models = cli_str(o, "models", NULL);
    if (models && !path_is_dir(models)) { snprintf(err, errlen, "--models %s is not a folder", esc(models)); return 2; }
    if (cm->n_slots < 2) { snprintf(err, errlen, "--classes needs at least 2 classes"); return 2; }
    svc_set_threads((int)threads);
    return 0;
}

int cmd_loso(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {VOICE_RECIPE_OPTS, {"data", 1, 0}, {"threads", 1, 0}, {"quiet", 0, 0}, {"help", 0, 0},
                  {"folds", 1, 0}, {"classes", 1, 0}, {"synth-test", 1, 0}, {"models", 1, 0}, {"json", 1, 0},
                  {"csv", 1, 0}, {"limit", 1, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s loso: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { loso_help(m); return 0; }
    VoiceRecipe r;
    ClassMap cm;
    int rc = parse(m, o, &r, &cm, err, sizeof err);
    if (rc) { fprintf(stderr, "%s loso: %s\n", m->program, err); return rc; }
    VoiceInputs in;
    if (voice_inputs_load(cli_str(o, "data", NULL), r.synth_dir, cli_str(o, "synth-test", NULL), &in, err, sizeof err)) {
        fprintf(stderr, "%s loso: %s\n", m->program, err);
        return 1;
    }
    LosoFold *folds = calloc(VOICE_MAX_FOLDS, sizeof *folds);
    char names[VOICE_MAX_FOLDS][FSDD_SPEAKER_MAX];
    int n = folds ? voice_folds_parse(&in.fsdd.ix, cli_str(o, "folds", "all"), names, VOICE_MAX_FOLDS, err, sizeof err) : -1;
    if (n < 0) {
        fprintf(stderr, "%s loso: %s\n", m->program, folds ? err : "out of memory");
        voice_inputs_free(&in); free(folds);
        return folds ? 2 : 1;
    }
    rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        memcpy(folds[i].name, names[i], sizeof folds[i].name);
        rc = run_fold(m, &r, &cm, &in, o, &folds[i], i, n, err, sizeof err);
    }
    char desc[1024], classes[256];
    voice_recipe_string(&r, desc, sizeof desc);
    classmap_format(&cm, classes, sizeof classes);
    LosoReport rep = {desc, classes, cli_str(o, "synth-test", NULL), in.fsdd.ix.speakers, in.test.ix.speakers, folds, n};
    if (!rc) {
        loso_table(stdout, &rep);
        rc = write_outputs(cli_str(o, "json", NULL), cli_str(o, "csv", NULL), &rep, err, sizeof err);
    }
    if (rc) fprintf(stderr, "%s loso: %s\n", m->program, err);
    for (int i = 0; i < n; i++) { voice_score_free(&folds[i].score); voice_score_free(&folds[i].synth); }
    free(folds);
    voice_inputs_free(&in);
    return rc ? 1 : 0;
}
