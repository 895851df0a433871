/* kshot.c — k-shot probe and nearest-prototype recovery on penultimate features (see kshot.h). */
#include "kshot.h"
#include "probe.h"
#include "rng.h"
#include "train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSHOT_MAX_CLASSES 64

void kshot_config_default(KshotConfig *c) {
    c->repeats = 5;
    c->pool_per_class = 100;
    c->test_cap = 2000;
    c->l2 = 1e-2;
    c->iters = 300;
    c->seed = 1;
}

/* Row indices of the fit set: k positives, then k of each negative class. */
typedef struct {
    int *idx_p, kp;             /* into Pv */
    int *idx_n, kn;             /* into Nv */
    int ncls, cls[KSHOT_MAX_CLASSES];
} Draw;

/* negative classes present in yn (at most KSHOT_MAX_CLASSES) */
static int neg_classes(const int *yn, int n, int *cls) {
    int nc = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < nc && cls[j] != yn[i]) j++;
        if (j == nc && nc < KSHOT_MAX_CLASSES) cls[nc++] = yn[i];
    }
    return nc;
}

/* k of np positives and k per class of the negatives, seeded */
static void draw_rows(Draw *w, int np, const int *yn, int nn, int k, Rng *rg, int *perm) {
    for (int i = 0; i < np; i++) perm[i] = i;
    rng_shuffle(rg, perm, np);
    w->kp = k < np ? k : np;
    memcpy(w->idx_p, perm, (size_t)w->kp * sizeof(int));
    for (int i = 0; i < nn; i++) perm[i] = i;
    rng_shuffle(rg, perm, nn);
    w->kn = 0;
    for (int c = 0; c < w->ncls; c++) {
        int got = 0;
        for (int i = 0; i < nn && got < k; i++)
            if (yn[perm[i]] == w->cls[c]) { w->idx_n[w->kn++] = perm[i]; got++; }
    }
}

static double probe_score(const Draw *w, const float *Pv, const float *Nv, const float *Pt, int np_t,
                          const float *Nt, int nn_t, int d, const KshotConfig *c, float *X, int *y,
                          char *err, size_t errlen) {
    int n = w->kp + w->kn;
    for (int i = 0; i < w->kp; i++) { memcpy(X + (size_t)i * d, Pv + (size_t)w->idx_p[i] * d, d * sizeof(float)); y[i] = 1; }
    for (int i = 0; i < w->kn; i++) {
        memcpy(X + (size_t)(w->kp + i) * d, Nv + (size_t)w->idx_n[i] * d, d * sizeof(float));
        y[w->kp + i] = 0;
    }
    LogReg lr;
    if (logreg_fit(&lr, X, y, n, d, c->l2, c->iters, err, errlen)) return NAN;
    double acc = logreg_balanced_acc(&lr, Pt, np_t, Nt, nn_t);
    logreg_free(&lr);
    return acc;
}

/* mean of the rows idx[0..m) of F into out [d] */
static void row_mean(const float *F, const int *idx, int m, int d, double *out) {
    memset(out, 0, (size_t)d * sizeof(double));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < d; j++) out[j] += F[(size_t)idx[i] * d + j];
    for (int j = 0; j < d; j++) out[j] /= m > 0 ? m : 1;
}

static double sqdist(const float *x, const double *p, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) { double t = x[j] - p[j]; s += t * t; }
    return s;
}

/* 1 when the nearest prototype of x is the forgotten class's (prototype 0) */
static int nearest_is_forgotten(const float *x, const double *protos, int np, int d) {
    double best = sqdist(x, protos, d);
    for (int c = 1; c < np; c++)
        if (sqdist(x, protos + (size_t)c * d, d) < best) return 0;
    return 1;
}

static double proto_score(const Draw *w, const float *Pv, const float *Nv, const int *yn, const float *Pt,
                          int np_t, const float *Nt, int nn_t, int d, double *protos, int *tmp) {
    row_mean(Pv, w->idx_p, w->kp, d, protos);
    for (int c = 0; c < w->ncls; c++) {
        int m = 0;
        for (int i = 0; i < w->kn; i++) if (yn[w->idx_n[i]] == w->cls[c]) tmp[m++] = w->idx_n[i];
        row_mean(Nv, tmp, m, d, protos + (size_t)(c + 1) * d);
    }
    long tp = 0, tn = 0;
    for (int i = 0; i < np_t; i++) tp += nearest_is_forgotten(Pt + (size_t)i * d, protos, w->ncls + 1, d);
    for (int i = 0; i < nn_t; i++) tn += !nearest_is_forgotten(Nt + (size_t)i * d, protos, w->ncls + 1, d);
    return 0.5 * ((double)tp / np_t + (double)tn / nn_t);
}

static void mean_std(const double *v, int n, double *mu, double *sd) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += v[i];
    *mu = s / n;
    for (int i = 0; i < n; i++) ss += (v[i] - *mu) * (v[i] - *mu);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

int kshot_on_features(const float *Pv, int np_v, const float *Nv, const int *yn_v, int nn_v, const float *Pt,
                      int np_t, const float *Nt, int nn_t, int d, const int *ks, int nk, const KshotConfig *c,
                      KshotResult *r, char *err, size_t errlen) {
    for (int i = 0; i < nk; i++) r[i] = (KshotResult){NAN, NAN, NAN, NAN, 0, 0};
    if (np_v < 1 || nn_v < 1 || np_t < 1 || nn_t < 1 || d < 1) {
        snprintf(err, errlen, "k-shot: needs forgotten and kept samples in validation and test");
        return -1;
    }
    Draw w;
    w.ncls = neg_classes(yn_v, nn_v, w.cls);
    int R = c->repeats > 0 ? c->repeats : 1, kmax = 1;
    for (int i = 0; i < nk; i++) if (ks[i] > kmax) kmax = ks[i];
    int nmax = np_v > nn_v ? np_v : nn_v, rows = kmax * (w.ncls + 1);
    w.idx_p = malloc((size_t)kmax * sizeof(int));
    w.idx_n = malloc((size_t)kmax * w.ncls * sizeof(int));
    int *perm = malloc((size_t)nmax * sizeof(int)), *y = malloc((size_t)rows * sizeof(int)), *tmp = malloc((size_t)kmax * sizeof(int));
    float *X = malloc((size_t)rows * d * sizeof(float));
    double *protos = malloc((size_t)(w.ncls + 1) * d * sizeof(double)), *pa = malloc(R * sizeof(double)), *pb = malloc(R * sizeof(double));
    int rc = -1;
    if (!w.idx_p || !w.idx_n || !perm || !y || !tmp || !X || !protos || !pa || !pb) { snprintf(err, errlen, "k-shot: out of memory"); goto out; }
    for (int i = 0; i < nk; i++) {
        Rng rg;
        rng_seed(&rg, c->seed ^ (0x4b53484f54ULL + (uint64_t)ks[i]));
        for (int rep = 0; rep < R; rep++) {
            draw_rows(&w, np_v, yn_v, nn_v, ks[i], &rg, perm);
            pa[rep] = probe_score(&w, Pv, Nv, Pt, np_t, Nt, nn_t, d, c, X, y, err, errlen);
            if (isnan(pa[rep])) goto out;
            pb[rep] = proto_score(&w, Pv, Nv, yn_v, Pt, np_t, Nt, nn_t, d, protos, tmp);
        }
        mean_std(pa, R, &r[i].probe, &r[i].probe_std);
        mean_std(pb, R, &r[i].proto, &r[i].proto_std);
        r[i].k_pos = w.kp;
        r[i].k_neg = w.kn;
    }
    rc = 0;
out:
    free(w.idx_p); free(w.idx_n); free(perm); free(y); free(tmp); free(X); free(protos); free(pa); free(pb);
    return rc;
}

int kshot_eval(Net *net, const Dataset *pos_val, const Dataset *neg_val, const Dataset *pos_test,
               const Dataset *neg_test, const int *ks, int nk, const KshotConfig *c, KshotResult *r,
               char *err, size_t errlen) {
    for (int i = 0; i < nk; i++) r[i] = (KshotResult){NAN, NAN, NAN, NAN, 0, 0};
    if (!pos_val || !neg_val || !pos_test || !neg_test) { snprintf(err, errlen, "k-shot: missing data"); return -1; }
    int kmax = 1;
    for (int i = 0; i < nk; i++) if (ks[i] > kmax) kmax = ks[i];
    int pool = c->pool_per_class > kmax ? c->pool_per_class : kmax;
    Rng rg;
    rng_seed(&rg, c->seed ^ 0x4b53504f4f4cULL);
    Dataset *pv = ds_take_per_class(pos_val, pool, c->seed), *nv = ds_take_per_class(neg_val, pool, c->seed);
    Dataset *pt = ds_take_random(pos_test, c->test_cap, &rg), *nt = ds_take_random(neg_test, c->test_cap, &rg);
    float *Fpv = NULL, *Fnv = NULL, *Fpt = NULL, *Fnt = NULL;
    int rc = -1;
    if (!pv || !nv || !pt || !nt) { snprintf(err, errlen, "k-shot: out of memory"); goto out; }
    int layer = net_feature_layer(net), d = net_layer_size(net, layer);
    Fpv = extract_features(net, pv, layer, 256);
    Fnv = extract_features(net, nv, layer, 256);
    Fpt = extract_features(net, pt, layer, 256);
    Fnt = extract_features(net, nt, layer, 256);
    rc = kshot_on_features(Fpv, pv->n, Fnv, nv->y, nv->n, Fpt, pt->n, Fnt, nt->n, d, ks, nk, c, r, err, errlen);
out:
    free(Fpv); free(Fnv); free(Fpt); free(Fnt);
    ds_free(pv); ds_free(nv); ds_free(pt); ds_free(nt);
    return rc;
}
