/* head_only.c — "head-only", a positive CONTROL for the evaluation, not an
 * unlearning method: re-draw the last linear layer (weights He normal with
 * net_init's rule, std sqrt(2 / fan_in), from a seed derived from c->seed;
 * bias 0) and retrain only it on retain + learn data (after-slots; batches:
 * learn one class share, retain the rest), c->steps steps of c->opt at 10 x c->lr
 * (a head drawn afresh on frozen features moves slowly at the shared step size: on
 * validation data, MNIST --limit 300, 2 seeds, new-class accuracy 45.6% at 1x, 82.2% at
 * 10x; retained 78.0% / 92.5%).
 * Every other parameter and every batch-norm running statistic stays
 * bit-identical to the original: the optimiser mask freezes them, the frozen
 * values are restored after every step, and the net runs in eval mode (no
 * batch statistics, no dropout) so the features it trains the head on are
 * exactly the original's.  Its outputs lose the forgotten class (the new head
 * never sees it) while its features keep everything: an evaluation that calls
 * it "forgotten" on feature-level tests is too weak. */
#include "method_common.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const size_t n = net->n_params;
    int head = -1;
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].type == LAYER_LINEAR) head = l;
    if (head < 0) { snprintf(err, errlen, "head-only: the net has no linear layer"); return -1; }
    const Layer *L = &net->layers[head];
    float *orig = malloc((n ? n : 1) * sizeof(float));
    uint8_t *mask = calloc(n ? n : 1, 1);
    if (!orig || !mask) { free(orig); free(mask); snprintf(err, errlen, "head-only: out of memory"); return -1; }
    net_sync_to_host(net);
    memcpy(orig, net->params, n * sizeof(float));
    Rng r;
    rng_seed(&r, sub_seed(c->seed, 91));
    const float std = sqrtf(2.0f / (float)(L->w_len / (size_t)L->out_c));
    for (size_t j = 0; j < L->w_len; j++) { net->params[L->w_off + j] = std * rng_normal(&r); mask[L->w_off + j] = 1; }
    for (size_t j = 0; j < L->b_len; j++) { net->params[L->b_off + j] = 0.0f; mask[L->b_off + j] = 1; }
    net_sync_to_device(net);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += mask[i];
    st->frozen = (long)(n - k);
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 92));
    mixer_standard(&mx, t, c->batch, -1, 0.0f);
    int rc = mixer_ready(&mx, net, err, errlen);
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = 10.0f * c->lr, .opt = c->opt, .mask = mask, .restore = orig,
                      .eval_mode = 1, .label = "head-only", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    free(orig); free(mask);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_head_only = {
    "head-only", "CONTROL: re-draw and retrain only the last linear layer on retain + learn (features untouched)",
    run};
