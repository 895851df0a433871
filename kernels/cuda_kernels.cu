/* cuda_kernels.cu — our own CUDA kernels for elementwise work, per-channel
 * reductions and the masked optimiser steps (see cuda_internal.h).
 *
 * Determinism: no floating-point atomics anywhere.  Per-channel sums are two
 * passes with a fixed split of the data and a fixed reduction tree, so a given
 * launch configuration returns bit-identical results run after run.
 *
 * Optimiser arithmetic uses explicit round-to-nearest intrinsics (__fmul_rn,
 * __fadd_rn, ...) so that nvcc cannot contract into FMAs: with the CPU built as
 * ISO C11 (gcc's -ffp-contract=off) the same grads give bit-identical updates.
 */
#include "cuda_internal.h"

static const int TPB = 256;

static unsigned grid_for(size_t n) {
    size_t b = (n + TPB - 1) / TPB;
    if (b > 8192) b = 8192;           /* grid-stride loops cover the rest */
    return (unsigned)(b ? b : 1);
}

#define GRID_LOOP(i, n) for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                             i += (size_t)blockDim.x * gridDim.x)

/* Channel arithmetic on 32-bit unsigned (much cheaper than 64-bit division);
 * tensors are checked to have fewer than 2^32 elements. */
static void check_32(size_t n, const char *what) {
    if (n >= ((size_t)1 << 32)) cu_fatal(what, "tensor has 2^32 or more elements", __FILE__, __LINE__);
}

static void check_launch(const char *what) {
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess) cu_fatal(what, cudaGetErrorString(e), __FILE__, __LINE__);
}

/* ---- bias ---- */

__global__ void bias_add_kernel(float *y, const float *bias, size_t n, unsigned C, unsigned HW) {
    GRID_LOOP(i, n) y[i] += bias[((unsigned)i / HW) % C];
}

void k_bias_add(cudaStream_t s, float *y, const float *bias, int B, int C, int HW) {
    size_t n = (size_t)B * C * HW;
    if (!n) return;
    check_32(n, "bias_add");
    bias_add_kernel<<<grid_for(n), TPB, 0, s>>>(y, bias, n, (unsigned)C, (unsigned)HW);
    check_launch("bias_add_kernel");
}

/* block-wide sum of one value per thread (blockDim.x a multiple of 32, <= 1024) */
__device__ static float block_sum(float v) {
    __shared__ float warp_part[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) warp_part[warp] = v;
    __syncthreads();
    const int nw = blockDim.x >> 5;
    v = threadIdx.x < nw ? warp_part[threadIdx.x] : 0.0f;
    if (warp == 0)
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    __syncthreads();                  /* warp_part may be reused by a second call */
    return v;                         /* valid in thread 0 */
}

/* Pass 1: block (c, s) sums its share s of the B*HW values of channel c.
 * With x != NULL it also sums dy*(x-mean[c])*inv_std[c] into part2 (bn). */
__global__ void chan_partial_kernel(float *part, float *part2, const float *dy, const float *x,
                                    const float *mean, const float *var, float eps,
                                    int B, int C, int HW, int S) {
    const int c = blockIdx.x, s = blockIdx.y;
    const unsigned total = (unsigned)B * (unsigned)HW, uhw = (unsigned)HW;
    const unsigned chunk = (total + S - 1) / S;
    const unsigned lo = (unsigned)s * chunk, hi = lo + chunk < total ? lo + chunk : total;
    float m = 0.0f, is = 0.0f;
    if (x) { m = mean[c]; is = 1.0f / sqrtf(var[c] + eps); }
    float a = 0.0f, a2 = 0.0f;
    for (unsigned j = lo + threadIdx.x; j < hi; j += blockDim.x) {
        const unsigned b = j / uhw, hw = j - b * uhw;
        const size_t at = ((size_t)b * C + c) * uhw + hw;
        const float g = dy[at];
        a += g;
        if (x) a2 += g * ((x[at] - m) * is);
    }
    a = block_sum(a);
    if (x) a2 = block_sum(a2);
    if (threadIdx.x == 0) {
        part[(size_t)c * S + s] = a;
        if (x) part2[(size_t)c * S + s] = a2;
    }
}

/* Pass 2: out[c] += sum of the S partials of channel c, in order. */
__global__ void chan_final_kernel(float *out, const float *part, int C, int S) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    float a = 0.0f;
    for (int s = 0; s < S; s++) a += part[(size_t)c * S + s];
    out[c] += a;
}

static int splits_for(int B, int HW) {
    size_t total = (size_t)B * HW;
    size_t s = total / 4096;          /* >= 4096 values per block */
    if (s < 1) s = 1;
    if (s > RED_SPLITS) s = RED_SPLITS;
    return (int)s;
}

void k_bias_grad(cudaStream_t s, float *db, const float *dy, int B, int C, int HW, float *part) {
    if (!B || !C || !HW) return;
    check_32((size_t)B * C * HW, "bias_grad");
    const int S = splits_for(B, HW);
    chan_partial_kernel<<<dim3(C, S), TPB, 0, s>>>(part, NULL, dy, NULL, NULL, NULL, 0.0f, B, C, HW, S);
    check_launch("chan_partial_kernel");
    chan_final_kernel<<<(C + 127) / 128, 128, 0, s>>>(db, part, C, S);
    check_launch("chan_final_kernel");
}

/* ---- batch norm with fixed statistics (backward after an eval-mode forward) ---- */

__global__ void bn_eval_dx_kernel(float *dx, const float *dy, const float *gamma, const float *var, float eps,
                                  size_t n, unsigned C, unsigned HW) {
    GRID_LOOP(i, n) {
        const unsigned c = ((unsigned)i / HW) % C;
        dx[i] = dy[i] * (gamma[c] * (1.0f / sqrtf(var[c] + eps)));
    }
}

void k_bn_eval_bwd(cudaStream_t s, float *dx, float *dgamma, float *dbeta, const float *dy, const float *x,
                   const float *gamma, const float *rmean, const float *rvar, float eps,
                   int B, int C, int HW, float *part) {
    if (!B || !C || !HW) return;
    check_32((size_t)B * C * HW, "bn_eval_bwd");
    const int S = splits_for(B, HW);
    float *part2 = part + (size_t)C * S;      /* part holds 2*C*RED_SPLITS floats */
    chan_partial_kernel<<<dim3(C, S), TPB, 0, s>>>(part, part2, dy, x, rmean, rvar, eps, B, C, HW, S);
    check_launch("chan_partial_kernel(bn)");
    chan_final_kernel<<<(C + 127) / 128, 128, 0, s>>>(dbeta, part, C, S);
    chan_final_kernel<<<(C + 127) / 128, 128, 0, s>>>(dgamma, part2, C, S);
    check_launch("chan_final_kernel(bn)");
    const size_t n = (size_t)B * C * HW;
    bn_eval_dx_kernel<<<grid_for(n), TPB, 0, s>>>(dx, dy, gamma, rvar, eps, n, (unsigned)C, (unsigned)HW);
    check_launch("bn_eval_dx_kernel");
}

/* ---- activations, dropout ---- */

__global__ void leaky_fwd_kernel(float *y, const float *x, size_t n, float slope) {
    GRID_LOOP(i, n) { const float v = x[i]; y[i] = v > 0.0f ? v : slope * v; }
}
__global__ void leaky_bwd_kernel(float *dx, const float *dy, const float *x, size_t n, float slope) {
    GRID_LOOP(i, n) dx[i] = x[i] > 0.0f ? dy[i] : slope * dy[i];
}
__global__ void mul_kernel(float *y, const float *a, const float *b, size_t n) {
    GRID_LOOP(i, n) y[i] = a[i] * b[i];
}
__global__ void add_kernel(float *y, const float *x, size_t n) {
    GRID_LOOP(i, n) y[i] += x[i];
}

void k_leaky_fwd(cudaStream_t s, float *y, const float *x, size_t n, float slope) {
    if (!n) return;
    leaky_fwd_kernel<<<grid_for(n), TPB, 0, s>>>(y, x, n, slope);
    check_launch("leaky_fwd_kernel");
}
void k_leaky_bwd(cudaStream_t s, float *dx, const float *dy, const float *x, size_t n, float slope) {
    if (!n) return;
    leaky_bwd_kernel<<<grid_for(n), TPB, 0, s>>>(dx, dy, x, n, slope);
    check_launch("leaky_bwd_kernel");
}
void k_mul(cudaStream_t s, float *y, const float *a, const float *b, size_t n) {
    if (!n) return;
    mul_kernel<<<grid_for(n), TPB, 0, s>>>(y, a, b, n);
    check_launch("mul_kernel");
}
void k_add(cudaStream_t s, float *y, const float *x, size_t n) {
    if (!n) return;
    add_kernel<<<grid_for(n), TPB, 0, s>>>(y, x, n);
    check_launch("add_kernel");
}

/* ---- global average pool: one warp per plane ---- */

__global__ void gap_fwd_kernel(float *y, const float *x, int planes, int HW) {
    const int w = (int)(((size_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5);
    const int lane = threadIdx.x & 31;
    if (w >= planes) return;          /* uniform per warp */
    const float *p = x + (size_t)w * HW;
    float a = 0.0f;
    for (int j = lane; j < HW; j += 32) a += p[j];
    for (int o = 16; o > 0; o >>= 1) a += __shfl_down_sync(0xffffffffu, a, o);
    if (lane == 0) y[w] = a / (float)HW;
}
__global__ void gap_bwd_kernel(float *dx, const float *dy, size_t n, unsigned HW) {
    GRID_LOOP(i, n) dx[i] = dy[(unsigned)i / HW] / (float)HW;
}

void k_gap_fwd(cudaStream_t s, float *y, const float *x, int planes, int HW) {
    if (planes <= 0) return;
    const size_t threads = (size_t)planes * 32;
    gap_fwd_kernel<<<(unsigned)((threads + TPB - 1) / TPB), TPB, 0, s>>>(y, x, planes, HW);
    check_launch("gap_fwd_kernel");
}
void k_gap_bwd(cudaStream_t s, float *dx, const float *dy, int planes, int HW) {
    const size_t n = (size_t)planes * HW;
    if (!n) return;
    check_32(n, "gap_bwd");
    gap_bwd_kernel<<<grid_for(n), TPB, 0, s>>>(dx, dy, n, (unsigned)HW);
    check_launch("gap_bwd_kernel");
}

/* ---- masked optimiser steps (same expressions, same order as optim.c) ---- */

__global__ void sgd_kernel(float *p, const float *g, float *m, const uint8_t *mask, size_t n,
                           float lr, float mu, float wd) {
    GRID_LOOP(i, n) {
        if (mask && !mask[i]) continue;
        const float pi = p[i];
        float gi = __fadd_rn(g[i], __fmul_rn(wd, pi));          /* g + wd*p */
        if (mu != 0.0f) { gi = __fadd_rn(__fmul_rn(mu, m[i]), gi); m[i] = gi; }  /* buf = mu*buf + g */
        p[i] = __fsub_rn(pi, __fmul_rn(lr, gi));                /* p -= lr*buf */
    }
}

__global__ void adam_kernel(float *p, const float *g, float *m, float *v, const uint8_t *mask, size_t n,
                            float step, float sbc2, float b1, float b2, float eps, float wd) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    GRID_LOOP(i, n) {
        if (mask && !mask[i]) continue;
        const float pi = p[i];
        const float gi = __fadd_rn(g[i], __fmul_rn(wd, pi));
        const float mi = __fadd_rn(__fmul_rn(b1, m[i]), __fmul_rn(c1, gi));
        const float vi = __fadd_rn(__fmul_rn(b2, v[i]), __fmul_rn(__fmul_rn(c2, gi), gi));
        m[i] = mi; v[i] = vi;
        const float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), sbc2), eps);
        p[i] = __fsub_rn(pi, __fdiv_rn(__fmul_rn(step, mi), denom));
    }
}

void k_sgd(cudaStream_t s, float *p, const float *g, float *m, const uint8_t *mask, size_t n,
           float lr, float mu, float wd) {
    if (!n) return;
    sgd_kernel<<<grid_for(n), TPB, 0, s>>>(p, g, m, mask, n, lr, mu, wd);
    check_launch("sgd_kernel");
}
void k_adam(cudaStream_t s, float *p, const float *g, float *m, float *v, const uint8_t *mask, size_t n,
            float lr_over_bc1, float sqrt_bc2, float b1, float b2, float eps, float wd) {
    if (!n) return;
    adam_kernel<<<grid_for(n), TPB, 0, s>>>(p, g, m, v, mask, n, lr_over_bc1, sqrt_bc2, b1, b2, eps, wd);
    check_launch("adam_kernel");
}

/* ---- unlearning helpers over the flat buffers ---- */

__global__ void saliency_kernel(float *acc, const float *g, size_t n, int squared, float scale) {
    GRID_LOOP(i, n) {
        const float gi = g[i];
        const float v = squared ? __fmul_rn(gi, gi) : fabsf(gi);
        acc[i] = __fadd_rn(acc[i], __fmul_rn(scale, v));
    }
}

__global__ void ssd_kernel(float *p, const float *I_D, const float *I_f, size_t n, float alpha, float lambda,
                           unsigned long long *count) {
    unsigned long long local = 0;
    GRID_LOOP(i, n) {
        const float d = I_D[i], f = I_f[i];
        if (f > __fmul_rn(alpha, d)) {
            const float r = __fdiv_rn(__fmul_rn(lambda, d), f);
            if (r < 1.0f) { p[i] = __fmul_rn(p[i], r); local++; }
        }
    }
    if (local) atomicAdd(count, local);   /* integer: order does not matter */
}

__global__ void restore_kernel(float *p, const float *orig, float *m, float *v, const uint8_t *mask, size_t n) {
    GRID_LOOP(i, n) {
        if (mask[i]) continue;
        p[i] = orig[i];
        if (m) m[i] = 0.0f;
        if (v) v[i] = 0.0f;
    }
}

void k_saliency(cudaStream_t s, float *acc, const float *g, size_t n, int squared, float scale) {
    if (!n) return;
    saliency_kernel<<<grid_for(n), TPB, 0, s>>>(acc, g, n, squared, scale);
    check_launch("saliency_kernel");
}
void k_ssd(cudaStream_t s, float *p, const float *I_D, const float *I_f, size_t n, float alpha, float lambda,
           unsigned long long *count) {
    if (!n) return;
    ssd_kernel<<<grid_for(n), TPB, 0, s>>>(p, I_D, I_f, n, alpha, lambda, count);
    check_launch("ssd_kernel");
}
void k_restore(cudaStream_t s, float *p, const float *orig, float *m, float *v, const uint8_t *mask, size_t n) {
    if (!n) return;
    restore_kernel<<<grid_for(n), TPB, 0, s>>>(p, orig, m, v, mask, n);
    check_launch("restore_kernel");
}
