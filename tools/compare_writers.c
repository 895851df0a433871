/* compare_writers.c — the comparison's files: results.md (tables), results.csv (one
 * row per group and method), results_runs.csv (one row per run), results.json
 * (everything, with the machine and libraries) and the SVG plots. */
#include "compare_table.h"
#include "compare_goals.h"
#include "atomic_file.h"
#include "json.h"
#include "plot_svg.h"
#include "layers.h"
#include <ctype.h>
#include <fftw3.h>
#include <libsvm/svm.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *openblas_get_config(void);

static const char *row_name(const Group *g, int r) { return g->recs[g->rows[r].first].method; }

void column_fmt(char *out, size_t n, const Column *c, double v) {
    if (!isfinite(v)) { snprintf(out, n, "-"); return; }
    if (c->percent) snprintf(out, n, "%.1f", 100 * v);
    else if (!strcmp(c->key, "forget_jsd")) snprintf(out, n, "%.3f", v);
    else if (!strcmp(c->key, "score") || !strcmp(c->key, "seconds")) snprintf(out, n, "%.1f", v);
    else snprintf(out, n, "%.2f", v);
}

/* "mean ± half-width" plus a mark when the mean is outside the gold band. */
static void fmt_cell(char *out, size_t n, const Column *c, const Row *row, int col) {
    const EnsStat *s = &row->stat[col];
    char m[32], h[32];
    column_fmt(m, sizeof m, c, s->mean);
    if (!isfinite(s->mean)) { snprintf(out, n, "-"); return; }
    if (isfinite(s->hi)) {
        column_fmt(h, sizeof h, c, (s->hi - s->lo) / 2);
        snprintf(out, n, "%s ± %s%s", m, h, row->inside[col] == 0 && c->band ? " ✗" : "");
    } else snprintf(out, n, "%s%s", m, row->inside[col] == 0 && c->band ? " ✗" : "");
}

static void md_table(FILE *f, const Group *g, Table tab) {
    fprintf(f, "| method | n |");
    for (int c = 0; c < n_columns; c++) if (columns[c].table == tab) fprintf(f, " %s |", columns[c].label);
    if (tab == TAB_OUTPUT) fprintf(f, " in gold band | MIA attack > chance |");
    fprintf(f, "\n|---|---:|");
    for (int c = 0; c < n_columns; c++) if (columns[c].table == tab) fprintf(f, "---:|");
    fprintf(f, tab == TAB_OUTPUT ? "---:|---:|\n" : "\n");
    for (int r = 0; r < g->nrows; r++) {
        const Row *row = &g->rows[r];
        fprintf(f, "| %s | %d |", row_name(g, r), row->n);
        for (int c = 0; c < n_columns; c++) {
            if (columns[c].table != tab) continue;
            char cellbuf[96];
            fmt_cell(cellbuf, sizeof cellbuf, &columns[c], row, c);
            fprintf(f, " %s |", cellbuf);
        }
        if (tab == TAB_OUTPUT) fprintf(f, " %d / %d | %d / %d |", row->n_inside, row->n_banded, row->mia_significant, row->n);
        fprintf(f, "\n");
    }
}

static void md_klom(FILE *f, const Group *g) {
    fprintf(f, "| method | forget-train median | p95 | forget-test median | p95 | retain-test median | p95 |\n"
               "|---|---:|---:|---:|---:|---:|---:|\n");
    for (int r = 0; r < g->nrows; r++) {
        fprintf(f, "| %s |", row_name(g, r));
        for (int s = 0; s < N_MARGIN_SETS; s++) fprintf(f, " %.3g | %.3g |", g->rows[r].klom_median[s], g->rows[r].klom_p95[s]);
        fprintf(f, "\n");
    }
}

static const char *preamble =
    "Every method starts from the original model of its seed; the gold standard (`retrain`) is trained from scratch "
    "on the kept classes plus the new class, with its own, independent seed. n = models per row (one per seed). "
    "Cells: mean ± half-width of the 95% interval of the mean (Student t); ✗: the mean lies outside the gold's 95% "
    "band (the prediction interval for one more gold model: gold mean ± t·sd·√(1+1/n)). For the gold row itself every "
    "value derived against the gold (JSD, ratios, score) is leave-one-out: each gold against the others.\n\n"
    "- leakage: scoring-split samples of the forgotten class predicted into its old slot; new-class: samples of the "
    "new class predicted into that slot; retained: accuracy on the other classes.\n"
    "- forget JSD: Jensen-Shannon divergence (nats, max ln 2 = 0.693) between the model's predicted-slot "
    "distribution on the forgotten class and the pooled gold distribution.\n"
    "- MIA: share of forget-train samples an RBF SVM on (max softmax, entropy), fitted on retain-train vs "
    "retain-test, calls non-member; \"attack > chance\": runs whose attack beat chance on held-out members and "
    "non-members (one-sided test, p < 0.01). Only those runs put the MIA into the score.\n"
    "- score (lower is better, 0..100): mean over leakage, new-class, retained, probe, 5-/50-shot probe and relapse "
    "probe of |value − gold mean| (in points), forget JSD / ln 2, min(1, |log2 relearn ratio| / 2) at k = 10 and "
    "100, and the MIA term where its attack was significant.\n"
    "- probe: balanced test accuracy of a logistic regression on penultimate features, forgotten class vs kept "
    "classes; k-shot probe / proto: the same probe and a nearest-prototype classifier fitted on k labelled "
    "validation examples of the forgotten class (and of the kept classes), scored on the scoring split.\n"
    "- relearn ratio: SGD steps until a fresh slot reaches the threshold with k examples of the forgotten class, "
    "divided by the gold mean (never within the cap: counted as the cap); below 1 = the class comes back faster "
    "than into a model that never saw it.\n"
    "- relapse: leakage and probe after fine-tuning the model on retain + new-class data only (relapse leakage "
    "stays near 0 for every model in this replacement task — the fine-tune trains the freed slot for the new "
    "class — so it is reported but not scored).\n"
    "- KLoM (Georgiev et al. 2024): per example, KL between Gaussian fits of the margin (old slot's logit minus "
    "logsumexp of the others) over the method's models and over the gold models; median and 95th percentile over "
    "examples. The gold row compares its first half of seeds with its second.\n"
    "- FLOPs / gold and time / gold: the method's cost over the gold's training cost, same seed; time only where the "
    "gold was trained in the same run with the same thread count.\n";

static int write_md(const Plan *p, const Group *g, int ng, double secs, const char *path, char *err, size_t el) {
    AtomicFile af;
    if (atomic_open(&af, path, err, el)) return -1;
    FILE *f = af.fp;
    fprintf(f, "# Unlearning comparison\n\n%s\n", preamble);
    for (int i = 0; i < ng; i++) {
        const RunRecord *r = &g[i].recs[0];
        char kk[48] = "";
        if (r->learn_limit > 0) snprintf(kk, sizeof kk, "; %d new-class examples", r->learn_limit);
        char sp[96] = "";
        if (r->split[0]) snprintf(sp, sizeof sp, "; speaker %.31s held out", r->split);
        char rp[64] = "";
        if (r->retain_pct >= 0) snprintf(rp, sizeof rp, "; methods saw %g%% of the retained data", r->retain_pct);
        fprintf(f, "## %s: forget %d, learn %d (pre-trained on %s; net %s%s%s%s; scored on %s)\n\n", r->modality,
                r->forget, r->learn, r->classes, r->net, kk, sp, rp, strcmp(r->eval, "val") ? "test data" : "VALIDATION data (tuning run)");
        fprintf(f, "### Outputs\n\n");
        md_table(f, &g[i], TAB_OUTPUT);
        fprintf(f, "\n### Features\n\n");
        md_table(f, &g[i], TAB_FEATURE);
        fprintf(f, "\n### KLoM\n\n");
        md_klom(f, &g[i]);
        fprintf(f, "\n### Cost\n\n");
        md_table(f, &g[i], TAB_COST);
        fprintf(f, "\n");
    }
    fprintf(f, "Threads: %d; %s %.0f s.\n", p->threads, p->nmerge ? "merged from earlier runs;" : "total time", secs);
    return atomic_commit(&af, err, el);
}

static void csv_head(FILE *f) {
    fprintf(f, "modality,forget,learn,classes,eval,method,n");
    for (int c = 0; c < n_columns; c++)
        fprintf(f, ",%s_mean,%s_lo,%s_hi,%s_sd,%s_inside,%s_z", columns[c].key, columns[c].key, columns[c].key,
                columns[c].key, columns[c].key, columns[c].key);
    for (int s = 0; s < N_MARGIN_SETS; s++) fprintf(f, ",klom_%s_median,klom_%s_p95", margin_set_names[s], margin_set_names[s]);
    fprintf(f, ",in_band,banded,mia_significant,net,learn_limit,split,retain_pct\n");
}

/* The run's setting beyond the pair (what separates groups of a merge): net, new-class examples
 * (empty: all), held-out speaker (empty: none), retained share the methods saw (empty: all). */
static void csv_quoted(FILE *f, const char *s) {   /* RFC 4180: quotes doubled */
    fputc('"', f);
    for (; *s; s++) { if (*s == '"') fputc('"', f); fputc(*s, f); }
    fputc('"', f);
}

static void csv_setting(FILE *f, const RunRecord *r) {
    fputc(',', f);
    csv_quoted(f, r->net);
    fputc(',', f);
    if (r->learn_limit > 0) fprintf(f, "%d", r->learn_limit);
    fputc(',', f);
    csv_quoted(f, r->split);
    fputc(',', f);
    if (r->retain_pct >= 0) fprintf(f, "%g", r->retain_pct);
}

static void csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, ",%.6g", v);
    else fprintf(f, ",");
}

static int write_csv(const Group *g, int ng, const char *path, char *err, size_t el) {
    AtomicFile af;
    if (atomic_open(&af, path, err, el)) return -1;
    csv_head(af.fp);
    for (int i = 0; i < ng; i++)
        for (int r = 0; r < g[i].nrows; r++) {
            const RunRecord *rc = &g[i].recs[g[i].rows[r].first];
            const Row *row = &g[i].rows[r];
            fprintf(af.fp, "%s,%d,%d,\"%s\",%s,%s,%d", rc->modality, rc->forget, rc->learn, rc->classes, rc->eval,
                    rc->method, row->n);
            for (int c = 0; c < n_columns; c++) {
                csv_num(af.fp, row->stat[c].mean); csv_num(af.fp, row->stat[c].lo); csv_num(af.fp, row->stat[c].hi);
                csv_num(af.fp, row->stat[c].sd);
                fprintf(af.fp, row->inside[c] < 0 ? "," : ",%d", row->inside[c]);
                csv_num(af.fp, row->z[c]);
            }
            for (int s = 0; s < N_MARGIN_SETS; s++) { csv_num(af.fp, row->klom_median[s]); csv_num(af.fp, row->klom_p95[s]); }
            fprintf(af.fp, ",%d,%d,%d", row->n_inside, row->n_banded, row->mia_significant);
            csv_setting(af.fp, rc);
            fprintf(af.fp, "\n");
        }
    return atomic_commit(&af, err, el);
}

static int write_runs_csv(const Group *g, int ng, const char *path, char *err, size_t el) {
    AtomicFile af;
    if (atomic_open(&af, path, err, el)) return -1;
    fprintf(af.fp, "modality,forget,learn,classes,eval,method,seed");
    for (int c = 0; c < n_columns; c++) fprintf(af.fp, ",%s", columns[c].key);
    for (int k = 0; k < n_result_metrics; k++) fprintf(af.fp, ",raw_%s", result_metrics[k].key);
    fprintf(af.fp, ",flops,cached,net,learn_limit,split,retain_pct\n");
    for (int i = 0; i < ng; i++)
        for (int j = 0; j < g[i].n; j++) {
            const RunRecord *r = &g[i].recs[j];
            fprintf(af.fp, "%s,%d,%d,\"%s\",%s,%s,%d", r->modality, r->forget, r->learn, r->classes, r->eval, r->method,
                    r->seed);
            for (int c = 0; c < n_columns; c++) csv_num(af.fp, group_value(&g[i], j, c));
            for (int k = 0; k < n_result_metrics; k++) csv_num(af.fp, result_value(&r->m, k));
            csv_num(af.fp, r->flops);
            fprintf(af.fp, ",%d", r->cost_cached);
            csv_setting(af.fp, r);
            fprintf(af.fp, "\n");
        }
    return atomic_commit(&af, err, el);
}

static void cpu_model(char *out, size_t n) {
    snprintf(out, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(out, n, "%s", strchr(line, ':') + 2);
            out[strcspn(out, "\n")] = 0;
            break;
        }
    fclose(f);
}

static void json_machine(JsonBuf *b, const Plan *p) {
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    const char *ct = getenv("OPENBLAS_CORETYPE");
    jb_puts(b, "{\"cpu\": "); jb_str(b, cpu);
    jb_puts(b, ", \"compiler\": "); jb_str(b, "gcc " __VERSION__);
    jb_puts(b, ", \"openblas\": "); jb_str(b, openblas_get_config());
    jb_puts(b, ", \"openblas_coretype\": "); jb_str(b, ct ? ct : "");
    char gemm[96];
    gemm_describe(gemm, sizeof gemm);
    jb_puts(b, ", \"gemm\": "); jb_str(b, gemm);
    jb_puts(b, ", \"fftw\": "); jb_str(b, fftwf_version);
    jb_puts(b, ", \"libsndfile\": "); jb_str(b, sf_version_string());
    jb_printf(b, ", \"libsvm\": %d, \"threads\": %d}", libsvm_version, p->threads);
}

static void json_row(JsonBuf *b, const Group *g, int r) {
    const Row *row = &g->rows[r];
    jb_puts(b, "{\"method\": "); jb_str(b, row_name(g, r));
    jb_printf(b, ", \"n\": %d, \"seeds\": [", row->n);
    for (int i = 0; i < row->n; i++) jb_printf(b, "%s%d", i ? ", " : "", g->recs[row->first + i].seed);
    jb_puts(b, "], \"metrics\": {");
    for (int c = 0; c < n_columns; c++) {
        const EnsStat *s = &row->stat[c];
        jb_printf(b, "%s\"%s\": {\"mean\": ", c ? ", " : "", columns[c].key);
        jb_num(b, s->mean); jb_puts(b, ", \"lo\": "); jb_num(b, s->lo); jb_puts(b, ", \"hi\": "); jb_num(b, s->hi);
        jb_puts(b, ", \"sd\": "); jb_num(b, s->sd);
        jb_printf(b, ", \"n\": %d, \"in_gold_band\": %s, \"z\": ", s->n,
                  row->inside[c] < 0 ? "null" : row->inside[c] ? "true" : "false");
        jb_num(b, row->z[c]);
        jb_puts(b, "}");
    }
    jb_puts(b, "}, \"klom\": {");
    for (int s = 0; s < N_MARGIN_SETS; s++) {
        jb_printf(b, "%s\"%s\": {\"median\": ", s ? ", " : "", margin_set_names[s]);
        jb_num(b, row->klom_median[s]); jb_puts(b, ", \"p95\": "); jb_num(b, row->klom_p95[s]); jb_puts(b, "}");
    }
    jb_printf(b, "}, \"in_gold_band\": %d, \"banded\": %d, \"mia_significant\": %d}", row->n_inside, row->n_banded,
              row->mia_significant);
}

static void json_group(JsonBuf *b, const Group *g) {
    const RunRecord *r = &g->recs[0];
    jb_puts(b, "{\"modality\": "); jb_str(b, r->modality);
    jb_printf(b, ", \"forget\": %d, \"learn\": %d, \"classes\": ", r->forget, r->learn);
    jb_str(b, r->classes);
    jb_puts(b, ", \"net\": "); jb_str(b, r->net);
    jb_puts(b, ", \"eval\": "); jb_str(b, r->eval);
    jb_printf(b, ", \"learn_limit\": %d, \"split\": ", r->learn_limit);
    jb_str(b, r->split);
    jb_puts(b, ", \"retain_pct\": ");
    if (r->retain_pct >= 0) jb_num(b, r->retain_pct);
    else jb_puts(b, "null");
    jb_puts(b, ", \"gold_band\": {");
    for (int c = 0; c < n_columns; c++) {
        jb_printf(b, "%s\"%s\": {\"lo\": ", c ? ", " : "", columns[c].key);
        jb_num(b, g->band[c].lo); jb_puts(b, ", \"mid\": "); jb_num(b, g->band[c].mid);
        jb_puts(b, ", \"hi\": "); jb_num(b, g->band[c].hi); jb_puts(b, "}");
    }
    jb_puts(b, "},\n  \"methods\": [\n   ");
    for (int i = 0; i < g->nrows; i++) { if (i) jb_puts(b, ",\n   "); json_row(b, g, i); }
    jb_puts(b, "]}");
}

static int write_json(const Plan *p, const Group *g, int ng, double secs, const char *path, char *err, size_t el) {
    JsonBuf b;
    jb_init(&b);
    jb_puts(&b, "{\"run\": {\"machine\": ");
    json_machine(&b, p);
    jb_printf(&b, ", \"seconds\": %.1f, \"merged\": %s, \"mia_alpha\": %g, \"relearn_threshold\": %g, "
                  "\"relearn_max_steps\": %d},\n \"groups\": [\n  ", secs, p->nmerge ? "true" : "false", MIA_ALPHA,
              p->mc.relearn_threshold, p->mc.relearn_max_steps);
    for (int i = 0; i < ng; i++) { if (i) jb_puts(&b, ",\n  "); json_group(&b, &g[i]); }
    jb_puts(&b, "]}\n");
    int rc = b.oom ? (snprintf(err, el, "out of memory"), -1) : atomic_write_text(path, b.buf, err, el);
    jb_free(&b);
    return rc;
}

/* One interval chart per banded column and a method x class heatmap, per group. */
static int write_plots(const Plan *p, const Group *g, char *err, size_t el) {
    const RunRecord *r0 = &g->recs[0];
    char stem[PATH_MAX], path[PATH_MAX + 64], title[256];
    char set[96] = "";   /* a setting off the default gets its own files (several can be merged into one report) */
    if (r0->learn_limit > 0) snprintf(set + strlen(set), sizeof set - strlen(set), "_k%d", r0->learn_limit);
    if (r0->split[0]) snprintf(set + strlen(set), sizeof set - strlen(set), "_sp%.31s", r0->split);
    if (r0->retain_pct >= 0) snprintf(set + strlen(set), sizeof set - strlen(set), "_r%g", r0->retain_pct);
    snprintf(stem, sizeof stem, "%s/%s_f%d_l%d%s%s", p->outdir, r0->modality, r0->forget, r0->learn,
             strcmp(r0->eval, "val") ? "" : "_val", set);
    SvgInterval rows[GROUP_MAX_ROWS];
    for (int c = 0; c < n_columns; c++) {
        if (!columns[c].band && strcmp(columns[c].key, "score")) continue;
        double k = columns[c].percent ? 100 : 1;
        for (int r = 0; r < g->nrows; r++) {
            const EnsStat *s = &g->rows[r].stat[c];
            rows[r] = (SvgInterval){row_name(g, r), k * s->mean, k * s->lo, k * s->hi};
        }
        snprintf(title, sizeof title, "%s, forget %d learn %d: %s (mean, 95%% interval; shaded: gold band)",
                 r0->modality, r0->forget, r0->learn, columns[c].label);
        snprintf(path, sizeof path, "%s_%s.svg", stem, columns[c].key);
        if (svg_save(path, svg_interval_chart(title, columns[c].label, rows, g->nrows, k * g->band[c].lo,
                                              k * g->band[c].hi, k * g->band[c].mid, NAN, NAN), err, el))
            return -1;
    }
    int nl = r0->n_labels;
    double *v = malloc((size_t)g->nrows * (nl ? nl : 1) * sizeof(double));
    const char *rl[GROUP_MAX_ROWS], *cl[MAX_LABELS];
    char cb[MAX_LABELS][8];
    if (!v) { snprintf(err, el, "out of memory"); return -1; }
    for (int y = 0; y < nl; y++) { snprintf(cb[y], sizeof cb[y], "%d", y); cl[y] = cb[y]; }
    for (int r = 0; r < g->nrows; r++) {
        rl[r] = row_name(g, r);
        for (int y = 0; y < nl; y++) {
            double s = 0;
            int k = 0;
            for (int i = 0; i < g->rows[r].n; i++) {
                double a = g->recs[g->rows[r].first + i].class_acc[y];
                if (isfinite(a)) { s += a; k++; }
            }
            v[r * nl + y] = k ? s / k : NAN;
        }
    }
    snprintf(title, sizeof title, "%s, forget %d learn %d: share of each class in its slot (class %d: in its old slot), "
             "mean over seeds", r0->modality, r0->forget, r0->learn, r0->forget);
    snprintf(path, sizeof path, "%s_per_class.svg", stem);
    int rc = svg_save(path, svg_heatmap(title, "true class", "method", v, g->nrows, nl, rl, cl), err, el);
    free(v);
    return rc;
}

int report_write_all(const Plan *p, const Group *g, int ng, double secs, char *err, size_t el) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/results.md", p->outdir);
    if (write_md(p, g, ng, secs, path, err, el)) return -1;
    snprintf(path, sizeof path, "%s/results.csv", p->outdir);
    if (write_csv(g, ng, path, err, el)) return -1;
    snprintf(path, sizeof path, "%s/results_runs.csv", p->outdir);
    if (write_runs_csv(g, ng, path, err, el)) return -1;
    snprintf(path, sizeof path, "%s/results.json", p->outdir);
    if (write_json(p, g, ng, secs, path, err, el)) return -1;
    if (goals_write(p->outdir, p->goals_method, g, ng, err, el)) return -1;
    for (int i = 0; p->plots && i < ng; i++)
        if (write_plots(p, &g[i], err, el)) return -1;
    return 0;
}
