/* mia.h — membership inference attack, SalUn's protocol adapted to class
 * replacement.
 *
 * Features per sample (2): the maximum softmax probability and the entropy of
 * the softmax (natural log).  We do not use the "true-label confidence" SalUn
 * also offers: after replacement the forgotten class has no slot, so its
 * true-label confidence is undefined.
 *
 * Attack: an RBF SVM (libsvm, C = 3, gamma "auto" = 1/num_features) trained on
 * members (retain-train, label 1) vs non-members (retain-test, label 0), h of
 * each (seeded; h = half the smaller pool, pools of at most 2 cap rows).
 * Efficacy: share of forget-TRAIN samples the attack calls non-member (higher =
 * the forgotten samples look less like training data; retrain sets the level).
 *
 * Repeats: on a model that generalises, members and non-members are nearly
 * indistinguishable and the SVM's boundary in the dense high-confidence corner
 * is close to arbitrary, so one draw can flip the efficacy of confident forget
 * samples between ~0.1 and ~0.9.  We therefore average the efficacy over
 * `repeats` seeded draws of the balanced training rows (from pools of at most
 * twice the balanced count, featurised once).  fit_acc near 0.5 says the attack
 * has no signal and the efficacy is mostly noise.
 *
 * Held-out attack accuracy and its significance.  Each repeat splits the two
 * pools (members, non-members; the same size 2h, h <= cap) at random into halves:
 * the attack is fitted on h members + h non-members and scored on the other h + h
 * (balanced accuracy = correct / 2h, both sides having h rows).  attack_acc is the
 * mean over the repeats; the efficacy uses the same fits.
 * Test (one-sided, H0: the attack is no better than chance): under H0 members and
 * non-members are exchangeable, so whatever the fitted attack calls "member" with
 * probability q on either side, its correct count C on the 2h held-out rows has
 * mean h and variance 2h q (1 - q) <= 2h / 4, the variance of Binomial(2h, 1/2);
 * a mean over repeats has variance no larger.  We therefore take the mean correct
 * count C and report p = P(Binomial(2h, 1/2) >= C) by the normal approximation with
 * continuity correction, p = 1/2 erfc(z / sqrt 2), z = (C - 1/2 - h) / sqrt(2h / 4)
 * (conservative: exact for q = 1/2, smaller variance otherwise).  The attack is
 * "significant" at level a when attack_p < a (the comparison uses a = 0.05).
 */
#ifndef MIA_H
#define MIA_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"

#define MIA_FEATURES 2

typedef struct {
    int cap;          /* at most this many members and as many non-members per fit (default 1000) */
    int repeats;      /* fits on independent balanced draws, efficacy averaged (default 5) */
    double C;         /* SVM cost (default 3) */
    double gamma;     /* RBF gamma; <= 0: "auto" = 1/MIA_FEATURES */
    uint64_t seed;    /* subsampling */
} MiaConfig;

void mia_config_default(MiaConfig *c);

/* feat [n][2] <- (max softmax, entropy) of probs [n][K]. */
void mia_features(const float *probs, int n, int K, float *feat);
/* Softmax features of every sample of d under net (eval mode); malloc'd [n][2]. */
float *mia_net_features(Net *net, const Dataset *d);

typedef struct MiaModel MiaModel;
/* Fit the attack on members (label 1) and non-members (label 0), features [n][2]
 * (all the rows given are used: subsample before).  NULL with err on failure. */
MiaModel *mia_fit(const float *members, int n_mem, const float *nonmembers, int n_non, const MiaConfig *c,
                  char *err, size_t errlen);
int mia_predict(const MiaModel *m, const float *feat);            /* 1 member, 0 non-member */
double mia_nonmember_share(const MiaModel *m, const float *feat, int n);
void mia_free(MiaModel *m);

typedef struct {
    double efficacy;      /* share of forget-train predicted non-member (mean over repeats) */
    double efficacy_std;  /* its sample std over the repeats */
    double fit_acc;       /* attack accuracy on its own (balanced) training rows (mean over repeats) */
    double attack_acc;    /* balanced accuracy on the held-out halves (mean over repeats) */
    double attack_p;      /* one-sided p-value of attack_acc against chance (see above) */
    int n_members, n_nonmembers, n_forget;   /* rows per fit (h each) and forget samples */
    int n_heldout;        /* held-out rows per side (h) */
} MiaResult;

/* p = P(Binomial(n, 1/2) >= correct), normal approximation with continuity correction
 * (correct may be a mean over repeats).  NaN when n < 1. */
double mia_chance_p(double correct, int n);

/* The whole metric. retain_train / retain_test / forget_train as in unlearn.h. */
int mia_efficacy(Net *net, const Dataset *retain_train, const Dataset *retain_test, const Dataset *forget_train,
                 const MiaConfig *c, MiaResult *r, char *err, size_t errlen);
#endif
