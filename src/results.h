/* results.h — collecting unlearning metrics over methods, modalities and seeds,
 * aggregating them (mean and sample standard deviation over seeds, NaN values
 * left out and counted) and writing results.json, results.csv (one row per
 * modality x method, mean/std/n columns per metric), results_runs.csv (one row
 * per run) and a Markdown table — every file written atomically. */
#ifndef RESULTS_H
#define RESULTS_H
#include <stddef.h>
#include "metrics.h"

typedef struct {
    const char *key;      /* "forget_leakage": JSON key and CSV column stem */
    const char *label;    /* Markdown header */
    size_t offset;        /* of the double in UnlearnMetrics */
    int percent;          /* shown as a percentage in Markdown */
    int table;            /* a column of the Markdown table (diagnostics are JSON/CSV only) */
} ResultMetric;

extern const ResultMetric result_metrics[];
extern const int n_result_metrics;
#define RESULTS_MAX_METRICS 16

typedef struct {
    char modality[32], method[48];
    int seed;
    UnlearnMetrics m;
} ResultRow;

typedef struct {
    ResultRow *rows;
    int n, cap;
} Results;

typedef struct {
    char modality[32], method[48];
    int n;                                   /* runs in the group */
    double mean[RESULTS_MAX_METRICS];        /* over the finite values; NaN if none */
    double std[RESULTS_MAX_METRICS];         /* sample std (n-1); 0 with one value; NaN if none */
    int n_valid[RESULTS_MAX_METRICS];        /* finite values */
} ResultGroup;

void results_init(Results *r);
void results_free(Results *r);
int results_add(Results *r, const char *modality, const char *method, int seed, const UnlearnMetrics *m);
double result_value(const UnlearnMetrics *m, int metric);
/* Groups by (modality, method), in first-seen order.  *out malloc'd; returns the count (-1 on OOM). */
int results_aggregate(const Results *r, ResultGroup **out);
/* mean and sample std of the finite values among v[0..n) (NaN/NaN if none, std 0 for one). */
int mean_std(const double *v, int n, double *mean, double *std);

/* run_info: a JSON object text stored under "run" (NULL: {}). */
int results_write_json(const Results *r, const char *path, const char *run_info, char *err, size_t errlen);
int results_write_csv(const Results *r, const char *path, char *err, size_t errlen);
int results_write_runs_csv(const Results *r, const char *path, char *err, size_t errlen);
/* preamble: Markdown text put before the tables (NULL: none). */
int results_write_md(const Results *r, const char *path, const char *preamble, char *err, size_t errlen);
#endif
