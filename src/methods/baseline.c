/* baseline.c — the seed's naive procedure, and the same with retain data.
 *
 * 1. Importance of every weight for the forgotten class on the forget set
 *    (c->saliency SALIENCY_GRAD: |sum of CE gradients|, SALIENCY_FISHER: Fisher diagonal from per-batch
 *    gradients); the top mask_frac stay trainable, the rest are frozen
 *    exactly by the masked optimiser.
 * 2. Fine-tune the trainable weights with a loss that penalises the forgotten
 *    class on forget samples (c->variant VARIANT_ASCENT: gradient ascent on CE at the
 *    old slot, weight -forget_weight; VARIANT_UNIFORM: uniform target over all slots;
 *    VARIANT_OTHER: uniform over the other slots, weight 1 for both) and rewards the
 *    new class in the slot (CE on learn samples, after-slots).
 *
 * "baseline": forget + learn data only, half a batch each (as first described:
 * no retain data).  "baseline+retain": learn and forget one class share each,
 * retain (CE, after-slots) the rest. */
#include "method_common.h"
#include "saliency.h"
#include <stdio.h>
#include <stdlib.h>

static int run_common(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, int with_retain,
                      char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const size_t n = net->n_params;
    if ((int)c->variant < VARIANT_ASCENT || c->variant > VARIANT_OTHER) { snprintf(err, errlen, "baseline: variant must be 0, 1 or 2"); return -1; }
    if ((int)c->saliency < SALIENCY_GRAD || c->saliency > SALIENCY_FISHER) { snprintf(err, errlen, "baseline: saliency must be 0 or 1"); return -1; }
    float *score = malloc((n ? n : 1) * sizeof(float));
    uint8_t *mask = malloc(n ? n : 1);
    if (!score || !mask) { free(score); free(mask); snprintf(err, errlen, "baseline: out of memory"); return -1; }
    int rc = forget_importance(net, t, c, c->saliency, score, st, err, errlen);
    static const TargetKind kinds[3] = {TGT_SLOT, TGT_UNIFORM, TGT_OTHER};
    TargetKind fk = kinds[c->variant];
    float fw = c->variant == VARIANT_ASCENT ? -c->forget_weight : 1.0f;
    Mixer mx;
    mixer_init(&mx, net->n_classes, sub_seed(c->seed, with_retain ? 15 : 14));
    if (rc == 0) {
        size_t k = saliency_top_mask(score, n, c->mask_frac, mask);
        st->frozen = (long)(n - k);
        if (with_retain) {
            mixer_standard(&mx, t, c->batch, fk, fw);
        } else {
            int B = c->batch > 1 ? c->batch : 2;
            int has_learn = t->learn && t->learn->n > 0;
            int qf = has_learn ? B / 2 : B;
            mixer_add(&mx, t->forget, qf, fk, &t->before, t->slot, fw, TAG_FORGET);
            mixer_add(&mx, t->learn, B - qf, TGT_SLOT, &t->after, -1, 1.0f, TAG_LEARN);
        }
        rc = mixer_ready(&mx, net, err, errlen);
    }
    if (rc == 0) {
        LoopCfg lc = {.steps = c->steps, .lr = c->lr, .opt = c->opt, .mask = mask,
                      .label = with_retain ? "baseline+retain" : "baseline", .verbose = c->verbose};
        rc = mix_train(net, &mx, &lc, st, err, errlen);
    }
    mixer_free(&mx);
    free(score); free(mask);
    method_end(t0, st);
    return rc;
}

static int run_plain(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err,
                     size_t errlen) {
    return run_common(net, t, c, st, 0, err, errlen);
}
static int run_retain(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err,
                      size_t errlen) {
    return run_common(net, t, c, st, 1, err, errlen);
}

/* The variants as methods of their own, so one comparison run puts them side by side. */
static int run_variant(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, int with_retain,
                       BaselineVariant variant, char *err, size_t errlen) {
    UnlearnConfig v = *c;
    v.variant = variant;
    return run_common(net, t, &v, st, with_retain, err, errlen);
}
static int run_uniform(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err,
                       size_t errlen) {
    return run_variant(net, t, c, st, 0, VARIANT_UNIFORM, err, errlen);
}
static int run_other(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err,
                     size_t errlen) {
    return run_variant(net, t, c, st, 0, VARIANT_OTHER, err, errlen);
}
static int run_retain_other(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err,
                            size_t errlen) {
    return run_variant(net, t, c, st, 1, VARIANT_OTHER, err, errlen);
}

const UnlearnMethod method_baseline = {
    "baseline", "seed baseline: saliency mask on forget data, masked fine-tune on forget + learn only", run_plain};
const UnlearnMethod method_baseline_retain = {
    "baseline+retain", "seed baseline with retain data in every batch as well", run_retain};
const UnlearnMethod method_baseline_uniform = {
    "baseline:uniform", "seed baseline, forget samples pushed to a uniform target (forget + learn data)", run_uniform};
const UnlearnMethod method_baseline_other = {
    "baseline:other", "seed baseline, forget samples pushed to 'any other class' (forget + learn data)", run_other};
const UnlearnMethod method_baseline_retain_other = {
    "baseline+retain:other", "seed baseline, 'any other class' target, with retain data in every batch",
    run_retain_other};
