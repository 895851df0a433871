/* modality.h — the Modality descriptor (what the commands need to know about a kind of data) and DataOptions.
 * A modality is a descriptor, not a copy of the engine: vision/ and audio/ each
 * define one and hand it to driver_main() (driver.h).  The services the commands
 * share live in services.h (data, threads, help), netspec.h (net specs) and
 * paths.h (the data folder). */
#ifndef MODALITY_H
#define MODALITY_H
#include <stddef.h>
#include "dataset.h"
#include "train.h"

typedef struct {
    const char *data_dir;       /* --data (NULL: $UNLEARN_DATA, then ../shared/datasets) */
    int limit_per_class;        /* --limit N: at most N training samples per class (0 = all) */
    int test_limit_per_class;   /* --test-limit N (0 = all) */
    const char *split;          /* modality-specific split name (speech: "upstream" or a held-out speaker) */
    int augment;                /* --augment 0/1 */
    const char *cache_dir;      /* --cache DIR */
    uint64_t seed;
    int verbose;
    int no_test;                /* 1: do not return the test split (*test = NULL): tuning runs never see it */
} DataOptions;

typedef struct Modality {
    const char *name;           /* "mnist", "speech": stored in checkpoints */
    const char *program;        /* "mnist-unlearn" */
    const char *net_prefix;     /* embedded nets key prefix: "vision" -> vision/nets/<name>.net */
    const char *default_net;    /* "small" */
    int n_labels;               /* labels are 0..n_labels-1 */
    const char *default_classes;/* pre-training classes, "0,1,2,4,5,6,7,8,9" */
    TrainConfig recipe;         /* default pre-training recipe (also retrain's) */
    /* Load train and test sets (labels 0..n_labels-1). 0 or -1 with err. */
    int (*load)(const DataOptions *o, Dataset **train, Dataset **test, char *err, size_t errlen);
    AugmentFn augment;          /* training augmentation, or NULL */
    const char *data_help;      /* extra --help lines for data options */
    /* Evaluation settings: every difference between modalities is a field here, never a name check. */
    int val_per_stratum;        /* validation split: this many training samples of every (class, group)
                                   stratum (group = speaker where the data has one) */
    float relearn_lr;           /* relearn metric: SGD step size */
    int compare_epochs;         /* unlearn-compare: pre-training epochs of originals and golds (0: recipe's) */
    long compare_steps;         /* unlearn-compare: optimiser-step budget of every method */
} Modality;
#endif
