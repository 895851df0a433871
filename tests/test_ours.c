/* test_ours.c — the components of our procedure (src/methods/ours.c), each against what it claims.
 *
 *   net_backward_extra  the second loss's gradient enters at the named layer: parameter gradients
 *                       match central differences of L = sum(extra * layer output) (plus the logits'
 *                       part), on a net with conv, batch norm (eval), relu, pools, gap and dropout
 *   renorm              q sums to 1, the dropped slot gets exactly 0, the other ratios are the softmax's
 *   pull layer          the penultimate features, or the layer before a closing dropout
 *   reinit              exactly round(frac * conv/linear weights) weights re-drawn, chosen by
 *                       I_f / (I_r + eps) (a planted forget-only weight is picked first), the freed
 *                       slot's head row re-drawn and its bias zeroed, everything else bit-identical
 *   feature means       equal a direct per-slot average of the layer's eval-mode output; s2 the mean
 *                       per-dimension variance
 *   pull gradient       equals the derivative of |h - mu_top(q)|^2 / (d s2) (central differences); zero
 *                       at the mean of the slot q ranks first, and only there
 *   mean update         the exponential average of the batch's retained features per kept slot
 * The outcome of the whole procedure (the pull brings forget features nearer the kept classes) is in
 * test_methods.c, on its synthetic task. */
#include "test.h"
#include "net.h"
#include "unlearn.h"
#include "saliency.h"
#include "methods/ours.h"

static const char *SPEC =
    "input 1 6 6\n"
    "conv 3 k=3 pad=1 bias=0\n"
    "batchnorm\n"
    "relu\n"
    "avgpool k=2\n"
    "conv 4 k=3 pad=1\n"
    "relu\n"
    "gap\n"
    "dropout p=0.3\n"
    "linear classes\n";

static Net *make_net(int K, uint64_t seed) {
    char err[256];
    Net *n = net_parse(SPEC, "test-ours", 0, 0, 0, K, err, sizeof err);
    CHECKF(n != NULL, "%s", err);
    if (n) net_init(n, seed);
    return n;
}

static float *randn(size_t n, Rng *r, float sd) {
    float *p = malloc(sizeof(float) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = sd * rng_normal(r);
    return p;
}

/* L = sum(R * logits) + sum(E * output of layer `layer`), eval mode, in double */
static double loss_at(Net *n, const float *x, int B, const float *R, int layer, const float *E) {
    const int K = n->n_classes, d = net_layer_size(n, layer);
    const float *lg = net_forward(n, x, B, 0);
    double l = 0;
    for (int i = 0; i < B * K; i++) l += (double)R[i] * lg[i];
    const float *h = net_layer_output(n, layer);
    for (int i = 0; i < B * d; i++) l += (double)E[i] * h[i];
    return l;
}

static void test_backward_extra(void) {
    enum { B = 3, K = 4 };
    Rng r;
    rng_seed(&r, 3);
    Net *n = make_net(K, 5);
    if (!n) return;
    /* non-trivial batch-norm statistics */
    for (size_t i = 0; i < n->n_stats; i++) n->stats[i] = i < 3 ? 0.1f * (float)i : 0.5f + 0.2f * (float)i;
    net_reserve(n, B);
    const int layer = ours_pull_layer(n), d = net_layer_size(n, layer);
    CHECK(n->layers[layer].type == LAYER_GLOBAL_AVGPOOL);
    float *x = randn((size_t)B * 36, &r, 1.0f), *R = randn((size_t)B * K, &r, 1.0f),
          *E = randn((size_t)B * d, &r, 1.0f);
    net_forward(n, x, B, 0);
    net_zero_grad(n);
    net_backward_extra(n, R, B, layer, E);
    float *ga = malloc(sizeof(float) * n->n_params);
    memcpy(ga, n->grads, sizeof(float) * n->n_params);
    /* without extra: a different gradient (the extra term is not ignored) */
    net_forward(n, x, B, 0);
    net_zero_grad(n);
    net_backward_extra(n, R, B, layer, NULL);
    double diff = 0, gmax = 0, worst = 0;
    for (size_t i = 0; i < n->n_params; i++) diff = fmax(diff, fabs(ga[i] - n->grads[i]));
    CHECKF(diff > 1e-3, "the extra gradient changed nothing (max diff %g)", diff);
    for (size_t i = 0; i < n->n_params; i++) {
        const float p0 = n->params[i], h = 2e-3f;
        n->params[i] = p0 + h;
        const float up = n->params[i];
        const double lp = loss_at(n, x, B, R, layer, E);
        n->params[i] = p0 - h;
        const float dn = n->params[i];
        const double lm = loss_at(n, x, B, R, layer, E);
        n->params[i] = p0;
        const double g = (lp - lm) / ((double)up - dn);
        gmax = fmax(gmax, fabs(g));
        worst = fmax(worst, fabs(g - ga[i]));
    }
    CHECKF(worst / fmax(gmax, 1e-3) < 5e-3, "backward_extra vs central differences: max error %g (max |g| %g)",
           worst, gmax);
    printf("net_backward_extra: %zu parameters, max |analytic - numeric| / max |g| = %.2e\n", n->n_params,
           worst / fmax(gmax, 1e-3));
    free(x); free(R); free(E); free(ga);
    net_free(n);
}

static void test_renorm(void) {
    const float z[5] = {1.0f, -2.0f, 3.0f, 0.5f, 2.0f};
    float q[5];
    ours_renorm_without(q, z, 5, 2);
    double s = 0;
    for (int k = 0; k < 5; k++) s += q[k];
    CHECKF(fabs(s - 1.0) < 1e-6, "q sums to %.9f", s);
    CHECK(q[2] == 0.0f);
    CHECKF(fabs(q[0] / q[4] - exp(-1.0)) < 1e-5 && fabs(q[3] / q[1] - exp(2.5)) < 1e-3, "ratios %g %g",
           q[0] / q[4], q[3] / q[1]);
    /* huge logits stay finite */
    const float big[3] = {1e30f, 0.0f, -1e30f};
    ours_renorm_without(q, big, 3, 0);
    CHECK(q[0] == 0.0f && fabs(q[1] - 1.0f) < 1e-6 && q[2] == 0.0f);
}

static void test_pull_layer(void) {
    char err[256];
    Net *a = make_net(3, 1);
    Net *b = net_parse("input 1 4 4\nflatten\nlinear 5\nrelu\nlinear classes\n", "t", 0, 0, 0, 3, err, sizeof err);
    if (a) CHECK(ours_pull_layer(a) == net_feature_layer(a) - 1);
    if (b) CHECK(ours_pull_layer(b) == net_feature_layer(b) && b->layers[ours_pull_layer(b)].type == LAYER_RELU);
    net_free(a); net_free(b);
}

/* a dataset of n random samples labelled in turn from labels[0..nl) */
static Dataset *random_set(int n, const int *labels, int nl, Rng *r) {
    Dataset *d = ds_new(n, 1, 6, 6);
    for (int i = 0; i < n; i++) {
        d->y[i] = labels[i % nl];
        for (int j = 0; j < 36; j++) d->x[(size_t)i * 36 + j] = rng_normal(r) + 0.3f * (float)d->y[i];
    }
    return d;
}

static void test_reinit(void) {
    enum { K = 3 };
    char err[256];
    Rng r;
    rng_seed(&r, 8);
    Net *n = make_net(K, 2);
    if (!n) return;
    ClassMap cm = {K, {0, 1, 2}};
    const int keep[2] = {0, 1}, fcls[1] = {2};
    Dataset *rs = random_set(24, keep, 2, &r), *fs = random_set(12, fcls, 1, &r);
    Net *n0 = net_clone(n);
    size_t nw = 0;
    for (int l = 0; l < n->n_layers; l++)
        if (n->layers[l].type == LAYER_CONV2D || n->layers[l].type == LAYER_LINEAR) nw += n->layers[l].w_len;
    const float frac = 0.1f;
    double flops = 0;
    long k = ours_reinit(n, fs, rs, &cm, &cm, 2, frac, 8, 99, &flops, err, sizeof err);
    CHECKF(k == (long)lround(frac * (double)nw), "re-drawn %ld of %zu weights, want %ld", k, nw,
           (long)lround(frac * (double)nw));
    CHECK(flops > 0);
    /* what changed: the chosen weights, slot 2's head row, its bias; bn, biases, stats untouched */
    const Layer *head = &n->layers[n->n_layers - 1];
    long changed = 0, outside = 0;
    for (size_t i = 0; i < n->n_params; i++) {
        if (!memcmp(&n->params[i], &n0->params[i], sizeof(float))) continue;
        const int in_row = i >= head->w_off + 2 * (size_t)head->in_c && i < head->w_off + 3 * (size_t)head->in_c;
        const int is_bias = i == head->b_off + 2;
        int is_weight = 0;
        for (int l = 0; l < n->n_layers; l++) {
            const Layer *L = &n->layers[l];
            if ((L->type == LAYER_CONV2D || L->type == LAYER_LINEAR) && i >= L->w_off && i < L->w_off + L->w_len)
                is_weight = 1;
        }
        if (!in_row && !is_bias) changed++;
        if (!is_weight && !is_bias) outside++;
    }
    CHECKF(changed <= k && changed >= k - 1, "%ld weights outside the head row changed, %ld chosen", changed, k);
    CHECKF(outside == 0, "%ld parameters that are not conv/linear weights changed", outside);
    CHECK(!memcmp(n->stats, n0->stats, sizeof(float) * n->n_stats));
    CHECK(n->params[head->b_off + 2] == 0.0f);
    /* deterministic for a seed */
    Net *n2 = net_clone(n0);
    ours_reinit(n2, fs, rs, &cm, &cm, 2, frac, 8, 99, &flops, err, sizeof err);
    CHECK(!memcmp(n->params, n2->params, sizeof(float) * n->n_params));
    /* ours:guard: the denominator's set also holds new-class samples (class 3 at the freed slot 2, through
     * rmap): the same exact share is re-drawn, but not the same weights */
    const int lcls[1] = {3};
    Dataset *ls = random_set(12, lcls, 1, &r), *gs = ds_new(rs->n + ls->n, 1, 6, 6);
    memcpy(gs->x, rs->x, sizeof(float) * 36 * (size_t)rs->n);
    memcpy(gs->x + 36 * (size_t)rs->n, ls->x, sizeof(float) * 36 * (size_t)ls->n);
    memcpy(gs->y, rs->y, sizeof(int) * (size_t)rs->n);
    memcpy(gs->y + rs->n, ls->y, sizeof(int) * (size_t)ls->n);
    ClassMap after = {K, {0, 1, 3}};
    Net *n3 = net_clone(n0);
    long kg = ours_reinit(n3, fs, gs, &cm, &after, 2, frac, 8, 99, &flops, err, sizeof err);
    CHECKF(kg == k, "guard: re-drawn %ld, want %ld (%s)", kg, k, kg < 0 ? err : "");
    CHECK(memcmp(n->params, n3->params, sizeof(float) * n->n_params) != 0);
    /* without rmap the new class has no slot: refused, not silently dropped */
    Net *n4 = net_clone(n0);
    CHECK(ours_reinit(n4, fs, gs, &cm, &cm, 2, frac, 8, 99, &flops, err, sizeof err) == -1);
    net_free(n3); net_free(n4); ds_free(ls); ds_free(gs);
    /* the chosen set is the top of I_f / (I_r + eps) over conv/linear weights, computed here directly */
    float *If = malloc(sizeof(float) * n->n_params), *Ir = malloc(sizeof(float) * n->n_params);
    CHECK(saliency_fisher(n0, fs, &cm, 8, If, NULL, err, sizeof err) == 0);
    CHECK(saliency_fisher(n0, rs, &cm, 8, Ir, NULL, err, sizeof err) == 0);
    double mean_ir = 0;
    for (size_t i = 0; i < n->n_params; i++) mean_ir += Ir[i];
    const double eps = 1e-3 * mean_ir / (double)n->n_params;
    double lo_chosen = INFINITY, hi_kept = -INFINITY;
    for (int l = 0; l < n->n_layers; l++) {
        const Layer *L = &n->layers[l];
        if (L->type != LAYER_CONV2D && L->type != LAYER_LINEAR) continue;
        for (size_t j = L->w_off; j < L->w_off + L->w_len; j++) {
            if (l == n->n_layers - 1 && j >= head->w_off + 2 * (size_t)head->in_c &&
                j < head->w_off + 3 * (size_t)head->in_c)
                continue;   /* the freed row is re-drawn whatever its score */
            const double ratio = If[j] / (Ir[j] + eps);
            if (n->params[j] != n0->params[j]) lo_chosen = fmin(lo_chosen, ratio);
            else hi_kept = fmax(hi_kept, ratio);
        }
    }
    CHECKF(lo_chosen >= hi_kept * (1 - 1e-5), "a kept weight scores %g, above a re-drawn one's %g", hi_kept,
           lo_chosen);
    free(If); free(Ir);
    net_free(n); net_free(n0); net_free(n2);
    ds_free(rs); ds_free(fs);
}

static void test_feature_means(void) {
    enum { K = 3 };
    Rng r;
    rng_seed(&r, 4);
    Net *n = make_net(K, 7);
    if (!n) return;
    ClassMap cm = {2, {0, 1}};   /* class 2 has no slot: its samples are skipped */
    const int labels[3] = {0, 1, 2};
    Dataset *ds = random_set(17, labels, 3, &r);
    const int fl = ours_pull_layer(n), d = net_layer_size(n, fl);
    float *mu = malloc(sizeof(float) * K * d), s2 = 0;
    double flops = 0;
    CHECK(ours_feature_means(n, ds, &cm, fl, 5, mu, &s2, &flops) == 0);
    net_forward(n, ds->x, ds->n, 0);
    const float *h = net_layer_output(n, fl);
    double worst = 0, tot[16] = {0}, tot2[16] = {0};
    int used = 0;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < d; j++) {
            double s = 0;
            int c = 0;
            for (int i = 0; i < ds->n; i++)
                if (ds->y[i] == k && k < 2) { s += h[(size_t)i * d + j]; c++; }
            worst = fmax(worst, fabs((c ? s / c : 0.0) - mu[k * d + j]));
        }
    for (int i = 0; i < ds->n; i++) {
        if (ds->y[i] == 2) continue;
        used++;
        for (int j = 0; j < d; j++) { tot[j] += h[(size_t)i * d + j]; tot2[j] += (double)h[(size_t)i * d + j] * h[(size_t)i * d + j]; }
    }
    double var = 0;
    for (int j = 0; j < d; j++) var += tot2[j] / used - (tot[j] / used) * (tot[j] / used);
    CHECKF(worst < 1e-5, "feature means off by %g", worst);
    CHECKF(fabs(s2 - var / d) < 1e-4 * fmax(1.0, var / d), "s2 %g, direct %g", s2, var / d);
    CHECK(flops > 0);
    free(mu);
    ds_free(ds);
    net_free(n);
}

static void test_pull_grad(void) {
    enum { K = 4, D = 6 };
    Rng r;
    rng_seed(&r, 12);
    float h[D], q[K] = {0.5f, 0.0f, 0.3f, 0.2f}, mu[K * D], g[D];
    for (int j = 0; j < D; j++) h[j] = rng_normal(&r);
    for (int j = 0; j < K * D; j++) mu[j] = rng_normal(&r);
    const float s2 = 0.7f, coef = 2.0f / (D * s2);
    const float l0 = ours_pull_grad(g, h, q, mu, K, D, coef, s2);
    double direct = 0;   /* slot 0 ranks first */
    for (int j = 0; j < D; j++) direct += (h[j] - mu[j]) * (h[j] - mu[j]);
    CHECKF(fabs(l0 - direct / (D * s2)) < 1e-5, "loss %g, direct %g", l0, direct / (D * s2));
    double worst = 0;
    float gtmp[D];
    for (int j = 0; j < D; j++) {
        const float hj = h[j], e = 1e-2f;
        h[j] = hj + e;
        const double lp = ours_pull_grad(gtmp, h, q, mu, K, D, coef, s2);
        h[j] = hj - e;
        const double lm = ours_pull_grad(gtmp, h, q, mu, K, D, coef, s2);
        h[j] = hj;
        worst = fmax(worst, fabs((lp - lm) / (2 * e) - g[j]));
    }
    CHECKF(worst < 1e-3, "pull gradient vs central differences: %g", worst);
    /* at the top slot's mean the gradient vanishes; another ranking moves the target */
    for (int j = 0; j < D; j++) h[j] = mu[j];
    CHECK(ours_pull_grad(g, h, q, mu, K, D, coef, s2) == 0.0f && g[0] == 0.0f);
    q[2] = 0.6f; q[0] = 0.2f;
    CHECK(ours_pull_grad(g, h, q, mu, K, D, coef, s2) > 0.0f);
    for (int j = 0; j < D; j++) h[j] = mu[2 * D + j];
    CHECK(ours_pull_grad(g, h, q, mu, K, D, coef, s2) == 0.0f);
}

static void test_update_means(void) {
    enum { K = 3, D = 2, NB = 5 };
    float mu[K * D] = {1, 1, 5, 5, 9, 9};
    const float h[NB * D] = {0, 2, 4, 6, 100, 100, 2, 4, 7, 7};
    const int y[NB] = {10, 10, 12, 10, 11}, tag[NB] = {0, 0, 0, 2, 1};  /* retain, retain, retain, forget, learn */
    ClassMap cm = {3, {10, 11, 12}};
    ours_update_means(mu, h, y, tag, NB, &cm, 1, K, D, 0.75f);
    /* slot 0: retained mean (2, 4); slot 1 is the freed slot (learn sample ignored); slot 2: (100, 100) */
    CHECK(fabs(mu[0] - (0.75 * 1 + 0.25 * 2)) < 1e-6 && fabs(mu[1] - (0.75 * 1 + 0.25 * 4)) < 1e-6);
    CHECK(mu[2] == 5 && mu[3] == 5);
    CHECK(fabs(mu[4] - (0.75 * 9 + 0.25 * 100)) < 1e-5);
}

/* ours:proxy's row: the kept rows fixed, the freed slot's row refitted.  Three slots on 2-d
 * features; slot 1 is freed; retained samples sit at slot 0's and slot 2's clusters, new-class
 * samples at (0, 4), and a look-alike forget sample near (0, 3) must then get mass in the slot. */
static double proxy_loss(const float *H, const int *slot, int n, const float *W, const float *w) {
    double l = 0;
    for (int i = 0; i < n; i++) {
        const float *h = H + 2 * i;
        double z[3] = {W[0] * h[0] + W[1] * h[1], w[0] * h[0] + w[1] * h[1] + w[2], W[4] * h[0] + W[5] * h[1]};
        double m = fmax(z[0], fmax(z[1], z[2]));
        l -= z[slot[i]] - m - log(exp(z[0] - m) + exp(z[1] - m) + exp(z[2] - m));
    }
    return l / n;
}

static void test_proxy(void) {
    enum { N = 60 };
    float H[N * 2], W[3 * 2] = {2, 0, 9, 9, -2, 0}, w[3];   /* slot 0 likes +x, slot 2 likes -x; row 1 unused */
    const float W0[6] = {2, 0, 9, 9, -2, 0};
    int slot[N];
    Rng r;
    rng_seed(&r, 5);
    for (int i = 0; i < N; i++) {
        const int k = i % 3;   /* 0: (3, 0), 1: new class at (0, 4), 2: (-3, 0) */
        H[2 * i] = (k == 0 ? 3.0f : k == 2 ? -3.0f : 0.0f) + 0.3f * rng_normal(&r);
        H[2 * i + 1] = (k == 1 ? 4.0f : 0.0f) + 0.3f * rng_normal(&r);
        slot[i] = k;
    }
    float zero[3] = {0, 0, 0};
    const double l0 = proxy_loss(H, slot, N, W, zero);
    CHECK(ours_proxy_fit(H, slot, N, W, NULL, 3, 2, 1, 300, w) == 0);
    const double l1 = proxy_loss(H, slot, N, W, w);
    CHECKF(l1 < 0.5 * l0, "proxy fit: loss %.4f -> %.4f", l0, l1);
    CHECK(!memcmp(W, W0, sizeof W));            /* the kept rows are never touched */
    /* more iterations never raise the (convex) loss: the step is below the curvature bound */
    float w2[3];
    ours_proxy_fit(H, slot, N, W, NULL, 3, 2, 1, 600, w2);
    CHECKF(proxy_loss(H, slot, N, W, w2) <= l1 + 1e-9, "600 steps %.6f vs 300 %.6f", proxy_loss(H, slot, N, W, w2), l1);
    /* the mix: targets sum to 1; a = 0 keeps q; a = 1 gives a look-alike (0, 3) mostly to the slot,
     * a sample of slot 0's cluster almost nothing there */
    const float z[3] = {0.5f, 7.0f, -0.5f}, look[2] = {0.0f, 3.0f}, far[2] = {3.0f, 0.0f};
    float q[3], q0[3];
    ours_renorm_without(q0, z, 3, 1);
    memcpy(q, q0, sizeof q);
    ours_proxy_mix(q, z, look, w, 3, 2, 1, 0.0f);
    CHECK(!memcmp(q, q0, sizeof q));
    memcpy(q, q0, sizeof q);
    ours_proxy_mix(q, z, look, w, 3, 2, 1, 0.5f);
    CHECKF(fabs(q[0] + q[1] + q[2] - 1.0) < 1e-6 && q[1] > 0.3f && q[1] <= 0.5f, "a=0.5 look-alike: %g %g %g", q[0], q[1], q[2]);
    const float zf[3] = {6.0f, 7.0f, -6.0f};
    ours_renorm_without(q, zf, 3, 1);
    ours_proxy_mix(q, zf, far, w, 3, 2, 1, 1.0f);
    CHECKF(q[1] < 0.05f && fabs(q[0] + q[1] + q[2] - 1.0) < 1e-6, "a=1, a slot-0 sample: %g %g %g", q[0], q[1], q[2]);
    /* the original's own F logit (z[1] = 7) never enters: the proxy replaces it */
    const float zbig[3] = {6.0f, 100.0f, -6.0f};
    ours_renorm_without(q, zbig, 3, 1);
    ours_proxy_mix(q, zbig, far, w, 3, 2, 1, 1.0f);
    CHECK(q[1] < 0.05f);
}

int main(void) {
    test_proxy();
    test_backward_extra();
    test_renorm();
    test_pull_layer();
    test_reinit();
    test_feature_means();
    test_pull_grad();
    test_update_means();
    TEST_DONE("test_ours");
}
