/* klom.c — per-sample margins and KLoM from Gaussian fits (see klom.h). */
#include "klom.h"
#include "divergence.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static float margin_row(const float *z, int K, int s) {
    if (s < 0 || s >= K) return NAN;
    double mx = -INFINITY;
    for (int k = 0; k < K; k++) if (k != s && z[k] > mx) mx = z[k];
    if (mx == -INFINITY) return NAN;   /* a single output: no other slot */
    double e = 0;
    for (int k = 0; k < K; k++) if (k != s) e += exp(z[k] - mx);
    return (float)(z[s] - (mx + log(e)));
}

int margins_compute(Net *net, const Dataset *d, const ClassMap *cm, float *out, char *err, size_t errlen) {
    const int K = net->n_classes, B = 256;
    if (cm->n_slots != K) {
        snprintf(err, errlen, "margins: the class map has %d slots but the net %d outputs", cm->n_slots, K);
        return -1;
    }
    const size_t ss = ds_sample_size(d);
    for (int b0 = 0; b0 < d->n; b0 += B) {
        int nb = d->n - b0 < B ? d->n - b0 : B;
        const float *z = net_forward(net, d->x + (size_t)b0 * ss, nb, 0);
        for (int i = 0; i < nb; i++)
            out[b0 + i] = margin_row(z + (size_t)i * K, K, classmap_slot(cm, d->y[b0 + i]));
    }
    return 0;
}

Dataset *metrics_margin_sample(const Dataset *d, int cap) {
    Rng r;
    rng_seed(&r, MARGIN_SAMPLE_SEED);
    return ds_take_random(d, cap, &r);
}

/* mean and sample variance of the finite values of column j of x [m][n]; count returned */
static int column_stats(const float *x, int m, int n, int j, double *mu, double *var) {
    double s = 0, ss = 0;
    int c = 0;
    for (int i = 0; i < m; i++) {
        double v = x[(size_t)i * n + j];
        if (isfinite(v)) { s += v; c++; }
    }
    if (!c) return 0;
    *mu = s / c;
    for (int i = 0; i < m; i++) {
        double v = x[(size_t)i * n + j];
        if (isfinite(v)) ss += (v - *mu) * (v - *mu);
    }
    *var = c > 1 ? ss / (c - 1) : 0.0;
    return c;
}

void klom_per_example(const float *a, int na, const float *b, int nb, int n, double var_floor, double *out) {
    for (int j = 0; j < n; j++) {
        double ma = 0, va = 0, mb = 0, vb = 0;
        if (!column_stats(a, na, n, j, &ma, &va) || !column_stats(b, nb, n, j, &mb, &vb)) {
            out[j] = NAN;
            continue;
        }
        out[j] = kl_gauss(ma, va + var_floor, mb, vb + var_floor);
    }
}
