/* compare_report.c — unlearn-compare's report: ensembles of run records against the
 * gold ensemble (see compare_report.h; definitions in the Markdown preamble below). */
#include "compare_report.h"
#include "compare_table.h"
#include "results.h"
#include "paths.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int method_rank(const char *name) {
    if (!strcmp(name, "original")) return 0;
    if (!strcmp(name, "retrain")) return 1;
    for (int i = 0; unlearn_methods[i]; i++)
        if (!strcmp(unlearn_methods[i]->name, name)) return 2 + i;
    return 1000;
}

/* The run's setting beyond the pair: net, new-class examples, held-out speaker, retained share (runs of
 * different settings merged with --merge are different groups). */
static int setting_cmp(const RunRecord *x, const RunRecord *y) {
    int c = strcmp(x->net, y->net);
    if (!c) c = (x->learn_limit > y->learn_limit) - (x->learn_limit < y->learn_limit);
    if (!c) c = strcmp(x->split, y->split);
    if (!c) c = (x->retain_pct > y->retain_pct) - (x->retain_pct < y->retain_pct);
    return c;
}

static int rec_cmp(const void *a, const void *b) {
    const RunRecord *x = a, *y = b;
    int c = strcmp(x->modality, y->modality);
    if (!c) c = (x->forget > y->forget) - (x->forget < y->forget);
    if (!c) c = (x->learn > y->learn) - (x->learn < y->learn);
    if (!c) c = strcmp(x->classes, y->classes);
    if (!c) c = strcmp(x->eval, y->eval);
    if (!c) c = setting_cmp(x, y);
    if (!c) c = method_rank(x->method) - method_rank(y->method);
    if (!c) c = strcmp(x->method, y->method);
    if (!c) c = (x->seed > y->seed) - (x->seed < y->seed);
    return c;
}

static int same_group(const RunRecord *a, const RunRecord *b) {
    return !strcmp(a->modality, b->modality) && a->forget == b->forget && a->learn == b->learn &&
           !strcmp(a->classes, b->classes) && !strcmp(a->eval, b->eval) && !setting_cmp(a, b);
}

/* Split sorted records into groups and, inside each, rows of one method. */
static int build_groups(RunRecord *recs, int n, Group **out) {
    Group *g = calloc((size_t)(n ? n : 1), sizeof *g);
    if (!g) return -1;
    int ng = 0;
    for (int i = 0; i < n;) {
        Group *gr = &g[ng++];
        gr->recs = recs + i;
        int j = i;
        while (j < n && same_group(&recs[i], &recs[j])) j++;
        gr->n = j - i;
        gr->nrows = 0;
        for (int k = 0; k < gr->n; k++) {
            if (k == 0 || strcmp(gr->recs[k].method, gr->recs[k - 1].method)) {
                if (gr->nrows == GROUP_MAX_ROWS) break;
                gr->rows[gr->nrows++] = (Row){.first = k, .n = 0};
            }
            gr->rows[gr->nrows - 1].n++;
        }
        i = j;
    }
    *out = g;
    return ng;
}

static void free_groups(Group *g, int ng) {
    for (int i = 0; i < ng; i++) free(g[i].derived);
    free(g);
}

int compare_report(const Plan *p, const char *const *dirs, int n, double run_seconds) {
    char err[2048];
    RunRecord *recs = NULL;
    int nrec = 0, rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        if (records_load_dir(dirs[i], &recs, &nrec, err, sizeof err)) rc = 1;
    if (rc == 0 && nrec == 0) { snprintf(err, sizeof err, "no run records found"); rc = 1; }
    if (rc == 0 && mkdir_p(p->outdir, err, sizeof err)) rc = 1;
    Group *groups = NULL;
    int ng = 0;
    if (rc == 0) {
        qsort(recs, (size_t)nrec, sizeof *recs, rec_cmp);
        ng = build_groups(recs, nrec, &groups);
        if (ng < 0) { snprintf(err, sizeof err, "out of memory"); rc = 1; }
    }
    for (int i = 0; i < ng && rc == 0; i++)
        if (group_analyse(&groups[i], err, sizeof err)) rc = 1;
    if (rc == 0 && report_write_all(p, groups, ng, run_seconds, err, sizeof err)) rc = 1;
    if (rc) fprintf(stderr, "unlearn-compare: report: %s\n", err);
    free_groups(groups, ng > 0 ? ng : 0);
    for (int i = 0; i < nrec; i++) record_free(&recs[i]);
    free(recs);
    return rc;
}
