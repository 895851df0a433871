/* conv2d_band.c — stride-1 convolution by bands of output rows, skipping the
 * kernel rows that fall into the vertical zero padding.
 *
 * With small planes and wide padding a plain im2col spends much of its gemm
 * on padded zeros: the seed's 5x5 convs (pad 3 on 10x10, pad 2 on 6x6)
 * multiply zeros in 20% of their kernel rows (36% of taps counting the
 * horizontal padding too).  Output row oy only needs kernel rows
 * [a(oy), b(oy)), a = max(0, P - oy), b = min(K, H + P - oy).  With the
 * weights in tap-major order wtm[M][ky][C][kx], those rows are one contiguous
 * column range of wtm, so each band of output rows that shares (a, b) is one
 * sgemm with the inner dimension cut to (b - a)*C*K:
 *
 *   col[(ky-a, c, kx)][(r, j, ox)] = in[j][c][oy+r-P+ky][ox-P+kx]
 *   T[M][N] = wtm[:, a*C*K .. b*C*K) . col,   N = rows * g * OW
 *
 * (columns ordered output row, then sample, then x, so a band of rows over a
 * chunk of g samples is contiguous; T is scattered back to NCHW).  The
 * weight gradient uses the same bands (dwtm[:, range] += dout . col^T) and
 * the input gradient is the same banded convolution of dout with the
 * flipped, transposed kernel and padding K-1-P.
 *
 * Threads: as in conv2d.c, one contiguous share of the batch per OpenMP
 * thread, single-threaded sgemms, per-thread weight-gradient partials summed
 * in thread order (bit-identical run to run for a fixed thread count).
 */
#include "layers.h"
#include "layers_internal.h"
#include <stdint.h>
#include <string.h>

#ifndef BAND_NCOLS
#define BAND_NCOLS 128      /* target gemm columns per band */
#endif
#ifndef BAND_MIN_WASTE
#define BAND_MIN_WASTE 0.15 /* use bands when >= 15% of kernel rows are padding */
#endif
#define BAND_MAX_K 16

/* kernel rows [a, b) that land inside an input of height H for output row oy */
static inline void band_rows(int oy, int H, int K, int P, int *a, int *b) {
    int lo = P - oy, hi = H + P - oy;
    *a = lo > 0 ? lo : 0;
    *b = hi < K ? hi : K;
    if (*b < *a) *b = *a;
}

static double band_waste(int H, int K, int P, int OH) {
    long valid = 0;
    for (int oy = 0; oy < OH; oy++) {
        int a, b;
        band_rows(oy, H, K, P, &a, &b);
        valid += b - a;
    }
    return OH > 0 ? 1.0 - (double)valid / ((double)OH * K) : 0.0;
}

int conv2d_band_applies(int C, int H, int W, int OC, int K, int S, int P, int OH, int OW) {
    (void)C; (void)OC; (void)W;
    if (S != 1 || K < 2 || K > BAND_MAX_K || OH * OW > 1024) return 0;
    return band_waste(H, K, P, OH) >= BAND_MIN_WASTE;
}

/* samples per chunk: a single output row of the chunk fills ~BAND_NCOLS columns */
static int band_chunk(int B, int T, int OW) {
    int per = (B + T - 1) / T;
    int g = OW > 0 ? (BAND_NCOLS + OW - 1) / OW : 1;
    if (g > per) g = per;
    return g < 1 ? 1 : g;
}

typedef struct { int G; size_t ncol, col, tmp, dwp, per_thread, shared; } BandWs;

static BandWs band_ws(int B, int T, int C, int W, int OC, int K, int OW) {
    BandWs s;
    s.G = band_chunk(B, T, OW);
    int wmax = OW > W ? OW : W;
    size_t n = (size_t)s.G * wmax;
    s.ncol = n > BAND_NCOLS ? n : BAND_NCOLS;
    size_t cmax = (size_t)(C > OC ? C : OC);
    s.col = lay_round16((size_t)K * K * cmax * s.ncol);
    s.tmp = lay_round16(cmax * s.ncol);
    s.dwp = lay_round16((size_t)OC * C * K * K);
    s.per_thread = s.col + s.tmp + s.dwp;
    s.shared = lay_round16((size_t)OC * C * K * K);
    return s;
}

size_t conv2d_band_ws_floats(int B, int C, int H, int W, int OC, int K, int OH, int OW) {
    (void)H; (void)OH;
    int T = lay_threads();
    BandWs s = band_ws(B, T, C, W, OC, K, OW);
    return s.per_thread * (size_t)T + s.shared;
}

/* lane masks of one output row for kernel column kx: valid ox are
 * 0 <= ox - P + kx < W, i.e. [ox0, ox1) */
typedef struct { int ox0, ox1; uint16_t lm[4], sm[4]; } RowMask;

static void row_mask(RowMask *m, int kx, int W, int P, int OW) {
    int ox0 = P - kx > 0 ? P - kx : 0, ox1 = W + P - kx;
    if (ox1 > OW) ox1 = OW;
    if (ox0 > OW) ox0 = OW;
    if (ox1 < ox0) ox1 = ox0;
    m->ox0 = ox0;
    m->ox1 = ox1;
    for (int q = 0; q < 4; q++) {
        int n = OW - 16 * q;
        if (n > 16) n = 16;
        if (n < 0) n = 0;
        int a = ox0 - 16 * q, b = ox1 - 16 * q;
        if (a < 0) a = 0;
        if (b > n) b = n;
        m->sm[q] = (uint16_t)((1u << n) - 1u);
        m->lm[q] = b > a ? (uint16_t)(((1u << b) - 1u) & ~((1u << a) - 1u)) : 0;
    }
}

/* r[ox] = s[ox + off] on [ox0, ox1), 0 elsewhere in [0, OW) */
static inline void copy_row(float *restrict r, const float *s, int off, const RowMask *m, int OW) {
#if defined(__AVX512F__)
    if (OW <= 64) {
        /* masked-off lanes are never read, even where they fall outside the plane */
        uintptr_t sp = (uintptr_t)s + (intptr_t)off * (intptr_t)sizeof(float);
        for (int q = 0; 16 * q < OW; q++)
            _mm512_mask_storeu_ps(r + 16 * q, m->sm[q],
                                  _mm512_maskz_loadu_ps(m->lm[q], (const float *)sp + 16 * q));
        return;
    }
#endif
    for (int ox = 0; ox < m->ox0; ox++) r[ox] = 0.0f;
    for (int ox = m->ox0; ox < m->ox1; ox++) r[ox] = s[ox + off];
    for (int ox = m->ox1; ox < OW; ox++) r[ox] = 0.0f;
}

/* col rows (ky-a, c, kx) for ky in [a, b); columns (r, j, ox) for output rows
 * oy0..oy0+rows of g samples x[j] ([Cin][H][W] each) */
static void band_im2col(float *restrict col, size_t N, const float *x, int g, int Cin, int H, int W,
                        int K, int P, int oy0, int rows, int a, int b, int OW, const RowMask *masks) {
    const size_t plane = (size_t)H * W, sample = (size_t)Cin * plane;
    for (int ky = a; ky < b; ky++)
        for (int c = 0; c < Cin; c++)
            for (int kx = 0; kx < K; kx++) {
                float *row = col + ((size_t)((ky - a) * Cin + c) * K + kx) * N;
                const RowMask *m = &masks[kx];
                for (int r = 0; r < rows; r++) {
                    const int iy = oy0 + r - P + ky; /* inside [0, H) by construction */
                    const float *s = x + (size_t)c * plane + (size_t)iy * W;
                    float *d = row + (size_t)r * g * OW;
                    for (int j = 0; j < g; j++)
                        copy_row(d + (size_t)j * OW, s + (size_t)j * sample, kx - P, m, OW);
                }
            }
}

/* rows per band starting at oy: same kernel-row range, at most ~BAND_NCOLS columns */
static int band_extent(int oy, int OH, int H, int K, int P, int g, int OW, int *a, int *b) {
    band_rows(oy, H, K, P, a, b);
    int maxr = BAND_NCOLS / (g * OW);
    if (maxr < 1) maxr = 1;
    int rows = 1;
    while (oy + rows < OH && rows < maxr) {
        int a2, b2;
        band_rows(oy + rows, H, K, P, &a2, &b2);
        if (a2 != *a || b2 != *b) break;
        rows++;
    }
    return rows;
}

/* y[j] ([M][OH][OW]) = banded conv of x[j] ([Cin][H][W]) with wtm [M][K][Cin][K], pad P */
static void band_forward_chunk(float *y, const float *x, int g, const float *wtm, const float *bias,
                               int Cin, int H, int W, int M, int K, int P, int OH, int OW,
                               float *col, float *tmp, const RowMask *masks) {
    const int CK = Cin * K, ldw = K * CK;
    const size_t ohw = (size_t)OH * OW;
    for (int oy = 0; oy < OH;) {
        int a, b;
        const int rows = band_extent(oy, OH, H, K, P, g, OW, &a, &b);
        const int N = rows * g * OW;
        if (b > a) {
            band_im2col(col, (size_t)N, x, g, Cin, H, W, K, P, oy, rows, a, b, OW, masks);
            lay_sgemm(CblasNoTrans, CblasNoTrans, M, N, (b - a) * CK,
                      1.0f, wtm + (size_t)a * CK, ldw, col, N, 0.0f, tmp, N);
        } else {
            memset(tmp, 0, sizeof(float) * (size_t)M * N);
        }
        for (int m = 0; m < M; m++) {
            const float bv = bias ? bias[m] : 0.0f;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < g; j++) {
                    float *d = y + ((size_t)j * M + m) * ohw + (size_t)(oy + r) * OW;
                    const float *s = tmp + (size_t)m * N + ((size_t)r * g + j) * OW;
                    if (bias)
                        for (int i = 0; i < OW; i++) d[i] = s[i] + bv;
                    else
                        lay_copy(d, s, OW);
                }
        }
        oy += rows;
    }
}

/* dwtm [M][K][Cin][K] += banded dout[j] ([M][OH][OW]) . im2col(x[j])^T */
static void band_dw_chunk(float *dwtm, const float *x, const float *dy, int g, int Cin, int H, int W,
                          int M, int K, int P, int OH, int OW, float *col, float *tmp,
                          const RowMask *masks) {
    const int CK = Cin * K, ldw = K * CK;
    const size_t ohw = (size_t)OH * OW;
    for (int oy = 0; oy < OH;) {
        int a, b;
        const int rows = band_extent(oy, OH, H, K, P, g, OW, &a, &b);
        const int N = rows * g * OW;
        if (b > a) {
            for (int m = 0; m < M; m++)
                for (int r = 0; r < rows; r++)
                    for (int j = 0; j < g; j++)
                        lay_copy(tmp + (size_t)m * N + ((size_t)r * g + j) * OW,
                                 dy + ((size_t)j * M + m) * ohw + (size_t)(oy + r) * OW, OW);
            band_im2col(col, (size_t)N, x, g, Cin, H, W, K, P, oy, rows, a, b, OW, masks);
            lay_sgemm(CblasNoTrans, CblasTrans, M, (b - a) * CK, N,
                      1.0f, tmp, N, col, N, 1.0f, dwtm + (size_t)a * CK, ldw);
        }
        oy += rows;
    }
}

void conv2d_band_forward(float *out, const float *in, const float *w, const float *bias,
                         int B, int C, int H, int W, int OC, int K, int P, int OH, int OW,
                         float *ws) {
    if (B <= 0) return;
    const int T = lay_threads();
    const BandWs s = band_ws(B, T, C, W, OC, K, OW);
    const int KK = K * K, CKK = C * KK;
    float *wtm = ws + s.per_thread * (size_t)T;
    RowMask masks[BAND_MAX_K];
    for (int kx = 0; kx < K; kx++) row_mask(&masks[kx], kx, W, P, OW);
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(lay_conv_threads(T, B, C, OC, K, OH, OW))
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        /* wtm[oc][ky][c][kx] = w[oc][c][ky][kx] */
#pragma omp for schedule(static)
        for (int oc = 0; oc < OC; oc++)
            for (int c = 0; c < C; c++)
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++)
                        wtm[(size_t)oc * CKK + ((size_t)ky * C + c) * K + kx] =
                            w[(size_t)oc * CKK + (size_t)c * KK + ky * K + kx];
        float *col = ws + s.per_thread * (size_t)tid, *tmp = col + s.col;
        int b0, b1;
        lay_split(B, nth, tid, &b0, &b1);
        for (int bb = b0; bb < b1; bb += s.G) {
            const int g = (b1 - bb) < s.G ? (b1 - bb) : s.G;
            band_forward_chunk(out + (size_t)bb * OC * OH * OW, in + (size_t)bb * C * H * W, g, wtm,
                               bias, C, H, W, OC, K, P, OH, OW, col, tmp, masks);
        }
    }
    lay_blas_single_end(nb);
}

void conv2d_band_backward(float *din, float *dw, float *db, const float *dout, const float *in,
                          const float *w, int B, int C, int H, int W, int OC, int K, int P,
                          int OH, int OW, float *ws) {
    if (B <= 0) return;
    const int T = lay_threads();
    const BandWs s = band_ws(B, T, C, W, OC, K, OW);
    const int KK = K * K, CKK = C * KK, OKK = OC * KK, OHW = OH * OW;
    const int P2 = K - 1 - P; /* padding of the transposed convolution */
    const size_t nw = (size_t)OC * CKK;
    float *wd = ws + s.per_thread * (size_t)T; /* flipped, transposed, tap-major */
    RowMask masks[BAND_MAX_K], dmasks[BAND_MAX_K];
    for (int kx = 0; kx < K; kx++) {
        row_mask(&masks[kx], kx, W, P, OW);
        row_mask(&dmasks[kx], kx, OW, P2, W);
    }
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(lay_conv_threads(T, B, C, OC, K, OH, OW))
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        float *col = ws + s.per_thread * (size_t)tid, *tmp = col + s.col, *dwp = tmp + s.tmp;
        if (din) {
            /* wd[c][ky][oc][kx] = w[oc][c][K-1-ky][K-1-kx] */
#pragma omp for schedule(static)
            for (int c = 0; c < C; c++)
                for (int ky = 0; ky < K; ky++)
                    for (int oc = 0; oc < OC; oc++)
                        for (int kx = 0; kx < K; kx++)
                            wd[(size_t)c * OKK + ((size_t)ky * OC + oc) * K + kx] =
                                w[(size_t)oc * CKK + (size_t)c * KK + (K - 1 - ky) * K + (K - 1 - kx)];
        }
        if (db) {
#pragma omp for schedule(static)
            for (int m = 0; m < OC; m++) {
                float acc = 0.0f;
                for (int bb = 0; bb < B; bb++) {
                    const float *d = dout + ((size_t)bb * OC + m) * OHW;
                    float a = 0.0f;
                    for (int i = 0; i < OHW; i++) a += d[i];
                    acc += a;
                }
                db[m] += acc;
            }
        }
        memset(dwp, 0, sizeof(float) * nw);
        int b0, b1;
        lay_split(B, nth, tid, &b0, &b1);
        for (int bb = b0; bb < b1; bb += s.G) {
            const int g = (b1 - bb) < s.G ? (b1 - bb) : s.G;
            const float *x = in + (size_t)bb * C * H * W, *dy = dout + (size_t)bb * OC * OHW;
            band_dw_chunk(dwp, x, dy, g, C, H, W, OC, K, P, OH, OW, col, tmp, masks);
            if (din)
                band_forward_chunk(din + (size_t)bb * C * H * W, dy, g, wd, NULL, OC, OH, OW, C, K, P2,
                                   H, W, col, tmp, dmasks);
        }
#pragma omp barrier
        /* dw[oc][c][ky][kx] += sum over threads (in order) of dwp[oc][ky][c][kx] */
        const float *part0 = ws + s.col + s.tmp;
#pragma omp for schedule(static)
        for (int oc = 0; oc < OC; oc++)
            for (int c = 0; c < C; c++)
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++) {
                        const size_t pi = (size_t)oc * CKK + ((size_t)ky * C + c) * K + kx;
                        float acc = part0[pi];
                        for (int t = 1; t < nth; t++) acc += part0[s.per_thread * (size_t)t + pi];
                        dw[(size_t)oc * CKK + (size_t)c * KK + ky * K + kx] += acc;
                    }
    }
    lay_blas_single_end(nb);
}
