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

typedef struct {
    double forget_leakage, new_class_acc, retained_acc, mia_efficacy, probe_acc;
    double relearn_steps;        /* NaN if never reached within the cap (reported as > cap) */
    double seconds, flops, cost_ratio_time, cost_ratio_flops, avg_gap;
} UnlearnMetrics;

typedef struct {
    int mia, probe, relearn;     /* which expensive metrics to compute */
    int relearn_k;               /* examples of the forgotten class for relearning (default 50) */
    float relearn_lr;            /* fixed small step size */
    float relearn_threshold;     /* test accuracy on the forgotten class to reach (default 0.8) */
    int relearn_max_steps;       /* cap (default 300) */
    uint64_t seed;
} MetricsConfig;

void metrics_config_default(MetricsConfig *c);
/* Compute every metric for `net` (after unlearning, `after` slots) on task t. */
int metrics_compute(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m,
                    char *err, size_t errlen);
/* Fill avg_gap and cost ratios against the retrained reference's metrics. */
void metrics_vs_retrain(UnlearnMetrics *m, const UnlearnMetrics *retrain);
#endif
