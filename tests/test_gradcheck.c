/* test_gradcheck.c — finite-difference gradient checks for every layer's
 * backward in src/layers.h, plus the semantics around it: backward
 * ACCUMULATES parameter gradients and OVERWRITES din, din may be NULL,
 * results are bit-identical run to run, conv matches a direct (double)
 * convolution, dropout masks are the documented splitmix64 draws.
 *
 * Method: loss = sum(out * R) with a fixed random R, so dloss/dout = R is fed
 * to the backward.  Numerical gradient: central difference
 *   g_i = (L(x + h e_i) - L(x - h e_i)) / (x_i+h - (x_i-h))
 * where the forward runs in float (the code under test) and L is accumulated
 * in double; h = 1e-2 (values are O(1)).  The denominator is the actually
 * representable step.  Kinks are kept out of reach: relu/leaky inputs satisfy
 * |x| >= 0.05, max-pool inputs are distinct with gaps >= 0.05 > 2h.
 *
 * Every element is checked (about 500 spread evenly over the larger input
 * tensors).  Error measure per tensor: max_i |g_i - a_i| / max(max_i |g_i|, 1e-3)
 * (a = analytic gradient).  Tolerance: 2e-3 for every tensor (observed
 * errors are ~1e-5..5e-4: float rounding of the forward divided by 2h, plus
 * the O(h^2) truncation of the smooth layers — BN and softmax).
 */
#include "layers.h"
#include "rng.h"
#include "test.h"
#include <stdint.h>

#define H_STEP 1e-2f
#define TOL 2e-3

static Rng g_rng;
static float urand(float lo, float hi) { return lo + (hi - lo) * rng_uniform(&g_rng); }
static float *frand(size_t n, float lo, float hi) {
    float *p = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = urand(lo, hi);
    return p;
}
static float *fzero(size_t n) { return calloc(n ? n : 1, sizeof(float)); }
static float *fcopy(const float *s, size_t n) {
    float *p = malloc(sizeof(float) * (n ? n : 1));
    memcpy(p, s, sizeof(float) * n);
    return p;
}
static void ffill(float *p, size_t n, float v) { for (size_t i = 0; i < n; i++) p[i] = v; }
/* push values away from 0 so relu/leaky kinks are out of a +-h step */
static void away_from_zero(float *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (fabsf(p[i]) < 0.05f) p[i] = p[i] < 0 ? p[i] - 0.05f : p[i] + 0.05f;
}
/* distinct values, consecutive ones >= 0.05 apart, in random order */
static void distinct_values(float *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = -2.0f + 0.05f * (float)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_int(&g_rng, (int)i);
        float t = p[i - 1]; p[i - 1] = p[j]; p[j] = t;
    }
}

/* ---- one generic "layer under test" ---- */
typedef enum { K_CONV, K_BN, K_RELU, K_LEAKY, K_MAXPOOL, K_AVGPOOL, K_GAP, K_LINEAR, K_DROPOUT } Kind;
typedef struct {
    Kind kind;
    int B, C, H, W, OC, K, S, P, OH, OW, IN, OUT, training;
    float slope, p, eps, momentum;
    float *x, *w, *b;        /* input, weight (conv/linear) or gamma, bias or beta */
    float *rm, *rv, *sm, *si; /* bn */
    float *ws, *mask;
    int32_t *idx;
    uint64_t seed;           /* dropout: state before each forward */
    size_t nx, nw, nb, nout;
} Ctx;

static void fwd(Ctx *c, float *out) {
    switch (c->kind) {
    case K_CONV:
        conv2d_forward(out, c->x, c->w, c->b, c->B, c->C, c->H, c->W, c->OC, c->K, c->S, c->P,
                       c->OH, c->OW, c->ws);
        break;
    case K_BN: {
        /* running stats are updated by a training forward; keep them fixed
         * across the finite-difference evaluations */
        float rm[64], rv[64];
        memcpy(rm, c->rm, sizeof(float) * c->C);
        memcpy(rv, c->rv, sizeof(float) * c->C);
        batchnorm2d_forward(out, c->x, c->w, c->b, rm, rv, c->sm, c->si, c->B, c->C, c->H * c->W,
                            c->eps, c->momentum, c->training);
        break;
    }
    case K_RELU: relu_forward(out, c->x, c->nx); break;
    case K_LEAKY: leaky_relu_forward(out, c->x, c->nx, c->slope); break;
    case K_MAXPOOL:
        maxpool2d_forward(out, c->idx, c->x, c->B, c->C, c->H, c->W, c->K, c->S, c->P, c->OH, c->OW);
        break;
    case K_AVGPOOL:
        avgpool2d_forward(out, c->x, c->B, c->C, c->H, c->W, c->K, c->S, c->P, c->OH, c->OW);
        break;
    case K_GAP: global_avgpool_forward(out, c->x, c->B, c->C, c->H * c->W); break;
    case K_LINEAR: linear_forward(out, c->x, c->w, c->b, c->B, c->IN, c->OUT); break;
    case K_DROPOUT: {
        uint64_t st = c->seed; /* the same mask at every evaluation */
        dropout_forward(out, c->mask, c->x, c->nx, c->p, &st, 1);
        break;
    }
    }
}

/* din (=), dw/db (+=) */
static void bwd(Ctx *c, float *din, float *dw, float *db, const float *dout) {
    switch (c->kind) {
    case K_CONV:
        conv2d_backward(din, dw, db, dout, c->x, c->w, c->B, c->C, c->H, c->W, c->OC, c->K, c->S,
                        c->P, c->OH, c->OW, c->ws);
        break;
    case K_BN:
        batchnorm2d_backward(din, dw, db, dout, c->x, c->w, c->sm, c->si, c->B, c->C, c->H * c->W,
                             c->training);
        break;
    case K_RELU: relu_backward(din, dout, c->x, c->nx); break;
    case K_LEAKY: leaky_relu_backward(din, dout, c->x, c->nx, c->slope); break;
    case K_MAXPOOL: maxpool2d_backward(din, dout, c->idx, c->B, c->C, c->H, c->W, c->OH, c->OW); break;
    case K_AVGPOOL:
        avgpool2d_backward(din, dout, c->B, c->C, c->H, c->W, c->K, c->S, c->P, c->OH, c->OW);
        break;
    case K_GAP: global_avgpool_backward(din, dout, c->B, c->C, c->H * c->W); break;
    case K_LINEAR: linear_backward(din, dw, db, dout, c->x, c->w, c->B, c->IN, c->OUT); break;
    case K_DROPOUT: dropout_backward(din, dout, c->mask, c->nx, 1); break;
    }
}

static double loss_of(Ctx *c, float *out, const float *R) {
    fwd(c, out);
    double s = 0.0;
    for (size_t i = 0; i < c->nout; i++) s += (double)out[i] * R[i];
    return s;
}

/* compare analytic gradient a[n] of tensor t[n] with central differences */
static double numcheck(const char *what, Ctx *c, float *out, const float *R, float *t, size_t n,
                       const float *a) {
    double maxdiff = 0.0, maxref = 0.0;
    /* every element of small tensors; about 500 spread over larger ones */
    const size_t step = n > 500 ? n / 500 : 1;
    for (size_t i = step > 1 ? (size_t)rng_int(&g_rng, (int)step) : 0; i < n; i += step) {
        float save = t[i];
        float xp = save + H_STEP, xm = save - H_STEP;
        t[i] = xp;
        double lp = loss_of(c, out, R);
        t[i] = xm;
        double lm = loss_of(c, out, R);
        t[i] = save;
        double g = (lp - lm) / ((double)xp - (double)xm);
        double d = fabs(g - (double)a[i]);
        if (d > maxdiff) maxdiff = d;
        if (fabs(g) > maxref) maxref = fabs(g);
    }
    fwd(c, out); /* restore the state of an unperturbed forward (maxpool idx, bn save) */
    double err = maxdiff / (maxref > 1e-3 ? maxref : 1e-3);
    CHECKF(err < TOL, "%s: normalised max error %.3g (max |g| %.3g)", what, err, maxref);
    printf("  %-44s err %.2e  (max|g| %.3g, n=%zu)\n", what, err, maxref, n);
    return err;
}

/* full check of one layer: din, dw, db against finite differences; din is
 * overwritten (pre-filled with NaN); dw/db accumulate (a second backward
 * doubles them exactly); a backward without din gives the same dw/db. */
static void check_layer(const char *name, Ctx *c) {
    float *out = fzero(c->nout), *R = frand(c->nout, -1.0f, 1.0f);
    float *din = fzero(c->nx), *dw = fzero(c->nw), *db = fzero(c->nb);
    char buf[128];
    fwd(c, out);
    ffill(din, c->nx, NAN);
    bwd(c, din, c->nw ? dw : NULL, c->nb ? db : NULL, R);
    int finite = 1;
    for (size_t i = 0; i < c->nx; i++) finite &= isfinite(din[i]) != 0;
    CHECKF(finite, "%s: din not fully overwritten", name);

    snprintf(buf, sizeof buf, "%s din", name);
    numcheck(buf, c, out, R, c->x, c->nx, din);
    if (c->nw) {
        snprintf(buf, sizeof buf, "%s dw", name);
        numcheck(buf, c, out, R, c->w, c->nw, dw);
    }
    if (c->nb) {
        snprintf(buf, sizeof buf, "%s db", name);
        numcheck(buf, c, out, R, c->b, c->nb, db);
    }
    if (c->nw || c->nb) {
        /* accumulate: a second backward (din NULL) adds the same amount again */
        float *dw2 = fcopy(dw, c->nw), *db2 = fcopy(db, c->nb);
        fwd(c, out);
        bwd(c, NULL, c->nw ? dw2 : NULL, c->nb ? db2 : NULL, R);
        int ok = 1;
        for (size_t i = 0; i < c->nw; i++) ok &= dw2[i] == 2.0f * dw[i];
        for (size_t i = 0; i < c->nb; i++) ok &= db2[i] == 2.0f * db[i];
        CHECKF(ok, "%s: second backward (din=NULL) does not double dw/db", name);
        free(dw2); free(db2);
    }
    /* determinism: the same forward/backward twice is bit-identical */
    {
        float *o1 = fzero(c->nout), *o2 = fzero(c->nout);
        float *d1 = fzero(c->nx), *d2 = fzero(c->nx);
        float *w1 = fzero(c->nw), *w2 = fzero(c->nw);
        fwd(c, o1); bwd(c, d1, c->nw ? w1 : NULL, NULL, R);
        fwd(c, o2); bwd(c, d2, c->nw ? w2 : NULL, NULL, R);
        CHECKF(!memcmp(o1, o2, sizeof(float) * c->nout) && !memcmp(d1, d2, sizeof(float) * c->nx) &&
               !memcmp(w1, w2, sizeof(float) * c->nw), "%s: not bit-identical run to run", name);
        free(o1); free(o2); free(d1); free(d2); free(w1); free(w2);
    }
    free(out); free(R); free(din); free(dw); free(db);
}

/* ---- conv ---- */
static void conv_direct(double *out, const float *x, const float *w, const float *b, int B, int C,
                        int H, int W, int OC, int K, int S, int P, int OH, int OW) {
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < C; c++)
                        for (int ky = 0; ky < K; ky++)
                            for (int kx = 0; kx < K; kx++) {
                                int iy = oy * S - P + ky, ix = ox * S - P + kx;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                s += (double)x[((size_t)(n * C + c) * H + iy) * W + ix] *
                                     w[((size_t)(o * C + c) * K + ky) * K + kx];
                            }
                    out[((size_t)(n * OC + o) * OH + oy) * OW + ox] = s;
                }
}

static void test_conv(int B, int C, int H, int W, int OC, int K, int S, int P, int bias) {
    Ctx c = {0};
    c.kind = K_CONV;
    c.B = B; c.C = C; c.H = H; c.W = W; c.OC = OC; c.K = K; c.S = S; c.P = P;
    c.OH = conv_out_size(H, K, S, P);
    c.OW = conv_out_size(W, K, S, P);
    c.nx = (size_t)B * C * H * W;
    c.nw = (size_t)OC * C * K * K;
    c.nb = bias ? (size_t)OC : 0;
    c.nout = (size_t)B * OC * c.OH * c.OW;
    c.x = frand(c.nx, -1, 1);
    c.w = frand(c.nw, -0.5f, 0.5f);
    c.b = bias ? frand(OC, -0.5f, 0.5f) : NULL;
    c.ws = fzero(conv2d_ws_floats(B, C, H, W, OC, K, c.OH, c.OW));
    char name[96];
    snprintf(name, sizeof name, "conv B%d C%d %dx%d OC%d K%d s%d p%d%s", B, C, H, W, OC, K, S, P,
             bias ? " +b" : "");
    /* forward against a direct convolution in double */
    float *out = fzero(c.nout);
    double *ref = malloc(sizeof(double) * c.nout);
    fwd(&c, out);
    conv_direct(ref, c.x, c.w, c.b, B, C, H, W, OC, K, S, P, c.OH, c.OW);
    double md = 0, mr = 0;
    for (size_t i = 0; i < c.nout; i++) {
        if (fabs(out[i] - ref[i]) > md) md = fabs(out[i] - ref[i]);
        if (fabs(ref[i]) > mr) mr = fabs(ref[i]);
    }
    CHECKF(md <= 1e-5 * (mr > 1 ? mr : 1), "%s: forward differs from direct conv by %.3g", name, md);
    free(out); free(ref);
    check_layer(name, &c);
    free(c.x); free(c.w); free(c.b); free(c.ws);
}

/* ---- batchnorm ---- */
static void test_bn(int B, int C, int HW, int training) {
    Ctx c = {0};
    c.kind = K_BN;
    c.B = B; c.C = C; c.H = HW; c.W = 1; c.training = training;
    c.eps = 1e-5f; c.momentum = 0.1f;
    c.nx = c.nout = (size_t)B * C * HW;
    c.nw = c.nb = (size_t)C;
    c.x = frand(c.nx, -1, 2);
    c.w = frand(C, 0.5f, 1.5f);
    c.b = frand(C, -0.5f, 0.5f);
    c.rm = frand(C, -0.5f, 0.5f);
    c.rv = frand(C, 0.5f, 2.0f);
    c.sm = fzero(C); c.si = fzero(C);
    char name[96];
    snprintf(name, sizeof name, "batchnorm B%d C%d HW%d %s", B, C, HW, training ? "train" : "eval");
    check_layer(name, &c);
    free(c.x); free(c.w); free(c.b); free(c.rm); free(c.rv); free(c.sm); free(c.si);
}

/* batch-norm statistics against a double computation (PyTorch semantics) */
static void test_bn_stats(void) {
    const int B = 5, C = 3, HW = 7;
    const size_t N = (size_t)B * HW;
    float *x = frand((size_t)B * C * HW, -2, 3), *y = fzero((size_t)B * C * HW);
    float g[3] = {1.5f, 0.5f, -1.0f}, be[3] = {0.1f, -0.2f, 0.3f};
    float rm[3] = {0.2f, -0.1f, 0.0f}, rv[3] = {1.0f, 2.0f, 0.5f}, sm[3], si[3];
    float rm0[3], rv0[3];
    memcpy(rm0, rm, sizeof rm); memcpy(rv0, rv, sizeof rv);
    batchnorm2d_forward(y, x, g, be, rm, rv, sm, si, B, C, HW, 1e-5f, 0.1f, 1);
    int ok = 1;
    for (int c = 0; c < C; c++) {
        double s = 0, v = 0;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) s += x[((size_t)b * C + c) * HW + i];
        double m = s / N;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) {
                double d = x[((size_t)b * C + c) * HW + i] - m;
                v += d * d;
            }
        double var = v / N, uvar = v / (N - 1), is = 1.0 / sqrt(var + 1e-5);
        ok &= fabs(sm[c] - m) < 1e-6 && fabs(si[c] - is) < 1e-5 * is;
        ok &= fabs(rm[c] - (0.9 * rm0[c] + 0.1 * m)) < 1e-6;
        ok &= fabs(rv[c] - (0.9 * rv0[c] + 0.1 * uvar)) < 1e-5;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) {
                size_t k = ((size_t)b * C + c) * HW + i;
                ok &= fabs(y[k] - ((x[k] - m) * is * g[c] + be[c])) < 1e-5;
            }
    }
    CHECKF(ok, "batchnorm train statistics / running update differ from PyTorch semantics");
    /* eval uses the running statistics and leaves them alone */
    float rm2[3], rv2[3];
    memcpy(rm2, rm, sizeof rm); memcpy(rv2, rv, sizeof rv);
    batchnorm2d_forward(y, x, g, be, rm, rv, sm, si, B, C, HW, 1e-5f, 0.1f, 0);
    ok = !memcmp(rm, rm2, sizeof rm) && !memcmp(rv, rv2, sizeof rv);
    for (int c = 0; c < C; c++) {
        double is = 1.0 / sqrt((double)rv[c] + 1e-5);
        ok &= sm[c] == rm[c] && fabs(si[c] - is) < 1e-6 * is;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < HW; i++) {
                size_t k = ((size_t)b * C + c) * HW + i;
                ok &= fabs(y[k] - ((x[k] - rm[c]) * is * g[c] + be[c])) < 1e-5;
            }
    }
    CHECKF(ok, "batchnorm eval does not use/keep the running statistics");
    free(x); free(y);
}

/* ---- elementwise ---- */
static void test_act(Kind k, float slope) {
    Ctx c = {0};
    c.kind = k; c.slope = slope;
    c.nx = c.nout = 3 * 4 * 5;
    c.x = frand(c.nx, -1, 1);
    away_from_zero(c.x, c.nx);
    check_layer(k == K_RELU ? "relu" : "leaky relu (slope 0.01)", &c);
    free(c.x);
}

static void test_pool(Kind k, int B, int C, int H, int W, int K, int S, int P) {
    Ctx c = {0};
    c.kind = k;
    c.B = B; c.C = C; c.H = H; c.W = W; c.K = K; c.S = S; c.P = P;
    c.OH = conv_out_size(H, K, S, P);
    c.OW = conv_out_size(W, K, S, P);
    c.nx = (size_t)B * C * H * W;
    c.nout = (size_t)B * C * c.OH * c.OW;
    c.x = fzero(c.nx);
    distinct_values(c.x, c.nx);
    c.idx = malloc(sizeof(int32_t) * c.nout);
    char name[96];
    snprintf(name, sizeof name, "%s B%d C%d %dx%d K%d s%d p%d", k == K_MAXPOOL ? "maxpool" : "avgpool",
             B, C, H, W, K, S, P);
    check_layer(name, &c);
    free(c.x); free(c.idx);
}

/* max-pool forward against a naive scan (values and argmax exactly), with
 * ties (the first maximum in row-major window order wins) and NaNs (a NaN is
 * the maximum: PyTorch's `val > max || isnan(val)` rule) */
static void test_maxpool_ref(int B, int C, int H, int W, int K, int S, int P) {
    int OH = conv_out_size(H, K, S, P), OW = conv_out_size(W, K, S, P);
    size_t nx = (size_t)B * C * H * W, no = (size_t)B * C * OH * OW;
    float *x = frand(nx, -1, 1), *y = fzero(no);
    for (size_t i = 0; i < nx; i++) {
        if (i % 7 == 3) x[i] = 0.5f; /* ties */
        if (i % 53 == 11) x[i] = NAN;
    }
    int32_t *idx = malloc(sizeof(int32_t) * no);
    maxpool2d_forward(y, idx, x, B, C, H, W, K, S, P, OH, OW);
    int ok = 1;
    for (int pl = 0; pl < B * C; pl++)
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                float best = -INFINITY;
                int bi = -1;
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++) {
                        int iy = oy * S - P + ky, ix = ox * S - P + kx;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                        float v = x[(size_t)pl * H * W + iy * W + ix];
                        if (bi < 0 || v > best || isnan(v)) { best = v; bi = iy * W + ix; }
                    }
                size_t o = ((size_t)pl * OH + oy) * OW + ox;
                ok &= idx[o] == bi && (isnan(best) ? isnan(y[o]) : y[o] == best);
            }
    CHECKF(ok, "maxpool B%d C%d %dx%d K%d s%d p%d forward differs from a naive scan", B, C, H, W, K, S, P);
    free(x); free(y); free(idx);
}

static void test_gap(void) {
    Ctx c = {0};
    c.kind = K_GAP;
    c.B = 3; c.C = 4; c.H = 5; c.W = 3;
    c.nx = 3 * 4 * 15;
    c.nout = 12;
    c.x = frand(c.nx, -1, 1);
    check_layer("global avgpool B3 C4 HW15", &c);
    free(c.x);
}

static void test_linear(int B, int IN, int OUT, int bias) {
    Ctx c = {0};
    c.kind = K_LINEAR;
    c.B = B; c.IN = IN; c.OUT = OUT;
    c.nx = (size_t)B * IN;
    c.nw = (size_t)OUT * IN;
    c.nb = bias ? (size_t)OUT : 0;
    c.nout = (size_t)B * OUT;
    c.x = frand(c.nx, -1, 1);
    c.w = frand(c.nw, -0.5f, 0.5f);
    c.b = bias ? frand(OUT, -0.5f, 0.5f) : NULL;
    char name[96];
    snprintf(name, sizeof name, "linear B%d %d->%d%s", B, IN, OUT, bias ? " +b" : "");
    check_layer(name, &c);
    free(c.x); free(c.w); free(c.b);
}

static void test_dropout(void) {
    Ctx c = {0};
    c.kind = K_DROPOUT;
    c.p = 0.3f;
    c.seed = 12345;
    c.nx = c.nout = 200;
    c.x = frand(c.nx, -1, 1);
    c.mask = fzero(c.nx);
    check_layer("dropout p=0.3 (fixed mask)", &c);
    /* the mask: values 0 or 1/(1-p), equal to n successive splitmix64 draws,
     * state advanced by n draws, about p dropped */
    const size_t n = 100000;
    float *x = frand(n, -1, 1), *y = fzero(n), *m = fzero(n);
    uint64_t st = 777, ref = 777;
    dropout_forward(y, m, x, n, 0.3f, &st, 1);
    int ok = 1;
    size_t dropped = 0;
    const float keep = 1.0f / (1.0f - 0.3f);
    for (size_t i = 0; i < n; i++) {
        float u = (float)(splitmix64(&ref) >> 40) * (1.0f / 16777216.0f);
        float want = u < 0.3f ? 0.0f : keep;
        ok &= m[i] == want && y[i] == x[i] * want;
        dropped += m[i] == 0.0f;
    }
    CHECKF(ok, "dropout mask differs from successive splitmix64 draws");
    CHECKF(st == ref, "dropout state not advanced by n splitmix64 steps");
    CHECKF(fabs((double)dropped / n - 0.3) < 0.01, "dropout dropped %.4f, want 0.3",
           (double)dropped / n);
    /* eval: identity, and backward passes dout through */
    uint64_t st2 = st;
    dropout_forward(y, NULL, x, n, 0.3f, &st2, 0);
    CHECK(!memcmp(x, y, sizeof(float) * n) && st2 == st);
    dropout_backward(y, x, NULL, n, 0);
    CHECK(!memcmp(x, y, sizeof(float) * n));
    free(x); free(y); free(m); free(c.x); free(c.mask);
}

/* ---- softmax cross-entropy ---- */
static void test_softmax_ce(const float *weight, const char *name) {
    const int B = 4, K = 6;
    float *z = frand(B * K, -3, 3), *t = frand(B * K, 0, 1);
    /* soft targets with row sums != 1, one one-hot row, some zeros */
    for (int k = 0; k < K; k++) t[k] = k == 2 ? 1.0f : 0.0f;
    t[K + 1] = 0.0f;
    float *p = fzero(B * K), *d = fzero(B * K);
    float L = softmax_ce(p, d, z, t, weight, B, K);
    /* loss against a double computation */
    double Lref = 0;
    for (int i = 0; i < B; i++) {
        double mx = -1e30, s = 0;
        for (int k = 0; k < K; k++) if (z[i * K + k] > mx) mx = z[i * K + k];
        for (int k = 0; k < K; k++) s += exp(z[i * K + k] - mx);
        double li = 0;
        for (int k = 0; k < K; k++) li -= t[i * K + k] * (z[i * K + k] - mx - log(s));
        Lref += (weight ? weight[i] : 1.0) * li;
    }
    Lref /= B;
    CHECKF(fabs(L - Lref) < 1e-5 * (1 + fabs(Lref)), "%s: loss %.7g want %.7g", name, L, Lref);
    /* dlogits against central differences of the returned loss */
    double maxdiff = 0, maxref = 0;
    for (int i = 0; i < B * K; i++) {
        float save = z[i], zp = save + H_STEP, zm = save - H_STEP;
        z[i] = zp;
        double lp = softmax_ce(p, NULL, z, t, weight, B, K);
        z[i] = zm;
        double lm = softmax_ce(p, NULL, z, t, weight, B, K);
        z[i] = save;
        double g = (lp - lm) / ((double)zp - (double)zm);
        if (fabs(g - d[i]) > maxdiff) maxdiff = fabs(g - d[i]);
        if (fabs(g) > maxref) maxref = fabs(g);
    }
    double err = maxdiff / (maxref > 1e-3 ? maxref : 1e-3);
    CHECKF(err < TOL, "%s dlogits: normalised max error %.3g", name, err);
    printf("  %-44s err %.2e  (max|g| %.3g, n=%d)\n", name, err, maxref, B * K);
    /* probs are a distribution; NULL probs gives the same dlogits */
    int ok = 1;
    for (int i = 0; i < B; i++) {
        double s = 0;
        for (int k = 0; k < K; k++) s += p[i * K + k];
        ok &= fabs(s - 1) < 1e-5;
    }
    CHECKF(ok, "%s: probs rows do not sum to 1", name);
    float *d2 = fzero(B * K);
    float L2 = softmax_ce(NULL, d2, z, t, weight, B, K);
    CHECKF(L2 == L && !memcmp(d, d2, sizeof(float) * B * K), "%s: probs=NULL changes results", name);
    free(z); free(t); free(p); free(d); free(d2);
}

static void test_softmax_misc(void) {
    /* stability with huge logits */
    float z[6] = {1e4f, -1e4f, 0.0f, 3e4f, 3e4f, -3e4f}, t[6] = {0, 0, 1, 0.5f, 0.5f, 0};
    float p[6], d[6];
    float L = softmax_ce(p, d, z, t, NULL, 2, 3);
    int ok = isfinite(L);
    for (int i = 0; i < 6; i++) ok &= isfinite(p[i]) && isfinite(d[i]);
    CHECKF(ok, "softmax_ce not finite on huge logits (L=%g)", L);
    CHECKF(fabs(L - (1e4 + log(2.0) / 2) / 2) < 1.0, "softmax_ce huge-logit loss %g", L);
    /* softmax_rows with temperature */
    float zz[8] = {1, 2, 3, 4, -1, 0.5f, 7, 2}, pp[8], lp[8];
    softmax_rows(pp, lp, zz, 2, 4, 2.0f);
    ok = 1;
    for (int i = 0; i < 2; i++) {
        double s = 0;
        for (int k = 0; k < 4; k++) s += exp(zz[i * 4 + k] / 2.0);
        for (int k = 0; k < 4; k++) {
            double want = exp(zz[i * 4 + k] / 2.0) / s;
            ok &= fabs(pp[i * 4 + k] - want) < 1e-6 && fabs(lp[i * 4 + k] - log(want)) < 1e-5;
        }
    }
    CHECKF(ok, "softmax_rows with T=2 wrong");
    float big[3] = {1e6f, 0, -1e6f};
    softmax_rows(pp, lp, big, 1, 3, 0.5f);
    CHECKF(pp[0] == 1.0f && pp[1] == 0.0f && isfinite(lp[2]) && lp[0] == 0.0f,
           "softmax_rows not stable for huge logits");
    softmax_rows(pp, NULL, zz, 2, 4, 1.0f); /* logp may be NULL */
    CHECK(fabs(pp[0] + pp[1] + pp[2] + pp[3] - 1) < 1e-6);
}

int main(void) {
    rng_seed(&g_rng, 20240601);
    printf("gradient checks (h=%g, tolerance %.0e on max|num-ana|/max|num|):\n", (double)H_STEP, TOL);
    /* conv: K / stride / pad / bias combinations; B=7 with small planes makes
     * the implementation batch several samples per gemm, unevenly per thread */
    test_conv(2, 3, 7, 6, 4, 3, 1, 1, 1);
    test_conv(2, 2, 6, 6, 3, 3, 1, 2, 0);  /* seed-style pad 2 */
    test_conv(2, 3, 6, 7, 4, 5, 1, 3, 0);  /* K=5 pad=3 */
    test_conv(2, 3, 7, 7, 3, 5, 1, 2, 1);  /* K=5 pad=2 */
    test_conv(2, 3, 9, 8, 4, 3, 2, 1, 1);  /* stride 2 (col2im path) */
    test_conv(3, 2, 8, 9, 3, 3, 2, 0, 0);  /* stride 2, no pad, odd batch */
    test_conv(2, 3, 6, 6, 2, 2, 2, 0, 1);  /* K=2 stride 2 */
    test_conv(2, 4, 5, 5, 3, 1, 1, 0, 1);  /* 1x1 */
    test_conv(2, 3, 5, 4, 2, 1, 2, 0, 0);  /* 1x1 stride 2 */
    test_conv(2, 2, 5, 5, 3, 3, 1, 3, 1);  /* pad > K-1 */
    test_conv(1, 2, 5, 5, 2, 3, 1, 0, 0);  /* one sample */
    /* convs under 1e5 flops run on one thread; the ones below are above it,
     * so with 2+ threads they exercise the batch split and the dw reduction */
    test_conv(7, 3, 4, 4, 24, 3, 1, 1, 1); /* chunked samples per gemm, uneven split, col2im din */
    test_conv(5, 2, 12, 12, 6, 3, 1, 1, 0); /* large planes: several gemms per thread */
    test_conv(20, 2, 4, 4, 12, 3, 1, 1, 1); /* several multi-sample chunks per thread */
    test_conv(8, 6, 8, 8, 6, 3, 1, 1, 1);  /* chunks, din as a transposed conv */
    /* wide padding (>= 15% of kernel rows in it): the banded path */
    test_conv(8, 8, 4, 4, 8, 3, 1, 1, 1);
    test_conv(6, 6, 6, 6, 8, 5, 1, 2, 0);  /* like the seed's last conv */
    test_conv(5, 4, 5, 5, 6, 5, 1, 3, 1);  /* K=5 pad=3 */
    test_conv(3, 2, 4, 4, 3, 3, 1, 4, 0);  /* pad > K-1: rows entirely in the padding */
    test_conv(5, 4, 11, 11, 8, 3, 2, 1, 1); /* stride 2, several chunks per thread */
    test_conv(6, 2, 5, 5, 24, 3, 1, 1, 0); /* small planes, OC > C: col2im form of din */
    test_conv(2, 2, 24, 24, 4, 3, 1, 1, 1); /* plane > 512 pixels: row blocks */
    test_conv(1, 1, 45, 45, 2, 3, 2, 1, 0); /* row blocks, stride 2 (col2im din) */
    test_bn(4, 3, 6, 1);
    test_bn(4, 3, 6, 0);
    test_bn(3, 2, 1, 1); /* HW = 1 (after a global pool) */
    test_bn_stats();
    test_act(K_RELU, 0);
    test_act(K_LEAKY, 0.01f);
    test_pool(K_MAXPOOL, 2, 3, 6, 6, 2, 2, 0);
    test_pool(K_MAXPOOL, 2, 2, 7, 7, 3, 2, 1);
    test_pool(K_MAXPOOL, 1, 2, 5, 6, 3, 1, 1);
    test_pool(K_MAXPOOL, 1, 2, 6, 37, 2, 2, 0); /* rows of 18 outputs */
    test_maxpool_ref(2, 3, 6, 6, 2, 2, 0);
    test_maxpool_ref(1, 2, 36, 40, 2, 2, 0);
    test_maxpool_ref(2, 2, 7, 9, 2, 2, 0);
    test_maxpool_ref(2, 2, 7, 7, 3, 2, 1);
    test_maxpool_ref(1, 2, 9, 70, 2, 2, 1);
    test_pool(K_AVGPOOL, 2, 3, 6, 6, 2, 2, 0);
    test_pool(K_AVGPOOL, 2, 2, 7, 7, 3, 2, 1);
    test_pool(K_AVGPOOL, 1, 2, 5, 6, 3, 1, 1);
    test_gap();
    test_linear(5, 7, 4, 1);
    test_linear(3, 6, 5, 0);
    test_linear(16, 64, 70, 1); /* large enough to run threaded */
    test_dropout();
    test_softmax_ce(NULL, "softmax_ce soft targets");
    float wneg[4] = {1.0f, -0.5f, 2.0f, -1.5f};
    test_softmax_ce(wneg, "softmax_ce negative weights");
    test_softmax_misc();
    TEST_DONE("test_gradcheck");
}
