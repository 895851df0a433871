/* relapse.h — relapse: does the forgotten class come back when the unlearned model
 * is fine-tuned on data WITHOUT it?  (2025 papers, e.g. arXiv 2505.22310, find that
 * fine-tuning on retained data alone restores the "forgotten" class for most
 * methods but not for a retrained model.)
 *
 * A COPY of the net is trained with the ordinary training loop (train_supervised:
 * Adam, constant step, no weight decay, no augmentation, batch-norm in training
 * mode) for a fixed number of steps on kept data only (retain + the new class when
 * the map slots it), labels through the net's own class map.  The metrics then
 * measure forget leakage and the linear probe on the copy (metrics.c).
 *
 * Measured (MNIST, 150 training images per class, small net, forget 6 learn 3,
 * defaults): no method relapses in leakage — retrain, finetune, neggrad+,
 * random-labels, salun, scrub, ssd, ours all end at <= 2.5% leakage after the
 * fine-tune, and the seed baseline (100% before) falls to 0.5%; neither does a
 * model whose slot was hidden by lowering its bias (4-20 logits) or zeroing its
 * row.  In this replacement task the fine-tune trains the freed slot for the NEW
 * class (and away from everything else), so a "6" has no route back into it.
 * relapse_probe (features after the fine-tune) does keep the signal: the hidden
 * output stays above retrain.  A budget or data that let the old class back (e.g.
 * retain only, plain forgetting) is a MetricsConfig choice away. */
#ifndef RELAPSE_H
#define RELAPSE_H
#include <stddef.h>
#include <stdint.h>
#include "net.h"
#include "dataset.h"
#include "classmap.h"

typedef struct {
    long steps;      /* optimiser steps (default 50) */
    float lr;        /* Adam step size (default 1e-3) */
    int batch;       /* default 64 */
    uint64_t seed;   /* batch order */
} RelapseConfig;

void relapse_config_default(RelapseConfig *c);

/* The fine-tuned copy (same device as net; net is not modified), or NULL with err.
 * Every sample of keep must have a slot in cm. */
Net *relapse_finetune(Net *net, const Dataset *keep, const ClassMap *cm, const RelapseConfig *c,
                      char *err, size_t errlen);
#endif
