/* driver.c — the command-line driver shared by every modality:
 *   <program> pretrain  train a model from scratch on a class list
 *   <program> eval      accuracy per class, confusion matrix, JSON
 *   <program> forget    unlearn a class / learn a new one (unlearn_cli.c)
 *   <program> info      what a checkpoint holds
 */
#include "modality.h"
#include "checkpoint.h"
#include "cli.h"
#include "atomic_file.h"
#include "report.h"
#include "unlearn_cli.h"
#include <cblas.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void openblas_set_num_threads(int);

char *net_spec_text(const Modality *m, const char *name, char *err, size_t errlen) {
    if (strchr(name, '/') || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".net"))) {
        FILE *f = fopen(name, "rb");
        if (!f) { snprintf(err, errlen, "%s: cannot open net spec", name); return NULL; }
        size_t cap = 1 << 16;
        char *buf = malloc(cap + 1);
        if (!buf) { fclose(f); return NULL; }
        size_t len = fread(buf, 1, cap, f);
        fclose(f);
        if (len == cap) { free(buf); snprintf(err, errlen, "%s: net spec too large", name); return NULL; }
        buf[len] = 0;
        return buf;
    }
    char key[128];
    snprintf(key, sizeof key, "%s/%s", m->net_prefix, name);
    for (int i = 0; i < n_embedded_nets; i++)
        if (!strcmp(embedded_nets[i].key, key)) return strdup(embedded_nets[i].text);
    char known[512] = "";
    for (int i = 0; i < n_embedded_nets; i++) {
        size_t pl = strlen(m->net_prefix);
        if (!strncmp(embedded_nets[i].key, m->net_prefix, pl) && embedded_nets[i].key[pl] == '/') {
            strncat(known, " ", sizeof known - strlen(known) - 1);
            strncat(known, embedded_nets[i].key + pl + 1, sizeof known - strlen(known) - 1);
        }
    }
    snprintf(err, errlen, "unknown net '%s' (built-in:%s; or give a path to a .net file)", name, known);
    return NULL;
}

static int dir_has(const char *dir, const char *sub) {
    char p[2 * PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, sub);
    return access(p, R_OK) == 0;
}

int find_data_dir(const char *opt, const char *sub, char *out, size_t outlen, char *err, size_t errlen) {
    if (opt && *opt) {
        if (access(opt, R_OK) != 0) { snprintf(err, errlen, "%s: data directory does not exist", opt); return -1; }
        /* accept either the datasets root or the modality folder itself */
        if (dir_has(opt, sub)) { snprintf(out, outlen, "%s", opt); return 0; }
        snprintf(out, outlen, "%s", opt);
        return 0;
    }
    const char *env = getenv("UNLEARN_DATA");
    if (env && *env) {
        if (dir_has(env, sub)) { snprintf(out, outlen, "%s", env); return 0; }
        snprintf(err, errlen, "UNLEARN_DATA=%s has no %s/ folder", env, sub);
        return -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char cand[PATH_MAX + 32];
            snprintf(cand, sizeof cand, "%s/../../shared/datasets", exe);
            if (dir_has(cand, sub)) { snprintf(out, outlen, "%s", cand); return 0; }
            snprintf(cand, sizeof cand, "%s/../../../shared/datasets", exe);
            if (dir_has(cand, sub)) { snprintf(out, outlen, "%s", cand); return 0; }
        }
    }
    if (dir_has("../shared/datasets", sub)) { snprintf(out, outlen, "../shared/datasets"); return 0; }
    snprintf(err, errlen,
             "no data found: put the files in ../shared/datasets/%s (or pass --data DIR, or set UNLEARN_DATA; "
             "bin/unlearn-prep can fetch and check them)", sub);
    return -1;
}

void driver_set_threads(int t) {
    if (t <= 0) return;
    omp_set_num_threads(t);
    openblas_set_num_threads(t);
}

const char *driver_common_help =
    "  --data DIR          datasets folder (default: $UNLEARN_DATA, then ../shared/datasets)\n"
    "  --limit N           at most N training samples per class (quick runs)\n"
    "  --test-limit N      at most N test samples per class\n"
    "  --threads N         CPU threads (default: all cores)\n"
    "  --device D          cpu, cuda or auto (default auto)\n"
    "  --quiet             no progress line\n";

static void usage(const Modality *m, FILE *f) {
    fprintf(f,
            "usage: %s COMMAND [options]\n\n"
            "Class unlearning for %s: forget one class a model learned and learn a new one in its slot.\n\n"
            "commands:\n"
            "  pretrain   train a model from scratch on a class list\n"
            "  eval       per-class accuracy, confusion matrix, unlearning metrics vs a reference\n"
            "  forget     make a model forget a class (and learn a new one in its slot)\n"
            "  info       show what a checkpoint holds\n\n"
            "'%s COMMAND --help' shows each command's options.\n",
            m->program, m->name, m->program);
}

/* Load data per the common options. */
int driver_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                     char *err, size_t errlen) {
    long lim = 0, tlim = 0, seed = 1;
    memset(dopt, 0, sizeof *dopt);
    if (cli_int(o, "limit", 0, 0, 1000000, &lim, err, errlen)) return -1;
    if (cli_int(o, "test-limit", 0, 0, 1000000, &tlim, err, errlen)) return -1;
    if (cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, errlen)) return -1;
    dopt->data_dir = cli_str(o, "data", NULL);
    dopt->limit_per_class = (int)lim;
    dopt->test_limit_per_class = (int)tlim;
    dopt->split = cli_str(o, "split", NULL);
    dopt->augment = cli_flag(o, "no-augment") ? 0 : 1;
    dopt->cache_dir = cli_str(o, "cache", NULL);
    dopt->seed = (uint64_t)seed;
    dopt->verbose = !cli_flag(o, "quiet");
    return m->load(dopt, train, test, err, errlen);
}


static int cmd_pretrain(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"classes", 1, 0}, {"net", 1, 0}, {"epochs", 1, 0}, {"steps", 1, 0},
                  {"seed", 1, 0}, {"lr", 1, 0}, {"batch", 1, 0}, {"opt", 1, 0}, {"wd", 1, 0},
                  {"out", 1, 0}, {"json", 1, 0}, {"no-augment", 0, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s pretrain: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) {
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
               m->recipe.opt == OPT_ADAM ? "adam" : "sgd", m->recipe.lr, m->recipe.batch, driver_common_help,
               m->data_help ? m->data_help : "");
        return 0;
    }
    long threads, epochs, steps, seed, batch;
    double lr, wd;
    if (cli_int(o, "threads", 0, 0, 1024, &threads, err, sizeof err) ||
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
    driver_set_threads((int)threads);
    ClassMap cm;
    if (classmap_parse(&cm, cli_str(o, "classes", m->default_classes), m->n_labels, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: --classes: %s\n", m->program, err);
        return 2;
    }
    const char *netname = cli_str(o, "net", m->default_net);
    char *spec = net_spec_text(m, netname, err, sizeof err);
    if (!spec) { fprintf(stderr, "%s pretrain: %s\n", m->program, err); return 2; }
    Dataset *train = NULL, *test = NULL;
    DataOptions dopt;
    if (driver_load_data(m, o, &dopt, &train, &test, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        free(spec);
        return 1;
    }
    int rc = 1;
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
                "%d epochs, %d threads, %s\n", m->program, netname, net->n_params, net_forward_flops(net) / 1e6,
                tr->n, cm.n_slots, cfg.epochs, omp_get_max_threads(), net->device == DEVICE_CUDA ? "cuda" : "cpu");
    TrainStats st;
    if (train_supervised(net, tr, &cm, &cfg, &st, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        goto out;
    }
    net_sync_to_host(net);
    EvalResult ev;
    evaluate(net, te, &cm, 256, m->n_labels, &ev);
    const char *out = cli_str(o, "out", "model.safetensors");
    char extra[256];
    snprintf(extra, sizeof extra, "{\"epochs\":%d,\"seed\":%ld,\"train_seconds\":%.2f,\"test_acc\":%.6f}",
             cfg.epochs, seed, st.seconds, ev.acc);
    if (checkpoint_save(out, net, &cm, m->name, "train", extra, err, sizeof err)) {
        fprintf(stderr, "%s pretrain: %s\n", m->program, err);
        goto out;
    }
    printf("trained %ld steps in %.1f s (%.0f samples/s); last-epoch train loss %.4f acc %.2f%%\n", st.steps,
           st.seconds, st.images / (st.seconds > 0 ? st.seconds : 1), st.loss, 100 * st.acc);
    report_eval_table(stdout, &ev, &cm, m->n_labels);
    printf("wrote %s\n", out);
    const char *json = cli_str(o, "json", NULL);
    if (json) {
        if (report_eval_json(json, &ev, &cm, m->name, out, &st, err, sizeof err)) {
            fprintf(stderr, "%s pretrain: %s\n", m->program, err);
            goto out;
        }
        printf("wrote %s\n", json);
    }
    rc = 0;
out:
    net_free(net);
    ds_free(tr); ds_free(te); ds_free(train); ds_free(test);
    free(spec);
    return rc;
}

static int cmd_info(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"model", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s info: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) {
        printf("usage: %s info --model FILE\n\nPrint the net spec, class slots and size of a checkpoint.\n", m->program);
        return 0;
    }
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s info: --model FILE is required\n", m->program); return 2; }
    ClassMap cm;
    char modality[64] = "";
    Net *net = checkpoint_load(path, &cm, modality, err, sizeof err);
    if (!net) { fprintf(stderr, "%s info: %s\n", m->program, err); return 1; }
    char classes[256];
    classmap_format(&cm, classes, sizeof classes);
    printf("model      %s\nmodality   %s\nclasses    %s (slot order)\nparameters %zu\nMFLOP/sample %.2f\n"
           "input      %dx%dx%d\nspec:\n%s", path, modality, classes, net->n_params, net_forward_flops(net) / 1e6,
           net->in_c, net->in_h, net->in_w, net->spec);
    net_free(net);
    return 0;
}

static int cmd_eval(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {COMMON_OPTS, {"model", 1, 0}, {"json", 1, 0}, {"reference", 1, 0}, {"forget", 1, 0},
                  {"learn", 1, 0}, {"seed", 1, 0}, {"no-augment", 0, 0}, {"metrics", 1, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) {
        printf("usage: %s eval --model FILE [options]\n\n"
               "Evaluate a model on the held-out test data: accuracy per class and the confusion\n"
               "matrix; with --forget (and --reference), every unlearning metric.\n\n"
               "  --model FILE        checkpoint to evaluate\n"
               "  --json FILE         also write the results as JSON\n"
               "  --forget C          the forgotten class: report leakage, MIA, probe, relearn\n"
               "  --learn C           the class learned into the forgotten slot\n"
               "  --reference FILE    the retrained gold-standard model, for the gap to retrain\n"
               "  --metrics LIST      subset of: basic,mia,probe,relearn (default all with --forget)\n%s%s",
               m->program, driver_common_help, m->data_help ? m->data_help : "");
        return 0;
    }
    long threads;
    if (cli_int(o, "threads", 0, 0, 1024, &threads, err, sizeof err)) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 2; }
    driver_set_threads((int)threads);
    if (cli_str(o, "forget", NULL)) return cmd_eval_unlearn(m, o);
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s eval: --model FILE is required\n", m->program); return 2; }
    ClassMap cm;
    char modality[64] = "";
    Net *net = checkpoint_load(path, &cm, modality, err, sizeof err);
    if (!net) { fprintf(stderr, "%s eval: %s\n", m->program, err); return 1; }
    if (*modality && strcmp(modality, m->name)) {
        fprintf(stderr, "%s eval: %s is a %s model, not %s\n", m->program, path, modality, m->name);
        net_free(net);
        return 1;
    }
    Dataset *train = NULL, *test = NULL;
    DataOptions dopt;
    if (driver_load_data(m, o, &dopt, &train, &test, err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        net_free(net);
        return 1;
    }
    if (net_set_device(net, cli_str(o, "device", "auto"), err, sizeof err)) {
        fprintf(stderr, "%s eval: %s\n", m->program, err);
        net_free(net); ds_free(train); ds_free(test);
        return 1;
    }
    EvalResult ev;
    evaluate(net, test, &cm, 256, m->n_labels, &ev);
    report_eval_table(stdout, &ev, &cm, m->n_labels);
    int rc = 0;
    const char *json = cli_str(o, "json", NULL);
    if (json) {
        if (report_eval_json(json, &ev, &cm, m->name, path, NULL, err, sizeof err)) {
            fprintf(stderr, "%s eval: %s\n", m->program, err);
            rc = 1;
        } else printf("wrote %s\n", json);
    }
    net_free(net); ds_free(train); ds_free(test);
    return rc;
}

int driver_main(const Modality *m, int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(m, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "pretrain")) return cmd_pretrain(m, argc, argv);
    if (!strcmp(cmd, "eval")) return cmd_eval(m, argc, argv);
    if (!strcmp(cmd, "forget")) return cmd_forget(m, argc, argv);
    if (!strcmp(cmd, "info")) return cmd_info(m, argc, argv);
    fprintf(stderr, "%s: unknown command '%s' (commands: pretrain, eval, forget, info; see --help)\n", m->program, cmd);
    return 2;
}
