/* layers.h — every layer is a pair of plain functions over raw float arrays.
 *
 * Layout: activations are NCHW, row-major, batch B first.  Conv weights are
 * [OC][C][K][K] (PyTorch order), linear weights are [OUT][IN] (PyTorch order).
 * Backward functions ACCUMULATE into parameter gradients (dw, db, dgamma...)
 * and OVERWRITE the input gradient (din).  din may be NULL when the layer is
 * the first one (its input gradient is not needed).
 *
 * Workspaces: the caller passes a scratch buffer of at least the size the
 * matching *_ws_floats() function returns (the size may depend on the number
 * of OpenMP threads).  No layer function allocates memory on its hot path.
 *
 * Determinism: for a fixed thread count every function returns bit-identical
 * results run after run (no atomics, fixed reduction order).
 */
#ifndef LAYERS_H
#define LAYERS_H
#include <stddef.h>
#include <stdint.h>
#include "shape_math.h"

/* Output size of a conv/pool window along one axis, computed in 64 bits by
 * shape_conv_out (shape_math.h): -1 when an operand or the result is outside
 * the shape limits; <= 0 means the window does not fit (empty output). */
static inline int conv_out_size(int in, int k, int stride, int pad) {
    int64_t r;
    return shape_conv_out(&r, in, k, stride, pad) ? -1 : (int)r;
}

/* ---- GEMM backend of the CPU layers (gemm.c): "dnnl" (oneDNN's AVX-512 sgemm, the default when
 * built with USE_DNNL) or "openblas" (the reference); UNLEARN_GEMM=name picks it at start-up.
 * gemm_select returns -1 for a name this build lacks.  Not thread-safe: call between layer calls. */
int gemm_select(const char *name);
const char *gemm_name(void);
/* the backend with its version and instruction set, e.g. "dnnl 2.6.3 avx512_core_bf16" or "openblas" */
void gemm_describe(char *buf, size_t n);

/* ---- conv2d (im2col + sgemm), any K, stride, padding, optional bias ----
 * in [B][C][H][W], w [OC][C][K][K], b [OC] or NULL, out [B][OC][OH][OW]      */
size_t conv2d_ws_floats(int B, int C, int H, int W, int OC, int K, int OH, int OW);
void conv2d_forward(float *out, const float *in, const float *w, const float *b,
                    int B, int C, int H, int W, int OC, int K, int stride, int pad,
                    int OH, int OW, float *ws);
/* dout [B][OC][OH][OW]; dw [OC][C][K][K] (+=), db [OC] (+=, NULL if no bias),
 * din [B][C][H][W] (=, may be NULL) */
void conv2d_backward(float *din, float *dw, float *db, const float *dout,
                     const float *in, const float *w,
                     int B, int C, int H, int W, int OC, int K, int stride, int pad,
                     int OH, int OW, float *ws);
/* The same convolution as plain loops (conv2d_ref.c): the readable definition the fast paths are
 * tested against; no workspace, single-threaded, sums in double. */
void conv2d_ref_forward(float *out, const float *in, const float *w, const float *b,
                        int B, int C, int H, int W, int OC, int K, int stride, int pad, int OH, int OW);
void conv2d_ref_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                         int B, int C, int H, int W, int OC, int K, int stride, int pad, int OH, int OW);

/* ---- batchnorm2d over [B][C][HW] ----
 * training=1: normalise with batch statistics (biased variance), save mean and
 * inv_std [C] and update running stats: r = (1-momentum)*r + momentum*batch
 * (running variance uses the UNBIASED batch variance, as PyTorch does).
 * training=0: normalise with running statistics (mean/inv_std still written). */
void batchnorm2d_forward(float *out, const float *in, const float *gamma, const float *beta,
                         float *running_mean, float *running_var,
                         float *save_mean, float *save_invstd,
                         int B, int C, int HW, float eps, float momentum, int training);
/* dgamma, dbeta (+=); din (=). training selects batch-stat or fixed-stat backward. */
void batchnorm2d_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                          const float *in, const float *gamma,
                          const float *save_mean, const float *save_invstd,
                          int B, int C, int HW, int training);

/* ---- activations, elementwise over n values ---- */
void relu_forward(float *out, const float *in, size_t n);
void relu_backward(float *din, const float *dout, const float *in, size_t n);
void leaky_relu_forward(float *out, const float *in, size_t n, float slope);
void leaky_relu_backward(float *din, const float *dout, const float *in, size_t n, float slope);

/* ---- pooling: window K, stride S, padding P (max-pool pads with -inf,
 * avg-pool counts padded zeros, i.e. PyTorch count_include_pad=True) ----
 * maxpool stores the argmax flat index (into one [H][W] plane) in idx [B][C][OH][OW]. */
void maxpool2d_forward(float *out, int32_t *idx, const float *in,
                       int B, int C, int H, int W, int K, int S, int P, int OH, int OW);
void maxpool2d_backward(float *din, const float *dout, const int32_t *idx,
                        int B, int C, int H, int W, int OH, int OW);
void avgpool2d_forward(float *out, const float *in,
                       int B, int C, int H, int W, int K, int S, int P, int OH, int OW);
void avgpool2d_backward(float *din, const float *dout,
                        int B, int C, int H, int W, int K, int S, int P, int OH, int OW);
/* global average pool: [B][C][HW] -> [B][C] */
void global_avgpool_forward(float *out, const float *in, int B, int C, int HW);
void global_avgpool_backward(float *din, const float *dout, int B, int C, int HW);

/* ---- linear: in [B][IN], w [OUT][IN], b [OUT] or NULL, out [B][OUT] ---- */
void linear_forward(float *out, const float *in, const float *w, const float *b,
                    int B, int IN, int OUT);
void linear_backward(float *din, float *dw, float *db, const float *dout,
                     const float *in, const float *w, int B, int IN, int OUT);

/* ---- dropout (inverted): mask[i] = 0 or 1/(1-p), drawn by the caller's seed ---- */
void dropout_forward(float *out, float *mask, const float *in, size_t n, float p,
                     uint64_t *rng_state, int training);
void dropout_backward(float *din, const float *dout, const float *mask, size_t n, int training);

/* ---- softmax cross-entropy with soft targets and per-sample weights ----
 * logits [B][K]; target [B][K] is any non-negative distribution per row (one-hot,
 * uniform, "any other class", ...); weight [B] or NULL (=1); weights may be
 * negative (gradient ascent).  Loss = (1/B) * sum_i w_i * (-sum_k t_ik log p_ik).
 * probs [B][K] receives the softmax; dlogits [B][K] (may be NULL) receives
 * dLoss/dlogits = w_i * (p_ik * sum_k t_ik - t_ik) / B.  Returns the loss. */
float softmax_ce(float *probs, float *dlogits, const float *logits, const float *target,
                 const float *weight, int B, int K);
/* Numerically stable row softmax (and log-softmax if logp != NULL), with temperature T. */
void softmax_rows(float *p, float *logp, const float *logits, int B, int K, float T);

#endif
