/* compare_plan.h — what one unlearn-compare invocation does: the options, the
 * per-modality budgets and the grid of work units (modality x pair x seed x model),
 * of which a shard runs every N-th. */
#ifndef COMPARE_PLAN_H
#define COMPARE_PLAN_H
#include <stdint.h>
#include "modality.h"
#include "metrics.h"
#include "unlearn.h"

#define PLAN_MAX_METHODS 32
#define PLAN_MAX_SEEDS 128
#define PLAN_MAX_PAIRS 16
#define PLAN_MAX_MODS 4
#define PLAN_MAX_MERGE 64

/* Roles of a unit: the original, the gold (retrained from scratch) and the methods. */
enum { ROLE_ORIGINAL = -2, ROLE_GOLD = -1 };

typedef struct {
    int forget, learn;
    char classes[128];            /* pre-training class list; "" = every label but `learn` */
} Pair;

typedef struct {
    const Modality *mods[PLAN_MAX_MODS];
    int nmods;
    Pair pairs[PLAN_MAX_PAIRS];
    int npairs;
    int seeds[PLAN_MAX_SEEDS];
    int nseeds;
    const UnlearnMethod *methods[PLAN_MAX_METHODS];
    int nmethods;
    int shard, nshards;           /* run units u with u % nshards == shard (0-based) */
    int eval_val;                 /* 1: score on the validation split (tuning); test data is never loaded */
    int limit, test_limit;
    double retain_pct;                /* --retain-limit: % of the retained training data the methods see (-1: all) */
    int learn_limit;                  /* new-class training examples (0: all) */        /* per-class subsets (-1: the modality's default, i.e. all) */
    int pretrain_epochs;          /* 0: the modality's compare_epochs / recipe */
    long steps;                   /* 0: the modality's compare_steps */
    float relearn_lr;             /* 0: the modality's */
    int quick, quiet, plots, report, threads;
    int resume;                       /* skip units whose run record is already there */
    int jobs;                     /* worker processes, each running 1/jobs of this shard's blocks */
    int job, njobs;               /* in a worker: run this shard's blocks k with k % njobs == job (0, 1 otherwise) */
    const char *data, *split, *device, *net;
    const char *goals_method;     /* --goals-method: the row judged in goals.md (default ours) */
    char outdir[2048];
    const char *merge[PLAN_MAX_MERGE];   /* --merge DIR...: report only, over these folders' run records */
    int nmerge;
    MetricsConfig mc;
} Plan;

/* Parse argv into plan.  0 ok, 1 --help printed, 2 usage error (one line on stderr). */
int plan_parse(Plan *p, int argc, char **argv);
/* Units in grid order: mod, pair, seed, then original, gold, methods. */
long plan_units(const Plan *p);
void plan_unit(const Plan *p, long u, int *mod, int *pair, int *seed_index, int *role);
/* The shard (0-based) that runs unit u: whole (modality, pair, seed) blocks when there are
 * at least as many blocks as shards (each original is then trained by one shard only),
 * else single units. */
int plan_unit_shard(const Plan *p, long u);
/* The pre-training class list of a pair for a modality ("" -> every label but learn). */
void plan_pair_classes(const Plan *p, int mod, int pair, char *out, size_t n);
/* Budgets for a modality: pre-training recipe of originals and golds, method steps, relearn lr. */
TrainConfig plan_recipe(const Plan *p, const Modality *m);
long plan_steps(const Plan *p, const Modality *m);
float plan_relearn_lr(const Plan *p, const Modality *m);
/* Seeds of the original and of the gold of seed s: independent streams, so the gold does not
 * start from the original's initialisation. */
uint64_t plan_seed_original(int s);
uint64_t plan_seed_gold(int s);
const char *plan_role_name(const Plan *p, int role);
#endif
