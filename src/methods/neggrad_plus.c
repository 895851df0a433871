/* neggrad_plus.c — NegGrad+: one joint loss on combined batches,
 *   (1/B) [ sum_{retain, learn} CE  -  forget_weight * sum_{forget} CE ]
 * the forget samples' CE taken at their ORIGINAL slot (before-map), i.e. a
 * per-sample weight of -forget_weight through softmax_ce.  Batches: learn and
 * forget one class share each, retain the rest. */
#include "method_common.h"

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 12));
    mixer_standard(&mx, t, c->batch, TGT_SLOT, -c->forget_weight);
    int rc = mixer_ready(&mx, net, err, errlen);
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = c->lr, .opt = c->opt, .label = "neggrad+", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_neggrad_plus = {
    "neggrad+", "joint loss: CE on retain + learn minus forget_weight x CE on forget", run};
