/* relearn.c — steps to relearn a forgotten class in a fresh slot (see relearn.h). */
#include "relearn.h"
#include "layers.h"
#include "optim.h"
#include "rng.h"
#include "train.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void relearn_config_default(RelearnConfig *c) {
    c->k = 50;
    c->lr = 0.001f;
    c->opt = OPT_SGD;
    c->threshold = 0.8f;
    c->max_steps = 100;
    c->eval_every = 0;
    c->batch = 32;
    c->test_cap = 200;
    c->seed = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

Net *net_add_output_slot(Net *net, char *err, size_t errlen) {
    const int K = net->n_classes;
    const Layer *last = &net->layers[net->n_layers - 1];
    if (last->type != LAYER_LINEAR || last->out_c != K) {
        snprintf(err, errlen, "relearn: the net's last layer must be 'linear classes'");
        return NULL;
    }
    Net *nn = net_parse(net->spec, "<relearn>", net->in_c, net->in_h, net->in_w, K + 1, err, errlen);
    if (!nn) return NULL;
    const Layer *nl = &nn->layers[nn->n_layers - 1];
    if (nn->n_layers != net->n_layers || nl->type != LAYER_LINEAR || nl->out_c != K + 1 ||
        nl->in_c != last->in_c || nn->n_stats != net->n_stats) {
        snprintf(err, errlen, "relearn: the spec does not grow by one output with the class count");
        net_free(nn);
        return NULL;
    }
    net_sync_to_host(net);
    memset(nn->params, 0, nn->n_params * sizeof(float));
    for (int i = 0; i < net->n_layers; i++) {
        const Layer *a = &net->layers[i], *b = &nn->layers[i];
        if (a->w_len == 0 && a->b_len == 0) continue;
        /* the last linear's weight [K][IN] fills rows 0..K-1 of [K+1][IN]; row K and its bias stay 0 */
        if (i < net->n_layers - 1 && (a->w_len != b->w_len || a->b_len != b->b_len)) {
            snprintf(err, errlen, "relearn: layer %d changed shape with the class count", i);
            net_free(nn);
            return NULL;
        }
        memcpy(nn->params + b->w_off, net->params + a->w_off, a->w_len * sizeof(float));
        if (a->b_len) memcpy(nn->params + b->b_off, net->params + a->b_off, a->b_len * sizeof(float));
    }
    if (net->n_stats) memcpy(nn->stats, net->stats, net->n_stats * sizeof(float));
    nn->dropout_state = net->dropout_state;
    if (net->device == DEVICE_CUDA && net_set_device(nn, "cuda", err, errlen)) {
        net_free(nn);
        return NULL;
    }
    return nn;
}

/* Share of the forgotten class's test samples predicted into the new slot, or into a
 * slot the map still gives to that class (the original model keeps one). */
static double new_slot_acc(Net *nn, const Dataset *test, int slot, const ClassMap *cm, int cls, int *pred) {
    if (!test->n) return NAN;
    train_predict(nn, test, 256, pred, NULL);
    long ok = 0;
    for (int i = 0; i < test->n; i++)
        ok += pred[i] == slot || (pred[i] < cm->n_slots && cm->slot_class[pred[i]] == cls);
    return (double)ok / test->n;
}

/* Evaluate after step s?  every > 0: every that many steps; 0 (auto): every step up to
 * 20, every 2nd up to 50, every 5th after (coarser if the curve would not fit). */
static int eval_at(int s, int every, int max_steps) {
    if (s == max_steps) return 1;
    if (every > 0) return s % every == 0;
    if (s <= 20) return 1;
    if (s <= 50) return s % 2 == 0;
    int e = 5;
    while ((max_steps - 50) / e + 38 > RELEARN_MAX_POINTS) e += 5;
    return s % e == 0;
}

int relearn_run(Net *net, const ClassMap *cm, const Dataset *forget_train, const Dataset *keep_train,
                const Dataset *forget_test, const RelearnConfig *c, RelearnResult *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->steps = r->final_acc = NAN;
    if (!forget_train || !keep_train || !forget_test || !forget_train->n || !keep_train->n || !forget_test->n) {
        snprintf(err, errlen, "relearn: forget-train, kept data and forget-test must be non-empty");
        return -1;
    }
    for (int i = 0; i < keep_train->n; i++)
        if (classmap_slot(cm, keep_train->y[i]) < 0) {
            snprintf(err, errlen, "relearn: kept sample %d has class %d, which has no slot", i, keep_train->y[i]);
            return -1;
        }
    if (cm->n_slots != net->n_classes) {
        snprintf(err, errlen, "relearn: the class map has %d slots but the net %d outputs", cm->n_slots,
                 net->n_classes);
        return -1;
    }
    double t0 = now_s();
    Net *nn = net_add_output_slot(net, err, errlen);
    if (!nn) return -1;
    const int K = nn->n_classes, slot = K - 1, cls = forget_train->y[0];
    const int B = c->batch > 1 ? c->batch : 2, Bf = B / 2;
    int every = c->eval_every > 0 ? c->eval_every : 0;
    while (every > 0 && c->max_steps / every + 2 > RELEARN_MAX_POINTS) every++;
    Rng rg;
    rng_seed(&rg, c->seed ^ 0x52454c4541524eULL);
    Dataset *fk = ds_take_random(forget_train, c->k, &rg);
    Dataset *te = ds_take_random(forget_test, c->test_cap, &rg);
    const size_t ss = ds_sample_size(keep_train);
    float *x = malloc((size_t)B * ss * sizeof(float));
    float *t = calloc((size_t)B * K, sizeof(float));
    float *probs = malloc((size_t)B * K * sizeof(float));
    float *dl = malloc((size_t)B * K * sizeof(float));
    int *pred = malloc((size_t)(te ? te->n : 1) * sizeof(int));
    int *idx = malloc((size_t)B * sizeof(int)), *y = malloc((size_t)B * sizeof(int));
    int rc = -1;
    Optim o;
    optim_init(&o, c->opt, nn->n_params, c->lr, 0.0f, 0.0f);
    if (!fk || !te || !x || !t || !probs || !dl || !pred || !idx || !y) {
        snprintf(err, errlen, "relearn: out of memory");
        goto out;
    }
    double acc = new_slot_acc(nn, te, slot, cm, cls, pred);
    r->step[0] = 0; r->acc[0] = (float)acc; r->n_points = 1;
    r->final_acc = acc;
    if (acc >= c->threshold) r->steps = 0;
    for (int s = 1; s <= c->max_steps && isnan(r->steps); s++) {
        for (int i = 0; i < Bf; i++) idx[i] = rng_int(&rg, fk->n);
        ds_gather(fk, idx, Bf, x, y);
        for (int i = 0; i < B - Bf; i++) idx[i] = rng_int(&rg, keep_train->n);
        ds_gather(keep_train, idx, B - Bf, x + (size_t)Bf * ss, y + Bf);
        memset(t, 0, (size_t)B * K * sizeof(float));
        for (int i = 0; i < B; i++) t[(size_t)i * K + (i < Bf ? slot : classmap_slot(cm, y[i]))] = 1.0f;
        const float *logits = net_forward(nn, x, B, 1);
        float loss = softmax_ce(probs, dl, logits, t, NULL, B, K);
        if (!isfinite(loss)) {
            snprintf(err, errlen, "relearn: loss became %f at step %d (lower the relearn step size)", loss, s);
            goto out;
        }
        net_zero_grad(nn);
        net_backward(nn, dl, B);
        optim_step_net(&o, nn, NULL);
        if (eval_at(s, every, c->max_steps)) {
            acc = new_slot_acc(nn, te, slot, cm, cls, pred);
            if (r->n_points < RELEARN_MAX_POINTS) {
                r->step[r->n_points] = s;
                r->acc[r->n_points] = (float)acc;
                r->n_points++;
            }
            r->final_acc = acc;
            if (acc >= c->threshold) r->steps = s;
        }
    }
    rc = 0;
out:
    r->seconds = now_s() - t0;
    optim_free(&o);
    net_free(nn);
    ds_free(fk); ds_free(te);
    free(x); free(t); free(probs); free(dl); free(pred); free(idx); free(y);
    return rc;
}
