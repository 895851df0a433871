/* cuda_ops.cu — masked optimiser steps on the device (cuda_optim_step) and the
 * unlearning entry points of cuda_ops.h: device vectors, saliency accumulation,
 * SSD dampening, restore-frozen, state transfers, device information. */
#include "cuda_internal.h"
#include "cuda_ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

struct CudaVec {
    Net *net;
    float *d;
    size_t n;
};

/* ---- parameter mask upload ---- */

const uint8_t *cuda_upload_mask(Net *net, const uint8_t *mask) {
    CudaNet *c = cuda_state(net);
    if (!mask || !net->n_params) return NULL;
    /* h_u8 is written only here, so it holds the bytes d_u8 was last given (queued in stream order) */
    if (c->u8_valid && !memcmp(c->h_u8, mask, net->n_params)) return c->d_u8;
    CK(cudaEventSynchronize(c->u8_done));      /* the previous mask has left the staging buffer */
    memcpy(c->h_u8, mask, net->n_params);
    CK(cudaMemcpyAsync(c->d_u8, c->h_u8, net->n_params, cudaMemcpyHostToDevice, c->stream));
    CK(cudaEventRecord(c->u8_done, c->stream));
    cuda_count_transfers(1);
    c->u8_valid = 1;
    return c->d_u8;
}

/* ---- optimiser state slots ---- */

static void slot_upload(Net *net, OptSlot *sl, const Optim *o) {
    CudaNet *c = cuda_state(net);
    const size_t bytes = net->n_params * sizeof(float);
    if (sl->m) {
        if (o->m) {
            CK(cudaMemcpyAsync(sl->m, o->m, bytes, cudaMemcpyHostToDevice, c->stream));
            cuda_count_transfers(1);
        }
        else CK(cudaMemsetAsync(sl->m, 0, bytes, c->stream));
    }
    if (sl->v) {
        if (o->v) {
            CK(cudaMemcpyAsync(sl->v, o->v, bytes, cudaMemcpyHostToDevice, c->stream));
            cuda_count_transfers(1);
        }
        else CK(cudaMemsetAsync(sl->v, 0, bytes, c->stream));
    }
    sl->t = o->t;
}

OptSlot *cuda_opt_slot(Net *net, const Optim *o, int create) {
    CudaNet *c = cuda_state(net);
    OptSlot *sl = NULL;
    for (int s = 0; s < CUDA_OPT_SLOTS; s++) {
        OptSlot *x = &c->opt[s];
        if (x->o == o && x->host_m == o->m && x->host_v == o->v && x->kind == o->kind) { sl = x; break; }
    }
    if (!sl && !create) return NULL;
    if (!sl) {
        /* an empty slot, else the least recently used one (its device state is dropped) */
        for (int s = 0; s < CUDA_OPT_SLOTS && !sl; s++) if (!c->opt[s].o) sl = &c->opt[s];
        if (!sl) {
            sl = &c->opt[0];
            for (int s = 1; s < CUDA_OPT_SLOTS; s++) if (c->opt[s].stamp < sl->stamp) sl = &c->opt[s];
        }
        CK(cudaStreamSynchronize(c->stream));
        if (sl->m) CK(cudaFree(sl->m));
        if (sl->v) CK(cudaFree(sl->v));
        memset(sl, 0, sizeof *sl);
        sl->o = o; sl->host_m = o->m; sl->host_v = o->v; sl->kind = o->kind;
        const size_t bytes = (net->n_params ? net->n_params : 1) * sizeof(float);
        CK(cudaMalloc(&sl->m, bytes));
        if (o->kind == OPT_ADAM) CK(cudaMalloc(&sl->v, bytes));
        slot_upload(net, sl, o);
    } else if (sl->t != o->t) {
        slot_upload(net, sl, o);             /* the host changed the state (reset, or a CPU step) */
    }
    sl->stamp = ++c->opt_clock;
    return sl;
}

void cuda_optim_step(Net *net, Optim *o, const uint8_t *mask) {
    CudaNet *c = cuda_state(net);
    if (!c) { fprintf(stderr, "cuda_optim_step: the net is not attached to the GPU\n"); exit(3); }
    if (o->n != net->n_params) {
        fprintf(stderr, "cuda_optim_step: optimiser has %zu values, the net %zu parameters\n", o->n, net->n_params);
        exit(3);
    }
    OptSlot *sl = cuda_opt_slot(net, o, 1);
    const uint8_t *dmask = cuda_upload_mask(net, mask);
    const size_t n = net->n_params;
    if (o->kind == OPT_SGD) {
        k_sgd(c->stream, c->params, c->grads, sl->m, dmask, n, o->lr, o->momentum, o->weight_decay);
        o->t++;                               /* counted so that a reset (t = 0) is noticed */
    } else {
        o->t++;
        /* the same float expressions as optim.c */
        const float b1 = o->beta1, b2 = o->beta2;
        const float bc1 = 1.0f - powf(b1, (float)o->t), bc2 = 1.0f - powf(b2, (float)o->t);
        const float step = o->lr / bc1, sbc2 = sqrtf(bc2);
        k_adam(c->stream, c->params, c->grads, sl->m, sl->v, dmask, n, step, sbc2, b1, b2, o->eps,
               o->weight_decay);
    }
    sl->t = o->t;
}

int cuda_optim_sync_to_host(Net *net, Optim *o) {
    CudaNet *c = cuda_state(net);
    if (!c || !o || o->n != net->n_params) return -1;
    OptSlot *sl = cuda_opt_slot(net, o, 0);
    if (!sl) return 0;                        /* never stepped on the device: the host holds it */
    const size_t bytes = net->n_params * sizeof(float);
    if (sl->m && o->m) {
        CK(cudaMemcpyAsync(o->m, sl->m, bytes, cudaMemcpyDeviceToHost, c->stream));
        cuda_count_transfers(1);
    }
    if (sl->v && o->v) {
        CK(cudaMemcpyAsync(o->v, sl->v, bytes, cudaMemcpyDeviceToHost, c->stream));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

int cuda_optim_sync_to_device(Net *net, Optim *o) {
    CudaNet *c = cuda_state(net);
    if (!c || !o || o->n != net->n_params) return -1;
    OptSlot *sl = cuda_opt_slot(net, o, 1);   /* a new slot is filled from the host already */
    slot_upload(net, sl, o);
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

int cuda_net_upload_grads(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c) return -1;
    if (net->n_params) {
        CK(cudaMemcpyAsync(c->grads, net->grads, net->n_params * sizeof(float), cudaMemcpyHostToDevice, c->stream));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

int cuda_net_wait(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c) return -1;
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

/* ---- device vectors ---- */

CudaVec *cuda_vec_new(Net *net, size_t n) {
    CudaNet *c = cuda_state(net);
    if (!c) return NULL;
    CudaVec *v = (CudaVec *)calloc(1, sizeof(CudaVec));
    if (!v) return NULL;
    v->net = net;
    v->n = n;
    if (cudaMalloc(&v->d, (n ? n : 1) * sizeof(float)) != cudaSuccess) {
        (void)cudaGetLastError();
        free(v);
        return NULL;
    }
    CK(cudaMemsetAsync(v->d, 0, (n ? n : 1) * sizeof(float), c->stream));
    return v;
}

void cuda_vec_free(CudaVec *v) {
    if (!v) return;
    CudaNet *c = cuda_state(v->net);
    if (c) CK(cudaStreamSynchronize(c->stream));
    CK(cudaFree(v->d));
    free(v);
}

size_t cuda_vec_len(const CudaVec *v) { return v ? v->n : 0; }

int cuda_vec_upload(CudaVec *v, const float *host) {
    CudaNet *c = v ? cuda_state(v->net) : NULL;
    if (!c) return -1;
    if (v->n) {
        CK(cudaMemcpyAsync(v->d, host, v->n * sizeof(float), cudaMemcpyHostToDevice, c->stream));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

int cuda_vec_download(const CudaVec *v, float *host) {
    CudaNet *c = v ? cuda_state(v->net) : NULL;
    if (!c) return -1;
    if (v->n) {
        CK(cudaMemcpyAsync(host, v->d, v->n * sizeof(float), cudaMemcpyDeviceToHost, c->stream));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(c->stream));
    return 0;
}

int cuda_vec_zero(CudaVec *v) {
    CudaNet *c = v ? cuda_state(v->net) : NULL;
    if (!c) return -1;
    if (v->n) CK(cudaMemsetAsync(v->d, 0, v->n * sizeof(float), c->stream));
    return 0;
}

int cuda_vec_copy_params(CudaVec *v) {
    CudaNet *c = v ? cuda_state(v->net) : NULL;
    if (!c || v->n != v->net->n_params) return -1;
    if (v->n) CK(cudaMemcpyAsync(v->d, c->params, v->n * sizeof(float), cudaMemcpyDeviceToDevice, c->stream));
    return 0;
}

/* ---- unlearning primitives ---- */

int cuda_saliency_accumulate(CudaVec *acc, int squared, float scale) {
    CudaNet *c = acc ? cuda_state(acc->net) : NULL;
    if (!c || acc->n != acc->net->n_params) return -1;
    k_saliency(c->stream, acc->d, c->grads, acc->n, squared, scale);
    return 0;
}

long cuda_ssd_dampen(Net *net, const CudaVec *I_D, const CudaVec *I_f, float alpha, float lambda) {
    CudaNet *c = cuda_state(net);
    if (!c || !I_D || !I_f || I_D->n != net->n_params || I_f->n != net->n_params) return -1;
    unsigned long long *dcount = NULL, count = 0;
    CK(cudaMalloc(&dcount, sizeof *dcount));
    CK(cudaMemsetAsync(dcount, 0, sizeof *dcount, c->stream));
    k_ssd(c->stream, c->params, I_D->d, I_f->d, net->n_params, alpha, lambda, dcount);
    CK(cudaMemcpyAsync(&count, dcount, sizeof count, cudaMemcpyDeviceToHost, c->stream));
    CK(cudaStreamSynchronize(c->stream));
    CK(cudaFree(dcount));
    return (long)count;
}

int cuda_restore_frozen(Net *net, const CudaVec *orig, const uint8_t *mask, Optim *o) {
    CudaNet *c = cuda_state(net);
    if (!c || !orig || !mask || orig->n != net->n_params) return -1;
    float *m = NULL, *v = NULL;
    if (o) {
        if (o->n != net->n_params) return -1;
        OptSlot *sl = cuda_opt_slot(net, o, 1);
        m = sl->m; v = sl->v;
    }
    const uint8_t *dmask = cuda_upload_mask(net, mask);
    k_restore(c->stream, c->params, orig->d, m, v, dmask, net->n_params);
    return 0;
}

int cuda_saliency_accumulate_host(Net *net, float *acc, int squared, float scale) {
    if (!cuda_state(net)) return -1;
    CudaVec *v = cuda_vec_new(net, net->n_params);
    if (!v) return -1;
    int rc = cuda_vec_upload(v, acc);
    if (!rc) rc = cuda_saliency_accumulate(v, squared, scale);
    if (!rc) rc = cuda_vec_download(v, acc);
    cuda_vec_free(v);
    return rc;
}

long cuda_ssd_dampen_host(Net *net, const float *I_D, const float *I_f, float alpha, float lambda) {
    if (!cuda_state(net)) return -1;
    CudaVec *d = cuda_vec_new(net, net->n_params), *f = cuda_vec_new(net, net->n_params);
    long rc = -1;
    if (d && f && !cuda_vec_upload(d, I_D) && !cuda_vec_upload(f, I_f)) rc = cuda_ssd_dampen(net, d, f, alpha, lambda);
    cuda_vec_free(d);
    cuda_vec_free(f);
    return rc;
}

int cuda_restore_frozen_host(Net *net, const float *orig, const uint8_t *mask, Optim *o) {
    if (!cuda_state(net)) return -1;
    CudaVec *v = cuda_vec_new(net, net->n_params);
    if (!v) return -1;
    int rc = cuda_vec_upload(v, orig);
    if (!rc) rc = cuda_restore_frozen(net, v, mask, o);
    cuda_vec_free(v);                         /* synchronises: the restore has run */
    return rc;
}

/* ---- information ---- */

int cuda_device_props(char *name, size_t namelen, int *sm_count, int *clock_khz, int *cc_major, int *cc_minor) {
    int dev = 0;
    cudaDeviceProp p;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&p, dev) != cudaSuccess) {
        (void)cudaGetLastError();
        if (name && namelen) name[0] = 0;
        return -1;
    }
    if (name && namelen) snprintf(name, namelen, "%s", p.name);
    if (sm_count) *sm_count = p.multiProcessorCount;
    if (cc_major) *cc_major = p.major;
    if (cc_minor) *cc_minor = p.minor;
    if (clock_khz) {
        /* cudaDeviceProp::clockRate is gone in CUDA 13; the attribute remains */
        int k = 0;
        if (cudaDeviceGetAttribute(&k, cudaDevAttrClockRate, dev) != cudaSuccess) { (void)cudaGetLastError(); k = 0; }
        *clock_khz = k;
    }
    return 0;
}

static const char *math_name(cudnnMathType_t m) {
    switch (m) {
    case CUDNN_DEFAULT_MATH: return "default";
    case CUDNN_TENSOR_OP_MATH: return "tensor-op";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor-op-conv";
    case CUDNN_FMA_MATH: return "fma";
    }
    return "?";
}

int cuda_net_describe(Net *net, char *buf, size_t len) {
    CudaNet *c = cuda_state(net);
    if (!c || !buf || !len) return -1;
    size_t at = 0;
    buf[0] = 0;
    for (int i = 0; i < net->n_layers && at < len; i++) {
        const Layer *L = &net->layers[i];
        const CudaLayer *cl = &c->L[i];
        if (L->type != LAYER_CONV2D || cl->desc_B <= 0) continue;
        int w = snprintf(buf + at, len - at,
                         "layer %d conv %dx%dx%d->%d k%d s%d p%d B=%d: fwd algo %d (%s, %zu B ws), "
                         "bwd-data algo %d (%s, %zu B), bwd-filter algo %d (%s, %zu B)\n",
                         i, L->in_c, L->in_h, L->in_w, L->out_c, L->k, L->stride, L->pad, cl->desc_B,
                         (int)cl->algo.fwd, math_name(cl->algo.m_fwd), cl->algo.ws_fwd, (int)cl->algo.data,
                         math_name(cl->algo.m_data), cl->algo.ws_data, (int)cl->algo.filt,
                         math_name(cl->algo.m_filt), cl->algo.ws_filt);
        if (w < 0) break;
        at += (size_t)w;
    }
    return 0;
}

int cuda_strict_mode(Net *net) {
    CudaNet *c = cuda_state(net);
    return c ? c->strict : 0;
}

int cuda_library_versions(char *buf, size_t len) {
    if (!buf || !len) return -1;
    int rt = 0, drv = 0;
    (void)cudaRuntimeGetVersion(&rt);
    (void)cudaDriverGetVersion(&drv);
    (void)cudaGetLastError();
    const size_t dnn = cudnnGetVersion();
    int bmaj = 0, bmin = 0, bpat = 0;             /* cublasGetProperty needs no handle */
    cublasGetProperty(MAJOR_VERSION, &bmaj);
    cublasGetProperty(MINOR_VERSION, &bmin);
    cublasGetProperty(PATCH_LEVEL, &bpat);
    snprintf(buf, len, "CUDA runtime %d.%d, driver %d.%d, cuDNN %zu.%zu.%zu, cuBLAS %d.%d.%d", rt / 1000,
             (rt % 1000) / 10, drv / 1000, (drv % 1000) / 10, dnn / 10000, (dnn % 10000) / 100, dnn % 100, bmaj, bmin,
             bpat);
    return 0;
}
