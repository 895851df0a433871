/* ablate_cli.c — `speech-unlearn ablate`: train one model per (row, inner fold) and score it on
 * validation data only.  The outer speaker (--outer) is left out of everything, so a recipe chosen
 * here has never seen that speaker's clips; each inner fold holds out one more speaker (--val) as
 * validation; --synth-val voices are validation voices (never the held-out test voices). */
#include "ablate_cli.h"
#include "atomic_file.h"
#include "escape.h"
#include "report.h"
#include "services.h"
#include "voice_folds.h"
#include "voice_inputs.h"
#include "voice_train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 16
#define LADDER_TOP "copies=3,speed=0.15,gain=10,snr=15:40,vtlp=0.1"
#define DEFAULT_ROWS "today;norm=cmvn;copies=3,speed=0.15;copies=3,speed=0.15,gain=10,snr=15:40;" LADDER_TOP

typedef struct {
    char label[256];
    VoiceRecipe r;
    double val_sum, synth_sum;   /* over the inner folds */
    long synth_n;
    double fold_acc[VOICE_MAX_FOLDS];
} Row;

static void help(const Modality *m) {
    printf("usage: %s ablate [options]\n\n"
           "Train one model per row and inner fold, score it on validation data only, print a table.\n"
           "The --outer speaker is left out of every training and validation set (choose a recipe\n"
           "here, then report it on that speaker's loso fold); each inner fold trains on the remaining\n"
           "speakers minus one --val speaker and validates on that one.\n\n"
           "  --outer SPEAKER     the speaker kept for testing (default george)\n"
           "  --val LIST          inner validation speakers, one fold each (default: all but --outer)\n"
           "  --rows LIST         ';'-separated rows, each 'today' or key=value settings joined by ','\n"
           "                      on top of the base recipe (keys: norm, copies, speed, gain, snr, vtlp,\n"
           "                      specaugment, synth=1 (train on the --synth voices), epochs, seed, net);\n"
           "                      default the ladder " DEFAULT_ROWS "\n"
           "                      plus that last row with synth=1 when --synth is given\n"
           "  --synth-val DIR     validation voices, scored for every model (must share no speaker with\n"
           "                      FSDD or --synth; never pass the held-out test voices here)\n"
           "  --json FILE  --csv FILE   the table as JSON / CSV (written together at the end)\n"
           "  --limit N           at most N clips of every (speaker, digit) per set (quick runs)\n"
           "%s"
           "  --data DIR          datasets folder      --threads N   CPU threads      --quiet\n",
           m->program, voice_recipe_help);
    fputs(CLI_EXIT_HELP, stdout);
}

/* Rows from text (on top of base).  Count, or -1 with err. */
static int parse_rows(const char *text, const VoiceRecipe *base, Row *rows, char *err, size_t errlen) {
    int n = 0;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *sv = NULL, *row = strtok_r(buf, ";", &sv); row; row = strtok_r(NULL, ";", &sv)) {
        if (n == MAX_ROWS) { snprintf(err, errlen, "more than %d rows", MAX_ROWS); return -1; }
        Row *x = &rows[n++];
        memset(x, 0, sizeof *x);
        snprintf(x->label, sizeof x->label, "%s", row);
        x->r = *base;
        if (!strcmp(row, "today")) continue;
        for (char *s2 = NULL, *kv = strtok_r(row, ",", &s2); kv; kv = strtok_r(NULL, ",", &s2))
            if (voice_recipe_set(&x->r, kv, err, errlen)) return -1;
    }
    if (!n) snprintf(err, errlen, "--rows is empty");
    return n ? n : -1;
}

/* Train and validate one row on one inner fold.  0 or -1 with err. */
static int run_cell(const Modality *m, const ClassMap *cm, const VoiceInputs *in, const char *outer, const char *val,
                    int limit, int quiet, Row *x, int f, char *err, size_t errlen) {
    int *tr, *te, ntr, nte;
    if (voice_fold_split(&in->fsdd.ix, val, outer, &tr, &ntr, &te, &nte, err, errlen)) return -1;
    ntr = voice_limit(&in->fsdd.ix, tr, ntr, limit);
    nte = voice_limit(&in->fsdd.ix, te, nte, limit);
    VoiceTrainInfo info;
    VoiceScore s = {0}, sv = {0};
    const VoiceClips *synth = x->r.synth_dir && in->synth.ix.n ? &in->synth : NULL;
    Net *net = voice_train(m, &x->r, cm, &in->fsdd, tr, ntr, synth, 0, &info, err, errlen);
    int rc = net ? voice_eval_clips(net, cm, &x->r, &in->fsdd, te, nte, &s, err, errlen) : -1;
    if (!rc && in->test.ix.n) rc = voice_eval_clips(net, cm, &x->r, &in->test, NULL, 0, &sv, err, errlen);
    if (!rc) {
        x->fold_acc[f] = voice_acc(s.correct, s.n);
        x->val_sum += x->fold_acc[f];
        x->synth_sum += sv.correct; x->synth_n += sv.n;
    }
    if (!rc && !quiet) {
        fprintf(stderr, "%s ablate: [%s] val %s: %.2f%%", m->program, esc(x->label), esc(val), 100 * x->fold_acc[f]);
        if (sv.n) fprintf(stderr, ", validation voices %.2f%%", 100 * voice_acc(sv.correct, sv.n));
        fprintf(stderr, " (%d samples, %ld steps, %.0f s)\n", info.n_samples, info.steps, info.seconds);
    }
    voice_score_free(&s); voice_score_free(&sv);
    net_free(net); free(tr); free(te);
    return rc;
}

static void print_table(FILE *f, const Row *rows, int nr, char names[][FSDD_SPEAKER_MAX], int nv, const char *outer,
                        int has_synth) {
    fprintf(f, "\nvalidation: inner folds %d (outer speaker %s never used)\n\n| row |", nv, esc(outer));
    for (int v = 0; v < nv; v++) fprintf(f, " val %s |", esc(names[v]));
    fprintf(f, " **val mean** |%s\n|---|", has_synth ? " validation voices |" : "");
    for (int v = 0; v <= nv + has_synth; v++) fprintf(f, "---|");
    fputc('\n', f);
    for (int i = 0; i < nr; i++) {
        fprintf(f, "| %s |", esc(rows[i].label));
        for (int v = 0; v < nv; v++) fprintf(f, " %.2f%% |", 100 * rows[i].fold_acc[v]);
        fprintf(f, " **%.2f%%** |", 100 * rows[i].val_sum / nv);
        if (has_synth) fprintf(f, " %.2f%% |", 100 * voice_acc((long)rows[i].synth_sum, rows[i].synth_n));
        fputc('\n', f);
    }
}

static int write_json(const char *path, const Row *rows, int nr, char names[][FSDD_SPEAKER_MAX], int nv,
                      const char *outer, char *err, size_t errlen) {
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "outer"); jw_str(&w, outer);
    jw_key(&w, "rows"); jw_array(&w, JW_LINES);
    for (int i = 0; i < nr; i++) {
        char desc[1024];
        voice_recipe_string(&rows[i].r, desc, sizeof desc);
        jw_object(&w, JW_LINES);
        jw_key(&w, "row"); jw_str(&w, rows[i].label);
        jw_key(&w, "recipe"); jw_str(&w, desc);
        jw_key(&w, "val_mean"); jw_fixed(&w, rows[i].val_sum / nv, 6);
        jw_key(&w, "val"); jw_object(&w, JW_INLINE);
        for (int v = 0; v < nv; v++) { jw_key(&w, names[v]); jw_fixed(&w, rows[i].fold_acc[v], 6); }
        jw_end(&w);
        jw_key(&w, "validation_voices"); jw_fixed(&w, voice_acc((long)rows[i].synth_sum, rows[i].synth_n), 6);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

static int write_csv(const char *path, const Row *rows, int nr, int nv, char *err, size_t errlen) {
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) return -1;
    fprintf(af.fp, "row,val_mean,validation_voices\n");
    for (int i = 0; i < nr; i++)
        fprintf(af.fp, "\"%s\",%.6f,%.6f\n", rows[i].label, rows[i].val_sum / nv,
                voice_acc((long)rows[i].synth_sum, rows[i].synth_n));
    return atomic_commit(&af, err, errlen);
}

/* Inner folds: --val or every speaker but outer.  Count or -1 with err. */
static int inner_folds(const FsddIndex *ix, const CliOpt *o, const char *outer, char names[][FSDD_SPEAKER_MAX],
                       char *err, size_t errlen) {
    if (fsdd_speaker_id(ix, outer) < 0) { snprintf(err, errlen, "--outer: unknown speaker '%s'", esc(outer)); return -1; }
    int n = voice_folds_parse(ix, cli_str(o, "val", "all"), names, VOICE_MAX_FOLDS, err, errlen), k = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], outer)) memmove(names[k++], names[i], FSDD_SPEAKER_MAX);
        else if (cli_str(o, "val", NULL)) { snprintf(err, errlen, "--val must not name the outer speaker"); return -1; }
    for (int i = 0; i < k; i++)
        if (!strcmp(names[i], "upstream")) { snprintf(err, errlen, "--val takes speakers, not upstream"); return -1; }
    return n < 0 ? -1 : k;
}

int cmd_ablate(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {VOICE_RECIPE_OPTS, {"data", 1, 0}, {"threads", 1, 0}, {"quiet", 0, 0}, {"help", 0, 0},
                  {"outer", 1, 0}, {"val", 1, 0}, {"rows", 1, 0}, {"synth-val", 1, 0}, {"classes", 1, 0},
                  {"json", 1, 0}, {"csv", 1, 0}, {"limit", 1, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s ablate: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { help(m); return 0; }
    VoiceRecipe base;
    ClassMap cm;
    long threads, limit;
    static Row rows[MAX_ROWS];
    const char *outs[2] = {cli_str(o, "json", NULL), cli_str(o, "csv", NULL)};
    int nr = -1;
    if (!svc_threads_opt(o, &threads, err, sizeof err) && !cli_int(o, "limit", 0, 0, 100000, &limit, err, sizeof err) &&
        !voice_recipe_from_opts(o, "today", &base, err, sizeof err) &&
        !classmap_parse(&cm, cli_str(o, "classes", m->default_classes), m->n_labels, err, sizeof err) &&
        !svc_check_outputs(outs, 2, err, sizeof err)) {
        char def[1024];
        snprintf(def, sizeof def, "%s%s", DEFAULT_ROWS, base.synth_dir ? ";" LADDER_TOP ",synth=1" : "");
        VoiceRecipe b = base;
        b.synth_dir = NULL;   /* a row trains on the --synth voices only when it says synth=1 */
        nr = parse_rows(cli_str(o, "rows", def), &b, rows, err, sizeof err);
        for (int i = 0; i < nr; i++) {   /* a row's synth=<anything> means the --synth voices */
            if (rows[i].r.synth_dir && !base.synth_dir) {
                snprintf(err, sizeof err, "row '%s' trains on synthetic voices but no --synth DIR is given", esc(rows[i].label));
                nr = -1;
                break;
            }
            if (rows[i].r.synth_dir) rows[i].r.synth_dir = base.synth_dir;
        }
    }
    if (nr < 0) { fprintf(stderr, "%s ablate: %s\n", m->program, err); return 2; }
    svc_set_threads((int)threads);
    VoiceInputs in;
    const char *outer = cli_str(o, "outer", "george");
    char names[VOICE_MAX_FOLDS][FSDD_SPEAKER_MAX];
    if (voice_inputs_load(cli_str(o, "data", NULL), base.synth_dir, cli_str(o, "synth-val", NULL), &in, err, sizeof err)) {
        fprintf(stderr, "%s ablate: %s\n", m->program, err);
        return 1;
    }
    int nv = inner_folds(&in.fsdd.ix, o, outer, names, err, sizeof err), rc = nv < 0 ? 2 : 0;
    for (int i = 0; i < nr && !rc; i++)
        for (int v = 0; v < nv && !rc; v++) rc = run_cell(m, &cm, &in, outer, names[v], (int)limit, cli_flag(o, "quiet"), &rows[i], v, err, sizeof err) ? 1 : 0;
    if (!rc) {
        print_table(stdout, rows, nr, names, nv, outer, in.test.ix.n > 0);
        SvcOutputs so;
        rc = svc_outputs_begin(&so, outs, 2, err, sizeof err) ? 1 : 0;
        if (!rc && ((outs[0] && write_json(so.stage[0], rows, nr, names, nv, outer, err, sizeof err)) ||
                    (outs[1] && write_csv(so.stage[1], rows, nr, nv, err, sizeof err)))) {
            svc_outputs_abort(&so);
            rc = 1;
        } else if (!rc) rc = svc_outputs_commit(&so, err, sizeof err) ? 1 : 0;
    }
    if (rc) fprintf(stderr, "%s ablate: %s\n", m->program, err);
    voice_inputs_free(&in);
    return rc;
}
