/* services.c — what every command shares: data loading per the common options, threads, help (see services.h). */
#include "services.h"
#include "atomic_file.h"
#include "checkpoint.h"
#include "escape.h"
#include <limits.h>
#include <omp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (cli_int(o, "limit", 0, 0, 1000000, &lim, err, errlen)) return 2;
    if (cli_int(o, "test-limit", 0, 0, 1000000, &tlim, err, errlen)) return 2;
    if (seed_given) seed = *seed_given;
    else if (cli_int(o, "seed", 1, 0, LONG_MAX, &seed, err, errlen)) return 2;
    dopt->data_dir = cli_str(o, "data", NULL);
    dopt->limit_per_class = (int)lim;
    dopt->test_limit_per_class = (int)tlim;
    dopt->split = cli_str(o, "split", NULL);
    dopt->augment = cli_flag(o, "no-augment") ? 0 : 1;
    dopt->cache_dir = cli_str(o, "cache", NULL);
    dopt->seed = (uint64_t)seed;
    dopt->verbose = !cli_flag(o, "quiet");
    return m->load(dopt, train, test, err, errlen) ? 1 : 0;
}

int svc_load_data_seeded(const Modality *m, const CliOpt *o, long seed, DataOptions *dopt, Dataset **train,
                         Dataset **test, char *err, size_t errlen) {
    return load_data(m, o, &seed, dopt, train, test, err, errlen);
}

int svc_load_data(const Modality *m, const CliOpt *o, DataOptions *dopt, Dataset **train, Dataset **test,
                  char *err, size_t errlen) {
    return load_data(m, o, NULL, dopt, train, test, err, errlen);
}

Net *svc_load_model(const Modality *m, const char *path, ClassMap *cm, char *err, size_t errlen) {
    char modality[64] = "";
    Net *net = checkpoint_load(path, cm, modality, err, errlen);
    if (!net) return NULL;
    if (!*modality)
        snprintf(err, errlen, "%s: the checkpoint names no modality (a %s model is needed)", esc(path), m->name);
    else if (strcmp(modality, m->name))
        snprintf(err, errlen, "%s is a %s model, not %s", esc(path), esc(modality), m->name);
    else
        return net;
    net_free(net);
    return NULL;
}

int svc_check_input(const Net *net, const char *path, const Dataset *d, char *err, size_t errlen) {
    if (net->in_c == d->c && net->in_h == d->h && net->in_w == d->w) return 0;
    snprintf(err, errlen, "%s: the model's input is %dx%dx%d but the data's samples are %dx%dx%d", esc(path),
             net->in_c, net->in_h, net->in_w, d->c, d->h, d->w);
    return -1;
}

int svc_threads_opt(const CliOpt *o, long *threads, char *err, size_t errlen) {
    return cli_int(o, "threads", 0, 0, SVC_MAX_THREADS, threads, err, errlen);
}

/* The folder of path must exist and be writable; path itself must not be a folder.  0 or -1 with err. */
static int check_output(const char *path, char *err, size_t errlen) {
    if (!*path) { snprintf(err, errlen, "empty output file name"); return -1; }
    const char *slash = strrchr(path, '/');
    char *dir = !slash ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    if (!dir) { snprintf(err, errlen, "out of memory"); return -1; }
    struct stat sb;
    int rc = -1;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
        snprintf(err, errlen, "%s: the folder %s does not exist", esc(path), esc(dir));
    else if (access(dir, W_OK | X_OK))
        snprintf(err, errlen, "%s: the folder %s is not writable", esc(path), esc(dir));
    else if (slash && !slash[1])
        snprintf(err, errlen, "%s: names a folder, not a file", esc(path));
    else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        snprintf(err, errlen, "%s: is a folder, not a file", esc(path));
    else
        rc = 0;
    free(dir);
    return rc;
}

int svc_check_outputs(const char *const *paths, int n, char *err, size_t errlen) {
    for (int i = 0; i < n; i++) {
        if (!paths[i]) continue;
        if (check_output(paths[i], err, errlen)) return -1;
        for (int j = 0; j < i; j++)
            if (paths[j] && !strcmp(paths[i], paths[j])) {
                snprintf(err, errlen, "%s: the same file is named for two outputs", esc(paths[i]));
                return -1;
            }
    }
    return 0;
}

int svc_outputs_begin(SvcOutputs *s, const char *const *paths, int n, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    if (n > SVC_MAX_OUTPUTS) { snprintf(err, errlen, "too many outputs"); return -1; }
    if (svc_check_outputs(paths, n, err, errlen)) return -1;
    s->n = n;
    for (int i = 0; i < n; i++) {
        s->path[i] = paths[i];
        if (!paths[i]) continue;
        atomic_clean_stale(paths[i]);   /* staged files of an earlier run that was killed */
        size_t len = strlen(paths[i]) + 48;
        s->stage[i] = malloc(len);
        if (!s->stage[i]) { svc_outputs_abort(s); snprintf(err, errlen, "out of memory"); return -1; }
        snprintf(s->stage[i], len, "%s.tmp.%ld.%d", paths[i], (long)getpid(), 900000000 + i);
    }
    return 0;
}

int svc_outputs_commit(SvcOutputs *s, char *err, size_t errlen) {
    for (int i = 0; i < s->n; i++) {
        if (!s->stage[i] || rename(s->stage[i], s->path[i]) == 0) continue;
        snprintf(err, errlen, "%s: cannot rename the finished output into place: %s", esc(s->path[i]),
                 strerror(errno));
        svc_outputs_abort(s);
        return -1;
    }
    svc_outputs_abort(s);   /* frees the names; nothing is left to unlink */
    return 0;
}

void svc_outputs_abort(SvcOutputs *s) {
    for (int i = 0; i < s->n; i++) {
        if (s->stage[i]) unlink(s->stage[i]);
        free(s->stage[i]);
        s->stage[i] = NULL;
    }
}
