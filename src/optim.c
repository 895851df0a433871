/* optim.c — masked SGD / Adam over the flat parameter buffer (see optim.h). */
#include "optim.h"
#include "net.h"
#include "../kernels/cuda_backend.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void optim_init(Optim *o, OptKind kind, size_t n, float lr, float momentum, float weight_decay) {
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = momentum;
    o->weight_decay = weight_decay;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->n = n;
    o->m = calloc(n ? n : 1, sizeof(float));
    o->v = calloc(n ? n : 1, sizeof(float));
    if (!o->m || !o->v) { fprintf(stderr, "out of memory (optimiser state)\n"); exit(1); }
}

void optim_free(Optim *o) {
    free(o->m); free(o->v);
    o->m = o->v = NULL;
}

void optim_reset_state(Optim *o) {
    memset(o->m, 0, o->n * sizeof(float));
    memset(o->v, 0, o->n * sizeof(float));
    o->t = 0;
}

void optim_step(Optim *o, float *params, const float *grads, const uint8_t *mask) {
    const size_t n = o->n;
    const float lr = o->lr, wd = o->weight_decay;
    float *m = o->m, *v = o->v;
    if (o->kind == OPT_SGD) {
        const float mu = o->momentum;
        /* PyTorch SGD: g' = g + wd*p; buf = mu*buf + g' (buf = g' on the first step,
         * identical here since buf starts at 0); p -= lr*buf */
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) {
            if (mask && !mask[i]) continue;
            float g = grads[i] + wd * params[i];
            if (mu != 0.0f) { m[i] = mu * m[i] + g; g = m[i]; }
            params[i] -= lr * g;
        }
    } else {
        o->t++;
        const float b1 = o->beta1, b2 = o->beta2, eps = o->eps;
        const float bc1 = 1.0f - powf(b1, (float)o->t), bc2 = 1.0f - powf(b2, (float)o->t);
        const float step = lr / bc1, sbc2 = sqrtf(bc2);
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++) {
            if (mask && !mask[i]) continue;
            float g = grads[i] + wd * params[i];
            m[i] = b1 * m[i] + (1.0f - b1) * g;
            v[i] = b2 * v[i] + (1.0f - b2) * g * g;
            params[i] -= step * m[i] / (sqrtf(v[i]) / sbc2 + eps);
        }
    }
}

void optim_step_net(Optim *o, Net *net, const uint8_t *mask) {
    if (net->device == DEVICE_CUDA) { cuda_optim_step(net, o, mask); return; }
    optim_step(o, net->params, net->grads, mask);
}
