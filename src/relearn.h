/* relearn.h — relearn time: how fast does a forgotten class come back?
 *
 * The net gets one fresh output slot for the forgotten class (same spec with one
 * more class; every weight copied; the new row of the last linear layer and its
 * bias start at zero, so no seed is involved).  It is then fine-tuned with plain
 * SGD (fixed step, no momentum, no weight decay) on batches that are half the k
 * forgotten-class examples (to the new slot) and half kept training data (to
 * their own slots).  Every eval_every steps the test accuracy on the forgotten
 * class is measured: the share of its test samples predicted into the NEW slot
 * (or into a slot the map still gives to the forgotten class: the original model
 * has not forgotten, so it "relearns" in 0 steps).  The relearn time is the
 * first step count at which it reaches the threshold, NaN if it never does
 * within max_steps.  A model that still encodes the class
 * (the original, or one whose output was only hidden) relearns faster than one
 * that never saw it (retrain).
 */
#ifndef RELEARN_H
#define RELEARN_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"
#include "optim.h"

#define RELEARN_MAX_POINTS 128

typedef struct {
    int k;             /* examples of the forgotten class (default 50) */
    float lr;          /* step size (default 0.001) */
    OptKind opt;       /* OPT_SGD (default: plain SGD, no momentum, no weight decay) or OPT_ADAM */
    float threshold;   /* forgotten-class test accuracy to reach (default 0.8) */
    int max_steps;     /* cap (default 100) */
    int eval_every;    /* evaluate every N steps (raised so the curve fits RELEARN_MAX_POINTS); 0 (default):
                          every step up to 20, every 2nd up to 50, every 5th after */
    int batch;         /* default 32: half forgotten-class examples, half kept data */
    int test_cap;      /* at most this many forgotten-class test samples (default 200; 0 = all) */
    uint64_t seed;
} RelearnConfig;

void relearn_config_default(RelearnConfig *c);

typedef struct {
    double steps;                     /* NaN: not reached within max_steps */
    double final_acc;                 /* accuracy at the last evaluation */
    double seconds;
    int n_points;                     /* the curve: accuracy after step[i] steps (step 0 first) */
    int step[RELEARN_MAX_POINTS];
    float acc[RELEARN_MAX_POINTS];
} RelearnResult;

/* A new net (same device as net) with one more output slot; the new row and bias are zero.
 * NULL with err when the spec's last layer is not "linear classes". */
Net *net_add_output_slot(Net *net, char *err, size_t errlen);

/* net is not modified.  cm: the net's class map (keep_train's labels must have slots in it);
 * forget samples go to the new slot cm->n_slots. */
int relearn_run(Net *net, const ClassMap *cm, const Dataset *forget_train, const Dataset *keep_train,
                const Dataset *forget_test, const RelearnConfig *c, RelearnResult *r, char *err, size_t errlen);
#endif
