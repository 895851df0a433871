/* compare_goals.h — the goal table of our procedure (issue 10): one method's row of every
 * group judged against each goal; written as goals.md / goals.csv by the report. */
#ifndef COMPARE_GOALS_H
#define COMPARE_GOALS_H
#include <stddef.h>
#include "compare_table.h"

#define GOALS_MAX_GROUPS 32

typedef struct {
    const char *key, *label;
    const char *rule;             /* band, gold_plus, window, gold_hi, lowest, klom_lowest, cap */
    double value, half;           /* the row's mean and the half-width of its 95% interval (NaN: none) */
    double target;                /* the limit held to, or the best other method's value (NaN: none) */
    double band_lo, band_hi;      /* the gold's band (band goals; NaN otherwise) */
    const char *rival;            /* the best other method (lowest-of-all goals), else NULL */
    int met;                      /* 1 met, 0 missed, -1 not measurable */
} GoalResult;

#define GOALS_N 16   /* the length of goals_judge's output */
/* Judge `method`'s row of an analysed group against every goal; out has GOALS_N
 * entries.  Returns GOALS_N, or -1 when the group has no such row. */
int goals_judge(const Group *g, const char *method, GoalResult *out);
/* goals.md and goals.csv in outdir for every group with a gold and a `method` row (none:
 * nothing written).  0 ok, -1 with err. */
int goals_write(const char *outdir, const char *method, const Group *g, int ng, char *err, size_t el);
#endif
