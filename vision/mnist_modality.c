/* mnist_modality.c — the vision modality descriptor: MNIST IDX files, 28x28
 * grey images scaled to [0,1] and standardised (mean 0.1307, std 0.3081). */
#include "mnist_modality.h"
#include "idx.h"
#include "paths.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int mnist_find_dir(const char *data_opt, char *out, size_t len, char *err, size_t errlen) {
    char root[PATH_MAX], p[PATH_MAX + 16];
    if (find_data_dir(data_opt, "mnist", root, sizeof root, err, errlen)) return -1;
    snprintf(p, sizeof p, "%s/mnist", root);
    if (snprintf(out, len, "%s", path_is_dir(p) ? p : root) >= (int)len) { snprintf(err, errlen, "path too long"); return -1; }
    return 0;
}

static int mnist_modality_load(const DataOptions *o, Dataset **train, Dataset **test, char *err, size_t errlen) {
    char dir[PATH_MAX];
    if (mnist_find_dir(o->data_dir, dir, sizeof dir, err, errlen)) return -1;
    if (o->split && *o->split) {
        snprintf(err, errlen, "--split does not apply to MNIST (it has one train/test split)");
        return -1;
    }
    Dataset *tr = mnist_load(dir, 1, 1, err, errlen);
    if (!tr) return -1;
    Dataset *te = o->no_test ? NULL : mnist_load(dir, 0, 1, err, errlen);
    if (!te && !o->no_test) { ds_free(tr); return -1; }
    if (o->limit_per_class > 0) {
        Dataset *s = ds_take_per_class(tr, o->limit_per_class, o->seed);
        ds_free(tr);
        tr = s;
    }
    if (te && o->test_limit_per_class > 0) {
        Dataset *s = ds_take_per_class(te, o->test_limit_per_class, 12345);
        ds_free(te);
        te = s;
    }
    *train = tr;
    *test = te;
    return 0;
}

const Modality mnist_modality = {
    .name = "mnist",
    .program = "mnist-unlearn",
    .net_prefix = "vision",
    .default_net = "small",
    .n_labels = 10,
    .default_classes = "0,1,2,4,5,6,7,8,9",
    .recipe = {.epochs = 3, .batch = 64, .opt = OPT_ADAM, .lr = 1e-3f, .momentum = 0.9f,
               .weight_decay = 0.0f, .cosine = 1, .seed = 1, .verbose = 1},
    .load = mnist_modality_load,
    .augment = NULL,
    .data_help = "  (MNIST: the four IDX files, gzipped or not, in DIR/mnist or DIR)\n",
    .val_per_stratum = 500,     /* 5,000 of the 60,000 training images */
    .relearn_lr = 0.001f,
    .compare_epochs = 0,        /* the recipe's 3 epochs */
    .compare_steps = 100,
};
