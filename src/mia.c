/* mia.c — SalUn-style membership inference attack (see mia.h). */
#include "mia.h"
#include "train.h"
#include "rng.h"
#include <libsvm/svm.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct MiaModel {
    struct svm_model *model;
    struct svm_node *nodes;   /* the training rows: libsvm's model points into them */
    double *labels;
    struct svm_node **rows;
};

void mia_config_default(MiaConfig *c) {
    c->cap = 1000;
    c->repeats = 5;
    c->C = 3.0;
    c->gamma = 0.0;   /* auto */
    c->seed = 1;
}

void mia_features(const float *probs, int n, int K, float *feat) {
    for (int i = 0; i < n; i++) {
        const float *p = probs + (size_t)i * K;
        double mx = 0, h = 0;
        for (int k = 0; k < K; k++) {
            double v = p[k];
            if (v > mx) mx = v;
            if (v > 0) h -= v * log(v);
        }
        feat[2 * i] = (float)mx;
        feat[2 * i + 1] = (float)h;
    }
}

float *mia_net_features(Net *net, const Dataset *d) {
    const int K = net->n_classes;
    size_t n = d->n ? (size_t)d->n : 1;
    float *probs = malloc(n * K * sizeof(float));
    float *feat = malloc(n * MIA_FEATURES * sizeof(float));
    if (!probs || !feat) { free(probs); free(feat); return NULL; }
    if (d->n) train_predict(net, d, 256, NULL, probs);
    mia_features(probs, d->n, K, feat);
    free(probs);
    return feat;
}

static void svm_quiet(const char *s) { (void)s; }

static void fill_node(struct svm_node *nd, const float *f) {
    for (int j = 0; j < MIA_FEATURES; j++) { nd[j].index = j + 1; nd[j].value = f[j]; }
    nd[MIA_FEATURES].index = -1;
    nd[MIA_FEATURES].value = 0;
}

void mia_free(MiaModel *m) {
    if (!m) return;
    if (m->model) svm_free_and_destroy_model(&m->model);
    free(m->nodes); free(m->labels); free(m->rows);
    free(m);
}

MiaModel *mia_fit(const float *members, int n_mem, const float *nonmembers, int n_non, const MiaConfig *c,
                  char *err, size_t errlen) {
    if (n_mem < 1 || n_non < 1) {
        snprintf(err, errlen, "MIA: needs members and non-members (got %d and %d)", n_mem, n_non);
        return NULL;
    }
    svm_set_print_string_function(svm_quiet);
    int n = n_mem + n_non;
    MiaModel *m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "MIA: out of memory"); return NULL; }
    m->nodes = malloc((size_t)n * (MIA_FEATURES + 1) * sizeof(struct svm_node));
    m->labels = malloc((size_t)n * sizeof(double));
    m->rows = malloc((size_t)n * sizeof(struct svm_node *));
    if (!m->nodes || !m->labels || !m->rows) { mia_free(m); snprintf(err, errlen, "MIA: out of memory"); return NULL; }
    for (int i = 0; i < n; i++) {
        int mem = i < n_mem;
        const float *f = mem ? members + (size_t)i * MIA_FEATURES : nonmembers + (size_t)(i - n_mem) * MIA_FEATURES;
        m->rows[i] = m->nodes + (size_t)i * (MIA_FEATURES + 1);
        fill_node(m->rows[i], f);
        m->labels[i] = mem ? 1.0 : 0.0;
    }
    struct svm_problem prob = {.l = n, .y = m->labels, .x = m->rows};
    struct svm_parameter par;
    memset(&par, 0, sizeof par);
    par.svm_type = C_SVC;
    par.kernel_type = RBF;
    par.gamma = c->gamma > 0 ? c->gamma : 1.0 / MIA_FEATURES;
    par.C = c->C;
    par.cache_size = 100;
    par.eps = 1e-3;
    par.shrinking = 1;
    par.probability = 0;
    const char *why = svm_check_parameter(&prob, &par);
    if (why) { snprintf(err, errlen, "MIA: libsvm: %s", why); mia_free(m); return NULL; }
    m->model = svm_train(&prob, &par);
    if (!m->model) { snprintf(err, errlen, "MIA: libsvm training failed"); mia_free(m); return NULL; }
    return m;
}

int mia_predict(const MiaModel *m, const float *feat) {
    struct svm_node nd[MIA_FEATURES + 1];
    fill_node(nd, feat);
    return svm_predict(m->model, nd) > 0.5 ? 1 : 0;
}

double mia_nonmember_share(const MiaModel *m, const float *feat, int n) {
    if (n <= 0) return NAN;
    long non = 0;
    for (int i = 0; i < n; i++) non += !mia_predict(m, feat + (size_t)i * MIA_FEATURES);
    return (double)non / n;
}

/* Seeded subset of at most k samples (all of them when n <= k, in a shuffled order). */
static Dataset *take(const Dataset *d, int k, Rng *r) {
    int n = d->n;
    int *idx = malloc((size_t)(n ? n : 1) * sizeof(int));
    if (!idx) return NULL;
    for (int i = 0; i < n; i++) idx[i] = i;
    rng_shuffle(r, idx, n);
    Dataset *s = ds_subset(d, idx, n < k ? n : k);
    free(idx);
    return s;
}

/* Copy the feature rows idx[0..k) of F into out. */
static void gather_rows(float *out, const float *F, const int *idx, int k) {
    for (int i = 0; i < k; i++) memcpy(out + (size_t)i * MIA_FEATURES, F + (size_t)idx[i] * MIA_FEATURES,
                                       MIA_FEATURES * sizeof(float));
}

double mia_chance_p(double correct, int n) {
    if (n < 1) return NAN;
    double z = (correct - 0.5 - 0.5 * n) / sqrt(0.25 * n);
    return 0.5 * erfc(z / sqrt(2.0));
}

/* One repeat: shuffle both pools, fit on the first h rows of each, score the next h of
 * each (held-out correct count into *held), the fit rows (*fit) and forget (*eff). */
static int mia_repeat(const float *fm, int nm, const float *fn, int nn, int h, const float *ff, int nf,
                      int *im, int *in, float *bm, float *bn, Rng *rg, const MiaConfig *c,
                      double *held, double *fit, double *eff, char *err, size_t errlen) {
    rng_shuffle(rg, im, nm);
    rng_shuffle(rg, in, nn);
    gather_rows(bm, fm, im, 2 * h);
    gather_rows(bn, fn, in, 2 * h);
    MiaModel *m = mia_fit(bm, h, bn, h, c, err, errlen);
    if (!m) return -1;
    long okf = 0, okh = 0;
    for (int i = 0; i < 2 * h; i++) {
        int mem = mia_predict(m, bm + (size_t)i * MIA_FEATURES) == 1;
        int non = mia_predict(m, bn + (size_t)i * MIA_FEATURES) == 0;
        if (i < h) okf += mem + non;
        else okh += mem + non;
    }
    *fit = (double)okf / (2.0 * h);
    *held = (double)okh;
    *eff = mia_nonmember_share(m, ff, nf);
    mia_free(m);
    return 0;
}

int mia_efficacy(Net *net, const Dataset *retain_train, const Dataset *retain_test, const Dataset *forget_train,
                 const MiaConfig *c, MiaResult *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->efficacy = r->fit_acc = r->efficacy_std = r->attack_acc = r->attack_p = NAN;
    if (!retain_train || !retain_test || !forget_train || !retain_train->n || !retain_test->n || !forget_train->n) {
        snprintf(err, errlen, "MIA: retain-train, retain-test and forget-train must all be non-empty");
        return -1;
    }
    int k = retain_train->n < retain_test->n ? retain_train->n : retain_test->n;
    if (c->cap > 0 && k > c->cap) k = c->cap;
    int R = c->repeats > 0 ? c->repeats : 1;
    Rng rg;
    rng_seed(&rg, c->seed ^ 0x4d49412d53564dULL);
    /* pools of at most 2k rows each, featurised once; each repeat splits them into halves of h */
    Dataset *mem = take(retain_train, 2 * k, &rg), *non = take(retain_test, 2 * k, &rg);
    Dataset *fg = take(forget_train, c->cap > 0 ? c->cap : forget_train->n, &rg);
    float *fm = NULL, *fn = NULL, *ff = NULL, *bm = NULL, *bn = NULL;
    int *im = NULL, *in = NULL, h = 0;
    double *eff = NULL;
    int rc = -1;
    if (!mem || !non || !fg) { snprintf(err, errlen, "MIA: out of memory"); goto out; }
    h = (mem->n < non->n ? mem->n : non->n) / 2;
    if (h < 1) { snprintf(err, errlen, "MIA: needs at least 2 members and 2 non-members"); goto out; }
    fm = mia_net_features(net, mem);
    fn = mia_net_features(net, non);
    ff = mia_net_features(net, fg);
    bm = malloc((size_t)2 * h * MIA_FEATURES * sizeof(float));
    bn = malloc((size_t)2 * h * MIA_FEATURES * sizeof(float));
    im = malloc((size_t)mem->n * sizeof(int));
    in = malloc((size_t)non->n * sizeof(int));
    eff = malloc((size_t)R * sizeof(double));
    if (!fm || !fn || !ff || !bm || !bn || !im || !in || !eff) { snprintf(err, errlen, "MIA: out of memory"); goto out; }
    for (int i = 0; i < mem->n; i++) im[i] = i;
    for (int i = 0; i < non->n; i++) in[i] = i;
    double fit = 0, held = 0;
    for (int rep = 0; rep < R; rep++) {
        double f1, h1;
        if (mia_repeat(fm, mem->n, fn, non->n, h, ff, fg->n, im, in, bm, bn, &rg, c, &h1, &f1, &eff[rep], err,
                       errlen))
            goto out;
        fit += f1;
        held += h1;
    }
    double mu = 0, ss = 0;
    for (int i = 0; i < R; i++) mu += eff[i];
    mu /= R;
    for (int i = 0; i < R; i++) ss += (eff[i] - mu) * (eff[i] - mu);
    r->efficacy = mu;
    r->efficacy_std = R > 1 ? sqrt(ss / (R - 1)) : 0.0;
    r->fit_acc = fit / R;
    r->attack_acc = held / R / (2.0 * h);
    r->attack_p = mia_chance_p(held / R, 2 * h);
    r->n_members = r->n_nonmembers = r->n_heldout = h;
    r->n_forget = fg->n;
    rc = 0;
out:
    free(fm); free(fn); free(ff); free(bm); free(bn); free(im); free(in); free(eff);
    ds_free(mem); ds_free(non); ds_free(fg);
    return rc;
}
