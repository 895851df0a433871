/* pool.c — max / average pooling (window K, stride S, padding P) and global
 * average pooling, PyTorch semantics:
 *   max-pool pads with -inf; the argmax is the flat index into one [H][W]
 *     input plane, the first maximum in row-major window order wins, and a NaN
 *     counts as the maximum (the last NaN of the window, as in PyTorch);
 *   avg-pool counts padded zeros (count_include_pad=True): divisor K*K.
 * The B*C planes are independent: one OpenMP loop over planes, so results do
 * not depend on the thread count. */
#include "layers.h"
#include "layers_internal.h"
#include <math.h>
#include <string.h>

/* K=2, S=2, P=0 (the common case): branch-free compares over the 2x2 window
 * in PyTorch's scan order (0,0), (0,1), (1,0), (1,1) */
static void maxpool2x2_plane(float *restrict y, int32_t *restrict ix, const float *restrict x,
                             int W, int OH, int OW) {
#if defined(__AVX512F__)
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512i lane2 = _mm512_slli_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), 1);
#endif
    for (int oy = 0; oy < OH; oy++) {
        const float *r0 = x + (size_t)(2 * oy) * W, *r1 = r0 + W;
        float *yo = y + (size_t)oy * OW;
        int32_t *io = ix + (size_t)oy * OW;
        const int base = 2 * oy * W;
        int ox = 0;
#if defined(__AVX512F__)
        /* 16 outputs per step: de-interleave 32 inputs of each row into
         * even/odd columns, then the same compare chain with lane masks */
        for (; ox < OW; ox += 16) {
            const int n = OW - ox < 16 ? OW - ox : 16;
            const __mmask16 om = (__mmask16)((1u << n) - 1u);
            const int m2 = 2 * n; /* inputs used of the 32 */
            const __mmask16 lo = (__mmask16)(m2 >= 16 ? 0xFFFF : (1u << m2) - 1u);
            const __mmask16 hi = (__mmask16)(m2 <= 16 ? 0 : (1u << (m2 - 16)) - 1u);
            const float *a = r0 + 2 * ox, *b = r1 + 2 * ox;
            __m512 a0 = _mm512_maskz_loadu_ps(lo, a), a1 = _mm512_maskz_loadu_ps(hi, a + 16);
            __m512 b0 = _mm512_maskz_loadu_ps(lo, b), b1 = _mm512_maskz_loadu_ps(hi, b + 16);
            __m512 best = _mm512_permutex2var_ps(a0, even, a1);
            __m512i bi = _mm512_setzero_si512();
            __m512 v = _mm512_permutex2var_ps(a0, odd, a1);
            __mmask16 t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            best = _mm512_mask_blend_ps(t, best, v);
            bi = _mm512_mask_blend_epi32(t, bi, _mm512_set1_epi32(1));
            v = _mm512_permutex2var_ps(b0, even, b1);
            t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            best = _mm512_mask_blend_ps(t, best, v);
            bi = _mm512_mask_blend_epi32(t, bi, _mm512_set1_epi32(W));
            v = _mm512_permutex2var_ps(b0, odd, b1);
            t = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            best = _mm512_mask_blend_ps(t, best, v);
            bi = _mm512_mask_blend_epi32(t, bi, _mm512_set1_epi32(W + 1));
            bi = _mm512_add_epi32(bi, _mm512_add_epi32(lane2, _mm512_set1_epi32(base + 2 * ox)));
            _mm512_mask_storeu_ps(yo + ox, om, best);
            _mm512_mask_storeu_epi32(io + ox, om, bi);
        }
#endif
        for (; ox < OW; ox++) {
            float best = r0[2 * ox];
            int bi = 0;
            float v = r0[2 * ox + 1];
            int t = v > best || v != v;
            best = t ? v : best; bi = t ? 1 : bi;
            v = r1[2 * ox];
            t = v > best || v != v;
            best = t ? v : best; bi = t ? W : bi;
            v = r1[2 * ox + 1];
            t = v > best || v != v;
            best = t ? v : best; bi = t ? W + 1 : bi;
            yo[ox] = best;
            io[ox] = base + 2 * ox + bi;
        }
    }
}

void maxpool2d_forward(float *out, int32_t *idx, const float *in,
                       int B, int C, int H, int W, int K, int S, int P, int OH, int OW) {
    const int planes = B * C;
    const int fast = K == 2 && S == 2 && P == 0 && 2 * OH <= H && 2 * OW <= W;
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        if (fast) {
            maxpool2x2_plane(out + (size_t)pl * OH * OW, idx + (size_t)pl * OH * OW,
                             in + (size_t)pl * H * W, W, OH, OW);
            continue;
        }
        const float *x = in + (size_t)pl * H * W;
        float *y = out + (size_t)pl * OH * OW;
        int32_t *ix = idx + (size_t)pl * OH * OW;
        for (int oy = 0; oy < OH; oy++) {
            int y0 = oy * S - P, y1 = y0 + K;
            if (y0 < 0) y0 = 0;
            if (y1 > H) y1 = H;
            for (int ox = 0; ox < OW; ox++) {
                int x0 = ox * S - P, x1 = x0 + K;
                if (x0 < 0) x0 = 0;
                if (x1 > W) x1 = W;
                float best = -INFINITY;
                int bi = (y0 < y1 && x0 < x1) ? y0 * W + x0 : -1;
                for (int iy = y0; iy < y1; iy++)
                    for (int ixx = x0; ixx < x1; ixx++) {
                        float v = x[iy * W + ixx];
                        if (v > best || isnan(v)) {
                            best = v;
                            bi = iy * W + ixx;
                        }
                    }
                y[oy * OW + ox] = best;
                ix[oy * OW + ox] = bi;
            }
        }
    }
}

void maxpool2d_backward(float *din, const float *dout, const int32_t *idx,
                        int B, int C, int H, int W, int OH, int OW) {
    const int planes = B * C;
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + (size_t)pl * H * W;
        const float *dy = dout + (size_t)pl * OH * OW;
        const int32_t *ix = idx + (size_t)pl * OH * OW;
        memset(dx, 0, sizeof(float) * (size_t)H * W);
        for (int o = 0; o < OH * OW; o++)
            if (ix[o] >= 0) dx[ix[o]] += dy[o];
    }
}

void avgpool2d_forward(float *out, const float *in,
                       int B, int C, int H, int W, int K, int S, int P, int OH, int OW) {
    const int planes = B * C;
    const float div = (float)(K * K);
    const int fast = K == 2 && S == 2 && P == 0 && 2 * OH <= H && 2 * OW <= W;
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        const float *x = in + (size_t)pl * H * W;
        float *y = out + (size_t)pl * OH * OW;
        if (fast) { /* 2x2: the same sum order as the general loop */
            for (int oy = 0; oy < OH; oy++) {
                const float *r0 = x + (size_t)(2 * oy) * W, *r1 = r0 + W;
                float *yo = y + (size_t)oy * OW;
                for (int ox = 0; ox < OW; ox++)
                    yo[ox] = (((r0[2 * ox] + r0[2 * ox + 1]) + r1[2 * ox]) + r1[2 * ox + 1]) / div;
            }
            continue;
        }
        for (int oy = 0; oy < OH; oy++) {
            int y0 = oy * S - P, y1 = y0 + K;
            if (y0 < 0) y0 = 0;
            if (y1 > H) y1 = H;
            for (int ox = 0; ox < OW; ox++) {
                int x0 = ox * S - P, x1 = x0 + K;
                if (x0 < 0) x0 = 0;
                if (x1 > W) x1 = W;
                float s = 0.0f;
                for (int iy = y0; iy < y1; iy++)
                    for (int ixx = x0; ixx < x1; ixx++) s += x[iy * W + ixx];
                y[oy * OW + ox] = s / div;
            }
        }
    }
}

void avgpool2d_backward(float *din, const float *dout,
                        int B, int C, int H, int W, int K, int S, int P, int OH, int OW) {
    const int planes = B * C;
    const float div = (float)(K * K);
    const int fast = K == 2 && S == 2 && P == 0 && 2 * OH <= H && 2 * OW <= W;
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + (size_t)pl * H * W;
        const float *dy = dout + (size_t)pl * OH * OW;
        if (fast) { /* 2x2 windows do not overlap: write each input once */
            for (int iy = 0; iy < H; iy++) {
                float *d = dx + (size_t)iy * W;
                if (iy >= 2 * OH) {
                    for (int ix = 0; ix < W; ix++) d[ix] = 0.0f;
                    continue;
                }
                const float *g = dy + (size_t)(iy / 2) * OW;
                for (int ix = 0; ix < 2 * OW; ix++) d[ix] = g[ix / 2] / div;
                for (int ix = 2 * OW; ix < W; ix++) d[ix] = 0.0f;
            }
            continue;
        }
        memset(dx, 0, sizeof(float) * (size_t)H * W);
        for (int oy = 0; oy < OH; oy++) {
            int y0 = oy * S - P, y1 = y0 + K;
            if (y0 < 0) y0 = 0;
            if (y1 > H) y1 = H;
            for (int ox = 0; ox < OW; ox++) {
                int x0 = ox * S - P, x1 = x0 + K;
                if (x0 < 0) x0 = 0;
                if (x1 > W) x1 = W;
                const float g = dy[oy * OW + ox] / div;
                for (int iy = y0; iy < y1; iy++)
                    for (int ixx = x0; ixx < x1; ixx++) dx[iy * W + ixx] += g;
            }
        }
    }
}

void global_avgpool_forward(float *out, const float *in, int B, int C, int HW) {
    const int planes = B * C;
    const float inv = HW > 0 ? 1.0f / (float)HW : 0.0f;
#pragma omp parallel for schedule(static) if ((size_t)planes * HW >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        const float *x = in + (size_t)pl * HW;
        float s = 0.0f;
        for (int i = 0; i < HW; i++) s += x[i];
        out[pl] = s * inv;
    }
}

void global_avgpool_backward(float *din, const float *dout, int B, int C, int HW) {
    const int planes = B * C;
    const float inv = HW > 0 ? 1.0f / (float)HW : 0.0f;
#pragma omp parallel for schedule(static) if ((size_t)planes * HW >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + (size_t)pl * HW;
        const float g = dout[pl] * inv;
        for (int i = 0; i < HW; i++) dx[i] = g;
    }
}
