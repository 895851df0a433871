/* retrain.c — the gold standard: a fresh network (net_init with c->seed)
 * trained from scratch on retain + learn with the after-slots.
 *
 * Recipe: c->recipe when given (batch, lr, optimiser, weight decay, cosine
 * schedule, augmentation, epochs), else batch/lr/opt of c with a cosine
 * schedule.  Budget: c->steps optimiser steps when > 0, else the recipe's
 * epochs over retain + learn (3 epochs without a recipe). */
#include "method_common.h"
#include <stdio.h>

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    Dataset *d = ds_concat(t->retain, t->learn);
    if (!d) { snprintf(err, errlen, "retrain: out of memory"); return -1; }
    TrainConfig tc;
    if (c->recipe) {
        tc = *c->recipe;
    } else {
        train_config_default(&tc);
        tc.batch = c->batch;
        tc.lr = c->lr;
        tc.opt = c->opt;
        tc.cosine = 1;
    }
    tc.seed = c->seed;
    tc.max_steps = c->steps > 0 ? c->steps : 0;
    tc.verbose = c->verbose;
    tc.mask = NULL;
    net_init(net, c->seed);
    TrainStats ts;
    int rc = train_supervised(net, d, &t->after, &tc, &ts, err, errlen);
    st->steps = ts.steps;
    st->flops = 3.0 * (double)ts.images * net_forward_flops(net);
    ds_free(d);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_retrain = {
    "retrain", "gold standard: train from scratch on retain + learn (the pre-training recipe)", run};
