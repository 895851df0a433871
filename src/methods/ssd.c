/* ssd.c — Selective Synaptic Dampening (Foster et al. 2023): dampen the weights
 * specific to the forget set, then the shared new-class step.
 *
 * Importance = diagonal Fisher from per-batch gradients: the mean over batches
 * of the squared gradient of the batch-mean CE (batches of c->batch, original
 * slots, eval mode), as the reference implementation's calc_importance
 * (if-loops/selective-synaptic-dampening, ssd.py) computes it.  Two passes:
 *   I_D  on the ORIGINAL model's training data D = retain + forget (the learn
 *        class is not part of D: the original never saw it), a seeded uniform
 *        subsample of at most c->importance_samples samples, SHUFFLED so every
 *        batch mixes all classes;
 *   I_f  on the forget set (same subsample cap).
 * Every parameter with I_f > alpha * I_D (alpha 10, the reference's
 * selection_weighting) is multiplied by min(lambda * I_D / I_f, 1) (lambda 1,
 * its dampening_constant): it can only shrink.  Batch-norm running statistics
 * are left untouched (importance passes restore them).
 *
 * Why shuffled: in the reference, full_train_dl is ConcatDataset(retain,
 * forget) without shuffling, i.e. class-ordered, class-pure batches.  With
 * class-pure batches a batch of the forgotten class contributes to I_D exactly
 * what it contributes to I_f, so I_f / I_D can never exceed |D| / |forget|
 * (about 9 with 9 classes) and alpha = 10 selects (almost) nothing — the
 * audit measured 4,421 of 421,513 MNIST parameters and 0 on speech.  The
 * paper's I_D is the Fisher over D, which mixed batches estimate: per-class
 * gradient components partly cancel in a mixed batch, so a weight that only
 * the forgotten class uses stands out in I_f.
 *
 * A net on the GPU: both importances stay on the device (saliency_fisher_dev) and the
 * dampening is one kernel there (cuda_ssd_dampen), so the parameters never make a round
 * trip through the host; the CPU path below is the fallback.
 *
 * Then learn_new_class (all weights) puts the new class into the slot. */
#include "method_common.h"
#include "saliency.h"
#include "cuda_ops.h"
#include <stdio.h>
#include <stdlib.h>

/* The dampening on the device: -1 (nothing changed) when the net is not on the GPU or a device
 * vector cannot be had; otherwise 0 or 1 with err (a pass failed), *damp the count. */
static int dampen_on_device(Net *net, const Dataset *dd, const Dataset *df, const UnlearnTask *t,
                            const UnlearnConfig *c, UnlearnStats *st, long *damp, char *err, size_t errlen) {
    if (net->device != DEVICE_CUDA) return -1;
    CudaVec *id = cuda_vec_new(net, net->n_params), *ifg = cuda_vec_new(net, net->n_params);
    int rc = -1;
    if (id && ifg) {
        double *fl = st ? &st->flops : NULL;
        rc = saliency_fisher_dev(net, dd, &t->before, c->batch, id, fl, err, errlen) ||
             saliency_fisher_dev(net, df, &t->before, c->batch, ifg, fl, err, errlen);
        if (rc == 0) *damp = cuda_ssd_dampen(net, id, ifg, c->alpha, c->lambda);
        if (rc == 0 && *damp < 0) { snprintf(err, errlen, "ssd: device error"); rc = 1; }
    }
    cuda_vec_free(id); cuda_vec_free(ifg);
    return rc;
}

/* The dampening on the host buffers (CPU nets; a GPU net's fallback: synced there and back). */
static int dampen_on_host(Net *net, const Dataset *dd, const Dataset *df, const UnlearnTask *t,
                          const UnlearnConfig *c, UnlearnStats *st, long *damp, char *err, size_t errlen) {
    const size_t n = net->n_params;
    float *id = malloc((n ? n : 1) * sizeof(float)), *ifg = malloc((n ? n : 1) * sizeof(float));
    int rc = 0;
    if (!id || !ifg) { snprintf(err, errlen, "ssd: out of memory"); rc = -1; }
    if (rc == 0) rc = saliency_fisher(net, dd, &t->before, c->batch, id, st ? &st->flops : NULL, err, errlen);
    if (rc == 0) rc = saliency_fisher(net, df, &t->before, c->batch, ifg, st ? &st->flops : NULL, err, errlen);
    if (rc == 0) {
        net_sync_to_host(net);
        for (size_t i = 0; i < n; i++) {
            if (ifg[i] > c->alpha * id[i]) {
                float beta = c->lambda * id[i] / ifg[i];
                if (beta < 1.0f) { net->params[i] *= beta; (*damp)++; }
            }
        }
        net_sync_to_device(net);
    }
    free(id); free(ifg);
    return rc;
}

int ssd_dampen(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, long *n_dampened,
               char *err, size_t errlen) {
    if (!t->retain || t->retain->n == 0) {   /* D would be the forget set alone: I_f never exceeds alpha x I_D */
        snprintf(err, errlen, "ssd: needs retained data (it dampens what the forget set needs more than the whole "
                              "training data does)");
        return -1;
    }
    Dataset *sub = importance_set(t->retain, t->forget, c, 31);
    Dataset *df = importance_set(t->forget, NULL, c, 32);
    Dataset *dd = NULL;
    long damp = 0;
    int rc = 0;
    if (sub) {   /* shuffle: batches mixing all of D's classes */
        Rng r;
        rng_seed(&r, sub_seed(c->seed, 33));
        dd = ds_take_random(sub, 0, &r);
    }
    if (!dd || !df) { snprintf(err, errlen, "ssd: out of memory"); rc = -1; }
    if (rc == 0) {
        int dev = dampen_on_device(net, dd, df, t, c, st, &damp, err, errlen);
        rc = dev >= 0 ? -dev : dampen_on_host(net, dd, df, t, c, st, &damp, err, errlen);
    }
    if (n_dampened) *n_dampened = damp;
    ds_free(sub); ds_free(dd); ds_free(df);
    return rc;
}

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    int rc = ssd_dampen(net, t, c, st, NULL, err, errlen);
    if (rc == 0) rc = learn_new_class(net, t, c, NULL, st, err, errlen);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_ssd = {
    "ssd", "Selective Synaptic Dampening: shrink forget-specific weights (Fisher ratio on mixed-class batches), "
           "then the new-class step",
    run};
