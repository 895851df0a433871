/* unlearn_cli.c — `<program> forget`: run one unlearning method on a checkpoint, write the new checkpoint. */
#include "unlearn_cli.h"
#include "services.h"
#include "unlearn.h"
#include "checkpoint.h"
#include "atomic_file.h"
#include "json.h"
#include "escape.h"
#include "report.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- forget: run one unlearning method on a checkpoint ---- */

/* Forget leakage, new-class accuracy and retained accuracy of net on the task's
 * held-out sets (train_evaluate() with the after-slots). */
typedef struct { double leak, newacc, retained; } ForgetScores;
static void forget_scores(Net *net, const UnlearnTask *t, int n_labels, ForgetScores *s) {
    EvalResult ev;
    train_evaluate(net, t->forget_test, &t->after, 256, n_labels, &ev);
    s->leak = ev.count[t->forget_class] ? (double)ev.confusion[t->forget_class][t->slot] / ev.count[t->forget_class]
                                        : NAN;
    s->newacc = NAN;
    if (t->learn_class >= 0 && t->learn_test->n > 0) {
        train_evaluate(net, t->learn_test, &t->after, 256, n_labels, &ev);
        s->newacc = ev.count[t->learn_class] ? (double)ev.confusion[t->learn_class][t->slot] / ev.count[t->learn_class]
                                             : NAN;
    }
    train_evaluate(net, t->retain_test, &t->after, 256, n_labels, &ev);
    s->retained = ev.acc;
}

static void pct(FILE *f, double v) {
    if (isnan(v)) fprintf(f, "  %9s", "-");
    else fprintf(f, "  %8.2f%%", 100 * v);
}

static void forget_help(const Modality *m) {
    printf("usage: %s forget --model FILE --method NAME --forget C --learn C|none --out FILE [options]\n\n"
           "Make a model forget class C and learn another class in its output slot (--learn none:\n"
           "plain forgetting).  Prints forget leakage, new-class accuracy and retained accuracy on\n"
           "the held-out test data before and after, and writes the new checkpoint.\n\nmethods:\n",
           m->program);
    for (int i = 0; unlearn_methods[i]; i++)
        printf("  %-16s %s\n", unlearn_methods[i]->name, unlearn_methods[i]->summary);
    UnlearnConfig d;
    unlearn_config_default(&d);
    printf("\noptions:\n"
           "  --model FILE        the original checkpoint\n"
           "  --method NAME       one of the methods above\n"
           "  --forget C          the class to forget (must have an output slot)\n"
           "  --learn C|none      the class to learn into its slot (must not have one), or none\n"
           "  --out FILE          checkpoint to write\n"
           "  --json FILE         also write the results as JSON\n"
           "  --steps N           optimiser steps (default %ld; retrain: the recipe's %d epochs)\n"
           "  --lr X              learning rate (default %g; retrain: the recipe's)\n"
           "  --batch N           batch size (default %d; retrain: the recipe's)\n"
           "  --opt adam|sgd      optimiser (default adam)\n"
           "  --seed S            seed of the method (default 1)\n"
           "  --data-seed S       seed of the --limit data subsample (default: --seed; use the\n"
           "                      pre-training seed so the forget set is the data the model saw)\n"
           "  --learn-limit N     at most N training samples of the new class (default all)\n"
           "  --mask-frac F       share of weights left trainable (salun, baseline; default %g)\n"
           "  --saliency grad|fisher   baseline's importance (default grad)\n"
           "  --variant ascent|uniform|other   baseline's forget loss (default ascent)\n"
           "  --forget-weight X   per-sample weight of gradient ascent on forget (neggrad+, baseline\n"
           "                      ascent; default %g)\n"
           "  --new-class-steps N steps of the shared new-class step (ssd; default %ld)\n"
           "  --alpha X --lambda X  SSD selection and dampening (default %g, %g)\n"
           "  --temperature T     SCRUB's distillation temperature (default %g)\n"
           "  --max-every N       SCRUB: one max-step every N steps in the first half (default %d)\n"
           "  --importance-samples N  samples per importance pass (default %d; 0 = all)\n"
           "  --no-augment        no augmentation in retrain\n%s%s",
           d.steps, m->recipe.epochs, d.lr, d.batch, d.mask_frac, d.forget_weight, d.new_class_steps, d.alpha,
           d.lambda, d.temperature, d.max_steps_ratio, d.importance_samples, svc_common_help,
           m->data_help ? m->data_help : "");
    fputs(CLI_EXIT_HELP, stdout);
}

/* The parsed options of one forget run. */
typedef struct {
    const char *model, *out, *json, *opt, *saliency, *variant;
    const UnlearnMethod *meth;
    int is_retrain;
    long forget, learn, threads, seed, data_seed, learn_limit;
    UnlearnConfig c;
} ForgetArgs;

/* Method, model, classes and output: the required options.  0, or 2 with err. */
static int forget_required(const CliOpt *o, ForgetArgs *a, char *err, size_t errlen) {
    const char *mname = cli_str(o, "method", NULL);
    a->model = cli_str(o, "model", NULL);
    a->out = cli_str(o, "out", NULL);
    a->json = cli_str(o, "json", NULL);
    if (!mname) { snprintf(err, errlen, "--method NAME is required (see --help for the list)"); return 2; }
    a->meth = unlearn_method_find(mname);
    if (!a->meth) {
        char names[512] = "";
        for (int i = 0; unlearn_methods[i]; i++) {
            strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
            strncat(names, unlearn_methods[i]->name, sizeof names - strlen(names) - 1);
        }
        snprintf(err, errlen, "unknown method '%s' (methods: %s)", mname, names);
        return 2;
    }
    const char *missing = !a->model ? "--model FILE is required"
                        : !cli_str(o, "forget", NULL) ? "--forget C is required"
                        : !cli_str(o, "learn", NULL) ? "--learn C (or --learn none) is required"
                        : !a->out ? "--out FILE is required" : NULL;
    if (missing) { snprintf(err, errlen, "%s", missing); return 2; }
    const char *outs[2] = {a->out, a->json};
    if (svc_check_outputs(outs, 2, err, errlen)) return 2;
    a->is_retrain = !strcmp(a->meth->name, "retrain");
    return 0;
}

/* The numeric options into a->c (defaults: unlearn_config_default, retrain: the recipe).  0, or 2 with err. */
static int forget_numbers(const Modality *m, const CliOpt *o, ForgetArgs *a, char *err, size_t errlen) {
    UnlearnConfig *c = &a->c;
    long steps, batch, ncs, maxev, isamp;
    double lr, mfrac, fw, alpha, lambda, temp;
    const char *ls = cli_str(o, "learn", "none");
    a->learn = -1;
    if (cli_int(o, "forget", 0, 0, m->n_labels - 1, &a->forget, err, errlen) ||
        (strcmp(ls, "none") && cli_int(o, "learn", 0, 0, m->n_labels - 1, &a->learn, err, errlen)) ||
        svc_threads_opt(o, &a->threads, err, errlen) ||
        cli_int(o, "steps", a->is_retrain ? 0 : c->steps, 1, 100000000, &steps, err, errlen) ||
        cli_int(o, "batch", a->is_retrain ? m->recipe.batch : c->batch, 1, 65536, &batch, err, errlen) ||
        cli_int(o, "seed", 1, 0, LONG_MAX, &a->seed, err, errlen) ||
        cli_int(o, "data-seed", a->seed, 0, LONG_MAX, &a->data_seed, err, errlen) ||
        cli_int(o, "learn-limit", 0, 0, 100000000, &a->learn_limit, err, errlen) ||
        cli_int(o, "new-class-steps", c->new_class_steps, 0, 100000000, &ncs, err, errlen) ||
        cli_int(o, "max-every", c->max_steps_ratio, 0, 1000000, &maxev, err, errlen) ||
        cli_int(o, "importance-samples", c->importance_samples, 0, 100000000, &isamp, err, errlen) ||
        cli_float(o, "lr", a->is_retrain ? m->recipe.lr : c->lr, 1e-9, 100, &lr, err, errlen) ||
        cli_float(o, "mask-frac", c->mask_frac, 0, 1, &mfrac, err, errlen) ||
        cli_float(o, "forget-weight", c->forget_weight, 0, 1000, &fw, err, errlen) ||
        cli_float(o, "alpha", c->alpha, 0, 1e9, &alpha, err, errlen) ||
        cli_float(o, "lambda", c->lambda, 0, 1e9, &lambda, err, errlen) ||
        cli_float(o, "temperature", c->temperature, 1e-3, 1000, &temp, err, errlen))
        return 2;
    c->steps = steps;
    c->batch = (int)batch;
    c->lr = (float)lr;
    c->seed = (uint64_t)a->seed;
    c->mask_frac = (float)mfrac;
    c->forget_weight = (float)fw;
    c->alpha = (float)alpha;
    c->lambda = (float)lambda;
    c->temperature = (float)temp;
    c->max_steps_ratio = (int)maxev;
    c->new_class_steps = ncs;
    c->importance_samples = (int)isamp;
    return 0;
}

/* The named choices: --saliency, --variant, --opt.  0, or 2 with err. */
static int forget_choices(const Modality *m, const CliOpt *o, ForgetArgs *a, char *err, size_t errlen) {
    const char *sal = cli_str(o, "saliency", "grad"), *var = cli_str(o, "variant", "ascent");
    const char *opts = cli_str(o, "opt", a->is_retrain ? (m->recipe.opt == OPT_ADAM ? "adam" : "sgd") : "adam");
    if (strcmp(sal, "grad") && strcmp(sal, "fisher")) {
        snprintf(err, errlen, "--saliency must be grad or fisher, not '%s'", sal);
        return 2;
    }
    if (strcmp(var, "ascent") && strcmp(var, "uniform") && strcmp(var, "other")) {
        snprintf(err, errlen, "--variant must be ascent, uniform or other, not '%s'", var);
        return 2;
    }
    if (strcmp(opts, "adam") && strcmp(opts, "sgd")) {
        snprintf(err, errlen, "--opt must be adam or sgd, not '%s'", opts);
        return 2;
    }
    a->saliency = sal;
    a->variant = var;
    a->opt = opts;
    a->c.opt = !strcmp(opts, "adam") ? OPT_ADAM : OPT_SGD;
    a->c.saliency = !strcmp(sal, "fisher") ? SALIENCY_FISHER : SALIENCY_GRAD;
    a->c.variant = !strcmp(var, "ascent") ? VARIANT_ASCENT : !strcmp(var, "uniform") ? VARIANT_UNIFORM : VARIANT_OTHER;
    return 0;
}

/* Every option of forget, in the order the errors are reported.  0, or 2 with err. */
static int forget_options(const Modality *m, const CliOpt *o, ForgetArgs *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    unlearn_config_default(&a->c);
    int rc = forget_required(o, a, err, errlen);
    if (!rc) rc = forget_numbers(m, o, a, err, errlen);
    if (!rc) rc = forget_choices(m, o, a, err, errlen);
    a->c.verbose = !cli_flag(o, "quiet");
    return rc;
}

/* Load the original model and check the classes against its slots.  NULL with rc (1 or 2) and err. */
static Net *forget_load_model(const Modality *m, const ForgetArgs *a, ClassMap *cm, int *rc, char *err,
                              size_t errlen) {
    Net *net = svc_load_model(m, a->model, cm, err, errlen);
    *rc = 1;
    if (!net) return NULL;
    if (classmap_slot(cm, (int)a->forget) < 0) {
        char cls[256];
        classmap_format(cm, cls, sizeof cls);
        snprintf(err, errlen, "class %ld has no output slot in this model (its classes: %s)", a->forget, cls);
        *rc = 2;
    } else if (a->learn >= 0 && classmap_slot(cm, (int)a->learn) >= 0) {
        snprintf(err, errlen, "class %ld already has an output slot in this model (slot %d)", a->learn,
                 classmap_slot(cm, (int)a->learn));
        *rc = 2;
    } else if (a->learn == a->forget) {
        snprintf(err, errlen, "--learn and --forget are the same class (%ld)", a->forget);
        *rc = 2;
    } else {
        *rc = 0;
        return net;
    }
    net_free(net);
    return NULL;
}

/* Build the task from the data (the data seed picks the --limit subsample), after checking the
 * model's input against it.  0, 2 (bad data option) or 1 with err. */
static int forget_task(const Modality *m, const CliOpt *o, const ForgetArgs *a, const Net *net, const ClassMap *cm,
                       UnlearnTask *task, DataOptions *dopt, char *err, size_t errlen) {
    Dataset *train = NULL, *test = NULL;
    int lrc = svc_load_data_seeded(m, o, a->data_seed, dopt, &train, &test, err, errlen);
    if (lrc || svc_check_input(net, a->model, train, err, errlen)) {
        ds_free(train);
        ds_free(test);
        return lrc ? lrc : 1;
    }
    int rc = task_build(task, train, test, cm, (int)a->forget, (int)a->learn, (int)a->learn_limit,
                        (uint64_t)a->seed, err, errlen);
    ds_free(train);
    ds_free(test);
    return rc ? 1 : 0;
}

static void forget_print(const ForgetArgs *a, const ForgetScores *before, const ForgetScores *after,
                         const UnlearnStats *st, size_t n_params) {
    printf("%-16s  %10s  %10s  %10s  %9s\n", "model", "forget leak", "new class", "retained", "seconds");
    printf("%-16s", "original");
    pct(stdout, before->leak); pct(stdout, before->newacc); pct(stdout, before->retained);
    printf("  %9s\n", "-");
    printf("%-16s", a->meth->name);
    pct(stdout, after->leak); pct(stdout, after->newacc); pct(stdout, after->retained);
    printf("  %9.2f\n", st->seconds);
    printf("(%ld steps, %.3g GFLOP", st->steps, st->flops / 1e9);
    if (st->frozen) printf(", %ld of %zu parameters frozen", st->frozen, n_params);
    printf(")\n");
}

/* The run's configuration as one compact JSON object (the checkpoint's metadata and the JSON's "config"). */
static void forget_config_json(JsonWriter *w, const ForgetArgs *a, const UnlearnTask *task, const UnlearnStats *st) {
    const UnlearnConfig *c = &a->c;
    jw_object(w, JW_INLINE);
    jw_key(w, "method"); jw_str(w, a->meth->name);
    jw_key(w, "source_model"); jw_str(w, a->model);
    jw_key(w, "forget"); jw_int(w, a->forget);
    jw_key(w, "learn"); jw_int(w, a->learn);
    jw_key(w, "slot"); jw_int(w, task->slot);
    jw_key(w, "forgotten_slot"); jw_int(w, a->learn < 0 ? task->slot : -1);
    jw_key(w, "steps"); jw_int(w, c->steps);
    jw_key(w, "batch"); jw_int(w, c->batch);
    jw_key(w, "lr"); jw_float(w, c->lr);
    jw_key(w, "opt"); jw_str(w, a->opt);
    jw_key(w, "seed"); jw_int(w, a->seed);
    jw_key(w, "data_seed"); jw_int(w, a->data_seed);
    jw_key(w, "learn_limit"); jw_int(w, a->learn_limit);
    jw_key(w, "mask_frac"); jw_float(w, c->mask_frac);
    jw_key(w, "saliency"); jw_str(w, a->saliency);
    jw_key(w, "variant"); jw_str(w, a->variant);
    jw_key(w, "forget_weight"); jw_float(w, c->forget_weight);
    jw_key(w, "alpha"); jw_float(w, c->alpha);
    jw_key(w, "lambda"); jw_float(w, c->lambda);
    jw_key(w, "temperature"); jw_float(w, c->temperature);
    jw_key(w, "max_every"); jw_int(w, c->max_steps_ratio);
    jw_key(w, "new_class_steps"); jw_int(w, c->new_class_steps);
    jw_key(w, "importance_samples"); jw_int(w, c->importance_samples);
    jw_key(w, "seconds"); jw_num(w, st->seconds);
    jw_key(w, "flops"); jw_num(w, st->flops);
    jw_key(w, "method_steps"); jw_int(w, st->steps);
    jw_key(w, "frozen"); jw_int(w, st->frozen);
    jw_end(w);
}

static void scores_json(JsonWriter *w, const ForgetScores *s) {
    jw_object(w, JW_INLINE);
    jw_key(w, "forget_leakage"); jw_num(w, s->leak);
    jw_key(w, "new_class_acc"); jw_num(w, s->newacc);
    jw_key(w, "retained_acc"); jw_num(w, s->retained);
    jw_end(w);
}

/* The results JSON (--json).  0 or -1 with err. */
static int forget_write_json(const Modality *m, const ForgetArgs *a, const char *path, const char *cfg,
                             const ForgetScores *before, const ForgetScores *after, const UnlearnStats *st,
                             size_t n_params, char *err, size_t errlen) {
    JsonWriter w;
    jw_init(&w, JW_PRETTY);
    jw_object(&w, JW_LINES);
    jw_key(&w, "modality"); jw_str(&w, m->name);
    jw_key(&w, "model"); jw_str(&w, a->out);
    jw_key(&w, "config"); jw_raw(&w, cfg);
    jw_key(&w, "before"); scores_json(&w, before);
    jw_key(&w, "after"); scores_json(&w, after);
    jw_key(&w, "seconds"); jw_num(&w, st->seconds);
    jw_key(&w, "flops"); jw_num(&w, st->flops);
    jw_key(&w, "steps"); jw_int(&w, st->steps);
    jw_key(&w, "frozen"); jw_int(&w, st->frozen);
    jw_key(&w, "n_params"); jw_int(&w, (long long)n_params);
    jw_end(&w);
    jb_puts(&w.buf, "\n");
    int rc = report_write_json(path, &w, err, errlen);
    jw_free(&w);
    return rc;
}

/* Write the checkpoint (after-slots; plain forgetting keeps the old class list, since a slot
 * standing for no class cannot be stored in it, and records the slot in the metadata) and
 * the JSON.  0 or -1 with err. */
static int forget_write(const Modality *m, const ForgetArgs *a, Net *net, const UnlearnTask *task,
                        const ForgetScores *before, const ForgetScores *after, const UnlearnStats *st, char *err,
                        size_t errlen) {
    JsonWriter cfg;
    jw_init(&cfg, JW_COMPACT);
    forget_config_json(&cfg, a, task, st);
    if (cfg.buf.oom) { jw_free(&cfg); snprintf(err, errlen, "out of memory"); return -1; }
    const ClassMap *save_map = a->learn >= 0 ? &task->after : &task->before;
    const char *outs[2] = {a->out, a->json};
    SvcOutputs so;
    int rc = svc_outputs_begin(&so, outs, 2, err, errlen);
    if (!rc) rc = checkpoint_save(so.stage[0], net, save_map, m->name, "unlearn", cfg.buf.buf, err, errlen);
    if (!rc && a->json)
        rc = forget_write_json(m, a, so.stage[1], cfg.buf.buf, before, after, st, net->n_params, err, errlen);
    if (!rc) rc = svc_outputs_commit(&so, err, errlen);
    else svc_outputs_abort(&so);
    if (!rc) printf("wrote %s\n", esc(a->out));
    if (!rc && a->json) printf("wrote %s\n", esc(a->json));
    jw_free(&cfg);
    return rc;
}

/* Run the method on net and report.  0 or -1 with err. */
static int forget_run(const Modality *m, const ForgetArgs *a, Net *net, const UnlearnTask *task, int augment,
                      char *err, size_t errlen) {
    UnlearnConfig c = a->c;
    TrainConfig recipe = m->recipe;
    recipe.batch = c.batch;
    recipe.lr = c.lr;
    recipe.opt = c.opt;
    recipe.augment = augment ? m->augment : NULL;
    if (a->is_retrain) c.recipe = &recipe;

    ForgetScores before, after;
    forget_scores(net, task, m->n_labels, &before);
    if (c.verbose) {
        char lc[16];
        snprintf(lc, sizeof lc, "%ld", a->learn);
        fprintf(stderr, "%s: %s: forget %ld (slot %d), learn %s; %d forget, %d learn, %d retain samples; "
                "%zu parameters, %s\n", m->program, a->meth->name, a->forget, task->slot, a->learn >= 0 ? lc : "none",
                task->forget->n, task->learn->n, task->retain->n, net->n_params,
                net->device == DEVICE_CUDA ? "cuda" : "cpu");
    }
    UnlearnStats st;
    memset(&st, 0, sizeof st);
    char e[512];
    if (a->meth->run(net, task, &c, &st, e, sizeof e)) {
        snprintf(err, errlen, "%s: %s", a->meth->name, e);
        return -1;
    }
    net_sync_to_host(net);
    forget_scores(net, task, m->n_labels, &after);
    forget_print(a, &before, &after, &st, net->n_params);
    return forget_write(m, a, net, task, &before, &after, &st, err, errlen);
}

int cmd_forget(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"model", 1, 0}, {"method", 1, 0}, {"forget", 1, 0}, {"learn", 1, 0},
                  {"out", 1, 0}, {"json", 1, 0}, {"steps", 1, 0}, {"lr", 1, 0}, {"batch", 1, 0}, {"opt", 1, 0},
                  {"seed", 1, 0}, {"data-seed", 1, 0}, {"learn-limit", 1, 0}, {"mask-frac", 1, 0},
                  {"saliency", 1, 0}, {"variant", 1, 0}, {"forget-weight", 1, 0}, {"new-class-steps", 1, 0},
                  {"alpha", 1, 0}, {"lambda", 1, 0}, {"temperature", 1, 0}, {"max-every", 1, 0},
                  {"importance-samples", 1, 0}, {"no-augment", 0, 0}, {0, 0, 0}};
    char err[1024];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s forget: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { forget_help(m); return 0; }
    ForgetArgs a;
    int rc = forget_options(m, o, &a, err, sizeof err);
    if (rc) { fprintf(stderr, "%s forget: %s\n", m->program, err); return rc; }
    svc_set_threads((int)a.threads);

    ClassMap cm;
    Net *net = forget_load_model(m, &a, &cm, &rc, err, sizeof err);
    UnlearnTask task;
    memset(&task, 0, sizeof task);
    DataOptions dopt;
    if (net) {
        rc = 1;
        rc = forget_task(m, o, &a, net, &cm, &task, &dopt, err, sizeof err);
        if (!rc && (net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err) ||
                    forget_run(m, &a, net, &task, dopt.augment, err, sizeof err)))
            rc = 1;
    }
    if (rc) fprintf(stderr, "%s forget: %s\n", m->program, err);
    task_free(&task);
    net_free(net);
    return rc;
}
