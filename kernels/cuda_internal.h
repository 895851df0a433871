/* cuda_internal.h — private to the kernels/ .cu files: the device state that hangs off
 * net->dev, error helpers and the launchers of our own CUDA kernels.
 *
 * Device state of one net (CudaNet):
 *   - one allocation each for params, grads and bn stats (same layout as the
 *     host buffers net->params/grads/stats);
 *   - one allocation for all activations, sized for cap_B samples (grown on
 *     demand): act[0] is the uploaded input, act[i+1] the output of layer i
 *     (a flatten layer aliases its input); two ping-pong buffers of the largest
 *     tensor for the backward pass;
 *   - per layer: cuDNN descriptors (tensor, filter, convolution x3, pooling,
 *     activation, bn), the conv algorithms chosen for the current batch size,
 *     bn saved mean/inv_std, dropout masks;
 *   - one stream, one cuDNN handle, one cuBLAS handle; pinned host staging
 *     buffers for the input, the logits, dlogits, dropout masks and masks;
 *   - device copies of optimiser state (a few slots keyed by the Optim).
 * Only C++ (nvcc) includes this file.
 */
#ifndef CUDA_INTERNAL_H
#define CUDA_INTERNAL_H
#include <cuda_runtime.h>
#include <cudnn.h>
#include <cublas_v2.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include "net.h"
#include "layers.h"
#include "optim.h"
}
#include "cuda_backend.h"

/* A failing CUDA/cuDNN/cuBLAS call on the hot path is fatal: one line on
 * stderr naming the call, then exit(3).  (Set-up errors in cuda_net_attach are
 * returned as messages instead.) */
[[noreturn]] void cu_fatal(const char *call, const char *msg, const char *file, int line);
#define CK(x) do { cudaError_t e_ = (x); \
    if (e_ != cudaSuccess) cu_fatal(#x, cudaGetErrorString(e_), __FILE__, __LINE__); } while (0)
#define CKDNN(x) do { cudnnStatus_t s_ = (x); \
    if (s_ != CUDNN_STATUS_SUCCESS) cu_fatal(#x, cudnnGetErrorString(s_), __FILE__, __LINE__); } while (0)
#define CKBLAS(x) do { cublasStatus_t s_ = (x); \
    if (s_ != CUBLAS_STATUS_SUCCESS) cu_fatal(#x, cublasGetStatusString(s_), __FILE__, __LINE__); } while (0)

typedef struct {
    cudnnConvolutionFwdAlgo_t fwd;
    cudnnConvolutionBwdDataAlgo_t data;
    cudnnConvolutionBwdFilterAlgo_t filt;
    cudnnMathType_t m_fwd, m_data, m_filt;
    size_t ws_fwd, ws_data, ws_filt;    /* workspace bytes */
} ConvAlgos;

typedef struct {
    cudnnTensorDescriptor_t x_desc, y_desc;   /* [B][in_c][in_h][in_w], [B][out_c][out_h][out_w] */
    cudnnTensorDescriptor_t bn_desc;          /* [1][C][1][1] */
    cudnnFilterDescriptor_t w_desc;           /* [OC][C][K][K] */
    cudnnConvolutionDescriptor_t conv_fwd, conv_data, conv_filt; /* one per direction: own math type */
    cudnnPoolingDescriptor_t pool;
    cudnnActivationDescriptor_t act;
    int desc_B;                               /* batch size the descriptors describe (0: none yet) */
    ConvAlgos algo;                           /* conv: algorithms for desc_B */
    size_t act_off;                           /* output offset in act_mem (floats); flatten: aliases */
    int alias;                                /* 1: output is the input (flatten) */
    float *save_mean, *save_invstd;           /* bn: batch mean and 1/sqrt(var+eps) of the last training forward */
    float *mask;                              /* dropout: device mask [cap_B * out] */
    float *h_mask;                            /* dropout: pinned host mask (drawn by the CPU dropout_forward) */
} CudaLayer;

typedef struct {
    const Optim *o;                           /* the host optimiser this slot mirrors */
    const float *host_m, *host_v;             /* its state arrays when the slot was filled */
    OptKind kind;
    long t;                                   /* o->t after our last step (a different value: host changed it) */
    float *m, *v;                             /* device state, n_params each (v: Adam only) */
    unsigned long stamp;                      /* for least-recently-used replacement */
} OptSlot;

#define CUDA_OPT_SLOTS 4

typedef struct CudaNet {
    int device;
    int strict;                               /* UNLEARN_CUDA_STRICT=1: no TF32, deterministic algorithms */
    size_t ws_limit;                          /* max workspace bytes an algorithm may ask for */
    cudaStream_t stream;
    cudnnHandle_t dnn;
    cublasHandle_t blas;

    float *params, *grads, *stats;            /* device twins of net->params/grads/stats */
    CudaLayer *L;

    int cap_B;                                /* activations sized for this many samples */
    float *act_mem;                           /* all activations, input first */
    float *dbuf;                              /* backward ping-pong: two halves of max_sz*cap_B */
    size_t in_sz, max_sz;                     /* floats per sample: input, largest tensor */
    float *part;                              /* per-channel reduction partials [max_c * RED_SPLITS] */
    int max_c;
    void *ws; size_t ws_size;                 /* cuDNN workspace, grown to the largest need */

    float *h_in; size_t h_in_cap;             /* pinned staging (bytes) */
    float *h_logits; size_t h_logits_cap;
    float *h_dl; size_t h_dl_cap;
    cudaEvent_t dl_done;                      /* the last dlogits upload has left h_dl */
    float *h_out; size_t h_out_cap;           /* layer output copies */
    float *h_ones, *h_scratch; size_t h_drop_cap; /* dropout mask drawing: input of ones, ignored output */
    uint8_t *h_u8, *d_u8;                     /* parameter mask staging / device copy (n_params bytes) */
    int u8_valid;                             /* d_u8 holds (or will, in stream order) h_u8's bytes */
    cudaEvent_t u8_done;

    OptSlot opt[CUDA_OPT_SLOTS];
    unsigned long opt_clock;

    int last_B, last_training;                /* state of the last forward */
} CudaNet;

static inline CudaNet *cuda_state(struct Net *net) { return (CudaNet *)net->dev; }
static inline float *cuda_act(CudaNet *c, int i) {   /* act[i]: i = 0 input, i = l+1 output of layer l */
    return i == 0 ? c->act_mem : c->act_mem + c->L[i - 1].act_off;
}

/* Add n to the whole-buffer transfer count (cuda_transfer_count): every host<->device copy
 * of a parameter-sized buffer (params, grads, stats, optimiser m/v, a mask, a CudaVec)
 * calls this; per-batch data (input, logits, dlogits, dropout masks, layer outputs) does not. */
void cuda_count_transfers(int n);
/* Upload a host mask of n_params bytes to c->d_u8 (through pinned staging) unless the
 * last upload had the same bytes (a masked loop uploads its mask once); returns the
 * device pointer, or NULL when mask is NULL. */
const uint8_t *cuda_upload_mask(struct Net *net, const uint8_t *mask);
/* Device optimiser slot for o (created and filled from the host on first use);
 * NULL if o has none and create is 0. */
OptSlot *cuda_opt_slot(struct Net *net, const Optim *o, int create);

/* ---- launchers of our own kernels (kernels/cuda_kernels.cu), all on stream s ---- */
#define RED_SPLITS 64
/* y[b][c][hw] += bias[c] over [B][C][HW] */
void k_bias_add(cudaStream_t s, float *y, const float *bias, int B, int C, int HW);
/* db[c] += sum over b, hw of dy[b][c][hw] (fixed order: deterministic); part: C*RED_SPLITS floats */
void k_bias_grad(cudaStream_t s, float *db, const float *dy, int B, int C, int HW, float *part);
void k_leaky_fwd(cudaStream_t s, float *y, const float *x, size_t n, float slope);
void k_leaky_bwd(cudaStream_t s, float *dx, const float *dy, const float *x, size_t n, float slope);
/* y = a * b elementwise (dropout forward and backward) */
void k_mul(cudaStream_t s, float *y, const float *a, const float *b, size_t n);
void k_add(cudaStream_t s, float *y, const float *x, size_t n);   /* y += x */
/* global average pool [B*C planes][HW] -> [B*C] and back */
void k_gap_fwd(cudaStream_t s, float *y, const float *x, int planes, int HW);
void k_gap_bwd(cudaStream_t s, float *dx, const float *dy, int planes, int HW);
/* batch-norm backward with FIXED (running) statistics, after an eval-mode forward:
 * dx = dy*gamma*inv_std; dgamma += sum dy*xhat; dbeta += sum dy */
void k_bn_eval_bwd(cudaStream_t s, float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                   const float *gamma, const float *rmean, const float *rvar, float eps,
                   int B, int C, int HW, float *part);
/* masked optimiser steps, PyTorch semantics, bit-identical arithmetic to optim.c */
void k_sgd(cudaStream_t s, float *p, const float *g, float *m, const uint8_t *mask, size_t n,
           float lr, float mu, float wd);
void k_adam(cudaStream_t s, float *p, const float *g, float *m, float *v, const uint8_t *mask, size_t n,
            float lr_over_bc1, float sqrt_bc2, float b1, float b2, float eps, float wd);
/* acc[i] += scale*|g[i]| (squared=0) or scale*g[i]^2 */
void k_saliency(cudaStream_t s, float *acc, const float *g, size_t n, int squared, float scale);
/* SSD: where I_f > alpha*I_D, p *= min(lambda*I_D/I_f, 1); counts the entries scaled (factor < 1) into *count */
void k_ssd(cudaStream_t s, float *p, const float *I_D, const float *I_f, size_t n, float alpha, float lambda,
           unsigned long long *count);
/* where mask[i]==0: p[i] = orig[i], m[i] = 0, v[i] = 0 (m, v may be NULL) */
void k_restore(cudaStream_t s, float *p, const float *orig, float *m, float *v, const uint8_t *mask, size_t n);
#endif
