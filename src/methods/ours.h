/* ours.h — the pieces of our procedure (ours.c), exposed for its tests. */
#ifndef OURS_H
#define OURS_H
#include "unlearn.h"

/* Teacher probabilities q [K] from logits with slot `drop` removed and the rest renormalised. */
void ours_renorm_without(float *q, const float *logits, int K, int drop);
/* The layer the feature pull acts on: the penultimate features (the layer before them if that is a dropout). */
int ours_pull_layer(const Net *net);
/* Re-draw the share `frac` of conv/linear weights most specific to slot F (Fisher on fs, labelled by `before`,
 * over Fisher on rs, labelled by rmap) and slot F's row of the last layer; returns how many weights were
 * chosen, or -1 with err. */
long ours_reinit(Net *net, const Dataset *fs, const Dataset *rs, const ClassMap *before, const ClassMap *rmap, int F,
                 float frac, int batch, uint64_t seed, double *flops, char *err, size_t errlen);
/* mu [K][d]: mean output of layer fl (eval mode) per slot of map over ds; *s2: mean feature variance. */
int ours_feature_means(Net *net, const Dataset *ds, const ClassMap *map, int fl, int batch, float *mu, float *s2,
                       double *flops);
/* The pull toward the kept slot q ranks first (ties: the lowest slot): g [d] = coef * (h - mu_top);
 * returns |h - mu_top|^2 / (d s2). */
float ours_pull_grad(float *g, const float *h, const float *q, const float *mu, int K, int d, float coef, float s2);
/* mu[k] <- m mu[k] + (1 - m) * mean of h over the batch's retained samples (tag TAG_RETAIN) of slot k
 * (labels y through map); slot F and slots absent from the batch unchanged. */
void ours_update_means(float *mu, const float *h, const int *y, const int *tag, int nb, const ClassMap *map, int F,
                       int K, int d, float m);
/* ours:proxy: the freed slot F's head row w [d+1] (weights, bias) refitted on features H [n][d] with slots
 * `slot` (retained: their own, new class: F), the other rows fixed at W [K][d], b [K] (b may be NULL).
 * 0, or -1 out of memory. */
int ours_proxy_fit(const float *H, const int *slot, int n, const float *W, const float *b, int K, int d, int F,
                   int iters, float *w);
/* q <- (1 - a) q + a softmax(z with z_F replaced by w.h + w[d]). */
void ours_proxy_mix(float *q, const float *z, const float *h, const float *w, int K, int d, int F, float a);
#endif
