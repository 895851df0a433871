/* services.h — what every command shares: the common options, data loading per those options, threads, help.
 * The commands (pretrain_cli.c, eval_cli.c, info_cli.c, unlearn_cli.c, eval_unlearn_cli.c and the tools)
 * call down into these; nothing here calls a command. */
#ifndef SERVICES_H
#define SERVICES_H
#include <stddef.h>
#include "cli.h"
#include "dataset.h"
#include "modality.h"

/* The options every data-loading command accepts (for CliOpt arrays). */
#define COMMON_OPTS {"data", 1, 0}, {"limit", 1, 0}, {"test-limit", 1, 0}, {"threads", 1, 0}, \
    {"device", 1, 0}, {"quiet", 0, 0}, {"split", 1, 0}, {"cache", 1, 0}, {"help", 0, 0}
/* --help lines for COMMON_OPTS. */
extern const char *svc_common_help;

/* Load train/test per the common options (--data --limit --test-limit --split
 * --cache --no-augment --quiet) held in a parsed CliOpt array; `seed` picks the
 * --limit subsample (commands pass their --seed, forget its --data-seed).
 * Fills dopt.  0 or -1 with err. */
int svc_load_data_seeded(const Modality *m, const CliOpt *o, long seed, DataOptions *dopt, Dataset **train,
                         Dataset **test, char *err, size_t errlen);
/* The same with the seed read from the options' --seed (default 1). */
int svc_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                  char *err, size_t errlen);

/* Set OpenMP and OpenBLAS thread counts (t <= 0: leave as is). */
void svc_set_threads(int t);
#endif
