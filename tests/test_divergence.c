/* test_divergence.c — Jensen-Shannon (identical 0, disjoint ln 2, symmetric), Gaussian
 * KL against its closed form, quantiles, KLoM per example (same distributions ~0,
 * shifted mean -> the analytic KL, a shifted ensemble flagged against the null
 * level at N = 5), margins of a tiny net, the fixed margin sample, and the task's
 * validation split. */
#include "test.h"
#include "divergence.h"
#include "klom.h"
#include "task_val.h"
#include "rng.h"

static void test_js(void) {
    double p[4] = {0.1, 0.2, 0.3, 0.4}, q[4] = {0.4, 0.3, 0.2, 0.1};
    CHECK(fabs(js_divergence(p, p, 4)) < 1e-15);
    double a[4] = {0.5, 0.5, 0, 0}, b[4] = {0, 0, 0.3, 0.7};
    CHECKF(fabs(js_divergence(a, b, 4) - log(2.0)) < 1e-12, "disjoint %g", js_divergence(a, b, 4));
    CHECK(fabs(js_divergence(p, q, 4) - js_divergence(q, p, 4)) < 1e-15);
    double js = js_divergence(p, q, 4);
    CHECK(js > 0 && js < log(2.0));
    /* hand value: p = (1, 0), q = (0.5, 0.5): m = (0.75, 0.25) */
    double c[2] = {1, 0}, d[2] = {0.5, 0.5};
    double want = 0.5 * log(1 / 0.75) + 0.5 * (0.5 * log(0.5 / 0.75) + 0.5 * log(0.5 / 0.25));
    CHECK(fabs(js_divergence(c, d, 2) - want) < 1e-12);
    double e[2] = {2, 0};   /* unnormalised: same as c */
    CHECK(fabs(js_divergence(e, d, 2) - want) < 1e-12);
    double z[2] = {0, 0}, neg[2] = {-1, 2};
    CHECK(isnan(js_divergence(z, d, 2)) && isnan(js_divergence(neg, d, 2)) && isnan(js_divergence(c, d, 0)));
}

static void test_kl_quantiles(void) {
    CHECK(fabs(kl_gauss(0, 1, 0, 1)) < 1e-15);
    CHECK(fabs(kl_gauss(1, 1, 0, 4) - (log(2.0) + 2.0 / 8 - 0.5)) < 1e-12);
    CHECK(isnan(kl_gauss(0, 0, 0, 1)));
    double v[6] = {5, 1, NAN, 3, 2, 4}, med, p95;
    CHECK(median_p95(v, 6, &med, &p95) == 5);
    CHECK(med == 3 && fabs(p95 - 4.8) < 1e-12);   /* sorted 1..5: position 0.95 * 4 = 3.8 */
    CHECK(quantile(v, 6, 0) == 1 && quantile(v, 6, 1) == 5);
    double none[1] = {NAN};
    CHECK(median_p95(none, 1, &med, &p95) == 0 && isnan(med) && isnan(p95));
}

/* [m][n] margins: column j ~ N(mu + shift, sd^2) */
static float *ensemble(int m, int n, double shift, double sd, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    float *x = malloc(sizeof(float) * m * n);
    for (int j = 0; j < n; j++) {
        double mu = 3.0 * sin(j);   /* per-example level, shared by both sides */
        for (int i = 0; i < m; i++) x[(size_t)i * n + j] = (float)(mu + shift + sd * rng_normal(&r));
    }
    return x;
}

static double klom_median(int m, double shift, double sd_b, uint64_t seed) {
    int n = 400;
    float *a = ensemble(m, n, shift, 1.0, seed), *b = ensemble(m, n, 0, sd_b, seed + 100);
    double *k = malloc(sizeof(double) * n), med;
    klom_per_example(a, m, b, m, n, 0.0, k);
    median_p95(k, n, &med, NULL);
    free(a); free(b); free(k);
    return med;
}

static void test_klom(void) {
    /* exact: a = {-1, 1} (mean 0, var 2), b = {1, 3} (mean 2, var 2): KL = (2 + 4) / 4 - 1/2 = 1 */
    float a[2] = {-1, 1}, b[2] = {1, 3};
    double out[1];
    klom_per_example(a, 2, b, 2, 1, 0.0, out);
    CHECK(fabs(out[0] - 1.0) < 1e-12);
    klom_per_example(a, 2, a, 2, 1, 0.0, out);
    CHECK(fabs(out[0]) < 1e-12);
    /* the floor: two single models 1 logit apart -> 1 / (2 floor) */
    klom_per_example(a, 1, b, 1, 1, KLOM_VAR_FLOOR, out);
    CHECK(fabs(out[0] - 4.0 / (2 * KLOM_VAR_FLOOR)) < 1e-9);
    float nan2[2] = {NAN, NAN};
    klom_per_example(nan2, 2, b, 2, 1, 0.1, out);
    CHECK(isnan(out[0]));
    /* many models: same distributions -> ~0, shift 1 sd vs sd 2 -> ln 2 + 2/8 - 1/2 */
    double same = klom_median(2000, 0, 1.0, 1), an = klom_median(2000, 1.0, 2.0, 3);
    printf("KLoM median, 2000 models per side: same %.4f, shifted %.4f (analytic %.4f)\n", same, an,
           log(2.0) + 0.25 - 0.5);
    CHECK(same < 0.005);
    CHECK(fabs(an - (log(2.0) + 0.25 - 0.5)) < 0.02);
    /* N = 5 per side (what the comparison affords): the null level vs a 2 sd shift */
    double null5 = klom_median(5, 0, 1.0, 5), shift5 = klom_median(5, 2.0, 1.0, 7);
    printf("KLoM median, 5 models per side: same distribution %.3f, 2 sd shift %.3f\n", null5, shift5);
    CHECK(null5 < 0.5);
    CHECK(shift5 > 3 * null5 && shift5 > 1.0);
}

static void test_margins(void) {
    char err[256];
    /* identity net on 3 inputs: logits = x */
    Net *net = net_parse("input 1 1 3\nflatten\nlinear classes\n", "<t>", 0, 0, 0, 3, err, sizeof err);
    CHECK(net != NULL);
    if (!net) return;
    for (size_t i = 0; i < net->n_params; i++) net->params[i] = 0;
    for (int k = 0; k < 3; k++) net->params[k * 3 + k] = 1;
    Dataset *d = ds_new(3, 1, 1, 3);
    float x[9] = {2, 0, 0, 0, 1, 1, 5, 5, 5};
    memcpy(d->x, x, sizeof x);
    d->y[0] = 7; d->y[1] = 8; d->y[2] = 4;   /* classes 7, 8, 9 -> slots 0, 1, 2; 4 has no slot */
    ClassMap cm = {.n_slots = 3, .slot_class = {7, 8, 9}};
    float m[3];
    CHECK(margins_compute(net, d, &cm, m, err, sizeof err) == 0);
    CHECK(fabsf(m[0] - (float)(2 - log(2.0))) < 1e-5);   /* 2 - logsumexp(0, 0) */
    CHECK(fabsf(m[1] - (float)(1 - log(1 + exp(1.0)))) < 1e-5);
    CHECK(isnan(m[2]));
    ClassMap bad = {.n_slots = 2, .slot_class = {7, 8}};
    CHECK(margins_compute(net, d, &bad, m, err, sizeof err) == -1);
    ds_free(d);
    net_free(net);
}

static void test_margin_sample(void) {
    Dataset *d = ds_new(100, 1, 1, 1);
    for (int i = 0; i < 100; i++) { d->x[i] = (float)i; d->y[i] = i % 3; }
    Dataset *a = metrics_margin_sample(d, 10), *b = metrics_margin_sample(d, 10), *all = metrics_margin_sample(d, 0);
    CHECK(a && b && all && a->n == 10 && all->n == 100);
    if (a && b) CHECK(!memcmp(a->x, b->x, sizeof(float) * 10));
    ds_free(a); ds_free(b); ds_free(all); ds_free(d);
}

static void test_task_val(void) {
    char err[256];
    UnlearnTask t;
    memset(&t, 0, sizeof t);
    t.forget_class = 6; t.learn_class = 3; t.slot = 1;
    t.before = (ClassMap){.n_slots = 3, .slot_class = {0, 6, 9}};
    Dataset *val = ds_new(8, 1, 1, 1);
    int y[8] = {0, 6, 3, 9, 6, 5, 3, 0};
    memcpy(val->y, y, sizeof y);
    CHECK(task_attach_val(&t, val, err, sizeof err) == 0);
    CHECK(t.forget_val && t.forget_val->n == 2 && t.learn_val->n == 2 && t.retain_val->n == 3);
    t.learn_class = -1;
    CHECK(task_attach_val(&t, val, err, sizeof err) == 0 && t.learn_val->n == 0);
    t.forget_class = 5; t.before.slot_class[1] = 5;
    for (int i = 0; i < 8; i++) val->y[i] = i == 0 ? 5 : 4;
    CHECK(task_attach_val(&t, val, err, sizeof err) == -1 && strstr(err, "keep") && !t.forget_val);
    CHECK(task_attach_val(&t, NULL, err, sizeof err) == -1);
    task_detach_val(&t);
    task_detach_val(&t);
    ds_free(val);
}

int main(void) {
    test_js();
    test_kl_quantiles();
    test_klom();
    test_margins();
    test_margin_sample();
    test_task_val();
    TEST_DONE("test_divergence");
}
