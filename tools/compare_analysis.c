/* compare_analysis.c — per group: every column's value per run (raw metrics and
 * values derived against the gold ensemble), ensemble statistics, the gold's band,
 * the headline score and KLoM (see compare_table.h). */
#include "compare_table.h"
#include "divergence.h"
#include "klom.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns.  Raw keys are read from the record's metrics (NaN when a record lacks one);
 * forget_jsd, relearn_ratio_*, flops_ratio, time_ratio, seconds and score are derived here. */
const Column columns[] = {
    {"forget_leakage", "leakage %", 1, TAB_OUTPUT, SC_ABS, 1},
    {"new_class_acc", "new-class %", 1, TAB_OUTPUT, SC_ABS, 1},
    {"retained_acc", "retained %", 1, TAB_OUTPUT, SC_ABS, 1},
    {"forget_jsd", "forget JSD", 0, TAB_OUTPUT, SC_JSD, 1},
    {"mia_efficacy", "MIA %", 1, TAB_OUTPUT, SC_MIA, 1},
    {"score", "score", 0, TAB_OUTPUT, SC_NONE, 0},
    {"probe_acc", "probe %", 1, TAB_FEATURE, SC_ABS, 1},
    {"kshot_probe_k5", "5-shot probe %", 1, TAB_FEATURE, SC_ABS, 1},
    {"kshot_probe_k50", "50-shot probe %", 1, TAB_FEATURE, SC_ABS, 1},
    {"kshot_proto_k5", "5-shot proto %", 1, TAB_FEATURE, SC_NONE, 1},
    {"kshot_proto_k50", "50-shot proto %", 1, TAB_FEATURE, SC_NONE, 1},
    {"relearn_ratio_k10", "relearn ratio k=10", 0, TAB_FEATURE, SC_RATIO, 1},
    {"relearn_ratio_k100", "relearn ratio k=100", 0, TAB_FEATURE, SC_RATIO, 1},
    {"relapse_leakage", "relapse leakage %", 1, TAB_FEATURE, SC_NONE, 1},   /* no signal here: metrics.h */
    {"relapse_probe", "relapse probe %", 1, TAB_FEATURE, SC_ABS, 1},
    {"flops_ratio", "FLOPs / gold", 0, TAB_COST, SC_NONE, 0},
    {"time_ratio", "time / gold", 0, TAB_COST, SC_NONE, 0},
    {"seconds", "seconds", 0, TAB_COST, SC_NONE, 0},
};
const int n_columns = (int)(sizeof columns / sizeof columns[0]);
_Static_assert(sizeof columns / sizeof columns[0] <= COL_MAX, "too many columns");

int column_find(const char *key) {
    for (int i = 0; i < n_columns; i++)
        if (!strcmp(columns[i].key, key)) return i;
    return -1;
}

static double raw(const RunRecord *r, const char *key) {
    int k = result_metric_find(key);
    return k < 0 ? NAN : result_value(&r->m, k);
}

static double *cell(Group *g, int rec, int col) { return &g->derived[(size_t)rec * COL_MAX + col]; }

/* Mean of column col over the gold records, leaving record `skip` out (-1: none). */
static double gold_mean(Group *g, int col, int skip) {
    if (g->gold_row < 0) return NAN;
    const Row *gr = &g->rows[g->gold_row];
    double s = 0;
    int k = 0;
    for (int i = gr->first; i < gr->first + gr->n; i++) {
        double v = *cell(g, i, col);
        if (i != skip && isfinite(v)) { s += v; k++; }
    }
    return k ? s / k : NAN;
}

static const RunRecord *gold_of_seed(const Group *g, int seed) {
    if (g->gold_row < 0) return NULL;
    const Row *gr = &g->rows[g->gold_row];
    for (int i = gr->first; i < gr->first + gr->n; i++)
        if (g->recs[i].seed == seed) return &g->recs[i];
    return NULL;
}

static int is_gold(const Group *g, int rec) {
    return g->gold_row >= 0 && rec >= g->rows[g->gold_row].first && rec < g->rows[g->gold_row].first + g->rows[g->gold_row].n;
}

/* Relearn steps with "never within the cap" counted as the cap (a lower bound). */
static double steps_capped(const RunRecord *r, const char *key) {
    double v = raw(r, key);
    return isfinite(v) ? v : (r->relearn_cap > 0 ? r->relearn_cap : NAN);
}

/* JSD between the record's forget-output distribution and the pooled gold one (without itself). */
static double forget_jsd(const Group *g, int rec) {
    const RunRecord *r = &g->recs[rec];
    if (g->gold_row < 0 || r->n_slots < 1) return NAN;
    double pool[MAX_SLOTS] = {0};
    const Row *gr = &g->rows[g->gold_row];
    int used = 0;
    for (int i = gr->first; i < gr->first + gr->n; i++) {
        if (i == rec || g->recs[i].n_slots != r->n_slots) continue;
        for (int k = 0; k < r->n_slots; k++) pool[k] += isfinite(g->recs[i].slot_hist[k]) ? g->recs[i].slot_hist[k] : 0;
        used++;
    }
    return used ? js_divergence(r->slot_hist, pool, r->n_slots) : NAN;
}

static void fill_raw(Group *g) {
    for (int i = 0; i < g->n; i++) {
        const RunRecord *r = &g->recs[i];
        for (int c = 0; c < n_columns; c++) *cell(g, i, c) = raw(r, columns[c].key);
        *cell(g, i, column_find("seconds")) = r->role == REC_ORIGINAL ? NAN : r->seconds;
        /* relearn steps are kept in the ratio cells until fill_derived divides them */
        *cell(g, i, column_find("relearn_ratio_k10")) = steps_capped(r, "relearn_steps_k10");
        *cell(g, i, column_find("relearn_ratio_k100")) = steps_capped(r, "relearn_steps_k100");
    }
}

static void fill_derived(Group *g) {
    int c10 = column_find("relearn_ratio_k10"), c100 = column_find("relearn_ratio_k100");
    double *steps = malloc((size_t)g->n * 2 * sizeof(double));
    if (!steps) return;
    for (int i = 0; i < g->n; i++) { steps[2 * i] = *cell(g, i, c10); steps[2 * i + 1] = *cell(g, i, c100); }
    for (int i = 0; i < g->n; i++) {   /* ratios need every gold's steps, so they come after */
        const RunRecord *r = &g->recs[i];
        double m10 = 0, m100 = 0;
        int k = 0;
        for (int j = 0; g->gold_row >= 0 && j < g->rows[g->gold_row].n; j++) {
            int gi = g->rows[g->gold_row].first + j;
            if (gi == i) continue;
            m10 += steps[2 * gi]; m100 += steps[2 * gi + 1]; k++;
        }
        *cell(g, i, c10) = k ? steps[2 * i] / (m10 / k) : NAN;
        *cell(g, i, c100) = k ? steps[2 * i + 1] / (m100 / k) : NAN;
        *cell(g, i, column_find("forget_jsd")) = forget_jsd(g, i);
        const RunRecord *gs = gold_of_seed(g, r->seed);
        int meth = r->role == REC_METHOD;
        *cell(g, i, column_find("flops_ratio")) = meth && gs && gs->flops > 0 ? r->flops / gs->flops : NAN;
        *cell(g, i, column_find("time_ratio")) =
            meth && gs && !gs->cost_cached && gs->seconds > 0 && gs->threads == r->threads ? r->seconds / gs->seconds : NAN;
    }
    free(steps);
}

/* Headline score of one run: the mean, over the columns that carry signal, of its
 * distance to the gold mean (golds: to the other golds' mean), on a 0..1 scale. */
static double run_score(Group *g, int rec) {
    double s = 0;
    int k = 0;
    double p = raw(&g->recs[rec], "mia_attack_p");
    for (int c = 0; c < n_columns; c++) {
        double v = *cell(g, rec, c), term = NAN;
        switch (columns[c].score) {
        case SC_ABS: term = fabs(v - gold_mean(g, c, is_gold(g, rec) ? rec : -1)); break;
        case SC_JSD: term = v / log(2.0); break;
        case SC_RATIO: term = fmin(1.0, fabs(log2(v)) / 2); break;
        case SC_MIA: if (p < MIA_ALPHA) term = fabs(v - gold_mean(g, c, is_gold(g, rec) ? rec : -1)); break;
        case SC_NONE: break;
        }
        if (isfinite(term)) { s += term; k++; }
    }
    return k ? 100.0 * s / k : NAN;
}

static void row_stats(Group *g, Row *row) {
    double v[1024];
    int n = row->n < 1024 ? row->n : 1024;
    row->n_inside = row->n_banded = 0;
    for (int c = 0; c < n_columns; c++) {
        for (int i = 0; i < n; i++) v[i] = *cell(g, row->first + i, c);
        row->stat[c] = ens_stat(v, n);
        double tol = columns[c].percent ? 0.005 : 1e-9;   /* a point-mass band (all golds 0%) admits half a point */
        row->inside[c] = ens_inside(row->stat[c].mean, &g->band[c], tol);
        row->z[c] = ens_z(row->stat[c].mean, &g->band[c]);
        if (columns[c].band && row->inside[c] >= 0) { row->n_banded++; row->n_inside += row->inside[c]; }
    }
    row->mia_significant = 0;
    for (int i = 0; i < n; i++) row->mia_significant += raw(&g->recs[row->first + i], "mia_attack_p") < MIA_ALPHA;
}

static void bands(Group *g) {
    double v[1024];
    for (int c = 0; c < n_columns; c++) {
        int n = 0;
        if (g->gold_row >= 0)
            for (int i = 0; i < g->rows[g->gold_row].n && n < 1024; i++) v[n++] = *cell(g, g->rows[g->gold_row].first + i, c);
        g->band[c] = ens_band(v, n);
    }
}

/* KLoM of a row against the golds (the gold row: its first half against its second). */
static int row_klom(Group *g, Row *row) {
    const Row *gr = &g->rows[g->gold_row];
    int a0 = row->first, na = row->n, b0 = gr->first, nb = gr->n;
    if (row == gr) { na = gr->n / 2; b0 = gr->first + na; nb = gr->n - na; }
    for (int s = 0; s < N_MARGIN_SETS; s++) {
        row->klom_median[s] = row->klom_p95[s] = NAN;
        int n = g->recs[b0].n_margins[s];
        if (na < 1 || nb < 1 || n < 1) continue;
        float *a = malloc((size_t)na * n * sizeof(float)), *b = malloc((size_t)nb * n * sizeof(float));
        double *kl = malloc((size_t)n * sizeof(double));
        int ok = a && b && kl;
        for (int i = 0; ok && i < na; i++) {
            ok = g->recs[a0 + i].n_margins[s] == n;
            if (ok) memcpy(a + (size_t)i * n, g->recs[a0 + i].margins[s], (size_t)n * sizeof(float));
        }
        for (int i = 0; ok && i < nb; i++) {
            ok = g->recs[b0 + i].n_margins[s] == n;
            if (ok) memcpy(b + (size_t)i * n, g->recs[b0 + i].margins[s], (size_t)n * sizeof(float));
        }
        if (ok) {
            klom_per_example(a, na, b, nb, n, KLOM_VAR_FLOOR, kl);
            median_p95(kl, n, &row->klom_median[s], &row->klom_p95[s]);
        }
        free(a); free(b); free(kl);
        if (!ok && a && b && kl) continue;
        if (!(a && b && kl)) return -1;
    }
    return 0;
}

int group_analyse(Group *g, char *err, size_t errlen) {
    g->derived = malloc((size_t)(g->n ? g->n : 1) * COL_MAX * sizeof(double));
    if (!g->derived) { snprintf(err, errlen, "out of memory"); return -1; }
    g->gold_row = -1;
    for (int r = 0; r < g->nrows; r++)
        if (!strcmp(g->recs[g->rows[r].first].method, "retrain")) g->gold_row = r;
    fill_raw(g);
    fill_derived(g);
    int cs = column_find("score");
    for (int i = 0; i < g->n; i++) *cell(g, i, cs) = run_score(g, i);
    bands(g);
    for (int r = 0; r < g->nrows; r++) {
        row_stats(g, &g->rows[r]);
        if (g->gold_row >= 0 && row_klom(g, &g->rows[r])) { snprintf(err, errlen, "out of memory"); return -1; }
        if (g->gold_row < 0)
            for (int s = 0; s < N_MARGIN_SETS; s++) g->rows[r].klom_median[s] = g->rows[r].klom_p95[s] = NAN;
    }
    return 0;
}
