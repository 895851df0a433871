/* test_results.c — aggregation over seeds (mean, sample std, NaN handling),
 * the CSV columns, the JSON (parsed back), the Markdown table, and the SVG
 * writer's documents (well-formed: one root <svg>...</svg>, every tag closed). */
#include "test.h"
#include "results.h"
#include "plot_svg.h"
#include "json.h"
#include <unistd.h>

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(n + 1);
    if (fread(b, 1, n, f) != (size_t)n) { fclose(f); free(b); return NULL; }
    b[n] = 0;
    fclose(f);
    return b;
}

/* Minimal XML well-formedness: tags nest and close, attribute quotes balance, text has no
 * bare '<' or '&' outside entities, one root element "svg". */
static int xml_ok(const char *s, char *why, size_t wl) {
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s;
    while (*p) {
        if (*p == '<') {
            const char *e = strchr(p, '>');
            if (!e) { snprintf(why, wl, "unterminated tag"); return 0; }
            int quotes = 0;
            for (const char *q = p; q < e; q++) quotes += *q == '"';
            if (quotes % 2) { snprintf(why, wl, "odd quotes in %.40s", p); return 0; }
            if (p[1] == '/') {
                char name[32];
                int n = (int)strcspn(p + 2, " >");
                snprintf(name, sizeof name, "%.*s", n, p + 2);
                if (!depth || strcmp(stack[depth - 1], name)) { snprintf(why, wl, "unexpected </%s>", name); return 0; }
                depth--;
            } else {
                if (!depth) roots++;
                int self = e[-1] == '/';
                if (!self) {
                    if (depth == 64) { snprintf(why, wl, "too deep"); return 0; }
                    int n = (int)strcspn(p + 1, " />");
                    snprintf(stack[depth++], 32, "%.*s", n, p + 1);
                    if (depth == 1 && strcmp(stack[0], "svg")) { snprintf(why, wl, "root is %s", stack[0]); return 0; }
                }
            }
            p = e + 1;
        } else if (*p == '&') {
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6)) {
                snprintf(why, wl, "bare & at %.20s", p);
                return 0;
            }
            p++;
        } else {
            if (*p == '>') { snprintf(why, wl, "bare >"); return 0; }
            p++;
        }
    }
    if (depth) { snprintf(why, wl, "%d unclosed tags", depth); return 0; }
    if (roots != 1) { snprintf(why, wl, "%d root elements", roots); return 0; }
    return 1;
}

static void check_svg(char *svg, const char *what) {
    char why[128] = "";
    CHECKF(svg != NULL, "%s", what);
    if (!svg) return;
    size_t n = strlen(svg);
    CHECKF(!strncmp(svg, "<svg", 4), "%s starts with %.10s", what, svg);
    CHECKF(n > 7 && !strcmp(svg + n - 7, "</svg>\n"), "%s ending", what);
    CHECKF(xml_ok(svg, why, sizeof why), "%s: %s", what, why);
    free(svg);
}

static UnlearnMetrics mk(double leak, double relearn) {
    UnlearnMetrics m;
    metrics_clear(&m);
    m.forget_leakage = leak;
    m.new_class_acc = 0.9;
    m.retained_acc = 0.95;
    m.relearn_steps = relearn;
    m.relearn_points = 2;
    m.relearn_step[0] = 0; m.relearn_step[1] = 5;
    m.relearn_acc[0] = 0; m.relearn_acc[1] = 0.85f;
    return m;
}

static int metric_index(const char *key) {
    for (int k = 0; k < n_result_metrics; k++) if (!strcmp(result_metrics[k].key, key)) return k;
    return -1;
}

int main(void) {
    char err[512];
    double mu, sd;
    double v[4] = {1, 2, 3, NAN};
    CHECK(mean_std(v, 4, &mu, &sd) == 3 && mu == 2 && fabs(sd - 1) < 1e-12);
    CHECK(mean_std(v, 1, &mu, &sd) == 1 && mu == 1 && sd == 0);
    CHECK(mean_std(v + 3, 1, &mu, &sd) == 0 && isnan(mu) && isnan(sd));

    Results r;
    results_init(&r);
    UnlearnMetrics a = mk(0.1, 10), b = mk(0.3, 20), c = mk(0.2, NAN), d = mk(0.5, 4);
    CHECK(results_add(&r, "mnist", "salun", 1, &a) == 0);
    CHECK(results_add(&r, "mnist", "ssd", 1, &d) == 0);
    CHECK(results_add(&r, "mnist", "salun", 2, &b) == 0);
    CHECK(results_add(&r, "speech", "salun", 1, &d) == 0);
    CHECK(results_add(&r, "mnist", "salun", 3, &c) == 0);
    ResultGroup *g;
    int ng = results_aggregate(&r, &g);
    CHECK(ng == 3);
    int kl = metric_index("forget_leakage"), kr = metric_index("relearn_steps"), km = metric_index("mia_efficacy");
    CHECK(kl >= 0 && kr >= 0 && km >= 0);
    if (ng == 3) {
        CHECK(!strcmp(g[0].modality, "mnist") && !strcmp(g[0].method, "salun") && g[0].n == 3);
        CHECK(!strcmp(g[1].method, "ssd") && g[1].n == 1 && !strcmp(g[2].modality, "speech"));
        CHECK(fabs(g[0].mean[kl] - 0.2) < 1e-12 && fabs(g[0].std[kl] - 0.1) < 1e-12 && g[0].n_valid[kl] == 3);
        CHECK(fabs(g[0].mean[kr] - 15) < 1e-12 && g[0].n_valid[kr] == 2);   /* NaN left out */
        CHECK(isnan(g[0].mean[km]) && g[0].n_valid[km] == 0);
        CHECK(g[1].std[kl] == 0);
    }
    free(g);

    char dir[] = "/tmp/test_results_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[256];
    snprintf(p, sizeof p, "%s/results.csv", dir);
    CHECK(results_write_csv(&r, p, err, sizeof err) == 0);
    char *csv = slurp(p);
    CHECK(csv != NULL);
    if (csv) {
        CHECK(!strncmp(csv, "modality,method,n_seeds,forget_leakage_mean,forget_leakage_std,forget_leakage_n,", 80));
        int lines = 0, commas_first = 0, bad = 0;
        char *save = NULL;
        for (char *ln = strtok_r(csv, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
            int cm = 0;
            for (char *q = ln; *q; q++) cm += *q == ',';
            if (!lines) commas_first = cm;
            else if (cm != commas_first) bad++;
            lines++;
        }
        CHECK(lines == 4 && bad == 0);
        CHECK(commas_first == 2 + 3 * n_result_metrics);
        free(csv);
    }
    snprintf(p, sizeof p, "%s/results.csv", dir);
    csv = slurp(p);
    if (csv) { CHECK(strstr(csv, "\nmnist,salun,3,0.2,0.1,3,") != NULL); free(csv); }
    snprintf(p, sizeof p, "%s/runs.csv", dir);
    CHECK(results_write_runs_csv(&r, p, err, sizeof err) == 0);
    csv = slurp(p);
    if (csv) { CHECK(strstr(csv, "modality,method,seed,forget_leakage,") == csv && strstr(csv, "\nmnist,salun,3,0.2,")); free(csv); }

    snprintf(p, sizeof p, "%s/results.json", dir);
    CHECK(results_write_json(&r, p, "{\"forget\": 6}", err, sizeof err) == 0);
    char *js = slurp(p);
    JsonValue *j = js ? json_parse(js, strlen(js), err, sizeof err) : NULL;
    CHECKF(j != NULL, "results.json: %s", err);
    if (j) {
        const JsonValue *run = json_get(j, "run"), *sum = json_get(j, "summary"), *runs = json_get(j, "runs");
        CHECK(run && json_get(run, "forget") && json_get(run, "forget")->num == 6);
        CHECK(sum && sum->type == JSON_ARRAY && sum->n == 3);
        CHECK(runs && runs->type == JSON_ARRAY && runs->n == 5);
        if (sum && sum->n == 3) {
            const JsonValue *fl = json_get(&sum->items[0], "forget_leakage");
            CHECK(fl && fabs(json_get(fl, "mean")->num - 0.2) < 1e-9 && fabs(json_get(fl, "std")->num - 0.1) < 1e-9);
            const JsonValue *mia = json_get(&sum->items[0], "mia_efficacy");
            CHECK(mia && json_get(mia, "mean")->type == JSON_NULL);
        }
        if (runs && runs->n == 5) {
            const JsonValue *curve = json_get(&runs->items[0], "relearn_curve");
            CHECK(curve && json_get(curve, "steps")->n == 2 && json_get(curve, "acc")->n == 2);
            CHECK(json_get(&runs->items[4], "relearn_steps")->type == JSON_NULL);
        }
        json_free(j);
    }
    free(js);

    snprintf(p, sizeof p, "%s/results.md", dir);
    CHECK(results_write_md(&r, p, "# title", err, sizeof err) == 0);
    char *md = slurp(p);
    CHECK(md && !strncmp(md, "# title\n", 8) && strstr(md, "### mnist") && strstr(md, "### speech"));
    if (md) {
        CHECK(strstr(md, "| salun | 3 | 20.0 ± 10.0 |") != NULL);   /* leakage in percent */
        CHECK(strstr(md, "15 ± 7 (2/3)") != NULL);                   /* relearn: 2 of 3 reached */
        free(md);
    }
    results_free(&r);

    /* SVG: the checker itself refuses broken documents */
    {
        char why[128];
        CHECK(!xml_ok("<svg><g></svg>", why, sizeof why));
        CHECK(!xml_ok("<svg>a & b</svg>", why, sizeof why));
        CHECK(!xml_ok("<svg></svg><svg></svg>", why, sizeof why));
        CHECK(!xml_ok("<svg><rect x=\"1/></svg>", why, sizeof why));
        CHECK(xml_ok("<svg><g><rect/></g>&amp;</svg>", why, sizeof why));
    }
    const char *cats[3] = {"0", "1", "<&>"};
    double y1[3] = {0.9, NAN, 0.5}, y2[3] = {0.2, 0.4, 1.2}, x2[3] = {0, 5, 10};
    SvgSeries s[2] = {{"original", y1, NULL, 3}, {"a \"quoted\" & <odd> name", y2, x2, 3}};
    check_svg(svg_bar_chart("per-class accuracy", "accuracy", cats, 3, s, 2, 0, 1), "bar chart");
    check_svg(svg_line_chart("relearn", "steps", "accuracy", s, 2, 0, 1, 0.8), "line chart");
    check_svg(svg_line_chart("empty", NULL, NULL, s, 0, 0, 1, NAN), "empty line chart");
    double hm[6] = {1, 0, 0.5, NAN, 0.25, 0.75};
    const char *rl[2] = {"3", "6"}, *cl[3] = {"a", "b", "c"};
    check_svg(svg_heatmap("confusion", "predicted", "true", hm, 2, 3, rl, cl), "heatmap");
    snprintf(p, sizeof p, "%s/plot.svg", dir);
    CHECK(svg_save(p, svg_heatmap("t", NULL, NULL, hm, 2, 3, rl, cl), err, sizeof err) == 0);
    char *sv = slurp(p);
    CHECK(sv && !strncmp(sv, "<svg", 4));
    free(sv);
    CHECK(svg_save(p, NULL, err, sizeof err) == -1);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_DONE("test_results");
}
