/* relapse.c — fine-tune a copy on kept data only (see relapse.h). */
#include "relapse.h"
#include "train.h"
#include <stdio.h>

void relapse_config_default(RelapseConfig *c) {
    c->steps = 50;
    c->lr = 1e-3f;
    c->batch = 64;
    c->seed = 1;
}

Net *relapse_finetune(Net *net, const Dataset *keep, const ClassMap *cm, const RelapseConfig *c,
                      char *err, size_t errlen) {
    if (!keep || !keep->n) { snprintf(err, errlen, "relapse: no kept data"); return NULL; }
    net_sync_to_host(net);
    Net *copy = net_clone(net);
    if (net->device == DEVICE_CUDA && net_set_device(copy, "cuda", err, errlen)) { net_free(copy); return NULL; }
    TrainConfig tc;
    train_config_default(&tc);
    tc.max_steps = c->steps > 0 ? c->steps : 1;
    tc.batch = c->batch > 0 ? c->batch : 64;
    tc.opt = OPT_ADAM;
    tc.lr = c->lr;
    tc.momentum = 0;
    tc.weight_decay = 0;
    tc.cosine = 0;
    tc.seed = c->seed;
    tc.verbose = 0;
    tc.augment = NULL;
    tc.mask = NULL;
    TrainStats st;
    if (train_supervised(copy, keep, cm, &tc, &st, err, errlen)) { net_free(copy); return NULL; }
    return copy;
}
