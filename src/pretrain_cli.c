/* pretrain_cli.c — `<program> pretrain`: train a model from scratch on a class list, write the checkpoint. */
#include "pretrain_cli.h"
#include "checkpoint.h"
#include "netspec.h"
#include "escape.h"
#include "report.h"
#include "services.h"
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pretrain_help(const Modality *m) {
    printf("usage: %s pretrain [options]\n\nTrain a model from scratch (the pre-training recipe; also used for\n"
           "the 'retrain' gold standard).\n\n"
           "  --classes LIST      classes, one output slot each, in order (default %s)\n"
           "  --net NAME|PATH     net spec (default %s)\n"
           "  --epochs N          passes over the data (default %d)\n"
           "  --steps N           stop after N steps instead\n"
           "  --seed S            seed for init, batch order, augmentation (default 1)\n"
           "  --lr X --batch N --opt adam|sgd --wd X   optimiser (default %s lr %g, batch %d)\n"
           "  --out FILE          checkpoint to write (safetensors; default model.safetensors)\n"
           "  --json FILE         write the evaluation as JSON too\n"
           "  --no-augment        switch training augmentation off\n%s%s",
           m->program, m->default_classes, m->default_net, m->recipe.epochs,
           m->recipe.opt == OPT_ADAM ? "adam" : "sgd", m->recipe.lr, m->recipe.batch, svc_common_help,
           m->data_help ? m->data_help : "");
    fputs(CLI_EXIT_HELP, stdout);
}

/* The checkpoint (outs[0]) and, when asked, the evaluation JSON (outs[1]): both appear or neither
 * does.  Prints the training summary and table.  0 or -1 with err. */
static int pretrain_write(const Modality *m, const char *const *outs, Net *net, const ClassMap *cm,
                          const EvalResult *ev, const TrainStats *st, int epochs, long seed, char *err,
                          size_t errlen) {
    JsonWriter extra;   /* the checkpoint's "train" metadata */
    jw_init(&extra, JW_COMPACT);
    jw_object(&extra, JW_INLINE);
    jw_key(&extra, "epochs"); jw_int(&extra, epochs);
    jw_key(&extra, "seed"); jw_int(&extra, seed);
    jw_key(&extra, "train_seconds"); jw_fixed(&extra, st->seconds, 2);
    jw_key(&extra, "test_acc"); jw_fixed(&extra, ev->acc, 6);
    jw_end(&extra);
    SvcOutputs so;
    int rc = -1;
    if (extra.buf.oom) snprintf(err, errlen, "out of memory");
    else if (!svc_outputs_begin(&so, outs, 2, err, errlen)) {
        rc = checkpoint_save(so.stage[0], net, cm, m->name, "train", extra.buf.buf, err, errlen);
        if (!rc && outs[1]) rc = report_eval_json(so.stage[1], ev, cm, m->name, outs[0], st, err, errlen);
        if (!rc) rc = svc_outputs_commit(&so, err, errlen);
        else svc_outputs_abort(&so);
    }
    jw_free(&extra);
    if (rc) return -1;
    printf("trained %ld steps in %.1f s (%.0f samples/s); last-epoch train loss %.4f acc %.2f%%\n", st->steps,
           st->seconds, st->images / (st->seconds > 0 ? st->seconds : 1), st->loss, 100 * st->acc);
    report_eval_table(stdout, ev, cm, m->n_labels);
    for (int i = 0; i < 2; i++)
        if (outs[i]) printf("wrote %s\n", esc(outs[i]));
    return 0;
}

int cmd_pretrain(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"classes", 1, 0}, {"net", 1, 0}, {"epochs", 1, 0}, {"steps", 1, 0},
                  {"seed", 1, 0}, {"lr", 1, 0}, {"batch", 1, 0}, {"opt", 1, 0}, {"wd", 1, 0},
                  {"out", 1, 0}, {"json", 1, 0}, {"no-augment", 0, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s pretrain: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) { pretrain_help(m); return 0; }
    long threads, epochs, steps, seed, batch;
    double lr, wd;
    if (svc_threads_opt(o, &threads, err, sizeof err) ||
        cli_int(o, "epochs", m->recipe.epochs, 1, 10000, &epochs, err, sizeof err) ||
        cli_int(o, "steps", 0, 0, 100000000, &steps, err, sizeof err) ||
        cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, sizeof err) ||
        cli_int(o, "batch", m->recipe.batch, 1, 65536, &batch, err, sizeof err) ||
        cli_float(o, "lr", m->recipe.lr, 1e-9, 100, &lr, err, sizeof err) ||
        cli_float(o, "wd", m->recipe.weight_decay, 0, 10, &wd, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        return 2;
    }
    const char *opt = cli_str(o, "opt", m->recipe.opt == OPT_ADAM ? "adam" : "sgd");
    if (strcmp(opt, "adam") && strcmp(opt, "sgd")) {
        fprintf(stderr, "%s pretrain: --opt must be adam or sgd, not '%s'\n", m->program, opt);
        return 2;
    }
    svc_set_threads((int)threads);
    ClassMap cm;
    if (classmap_parse(&cm, cli_str(o, "classes", m->default_classes), m->n_labels, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: --classes: %s\n", m->program, err);
        return 2;
    }
    if (cm.n_slots < 2) {
        fprintf(stderr, "%s pretrain: --classes needs at least 2 classes (a one-class model learns nothing)\n",
                m->program);
        return 2;
    }
    const char *out = cli_str(o, "out", "model.safetensors"), *json = cli_str(o, "json", NULL);
    const char *outs[2] = {out, json};
    if (svc_check_outputs(outs, 2, err, sizeof err)) { fprintf(stderr, "%s pretrain: %s\n", m->program, err); return 2; }
    const char *netname = cli_str(o, "net", m->default_net);
    char *spec = net_spec_text(m, netname, err, sizeof err);
    if (!spec || net_spec_check(spec, netname, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        free(spec);
        return 2;
    }
    Dataset *train = NULL, *test = NULL;
    DataOptions dopt;
    int rc = svc_load_data(m, o, &dopt, &train, &test, err, sizeof err);
    if (rc) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        free(spec);
        return rc;
    }
    rc = 1;
    Net *net = NULL;
    Dataset *tr = ds_filter_classes(train, cm.slot_class, cm.n_slots);
    Dataset *te = ds_filter_classes(test, cm.slot_class, cm.n_slots);
    for (int s = 0; s < cm.n_slots; s++)
        if (ds_count_class(tr, cm.slot_class[s]) == 0) {
            fprintf(stderr, "%s pretrain: class %d has no training samples\n", m->program, cm.slot_class[s]);
            goto out;
        }
    net = net_parse(spec, netname, train->c, train->h, train->w, cm.n_slots, err, sizeof err);
    if (!net) { fprintf(stderr, "%s pretrain: %s\n", m->program, err); goto out; }
    net_init(net, (uint64_t)seed);
    if (net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        goto out;
    }
    TrainConfig cfg = m->recipe;
    cfg.epochs = (int)epochs;
    cfg.max_steps = steps;
    cfg.seed = (uint64_t)seed;
    cfg.batch = (int)batch;
    cfg.lr = (float)lr;
    cfg.weight_decay = (float)wd;
    cfg.opt = !strcmp(opt, "adam") ? OPT_ADAM : OPT_SGD;
    cfg.verbose = !cli_flag(o, "quiet");
    cfg.augment = dopt.augment ? m->augment : NULL;
    if (cfg.verbose)
        fprintf(stderr, "%s: pre-training net '%s' (%zu parameters, %.1f MFLOP/sample) on %d samples of %d classes, "
                "%d epochs, %d threads, %s\n", m->program, esc(netname), net->n_params, net_forward_flops(net) / 1e6,
                tr->n, cm.n_slots, cfg.epochs, omp_get_max_threads(), net->device == DEVICE_CUDA ? "cuda" : "cpu");
    TrainStats st;
    if (train_supervised(net, tr, &cm, &cfg, &st, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        goto out;
    }
    net_sync_to_host(net);
    EvalResult ev;
    train_evaluate(net, te, &cm, 256, m->n_labels, &ev);
    if (pretrain_write(m, outs, net, &cm, &ev, &st, cfg.epochs, seed, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        goto out;
    }
    rc = 0;
out:
    net_free(net);
    ds_free(tr); ds_free(te); ds_free(train); ds_free(test);
    free(spec);
    return rc;
}
