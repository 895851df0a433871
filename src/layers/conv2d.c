/* conv2d.c — 2-D convolution (any K, stride, padding, optional bias) on the CPU.
 *
 * Formulation (chosen by measurement on the 2-core target): the batch is
 * split into one contiguous share per OpenMP thread, and every thread runs
 * single-threaded OpenBLAS sgemms on chunks of G samples of its share:
 *
 *   forward   col[C*K*K][G*OH*OW] = im2col(in chunk)
 *             out chunk [OC][G*OH*OW] = w[OC][C*K*K] . col
 *   dW        dW_t[OC][C*K*K] (+)= dout chunk [OC][G*OH*OW] . col^T
 *             (one partial per thread, summed into dw in thread order)
 *   din       stride 1: din is the convolution of dout with the flipped,
 *             transposed kernel wt[C][OC][K][K] and padding K-1-pad, done the
 *             same way (im2col of dout, one sgemm) — no col2im scatter;
 *             stride > 1, and tiny planes with OC > C (see
 *             conv_din_transposed): dcol = w^T . dout chunk, then col2im.
 *
 * Stride-1 convs whose vertical padding holds >= 15% of the kernel rows (the
 * seed's 5x5 convs) go to conv2d_band.c instead, which skips those rows.
 *
 * G is picked so that a gemm sees about CONV_NCOLS_FWD/_BWD (128) columns:
 * layers with planes of >= 128 pixels use G = 1 (the gemm writes straight
 * into out/din; planes over CONV_ROWBLK pixels are cut into blocks of output
 * rows), smaller planes batch several samples per gemm (the result goes
 * through a small scratch and is scattered to NCHW).  128 was the best of
 * 32..1024 on every seed/small layer: larger chunks overflow the 1 MB L2 with
 * im2col data, smaller ones re-pack the weights too often.
 *
 * im2col is the main overhead besides the sgemms: with AVX-512 each stride-1
 * row is a few masked 16-lane copies with per-kx masks (rows are 6..32 floats
 * in the nets here, where per-row memset/memcpy calls cost more than the copy).
 *
 * Measured with bench/layers_bench.c (AMD EPYC Zen 4, OpenBLAS 0.3.21 with
 * its Cooperlake kernels): per core, the seed convs' forward+backward took
 * ~230 ms for 32 images against ~310-340 ms for im2col of the whole batch +
 * one sgemm per product (BENCH_ALT=1), whose 14-75 MB im2col matrices stream
 * through memory; threaded, that alternative also pays the OpenMP <->
 * OpenBLAS thread hand-offs at every layer.
 *
 * Each thread's samples, chunks and reduction order are fixed for a given B
 * and thread count, so results are bit-identical run after run.
 */
#include "layers.h"
#include "layers_internal.h"
#include <stdint.h>
#include <string.h>

#ifndef CONV_NCOLS_FWD
#define CONV_NCOLS_FWD 128
#endif
#ifndef CONV_NCOLS_BWD
#define CONV_NCOLS_BWD 128
#endif
/* one-sample gemms on planes larger than this many output pixels are split
 * into blocks of whole output rows, so the im2col block stays in L2 */
#ifndef CONV_ROWBLK
#define CONV_ROWBLK 512
#endif
static int ncols_fwd = CONV_NCOLS_FWD, ncols_bwd = CONV_NCOLS_BWD, din_mode = 0;
static int rowblk = CONV_ROWBLK;

/* benchmarking hook (bench/layers_bench.c): chunk targets; ws sizes follow */
void conv2d_tune(int fwd_cols, int bwd_cols, int din, int rowblk_cols) {
    ncols_fwd = fwd_cols > 0 ? fwd_cols : CONV_NCOLS_FWD;
    ncols_bwd = bwd_cols > 0 ? bwd_cols : CONV_NCOLS_BWD;
    din_mode = din;
    rowblk = rowblk_cols > 0 ? rowblk_cols : rowblk_cols < 0 ? 1 << 30 : CONV_ROWBLK;
}

/* output rows per block for planes of OW columns */
static int conv_rows_per_block(int OH, int OW) {
    int r = OW > 0 ? rowblk / OW : OH;
    if (r < 1) r = 1;
    return r > OH ? OH : r;
}

static int band_on = 1;
void conv2d_tune_band(int on) { band_on = on; }

/* samples per gemm chunk; monotone in B so a workspace sized for max_batch
 * also serves smaller batches */
static int conv_chunk(int B, int T, int OH, int OW, int ncols) {
    int per = (B + T - 1) / T;
    int ohw = OH * OW;
    int g = ohw > 0 ? (ncols + ohw - 1) / ohw : 1;
    if (g > per) g = per;
    return g < 1 ? 1 : g;
}

/* Form of the input gradient.  Stride 1: as a transposed convolution (im2col
 * of dout with the flipped kernel, one sgemm with K = OC*K*K) — measured
 * faster than dcol = w^T . dout + col2im on every seed/small layer except
 * tiny planes with more output than input channels (seed's 128->256 5x5 conv
 * on 6x6: the dout im2col is twice the size of dcol, 10% slower there).
 * Stride > 1: always col2im. */
static int conv_din_transposed(int C, int H, int W, int OC, int K, int stride, int OH, int OW) {
    if (stride != 1 || din_mode == 1) return 0;
    double dout_cols = (double)OC * K * K * H * W, in_cols = (double)C * K * K * OH * OW;
    if (H * W <= 64 && dout_cols >= 1.75 * in_cols) return 0;
    return 1;
}

typedef struct { size_t col, tmp, dwp, per_thread, wt; } ConvWs;

static ConvWs conv_ws(int G, int C, int H, int W, int OC, int K, int OH, int OW) {
    ConvWs s;
    size_t KK = (size_t)K * K, CKK = (size_t)C * KK;
    size_t ohw = (size_t)OH * OW, hw = (size_t)H * W;
    size_t c1 = CKK * G * ohw;            /* im2col of the input / dcol          */
    size_t c2 = (size_t)OC * KK * G * hw; /* im2col of dout for the stride-1 din */
    s.col = lay_round16(c1 > c2 ? c1 : c2);
    size_t t1 = (size_t)OC * G * ohw, t2 = (size_t)C * G * hw;
    s.tmp = G > 1 ? lay_round16(t1 > t2 ? t1 : t2) : 0;
    s.dwp = lay_round16((size_t)OC * CKK);
    s.per_thread = s.col + s.tmp + s.dwp;
    s.wt = lay_round16((size_t)OC * CKK);
    return s;
}

size_t conv2d_ws_floats(int B, int C, int H, int W, int OC, int K, int OH, int OW) {
    int T = lay_threads();
    int gf = conv_chunk(B, T, OH, OW, ncols_fwd), gb = conv_chunk(B, T, OH, OW, ncols_bwd);
    ConvWs s = conv_ws(gf > gb ? gf : gb, C, H, W, OC, K, OH, OW);
    size_t n = s.per_thread * (size_t)T + s.wt;
    /* the padding is not known here: room for the banded path as well */
    size_t nb = conv2d_band_ws_floats(B, C, H, W, OC, K, OH, OW);
    return n > nb ? n : nb;
}

/* dst[(c*K+ky)*K+kx][oy*OW+ox] (row stride ld) = src[c][oy*S-P+ky][ox*S-P+kx], 0 outside.
 * P may be negative (used by the transposed convolution when pad > K-1). */
static void im2col_generic(float *restrict dst, size_t ld, const float *restrict src,
                           int C, int H, int W, int K, int S, int P, int ya, int yb, int OW) {
    for (int c = 0; c < C; c++) {
        const float *plane = src + (size_t)c * H * W;
        for (int ky = 0; ky < K; ky++) {
            for (int kx = 0; kx < K; kx++) {
                float *restrict row = dst + ((size_t)(c * K + ky) * K + kx) * ld;
                /* valid ox: 0 <= ox*S - P + kx < W */
                int lo = P - kx, hi = W - 1 + P - kx;
                int ox0 = lo > 0 ? (lo + S - 1) / S : 0;
                int ox1 = hi >= 0 ? hi / S + 1 : 0;
                if (ox1 > OW) ox1 = OW;
                if (ox0 > OW) ox0 = OW;
                if (ox1 < ox0) ox1 = ox0;
                const int off = kx - P;
                for (int oy = ya; oy < yb; oy++) {
                    float *restrict r = row + (size_t)(oy - ya) * OW;
                    int iy = oy * S - P + ky;
                    if (iy < 0 || iy >= H) {
                        for (int ox = 0; ox < OW; ox++) r[ox] = 0.0f;
                        continue;
                    }
                    const float *s = plane + (size_t)iy * W;
                    for (int ox = 0; ox < ox0; ox++) r[ox] = 0.0f;
                    for (int ox = ox0; ox < ox1; ox++) r[ox] = s[ox * S + off];
                    for (int ox = ox1; ox < OW; ox++) r[ox] = 0.0f;
                }
            }
        }
    }
}

#if defined(__AVX512F__)
/* stride 1, OW <= 64: every output row is at most 4 masked 16-lane copies
 * whose masks depend only on kx, so rows cost a handful of instructions
 * (the rows are short: 6..32 floats in the nets here) */
static void im2col_s1_avx512(float *restrict dst, size_t ld, const float *restrict src,
                             int C, int H, int W, int K, int P, int ya, int yb, int OW) {
    const int nq = (OW + 15) / 16;
    for (int c = 0; c < C; c++) {
        const float *plane = src + (size_t)c * H * W;
        for (int ky = 0; ky < K; ky++) {
            /* valid oy: 0 <= oy - P + ky < H, within [ya, yb) */
            int oy0 = P - ky > ya ? P - ky : ya, oy1 = H + P - ky;
            if (oy1 > yb) oy1 = yb;
            if (oy0 > yb) oy0 = yb;
            if (oy1 < oy0) oy1 = oy0;
            for (int kx = 0; kx < K; kx++) {
                float *restrict row = dst + ((size_t)(c * K + ky) * K + kx) * ld;
                int ox0 = P - kx > 0 ? P - kx : 0, ox1 = W + P - kx;
                if (ox1 > OW) ox1 = OW;
                if (ox1 < ox0) ox1 = ox0;
                __mmask16 lm[4], sm[4];
                for (int q = 0; q < nq; q++) {
                    int n = OW - 16 * q < 16 ? OW - 16 * q : 16;
                    int a = ox0 - 16 * q, b = ox1 - 16 * q;
                    if (a < 0) a = 0;
                    if (b > n) b = n;
                    sm[q] = (__mmask16)((1u << n) - 1u);
                    lm[q] = b > a ? (__mmask16)(((1u << b) - 1u) & ~((1u << a) - 1u)) : 0;
                }
                const __m512 z = _mm512_setzero_ps();
                const size_t head = (size_t)(oy0 - ya) * OW;
                for (size_t i = 0; i < head; i += 16)
                    _mm512_mask_storeu_ps(row + i, (__mmask16)((head - i) >= 16 ? 0xFFFF :
                                                   (1u << (head - i)) - 1u), z);
                /* source of lane 0 of row oy0; masked-off lanes are never read,
                 * even where they fall outside the plane */
                uintptr_t sp = (uintptr_t)plane +
                               (intptr_t)((oy0 - P + ky) * W + kx - P) * (intptr_t)sizeof(float);
                float *r = row + head;
                for (int oy = oy0; oy < oy1; oy++) {
                    for (int q = 0; q < nq; q++)
                        _mm512_mask_storeu_ps(r + 16 * q, sm[q],
                                              _mm512_maskz_loadu_ps(lm[q], (const float *)sp + 16 * q));
                    sp += (uintptr_t)W * sizeof(float);
                    r += OW;
                }
                const size_t tail = (size_t)(yb - oy1) * OW;
                for (size_t i = 0; i < tail; i += 16)
                    _mm512_mask_storeu_ps(r + i, (__mmask16)((tail - i) >= 16 ? 0xFFFF :
                                                 (1u << (tail - i)) - 1u), z);
            }
        }
    }
}
#endif

/* output rows [ya, yb) only: dst column (oy-ya)*OW+ox */
static void im2col_rows(float *restrict dst, size_t ld, const float *restrict src,
                        int C, int H, int W, int K, int S, int P, int ya, int yb, int OW) {
#if defined(__AVX512F__)
    if (S == 1 && OW <= 64) {
        im2col_s1_avx512(dst, ld, src, C, H, W, K, P, ya, yb, OW);
        return;
    }
#endif
    im2col_generic(dst, ld, src, C, H, W, K, S, P, ya, yb, OW);
}

void conv2d_im2col(float *restrict dst, size_t ld, const float *restrict src,
                   int C, int H, int W, int K, int S, int P, int OH, int OW) {
    im2col_rows(dst, ld, src, C, H, W, K, S, P, 0, OH, OW);
}

/* dst[C][H][W] = sum of the columns of col that map onto each pixel (overwrites). */
static void col2im(float *restrict dst, const float *restrict col, size_t ld,
                   int C, int H, int W, int K, int S, int P, int OH, int OW) {
    memset(dst, 0, sizeof(float) * (size_t)C * H * W);
#if defined(__AVX512F__)
    const int vec = S == 1 && OW <= 64;
    const int nq = (OW + 15) / 16;
#endif
    for (int c = 0; c < C; c++) {
        float *plane = dst + (size_t)c * H * W;
        for (int ky = 0; ky < K; ky++) {
            for (int kx = 0; kx < K; kx++) {
                const float *row = col + ((size_t)(c * K + ky) * K + kx) * ld;
                int lo = P - kx, hi = W - 1 + P - kx;
                int ox0 = lo > 0 ? (lo + S - 1) / S : 0;
                int ox1 = hi >= 0 ? hi / S + 1 : 0;
                if (ox1 > OW) ox1 = OW;
                const int off = kx - P;
#if defined(__AVX512F__)
                if (vec) {
                    /* same order of additions as the scalar loop below */
                    __mmask16 lm[4];
                    for (int q = 0; q < nq; q++) {
                        int n = OW - 16 * q < 16 ? OW - 16 * q : 16;
                        int a = ox0 - 16 * q, b = ox1 - 16 * q;
                        if (a < 0) a = 0;
                        if (b > n) b = n;
                        lm[q] = b > a ? (__mmask16)(((1u << b) - 1u) & ~((1u << a) - 1u)) : 0;
                    }
                    for (int oy = 0; oy < OH; oy++) {
                        int iy = oy - P + ky;
                        if (iy < 0 || iy >= H) continue;
                        /* lane 0 of the row; masked-off lanes are never touched */
                        float *d = (float *)((uintptr_t)plane +
                                             (intptr_t)(iy * W + off) * (intptr_t)sizeof(float));
                        const float *r = row + (size_t)oy * OW;
                        for (int q = 0; q < nq; q++) {
                            __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(lm[q], d + 16 * q),
                                                     _mm512_maskz_loadu_ps(lm[q], r + 16 * q));
                            _mm512_mask_storeu_ps(d + 16 * q, lm[q], v);
                        }
                    }
                    continue;
                }
#endif
                for (int oy = 0; oy < OH; oy++) {
                    int iy = oy * S - P + ky;
                    if (iy < 0 || iy >= H) continue;
                    float *d = plane + (size_t)iy * W;
                    const float *r = row + (size_t)oy * OW;
                    for (int ox = ox0; ox < ox1; ox++) d[ox * S + off] += r[ox];
                }
            }
        }
    }
}

/* din of g samples (NCHW) from dT [OC][g*OH*OW]: dcol = w^T . dT, then
 * col2im, in blocks of input channels so that the dcol block stays in L2
 * (a whole dcol can be several MB and would be read back from memory) */
static void din_col2im(float *din, float *col, const float *w, const float *dT, int g,
                       int C, int H, int W, int OC, int K, int S, int P, int OH, int OW) {
    const int KK = K * K, CKK = C * KK, OHW = OH * OW, HW = H * W, N = g * OHW;
    int cb = (int)(65536 / ((size_t)KK * N));
    if (cb < 1) cb = 1;
    for (int c0 = 0; c0 < C; c0 += cb) {
        const int nc = C - c0 < cb ? C - c0 : cb;
        lay_sgemm(CblasTrans, CblasNoTrans, nc * KK, N, OC,
                  1.0f, w + (size_t)c0 * KK, CKK, dT, N, 0.0f, col, N);
        for (int j = 0; j < g; j++)
            col2im(din + (size_t)j * C * HW + (size_t)c0 * HW, col + (size_t)j * OHW, (size_t)N,
                   nc, H, W, K, S, P, OH, OW);
    }
}

/* copy a [M][g*n] gemm result into g NCHW samples dst[j][M][n] (+ bias[M]) */
static void scatter_rows(float *restrict dst, const float *restrict src, int g, int M, int n,
                         const float *bias) {
    size_t N = (size_t)g * n;
    for (int j = 0; j < g; j++) {
        for (int m = 0; m < M; m++) {
            float *restrict d = dst + ((size_t)j * M + m) * n;
            const float *restrict s = src + (size_t)m * N + (size_t)j * n;
            if (bias) {
                float bv = bias[m];
                for (int i = 0; i < n; i++) d[i] = s[i] + bv;
            } else {
                lay_copy(d, s, n);
            }
        }
    }
}

/* gather g NCHW samples src[j][M][n] into a [M][g*n] matrix */
static void gather_rows(float *restrict dst, const float *restrict src, int g, int M, int n) {
    size_t N = (size_t)g * n;
    for (int j = 0; j < g; j++)
        for (int m = 0; m < M; m++)
            lay_copy(dst + (size_t)m * N + (size_t)j * n, src + ((size_t)j * M + m) * n, n);
}

void conv2d_forward(float *out, const float *in, const float *w, const float *b,
                    int B, int C, int H, int W, int OC, int K, int stride, int pad,
                    int OH, int OW, float *ws) {
    if (B <= 0) return;
    if (band_on && conv2d_band_applies(C, H, W, OC, K, stride, pad, OH, OW)) {
        conv2d_band_forward(out, in, w, b, B, C, H, W, OC, K, pad, OH, OW, ws);
        return;
    }
    const int T = lay_threads();
    const int G = conv_chunk(B, T, OH, OW, ncols_fwd);
    const int G2 = conv_chunk(B, T, OH, OW, ncols_bwd);
    const ConvWs s = conv_ws(G > G2 ? G : G2, C, H, W, OC, K, OH, OW);
    const int CKK = C * K * K, OHW = OH * OW, HW = H * W;
    const int direct = (K == 1 && stride == 1 && pad == 0);
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(lay_conv_threads(T, B, C, OC, K, OH, OW))
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        float *col = ws + s.per_thread * (size_t)tid;
        float *tmp = col + s.col;
        int b0, b1;
        lay_split(B, nth, tid, &b0, &b1);
        for (int bb = b0; bb < b1; bb += G) {
            const int g = (b1 - bb) < G ? (b1 - bb) : G;
            const int N = g * OHW;
            float *o = out + (size_t)bb * OC * OHW;
            const int rb = conv_rows_per_block(OH, OW);
            if (g == 1 && !direct && rb < OH) {
                /* one large plane: blocks of output rows */
                for (int ya = 0; ya < OH; ya += rb) {
                    const int yb = ya + rb < OH ? ya + rb : OH, nbk = (yb - ya) * OW;
                    im2col_rows(col, (size_t)nbk, in + (size_t)bb * C * HW, C, H, W, K, stride, pad,
                                ya, yb, OW);
                    lay_sgemm(CblasNoTrans, CblasNoTrans, OC, nbk, CKK,
                              1.0f, w, CKK, col, nbk, 0.0f, o + (size_t)ya * OW, OHW);
                }
                if (b)
                    for (int m = 0; m < OC; m++) {
                        float bv = b[m], *d = o + (size_t)m * OHW;
                        for (int i = 0; i < OHW; i++) d[i] += bv;
                    }
                continue;
            }
            const float *cp;
            if (direct && g == 1) {
                cp = in + (size_t)bb * C * HW;
            } else {
                for (int j = 0; j < g; j++)
                    conv2d_im2col(col + (size_t)j * OHW, (size_t)N, in + (size_t)(bb + j) * C * HW,
                           C, H, W, K, stride, pad, OH, OW);
                cp = col;
            }
            float *dst = g == 1 ? o : tmp;
            lay_sgemm(CblasNoTrans, CblasNoTrans, OC, N, CKK,
                      1.0f, w, CKK, cp, N, 0.0f, dst, N);
            if (g > 1) {
                scatter_rows(o, tmp, g, OC, OHW, b);
            } else if (b) {
                for (int m = 0; m < OC; m++) {
                    float bv = b[m], *d = o + (size_t)m * OHW;
                    for (int i = 0; i < OHW; i++) d[i] += bv;
                }
            }
        }
    }
    lay_blas_single_end(nb);
}

/* The shapes of one backward call (see layers.h). */
typedef struct { int B, C, H, W, OC, K, stride, pad, OH, OW; } ConvDims;

/* Inside the parallel region: wt[c][oc][ky][kx] = w[oc][c][K-1-ky][K-1-kx] (for the transposed
 * convolution that gives din) and db[oc] += sum of dout over batch and positions. */
static void bwd_wt_db(float *wt, float *db, const float *w, const float *dout, const ConvDims *d, int want_wt) {
    const int C = d->C, OC = d->OC, KK = d->K * d->K, OHW = d->OH * d->OW;
    if (want_wt) {
#pragma omp for schedule(static)
        for (int c = 0; c < C; c++)
            for (int oc = 0; oc < OC; oc++) {
                const float *src = w + ((size_t)oc * C + c) * KK;
                float *dd = wt + ((size_t)c * OC + oc) * KK;
                for (int k = 0; k < KK; k++) dd[k] = src[KK - 1 - k];
            }
    }
    if (db) {
#pragma omp for schedule(static)
        for (int m = 0; m < OC; m++) {
            float acc = 0.0f;
            for (int bb = 0; bb < d->B; bb++) {
                const float *dp = dout + ((size_t)bb * OC + m) * OHW;
                float a = 0.0f;
                for (int i = 0; i < OHW; i++) a += dp[i];
                acc += a;
            }
            db[m] += acc;
        }
    }
}

/* One large plane (sample bb alone): dW over blocks of output rows, din over blocks of input rows.
 * first: dwp is overwritten rather than accumulated. */
static void bwd_plane_blocks(float *din, float *dwp, float *col, const float *wt, const float *w, const float *dout,
                             const float *in, const ConvDims *d, int bb, int s1, int first) {
    const int C = d->C, H = d->H, W = d->W, OC = d->OC, K = d->K, OH = d->OH, OW = d->OW;
    const int KK = K * K, CKK = C * KK, OHW = OH * OW, HW = H * W, P2 = K - 1 - d->pad;
    const int rb = conv_rows_per_block(OH, OW);
    const float *dob = dout + (size_t)bb * OC * OHW;
    for (int ya = 0; ya < OH; ya += rb) {
        const int yb = ya + rb < OH ? ya + rb : OH, nbk = (yb - ya) * OW;
        im2col_rows(col, (size_t)nbk, in + (size_t)bb * C * HW, C, H, W, K, d->stride, d->pad, ya, yb, OW);
        lay_sgemm(CblasNoTrans, CblasTrans, OC, CKK, nbk,
                  1.0f, dob + (size_t)ya * OW, OHW, col, nbk, first ? 0.0f : 1.0f, dwp, CKK);
        first = 0;
    }
    if (din && s1) {
        /* din rows in blocks: the transposed convolution's output is H x W */
        const int rb2 = conv_rows_per_block(H, W);
        float *di = din + (size_t)bb * C * HW;
        for (int ya = 0; ya < H; ya += rb2) {
            const int yb = ya + rb2 < H ? ya + rb2 : H, nbk = (yb - ya) * W;
            im2col_rows(col, (size_t)nbk, dob, OC, OH, OW, K, 1, P2, ya, yb, W);
            lay_sgemm(CblasNoTrans, CblasNoTrans, C, nbk, OC * KK,
                      1.0f, wt, OC * KK, col, nbk, 0.0f, di + (size_t)ya * W, HW);
        }
    } else if (din) {
        din_col2im(din + (size_t)bb * C * HW, col, w, dob, 1, C, H, W, OC, K, d->stride, d->pad, OH, OW);
    }
}

/* g samples from bb as one GEMM each for dW and din.  first: dwp is overwritten. */
static void bwd_chunk(float *din, float *dwp, float *col, float *tmp, const float *wt, const float *w,
                      const float *dout, const float *in, const ConvDims *d, int bb, int g, int s1, int direct,
                      int first) {
    const int C = d->C, H = d->H, W = d->W, OC = d->OC, K = d->K, OH = d->OH, OW = d->OW;
    const int KK = K * K, CKK = C * KK, OHW = OH * OW, HW = H * W, P2 = K - 1 - d->pad, N = g * OHW;
    const float *dT;
    if (g == 1) {
        dT = dout + (size_t)bb * OC * OHW;
    } else {
        gather_rows(tmp, dout + (size_t)bb * OC * OHW, g, OC, OHW);
        dT = tmp;
    }
    const float *cp;
    if (direct && g == 1) {
        cp = in + (size_t)bb * C * HW;
    } else {
        for (int j = 0; j < g; j++)
            conv2d_im2col(col + (size_t)j * OHW, (size_t)N, in + (size_t)(bb + j) * C * HW,
                   C, H, W, K, d->stride, d->pad, OH, OW);
        cp = col;
    }
    lay_sgemm(CblasNoTrans, CblasTrans, OC, CKK, N,
              1.0f, dT, N, cp, N, first ? 0.0f : 1.0f, dwp, CKK);
    if (!din) return;
    float *di = din + (size_t)bb * C * HW;
    if (s1) {
        const int N2 = g * HW;
        const float *cp2;
        if (K == 1 && d->pad == 0 && g == 1) {
            cp2 = dout + (size_t)bb * OC * OHW;
        } else {
            for (int j = 0; j < g; j++)
                conv2d_im2col(col + (size_t)j * HW, (size_t)N2, dout + (size_t)(bb + j) * OC * OHW,
                       OC, OH, OW, K, 1, P2, H, W);
            cp2 = col;
        }
        float *dst = g == 1 ? di : tmp;
        lay_sgemm(CblasNoTrans, CblasNoTrans, C, N2, OC * KK,
                  1.0f, wt, OC * KK, cp2, N2, 0.0f, dst, N2);
        if (g > 1) scatter_rows(di, tmp, g, C, HW, NULL);
    } else {
        din_col2im(di, col, w, dT, g, C, H, W, OC, K, d->stride, d->pad, OH, OW);
    }
}

void conv2d_backward(float *din, float *dw, float *db, const float *dout,
                     const float *in, const float *w,
                     int B, int C, int H, int W, int OC, int K, int stride, int pad,
                     int OH, int OW, float *ws) {
    if (B <= 0) return;
    if (band_on && conv2d_band_applies(C, H, W, OC, K, stride, pad, OH, OW)) {
        conv2d_band_backward(din, dw, db, dout, in, w, B, C, H, W, OC, K, pad, OH, OW, ws);
        return;
    }
    const ConvDims d = {B, C, H, W, OC, K, stride, pad, OH, OW};
    const int T = lay_threads();
    const int G = conv_chunk(B, T, OH, OW, ncols_bwd);
    const int G2 = conv_chunk(B, T, OH, OW, ncols_fwd);
    const ConvWs s = conv_ws(G > G2 ? G : G2, C, H, W, OC, K, OH, OW);
    const int direct = (K == 1 && stride == 1 && pad == 0);
    const int s1 = conv_din_transposed(C, H, W, OC, K, stride, OH, OW);
    float *wt = ws + s.per_thread * (size_t)T;
    const size_t nw = (size_t)OC * C * K * K;
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(lay_conv_threads(T, B, C, OC, K, OH, OW))
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        float *col = ws + s.per_thread * (size_t)tid;
        float *tmp = col + s.col;
        float *dwp = tmp + s.tmp;
        bwd_wt_db(wt, db, w, dout, &d, din && s1);
        int b0, b1;
        lay_split(B, nth, tid, &b0, &b1);
        int first = 1;
        for (int bb = b0; bb < b1; bb += G) {
            const int g = (b1 - bb) < G ? (b1 - bb) : G;
            if (g == 1 && !direct && conv_rows_per_block(OH, OW) < OH)
                bwd_plane_blocks(din, dwp, col, wt, w, dout, in, &d, bb, s1, first);
            else
                bwd_chunk(din, dwp, col, tmp, wt, w, dout, in, &d, bb, g, s1, direct, first);
            first = 0;
        }
        if (first) memset(dwp, 0, sizeof(float) * nw); /* a thread without samples */
#pragma omp barrier
        /* dw += the per-thread partials, summed in thread order */
        const float *part0 = ws + s.col + s.tmp;
#pragma omp for schedule(static)
        for (size_t i = 0; i < nw; i++) {
            float acc = part0[i];
            for (int t = 1; t < nth; t++) acc += part0[s.per_thread * (size_t)t + i];
            dw[i] += acc;
        }
    }
    lay_blas_single_end(nb);
}
