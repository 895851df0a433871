/* scrub.c — SCRUB (Kurmanji et al. 2023): a student (the net) moves away from
 * a frozen teacher (a clone of the original) on the forget set and stays close
 * to it elsewhere.
 *
 * Loss weights as in the reference implementation (github.com/meghdadk/SCRUB,
 * thirdparty/repdistiller/helper/loops.py train_distill, settings from its
 * small_scale_unlearning.ipynb):
 *   KL_T(s, t) = T^2 / B * sum over the batch of KL(softmax(z_t/T) || softmax(z_s/T))
 *                (its DistillKL: F.kl_div(log_softmax(z_s/T), softmax(z_t/T), sum) * T^2 / B)
 *   min-step   loss = gamma * CE + alpha * KL_T  (+ beta * feature-KD, beta = 0)
 *   max-step   loss = -KL_T                       (no weight)
 * with gamma = 1, alpha = 0.5, T = 2 (kd_T; c->temperature defaults to 2).
 * (Its large_scale_unlearning.ipynb uses gamma 0.99, alpha 0.001, T 4 with SGD;
 * the small-scale setting — Adam, lr 5e-4 — is the one closer to ours.)
 *
 * Steps (one optimiser, c->opt at c->lr, c->steps in all):
 *   max-step  every c->max_steps_ratio-th step during the FIRST HALF of the
 *             budget (the reference runs max-epochs only in the first msteps
 *             epochs and ends with min-steps): a batch of forget samples;
 *   min-step  otherwise: a batch of retain + learn samples (learn one class
 *             share): gamma * mean CE with after-slots over the whole batch
 *             + alpha * T^2 * KL summed over the RETAIN rows / B.
 * The teacher's output for a learn sample is meaningless (its slot stands for
 * the forgotten class), so learn samples get CE only; that CE is also how
 * SCRUB learns the new class here, so it needs no separate new-class step.
 * The teacher runs in eval mode; the student in training mode. */
#include "method_common.h"
#include "layers.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SCRUB_GAMMA 1.0f   /* CE weight of a min-step */
#define SCRUB_ALPHA 0.5f   /* KL weight of a min-step */

/* dl += sign * (T/B) * (softmax(zs/T) - softmax(zt/T)) on rows with use[i]; returns sum of KL over those rows */
static double kl_grad(float *dl, const float *zs, const float *zt, const int *use, int nb, int K, float T,
                      float sign, float *ps, float *lps, float *pt, float *lpt) {
    softmax_rows(ps, lps, zs, nb, K, T);
    softmax_rows(pt, lpt, zt, nb, K, T);
    double kl = 0;
    for (int i = 0; i < nb; i++) {
        if (use && !use[i]) continue;
        for (int k = 0; k < K; k++) {
            size_t j = (size_t)i * K + k;
            if (pt[j] > 0) kl += pt[j] * (lpt[j] - lps[j]);
            dl[j] += sign * (T / nb) * (ps[j] - pt[j]);
        }
    }
    return kl;
}

static int run(Net *net, const UnlearnTask *t, const UnlearnConfig *c, UnlearnStats *st, char *err, size_t errlen) {
    double t0 = method_begin(net, c, st);
    const int K = net->n_classes;
    const float T = c->temperature > 0 ? c->temperature : 1.0f;
    const double F = net_forward_flops(net);
    Net *teacher = method_teacher(net, err, errlen);   /* on the student's device */
    if (!teacher) return -1;
    int B = c->batch > 1 ? c->batch : 2;
    Mixer mn, mf;
    mixer_init(&mn, K, sub_seed(c->seed, 17));
    mixer_init(&mf, K, sub_seed(c->seed, 18));
    mixer_standard(&mn, t, B, -1, 0.0f);
    mixer_add(&mf, t->forget, B, TGT_SLOT, &t->before, t->slot, 1.0f, TAG_FORGET);
    int rc = mixer_ready(&mn, net, err, errlen);
    if (rc == 0) rc = mixer_ready(&mf, net, err, errlen);
    float *zt = malloc((size_t)B * K * sizeof(float)), *ps = malloc((size_t)B * K * sizeof(float));
    float *lps = malloc((size_t)B * K * sizeof(float)), *pt = malloc((size_t)B * K * sizeof(float));
    float *lpt = malloc((size_t)B * K * sizeof(float));
    int *use = malloc((size_t)B * sizeof(int));
    if (rc == 0 && (!zt || !ps || !lps || !pt || !lpt || !use)) { snprintf(err, errlen, "scrub: out of memory"); rc = -1; }
    Optim opt;
    optim_init(&opt, c->opt, net->n_params, c->lr, 0.9f, 0.0f);
    int ratio = c->max_steps_ratio;
    for (long s = 0; rc == 0 && s < c->steps; s++) {
        int is_max = ratio > 0 && s < c->steps / 2 && s % ratio == 0;
        Mixer *mx = is_max ? &mf : &mn;
        int nb = mixer_next(mx);
        const float *tl = net_forward(teacher, mx->x, nb, 0);
        for (size_t j = 0; j < (size_t)nb * K; j++) zt[j] = tl[j];
        const float *zs = net_forward(net, mx->x, nb, 1);
        double loss;
        if (is_max) {
            for (size_t j = 0; j < (size_t)nb * K; j++) mx->dlogits[j] = 0.0f;
            loss = -(double)T * T * kl_grad(mx->dlogits, zs, zt, NULL, nb, K, T, -1.0f, ps, lps, pt, lpt) / nb;
        } else {
            loss = SCRUB_GAMMA * softmax_ce(mx->probs, mx->dlogits, zs, mx->t, NULL, nb, K);
            if (SCRUB_GAMMA != 1.0f)
                for (size_t j = 0; j < (size_t)nb * K; j++) mx->dlogits[j] *= SCRUB_GAMMA;
            for (int i = 0; i < nb; i++) use[i] = mx->tag[i] == TAG_RETAIN;
            loss += SCRUB_ALPHA * (double)T * T *
                    kl_grad(mx->dlogits, zs, zt, use, nb, K, T, SCRUB_ALPHA, ps, lps, pt, lpt) / nb;
        }
        if (!isfinite(loss)) {
            snprintf(err, errlen, "scrub diverged: the loss is %f at step %ld (try a smaller --lr)", loss, s);
            rc = -1;
            break;
        }
        net_zero_grad(net);
        net_backward(net, mx->dlogits, nb);
        optim_step_net(&opt, net, NULL);
        st->steps++;
        st->flops += 4.0 * nb * F;   /* student forward + backward, teacher forward */
        if (c->verbose && (s % 10 == 0 || s + 1 == c->steps)) {
            char extra[64];
            snprintf(extra, sizeof extra, "%s loss %.4f", is_max ? "max" : "min", loss);
            train_progress("scrub", s + 1, c->steps, extra);
        }
    }
    if (c->verbose) train_progress_end();
    optim_free(&opt);
    mixer_free(&mn); mixer_free(&mf);
    free(zt); free(ps); free(lps); free(pt); free(lpt); free(use);
    net_free(teacher);
    method_end(t0, st);
    return rc;
}

const UnlearnMethod method_scrub = {
    "scrub", "SCRUB: max-steps away from the original (teacher) on forget, min-steps CE + 0.5 KL (T 2) to it on retain",
    run};
