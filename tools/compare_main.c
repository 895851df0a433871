/* compare_main.c — bin/unlearn-compare: every unlearning method side by side over
 * ensembles of seeds, against the gold ensemble.  plan (compare_plan.c) -> runner
 * (compare_run.c: run records under <out>/runs/) -> report (compare_report.c). */
#include "compare_plan.h"
#include "compare_report.h"
#include "compare_run.h"
#include "services.h"
#include <stdio.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    static Plan p;
    int rc = plan_parse(&p, argc, argv);
    if (rc == 1) return 0;
    if (rc) return 2;
    svc_set_threads(p.threads);
    double t0 = now_s();
    if (!p.nmerge) {
        if (!p.quiet)
            fprintf(stderr, "unlearn-compare: %d modalit%s x %d pair%s x %d seed%s x (%d method%s + original + gold), "
                            "shard %d/%d, %d thread%s -> %s\n", p.nmods, p.nmods == 1 ? "y" : "ies", p.npairs,
                    p.npairs == 1 ? "" : "s", p.nseeds, p.nseeds == 1 ? "" : "s", p.nmethods, p.nmethods == 1 ? "" : "s",
                    p.shard + 1, p.nshards, p.threads, p.threads == 1 ? "" : "s", p.outdir);
        if (compare_run(&p)) return 1;
    }
    if (p.report) {
        const char *self[1] = {p.outdir};
        if (compare_report(&p, p.nmerge ? p.merge : self, p.nmerge ? p.nmerge : 1, now_s() - t0)) return 1;
        printf("wrote %s/results.json, results.csv, results_runs.csv, results.md%s\n", p.outdir,
               p.plots ? " and SVG plots" : "");
    }
    fprintf(stderr, "unlearn-compare: total time %.1f s (%.1f min)\n", now_s() - t0, (now_s() - t0) / 60);
    return 0;
}
