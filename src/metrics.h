/* metrics.h — how an unlearned model is judged, on held-out data (definitions
 * in the README "Metrics" section):
 *   forget_leakage  share of test samples of the forgotten class predicted into its old slot
 *   new_class_acc   share of test samples of the new class predicted into that slot
 *   retained_acc    accuracy on the test samples of the other classes
 *   mia_efficacy    SalUn's MIA (libsvm RBF SVM, C=3, gamma auto) on max-softmax + entropy,
 *                   members = retain-train, non-members = retain-test; share of forget-train called non-member
 *   probe_acc       linear probe (logistic regression) on penultimate features, forgotten class vs rest,
 *                   trained on a probe-train split, accuracy on the test split (balanced)
 *   relearn_steps   steps until a fresh slot for the forgotten class reaches a test accuracy threshold
 *   seconds, flops  cost of the method; *_ratio fields divide by retrain's
 *   avg_gap         mean |metric - retrain's| over leakage, new-class, retained, MIA
 */
#ifndef METRICS_H
#define METRICS_H
#include "net.h"
#include "unlearn.h"

#include "relearn.h"

typedef struct {
    double forget_leakage, new_class_acc, retained_acc, mia_efficacy, probe_acc;
    double relearn_steps;        /* NaN if never reached within the cap (reported as > cap) */
    double seconds, flops, cost_ratio_time, cost_ratio_flops, avg_gap;
    /* diagnostics (NaN when the metric was not computed) */
    double mia_fit_acc;          /* the attack's accuracy on its own balanced training rows */
    double probe_train_acc;      /* the probe's balanced accuracy on probe-train */
    double relearn_final_acc;    /* forgotten-class accuracy at the last relearn evaluation */
    int relearn_points;          /* the relearn curve: accuracy after relearn_step[i] steps */
    int relearn_step[RELEARN_MAX_POINTS];
    float relearn_acc[RELEARN_MAX_POINTS];
} UnlearnMetrics;

typedef struct {
    int mia, probe, relearn;     /* which expensive metrics to compute */
    int relearn_k;               /* examples of the forgotten class for relearning (default 50) */
    float relearn_lr;            /* fixed small SGD step size (default 0.001) */
    float relearn_threshold;     /* test accuracy on the forgotten class to reach (default 0.8) */
    int relearn_max_steps;       /* cap (default 100) */
    uint64_t seed;
    int relearn_eval_every;      /* evaluate the relearn accuracy every N steps; 0 (default): every step to 20,
                                    every 2nd to 50, every 5th after */
    int relearn_batch;           /* relearn batch: half forgotten class, half kept data (default 32) */
    int mia_cap;                 /* MIA: members / non-members per fit and forget samples (default 1000; 5 fits averaged) */
    int probe_cap;               /* probe-train samples per side in each of 5 fits (default 50) */
} MetricsConfig;

void metrics_config_default(MetricsConfig *c);
/* The relearn step size calibrated per modality (SGD): "speech" 0.01 (its BN net's
 * logits move ~10x slower per step: at 0.001 even the original-features models
 * need > 100 steps), anything else 0.001 (the default). */
float metrics_relearn_lr_default(const char *modality);
/* Compute every metric for `net` (after unlearning, `after` slots) on task t.
 * seconds/flops/ratios/avg_gap are left NaN (the caller knows the cost). */
int metrics_compute(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m,
                    char *err, size_t errlen);
/* The same for a net whose slots follow `cm` (e.g. the original model: t->before).
 * Kept data for relearning = training samples of every class slotted in cm except the
 * forgotten one (retain, plus learn when cm slots it). */
int metrics_compute_map(Net *net, const UnlearnTask *t, const ClassMap *cm, const MetricsConfig *c,
                        UnlearnMetrics *m, char *err, size_t errlen);
void metrics_clear(UnlearnMetrics *m);   /* every value NaN, no curve */
/* Fill avg_gap and cost ratios against the retrained reference's metrics. */
void metrics_vs_retrain(UnlearnMetrics *m, const UnlearnMetrics *retrain);
#endif
