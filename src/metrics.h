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
 *
 * Raw measurements of ONE model for the tests of forgetting (issue 8, item 4); no
 * gold comparison happens here (the comparison tool compares ensembles):
 *   slot_hist       share of forget-test samples predicted into each output slot
 *                   (compare with js_divergence, divergence.h)
 *   margins         per-sample margins (klom.h) on fixed samples of forget-train,
 *                   forget-test and retain-test, in the ORIGINAL map t->before (KLoM
 *                   across models: metrics_klom)
 *   relapse_*       forget leakage and probe after fine-tuning a copy on kept data only (relapse.h;
 *                   relapse_probe needs the probe switch on)
 *   kshot_*         k-shot probe / nearest prototype on penultimate features, fit on the
 *                   validation split, scored on test (kshot.h); NaN without t->forget_val
 *   relearn_steps_k10/_k100  relearn time with 10 and 100 examples (relearn.h)
 *   mia_attack_acc/_p        the MIA attack's held-out balanced accuracy and its p-value
 *                   against chance (mia.h)
 *   sec_*           seconds each metric took (NaN when not computed)
 */
#ifndef METRICS_H
#define METRICS_H
#include "net.h"
#include "unlearn.h"

#include "relearn.h"
#include "klom.h"

enum { MARGIN_FORGET_TRAIN, MARGIN_FORGET_TEST, MARGIN_RETAIN_TEST, MARGIN_SETS };
#define MARGIN_MAX 256   /* margins kept per set (MetricsConfig.margin_cap, at most this) */

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
    /* tests of forgetting (raw, this model only; NaN / 0 counts when not computed) */
    int n_slot_hist;                    /* = the net's outputs */
    double slot_hist[MAX_SLOTS];        /* share of forget-test samples predicted into slot s */
    double mia_attack_acc, mia_attack_p;
    double relapse_leakage, relapse_probe;
    double kshot_probe_k5, kshot_probe_k50, kshot_proto_k5, kshot_proto_k50;
    double relearn_steps_k10, relearn_steps_k100;   /* NaN: not reached within the cap */
    int n_margins[MARGIN_SETS];         /* margins[set][i], i < n_margins[set] (NaN: class without a slot) */
    float margins[MARGIN_SETS][MARGIN_MAX];
    uint64_t margin_hash[MARGIN_SETS];  /* FNV-1a of the sampled examples (labels and inputs): same hash =
                                           same examples in the same order */
    double sec_outputs, sec_mia, sec_probe, sec_relearn, sec_relearn_ks, sec_relapse, sec_kshot, sec_margins;
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
    /* switches for the tests of forgetting (default 1 each) */
    int kshot, relapse, margins;
    int relearn_ks;              /* relearn_steps_k10 / _k100 (needs relearn too) */
    long relapse_steps;          /* relapse fine-tune: Adam steps (default 50) */
    float relapse_lr;            /* its constant step size (default 1e-3) */
    int relapse_batch;           /* default 64 */
    int margin_cap;              /* margins per set (default MARGIN_MAX = 256) */
    int kshot_repeats;           /* draws per k, averaged (default 5) */
} MetricsConfig;

void metrics_config_default(MetricsConfig *c);
/* Compute every metric for `net` (after unlearning, `after` slots) on task t.
 * seconds/flops/ratios/avg_gap are left NaN (the caller knows the cost). */
int metrics_compute(Net *net, const UnlearnTask *t, const MetricsConfig *c, UnlearnMetrics *m,
                    char *err, size_t errlen);
/* The same for a net whose slots follow `cm` (e.g. the original model: t->before).
 * Kept data for relearning = training samples of every class slotted in cm except the
 * forgotten one (retain, plus learn when cm slots it). */
int metrics_compute_map(Net *net, const UnlearnTask *t, const ClassMap *cm, const MetricsConfig *c,
                        UnlearnMetrics *m, char *err, size_t errlen);
void metrics_clear(UnlearnMetrics *m);   /* every value NaN, no curve, no margins */
/* KLoM of an ensemble a [na] (unlearned models) against b [nb] (gold models) on one
 * margin set: median and 95th percentile over its examples of klom_per_example
 * (var_floor: KLOM_VAR_FLOOR).  -1 when a set is empty or the models were not
 * measured on the same examples (counts or margin_hash differ: build every model's
 * task from the same data). */
int metrics_klom(const UnlearnMetrics *const *a, int na, const UnlearnMetrics *const *b, int nb, int set,
                 double var_floor, double *median, double *p95);
/* Fill avg_gap and cost ratios against the retrained reference's metrics. */
void metrics_vs_retrain(UnlearnMetrics *m, const UnlearnMetrics *retrain);
#endif
