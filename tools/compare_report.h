/* compare_report.h — unlearn-compare's report: reads every run record of one or more
 * output folders, compares each method's ensemble with the gold ensemble and writes
 * results.json, results.csv, results_runs.csv, results.md and the SVG plots. */
#ifndef COMPARE_REPORT_H
#define COMPARE_REPORT_H
#include "compare_plan.h"

/* Report over the records of dirs[0..n) into p->outdir.  0, or 1 (one line on stderr). */
int compare_report(const Plan *p, const char *const *dirs, int n, double run_seconds);
#endif
