/* saliency.c — parameter importance and top-fraction masks (see saliency.h). */
#include "saliency.h"
#include "layers.h"
#include "train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checks every pass makes first: a non-empty set of the net's sample shape, every
 * label with a slot.  0 or -1 with err. */
static int pass_check(const Net *net, const Dataset *d, const ClassMap *cm, char *err, size_t errlen) {
    const size_t ss = ds_sample_size(d);
    if (d->n <= 0) { snprintf(err, errlen, "importance: the data set is empty"); return -1; }
    if ((int)ss != net->in_c * net->in_h * net->in_w) {
        snprintf(err, errlen, "importance: samples are %dx%dx%d but the net expects %dx%dx%d", d->c, d->h, d->w,
                 net->in_c, net->in_h, net->in_w);
        return -1;
    }
    for (int i = 0; i < d->n; i++) {
        int s = classmap_slot(cm, d->y[i]);
        if (s < 0 || s >= net->n_classes) {
            snprintf(err, errlen, "importance: sample %d has class %d, which has no output slot", i, d->y[i]);
            return -1;
        }
    }
    return 0;
}

/* Where a pass sums its batch gradients.  CPU net: in double on the host (acc).  GPU net:
 * in a device vector (dev), so no gradient leaves the device per batch —
 *   fisher  per batch: zero the gradients, backward, dev += g^2 / nbatches;
 *   abs     the gradients are NOT zeroed between batches (backward accumulates), so after
 *           the last batch they hold the sum and dev = |sum| is one kernel. */
typedef struct {
    double *acc;
    CudaVec *dev;
    int fisher;
    long nbatches;            /* batches summed so far */
    float scale;              /* GPU fisher: 1 / the number of batches of the pass */
} GradSum;

static void sum_zero(Net *net, const GradSum *g) {
    if (!g->dev || g->fisher || g->nbatches == 0) net_zero_grad(net);
}

static void sum_add(Net *net, GradSum *g) {
    g->nbatches++;
    if (g->dev) {
        if (g->fisher) cuda_saliency_accumulate(g->dev, 1, g->scale);
        return;
    }
    net_sync_to_host(net);    /* no-op on the CPU */
    const float *gr = net->grads;
    if (g->fisher) {
        for (size_t i = 0; i < net->n_params; i++) g->acc[i] += (double)gr[i] * gr[i];
    } else {
        for (size_t i = 0; i < net->n_params; i++) g->acc[i] += gr[i];
    }
}

/* The finished scores: into score (host, may be NULL) from acc, or on the GPU into dev
 * (then downloaded into score once when score != NULL). */
static int sum_finish(Net *net, GradSum *g, float *score) {
    if (g->dev) {
        if (!g->fisher && cuda_saliency_accumulate(g->dev, 0, 1.0f)) return -1;
        return score ? cuda_vec_download(g->dev, score) : 0;
    }
    for (size_t i = 0; i < net->n_params; i++)
        score[i] = g->fisher ? (float)(g->acc[i] / (double)g->nbatches) : (float)fabs(g->acc[i]);
    return 0;
}

/* The batches: forward (eval mode), mean CE, backward, summed into g.  0 or -1 with err. */
static int pass_batches(Net *net, const Dataset *d, const ClassMap *cm, int batch, GradSum *g, double *flops,
                        char *err, size_t errlen) {
    const int K = net->n_classes;
    const size_t ss = ds_sample_size(d);
    int *idx = malloc((size_t)batch * sizeof(int)), *y = malloc((size_t)batch * sizeof(int));
    float *x = malloc((size_t)batch * ss * sizeof(float)), *t = malloc((size_t)batch * K * sizeof(float));
    float *probs = malloc((size_t)batch * K * sizeof(float)), *dl = malloc((size_t)batch * K * sizeof(float));
    int rc = 0;
    if (!idx || !y || !x || !t || !probs || !dl) { snprintf(err, errlen, "importance: out of memory"); rc = -1; }
    for (int b0 = 0; rc == 0 && b0 < d->n; b0 += batch) {
        int nb = d->n - b0 < batch ? d->n - b0 : batch;
        for (int i = 0; i < nb; i++) idx[i] = b0 + i;
        ds_gather(d, idx, nb, x, y);
        onehot_targets(t, y, nb, cm, K);
        const float *logits = net_forward(net, x, nb, 0);   /* eval mode (see saliency.h) */
        float loss = softmax_ce(probs, dl, logits, t, NULL, nb, K);
        if (!isfinite(loss)) {
            snprintf(err, errlen, "importance: the loss is %f on batch %ld", loss, g->nbatches);
            rc = -1;
            break;
        }
        sum_zero(net, g);
        net_backward(net, dl, nb);
        sum_add(net, g);
        if (flops) *flops += 3.0 * nb * net_forward_flops(net);
    }
    free(idx); free(y); free(x); free(t); free(probs); free(dl);
    return rc;
}

/* One pass over d in batches: the batch-mean CE gradient summed (fisher = 0, score = |sum|)
 * or its square averaged (fisher = 1).  Scores into score (host) or, for a net on the GPU,
 * into dscore (a device vector of n_params; score may then be NULL).  A GPU net with score
 * only sums on the device too when a device vector can be had, and downloads once. */
static int grad_pass(Net *net, const Dataset *d, const ClassMap *cm, int batch, float *score, CudaVec *dscore,
                     int fisher, double *flops, char *err, size_t errlen) {
    const size_t np = net->n_params;
    if (batch < 1) batch = 1;
    if (pass_check(net, d, cm, err, errlen)) return -1;
    GradSum g = {.fisher = fisher, .dev = dscore, .scale = 1.0f / (float)((d->n + batch - 1) / batch)};
    if (!g.dev && net->device == DEVICE_CUDA) g.dev = cuda_vec_new(net, np);
    if (g.dev && (cuda_vec_len(g.dev) != np || cuda_vec_zero(g.dev))) {
        if (g.dev != dscore) cuda_vec_free(g.dev);
        snprintf(err, errlen, "importance: the device score vector does not fit the net");
        return -1;
    }
    if (!g.dev && !score) { snprintf(err, errlen, "importance: the net is not on the GPU"); return -1; }
    net_sync_to_host(net);    /* the statistics are saved on the host (a GPU net: once, not per batch) */
    float *stats0 = malloc((net->n_stats ? net->n_stats : 1) * sizeof(float));
    if (!g.dev) g.acc = calloc(np ? np : 1, sizeof(double));
    int rc = 0;
    if (!stats0 || (!g.dev && !g.acc)) { snprintf(err, errlen, "importance: out of memory"); rc = -1; }
    else memcpy(stats0, net->stats, net->n_stats * sizeof(float));
    uint64_t drop0 = net->dropout_state;
    if (rc == 0) rc = pass_batches(net, d, cm, batch, &g, flops, err, errlen);
    if (rc == 0 && sum_finish(net, &g, score)) { snprintf(err, errlen, "importance: device error"); rc = -1; }
    /* the importance pass leaves the model as it found it */
    if (stats0) memcpy(net->stats, stats0, net->n_stats * sizeof(float));
    net->dropout_state = drop0;
    net_sync_to_device(net);
    net_zero_grad(net);
    if (g.dev != dscore) cuda_vec_free(g.dev);
    free(stats0); free(g.acc);
    return rc;
}

int saliency_grad_abs(Net *net, const Dataset *d, const ClassMap *cm, int batch, float *score,
                      double *flops, char *err, size_t errlen) {
    return grad_pass(net, d, cm, batch, score, NULL, 0, flops, err, errlen);
}

int saliency_fisher(Net *net, const Dataset *d, const ClassMap *cm, int batch, float *score,
                    double *flops, char *err, size_t errlen) {
    return grad_pass(net, d, cm, batch, score, NULL, 1, flops, err, errlen);
}

int saliency_fisher_dev(Net *net, const Dataset *d, const ClassMap *cm, int batch, CudaVec *score, double *flops,
                        char *err, size_t errlen) {
    if (!score || net->device != DEVICE_CUDA) {
        snprintf(err, errlen, "importance: the net is not on the GPU");
        return -1;
    }
    return grad_pass(net, d, cm, batch, NULL, score, 1, flops, err, errlen);
}

/* ---- deterministic top-k ---- */
typedef struct { float s; size_t i; } Item;

/* a comes before b: larger score first, ties (and NaN, mapped to -inf) by lower index */
static inline int before(Item a, Item b) {
    return a.s > b.s || (a.s == b.s && a.i < b.i);
}

/* Rearrange it[lo..hi] so that the k-th element in `before` order (0-based,
 * lo <= k <= hi) sits at k, every element before it comes before it and every
 * element after it comes after it.  Pivots from a fixed splitmix stream, so the
 * work is expected linear whatever the input and the result is unique anyway
 * (the order is total). */
static void quickselect(Item *it, size_t lo, size_t hi, size_t k) {
    uint64_t st = 0x5a11e9c7ULL;
    while (lo < hi) {
        size_t p = lo + (size_t)(splitmix64(&st) % (uint64_t)(hi - lo + 1));
        Item piv = it[p];
        it[p] = it[hi];
        it[hi] = piv;
        size_t store = lo;
        for (size_t j = lo; j < hi; j++)
            if (before(it[j], piv)) { Item tmp = it[j]; it[j] = it[store]; it[store] = tmp; store++; }
        it[hi] = it[store];
        it[store] = piv;
        if (store == k) return;
        if (k < store) hi = store - 1;
        else lo = store + 1;
    }
}

size_t saliency_top_mask(const float *score, size_t n, float frac, uint8_t *mask) {
    if (!(frac > 0.0f)) frac = 0.0f;     /* also NaN */
    if (frac > 1.0f) frac = 1.0f;
    size_t k = (size_t)llround((double)frac * (double)n);
    if (k > n) k = n;
    if (k == 0) { memset(mask, 0, n); return 0; }
    if (k == n) { memset(mask, 1, n); return n; }
    Item *it = malloc(n * sizeof(Item));
    if (!it) { fprintf(stderr, "out of memory (saliency mask)\n"); exit(1); }
    for (size_t i = 0; i < n; i++) {
        it[i].s = isnan(score[i]) ? -INFINITY : score[i];
        it[i].i = i;
    }
    quickselect(it, 0, n - 1, k - 1);
    memset(mask, 0, n);
    for (size_t j = 0; j < k; j++) mask[it[j].i] = 1;
    free(it);
    return k;
}

Dataset *saliency_sample_union(const Dataset *a, const Dataset *b, int max, uint64_t seed) {
    int na = a->n, nb = b ? b->n : 0, total = na + nb;
    if (b && (b->c != a->c || b->h != a->h || b->w != a->w)) return NULL;
    int m = (max <= 0 || max >= total) ? total : max;
    int *pick = malloc((size_t)(total ? total : 1) * sizeof(int));
    if (!pick) return NULL;
    for (int i = 0; i < total; i++) pick[i] = i;
    if (m < total) {
        Rng r;
        rng_seed(&r, seed);
        for (int i = 0; i < m; i++) {   /* partial Fisher-Yates: the first m are a uniform sample */
            int j = i + rng_int(&r, total - i);
            int tmp = pick[i]; pick[i] = pick[j]; pick[j] = tmp;
        }
        /* back into union order (counting sort over a flag array) */
        uint8_t *flag = calloc((size_t)total, 1);
        if (!flag) { free(pick); return NULL; }
        for (int i = 0; i < m; i++) flag[pick[i]] = 1;
        int w = 0;
        for (int i = 0; i < total; i++) if (flag[i]) pick[w++] = i;
        free(flag);
    }
    Dataset *o = ds_new(m, a->c, a->h, a->w);
    if (!o) { free(pick); return NULL; }
    size_t ss = ds_sample_size(a);
    for (int i = 0; i < m; i++) {
        const Dataset *src = pick[i] < na ? a : b;
        int j = pick[i] < na ? pick[i] : pick[i] - na;
        memcpy(o->x + (size_t)i * ss, src->x + (size_t)j * ss, ss * sizeof(float));
        o->y[i] = src->y[j];
    }
    free(pick);
    return o;
}
