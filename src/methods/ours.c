/* ours.c — our procedure: "RTD", salient re-initialisation + renormalised-
 * teacher distillation.
 *
 * Idea.  What a model retrained without class F would answer for an F sample
 * is, to a first approximation, the original model's answer with F's slot
 * removed: its second choices (a 6 looks like a 5, 0 or 8).  Pushing forget
 * samples to a uniform or random label (NegGrad, random labels, SalUn) makes
 * them look unlike anything a retrained model produces — the MIA sees that and
 * the retained classes get dragged.  And hiding the output is not forgetting:
 * the features that encode F must go too.  So:
 *
 *  1. Selective re-initialisation.  Fisher importance on the forget set (I_f)
 *     and on retained data (I_r); the parameters whose importance is most
 *     specific to F (largest I_f / (I_r + eps)), a fraction c->mask_frac of the
 *     conv/linear weights (default here: 2%), are re-drawn from the He
 *     initialisation — the F-specific feature detectors are destroyed, not
 *     dampened.  The forgotten slot's row of the last linear layer is
 *     re-drawn too (it is about to stand for another class).
 *  2. Distillation from the original model (teacher, slot F masked out and
 *     its probabilities renormalised over the other slots), all parameters
 *     trainable, c->steps steps, batches mixing:
 *       retain: 0.5 * one-hot(true slot) + 0.5 * renormalised teacher
 *       forget: renormalised teacher (what a model without F would say)
 *       learn:  one-hot at the freed slot
 *     The teacher keeps retained behaviour (and its calibration, which the
 *     MIA reads) where re-initialisation disturbed it; the learn samples
 *     train the freed slot.
 * Cost: two importance passes (c->importance_samples samples each) plus
 * c->steps steps with one extra teacher forward per batch.
 */
#include "method_common.h"
#include "layers.h"
#include "saliency.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OURS_DEFAULT_REINIT 0.02f

/* Teacher probabilities with slot `drop` removed and the rest renormalised. */
static void renorm_without(float *q, const float *logits, int K, int drop) {
    float m = -INFINITY;
    for (int k = 0; k < K; k++) if (k != drop && logits[k] > m) m = logits[k];
    double s = 0;
    for (int k = 0; k < K; k++) { q[k] = k == drop ? 0.0f : expf(logits[k] - m); s += q[k]; }
    for (int k = 0; k < K; k++) q[k] = (float)(q[k] / s);
}

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const int K = net->n_classes, F = t->slot;
    const size_t P = net->n_params;
    int rc = -1;
    Net *teacher = net_clone(net);
    float *If = malloc(P * sizeof(float)), *Ir = malloc(P * sizeof(float)), *ratio = malloc(P * sizeof(float));
    float *tl = NULL;   /* teacher logits, sized from the mixer's batch (it can exceed c->batch) */
    uint8_t *reinit = calloc(P, 1);   /* the re-drawn parameters */
    Dataset *fs = NULL, *rs = NULL;
    Mixer mx;
    mixer_init(&mx, K, sub_seed(c->seed, 77));
    if (!If || !Ir || !ratio || !reinit) { snprintf(err, errlen, "out of memory"); goto out; }

    /* 1. importance: Fisher on the forget set and on retained data (subsampled) */
    net_sync_to_host(net);
    fs = importance_set(t->forget, NULL, c, 71);
    rs = importance_set(t->retain, NULL, c, 72);
    if (!fs || !rs) { snprintf(err, errlen, "out of memory (importance)"); goto out; }
    if (saliency_fisher(net, fs, &t->before, c->batch, If, &st->flops, err, errlen) ||
        saliency_fisher(net, rs, &t->before, c->batch, Ir, &st->flops, err, errlen))
        goto out;
    /* specificity I_f / (I_r + eps) over conv/linear weights only (biases and BN
     * get -1 so they are never chosen) */
    double mean_ir = 0;
    for (size_t i = 0; i < P; i++) { mean_ir += Ir[i]; ratio[i] = -1.0f; }
    const float eps = (float)(1e-3 * mean_ir / (double)P) + 1e-30f;
    size_t nw = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const Layer *L = &net->layers[l];
        if (L->type != LAYER_CONV2D && L->type != LAYER_LINEAR) continue;
        for (size_t j = 0; j < L->w_len; j++) ratio[L->w_off + j] = If[L->w_off + j] / (Ir[L->w_off + j] + eps);
        nw += L->w_len;
    }
    const float frac = c->mask_frac > 0 && c->mask_frac < 0.5f ? c->mask_frac : OURS_DEFAULT_REINIT;
    saliency_top_mask(ratio, P, (float)(frac * (double)nw / (double)P), reinit);
    /* re-draw the chosen weights (He normal for their layer) and the freed slot's head row */
    Rng r;
    rng_seed(&r, sub_seed(c->seed, 73));
    for (int l = 0; l < net->n_layers; l++) {
        const Layer *L = &net->layers[l];
        if (L->type != LAYER_CONV2D && L->type != LAYER_LINEAR) continue;
        const float std = sqrtf(2.0f / (float)(L->w_len / (size_t)L->out_c));
        for (size_t j = 0; j < L->w_len; j++)
            if (reinit[L->w_off + j]) net->params[L->w_off + j] = std * rng_normal(&r);
        if (l == net->n_layers - 1) {
            for (int j = 0; j < L->in_c; j++) net->params[L->w_off + (size_t)F * L->in_c + j] = std * rng_normal(&r);
            if (L->b_len) net->params[L->b_off + F] = 0.0f;
        }
    }
    net_sync_to_device(net);
    st->frozen = 0;

    /* 2. distillation from the renormalised teacher */
    mixer_standard(&mx, t, c->batch, TGT_SLOT, 1.0f);
    if (mixer_ready(&mx, net, err, errlen)) goto out;
    /* with batch <= 2 the mixer still draws one retain, one learn and one forget
     * sample: the buffer follows mx.B, not c->batch */
    tl = malloc(sizeof(float) * (size_t)mx.B * K);
    if (!tl) { snprintf(err, errlen, "out of memory"); goto out; }
    Optim opt;
    optim_init(&opt, c->opt, P, c->lr, 0.9f, 0.0f);
    const double Fl = net_forward_flops(net);
    double loss_sum = 0;
    rc = 0;
    for (long s = 0; s < c->steps; s++) {
        int nb = mixer_next(&mx);
        const float *tlog = net_forward(teacher, mx.x, nb, 0);
        memcpy(tl, tlog, sizeof(float) * nb * K);
        for (int i = 0; i < nb; i++) {
            float *ti = mx.t + (size_t)i * K, q[MAX_SLOTS];
            if (mx.tag[i] == TAG_LEARN) continue; /* one-hot at the freed slot */
            renorm_without(q, tl + (size_t)i * K, K, F);
            if (mx.tag[i] == TAG_FORGET) {
                memcpy(ti, q, sizeof(float) * K);
                mx.w[i] = 1.0f;
            } else {
                for (int j = 0; j < K; j++) ti[j] = 0.5f * ti[j] + 0.5f * q[j];
            }
        }
        const float *logits = net_forward(net, mx.x, nb, 1);
        float loss = softmax_ce(mx.probs, mx.dlogits, logits, mx.t, mx.w, nb, K);
        if (!isfinite(loss)) {
            snprintf(err, errlen, "ours diverged: the loss is %f at step %ld (try a smaller --lr)", loss, s);
            rc = -1;
            break;
        }
        net_zero_grad(net);
        net_backward(net, mx.dlogits, nb);
        optim_step_net(&opt, net, NULL);
        st->steps++;
        st->flops += 4.0 * nb * Fl; /* + the teacher's forward */
        loss_sum += loss;
        if (c->verbose && (s % 10 == 0 || s + 1 == c->steps)) {
            char extra[64];
            snprintf(extra, sizeof extra, "loss %.4f", loss_sum / (double)(s + 1));
            train_progress("ours", s + 1, c->steps, extra);
        }
    }
    if (c->verbose) train_progress_end();
    optim_free(&opt);
out:
    mixer_free(&mx);
    ds_free(fs); ds_free(rs);
    free(If); free(Ir); free(ratio); free(reinit); free(tl);
    net_free(teacher);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_ours = {
    "ours", "RTD: re-draw the weights most specific to the forgotten class, then distil from the original "
            "with the forgotten slot removed (forget -> teacher's other choices, learn -> freed slot)", run};
