/* results.h — one run record per (modality, class pair, seed, model): the raw
 * measurements of one model (every metric of metrics.h, the per-class accuracy,
 * the forget-output slot histogram, per-example margins for KLoM, the cost), written
 * as JSON and read back, so that shards of a comparison can be merged and every
 * comparison with the gold ensemble is made afterwards (compare_report). */
#ifndef RESULTS_H
#define RESULTS_H
#include <stddef.h>
#include "metrics.h"
#include "train.h"

/* A scalar metric of UnlearnMetrics: its JSON key and Markdown label. */
typedef struct {
    const char *key;      /* "forget_leakage" */
    const char *label;    /* "leakage %" */
    size_t offset;        /* of the double in UnlearnMetrics */
    int percent;          /* a share, shown x100 */
} ResultMetric;

extern const ResultMetric result_metrics[];
extern const int n_result_metrics;
int result_metric_find(const char *key);          /* index or -1 */
double result_value(const UnlearnMetrics *m, int metric);

/* Roles of a record. */
typedef enum { REC_ORIGINAL = 0, REC_GOLD = 1, REC_METHOD = 2 } RecordRole;

/* KLoM sample sets (metrics.h: fixed examples, identical for every model of a modality and pair). */
#define N_MARGIN_SETS MARGIN_SETS
extern const char *const margin_set_names[N_MARGIN_SETS];

typedef struct {
    char modality[32], method[48], classes[128], eval[8], net[64];
    int forget, learn, seed, threads;
    int learn_limit;                   /* new-class training examples (0: all) */
    char split[32];                    /* held-out speaker of a speech run ("": the upstream split) */
    double retain_pct;                 /* share of retained training data the methods saw, % (-1: all) */
    RecordRole role;
    UnlearnMetrics m;                  /* scalars + slot_hist; avg_gap/ratios unused */
    int n_labels;
    int n_slots;
    double slot_hist[MAX_SLOTS];       /* share of the forgotten class's scoring samples in each slot */
    int relearn_cap;                   /* relearn step cap (a model that never relearns counts as the cap) */
    double class_acc[MAX_LABELS];      /* test share of each label in its slot (the forgotten class:
                                          in its old slot; NaN: no slot or no samples) */
    double seconds, flops;             /* the method's (or the gold's training) cost */
    long steps;
    int cost_cached;                   /* 1: the gold came from the model cache (its time is from another run) */
    float *margins[N_MARGIN_SETS];     /* per-example margins (owned) */
    int n_margins[N_MARGIN_SETS];
} RunRecord;

void record_init(RunRecord *r);
void record_free(RunRecord *r);
/* Write atomically / read one record.  0 or -1 with one line in err naming the file. */
int record_write(const RunRecord *r, const char *path, char *err, size_t errlen);
int record_read(RunRecord *r, const char *path, char *err, size_t errlen);
/* Every *.json record under dir/runs (recursively), appended to *recs (realloc'd). */
int records_load_dir(const char *dir, RunRecord **recs, int *n, char *err, size_t errlen);

#endif
