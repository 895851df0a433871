/* compare_table.h — the comparison's columns, the per-group analysis (derived
 * per-run values, ensemble statistics against the gold band, the headline score,
 * KLoM) and the writers of the report files. */
#ifndef COMPARE_TABLE_H
#define COMPARE_TABLE_H
#include <stddef.h>
#include "compare_plan.h"
#include "ensemble.h"
#include "results.h"

/* Which table a column belongs to. */
typedef enum { TAB_OUTPUT, TAB_FEATURE, TAB_COST } Table;
/* How a column enters the headline score. */
typedef enum { SC_NONE, SC_ABS, SC_JSD, SC_RATIO, SC_MIA } ScoreKind;

typedef struct {
    const char *key, *label;
    int percent;          /* a share: shown x100 */
    Table table;
    ScoreKind score;
    int band;             /* counted in "inside the gold band" */
} Column;

extern const Column columns[];
extern const int n_columns;
int column_find(const char *key);

#define GROUP_MAX_ROWS 40
#define COL_MAX 48

typedef struct {
    int first, n;                 /* records recs[first .. first+n) of the group, sorted by seed */
    EnsStat stat[COL_MAX];             /* per column */
    int inside[COL_MAX];               /* 1 in the gold band, 0 outside, -1 unknown */
    double z[COL_MAX];
    int n_inside, n_banded;
    double klom_median[N_MARGIN_SETS], klom_p95[N_MARGIN_SETS];
    int mia_significant;          /* runs whose attack beat chance (p < MIA_ALPHA) */
} Row;

typedef struct {
    RunRecord *recs;              /* sorted: method rank, then seed */
    int n;
    Row rows[GROUP_MAX_ROWS];
    int nrows;
    int gold_row;                 /* index of "retrain", -1 if absent */
    double *derived;              /* [n][COL_MAX]: every column's value per record */
    EnsBand band[COL_MAX];
} Group;

#define MIA_ALPHA 0.01

/* Derived values, statistics, bands, score and KLoM of one group. 0 or -1 with err. */
int group_analyse(Group *g, char *err, size_t errlen);
static inline double group_value(const Group *g, int rec, int col) { return g->derived[(size_t)rec * COL_MAX + col]; }
/* A column's value as the tables show it (shares x100 with one decimal, JSD three, ...; "-" if not finite). */
void column_fmt(char *out, size_t n, const Column *c, double v);
/* results.json, results.csv, results_runs.csv, results.md and the plots. */
int report_write_all(const Plan *p, const Group *g, int ng, double run_seconds, char *err, size_t errlen);
#endif
