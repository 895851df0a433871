/* services.h — what every command shares: the common options, data loading per those options, threads, help.
 * The commands (pretrain_cli.c, eval_cli.c, info_cli.c, unlearn_cli.c, eval_unlearn_cli.c and the tools)
 * call down into these; nothing here calls a command. */
#ifndef SERVICES_H
#define SERVICES_H
#include <stddef.h>
#include "cli.h"
#include "dataset.h"
#include "modality.h"
#include "classmap.h"
#include "net.h"

/* The options every data-loading command accepts (for CliOpt arrays). */
#define COMMON_OPTS {"data", 1, 0}, {"limit", 1, 0}, {"test-limit", 1, 0}, {"threads", 1, 0}, \
    {"device", 1, 0}, {"quiet", 0, 0}, {"split", 1, 0}, {"cache", 1, 0}, {"help", 0, 0}
/* --help lines for COMMON_OPTS. */
extern const char *svc_common_help;

/* Load train/test per the common options (--data --limit --test-limit --split
 * --cache --no-augment --quiet) held in a parsed CliOpt array; `seed` picks the
 * --limit subsample (commands pass their --seed, forget its --data-seed).
 * Fills dopt.  0; 2 with err when an option is malformed (a usage error, nothing
 * loaded); 1 with err when the data cannot be loaded. */
int svc_load_data_seeded(const Modality *m, const CliOpt *o, long seed, DataOptions *dopt, Dataset **train,
                         Dataset **test, char *err, size_t errlen);
/* The same with the seed read from the options' --seed (default 1). */
int svc_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                  char *err, size_t errlen);

/* Load a checkpoint for this modality: refuses (one line in err, NULL) a file that does
 * not load, a model whose stored modality is empty or another modality's. */
Net *svc_load_model(const Modality *m, const char *path, ClassMap *cm, char *err, size_t errlen);
/* Refuse (-1 with one line in err) a model whose input shape (c, h, w) differs from the
 * data's sample shape.  Every command calls it after loading data and before any forward pass. */
int svc_check_input(const Net *net, const char *path, const Dataset *d, char *err, size_t errlen);

/* Highest --threads value accepted (larger values are a usage error). */
#define SVC_MAX_THREADS 256
/* Read --threads (0 = all cores, at most SVC_MAX_THREADS).  0, or -1 with err. */
int svc_threads_opt(const CliOpt *o, long *threads, char *err, size_t errlen);

/* Outputs of one command: checked before any work starts, written under staging names
 * ("<path>.tmp.<pid>.<n>", which the next atomic write of <path> removes if this process
 * died), and renamed into place together at the end, so all of them appear or none does. */
#define SVC_MAX_OUTPUTS 4
typedef struct {
    int n;
    const char *path[SVC_MAX_OUTPUTS];   /* final names (NULL: that output is not asked for) */
    char *stage[SVC_MAX_OUTPUTS];        /* where the writers write */
} SvcOutputs;
/* Each non-NULL path must name a file (not a folder) in an existing, writable folder, and no
 * two may be the same.  0, or -1 with one line in err (a usage error: exit 2). */
int svc_check_outputs(const char *const *paths, int n, char *err, size_t errlen);
/* svc_check_outputs, then the staging names.  0, or -1 with err. */
int svc_outputs_begin(SvcOutputs *s, const char *const *paths, int n, char *err, size_t errlen);
/* Rename every staged file over its final name.  0, or -1 with err (the staged files are removed). */
int svc_outputs_commit(SvcOutputs *s, char *err, size_t errlen);
/* Remove the staged files; the final names are untouched. */
void svc_outputs_abort(SvcOutputs *s);

/* Set OpenMP and OpenBLAS thread counts (t <= 0: leave as is). */
void svc_set_threads(int t);
/* omp_wait.c: OMP_WAIT_POLICY=passive unless the user set it, before OpenMP starts (see there);
 * every program links it (the Makefile's LDFLAGS name this symbol with -u) */
extern const int svc_omp_wait_linked;
#endif
