/* method_common.c — batch mixer and training loop shared by the unlearning
 * methods (see method_common.h). */
#include "method_common.h"
#include "layers.h"
#include "saliency.h"
#include "cuda_ops.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double unl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t sub_seed(uint64_t seed, uint64_t purpose) {
    uint64_t s = seed ^ (purpose * 0x9e3779b97f4a7c15ULL);
    return splitmix64(&s);
}

int class_share(int B, int n_slots) {
    if (n_slots < 1) n_slots = 1;
    int q = (B + n_slots / 2) / n_slots;
    return q < 1 ? 1 : q;
}

void mixer_init(Mixer *m, int K, uint64_t seed) {
    memset(m, 0, sizeof *m);
    m->K = K;
    m->seed = seed;
}

void mixer_add(Mixer *m, const Dataset *d, int quota, TargetKind target, const ClassMap *map, int avoid_slot,
               float weight, int tag) {
    if (!d || d->n <= 0 || quota <= 0 || m->n_src >= MIX_MAX_SOURCES) return;
    MixSource *s = &m->src[m->n_src++];
    memset(s, 0, sizeof *s);
    s->d = d; s->quota = quota; s->target = target; s->map = map; s->avoid_slot = avoid_slot;
    s->weight = weight; s->tag = tag;
}

void mixer_standard(Mixer *m, const UnlearnTask *t, int B, int forget_target, float forget_weight) {
    const int has_forget = forget_target >= 0 && t->forget && t->forget->n > 0;
    if (!t->retain || t->retain->n == 0) {   /* no retained data: forget and learn fill the batch, half each */
        if (B < 2) B = 2;
        int qf = has_forget ? (t->learn && t->learn->n > 0 ? B / 2 : B) : 0;
        mixer_add(m, t->learn, B - qf, TGT_SLOT, &t->after, -1, 1.0f, TAG_LEARN);
        if (has_forget)
            mixer_add(m, t->forget, qf, (TargetKind)forget_target, &t->before, t->slot, forget_weight, TAG_FORGET);
        return;
    }
    int share = class_share(B, t->after.n_slots);
    int used = 0;
    if (t->learn && t->learn->n > 0) used += share;
    if (forget_target >= 0 && t->forget && t->forget->n > 0) used += share;
    int rest = B - used;
    if (rest < 1) rest = 1;
    mixer_add(m, t->retain, rest, TGT_SLOT, &t->after, -1, 1.0f, TAG_RETAIN);
    mixer_add(m, t->learn, share, TGT_SLOT, &t->after, -1, 1.0f, TAG_LEARN);
    if (forget_target >= 0)
        mixer_add(m, t->forget, share, (TargetKind)forget_target, &t->before, t->slot, forget_weight, TAG_FORGET);
}

static void reshuffle(MixSource *s) {
    epoch_order(s->order, s->d->n, &s->rng);
    s->pos = 0;
}

int mixer_ready(Mixer *m, const Net *net, char *err, size_t errlen) {
    if (m->n_src == 0) { snprintf(err, errlen, "no training data for this method"); return -1; }
    const int K = m->K;
    if (K != net->n_classes) {
        snprintf(err, errlen, "the class map has %d slots but the net has %d outputs", K, net->n_classes);
        return -1;
    }
    m->B = 0;
    for (int k = 0; k < m->n_src; k++) {
        MixSource *s = &m->src[k];
        const Dataset *d = s->d;
        if (k == 0) m->ss = ds_sample_size(d);
        if (ds_sample_size(d) != m->ss || (int)m->ss != net->in_c * net->in_h * net->in_w) {
            snprintf(err, errlen, "samples are %dx%dx%d but the net expects %dx%dx%d", d->c, d->h, d->w,
                     net->in_c, net->in_h, net->in_w);
            return -1;
        }
        if ((s->target == TGT_OTHER || s->target == TGT_RANDOM_OTHER) && (K < 2 || s->avoid_slot < 0)) {
            snprintf(err, errlen, "an 'other class' target needs at least 2 slots and a slot to avoid");
            return -1;
        }
        if (s->target == TGT_SLOT)
            for (int i = 0; i < d->n; i++)
                if (classmap_slot(s->map, d->y[i]) < 0) {
                    snprintf(err, errlen, "training sample of class %d has no output slot", d->y[i]);
                    return -1;
                }
        m->B += s->quota;
        rng_seed(&s->rng, sub_seed(m->seed, 101 + (uint64_t)k));
        s->order = malloc((size_t)d->n * sizeof(int));
        if (!s->order) goto oom;
        if (s->target == TGT_RANDOM_OTHER) {
            s->rlabel = malloc((size_t)d->n * sizeof(int));
            if (!s->rlabel) goto oom;
            for (int i = 0; i < d->n; i++) {   /* fixed per sample, uniform over the other slots */
                int r = rng_int(&s->rng, K - 1);
                s->rlabel[i] = r >= s->avoid_slot ? r + 1 : r;
            }
        }
        reshuffle(s);
    }
    m->x = malloc((size_t)m->B * m->ss * sizeof(float));
    m->t = malloc((size_t)m->B * K * sizeof(float));
    m->w = malloc((size_t)m->B * sizeof(float));
    m->probs = malloc((size_t)m->B * K * sizeof(float));
    m->dlogits = malloc((size_t)m->B * K * sizeof(float));
    m->y = malloc((size_t)m->B * sizeof(int));
    m->tag = malloc((size_t)m->B * sizeof(int));
    if (!m->x || !m->t || !m->w || !m->probs || !m->dlogits || !m->y || !m->tag) goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory (batch mixer)");
    return -1;
}

int mixer_next(Mixer *m) {
    const int K = m->K;
    int b = 0;
    memset(m->t, 0, (size_t)m->B * K * sizeof(float));
    for (int k = 0; k < m->n_src; k++) {
        MixSource *s = &m->src[k];
        for (int q = 0; q < s->quota; q++, b++) {
            if (s->pos >= s->d->n) reshuffle(s);
            int j = s->order[s->pos++];
            ds_gather(s->d, &j, 1, m->x + (size_t)b * m->ss, m->y + b);
            float *t = m->t + (size_t)b * K;
            switch (s->target) {
            case TGT_SLOT: t[classmap_slot(s->map, m->y[b])] = 1.0f; break;
            case TGT_UNIFORM: for (int c = 0; c < K; c++) t[c] = 1.0f / K; break;
            case TGT_OTHER:
                for (int c = 0; c < K; c++) t[c] = c == s->avoid_slot ? 0.0f : 1.0f / (K - 1);
                break;
            case TGT_RANDOM_OTHER: t[s->rlabel[j]] = 1.0f; break;
            }
            m->w[b] = s->weight;
            m->tag[b] = s->tag;
        }
    }
    return b;
}

void mixer_free(Mixer *m) {
    for (int k = 0; k < m->n_src; k++) { free(m->src[k].order); free(m->src[k].rlabel); }
    free(m->x); free(m->t); free(m->w); free(m->probs); free(m->dlogits); free(m->y); free(m->tag);
    memset(m, 0, sizeof *m);
}

void restore_frozen(Net *net, Optim *o, const uint8_t *mask, const float *orig) {
    if (!mask || !orig) return;
    net_sync_to_host(net);
    if (o) cuda_optim_sync_to_host(net, o);     /* GPU steps keep the state there; -1 (nothing) on the CPU */
    for (size_t i = 0; i < net->n_params; i++)
        if (!mask[i]) {
            net->params[i] = orig[i];
            if (o) { o->m[i] = 0.0f; o->v[i] = 0.0f; }
        }
    net_sync_to_device(net);
    if (o) cuda_optim_sync_to_device(net, o);
}

/* mix_train's original weights on the device (uploaded once) when the net is on the GPU and
 * the loop restores frozen weights; NULL otherwise (then restore_frozen runs on the host). */
static CudaVec *frozen_on_device(Net *net, const LoopCfg *lc) {
    if (net->device != DEVICE_CUDA || !lc->mask || !lc->restore) return NULL;
    CudaVec *v = cuda_vec_new(net, net->n_params);
    if (v && cuda_vec_upload(v, lc->restore)) { cuda_vec_free(v); v = NULL; }
    return v;
}

static void restore_step(Net *net, Optim *o, const LoopCfg *lc, const CudaVec *orig_dev) {
    if (orig_dev && cuda_restore_frozen(net, orig_dev, lc->mask, o) == 0) return;
    restore_frozen(net, o, lc->mask, lc->restore);
}

int mix_train(Net *net, Mixer *mx, const LoopCfg *lc, UnlearnStats *st, char *err, size_t errlen) {
    const int K = net->n_classes;
    const double F = net_forward_flops(net);
    Optim opt;
    optim_init(&opt, lc->opt, net->n_params, lc->lr, 0.9f, 0.0f);
    CudaVec *orig_dev = frozen_on_device(net, lc);
    int rc = 0;
    double loss_sum = 0;
    for (long s = 0; s < lc->steps; s++) {
        int nb = mixer_next(mx);
        const float *logits = net_forward(net, mx->x, nb, lc->eval_mode ? 0 : 1);
        float loss = softmax_ce(mx->probs, mx->dlogits, logits, mx->t, mx->w, nb, K);
        if (!isfinite(loss)) {
            snprintf(err, errlen, "%s diverged: the loss is %f at step %ld (try a smaller --lr)",
                     lc->label ? lc->label : "training", loss, s);
            rc = -1;
            break;
        }
        net_zero_grad(net);
        net_backward(net, mx->dlogits, nb);
        optim_step_net(&opt, net, lc->mask);
        if (lc->mask && lc->restore) restore_step(net, &opt, lc, orig_dev);
        st->steps++;
        st->flops += 3.0 * nb * F;
        loss_sum += loss;
        if (lc->verbose && (s % 10 == 0 || s + 1 == lc->steps)) {
            char extra[64];
            snprintf(extra, sizeof extra, "loss %.4f", loss_sum / (double)(s + 1));
            train_progress(lc->label ? lc->label : "unlearn", s + 1, lc->steps, extra);
        }
    }
    if (lc->verbose) train_progress_end();
    cuda_vec_free(orig_dev);
    optim_free(&opt);
    return rc;
}

Net *method_teacher(Net *net, char *err, size_t errlen) {
    net_sync_to_host(net);                 /* the clone copies the host buffers */
    Net *t = net_clone(net);
    if (!t) { snprintf(err, errlen, "out of memory (teacher)"); return NULL; }
    if (net->device == DEVICE_CUDA && net_set_device(t, "cuda", err, errlen)) { net_free(t); return NULL; }
    return t;
}

double method_begin(Net *net, const UnlearnConfig *c, UnlearnStats *st) {
    memset(st, 0, sizeof *st);
    net->dropout_state = sub_seed(c->seed, 3);
    return unl_now();
}

void method_end(double t0, UnlearnStats *st) { st->seconds = unl_now() - t0; }

Dataset *importance_set(const Dataset *a, const Dataset *b, const UnlearnConfig *c, uint64_t purpose) {
    return saliency_sample_union(a, b, c->importance_samples, sub_seed(c->seed, purpose));
}

int forget_importance(Net *net, const UnlearnTask *t, const UnlearnConfig *c, int kind, float *score,
                      UnlearnStats *st, char *err, size_t errlen) {
    Dataset *d = importance_set(t->forget, NULL, c, 21);
    if (!d) { snprintf(err, errlen, "out of memory (importance set)"); return -1; }
    int rc = kind == 1 ? saliency_fisher(net, d, &t->before, c->batch, score, &st->flops, err, errlen)
                       : saliency_grad_abs(net, d, &t->before, c->batch, score, &st->flops, err, errlen);
    ds_free(d);
    return rc;
}
