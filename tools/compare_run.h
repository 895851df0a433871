/* compare_run.h — unlearn-compare's runner: trains (or loads from the model cache)
 * the originals and golds, runs each method on its seed's original, measures every
 * model and writes one run record per unit of the plan's shard under <out>/runs/. */
#ifndef COMPARE_RUN_H
#define COMPARE_RUN_H
#include "compare_plan.h"

/* Run the plan's shard.  0, or 1 after a failure (one line on stderr); a failing
 * method is reported and recorded with NaN metrics, the run goes on. */
int compare_run(const Plan *p);
#endif
