/* tune_baseline.c — choose the seed baseline's forget weight (the per-sample
 * weight of gradient ascent on the forgotten class, c->forget_weight) on
 * VALIDATION data only: a stratified validation set carved from MNIST's
 * TRAINING split with a fixed seed; the test split is never loaded.
 * Built and run by tools/tune_baseline.sh (links build/libunlearn.a).
 *
 *   tune_baseline [per_class_train] [per_class_val] [steps] [methods] [weights...]
 * (methods: comma-separated, default "baseline,baseline+retain"; weights default
 * 0 0.01 0.1 0.5 1 2 5)
 *
 * 1. Load MNIST training data (per_class_train + per_class_val samples per
 *    class, default 400 + 100), split per class with seed 2024 into train and
 *    validation (disjoint).
 * 2. Pre-train the original (small net, classes 0,1,2,4-9, MNIST recipe,
 *    3 epochs, seed 1) on the train part.
 * 3. Task forget 6 / learn 3 built with the validation part as its held-out set.
 * 4. For baseline and baseline+retain (ascent variant), forget weights
 *    0, 0.01, 0.1, 0.5, 1, 2, 5 and seeds 1, 2: run the method (defaults, `steps`
 *    steps, default 100) and print validation leakage (6s into the slot),
 *    new-class accuracy (3s into the slot) and retained accuracy (other classes). */
#include "unlearn.h"
#include "mnist_modality.h"
#include "train.h"
#include "services.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rates(Net *net, const UnlearnTask *t, double *leak, double *newc, double *ret) {
    const Dataset *ds[3] = {t->forget_test, t->learn_test, t->retain_test};
    double out[3];
    for (int k = 0; k < 3; k++) {
        const Dataset *d = ds[k];
        int *pred = malloc(sizeof(int) * (size_t)(d->n ? d->n : 1)), hit = 0;
        train_predict(net, d, 256, pred, NULL);
        for (int i = 0; i < d->n; i++)
            hit += k < 2 ? pred[i] == t->slot : pred[i] == classmap_slot(&t->after, d->y[i]);
        free(pred);
        out[k] = d->n ? (double)hit / d->n : 0;
    }
    *leak = out[0]; *newc = out[1]; *ret = out[2];
}

int main(int argc, char **argv) {
    int ptr = argc > 1 ? atoi(argv[1]) : 400, pval = argc > 2 ? atoi(argv[2]) : 100;
    long steps = argc > 3 ? atol(argv[3]) : 100;
    svc_set_threads(1);
    char err[512];
    DataOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = getenv("UNLEARN_DATA");
    o.limit_per_class = ptr + pval;
    o.test_limit_per_class = 1;   /* the loader always reads a test split; this tool never uses it */
    o.seed = 1;
    Dataset *all = NULL, *test = NULL;
    if (mnist_modality.load(&o, &all, &test, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    ds_free(test);
    /* stratified split, fixed seed */
    int *idx = malloc(sizeof(int) * all->n), *tr = malloc(sizeof(int) * all->n), *va = malloc(sizeof(int) * all->n);
    int ntr = 0, nva = 0, seen[10] = {0};
    Rng r;
    rng_seed(&r, 2024);
    epoch_order(idx, all->n, &r);
    for (int i = 0; i < all->n; i++) {
        int j = idx[i], y = all->y[j];
        if (seen[y]++ < pval) va[nva++] = j; else tr[ntr++] = j;
    }
    Dataset *train = ds_subset(all, tr, ntr), *val = ds_subset(all, va, nva);
    free(idx); free(tr); free(va); ds_free(all);
    printf("# MNIST training split only: %d train + %d validation (stratified, seed 2024); test split unused\n",
           train->n, val->n);
    ClassMap before;
    if (classmap_parse(&before, "0,1,2,4,5,6,7,8,9", 10, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    Dataset *pre = ds_filter_classes(train, before.slot_class, before.n_slots);
    Net *net0 = net_load_spec_file("vision/nets/small.net", 1, 28, 28, before.n_slots, err, sizeof err);
    if (!net0) { fprintf(stderr, "%s\n", err); return 1; }
    net_init(net0, 1);
    TrainConfig tc = mnist_modality.recipe;
    tc.epochs = 3; tc.seed = 1; tc.verbose = 0;
    TrainStats ts;
    if (train_supervised(net0, pre, &before, &tc, &ts, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    UnlearnTask t;
    if (task_build(&t, train, val, &before, 6, 3, 0, 1, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
    double l, n, rt;
    rates(net0, &t, &l, &n, &rt);
    printf("# original (seed 1): validation leakage %.1f%% new-class %.1f%% retained %.1f%%\n", 100 * l, 100 * n,
           100 * rt);
    printf("| method | forget weight | seed | val leakage | val new-class | val retained |\n");
    printf("| --- | --- | --- | --- | --- | --- |\n");
    char mlist[256];
    snprintf(mlist, sizeof mlist, "%s", argc > 4 ? argv[4] : "baseline,baseline+retain");
    const char *meths[8];
    int nm = 0;
    for (char *tok = strtok(mlist, ","); tok && nm < 8; tok = strtok(NULL, ",")) {
        if (!unlearn_method_find(tok)) { fprintf(stderr, "no method %s\n", tok); return 1; }
        meths[nm++] = tok;
    }
    float ws[32] = {0.0f, 0.01f, 0.1f, 0.5f, 1.0f, 2.0f, 5.0f};
    int nw = 7;
    if (argc > 5) {
        nw = 0;
        for (int i = 5; i < argc && nw < 32; i++) ws[nw++] = strtof(argv[i], NULL);
    }
    for (int mi = 0; mi < nm; mi++)
        for (int wi = 0; wi < nw; wi++)
            for (int seed = 1; seed <= 2; seed++) {
                UnlearnConfig c;
                unlearn_config_default(&c);
                c.steps = steps;
                c.forget_weight = ws[wi];
                c.seed = (uint64_t)seed;
                Net *a = net_clone(net0);
                UnlearnStats st;
                if (unlearn_method_find(meths[mi])->run(a, &t, &c, &st, err, sizeof err)) {
                    printf("| %s | %g | %d | failed: %s | | |\n", meths[mi], ws[wi], seed, err);
                } else {
                    rates(a, &t, &l, &n, &rt);
                    printf("| %s | %g | %d | %.1f%% | %.1f%% | %.1f%% |\n", meths[mi], ws[wi], seed, 100 * l, 100 * n,
                           100 * rt);
                }
                fflush(stdout);
                net_free(a);
            }
    task_free(&t);
    net_free(net0);
    ds_free(pre); ds_free(train); ds_free(val);
    return 0;
}
