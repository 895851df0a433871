/* modality.h — what the shared driver needs to know about a kind of data.
 * A modality is a descriptor, not a copy of the engine: vision/ and audio/ each
 * define one and hand it to driver_main(). */
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

/* The shared command-line driver: pretrain, eval, forget, info. */
int driver_main(const Modality *m, int argc, char **argv);
/* Load train/test per the common options (--data --limit --test-limit --split
 * --cache --seed --no-augment --quiet) held in a parsed CliOpt array. */
#include "cli.h"
int driver_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                     char *err, size_t errlen);
/* The options every data-loading command accepts (for CliOpt arrays). */
#define COMMON_OPTS {"data", 1, 0}, {"limit", 1, 0}, {"test-limit", 1, 0}, {"threads", 1, 0}, \
    {"device", 1, 0}, {"quiet", 0, 0}, {"split", 1, 0}, {"cache", 1, 0}, {"help", 0, 0}
extern const char *driver_common_help;
/* Set OpenMP and OpenBLAS thread counts (t <= 0: leave as is). */
void driver_set_threads(int t);

/* Net spec text by name: "small" -> the embedded <prefix>/nets/small.net spec; a path
 * (containing '/' or ending in .net) is read from disk.  Returns malloc'd text or
 * NULL with err. */
char *net_spec_text(const Modality *m, const char *name, char *err, size_t errlen);
/* Embedded nets table (generated at build time from the nets/ folders). */
typedef struct { const char *key; const char *text; } EmbeddedNet;
extern const EmbeddedNet embedded_nets[];
extern const int n_embedded_nets;

/* Resolve the data directory: opt, $UNLEARN_DATA, <exe>/../../shared/datasets,
 * ./../shared/datasets; `sub` must exist inside it ("mnist", "fsdd/recordings").
 * Returns 0 with the directory (containing sub) in out, or -1 with a message
 * saying exactly where the files are expected. */
int find_data_dir(const char *opt, const char *sub, char *out, size_t outlen, char *err, size_t errlen);
#endif
