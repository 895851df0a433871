/* eval_unlearn_cli.c — `<program> eval --forget C [--learn C] [--reference R]
 * [--metrics basic,mia,probe,relearn] [--json F]`: every unlearning metric of a
 * checkpoint, optionally against the retrained reference.
 *
 * Which map is "before"?  The task is built from the ORIGINAL model's slots.  A
 * model whose map still slots the forgotten class is taken as an original (its
 * map is `before`); one whose map slots the learned class where the forgotten
 * one was is an unlearned model (its map is `after`; `before` puts the forgotten
 * class back into that slot).  Metrics use the model's own map either way. */
#include "eval_unlearn_cli.h"
#include "escape.h"
#include "services.h"
#include "unlearn.h"
#include "atomic_file.h"
#include "checkpoint.h"
#include "metrics.h"
#include "report.h"
#include "train.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    Net *net;
    ClassMap cm;
    const char *state;     /* "original" or "unlearned" */
    UnlearnMetrics m;
} EvalModel;

/* Reconstruct `before` from a model's map. 0 or -1 with err. */
static int before_map(const ClassMap *cm, int forget, int learn, ClassMap *before, const char **state,
                      char *err, size_t errlen) {
    int sf = classmap_slot(cm, forget), sl = learn >= 0 ? classmap_slot(cm, learn) : -1;
    if (sf >= 0 && sl >= 0) {
        snprintf(err, errlen, "the model has slots for both class %d (to forget) and class %d (to learn)", forget, learn);
        return -1;
    }
    *before = *cm;
    if (sf >= 0) { *state = "original"; return 0; }
    if (sl >= 0) {
        before->slot_class[sl] = forget;
        *state = "unlearned";
        return 0;
    }
    if (learn >= 0)
        snprintf(err, errlen, "the model has no slot for class %d (to forget) nor for class %d (learned in its place)",
                 forget, learn);
    else
        snprintf(err, errlen, "the model has no slot for class %d; if another class replaced it, say which with --learn C",
                 forget);
    return -1;
}

static void fmt_pct(char *b, size_t n, double v) {
    if (isfinite(v)) snprintf(b, n, "%.2f%%", 100 * v);
    else snprintf(b, n, "-");
}

static void fmt_steps(char *b, size_t n, double v, int cap, int computed) {
    if (!computed) snprintf(b, n, "-");
    else if (isfinite(v)) snprintf(b, n, "%.0f", v);
    else snprintf(b, n, "> %d", cap);
}

static void json_metrics(JsonWriter *w, const UnlearnMetrics *m) {
    jw_object(w, JW_INLINE);
    jw_key(w, "forget_leakage"); jw_num6(w, m->forget_leakage);
    jw_key(w, "new_class_acc"); jw_num6(w, m->new_class_acc);
    jw_key(w, "retained_acc"); jw_num6(w, m->retained_acc);
    jw_key(w, "mia_efficacy"); jw_num6(w, m->mia_efficacy);
    jw_key(w, "mia_fit_acc"); jw_num6(w, m->mia_fit_acc);
    jw_key(w, "probe_acc"); jw_num6(w, m->probe_acc);
    jw_key(w, "probe_train_acc"); jw_num6(w, m->probe_train_acc);
    jw_key(w, "relearn_steps"); jw_num6(w, m->relearn_steps);
    jw_key(w, "relearn_final_acc"); jw_num6(w, m->relearn_final_acc);
    jw_key(w, "relearn_curve");
    jw_object(w, JW_INLINE);
    jw_key(w, "steps");
    jw_array(w, JW_INLINE);
    for (int i = 0; i < m->relearn_points; i++) jw_int(w, m->relearn_step[i]);
    jw_end(w);
    jw_key(w, "acc");
    jw_array(w, JW_INLINE);
    for (int i = 0; i < m->relearn_points; i++) jw_num6(w, m->relearn_acc[i]);
    jw_end(w);
    jw_end(w);
    jw_key(w, "avg_gap"); jw_num6(w, m->avg_gap);
    jw_end(w);
}

/* The --json document. */
static void eval_json(JsonWriter *w, const Modality *m, const char *path, const char *refpath, const EvalModel *em,
                      int nm, long forget, long learn, int slot, long seed, double test_acc, const MetricsConfig *mc) {
    jw_object(w, JW_LINES);
    jw_key(w, "modality"); jw_str(w, m->name);
    jw_key(w, "model"); jw_str(w, path);
    jw_key(w, "state"); jw_str(w, em[0].state);
    jw_key(w, "forget"); jw_int(w, forget);
    jw_key(w, "learn"); jw_int(w, learn);
    jw_key(w, "slot"); jw_int(w, slot);
    jw_key(w, "seed"); jw_int(w, seed);
    jw_key(w, "test_acc"); jw_num6(w, test_acc);
    jw_key(w, "config");
    jw_object(w, JW_INLINE);
    jw_key(w, "relearn_k"); jw_int(w, mc->relearn_k);
    jw_key(w, "relearn_lr"); jw_num6(w, mc->relearn_lr);
    jw_key(w, "relearn_threshold"); jw_num6(w, mc->relearn_threshold);
    jw_key(w, "relearn_max_steps"); jw_int(w, mc->relearn_max_steps);
    jw_key(w, "relearn_batch"); jw_int(w, mc->relearn_batch);
    jw_key(w, "mia_cap"); jw_int(w, mc->mia_cap);
    jw_key(w, "probe_cap"); jw_int(w, mc->probe_cap);
    jw_end(w);
    jw_key(w, "metrics");
    json_metrics(w, &em[0].m);
    if (nm == 2) {
        jw_key(w, "reference"); jw_str(w, refpath);
        jw_key(w, "reference_metrics");
        json_metrics(w, &em[1].m);
    }
    jw_end(w);
    jb_puts(&w->buf, "\n");
}

static int parse_metrics(const char *list, MetricsConfig *mc, char *err, size_t errlen) {
    /* k-shot recovery needs the validation split and KLoM margins an ensemble: unlearn-compare measures them */
    mc->mia = mc->probe = mc->relearn = mc->relapse = mc->kshot = mc->margins = mc->relearn_ks = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "basic")) continue;
        else if (!strcmp(tok, "mia")) mc->mia = 1;
        else if (!strcmp(tok, "probe")) mc->probe = 1;
        else if (!strcmp(tok, "relearn")) mc->relearn = 1;
        else if (!strcmp(tok, "relapse")) mc->relapse = mc->probe = 1;
        else if (!strcmp(tok, "all")) mc->mia = mc->probe = mc->relearn = mc->relapse = 1;
        else {
            snprintf(err, errlen, "--metrics: unknown metric '%s' (basic, mia, probe, relearn, relapse, all)", esc(tok));
            return -1;
        }
    }
    return 0;
}

/* The metrics table (model, and reference with the gap when there is one). */
static void print_metrics(const EvalModel *em, int nm, long forget, long learn, int slot, const char *refpath,
                          const MetricsConfig *cfg) {
    const MetricsConfig mc = *cfg;
    char learn_txt[32] = "";
    if (learn >= 0) snprintf(learn_txt, sizeof learn_txt, ", learn %ld", learn);
    printf("\nunlearning metrics: forget %ld%s, slot %d, %s model%s%s\n\n", forget, learn_txt, slot,
           em[0].state, nm == 2 ? ", reference " : "", nm == 2 ? esc(refpath) : "");
    printf("%-28s %14s", "metric", "model");
    if (nm == 2) printf(" %14s %10s", "reference", "|gap|");
    printf("\n");
    struct { const char *name; double a, b; int pct, computed; } rows[] = {
        {"forget leakage", em[0].m.forget_leakage, em[1].m.forget_leakage, 1, 1},
        {"new-class accuracy", em[0].m.new_class_acc, em[1].m.new_class_acc, 1, learn >= 0},
        {"retained accuracy", em[0].m.retained_acc, em[1].m.retained_acc, 1, 1},
        {"MIA efficacy", em[0].m.mia_efficacy, em[1].m.mia_efficacy, 1, mc.mia},
        {"linear-probe accuracy", em[0].m.probe_acc, em[1].m.probe_acc, 1, mc.probe},
        {"relearn steps", em[0].m.relearn_steps, em[1].m.relearn_steps, 0, mc.relearn},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (!rows[i].computed) continue;
        char a[32], b[32], g[32];
        if (rows[i].pct) {
            fmt_pct(a, sizeof a, rows[i].a);
            fmt_pct(b, sizeof b, rows[i].b);
            fmt_pct(g, sizeof g, fabs(rows[i].a - rows[i].b));
        } else {
            fmt_steps(a, sizeof a, rows[i].a, mc.relearn_max_steps, 1);
            fmt_steps(b, sizeof b, rows[i].b, mc.relearn_max_steps, 1);
            if (isfinite(rows[i].a) && isfinite(rows[i].b)) snprintf(g, sizeof g, "%.0f", fabs(rows[i].a - rows[i].b));
            else snprintf(g, sizeof g, "-");
        }
        printf("%-28s %14s", rows[i].name, a);
        if (nm == 2) printf(" %14s %10s", b, g);
        printf("\n");
    }
    if (nm == 2) {
        char g[32];
        fmt_pct(g, sizeof g, em[0].m.avg_gap);
        printf("%-28s %14s   (mean |model - reference| over leakage, new-class, retained, MIA)\n", "avg gap", g);
    }
    if (mc.relearn)
        printf("\nrelearn: %d examples of class %ld in a fresh slot, SGD lr %g, batch %d, threshold %.0f%% test "
               "accuracy, cap %d steps\n", mc.relearn_k, forget, mc.relearn_lr, mc.relearn_batch,
               100 * mc.relearn_threshold, mc.relearn_max_steps);
    if (mc.probe) printf("probe: balanced test accuracy, class %ld vs the kept classes (0.5 = chance)\n", forget);
}

/* Load the model (and reference) for this modality onto the device.  0 or -1 with err. */
static int load_models(const Modality *m, EvalModel *em, int nm, const char *device, char *err, size_t errlen) {
    for (int i = 0; i < nm; i++) {
        em[i].net = svc_load_model(m, em[i].path, &em[i].cm, err, errlen);
        if (!em[i].net || net_set_device(em[i].net, device, err, errlen)) return -1;
    }
    return 0;
}

/* Every model's input must match the data's samples.  0 or -1 with err. */
static int check_inputs(const EvalModel *em, int nm, const Dataset *d, char *err, size_t errlen) {
    for (int i = 0; i < nm; i++)
        if (svc_check_input(em[i].net, em[i].path, d, err, errlen)) return -1;
    return 0;
}

int cmd_eval_unlearn(const Modality *m, const CliOpt *o) {
    char err[512];
    const char *prog = m->program;
    long forget, learn, seed;
    if (cli_int(o, "forget", -1, 0, m->n_labels - 1, &forget, err, sizeof err) ||
        cli_int(o, "learn", -1, -1, m->n_labels - 1, &learn, err, sizeof err) ||
        cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", prog, err);
        return 2;
    }
    MetricsConfig mc;
    metrics_config_default(&mc);
    mc.seed = (uint64_t)seed;
    mc.relearn_lr = m->relearn_lr;
    if (parse_metrics(cli_str(o, "metrics", "all"), &mc, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", prog, err);
        return 2;
    }
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s eval: --model FILE is required\n", prog); return 2; }
    const char *refpath = cli_str(o, "reference", NULL);
    const char *json = cli_str(o, "json", NULL);
    if (json && svc_check_outputs(&json, 1, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", prog, err); return 2; }
    const char *device = cli_str(o, "device", "auto");

    EvalModel em[2];
    memset(em, 0, sizeof em);
    em[0].path = path;
    em[1].path = refpath;
    int nm = refpath ? 2 : 1, rc = 1;
    Dataset *train = NULL, *test = NULL;
    UnlearnTask t;
    memset(&t, 0, sizeof t);
    int have_task = 0;
    if (load_models(m, em, nm, device, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", prog, err); goto out; }
    ClassMap before, rbefore;
    if (before_map(&em[0].cm, (int)forget, (int)learn, &before, &em[0].state, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s: %s\n", prog, esc(path), err);
        goto out;
    }
    if (nm == 2) {
        if (before_map(&em[1].cm, (int)forget, (int)learn, &rbefore, &em[1].state, err, sizeof err)) {
            fprintf(stderr, "%s eval: --reference %s: %s\n", prog, esc(refpath), err);
            goto out;
        }
        if (rbefore.n_slots != before.n_slots ||
            memcmp(rbefore.slot_class, before.slot_class, sizeof(int) * before.n_slots)) {
            fprintf(stderr, "%s eval: the reference %s does not share the model's class slots\n", prog, esc(refpath));
            goto out;
        }
    }
    DataOptions dopt;
    int lrc = svc_load_data(m, o, &dopt, &train, &test, err, sizeof err);
    if (lrc || check_inputs(em, nm, test, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", prog, err);
        rc = lrc ? lrc : 1;
        goto out;
    }
    if (task_build(&t, train, test, &before, (int)forget, (int)learn, 0, (uint64_t)seed, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", prog, err);
        goto out;
    }
    have_task = 1;
    for (int i = 0; i < nm; i++) {
        if (!cli_flag(o, "quiet"))
            fprintf(stderr, "%s eval: metrics of %s (%s model)...\n", prog, esc(em[i].path), em[i].state);
        if (metrics_compute_map(em[i].net, &t, &em[i].cm, &mc, &em[i].m, err, sizeof err)) {
            fprintf(stderr, "%s eval: %s: %s\n", prog, esc(em[i].path), err);
            goto out;
        }
    }
    if (nm == 2) metrics_vs_retrain(&em[0].m, &em[1].m);

    EvalResult ev;
    train_evaluate(em[0].net, test, &em[0].cm, 256, m->n_labels, &ev);
    report_eval_table(stdout, &ev, &em[0].cm, m->n_labels);

    print_metrics(em, nm, forget, learn, t.slot, refpath, &mc);

    if (json) {
        JsonWriter w;
        jw_init(&w, JW_PRETTY);
        eval_json(&w, m, path, refpath, em, nm, forget, learn, t.slot, seed, ev.acc, &mc);
        int bad = report_write_json(json, &w, err, sizeof err);
        jw_free(&w);
        if (bad) { fprintf(stderr, "%s eval: %s\n", prog, err); goto out; }
        printf("wrote %s\n", esc(json));
    }
    rc = 0;
out:
    if (have_task) task_free(&t);
    for (int i = 0; i < 2; i++) net_free(em[i].net);
    ds_free(train); ds_free(test);
    return rc;
}
