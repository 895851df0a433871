/* layers_internal.h — helpers shared by the CPU layer implementations.
 *
 * Threading policy: every layer function parallelises with OpenMP and calls
 * lay_sgemm (gemm.c: oneDNN or OpenBLAS) single-threaded from inside its
 * parallel region (one sgemm per thread, on that thread's share of the batch).
 * OpenBLAS here is the pthreads build, which does not notice it is inside an
 * OpenMP region, so its thread count is set to 1 for the duration of the call
 * (lay_blas_single_begin/end) and restored afterwards.
 */
#ifndef LAYERS_INTERNAL_H
#define LAYERS_INTERNAL_H
#include <cblas.h>
#include <omp.h>
#include <stddef.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

static inline int lay_blas_single_begin(void) {
    int n = openblas_get_num_threads();
    if (n != 1) openblas_set_num_threads(1);
    return n;
}
static inline void lay_blas_single_end(int n) {
    if (n != 1) openblas_set_num_threads(n);
}

/* gemm.c: C = alpha.op(A).op(B) + beta.C, row-major, on the calling thread only (oneDNN's
 * AVX-512 sgemm when built with USE_DNNL, else / with UNLEARN_GEMM=openblas cblas_sgemm) */
void lay_sgemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* threads a layer may use: omp_get_max_threads(), at least 1 */
static inline int lay_threads(void) {
    int t = omp_get_max_threads();
    return t < 1 ? 1 : t;
}

/* round a float count up to a 64-byte multiple so workspace slices stay aligned */
static inline size_t lay_round16(size_t n) { return (n + 15) & ~(size_t)15; }

/* [lo, hi) share of n items for part t of T (contiguous, balanced, fixed) */
static inline void lay_split(int n, int T, int t, int *lo, int *hi) {
    *lo = (int)((long long)n * t / T);
    *hi = (int)((long long)n * (t + 1) / T);
}

/* d[0..n) = s[0..n) for short rows (no libc call; AVX-512 masked tail) */
static inline void lay_copy(float *restrict d, const float *restrict s, int n) {
#if defined(__AVX512F__)
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, _mm512_loadu_ps(s + i));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(d + i, m, _mm512_maskz_loadu_ps(m, s + i));
    }
#else
    memcpy(d, s, sizeof(float) * (size_t)n);
#endif
}

/* conv2d.c: set the gemm column targets of the forward / backward chunks
 * (benchmarking only; 0 restores the defaults; call before sizing ws);
 * din = 1 forces the col2im form of the input gradient; rowblk_cols is the
 * row-block size (in output pixels) for large planes, < 0 disables blocking. */
void conv2d_tune(int fwd_cols, int bwd_cols, int din, int rowblk_cols);

/* conv2d.c: dst[(c*K+ky)*K+kx][oy*OW+ox] (row stride ld) =
 * src[c][oy*S-P+ky][ox*S-P+kx], 0 outside (P may be negative) */
void conv2d_im2col(float *restrict dst, size_t ld, const float *restrict src,
                   int C, int H, int W, int K, int S, int P, int OH, int OW);

/* below this many flops a conv runs on one thread: a fork/join costs a few
 * microseconds, which is all such a conv takes */
static inline int lay_conv_threads(int T, int B, int C, int OC, int K, int OH, int OW) {
    double fl = 2.0 * B * OC * C * K * K * OH * OW;
    return fl < 1e5 ? 1 : T;
}

/* conv2d_band.c: stride-1 convolution by bands of output rows that skip the
 * kernel rows in the vertical padding (used by conv2d.c when that padding is
 * a large share of the work) */
int conv2d_band_applies(int C, int H, int W, int OC, int K, int S, int P, int OH, int OW);
size_t conv2d_band_ws_floats(int B, int C, int H, int W, int OC, int K, int OH, int OW);
void conv2d_band_forward(float *out, const float *in, const float *w, const float *bias,
                         int B, int C, int H, int W, int OC, int K, int P, int OH, int OW,
                         float *ws);
void conv2d_band_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                          const float *w, int B, int C, int H, int W, int OC, int K, int P,
                          int OH, int OW, float *ws);
/* conv2d.c, benchmarking only: 0 disables the banded path, 1 restores it */
void conv2d_tune_band(int on);

/* elementwise loops below this many values run on one thread */
#define LAY_PAR_MIN 32768

#endif
