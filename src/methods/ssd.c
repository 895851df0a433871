/* ssd.c — Selective Synaptic Dampening (no training).
 *
 * Importance = diagonal Fisher from per-batch gradients (mean over batches of
 * the squared gradient of the batch-mean CE, batches of c->batch, original
 * slots), computed twice: I_D on the full training set D = retain + forget and
 * I_f on the forget set, each a seeded uniform subsample of at most
 * c->importance_samples samples (default 2048; 0 = all).  Every parameter with
 * I_f > alpha * I_D (alpha 10) is multiplied by min(lambda * I_D / I_f, 1)
 * (lambda 1): it can only shrink.  Batch-norm running statistics are left
 * untouched (importance passes restore them).  Then the shared new-class step
 * (learn_new_class, all weights) puts the new class into the slot. */
#include "method_common.h"
#include "saliency.h"
#include <stdio.h>
#include <stdlib.h>

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const size_t n = net->n_params;
    float *id = malloc((n ? n : 1) * sizeof(float)), *ifg = malloc((n ? n : 1) * sizeof(float));
    Dataset *dd = importance_set(t->retain, t->forget, c, 31);
    Dataset *df = importance_set(t->forget, NULL, c, 32);
    int rc = 0;
    if (!id || !ifg || !dd || !df) { snprintf(err, errlen, "ssd: out of memory"); rc = -1; }
    if (rc == 0) rc = saliency_fisher(net, dd, &t->before, c->batch, id, &st->flops, err, errlen);
    if (rc == 0) rc = saliency_fisher(net, df, &t->before, c->batch, ifg, &st->flops, err, errlen);
    if (rc == 0) {
        net_sync_to_host(net);
        for (size_t i = 0; i < n; i++) {
            if (ifg[i] > c->alpha * id[i]) {
                float beta = c->lambda * id[i] / ifg[i];
                if (beta < 1.0f) net->params[i] *= beta;
            }
        }
        net_sync_to_device(net);
        rc = learn_new_class(net, t, c, NULL, st, err, errlen);
    }
    free(id); free(ifg); ds_free(dd); ds_free(df);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_ssd = {
    "ssd", "Selective Synaptic Dampening: shrink forget-specific weights (Fisher ratio), then the new-class step",
    run};
