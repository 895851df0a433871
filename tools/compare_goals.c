/* compare_goals.c — the goal table of our procedure (issue 10): one method's row of every
 * group judged against each goal (gold band, gold + points, ratio window, lowest of all
 * other methods, cost cap); goals.md and goals.csv next to the report. */
#include "compare_goals.h"
#include "atomic_file.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* How a goal is judged on the row's mean. */
typedef enum {
    G_BAND,        /* inside the gold's 95% band */
    G_GOLD_PLUS,   /* <= gold mean + pts (MNIST) or + pts2 (other modalities), in points */
    G_WINDOW,      /* lo <= mean <= hi */
    G_GOLD_HI,     /* <= the gold band's upper edge ("no larger than the gold's") */
    G_LOWEST,      /* lower than every other method's mean */
    G_KLOM,        /* KLoM forget-train median lower than every other method's */
    G_CAP,         /* <= cap (MNIST) or cap2 (other modalities) */
} GoalKind;

typedef struct {
    const char *key, *label;
    GoalKind kind;
    double a, b;    /* G_GOLD_PLUS: points MNIST / other; G_WINDOW: lo / hi; G_CAP: cap MNIST / other */
} Goal;

static const Goal goals[] = {
    {"forget_leakage", "leakage in the gold band", G_BAND, 0, 0},
    {"new_class_acc", "new-class accuracy in the gold band", G_BAND, 0, 0},
    {"retained_acc", "retained accuracy in the gold band", G_BAND, 0, 0},
    {"forget_jsd", "forget JSD to the gold lowest of all methods", G_LOWEST, 0, 0},
    {"probe_acc", "linear probe <= gold + 1 pt (MNIST) / + 2 pt (speech)", G_GOLD_PLUS, 1, 2},
    {"kshot_probe_k5", "5-shot probe <= gold + 1 / 2 pt", G_GOLD_PLUS, 1, 2},
    {"kshot_probe_k50", "50-shot probe <= gold + 1 / 2 pt", G_GOLD_PLUS, 1, 2},
    {"kshot_proto_k5", "5-shot prototype <= gold + 1 / 2 pt", G_GOLD_PLUS, 1, 2},
    {"kshot_proto_k50", "50-shot prototype <= gold + 1 / 2 pt", G_GOLD_PLUS, 1, 2},
    {"relearn_ratio_k10", "relearn ratio k=10 in [0.8, 1.25]", G_WINDOW, 0.8, 1.25},
    {"relearn_ratio_k100", "relearn ratio k=100 in [0.8, 1.25]", G_WINDOW, 0.8, 1.25},
    {"relapse_leakage", "relapse leakage <= the gold's (band top)", G_GOLD_HI, 0, 0},
    {"relapse_probe", "relapse probe <= the gold's (band top)", G_GOLD_HI, 0, 0},
    {"klom", "KLoM forget-train median lowest of all methods", G_KLOM, 0, 0},
    {"flops_ratio", "FLOPs <= 5% of the gold's (MNIST) / 15% (speech)", G_CAP, 0.05, 0.15},
    {"score", "headline score lowest of all methods", G_LOWEST, 0, 0},
};
#define N_GOALS GOALS_N
_Static_assert(sizeof goals / sizeof goals[0] == GOALS_N, "GOALS_N must count the goals");
static const char *const rule_names[] = {"band", "gold_plus", "window", "gold_hi", "lowest", "klom_lowest", "cap"};

static const char *row_method(const Group *g, int r) { return g->recs[g->rows[r].first].method; }

/* Length of method's family name: "ours" for ours and ours:full alike. */
static int family_len(const char *method) {
    const char *colon = strchr(method, ':');
    return colon ? (int)(colon - method) : (int)strlen(method);
}

/* m belongs to method's family (its base name or base:variant). */
static int in_family(const char *m, const char *method) {
    const size_t n = (size_t)family_len(method);
    return strncmp(m, method, n) == 0 && (m[n] == ':' || m[n] == 0);
}

/* Rows that compete with `method`: every method but the original, the gold and the method's own
 * family (ours, ours:full, ... never compete with each other). */
static int is_rival(const Group *g, int r, const char *method) {
    const char *m = row_method(g, r);
    return strcmp(m, "original") && strcmp(m, "retrain") && !in_family(m, method);
}

static double row_value(const Group *g, int r, const Goal *gl, int col) {
    return gl->kind == G_KLOM ? g->rows[r].klom_median[MARGIN_FORGET_TRAIN] : g->rows[r].stat[col].mean;
}

static int find_row(const Group *g, const char *method) {
    for (int r = 0; r < g->nrows; r++)
        if (!strcmp(row_method(g, r), method)) return r;
    return -1;
}

/* The lowest rival (value and row) for a goal; NaN / -1 when there is none. */
static double best_rival(const Group *g, const char *method, const Goal *gl, int col, int *who) {
    double best = NAN;
    *who = -1;
    for (int r = 0; r < g->nrows; r++) {
        double v = row_value(g, r, gl, col);
        if (!is_rival(g, r, method) || !isfinite(v)) continue;
        if (!isfinite(best) || v < best) { best = v; *who = r; }
    }
    return best;
}

int goals_judge(const Group *g, const char *method, GoalResult *out) {
    int r = find_row(g, method);
    if (r < 0) return -1;
    int mnist = !strcmp(g->recs[0].modality, "mnist");
    for (int i = 0; i < N_GOALS; i++) {
        const Goal *gl = &goals[i];
        GoalResult *o = &out[i];
        int col = gl->kind == G_KLOM ? -1 : column_find(gl->key);
        o->key = gl->key;
        o->label = gl->label;
        o->rule = rule_names[gl->kind];
        o->value = row_value(g, r, gl, col);
        o->half = col >= 0 && isfinite(g->rows[r].stat[col].hi) ? (g->rows[r].stat[col].hi - g->rows[r].stat[col].lo) / 2 : NAN;
        o->target = NAN;
        o->rival = NULL;
        o->band_lo = o->band_hi = NAN;
        o->met = -1;
        if (!isfinite(o->value)) continue;
        switch (gl->kind) {
        case G_BAND:
            o->band_lo = g->band[col].lo;
            o->band_hi = g->band[col].hi;
            o->met = g->rows[r].inside[col];
            break;
        case G_GOLD_PLUS:
            o->target = g->band[col].mid + (mnist ? gl->a : gl->b) / 100.0;
            if (isfinite(o->target)) o->met = o->value <= o->target + 1e-12;
            break;
        case G_WINDOW:
            o->met = o->value >= gl->a && o->value <= gl->b;
            break;
        case G_GOLD_HI:
            o->target = g->band[col].hi;
            if (isfinite(o->target)) o->met = o->value <= o->target + 1e-12;
            break;
        case G_LOWEST:
        case G_KLOM: {
            int who;
            o->target = best_rival(g, method, gl, col, &who);
            if (who >= 0) { o->rival = row_method(g, who); o->met = o->value < o->target; }
            break;
        }
        case G_CAP:
            o->target = mnist ? gl->a : gl->b;
            o->met = o->value <= o->target;
            break;
        }
    }
    return N_GOALS;
}

/* A goal's number: FLOPs as a percentage, KLoM with three digits, every column as its table shows it. */
static void fmt_num(char *s, size_t n, double v, const char *key) {
    if (isfinite(v) && !strcmp(key, "flops_ratio")) snprintf(s, n, "%.1f%%", 100 * v);
    else if (isfinite(v) && !strcmp(key, "klom")) snprintf(s, n, "%.3g", v);
    else if (column_find(key) >= 0) column_fmt(s, n, &columns[column_find(key)], v);
    else snprintf(s, n, "-");
}

/* "value ± h ✓ (target)" for one goal of one group. */
static void fmt_goal(char *s, size_t n, const GoalResult *o) {
    char v[32], h[32], t[32], lo[32], hi[32], rv[128] = "";
    fmt_num(v, sizeof v, o->value, o->key);
    fmt_num(h, sizeof h, o->half, o->key);
    fmt_num(t, sizeof t, o->target, o->key);
    fmt_num(lo, sizeof lo, o->band_lo, o->key);
    fmt_num(hi, sizeof hi, o->band_hi, o->key);
    if (o->rival) snprintf(rv, sizeof rv, "next: %s %s", o->rival, t);
    else if (isfinite(o->target)) snprintf(rv, sizeof rv, "limit %s", t);
    else if (isfinite(o->band_lo)) snprintf(rv, sizeof rv, "band %s to %s", lo, hi);
    const char *mark = o->met == 1 ? "✓" : o->met == 0 ? "✗" : "?";
    snprintf(s, n, "%s%s%s %s%s%s%s", v, isfinite(o->half) ? " ± " : "", isfinite(o->half) ? h : "", mark,
             rv[0] ? " (" : "", rv, rv[0] ? ")" : "");
}

static void group_title(char *s, size_t n, const Group *g) {
    const RunRecord *r = &g->recs[0];
    char k[32] = "", sp[64] = "", rp[32] = "";
    if (r->learn_limit > 0) snprintf(k, sizeof k, ", k=%d", r->learn_limit);
    if (r->split[0]) snprintf(sp, sizeof sp, ", speaker %.31s out", r->split);
    if (r->retain_pct >= 0) snprintf(rp, sizeof rp, ", retain %g%%", r->retain_pct);
    snprintf(s, n, "%s %d→%d (%s%s%s%s%s, n=%d)", r->modality, r->forget, r->learn, r->net, k, sp, rp,
             strcmp(r->eval, "val") ? "" : ", VALIDATION", g->rows[g->gold_row].n);
}

/* "| first | title | title |" and its separator line, one column per group. */
static void table_head(FILE *f, const char *first, const Group *const *use, int nu) {
    char cell[256];
    fprintf(f, "| %s |", first);
    for (int k = 0; k < nu; k++) { group_title(cell, sizeof cell, use[k]); fprintf(f, " %s |", cell); }
    fprintf(f, "\n|---|");
    for (int k = 0; k < nu; k++) fprintf(f, "---|");
    fprintf(f, "\n");
}

static int count_met(const GoalResult *res) {
    int met = 0;
    for (int i = 0; i < N_GOALS; i++) met += res[i].met == 1;
    return met;
}

/* The method's family (base name and base:variant rows) side by side: score and goals met per group. */
static void ablation_table(FILE *f, const char *method, const Group *const *use, int nu) {
    const char *names[GROUP_MAX_ROWS];
    int nn = 0;
    for (int k = 0; k < nu; k++)      /* the family's rows in any group, in the order first met */
        for (int r = 0; r < use[k]->nrows; r++) {
            const char *m = row_method(use[k], r);
            int seen = !in_family(m, method);
            for (int j = 0; j < nn && !seen; j++) seen = !strcmp(names[j], m);
            if (!seen && nn < GROUP_MAX_ROWS) names[nn++] = m;
        }
    if (nn == 0) return;
    fprintf(f, "\nVariants of the family (score: mean ± half-width; goals met as above, each variant "
               "judged the same way):\n\n");
    table_head(f, "variant", use, nu);
    for (int x = 0; x < nn; x++) {
        fprintf(f, "| %s |", names[x]);
        for (int k = 0; k < nu; k++) {
            GoalResult res[N_GOALS];
            if (goals_judge(use[k], names[x], res) < 0) { fprintf(f, " - |"); continue; }
            char v[32], h[32];
            const GoalResult *sc = &res[N_GOALS - 1];
            fmt_num(v, sizeof v, sc->value, "score");
            fmt_num(h, sizeof h, sc->half, "score");
            fprintf(f, " score %s ± %s, %d / %d |", v, h, count_met(res), N_GOALS);
        }
        fprintf(f, "\n");
    }
}

int goals_write(const char *outdir, const char *method, const Group *g, int ng, char *err, size_t el) {
    GoalResult res[GOALS_MAX_GROUPS][N_GOALS];
    const Group *use[GOALS_MAX_GROUPS];
    int nu = 0;
    for (int i = 0; i < ng && nu < GOALS_MAX_GROUPS; i++)
        if (g[i].gold_row >= 0 && goals_judge(&g[i], method, res[nu]) > 0) use[nu++] = &g[i];
    char path[4200];
    if (nu == 0) {    /* the method was not run: no goal table, and none left from an earlier report */
        snprintf(path, sizeof path, "%s/goals.md", outdir);
        unlink(path);
        snprintf(path, sizeof path, "%s/goals.csv", outdir);
        unlink(path);
        return 0;
    }
    snprintf(path, sizeof path, "%s/goals.md", outdir);
    AtomicFile af;
    if (atomic_open(&af, path, err, el)) return -1;
    FILE *f = af.fp;
    const int fam = family_len(method);
    fprintf(f, "# Goals of `%s` (issue 10), per setting\n\n"
               "Each cell: the method's mean ± half-width of its 95%% interval over the seeds, ✓ met / ✗ missed "
               "(judged on the mean), and the limit it was held to or the best other method. \"All methods\" = every "
               "row of the setting but the original, the gold and the family `%.*s` (`%.*s` and `%.*s:...`). Band: the "
               "gold's 95%% prediction band; \"gold + pt\": the gold's mean plus 1 point (MNIST) or 2 points (speech); "
               "relapse: no larger than the top of the gold's band.\n\n", method, fam, method, fam, method, fam, method);
    table_head(f, "goal", use, nu);
    char cell[256];
    for (int i = 0; i < N_GOALS; i++) {
        fprintf(f, "| %s |", goals[i].label);
        for (int k = 0; k < nu; k++) { fmt_goal(cell, sizeof cell, &res[k][i]); fprintf(f, " %s |", cell); }
        fprintf(f, "\n");
    }
    fprintf(f, "| **goals met** |");
    for (int k = 0; k < nu; k++) fprintf(f, " **%d / %d** |", count_met(res[k]), N_GOALS);
    fprintf(f, "\n");
    ablation_table(f, method, use, nu);
    if (atomic_commit(&af, err, el)) return -1;
    snprintf(path, sizeof path, "%s/goals.csv", outdir);
    if (atomic_open(&af, path, err, el)) return -1;
    f = af.fp;
    fprintf(f, "modality,forget,learn,net,n,method,goal,rule,value,half_width,target,band_lo,band_hi,rival,met\n");
    for (int k = 0; k < nu; k++) {
        const RunRecord *r = &use[k]->recs[0];
        for (int i = 0; i < N_GOALS; i++) {
            const GoalResult *o = &res[k][i];
            fprintf(f, "%s,%d,%d,%s,%d,%s,%s,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%s,%d\n", r->modality, r->forget, r->learn,
                    r->net, use[k]->rows[use[k]->gold_row].n, method, o->key, o->rule, o->value, o->half, o->target,
                    o->band_lo, o->band_hi, o->rival ? o->rival : "", o->met);
        }
    }
    return atomic_commit(&af, err, el);
}
