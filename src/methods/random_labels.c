/* random_labels.c — every forget sample gets a random label among the OTHER
 * slots (uniform, drawn once per sample from the seed) and is trained together
 * with retain + learn (after-slots), all weights trainable.  Batches: learn and
 * forget one class share each, retain the rest. */
#include "method_common.h"

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 13));
    mixer_standard(&mx, t, c->batch, TGT_RANDOM_OTHER, 1.0f);
    int rc = mixer_ready(&mx, net, err, errlen);
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = c->lr, .opt = c->opt, .label = "random-labels",
                      .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_random_labels = {
    "random-labels", "forget samples relabelled to random other slots, trained with retain + learn", run};
