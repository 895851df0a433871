/* compare_main.c — bin/unlearn-compare: every unlearning method side by side,
 * on both modalities, over several seeds, against the retrained gold standard.
 *
 * For each modality and seed: pre-train the original (the modality's recipe on
 * its default classes) and the retrained reference (same recipe, from scratch,
 * on the kept classes plus the new class in the forgotten slot) — both cached
 * under <out>/models/ and reused when present — then run each method from the
 * original, compute every metric (metrics.h) and the costs relative to retrain.
 * Writes <out>/results.json, results.csv, results_runs.csv, results.md and SVG
 * plots (per-class accuracy, confusion matrices, relearn curves of the first
 * seed).  Progress lines go to stderr; results are rewritten after every seed,
 * so an interrupted run keeps what it finished. */
#include "modality.h"
#include "checkpoint.h"
#include "cli.h"
#include "atomic_file.h"
#include "metrics.h"
#include "results.h"
#include "plot_svg.h"
#include "report.h"
#include "unlearn.h"
#include "train.h"
#include "mnist_modality.h"
#if defined(__has_include)
#if __has_include("speech_modality.h")
#include "speech_modality.h"
#define HAVE_SPEECH 1
#endif
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_METHODS 32
#define MAX_SEEDS 32
#define MAX_MODELS (MAX_METHODS + 2)
/* Default budgets, sized so that the full default run (both modalities, every
 * method, 3 seeds) fits in 30 minutes on a 2-core CPU. */
#define MNIST_LIMIT 400       /* training samples per class */
#define MNIST_TEST_LIMIT 300
#define MNIST_STEPS 100       /* method budget in optimiser steps */
#define SPEECH_EPOCHS 6       /* pre-training epochs (the recipe's 30 would take most of the budget) */
#define SPEECH_STEPS 60

static const Modality *const modalities[] = {
    &mnist_modality,
#ifdef HAVE_SPEECH
    &speech_modality,
#endif
    NULL};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int mkdir_p(const char *path, char *err, size_t errlen) {
    char buf[PATH_MAX + 32];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST) {
                snprintf(err, errlen, "%.600s: cannot create directory: %s", buf, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c) break;
        }
    }
    return 0;
}

typedef struct {
    int limit, test_limit, pretrain_epochs, quiet, plots;
    long steps;
    int forget, learn;
    float relearn_lr;     /* 0: per modality (metrics_relearn_lr_default) */
    const char *data, *split, *device, *net;
    MetricsConfig mc;
} Options;

typedef struct {
    double seconds, flops;
    long steps;
} Cost;

/* What the plots need from one model of the first seed. */
typedef struct {
    char name[48];
    ClassMap cm;
    double per_class[MAX_LABELS];            /* share of each class's test samples in its slot (the
                                                forgotten class: in its old slot) */
    double conf[MAX_LABELS * MAX_SLOTS];     /* row-normalised confusion [label][slot] */
    int n_slots;
    UnlearnMetrics m;
} PlotModel;

/* Sidecar "<checkpoint>.cost": seconds flops steps of the training that made it. */
static int read_cost(const char *ckpt, Cost *c) {
    char p[PATH_MAX + 8];
    snprintf(p, sizeof p, "%s.cost", ckpt);
    FILE *f = fopen(p, "r");
    if (!f) return -1;
    int ok = fscanf(f, "%lf %lf %ld", &c->seconds, &c->flops, &c->steps) == 3;
    fclose(f);
    return ok ? 0 : -1;
}

static int write_cost(const char *ckpt, const Cost *c, char *err, size_t errlen) {
    char p[PATH_MAX + 8], text[128];
    snprintf(p, sizeof p, "%s.cost", ckpt);
    snprintf(text, sizeof text, "%.6f %.6g %ld\n", c->seconds, c->flops, c->steps);
    return atomic_write_text(p, text, err, errlen);
}

/* Load the cached model at path, or train it (spec, seed, recipe) on d with map cm and cache it. */
static Net *get_model(const Modality *m, const char *spec, const char *netname, const Dataset *d,
                      const ClassMap *cm, const TrainConfig *recipe, uint64_t seed, const char *path,
                      const char *what, const Options *op, Cost *cost, char *err, size_t errlen) {
    if (access(path, R_OK) == 0 && read_cost(path, cost) == 0) {
        ClassMap lm;
        char mod[64] = "";
        Net *net = checkpoint_load(path, &lm, mod, err, errlen);
        if (net && lm.n_slots == cm->n_slots && !memcmp(lm.slot_class, cm->slot_class, sizeof(int) * cm->n_slots) &&
            !strcmp(mod, m->name)) {
            if (net_set_device(net, op->device, err, errlen)) { net_free(net); return NULL; }
            if (!op->quiet) fprintf(stderr, "  %s: cached %s (trained in %.1f s)\n", what, path, cost->seconds);
            return net;
        }
        net_free(net);
        if (!op->quiet) fprintf(stderr, "  %s: %s does not match this run, training again\n", what, path);
    }
    Net *net = net_parse(spec, netname, d->c, d->h, d->w, cm->n_slots, err, errlen);
    if (!net) return NULL;
    net_init(net, seed);
    if (net_set_device(net, op->device, err, errlen)) { net_free(net); return NULL; }
    TrainConfig cfg = *recipe;
    cfg.seed = seed;
    cfg.verbose = !op->quiet;
    TrainStats st;
    if (train_supervised(net, d, cm, &cfg, &st, err, errlen)) { net_free(net); return NULL; }
    net_sync_to_host(net);
    cost->seconds = st.seconds;
    cost->flops = 3.0 * (double)st.images * net_forward_flops(net);
    cost->steps = st.steps;
    char extra[256];
    snprintf(extra, sizeof extra, "{\"epochs\":%d,\"seed\":%llu,\"train_seconds\":%.2f,\"role\":\"%s\"}", cfg.epochs,
             (unsigned long long)seed, st.seconds, what);
    if (checkpoint_save(path, net, cm, m->name, "train", extra, err, errlen) || write_cost(path, cost, err, errlen)) {
        net_free(net);
        return NULL;
    }
    if (!op->quiet)
        fprintf(stderr, "  %s: trained %ld steps on %d samples in %.1f s -> %s\n", what, st.steps, d->n, st.seconds,
                path);
    return net;
}

static void plot_fill(PlotModel *pm, const char *name, Net *net, const ClassMap *cm, const Dataset *test,
                      const UnlearnTask *t, int n_labels, const UnlearnMetrics *mm) {
    memset(pm, 0, sizeof *pm);
    snprintf(pm->name, sizeof pm->name, "%s", name);
    pm->cm = *cm;
    pm->n_slots = cm->n_slots;
    pm->m = *mm;
    EvalResult ev;
    evaluate(net, test, cm, 256, n_labels, &ev);
    for (int y = 0; y < n_labels && y < MAX_LABELS; y++) {
        int s = classmap_slot(cm, y);
        if (!ev.count[y]) pm->per_class[y] = NAN;
        else if (s >= 0) pm->per_class[y] = ev.class_acc[y];
        else if (y == t->forget_class) pm->per_class[y] = (double)ev.confusion[y][t->slot] / ev.count[y];
        else pm->per_class[y] = NAN;
        for (int k = 0; k < cm->n_slots; k++)
            pm->conf[y * MAX_SLOTS + k] = ev.count[y] ? (double)ev.confusion[y][k] / ev.count[y] : NAN;
    }
}

static void safe_name(char *out, size_t n, const char *s) {
    size_t i = 0;
    for (; *s && i + 1 < n; s++) out[i++] = (isalnum((unsigned char)*s) || *s == '-' || *s == '_') ? *s : '_';
    out[i] = 0;
}

static int write_plots(const char *dir, const Modality *m, const PlotModel *pm, int npm, int seed, int forget,
                       int learn, float threshold, char *err, size_t errlen) {
    char path[PATH_MAX + 128], title[256];
    /* per-class accuracy */
    const char *cats[MAX_LABELS];
    char catbuf[MAX_LABELS][12];
    double vals[MAX_MODELS][MAX_LABELS];
    SvgSeries s[MAX_MODELS];
    for (int y = 0; y < m->n_labels && y < MAX_LABELS; y++) {
        snprintf(catbuf[y], sizeof catbuf[y], "%d", y);
        cats[y] = catbuf[y];
    }
    for (int i = 0; i < npm; i++) {
        for (int y = 0; y < m->n_labels; y++) vals[i][y] = pm[i].per_class[y];
        s[i] = (SvgSeries){pm[i].name, vals[i], NULL, m->n_labels};
    }
    snprintf(title, sizeof title, "%s, seed %d: test accuracy per class (class %d: share still in its old slot)",
             m->name, seed, forget);
    snprintf(path, sizeof path, "%s/per_class_%s.svg", dir, m->name);
    if (svg_save(path, svg_bar_chart(title, "accuracy", cats, m->n_labels, s, npm, 0, 1), err, errlen)) return -1;
    /* confusion matrices */
    for (int i = 0; i < npm; i++) {
        const char *rl[MAX_LABELS], *cl[MAX_SLOTS];
        char rb[MAX_LABELS][12], cb[MAX_SLOTS][16];
        int rows = 0;
        static double v[MAX_LABELS * MAX_SLOTS];
        for (int y = 0; y < m->n_labels; y++) {
            if (isnan(pm[i].conf[y * MAX_SLOTS])) continue;
            snprintf(rb[rows], sizeof rb[rows], "%d", y);
            rl[rows] = rb[rows];
            for (int k = 0; k < pm[i].n_slots; k++) v[rows * pm[i].n_slots + k] = pm[i].conf[y * MAX_SLOTS + k];
            rows++;
        }
        for (int k = 0; k < pm[i].n_slots; k++) {
            snprintf(cb[k], sizeof cb[k], "%d", pm[i].cm.slot_class[k]);
            cl[k] = cb[k];
        }
        char sn[64];
        safe_name(sn, sizeof sn, pm[i].name);
        snprintf(title, sizeof title, "%s, seed %d: %s — confusion (rows: true class, columns: slot's class)", m->name,
                 seed, pm[i].name);
        snprintf(path, sizeof path, "%s/confusion_%s_%s.svg", dir, m->name, sn);
        if (svg_save(path, svg_heatmap(title, "predicted slot (labelled by its class)", "true class", v, rows,
                                       pm[i].n_slots, rl, cl), err, errlen))
            return -1;
    }
    /* relearn curves */
    double xs[MAX_MODELS][RELEARN_MAX_POINTS], ys[MAX_MODELS][RELEARN_MAX_POINTS];
    int ns = 0;
    for (int i = 0; i < npm; i++) {
        if (!pm[i].m.relearn_points) continue;
        for (int p = 0; p < pm[i].m.relearn_points; p++) {
            xs[ns][p] = pm[i].m.relearn_step[p];
            ys[ns][p] = pm[i].m.relearn_acc[p];
        }
        s[ns] = (SvgSeries){pm[i].name, ys[ns], xs[ns], pm[i].m.relearn_points};
        ns++;
    }
    if (ns) {
        snprintf(title, sizeof title, "%s, seed %d: relearning class %d in a fresh slot%s", m->name, seed, forget,
                 learn >= 0 ? "" : "");
        snprintf(path, sizeof path, "%s/relearn_%s.svg", dir, m->name);
        if (svg_save(path, svg_line_chart(title, "fine-tuning steps", "test accuracy on the forgotten class", s, ns, 0,
                                          1, threshold), err, errlen))
            return -1;
    }
    return 0;
}

static int write_results(const Results *res, const char *dir, const char *run_info, const char *preamble,
                         char *err, size_t errlen) {
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/results.json", dir);
    if (results_write_json(res, p, run_info, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s/results.csv", dir);
    if (results_write_csv(res, p, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s/results_runs.csv", dir);
    if (results_write_runs_csv(res, p, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s/results.md", dir);
    return results_write_md(res, p, preamble, err, errlen);
}

static void progress_line(const Options *op, const char *mod, int seed, const char *name, const UnlearnMetrics *mm,
                          double metrics_s) {
    if (op->quiet) return;
    char rl[32];
    if (isfinite(mm->relearn_steps)) snprintf(rl, sizeof rl, "%.0f", mm->relearn_steps);
    else snprintf(rl, sizeof rl, op->mc.relearn ? ">%d" : "-", op->mc.relearn_max_steps);
    char tm[48];
    if (isfinite(mm->seconds) && isfinite(mm->cost_ratio_time))
        snprintf(tm, sizeof tm, "%.1fs (x%.2f)", mm->seconds, mm->cost_ratio_time);
    else snprintf(tm, sizeof tm, "-");
    fprintf(stderr, "[%s seed %d] %-16s leak %5.1f%%  new %5.1f%%  kept %5.1f%%  MIA %5.1f%%  probe %5.1f%%  relearn %4s"
                    "  gap %5.1f%%  time %s  [metrics %.1fs]\n",
            mod, seed, name, 100 * mm->forget_leakage, 100 * mm->new_class_acc, 100 * mm->retained_acc,
            100 * mm->mia_efficacy, 100 * mm->probe_acc, rl, 100 * mm->avg_gap, tm, metrics_s);
}

/* The "run" object of results.json and the Markdown preamble. */
static void build_info(const Options *op, int quick, const char *modjson, const char *modmd, double total, int done,
                       char *info, size_t il, char *pre, size_t pl) {
    snprintf(info, il,
             "{\"forget\": %d, \"learn\": %d, \"modalities\": {%s}, \"relearn_max_steps\": %d, "
             "\"relearn_threshold\": %g, \"relearn_k\": %d, \"relearn_batch\": %d, "
             "\"mia_cap\": %d, \"probe_cap\": %d, \"threads\": %d, \"quick\": %s, \"%s\": %.1f}",
             op->forget, op->learn, modjson, op->mc.relearn_max_steps, op->mc.relearn_threshold, op->mc.relearn_k,
             op->mc.relearn_batch, op->mc.mia_cap, op->mc.probe_cap, omp_get_max_threads(),
             quick ? "true" : "false", done ? "total_seconds" : "seconds_so_far", total);
    snprintf(pre, pl,
             "# Unlearning comparison: forget %d, learn %d\n\n"
             "Held-out test data. Every method starts from the original and is judged against retrain (trained "
             "from scratch, same recipe, without class %d and with %d in its slot).\n\n%s\n"
             "Leakage: test %d's predicted into the old slot; new-class: test %d's into that slot; retained: accuracy "
             "on the other classes; MIA: share of forget-train samples an RBF SVM on (max softmax, entropy), fitted on "
             "retain-train vs retain-test, calls non-member (5 draws averaged); probe: balanced test accuracy of a "
             "logistic regression on penultimate features, class %d vs kept classes; relearn: SGD steps (%d "
             "examples of %d + kept data, batch %d) until a fresh slot reaches %.0f%% test accuracy (cap %d); avg gap: "
             "mean |method - retrain| over leakage, new-class, retained, MIA; time and FLOPs relative to retrain's "
             "training.\n\nThreads: %d; %s %.0f s.",
             op->forget, op->learn, op->forget, op->learn, modmd, op->forget, op->learn, op->forget,
             op->mc.relearn_k, op->forget, op->mc.relearn_batch, 100 * op->mc.relearn_threshold,
             op->mc.relearn_max_steps, omp_get_max_threads(), done ? "total time" : "time so far", total);
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: unlearn-compare [options]\n\n"
            "Run the unlearning methods side by side on both modalities over several seeds, against\n"
            "the retrained gold standard; write results.json/.csv/.md and SVG plots.\n\n"
            "  --methods LIST        methods to run (default: every registered one:");
    for (int i = 0; unlearn_methods[i]; i++)
        if (strcmp(unlearn_methods[i]->name, "retrain")) fprintf(f, " %s", unlearn_methods[i]->name);
    fprintf(f, ")\n"
            "                        retrain (the gold standard) and the original are always included\n"
            "  --modalities LIST     default:");
    for (int i = 0; modalities[i]; i++) fprintf(f, "%s%s", i ? "," : " ", modalities[i]->name);
    fprintf(f, "%s\n", modalities[1] ? "" : " (speech not built into this binary yet)");
    fprintf(f,
            "  --seeds LIST          default 1,2,3\n"
            "  --forget C --learn C  the replacement task (default 6 and 3)\n"
            "  --run NAME            results go to results/NAME/ (default 'default')\n"
            "  --out DIR             ... or to DIR\n"
            "  --limit N             training samples per class (default: mnist 400, speech all)\n"
            "  --test-limit N        test samples per class (default: mnist 300, speech all)\n"
            "  --pretrain-epochs N   epochs for the original and retrain (default: the modality's recipe,\n"
            "                        at most 6 for speech)\n"
            "  --steps N             optimiser-step budget of each method (default: mnist 100, speech 60)\n"
            "  --relearn-steps N     relearn cap (default 100)\n"
            "  --relearn-lr X        relearn SGD step (default: mnist 0.001, speech 0.01)\n"
            "  --quick               tiny run for CI: --limit 60 --test-limit 40 --steps 20 --pretrain-epochs 3\n"
            "                        --seeds 1 --relearn-steps 30, small MIA/probe/importance samples\n"
            "  --no-plots            skip the SVG plots\n"
            "  --net NAME|PATH       net spec for every modality (default: each modality's default)\n"
            "  --split S             speech split (upstream or a held-out speaker)\n"
            "  --data DIR            datasets folder\n"
            "  --threads N           CPU threads (default 1: on a shared 2-core machine two OpenMP threads ran\n"
            "                        these small nets 4-10x slower, spinning at every barrier; one thread ran\n"
            "                        the full default run in 16 min)\n"
            "  --device D            cpu, cuda or auto (default auto)\n"
            "  --quiet               no progress lines\n");
}

int main(int argc, char **argv) {
    CliOpt o[] = {{"methods", 1, 0}, {"modalities", 1, 0}, {"seeds", 1, 0}, {"forget", 1, 0}, {"learn", 1, 0},
                  {"run", 1, 0}, {"out", 1, 0}, {"limit", 1, 0}, {"test-limit", 1, 0}, {"pretrain-epochs", 1, 0},
                  {"steps", 1, 0}, {"relearn-steps", 1, 0}, {"relearn-lr", 1, 0}, {"quick", 0, 0}, {"no-plots", 0, 0}, {"net", 1, 0},
                  {"split", 1, 0}, {"data", 1, 0}, {"threads", 1, 0}, {"device", 1, 0}, {"quiet", 0, 0},
                  {"help", 0, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 1, err, sizeof err)) {
        fprintf(stderr, "unlearn-compare: %s (see --help)\n", err);
        return 2;
    }
    if (cli_flag(o, "help")) { usage(stdout); return 0; }
    double t_start = now_s();
    int quick = cli_flag(o, "quick");
    Options op;
    memset(&op, 0, sizeof op);
    double v_rlr;
    long v_limit, v_tlimit, v_epochs, v_steps, v_relearn, v_threads, v_forget, v_learn;
    if (cli_int(o, "limit", -1, 0, 1000000, &v_limit, err, sizeof err) ||
        cli_int(o, "test-limit", -1, 0, 1000000, &v_tlimit, err, sizeof err) ||
        cli_int(o, "pretrain-epochs", quick ? 3 : 0, 0, 1000, &v_epochs, err, sizeof err) ||
        cli_int(o, "steps", quick ? 20 : 0, 0, 100000000, &v_steps, err, sizeof err) ||
        cli_int(o, "relearn-steps", quick ? 30 : 100, 1, 1000000, &v_relearn, err, sizeof err) ||
        cli_int(o, "threads", 1, 1, 1024, &v_threads, err, sizeof err) ||
        cli_float(o, "relearn-lr", 0, 0, 10, &v_rlr, err, sizeof err) ||
        cli_int(o, "forget", 6, 0, MAX_LABELS - 1, &v_forget, err, sizeof err) ||
        cli_int(o, "learn", 3, -1, MAX_LABELS - 1, &v_learn, err, sizeof err)) {
        fprintf(stderr, "unlearn-compare: %s\n", err);
        return 2;
    }
    driver_set_threads((int)v_threads);
    op.limit = (int)v_limit;
    op.test_limit = (int)v_tlimit;
    if (quick) {
        if (op.limit < 0) op.limit = 60;
        if (op.test_limit < 0) op.test_limit = 40;
    }
    op.pretrain_epochs = (int)v_epochs;
    op.relearn_lr = (float)v_rlr;
    op.steps = v_steps;
    op.forget = (int)v_forget;
    op.learn = (int)v_learn;
    op.quiet = cli_flag(o, "quiet");
    op.plots = !cli_flag(o, "no-plots");
    op.data = cli_str(o, "data", NULL);
    op.split = cli_str(o, "split", NULL);
    op.device = cli_str(o, "device", "auto");
    op.net = cli_str(o, "net", NULL);
    metrics_config_default(&op.mc);
    op.mc.relearn_max_steps = (int)v_relearn;
    if (quick) op.mc.mia_cap = 300;

    /* seeds */
    int seeds[MAX_SEEDS];
    int nseeds = cli_int_list(cli_str(o, "seeds", quick ? "1" : "1,2,3"), seeds, MAX_SEEDS);
    if (nseeds <= 0) { fprintf(stderr, "unlearn-compare: --seeds wants a list like 1,2,3\n"); return 2; }
    /* modalities */
    const Modality *mods[8];
    int nmods = 0;
    {
        char buf[256];
        const char *def = "mnist,speech";
        const char *given = cli_str(o, "modalities", NULL);
        snprintf(buf, sizeof buf, "%s", given ? given : def);
        for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
            const Modality *found = NULL;
            for (int i = 0; modalities[i]; i++) if (!strcmp(modalities[i]->name, tok)) found = modalities[i];
            if (!found) {
                if (!given && !strcmp(tok, "speech")) {
                    fprintf(stderr, "unlearn-compare: note: the speech modality is not built into this binary yet; "
                                    "running mnist only\n");
                    continue;
                }
                fprintf(stderr, "unlearn-compare: unknown modality '%s'\n", tok);
                return 2;
            }
            if (nmods < 8) mods[nmods++] = found;
        }
    }
    /* methods */
    const UnlearnMethod *meths[MAX_METHODS];
    int nmeth = 0;
    {
        const char *given = cli_str(o, "methods", NULL);
        if (!given || !strcmp(given, "all")) {
            for (int i = 0; unlearn_methods[i] && nmeth < MAX_METHODS; i++)
                if (strcmp(unlearn_methods[i]->name, "retrain")) meths[nmeth++] = unlearn_methods[i];
        } else if (strcmp(given, "none")) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", given);
            for (char *sv = NULL, *tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
                if (!strcmp(tok, "retrain") || !strcmp(tok, "original")) continue;  /* always there */
                const UnlearnMethod *um = unlearn_method_find(tok);
                if (!um) {
                    fprintf(stderr, "unlearn-compare: unknown method '%s' (known:", tok);
                    for (int i = 0; unlearn_methods[i]; i++) fprintf(stderr, " %s", unlearn_methods[i]->name);
                    fprintf(stderr, ")\n");
                    return 2;
                }
                if (nmeth < MAX_METHODS) meths[nmeth++] = um;
            }
        }
    }
    /* output folder */
    char outdir[PATH_MAX], modeldir[PATH_MAX + 16];
    const char *outopt = cli_str(o, "out", NULL);
    if (outopt) snprintf(outdir, sizeof outdir, "%s", outopt);
    else snprintf(outdir, sizeof outdir, "results/%s", cli_str(o, "run", quick ? "quick" : "default"));
    snprintf(modeldir, sizeof modeldir, "%s/models", outdir);
    if (mkdir_p(modeldir, err, sizeof err)) { fprintf(stderr, "unlearn-compare: %s\n", err); return 1; }

    if (!op.quiet) {
        fprintf(stderr, "unlearn-compare: %d modalit%s, %d seed%s, %d method%s + original + retrain, forget %d learn %d, "
                        "%d threads -> %s\n", nmods, nmods == 1 ? "y" : "ies", nseeds, nseeds == 1 ? "" : "s", nmeth,
                nmeth == 1 ? "" : "s", op.forget, op.learn, omp_get_max_threads(), outdir);
    }

    Results res;
    results_init(&res);
    char run_info[4096], preamble[4096], modjson[2048] = "", modmd[2048] = "";
    int rc = 0;
    for (int mi = 0; mi < nmods && rc == 0; mi++) {
        const Modality *m = mods[mi];
        double t_mod = now_s();
        DataOptions dopt;
        memset(&dopt, 0, sizeof dopt);
        dopt.data_dir = op.data;
        /* defaults sized so the full default run fits in 30 minutes on 2 cores */
        int is_mnist = !strcmp(m->name, "mnist");
        dopt.limit_per_class = op.limit >= 0 ? op.limit : (is_mnist ? MNIST_LIMIT : 0);
        dopt.test_limit_per_class = op.test_limit >= 0 ? op.test_limit : (is_mnist ? MNIST_TEST_LIMIT : 0);
        dopt.split = is_mnist ? NULL : op.split;
        dopt.augment = 1;
        dopt.seed = 1;
        dopt.verbose = !op.quiet;
        Dataset *train = NULL, *test = NULL;
        if (!op.quiet) fprintf(stderr, "[%s] loading data...\n", m->name);
        if (m->load(&dopt, &train, &test, err, sizeof err)) {
            fprintf(stderr, "unlearn-compare: %s: %s\n", m->name, err);
            rc = 1;
            break;
        }
        const char *netname = op.net ? op.net : m->default_net;
        char *spec = net_spec_text(m, netname, err, sizeof err);
        ClassMap orig_map;
        if (!spec || classmap_parse(&orig_map, m->default_classes, m->n_labels, err, sizeof err)) {
            fprintf(stderr, "unlearn-compare: %s: %s\n", m->name, err);
            free(spec); ds_free(train); ds_free(test);
            rc = 1;
            break;
        }
        TrainConfig recipe = m->recipe;
        if (op.pretrain_epochs > 0) recipe.epochs = op.pretrain_epochs;
        else if (!is_mnist && recipe.epochs > SPEECH_EPOCHS) recipe.epochs = SPEECH_EPOCHS;
        long steps = op.steps > 0 ? op.steps : (is_mnist ? MNIST_STEPS : SPEECH_STEPS);
        float relearn_lr = op.relearn_lr > 0 ? op.relearn_lr : metrics_relearn_lr_default(m->name);
        recipe.max_steps = 0;
        recipe.augment = m->augment;
        recipe.verbose = !op.quiet;
        char netkey[64];
        safe_name(netkey, sizeof netkey, strrchr(netname, '/') ? strrchr(netname, '/') + 1 : netname);
        Dataset *pre = ds_filter_classes(train, orig_map.slot_class, orig_map.n_slots);
        {
            size_t lj = strlen(modjson), lm = strlen(modmd);
            snprintf(modjson + lj, sizeof modjson - lj,
                     "%s\"%s\": {\"net\": \"%s\", \"train_per_class\": %d, \"test_per_class\": %d, "
                     "\"train_samples\": %d, \"test_samples\": %d, \"pretrain_epochs\": %d, \"method_steps\": %ld, "
                     "\"batch\": %d, \"relearn_lr\": %g}", lj ? ", " : "", m->name, netname, dopt.limit_per_class,
                     dopt.test_limit_per_class, train->n, test->n, recipe.epochs, steps, recipe.batch, relearn_lr);
            snprintf(modmd + lm, sizeof modmd - lm,
                     "- %s: net '%s', %d training / %d test samples%s, original and retrain %d epochs, method budget "
                     "%ld steps of batch %d, relearn SGD lr %g\n", m->name, netname, train->n, test->n,
                     dopt.limit_per_class ? " (subset)" : "", recipe.epochs, steps, recipe.batch, relearn_lr);
        }
        if (!op.quiet)
            fprintf(stderr, "[%s] %d training / %d test samples, net '%s', recipe %d epochs batch %d %s lr %g\n",
                    m->name, train->n, test->n, netname, recipe.epochs, recipe.batch,
                    recipe.opt == OPT_ADAM ? "adam" : "sgd", recipe.lr);
        for (int si = 0; si < nseeds && rc == 0; si++) {
            int seed = seeds[si];
            double t_seed = now_s();
            UnlearnTask t;
            if (task_build(&t, train, test, &orig_map, op.forget, op.learn, 0, (uint64_t)seed, err, sizeof err)) {
                fprintf(stderr, "unlearn-compare: %s: %s\n", m->name, err);
                rc = 1;
                break;
            }
            PlotModel *pms = si == 0 && op.plots ? calloc(MAX_MODELS, sizeof *pms) : NULL;
            int npm = 0;
            char path[PATH_MAX + 256];
            Cost oc, rcst;
            snprintf(path, sizeof path, "%s/%s_%s_original_l%d_e%d_s%d.safetensors", modeldir, m->name, netkey,
                     dopt.limit_per_class, recipe.epochs, seed);
            if (!op.quiet) fprintf(stderr, "[%s seed %d] original\n", m->name, seed);
            Net *orig = get_model(m, spec, netname, pre, &orig_map, &recipe, (uint64_t)seed, path, "original", &op,
                                  &oc, err, sizeof err);
            Dataset *rdata = orig ? ds_concat(t.retain, t.learn) : NULL;
            snprintf(path, sizeof path, "%s/%s_%s_retrain_f%d_l%d_l%d_e%d_s%d.safetensors", modeldir, m->name, netkey,
                     op.forget, op.learn, dopt.limit_per_class, recipe.epochs, seed);
            if (orig && !op.quiet) fprintf(stderr, "[%s seed %d] retrain (gold standard)\n", m->name, seed);
            Net *retr = rdata ? get_model(m, spec, netname, rdata, &t.after, &recipe, (uint64_t)seed, path, "retrain",
                                          &op, &rcst, err, sizeof err)
                              : NULL;
            ds_free(rdata);
            if (!orig || !retr) {
                fprintf(stderr, "unlearn-compare: %s seed %d: %s\n", m->name, seed, err);
                net_free(orig); net_free(retr); task_free(&t); free(pms);
                rc = 1;
                break;
            }
            MetricsConfig mc = op.mc;
            mc.seed = (uint64_t)seed;
            mc.relearn_lr = relearn_lr;
            UnlearnMetrics mr, mo;
            double t0 = now_s();
            if (metrics_compute(retr, &t, &mc, &mr, err, sizeof err)) {
                fprintf(stderr, "unlearn-compare: %s seed %d retrain metrics: %s\n", m->name, seed, err);
                rc = 1;
            }
            mr.seconds = rcst.seconds;
            mr.flops = rcst.flops;
            metrics_vs_retrain(&mr, &mr);
            progress_line(&op, m->name, seed, "retrain", &mr, now_s() - t0);
            t0 = now_s();
            if (rc == 0 && metrics_compute_map(orig, &t, &orig_map, &mc, &mo, err, sizeof err)) {
                fprintf(stderr, "unlearn-compare: %s seed %d original metrics: %s\n", m->name, seed, err);
                rc = 1;
            }
            if (rc) { net_free(orig); net_free(retr); task_free(&t); free(pms); break; }
            metrics_vs_retrain(&mo, &mr);   /* seconds/flops stay NaN: the original is not a method */
            progress_line(&op, m->name, seed, "original", &mo, now_s() - t0);
            results_add(&res, m->name, "original", seed, &mo);
            results_add(&res, m->name, "retrain", seed, &mr);
            if (pms) {
                plot_fill(&pms[npm++], "original", orig, &orig_map, test, &t, m->n_labels, &mo);
                plot_fill(&pms[npm++], "retrain", retr, &t.after, test, &t, m->n_labels, &mr);
            }
            for (int k = 0; k < nmeth; k++) {
                Net *net = net_clone(orig);
                if (net_set_device(net, op.device, err, sizeof err)) { net_free(net); rc = 1; break; }
                UnlearnConfig uc;
                unlearn_config_default(&uc);
                uc.steps = steps;
                uc.batch = recipe.batch;   /* the modality's batch size */
                if (uc.new_class_steps > steps) uc.new_class_steps = steps;
                uc.seed = (uint64_t)seed;
                uc.recipe = &recipe;
                uc.verbose = 0;
                UnlearnStats st;
                memset(&st, 0, sizeof st);
                UnlearnMetrics mm;
                metrics_clear(&mm);
                if (quick) uc.importance_samples = 256;
                if (!op.quiet && isatty(2)) fprintf(stderr, "[%s seed %d] %s...\r", m->name, seed, meths[k]->name);
                int bad = meths[k]->run(net, &t, &uc, &st, err, sizeof err);
                net_sync_to_host(net);
                if (bad) {
                    fprintf(stderr, "[%s seed %d] %-16s FAILED: %s\n", m->name, seed, meths[k]->name, err);
                } else {
                    t0 = now_s();
                    if (metrics_compute(net, &t, &mc, &mm, err, sizeof err)) {
                        fprintf(stderr, "[%s seed %d] %-16s metrics FAILED: %s\n", m->name, seed, meths[k]->name, err);
                        metrics_clear(&mm);
                    }
                    mm.seconds = st.seconds;
                    mm.flops = st.flops;
                    metrics_vs_retrain(&mm, &mr);
                    progress_line(&op, m->name, seed, meths[k]->name, &mm, now_s() - t0);
                    if (pms && npm < MAX_MODELS)
                        plot_fill(&pms[npm++], meths[k]->name, net, &t.after, test, &t, m->n_labels, &mm);
                }
                mm.seconds = st.seconds;
                mm.flops = st.flops;
                results_add(&res, m->name, meths[k]->name, seed, &mm);
                net_free(net);
            }
            if (pms && rc == 0) {
                if (write_plots(outdir, m, pms, npm, seed, op.forget, op.learn, op.mc.relearn_threshold, err,
                                sizeof err))
                    fprintf(stderr, "unlearn-compare: plots: %s\n", err);
            }
            free(pms);
            net_free(orig);
            net_free(retr);
            task_free(&t);
            /* rewrite the results after every seed */
            double total = now_s() - t_start;
            build_info(&op, quick, modjson, modmd, total, 0, run_info, sizeof run_info, preamble, sizeof preamble);
            if (write_results(&res, outdir, run_info, preamble, err, sizeof err)) {
                fprintf(stderr, "unlearn-compare: %s\n", err);
                rc = 1;
            }
            if (!op.quiet)
                fprintf(stderr, "[%s seed %d] done in %.1f s (total %.1f s)\n", m->name, seed, now_s() - t_seed, total);
        }
        if (!op.quiet) fprintf(stderr, "[%s] done in %.1f s\n", m->name, now_s() - t_mod);
        ds_free(pre);
        free(spec);
        ds_free(train);
        ds_free(test);
    }
    double total = now_s() - t_start;
    if (rc == 0 && res.n) {
        build_info(&op, quick, modjson, modmd, total, 1, run_info, sizeof run_info, preamble, sizeof preamble);
        if (write_results(&res, outdir, run_info, preamble, err, sizeof err)) {
            fprintf(stderr, "unlearn-compare: %s\n", err);
            rc = 1;
        }
    }
    if (rc == 0) {
        printf("wrote %s/results.json, results.csv, results_runs.csv, results.md%s\n", outdir,
               op.plots ? " and SVG plots" : "");
    }
    fprintf(stderr, "unlearn-compare: total time %.1f s (%.1f min)\n", total, total / 60);
    results_free(&res);
    return rc;
}
