/* compare_main.c — bin/unlearn-compare: every unlearning method side by side over
 * ensembles of seeds, against the gold ensemble.  plan (compare_plan.c) -> runner
 * (compare_run.c: run records under <out>/runs/) -> report (compare_report.c). */
#include "compare_plan.h"
#include "compare_report.h"
#include "compare_run.h"
#include "services.h"
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Run the plan's shard in p->jobs worker processes (sub-shards of it), each with its own
 * blocks, so a 2-core machine runs two blocks side by side; 0 when every worker succeeded. */
static int run_jobs(const Plan *p) {
    int jobs = p->jobs;
    long blocks = plan_units(p) / (p->nmethods + 2);
    if (jobs > blocks) jobs = (int)blocks;
    if (jobs <= 1) return compare_run(p);
    fflush(NULL);
    pid_t pid[64];
    for (int j = 0; j < jobs; j++) {
        pid[j] = fork();
        if (pid[j] < 0) { perror("unlearn-compare: fork"); return 1; }
        if (pid[j] == 0) {   /* worker j: every jobs-th block of this shard, from the j-th */
            Plan w = *p;
            w.job = j;
            w.njobs = jobs;
            _exit(compare_run(&w) ? 1 : 0);
        }
    }
    int bad = 0;
    for (int j = 0; j < jobs; j++) {
        int st = 0;
        if (waitpid(pid[j], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad = 1;
    }
    return bad;
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
                            "shard %d/%d, %d job%s x %d thread%s -> %s\n", p.nmods, p.nmods == 1 ? "y" : "ies", p.npairs,
                    p.npairs == 1 ? "" : "s", p.nseeds, p.nseeds == 1 ? "" : "s", p.nmethods, p.nmethods == 1 ? "" : "s",
                    p.shard + 1, p.nshards, p.jobs, p.jobs == 1 ? "" : "s", p.threads, p.threads == 1 ? "" : "s",
                    p.outdir);
        if (run_jobs(&p)) return 1;
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
