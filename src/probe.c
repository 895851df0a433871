/* probe.c — linear probe on frozen penultimate features (see probe.h). */
#include "probe.h"
#include "train.h"
#include "rng.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void probe_config_default(ProbeConfig *c) {
    c->cap_pos = 50;
    c->cap_neg = 50;
    c->pool = 1000;
    c->repeats = 5;
    c->test_cap = 2000;
    c->l2 = 1e-2;
    c->iters = 300;
    c->seed = 1;
}

void logreg_free(LogReg *m) {
    if (!m) return;
    free(m->w); free(m->mu); free(m->sd);
    m->w = m->mu = m->sd = NULL;
}

static double sigmoid(double z) {
    if (z >= 0) { double e = exp(-z); return 1.0 / (1.0 + e); }
    double e = exp(z);
    return e / (1.0 + e);
}

/* Objective: (1/n) sum_i c_i log(1 + exp(-s_i (w.z_i + b))) + l2/2 |w|^2, s_i = +-1,
 * c_i = n / (2 n_class(i)) so that both classes weigh the same. */
int logreg_fit(LogReg *m, const float *X, const int *y, int n, int d, double l2, int iters,
               char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    int npos = 0;
    for (int i = 0; i < n; i++) npos += y[i] != 0;
    if (n < 2 || npos == 0 || npos == n || d < 1) {
        snprintf(err, errlen, "probe: needs samples of both sides (got %d positives of %d)", npos, n);
        return -1;
    }
    m->d = d;
    m->w = calloc((size_t)d, sizeof(double));
    m->mu = calloc((size_t)d, sizeof(double));
    m->sd = calloc((size_t)d, sizeof(double));
    double *Z = malloc((size_t)n * d * sizeof(double));
    double *cw = malloc((size_t)n * sizeof(double));
    double *r = malloc((size_t)n * sizeof(double));
    double *v = malloc((size_t)(d + 1) * sizeof(double)), *g = malloc((size_t)(d + 1) * sizeof(double));
    double *prev = calloc((size_t)(d + 1), sizeof(double)), *look = calloc((size_t)(d + 1), sizeof(double));
    double *cur = calloc((size_t)(d + 1), sizeof(double));
    if (!m->w || !m->mu || !m->sd || !Z || !cw || !r || !v || !g || !prev || !look || !cur) {
        free(Z); free(cw); free(r); free(v); free(g); free(prev); free(look); free(cur);
        logreg_free(m);
        snprintf(err, errlen, "probe: out of memory");
        return -1;
    }
    for (int j = 0; j < d; j++) {
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) s += X[(size_t)i * d + j];
        double mu = s / n;
        for (int i = 0; i < n; i++) { double t = X[(size_t)i * d + j] - mu; s2 += t * t; }
        double sd = sqrt(s2 / n);
        m->mu[j] = mu;
        m->sd[j] = sd > 1e-8 ? sd : 1.0;   /* constant feature (dead unit): z = 0 */
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) Z[(size_t)i * d + j] = (X[(size_t)i * d + j] - m->mu[j]) / m->sd[j];
    double cpos = (double)n / (2.0 * npos), cneg = (double)n / (2.0 * (n - npos));
    double cmax = cpos > cneg ? cpos : cneg;
    for (int i = 0; i < n; i++) cw[i] = y[i] ? cpos : cneg;

    /* L <= 0.25 * cmax * lambda_max([Z 1]^T [Z 1] / n) + l2: power iteration */
    for (int j = 0; j <= d; j++) v[j] = 1.0 / sqrt(d + 1.0);
    double lam = 1.0;
    for (int it = 0; it < 50; it++) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, n, d, 1.0, Z, d, v, 1, 0.0, r, 1);
        for (int i = 0; i < n; i++) r[i] += v[d];
        cblas_dgemv(CblasRowMajor, CblasTrans, n, d, 1.0 / n, Z, d, r, 1, 0.0, g, 1);
        double sb = 0;
        for (int i = 0; i < n; i++) sb += r[i];
        g[d] = sb / n;
        double nrm = 0;
        for (int j = 0; j <= d; j++) nrm += g[j] * g[j];
        nrm = sqrt(nrm);
        if (nrm <= 0) break;
        lam = nrm;
        for (int j = 0; j <= d; j++) v[j] = g[j] / nrm;
    }
    double L = 0.25 * cmax * lam * 1.05 + l2;
    double step = 1.0 / L;

    /* Nesterov accelerated gradient: look = cur + (k-1)/(k+2) (cur - prev) */
    for (int k = 1; k <= iters; k++) {
        double mom = (k - 1.0) / (k + 2.0);
        for (int j = 0; j <= d; j++) look[j] = cur[j] + mom * (cur[j] - prev[j]);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, n, d, 1.0, Z, d, look, 1, 0.0, r, 1);
        for (int i = 0; i < n; i++) {
            double z = r[i] + look[d];
            double s = y[i] ? 1.0 : -1.0;
            /* d/dz log(1 + exp(-s z)) = -s * sigmoid(-s z) */
            r[i] = cw[i] * (-s) * sigmoid(-s * z) / n;
        }
        cblas_dgemv(CblasRowMajor, CblasTrans, n, d, 1.0, Z, d, r, 1, 0.0, g, 1);
        double gb = 0;
        for (int i = 0; i < n; i++) gb += r[i];
        g[d] = gb;
        for (int j = 0; j < d; j++) g[j] += l2 * look[j];
        memcpy(prev, cur, (size_t)(d + 1) * sizeof(double));
        for (int j = 0; j <= d; j++) cur[j] = look[j] - step * g[j];
    }
    memcpy(m->w, cur, (size_t)d * sizeof(double));
    m->b = cur[d];
    free(Z); free(cw); free(r); free(v); free(g); free(prev); free(look); free(cur);
    return 0;
}

double logreg_logit(const LogReg *m, const float *x) {
    double z = m->b;
    for (int j = 0; j < m->d; j++) z += m->w[j] * ((x[j] - m->mu[j]) / m->sd[j]);
    return z;
}

double logreg_balanced_acc(const LogReg *m, const float *P, int np, const float *N, int nn) {
    if (np <= 0 || nn <= 0) return NAN;
    long tp = 0, tn = 0;
    for (int i = 0; i < np; i++) tp += logreg_logit(m, P + (size_t)i * m->d) > 0;
    for (int i = 0; i < nn; i++) tn += logreg_logit(m, N + (size_t)i * m->d) <= 0;
    return 0.5 * ((double)tp / np + (double)tn / nn);
}

int probe_accuracy(Net *net, const Dataset *pos_train, const Dataset *neg_train, const Dataset *pos_test,
                   const Dataset *neg_test, const ProbeConfig *c, ProbeResult *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->bal_acc = r->train_bal_acc = r->bal_acc_std = NAN;
    if (!pos_train || !neg_train || !pos_test || !neg_test || !pos_train->n || !neg_train->n || !pos_test->n ||
        !neg_test->n) {
        snprintf(err, errlen, "probe: forget/retain train and test sets must all be non-empty");
        return -1;
    }
    Rng rg;
    rng_seed(&rg, c->seed ^ 0x50524f4245ULL);
    int kp = c->cap_pos > 0 ? c->cap_pos : pos_train->n, kn = c->cap_neg > 0 ? c->cap_neg : neg_train->n;
    int pool = c->pool > 0 ? c->pool : 0;
    if (pool && pool < kp) pool = kp;
    if (pool && pool < kn) pool = kn;
    int R = c->repeats > 0 ? c->repeats : 1;
    Dataset *ptr = ds_take_random(pos_train, pool, &rg), *ntr = ds_take_random(neg_train, pool, &rg);
    Dataset *pte = ds_take_random(pos_test, c->test_cap, &rg), *nte = ds_take_random(neg_test, c->test_cap, &rg);
    float *Fp_tr = NULL, *Fn_tr = NULL, *Fp = NULL, *Fn = NULL, *X = NULL;
    int *y = NULL, *ip = NULL, *in = NULL, rc = -1;
    double *acc = NULL;
    LogReg lr;
    memset(&lr, 0, sizeof lr);
    if (!ptr || !ntr || !pte || !nte) { snprintf(err, errlen, "probe: out of memory"); goto out; }
    if (kp > ptr->n) kp = ptr->n;
    if (kn > ntr->n) kn = ntr->n;
    int layer = net_feature_layer(net), d = net_layer_size(net, layer);
    Fp_tr = extract_features(net, ptr, layer, 256);
    Fn_tr = extract_features(net, ntr, layer, 256);
    Fp = extract_features(net, pte, layer, 256);
    Fn = extract_features(net, nte, layer, 256);
    X = malloc((size_t)(kp + kn) * d * sizeof(float));
    y = malloc((size_t)(kp + kn) * sizeof(int));
    ip = malloc((size_t)ptr->n * sizeof(int));
    in = malloc((size_t)ntr->n * sizeof(int));
    acc = malloc((size_t)R * sizeof(double));
    if (!Fp_tr || !Fn_tr || !Fp || !Fn || !X || !y || !ip || !in || !acc) {
        snprintf(err, errlen, "probe: out of memory");
        goto out;
    }
    for (int i = 0; i < ptr->n; i++) ip[i] = i;
    for (int i = 0; i < ntr->n; i++) in[i] = i;
    double tr_sum = 0;
    for (int rep = 0; rep < R; rep++) {
        rng_shuffle(&rg, ip, ptr->n);
        rng_shuffle(&rg, in, ntr->n);
        for (int i = 0; i < kp; i++) {
            memcpy(X + (size_t)i * d, Fp_tr + (size_t)ip[i] * d, (size_t)d * sizeof(float));
            y[i] = 1;
        }
        for (int i = 0; i < kn; i++) {
            memcpy(X + (size_t)(kp + i) * d, Fn_tr + (size_t)in[i] * d, (size_t)d * sizeof(float));
            y[kp + i] = 0;
        }
        if (logreg_fit(&lr, X, y, kp + kn, d, c->l2, c->iters, err, errlen)) goto out;
        tr_sum += logreg_balanced_acc(&lr, X, kp, X + (size_t)kp * d, kn);
        acc[rep] = logreg_balanced_acc(&lr, Fp, pte->n, Fn, nte->n);
        logreg_free(&lr);
    }
    double mu = 0, ss = 0;
    for (int i = 0; i < R; i++) mu += acc[i];
    mu /= R;
    for (int i = 0; i < R; i++) ss += (acc[i] - mu) * (acc[i] - mu);
    r->bal_acc = mu;
    r->bal_acc_std = R > 1 ? sqrt(ss / (R - 1)) : 0.0;
    r->train_bal_acc = tr_sum / R;
    r->n_train = kp + kn;
    r->n_test = pte->n + nte->n;
    r->dim = d;
    rc = 0;
out:
    logreg_free(&lr);
    free(Fp_tr); free(Fn_tr); free(Fp); free(Fn); free(X); free(y); free(ip); free(in); free(acc);
    ds_free(ptr); ds_free(ntr); ds_free(pte); ds_free(nte);
    return rc;
}
