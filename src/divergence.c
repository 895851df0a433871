/* divergence.c — Jensen-Shannon, Gaussian KL and quantiles (see divergence.h). */
#include "divergence.h"
#include <math.h>
#include <stdlib.h>

static double sum_checked(const double *p, int k) {
    double s = 0;
    for (int i = 0; i < k; i++) {
        if (!isfinite(p[i]) || p[i] < 0) return NAN;
        s += p[i];
    }
    return s > 0 ? s : NAN;
}

/* a * ln(a / m) with 0 ln 0 = 0 */
static double kl_term(double a, double m) { return a > 0 ? a * log(a / m) : 0.0; }

double js_divergence(const double *p, const double *q, int k) {
    if (k < 1) return NAN;
    double sp = sum_checked(p, k), sq = sum_checked(q, k);
    if (isnan(sp) || isnan(sq)) return NAN;
    double js = 0;
    for (int i = 0; i < k; i++) {
        double a = p[i] / sp, b = q[i] / sq, m = 0.5 * (a + b);
        js += 0.5 * kl_term(a, m) + 0.5 * kl_term(b, m);
    }
    return js < 0 ? 0 : js;   /* rounding */
}

double kl_gauss(double mu_a, double var_a, double mu_b, double var_b) {
    if (!(var_a > 0) || !(var_b > 0)) return NAN;
    double d = mu_a - mu_b;
    return 0.5 * log(var_b / var_a) + (var_a + d * d) / (2 * var_b) - 0.5;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sorted copy of the finite values; *m their count (NULL when none or no memory) */
static double *sorted_finite(const double *v, int n, int *m) {
    *m = 0;
    double *s = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!s) return NULL;
    for (int i = 0; i < n; i++) if (isfinite(v[i])) s[(*m)++] = v[i];
    qsort(s, (size_t)*m, sizeof(double), cmp_double);
    return s;
}

static double at_quantile(const double *s, int m, double q) {
    if (m == 0) return NAN;
    double pos = q * (m - 1);
    int lo = (int)floor(pos);
    if (lo >= m - 1) return s[m - 1];
    double f = pos - lo;
    return s[lo] + f * (s[lo + 1] - s[lo]);
}

double quantile(const double *v, int n, double q) {
    int m;
    double *s = sorted_finite(v, n, &m);
    double r = s ? at_quantile(s, m, q) : NAN;
    free(s);
    return r;
}

int median_p95(const double *v, int n, double *median, double *p95) {
    int m;
    double *s = sorted_finite(v, n, &m);
    if (median) *median = s ? at_quantile(s, m, 0.5) : NAN;
    if (p95) *p95 = s ? at_quantile(s, m, 0.95) : NAN;
    free(s);
    return m;
}
