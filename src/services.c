/* services.c — what every command shares: data loading per the common options, threads, help (see services.h). */
#include "services.h"
#include <limits.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

void openblas_set_num_threads(int);

void svc_set_threads(int t) {
    if (t <= 0) return;
    omp_set_num_threads(t);
    openblas_set_num_threads(t);
}

const char *svc_common_help =
    "  --data DIR          datasets folder (default: $UNLEARN_DATA, then ../shared/datasets)\n"
    "  --limit N           at most N training samples per class (quick runs)\n"
    "  --test-limit N      at most N test samples per class\n"
    "  --threads N         CPU threads (default: all cores)\n"
    "  --device D          cpu, cuda or auto (default auto)\n"
    "  --quiet             no progress line\n";

/* seed NULL: read --seed (default 1) after the limits, so errors come in option order. */
static int load_data(const Modality *m, const CliOpt *o, const long *seed_given, DataOptions *dopt, Dataset **train,
                     Dataset **test, char *err, size_t errlen) {
    long lim = 0, tlim = 0, seed = 1;
    memset(dopt, 0, sizeof *dopt);
    if (cli_int(o, "limit", 0, 0, 1000000, &lim, err, errlen)) return -1;
    if (cli_int(o, "test-limit", 0, 0, 1000000, &tlim, err, errlen)) return -1;
    if (seed_given) seed = *seed_given;
    else if (cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, errlen)) return -1;
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

int svc_load_data_seeded(const Modality *m, const CliOpt *o, long seed, DataOptions *dopt, Dataset **train,
                         Dataset **test, char *err, size_t errlen) {
    return load_data(m, o, &seed, dopt, train, test, err, errlen);
}

int svc_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                  char *err, size_t errlen) {
    return load_data(m, o, NULL, dopt, train, test, err, errlen);
}
