/* train.c — supervised training and evaluation loops (see train.h). */
#include "train.h"
#include "layers.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) { fprintf(stderr, "out of memory (%zu bytes)\n", n); exit(1); }
    return p;
}

void train_config_default(TrainConfig *c) {
    memset(c, 0, sizeof *c);
    c->epochs = 3;
    c->batch = 64;
    c->opt = OPT_ADAM;
    c->lr = 1e-3f;
    c->momentum = 0.9f;
    c->weight_decay = 0.0f;
    c->cosine = 1;
    c->seed = 1;
    c->verbose = 1;
}

void epoch_order(int *idx, int n, Rng *r) {
    for (int i = 0; i < n; i++) idx[i] = i;
    rng_shuffle(r, idx, n);
}

void onehot_targets(float *t, const int *y, int B, const ClassMap *cm, int K) {
    memset(t, 0, (size_t)B * K * sizeof(float));
    for (int i = 0; i < B; i++) {
        int s = classmap_slot(cm, y[i]);
        if (s >= 0 && s < K) t[(size_t)i * K + s] = 1.0f;
    }
}

float lr_at(const TrainConfig *c, long s, long S) {
    if (!c->cosine || S <= 1) return c->lr;
    return c->lr * 0.5f * (1.0f + cosf((float)M_PI * (float)s / (float)S));
}

static int tty_progress = -1;
void train_progress(const char *label, long done, long total, const char *extra) {
    if (tty_progress < 0) tty_progress = isatty(2);
    if (!tty_progress) return;
    int width = 24, fill = total > 0 ? (int)(width * done / total) : 0;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[width] = 0;
    fprintf(stderr, "\r%s [%s] %ld/%ld %s\033[K", label, bar, done, total, extra ? extra : "");
    fflush(stderr);
}
void train_progress_end(void) {
    if (tty_progress > 0) { fprintf(stderr, "\r\033[K"); fflush(stderr); }
}

int train_supervised(Net *net, const Dataset *d, const ClassMap *cm, const TrainConfig *cfg,
                     TrainStats *st, char *err, size_t errlen) {
    const int B = cfg->batch, K = net->n_classes;
    const size_t ss = ds_sample_size(d);
    if (d->n == 0) { snprintf(err, errlen, "the training set is empty"); return -1; }
    if ((int)ss != net->in_c * net->in_h * net->in_w) {
        snprintf(err, errlen, "samples are %dx%dx%d but the net expects %dx%dx%d", d->c, d->h, d->w,
                 net->in_c, net->in_h, net->in_w);
        return -1;
    }
    for (int i = 0; i < d->n; i++)
        if (classmap_slot(cm, d->y[i]) < 0) {
            snprintf(err, errlen, "training sample %d has class %d, which has no output slot", i, d->y[i]);
            return -1;
        }
    for (size_t i = 0; i < (size_t)d->n * ss; i++)   /* NaN/inf data would poison the weights */
        if (!isfinite(d->x[i])) {
            snprintf(err, errlen, "training sample %zu has a non-finite value (%f) at position %zu: refusing to train on it",
                     i / ss, d->x[i], i % ss);
            return -1;
        }
    Rng r;
    rng_seed(&r, cfg->seed);
    net->dropout_state = cfg->seed * 0x9e3779b97f4a7c15ULL + 1;
    Optim opt;
    optim_init(&opt, cfg->opt, net->n_params, cfg->lr, cfg->momentum, cfg->weight_decay);
    int *idx = xmalloc((size_t)d->n * sizeof(int));
    int *y = xmalloc((size_t)B * sizeof(int));
    float *x = xmalloc((size_t)B * ss * sizeof(float));
    float *t = xmalloc((size_t)B * K * sizeof(float));
    float *probs = xmalloc((size_t)B * K * sizeof(float));
    float *dlogits = xmalloc((size_t)B * K * sizeof(float));
    long steps_per_epoch = (d->n + B - 1) / B;
    long total = cfg->max_steps > 0 ? cfg->max_steps : steps_per_epoch * cfg->epochs;
    long step = 0;
    int rc = 0;
    double t0 = now_s();
    memset(st, 0, sizeof *st);
    for (int epoch = 0; step < total; epoch++) {
        epoch_order(idx, d->n, &r);
        double loss_sum = 0; long correct = 0, seen = 0;
        for (int b0 = 0; b0 < d->n && step < total; b0 += B, step++) {
            int nb = d->n - b0 < B ? d->n - b0 : B;
            ds_gather(d, idx + b0, nb, x, y);
            if (cfg->augment) cfg->augment(x, y, nb, d->c, d->h, d->w, &r, cfg->augment_ctx);
            for (size_t i = 0; cfg->augment && i < (size_t)nb * ss; i++)
                if (!isfinite(x[i])) {
                    snprintf(err, errlen, "training sample %d has a non-finite value (%f) at position %zu after "
                             "augmentation: refusing to train on it", idx[b0 + (int)(i / ss)], x[i], i % ss);
                    rc = -1;
                    goto out;
                }
            onehot_targets(t, y, nb, cm, K);
            opt.lr = lr_at(cfg, step, total);
            const float *logits = net_forward(net, x, nb, 1);
            float loss = softmax_ce(probs, dlogits, logits, t, NULL, nb, K);
            if (!isfinite(loss)) {
                snprintf(err, errlen, "training diverged: loss is %f at epoch %d step %ld (try a smaller --lr)",
                         loss, epoch + 1, step);
                rc = -1;
                goto out;
            }
            net_zero_grad(net);
            net_backward(net, dlogits, nb);
            /* a finite loss can still come with NaN/inf gradients: check them before any
             * weight is updated (the CPU copy only; the CUDA path keeps them on the device) */
            if (net->device == DEVICE_CPU)
                for (size_t i = 0; i < net->n_params; i++)
                    if (!isfinite(net->grads[i])) {
                        snprintf(err, errlen, "training diverged: a gradient is %f at epoch %d step %ld "
                                 "(try a smaller --lr)", net->grads[i], epoch + 1, step);
                        rc = -1;
                        goto out;
                    }
            optim_step_net(&opt, net, cfg->mask);
            loss_sum += loss * nb;
            for (int i = 0; i < nb; i++) {
                int best = 0;
                for (int k = 1; k < K; k++) if (probs[i * K + k] > probs[i * K + best]) best = k;
                correct += best == classmap_slot(cm, y[i]);
            }
            seen += nb;
            if (cfg->verbose && (step % 10 == 0 || step + 1 == total)) {
                char extra[128], label[32];
                double el = now_s() - t0;
                snprintf(extra, sizeof extra, "loss %.4f acc %.2f%% %.0f img/s", loss_sum / seen,
                         100.0 * correct / seen, (st->images + seen) / (el > 0 ? el : 1));
                snprintf(label, sizeof label, "epoch %d", epoch + 1);
                train_progress(label, b0 + nb, d->n, extra);
            }
        }
        st->images += seen;
        st->loss = seen ? loss_sum / seen : 0;
        st->acc = seen ? (double)correct / seen : 0;
    }
out:
    if (cfg->verbose) train_progress_end();
    st->steps = step;
    st->seconds = now_s() - t0;
    free(idx); free(y); free(x); free(t); free(probs); free(dlogits);
    optim_free(&opt);
    return rc;
}

void train_predict(Net *net, const Dataset *d, int batch, int *pred, float *probs) {
    const int K = net->n_classes;
    const size_t ss = ds_sample_size(d);
    float *p = xmalloc((size_t)batch * K * sizeof(float));
    for (int b0 = 0; b0 < d->n; b0 += batch) {
        int nb = d->n - b0 < batch ? d->n - b0 : batch;
        const float *logits = net_forward(net, d->x + (size_t)b0 * ss, nb, 0);
        softmax_rows(p, NULL, logits, nb, K, 1.0f);
        for (int i = 0; i < nb; i++) {
            int best = 0;
            for (int k = 1; k < K; k++) if (p[i * K + k] > p[i * K + best]) best = k;
            if (pred) pred[b0 + i] = best;
            if (probs) memcpy(probs + (size_t)(b0 + i) * K, p + (size_t)i * K, K * sizeof(float));
        }
    }
    free(p);
}

void train_evaluate(Net *net, const Dataset *d, const ClassMap *cm, int batch, int n_labels, EvalResult *r) {
    const int K = net->n_classes;
    double t0 = now_s();
    memset(r, 0, sizeof *r);
    r->n_labels = n_labels;
    r->n_slots = K;
    int *pred = xmalloc((size_t)(d->n ? d->n : 1) * sizeof(int));
    float *probs = xmalloc((size_t)(d->n ? d->n : 1) * K * sizeof(float));
    train_predict(net, d, batch, pred, probs);
    long correct = 0, total = 0;
    double loss = 0;
    for (int i = 0; i < d->n; i++) {
        int y = d->y[i];
        if (y < 0 || y >= n_labels || y >= MAX_LABELS) continue;
        r->confusion[y][pred[i]]++;
        r->count[y]++;
        int s = classmap_slot(cm, y);
        if (s >= 0) {
            total++;
            correct += pred[i] == s;
            float pr = probs[(size_t)i * K + s];
            loss += -log(pr > 1e-12f ? pr : 1e-12f);
        }
    }
    r->acc = total ? (double)correct / total : NAN;
    r->mean_loss = total ? loss / total : NAN;
    for (int y = 0; y < n_labels && y < MAX_LABELS; y++) {
        int s = classmap_slot(cm, y);
        r->class_acc[y] = (s >= 0 && r->count[y]) ? (double)r->confusion[y][s] / r->count[y] : NAN;
    }
    r->seconds = now_s() - t0;
    free(pred); free(probs);
}

float *extract_features(Net *net, const Dataset *d, int layer, int batch) {
    const size_t ss = ds_sample_size(d);
    const int F = net_layer_size(net, layer);
    float *f = xmalloc((size_t)(d->n ? d->n : 1) * F * sizeof(float));
    for (int b0 = 0; b0 < d->n; b0 += batch) {
        int nb = d->n - b0 < batch ? d->n - b0 : batch;
        net_forward(net, d->x + (size_t)b0 * ss, nb, 0);
        memcpy(f + (size_t)b0 * F, net_layer_output(net, layer), (size_t)nb * F * sizeof(float));
    }
    return f;
}
