/* results.c — aggregation over seeds and the result writers (see results.h). */
#include "results.h"
#include "atomic_file.h"
#include "report.h"
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M(field) offsetof(UnlearnMetrics, field)
const ResultMetric result_metrics[] = {
    {"forget_leakage", "leakage %", M(forget_leakage), 1, 1},
    {"new_class_acc", "new-class %", M(new_class_acc), 1, 1},
    {"retained_acc", "retained %", M(retained_acc), 1, 1},
    {"mia_efficacy", "MIA %", M(mia_efficacy), 1, 1},
    {"probe_acc", "probe %", M(probe_acc), 1, 1},
    {"relearn_steps", "relearn steps", M(relearn_steps), 0, 1},
    {"avg_gap", "avg gap %", M(avg_gap), 1, 1},
    {"seconds", "seconds", M(seconds), 0, 1},
    {"flops", "FLOPs", M(flops), 0, 0},
    {"cost_ratio_time", "time / retrain", M(cost_ratio_time), 0, 1},
    {"cost_ratio_flops", "FLOPs / retrain", M(cost_ratio_flops), 0, 1},
    {"mia_fit_acc", "MIA fit acc %", M(mia_fit_acc), 1, 0},
    {"probe_train_acc", "probe train acc %", M(probe_train_acc), 1, 0},
    {"relearn_final_acc", "relearn final acc %", M(relearn_final_acc), 1, 0},
};
#undef M
const int n_result_metrics = (int)(sizeof result_metrics / sizeof result_metrics[0]);

_Static_assert(sizeof result_metrics / sizeof result_metrics[0] <= RESULTS_MAX_METRICS, "too many metrics");

void results_init(Results *r) { memset(r, 0, sizeof *r); }
void results_free(Results *r) { free(r->rows); memset(r, 0, sizeof *r); }

int results_add(Results *r, const char *modality, const char *method, int seed, const UnlearnMetrics *m) {
    if (r->n == r->cap) {
        int nc = r->cap ? 2 * r->cap : 16;
        ResultRow *nr = realloc(r->rows, (size_t)nc * sizeof *nr);
        if (!nr) return -1;
        r->rows = nr;
        r->cap = nc;
    }
    ResultRow *row = &r->rows[r->n++];
    memset(row, 0, sizeof *row);
    snprintf(row->modality, sizeof row->modality, "%s", modality);
    snprintf(row->method, sizeof row->method, "%s", method);
    row->seed = seed;
    row->m = *m;
    return 0;
}

double result_value(const UnlearnMetrics *m, int metric) {
    return *(const double *)((const char *)m + result_metrics[metric].offset);
}

int mean_std(const double *v, int n, double *mean, double *std) {
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++) if (isfinite(v[i])) { s += v[i]; k++; }
    if (!k) { *mean = *std = NAN; return 0; }
    double mu = s / k, ss = 0;
    for (int i = 0; i < n; i++) if (isfinite(v[i])) ss += (v[i] - mu) * (v[i] - mu);
    *mean = mu;
    *std = k > 1 ? sqrt(ss / (k - 1)) : 0.0;
    return k;
}

int results_aggregate(const Results *r, ResultGroup **out) {
    *out = NULL;
    ResultGroup *g = calloc((size_t)(r->n ? r->n : 1), sizeof *g);
    double *v = malloc((size_t)(r->n ? r->n : 1) * sizeof(double));
    if (!g || !v) { free(g); free(v); return -1; }
    int ng = 0;
    for (int i = 0; i < r->n; i++) {
        const ResultRow *row = &r->rows[i];
        int j;
        for (j = 0; j < ng; j++)
            if (!strcmp(g[j].modality, row->modality) && !strcmp(g[j].method, row->method)) break;
        if (j < ng) continue;   /* already aggregated */
        ResultGroup *G = &g[ng++];
        snprintf(G->modality, sizeof G->modality, "%s", row->modality);
        snprintf(G->method, sizeof G->method, "%s", row->method);
        for (int k = 0; k < n_result_metrics; k++) {
            int n = 0;
            for (int q = i; q < r->n; q++)
                if (!strcmp(r->rows[q].modality, row->modality) && !strcmp(r->rows[q].method, row->method))
                    v[n++] = result_value(&r->rows[q].m, k);
            G->n = n;
            G->n_valid[k] = mean_std(v, n, &G->mean[k], &G->std[k]);
        }
    }
    free(v);
    *out = g;
    return ng;
}

int results_write_json(const Results *r, const char *path, const char *run_info, char *err, size_t errlen) {
    ResultGroup *g;
    int ng = results_aggregate(r, &g);
    if (ng < 0) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) { free(g); return -1; }
    FILE *f = af.fp;
    fprintf(f, "{\n  \"run\": %s,\n  \"summary\": [", run_info && *run_info ? run_info : "{}");
    for (int i = 0; i < ng; i++) {
        fprintf(f, "%s\n    {\"modality\": ", i ? "," : "");
        json_str(f, g[i].modality);
        fprintf(f, ", \"method\": ");
        json_str(f, g[i].method);
        fprintf(f, ", \"n\": %d", g[i].n);
        for (int k = 0; k < n_result_metrics; k++) {
            fprintf(f, ",\n      \"%s\": {\"mean\": ", result_metrics[k].key);
            json_num(f, g[i].mean[k]);
            fprintf(f, ", \"std\": ");
            json_num(f, g[i].std[k]);
            fprintf(f, ", \"n\": %d}", g[i].n_valid[k]);
        }
        fprintf(f, "}");
    }
    fprintf(f, "\n  ],\n  \"runs\": [");
    for (int i = 0; i < r->n; i++) {
        const ResultRow *row = &r->rows[i];
        fprintf(f, "%s\n    {\"modality\": ", i ? "," : "");
        json_str(f, row->modality);
        fprintf(f, ", \"method\": ");
        json_str(f, row->method);
        fprintf(f, ", \"seed\": %d", row->seed);
        for (int k = 0; k < n_result_metrics; k++) {
            fprintf(f, ", \"%s\": ", result_metrics[k].key);
            json_num(f, result_value(&row->m, k));
        }
        fprintf(f, ",\n      \"relearn_curve\": {\"steps\": [");
        for (int p = 0; p < row->m.relearn_points; p++) fprintf(f, "%s%d", p ? ", " : "", row->m.relearn_step[p]);
        fprintf(f, "], \"acc\": [");
        for (int p = 0; p < row->m.relearn_points; p++) {
            if (p) fprintf(f, ", ");
            json_num(f, row->m.relearn_acc[p]);
        }
        fprintf(f, "]}}");
    }
    fprintf(f, "\n  ]\n}\n");
    free(g);
    return atomic_commit(&af, err, errlen);
}

static void csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.6g", v);
    else fputc(',', f);
}

/* CSV text field: quoted when it holds a comma, quote or newline. */
static void csv_str(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) { if (*s == '"') fputc('"', f); fputc(*s, f); }
    fputc('"', f);
}

int results_write_csv(const Results *r, const char *path, char *err, size_t errlen) {
    ResultGroup *g;
    int ng = results_aggregate(r, &g);
    if (ng < 0) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) { free(g); return -1; }
    FILE *f = af.fp;
    fprintf(f, "modality,method,n_seeds");
    for (int k = 0; k < n_result_metrics; k++)
        fprintf(f, ",%s_mean,%s_std,%s_n", result_metrics[k].key, result_metrics[k].key, result_metrics[k].key);
    fputc('\n', f);
    for (int i = 0; i < ng; i++) {
        csv_str(f, g[i].modality);
        fputc(',', f);
        csv_str(f, g[i].method);
        fprintf(f, ",%d", g[i].n);
        for (int k = 0; k < n_result_metrics; k++) {
            csv_num(f, g[i].mean[k]);
            csv_num(f, g[i].std[k]);
            fprintf(f, ",%d", g[i].n_valid[k]);
        }
        fputc('\n', f);
    }
    free(g);
    return atomic_commit(&af, err, errlen);
}

int results_write_runs_csv(const Results *r, const char *path, char *err, size_t errlen) {
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) return -1;
    FILE *f = af.fp;
    fprintf(f, "modality,method,seed");
    for (int k = 0; k < n_result_metrics; k++) fprintf(f, ",%s", result_metrics[k].key);
    fputc('\n', f);
    for (int i = 0; i < r->n; i++) {
        csv_str(f, r->rows[i].modality);
        fputc(',', f);
        csv_str(f, r->rows[i].method);
        fprintf(f, ",%d", r->rows[i].seed);
        for (int k = 0; k < n_result_metrics; k++) csv_num(f, result_value(&r->rows[i].m, k));
        fputc('\n', f);
    }
    return atomic_commit(&af, err, errlen);
}

static void md_cell(FILE *f, const ResultGroup *g, int k) {
    const ResultMetric *rm = &result_metrics[k];
    if (!g->n_valid[k]) {
        fputs(!strcmp(rm->key, "relearn_steps") ? " not reached |" : " - |", f);
        return;
    }
    double s = rm->percent ? 100.0 : 1.0, mu = g->mean[k] * s, sd = g->std[k] * s;
    int prec = rm->percent ? 1 : (fabs(mu) >= 100 ? 0 : fabs(mu) >= 1 ? 2 : 3);
    if (!strcmp(rm->key, "relearn_steps")) prec = 0;
    if (g->n > 1) fprintf(f, " %.*f ± %.*f", prec, mu, prec, sd);
    else fprintf(f, " %.*f", prec, mu);
    if (g->n_valid[k] < g->n) fprintf(f, " (%d/%d)", g->n_valid[k], g->n);
    fputs(" |", f);
}

int results_write_md(const Results *r, const char *path, const char *preamble, char *err, size_t errlen) {
    ResultGroup *g;
    int ng = results_aggregate(r, &g);
    if (ng < 0) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
    AtomicFile af;
    if (atomic_open(&af, path, err, errlen)) { free(g); return -1; }
    FILE *f = af.fp;
    if (preamble && *preamble) fprintf(f, "%s\n\n", preamble);
    for (int i = 0; i < ng; i++) {
        int first = 1;
        for (int j = 0; j < i; j++) if (!strcmp(g[j].modality, g[i].modality)) { first = 0; break; }
        if (!first) continue;
        fprintf(f, "### %s\n\n| method | seeds |", g[i].modality);
        for (int k = 0; k < n_result_metrics; k++) if (result_metrics[k].table) fprintf(f, " %s |", result_metrics[k].label);
        fprintf(f, "\n|---|---:|");
        for (int k = 0; k < n_result_metrics; k++) if (result_metrics[k].table) fprintf(f, "---:|");
        fputc('\n', f);
        for (int j = i; j < ng; j++) {
            if (strcmp(g[j].modality, g[i].modality)) continue;
            fprintf(f, "| %s | %d |", g[j].method, g[j].n);
            for (int k = 0; k < n_result_metrics; k++) if (result_metrics[k].table) md_cell(f, &g[j], k);
            fputc('\n', f);
        }
        fputc('\n', f);
    }
    fprintf(f, "Values are mean ± sample standard deviation over seeds; \"(k/n)\": only k of n runs gave a value "
               "(relearn: reached the threshold within the cap).\n");
    free(g);
    return atomic_commit(&af, err, errlen);
}
