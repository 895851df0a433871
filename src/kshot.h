/* kshot.h — k-shot recovery: can the forgotten class be read off the frozen
 * penultimate features (the input of the last linear layer) from k labelled
 * examples?
 *
 * Fit data, from the VALIDATION split (never test): k samples of the forgotten
 * class (all of them when fewer) and k samples of EACH kept class (classes of the
 * negative set; at most pool_per_class of each class are featurised, seeded).
 * Score, on the TEST split: forgotten-class test samples (positives) vs kept-class
 * test samples (negatives, at most test_cap of each side), balanced accuracy
 * (TPR + TNR) / 2 of "is the forgotten class".  Two readers:
 *   probe  the logistic regression of probe.c (standardised on the fit rows,
 *          balanced class weights, l2, Nesterov iterations);
 *   proto  nearest prototype: one prototype per class = mean feature vector of its k
 *          fit samples; squared Euclidean distance on the raw (unstandardised)
 *          features; "forgotten" when the forgotten class's prototype is nearest.
 * Each k is averaged over `repeats` seeded draws (same test rows for every draw).
 * 0.5 = chance; features that keep the class score high from few examples.
 */
#ifndef KSHOT_H
#define KSHOT_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"

typedef struct {
    int repeats;          /* draws per k, averaged (default 5) */
    int pool_per_class;   /* featurised validation samples per class (default 100; raised to k) */
    int test_cap;         /* test samples per side (default 2000; 0 = all) */
    double l2;            /* probe ridge (default 1e-2, as probe.c) */
    int iters;            /* probe iterations (default 300) */
    uint64_t seed;
} KshotConfig;

void kshot_config_default(KshotConfig *c);

typedef struct {
    double probe, proto;          /* balanced accuracies (mean over draws) */
    double probe_std, proto_std;  /* sample std over the draws */
    int k_pos, k_neg;             /* fit rows per draw: forgotten class, kept classes together */
} KshotResult;

/* On given features (rows of dim d): positives Pv [np_v] and negatives Nv [nn_v] with
 * class labels yn_v for fitting; Pt [np_t] / Nt [nn_t] for scoring.  r [nk]: one
 * result per k in ks.  0, or -1 with err. */
int kshot_on_features(const float *Pv, int np_v, const float *Nv, const int *yn_v, int nn_v, const float *Pt,
                      int np_t, const float *Nt, int nn_t, int d, const int *ks, int nk, const KshotConfig *c,
                      KshotResult *r, char *err, size_t errlen);

/* The whole metric on net's penultimate features: fit on pos_val (forgotten class) and
 * neg_val (kept classes), score on pos_test / neg_test. */
int kshot_eval(Net *net, const Dataset *pos_val, const Dataset *neg_val, const Dataset *pos_test,
               const Dataset *neg_test, const int *ks, int nk, const KshotConfig *c, KshotResult *r,
               char *err, size_t errlen);
#endif
