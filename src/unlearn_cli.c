/* unlearn_cli.c — the forget command (see unlearn_cli.h); eval --forget lives in
 * eval_unlearn_cli.c. */
#include "unlearn_cli.h"
#include "unlearn.h"
#include "checkpoint.h"
#include "atomic_file.h"
#include "json.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- forget: run one unlearning method on a checkpoint ---- */

/* Forget leakage, new-class accuracy and retained accuracy of net on the task's
 * held-out sets (evaluate() with the after-slots). */
typedef struct { double leak, newacc, retained; } ForgetScores;
static void forget_scores(Net *net, const UnlearnTask *t, int n_labels, ForgetScores *s) {
    EvalResult ev;
    evaluate(net, t->forget_test, &t->after, 256, n_labels, &ev);
    s->leak = ev.count[t->forget_class] ? (double)ev.confusion[t->forget_class][t->slot] / ev.count[t->forget_class]
                                        : NAN;
    s->newacc = NAN;
    if (t->learn_class >= 0 && t->learn_test->n > 0) {
        evaluate(net, t->learn_test, &t->after, 256, n_labels, &ev);
        s->newacc = ev.count[t->learn_class] ? (double)ev.confusion[t->learn_class][t->slot] / ev.count[t->learn_class]
                                             : NAN;
    }
    evaluate(net, t->retain_test, &t->after, 256, n_labels, &ev);
    s->retained = ev.acc;
}

/* a float as the shortest decimal that reads back as the same float (0.001, not 0.0010000000474974513) */
static void jb_float(JsonBuf *b, float v) {
    char buf[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)v);
        if (strtof(buf, NULL) == v) break;
    }
    if (!isfinite(v)) snprintf(buf, sizeof buf, "null");
    jb_puts(b, buf);
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
           d.lambda, d.temperature, d.max_steps_ratio, d.importance_samples, driver_common_help,
           m->data_help ? m->data_help : "");
}

int cmd_forget(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"model", 1, 0}, {"method", 1, 0}, {"forget", 1, 0}, {"learn", 1, 0},
                  {"out", 1, 0}, {"json", 1, 0}, {"steps", 1, 0}, {"lr", 1, 0}, {"batch", 1, 0}, {"opt", 1, 0},
                  {"seed", 1, 0}, {"data-seed", 1, 0}, {"learn-limit", 1, 0}, {"mask-frac", 1, 0},
                  {"saliency", 1, 0}, {"variant", 1, 0}, {"forget-weight", 1, 0}, {"new-class-steps", 1, 0},
                  {"alpha", 1, 0}, {"lambda", 1, 0}, {"temperature", 1, 0}, {"max-every", 1, 0},
                  {"importance-samples", 1, 0}, {"no-augment", 0, 0}, {0, 0, 0}};
    const char *P = m->program;
    char err[512];
#define FAIL(code, ...) do { fprintf(stderr, "%s forget: ", P); fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); rc = (code); goto out; } while (0)
    int rc = 1;
    Net *net = NULL;
    Dataset *train = NULL, *test = NULL;
    UnlearnTask task;
    memset(&task, 0, sizeof task);
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s forget: %s\n", P, err); return 2; }
    if (cli_flag(o, "help")) { forget_help(m); return 0; }

    /* ---- options ---- */
    const char *model = cli_str(o, "model", NULL), *mname = cli_str(o, "method", NULL);
    const char *outp = cli_str(o, "out", NULL), *json = cli_str(o, "json", NULL);
    if (!mname) FAIL(2, "--method NAME is required (see --help for the list)");
    const UnlearnMethod *meth = unlearn_method_find(mname);
    if (!meth) {
        char names[512] = "";
        for (int i = 0; unlearn_methods[i]; i++) {
            strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
            strncat(names, unlearn_methods[i]->name, sizeof names - strlen(names) - 1);
        }
        FAIL(2, "unknown method '%s' (methods: %s)", mname, names);
    }
    if (!model) FAIL(2, "--model FILE is required");
    if (!cli_str(o, "forget", NULL)) FAIL(2, "--forget C is required");
    if (!cli_str(o, "learn", NULL)) FAIL(2, "--learn C (or --learn none) is required");
    if (!outp) FAIL(2, "--out FILE is required");
    int is_retrain = !strcmp(meth->name, "retrain");
    UnlearnConfig c;
    unlearn_config_default(&c);
    long forget_c, learn_c = -1, threads, steps, batch, seed, dseed, llimit, ncs, maxev, isamp;
    double lr, mfrac, fw, alpha, lambda, temp;
    const char *ls = cli_str(o, "learn", "none");
    if (cli_int(o, "forget", 0, 0, m->n_labels - 1, &forget_c, err, sizeof err) ||
        (strcmp(ls, "none") && cli_int(o, "learn", 0, 0, m->n_labels - 1, &learn_c, err, sizeof err)) ||
        cli_int(o, "threads", 0, 0, 1024, &threads, err, sizeof err) ||
        cli_int(o, "steps", is_retrain ? 0 : c.steps, 1, 100000000, &steps, err, sizeof err) ||
        cli_int(o, "batch", is_retrain ? m->recipe.batch : c.batch, 1, 65536, &batch, err, sizeof err) ||
        cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, sizeof err) ||
        cli_int(o, "data-seed", seed, 0, LONG_MAX, &dseed, err, sizeof err) ||
        cli_int(o, "learn-limit", 0, 0, 100000000, &llimit, err, sizeof err) ||
        cli_int(o, "new-class-steps", c.new_class_steps, 0, 100000000, &ncs, err, sizeof err) ||
        cli_int(o, "max-every", c.max_steps_ratio, 0, 1000000, &maxev, err, sizeof err) ||
        cli_int(o, "importance-samples", c.importance_samples, 0, 100000000, &isamp, err, sizeof err) ||
        cli_float(o, "lr", is_retrain ? m->recipe.lr : c.lr, 1e-9, 100, &lr, err, sizeof err) ||
        cli_float(o, "mask-frac", c.mask_frac, 0, 1, &mfrac, err, sizeof err) ||
        cli_float(o, "forget-weight", c.forget_weight, 0, 1000, &fw, err, sizeof err) ||
        cli_float(o, "alpha", c.alpha, 0, 1e9, &alpha, err, sizeof err) ||
        cli_float(o, "lambda", c.lambda, 0, 1e9, &lambda, err, sizeof err) ||
        cli_float(o, "temperature", c.temperature, 1e-3, 1000, &temp, err, sizeof err))
        FAIL(2, "%s", err);
    const char *sal = cli_str(o, "saliency", "grad"), *var = cli_str(o, "variant", "ascent");
    const char *opts = cli_str(o, "opt", is_retrain ? (m->recipe.opt == OPT_ADAM ? "adam" : "sgd") : "adam");
    if (strcmp(sal, "grad") && strcmp(sal, "fisher")) FAIL(2, "--saliency must be grad or fisher, not '%s'", sal);
    if (strcmp(var, "ascent") && strcmp(var, "uniform") && strcmp(var, "other"))
        FAIL(2, "--variant must be ascent, uniform or other, not '%s'", var);
    if (strcmp(opts, "adam") && strcmp(opts, "sgd")) FAIL(2, "--opt must be adam or sgd, not '%s'", opts);
    c.steps = steps;
    c.batch = (int)batch;
    c.lr = (float)lr;
    c.opt = !strcmp(opts, "adam") ? OPT_ADAM : OPT_SGD;
    c.seed = (uint64_t)seed;
    c.mask_frac = (float)mfrac;
    c.saliency = !strcmp(sal, "fisher");
    c.variant = !strcmp(var, "ascent") ? 0 : !strcmp(var, "uniform") ? 1 : 2;
    c.forget_weight = (float)fw;
    c.alpha = (float)alpha;
    c.lambda = (float)lambda;
    c.temperature = (float)temp;
    c.max_steps_ratio = (int)maxev;
    c.new_class_steps = ncs;
    c.importance_samples = (int)isamp;
    c.verbose = !cli_flag(o, "quiet");
    driver_set_threads((int)threads);

    /* ---- model ---- */
    ClassMap cm;
    char modality[64] = "";
    net = checkpoint_load(model, &cm, modality, err, sizeof err);
    if (!net) FAIL(1, "%s", err);
    if (*modality && strcmp(modality, m->name)) FAIL(1, "%s is a %s model, not %s", model, modality, m->name);
    if (classmap_slot(&cm, (int)forget_c) < 0) {
        char cls[256];
        classmap_format(&cm, cls, sizeof cls);
        FAIL(2, "class %ld has no output slot in this model (its classes: %s)", forget_c, cls);
    }
    if (learn_c >= 0 && classmap_slot(&cm, (int)learn_c) >= 0)
        FAIL(2, "class %ld already has an output slot in this model (slot %d)", learn_c,
             classmap_slot(&cm, (int)learn_c));
    if (learn_c == forget_c) FAIL(2, "--learn and --forget are the same class (%ld)", forget_c);

    /* ---- data (the data seed picks the --limit subsample) ---- */
    CliOpt od[sizeof o / sizeof o[0]];
    memcpy(od, o, sizeof o);
    char dseed_s[32];
    snprintf(dseed_s, sizeof dseed_s, "%ld", dseed);
    for (CliOpt *p = od; p->name; p++) if (!strcmp(p->name, "seed")) p->value = dseed_s;
    DataOptions dopt;
    if (driver_load_data(m, od, &dopt, &train, &test, err, sizeof err)) FAIL(1, "%s", err);
    if (task_build(&task, train, test, &cm, (int)forget_c, (int)learn_c, (int)llimit, (uint64_t)seed, err,
                   sizeof err))
        FAIL(1, "%s", err);
    ds_free(train); ds_free(test);
    train = test = NULL;
    if (net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err)) FAIL(1, "%s", err);
    TrainConfig recipe = m->recipe;
    recipe.batch = c.batch;
    recipe.lr = c.lr;
    recipe.opt = c.opt;
    recipe.augment = dopt.augment ? m->augment : NULL;
    if (is_retrain) c.recipe = &recipe;

    ForgetScores before, after;
    forget_scores(net, &task, m->n_labels, &before);
    if (c.verbose) {
        char lc[16];
        snprintf(lc, sizeof lc, "%ld", learn_c);
        fprintf(stderr, "%s: %s: forget %ld (slot %d), learn %s; %d forget, %d learn, %d retain samples; "
                "%zu parameters, %s\n", P, meth->name, forget_c, task.slot, learn_c >= 0 ? lc : "none",
                task.forget->n, task.learn->n, task.retain->n, net->n_params,
                net->device == DEVICE_CUDA ? "cuda" : "cpu");
    }
    UnlearnStats st;
    memset(&st, 0, sizeof st);
    if (meth->run(net, &task, &c, &st, err, sizeof err)) FAIL(1, "%s: %s", meth->name, err);
    net_sync_to_host(net);
    forget_scores(net, &task, m->n_labels, &after);

    printf("%-16s  %10s  %10s  %10s  %9s\n", "model", "forget leak", "new class", "retained", "seconds");
    printf("%-16s", "original");
    pct(stdout, before.leak); pct(stdout, before.newacc); pct(stdout, before.retained);
    printf("  %9s\n", "-");
    printf("%-16s", meth->name);
    pct(stdout, after.leak); pct(stdout, after.newacc); pct(stdout, after.retained);
    printf("  %9.2f\n", st.seconds);
    printf("(%ld steps, %.3g GFLOP", st.steps, st.flops / 1e9);
    if (st.frozen) printf(", %ld of %zu parameters frozen", st.frozen, net->n_params);
    printf(")\n");

    /* ---- checkpoint: after-slots; plain forgetting keeps the old class list (a slot standing
     * for no class cannot be stored in it) and records the slot in the metadata ---- */
    JsonBuf cfg;
    jb_init(&cfg);
    jb_printf(&cfg, "{\"method\":");
    jb_str(&cfg, meth->name);
    jb_printf(&cfg, ",\"source_model\":");
    jb_str(&cfg, model);
    jb_printf(&cfg, ",\"forget\":%ld,\"learn\":%ld,\"slot\":%d,\"forgotten_slot\":%d,\"steps\":%ld,\"batch\":%d,"
              "\"lr\":", forget_c, learn_c, task.slot, learn_c < 0 ? task.slot : -1, c.steps, c.batch);
    jb_float(&cfg, c.lr);
    jb_printf(&cfg, ",\"opt\":\"%s\",\"seed\":%ld,\"data_seed\":%ld,\"learn_limit\":%ld,\"mask_frac\":", opts, seed,
              dseed, llimit);
    jb_float(&cfg, c.mask_frac);
    jb_printf(&cfg, ",\"saliency\":\"%s\",\"variant\":\"%s\",\"forget_weight\":", sal, var);
    jb_float(&cfg, c.forget_weight);
    jb_printf(&cfg, ",\"alpha\":"); jb_float(&cfg, c.alpha);
    jb_printf(&cfg, ",\"lambda\":"); jb_float(&cfg, c.lambda);
    jb_printf(&cfg, ",\"temperature\":"); jb_float(&cfg, c.temperature);
    jb_printf(&cfg, ",\"max_every\":%d,\"new_class_steps\":%ld,\"importance_samples\":%d,\"seconds\":",
              c.max_steps_ratio, c.new_class_steps, c.importance_samples);
    jb_num(&cfg, st.seconds);
    jb_printf(&cfg, ",\"flops\":"); jb_num(&cfg, st.flops);
    jb_printf(&cfg, ",\"method_steps\":%ld,\"frozen\":%ld}", st.steps, st.frozen);
    if (cfg.oom) { jb_free(&cfg); FAIL(1, "out of memory"); }
    const ClassMap *save_map = learn_c >= 0 ? &task.after : &task.before;
    if (checkpoint_save(outp, net, save_map, m->name, "unlearn", cfg.buf, err, sizeof err)) {
        jb_free(&cfg);
        FAIL(1, "%s", err);
    }
    printf("wrote %s\n", outp);
    if (json) {
        JsonBuf j;
        jb_init(&j);
        jb_printf(&j, "{\n  \"modality\": ");
        jb_str(&j, m->name);
        jb_printf(&j, ",\n  \"model\": ");
        jb_str(&j, outp);
        jb_printf(&j, ",\n  \"config\": %s,\n  \"before\": {\"forget_leakage\": ", cfg.buf);
        jb_num(&j, before.leak);
        jb_printf(&j, ", \"new_class_acc\": "); jb_num(&j, before.newacc);
        jb_printf(&j, ", \"retained_acc\": "); jb_num(&j, before.retained);
        jb_printf(&j, "},\n  \"after\": {\"forget_leakage\": "); jb_num(&j, after.leak);
        jb_printf(&j, ", \"new_class_acc\": "); jb_num(&j, after.newacc);
        jb_printf(&j, ", \"retained_acc\": "); jb_num(&j, after.retained);
        jb_printf(&j, "},\n  \"seconds\": "); jb_num(&j, st.seconds);
        jb_printf(&j, ",\n  \"flops\": "); jb_num(&j, st.flops);
        jb_printf(&j, ",\n  \"steps\": %ld,\n  \"frozen\": %ld,\n  \"n_params\": %zu\n}\n", st.steps, st.frozen,
                  net->n_params);
        int bad = j.oom || atomic_write_text(json, j.buf, err, sizeof err);
        if (j.oom) snprintf(err, sizeof err, "out of memory");
        jb_free(&j);
        if (bad) { jb_free(&cfg); FAIL(1, "%s", err); }
        printf("wrote %s\n", json);
    }
    jb_free(&cfg);
    rc = 0;
out:
    task_free(&task);
    ds_free(train); ds_free(test);
    net_free(net);
    return rc;
#undef FAIL
}
