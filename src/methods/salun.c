/* salun.c — SalUn (saliency unlearning), random-label form.
 *
 * Mask: the top mask_frac (default 0.5) of |sum over forget batches of the
 * gradient of -CE| over ALL parameters (one global threshold; ties by index).
 * Training: forget samples relabelled to random other slots (once per sample)
 * together with retain + learn (after-slots); the optimiser updates only the
 * salient weights, and after EVERY step the frozen weights are set back to
 * their original values and their optimiser state zeroed (a copy of the
 * original parameters is kept), so they end bit-identical to the original.
 * Learns the new class itself (learn data in every batch). */
#include "method_common.h"
#include "saliency.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const size_t n = net->n_params;
    float *score = malloc((n ? n : 1) * sizeof(float)), *orig = malloc((n ? n : 1) * sizeof(float));
    uint8_t *mask = malloc(n ? n : 1);
    if (!score || !orig || !mask) {
        free(score); free(orig); free(mask);
        snprintf(err, errlen, "salun: out of memory");
        return -1;
    }
    net_sync_to_host(net);
    memcpy(orig, net->params, n * sizeof(float));
    int rc = forget_importance(net, t, c, 0, score, st, err, errlen);
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, 16));
    if (rc == 0) {
        size_t k = saliency_top_mask(score, n, c->mask_frac, mask);
        st->frozen = (long)(n - k);
        mixer_standard(&mx, t, c->batch, TGT_RANDOM_OTHER, 1.0f);
        rc = mixer_ready(&mx, net, err, errlen);
    }
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = c->lr, .opt = c->opt, .mask = mask, .restore = orig,
                      .label = "salun", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    free(score); free(orig); free(mask);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_salun = {
    "salun", "SalUn: random labels on forget + retain/learn, only the top mask-frac salient weights train", run};
