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

void maxpool2d_forward(float *out, int32_t *idx, const float *in,
                       int B, int C, int H, int W, int K, int S, int P, int OH, int OW) {
    const int planes = B * C;
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
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
    const float inv = 1.0f / (float)(K * K);
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        const float *x = in + (size_t)pl * H * W;
        float *y = out + (size_t)pl * OH * OW;
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
                y[oy * OW + ox] = s * inv;
            }
        }
    }
}

void avgpool2d_backward(float *din, const float *dout,
                        int B, int C, int H, int W, int K, int S, int P, int OH, int OW) {
    const int planes = B * C;
    const float inv = 1.0f / (float)(K * K);
#pragma omp parallel for schedule(static) if ((size_t)planes * H * W >= LAY_PAR_MIN)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + (size_t)pl * H * W;
        const float *dy = dout + (size_t)pl * OH * OW;
        memset(dx, 0, sizeof(float) * (size_t)H * W);
        for (int oy = 0; oy < OH; oy++) {
            int y0 = oy * S - P, y1 = y0 + K;
            if (y0 < 0) y0 = 0;
            if (y1 > H) y1 = H;
            for (int ox = 0; ox < OW; ox++) {
                int x0 = ox * S - P, x1 = x0 + K;
                if (x0 < 0) x0 = 0;
                if (x1 > W) x1 = W;
                const float g = dy[oy * OW + ox] * inv;
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
