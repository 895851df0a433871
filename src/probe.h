/* probe.h — linear-probe recovery: is the forgotten class still linearly
 * decodable from the frozen network's penultimate features?
 *
 * Features: extract_features(net, d, net_feature_layer(net), batch) (the input of
 * the last linear layer), standardised with the probe-train mean/std.
 * Probe: L2-regularised logistic regression, "forgotten class (1) vs rest (0)",
 * classes weighted to count equally, fitted by Nesterov-accelerated gradient
 * descent (step 1/L, L from a power iteration) on a probe-train split drawn from
 * the TRAINING data (forget + retain, seeded).
 * Score: balanced accuracy ((TPR + TNR) / 2) on the TEST data (forget-test vs
 * retain-test).  0.5 = chance; the retrained model sets the floor.
 *
 * Few-shot by default: each fit sees 50 training samples per side (like the 50
 * examples the relearn attack gets), and the score is averaged over 5 draws.  On
 * digits "6 vs the rest" is linearly separable in the features of ANY decent
 * digit net, so with 1000 samples per side the probe saturates near 0.97 for the
 * original and retrain alike (gap ~1.5 points, within build-to-build noise); with
 * 50 the gap to retrain is ~3-5 points (features that still encode the class
 * make it decodable from fewer examples).
 */
#ifndef PROBE_H
#define PROBE_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"

typedef struct {
    int cap_pos, cap_neg;  /* probe-train samples per side in each fit (defaults 50, 50) */
    int pool;              /* drawn from pools of at most this many per side, featurised once (default 1000) */
    int repeats;           /* fits on independent draws, scores averaged (default 5) */
    int test_cap;          /* at most this many test samples per side, 0 = all (default 2000) */
    double l2;             /* ridge on the standardised weights (default 1e-2; bias unpenalised) */
    int iters;             /* gradient iterations (default 300) */
    uint64_t seed;
} ProbeConfig;

void probe_config_default(ProbeConfig *c);

/* Logistic regression on raw features (standardisation is part of the model). */
typedef struct {
    int d;
    double *w, b;          /* on standardised features */
    double *mu, *sd;
} LogReg;

/* X [n][d], y in {0,1}.  Balanced class weights.  0, or -1 with err. */
int logreg_fit(LogReg *m, const float *X, const int *y, int n, int d, double l2, int iters,
               char *err, size_t errlen);
double logreg_logit(const LogReg *m, const float *x);
/* (TPR + TNR) / 2 over positives P [np][d] and negatives N [nn][d]. */
double logreg_balanced_acc(const LogReg *m, const float *P, int np, const float *N, int nn);
void logreg_free(LogReg *m);

typedef struct {
    double bal_acc;        /* on the test split: the metric (mean over repeats) */
    double bal_acc_std;    /* its sample std over the repeats */
    double train_bal_acc;  /* on the probe-train rows (mean over repeats) */
    int n_train, n_test, dim;   /* n_train: rows per fit */
} ProbeResult;

int probe_accuracy(Net *net, const Dataset *pos_train, const Dataset *neg_train, const Dataset *pos_test,
                   const Dataset *neg_test, const ProbeConfig *c, ProbeResult *r, char *err, size_t errlen);
#endif
