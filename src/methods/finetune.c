/* finetune.c — fine-tune every parameter on retain + learn (after-slots), no
 * forget term: the forgotten class fades only by not being seen, while the new
 * class takes over its slot.  Batches: learn one class share, retain the rest. */
#include "method_common.h"

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 11));
    mixer_standard(&mx, t, c->batch, -1, 0.0f);
    int rc = mixer_ready(&mx, net, err, errlen);
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = c->lr, .opt = c->opt, .label = "finetune", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_finetune = {
    "finetune", "fine-tune all weights on retain + learn data (no forget term)", run};
