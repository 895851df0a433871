/* conv2d_ref.c — the reference convolution: plain nested loops, the readable definition the fast paths
 * (conv2d.c, conv2d_band.c) are tested against (tests/test_conv_ref.c).  Not used in training.
 *
 * Shapes (as conv2d_forward / conv2d_backward in layers.h):
 *   in   [B][C][H][W]        w  [OC][C][K][K]      b [OC] or NULL
 *   out  [B][OC][OH][OW]     OH = (H + 2*pad - K) / stride + 1, likewise OW
 *   out[n][o][y][x] = b[o] + sum_{c,ky,kx} w[o][c][ky][kx] * in[n][c][y*stride+ky-pad][x*stride+kx-pad]
 * with in = 0 outside the plane.  Sums run in double, so the reference is far more exact than the
 * float32 fast paths it checks. */
#include "layers.h"
#include <string.h>

/* in[n][c][iy][ix], 0 in the padding */
static double at(const float *in, int n, int c, int iy, int ix, int C, int H, int W) {
    if (iy < 0 || iy >= H || ix < 0 || ix >= W) return 0.0;
    return in[(((size_t)n * C + c) * H + iy) * W + ix];
}

void conv2d_ref_forward(float *out, const float *in, const float *w, const float *b,
                        int B, int C, int H, int W, int OC, int K, int stride, int pad, int OH, int OW) {
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < C; c++)
                        for (int ky = 0; ky < K; ky++)
                            for (int kx = 0; kx < K; kx++)
                                s += (double)w[(((size_t)o * C + c) * K + ky) * K + kx] *
                                     at(in, n, c, y * stride + ky - pad, x * stride + kx - pad, C, H, W);
                    out[(((size_t)n * OC + o) * OH + y) * OW + x] = (float)s;
                }
}

/* dout [B][OC][OH][OW] -> din [B][C][H][W] (=, may be NULL), dw [OC][C][K][K] (+=), db [OC] (+=, may be NULL):
 *   din[n][c][iy][ix] = sum over (o, ky, kx) with iy = y*stride+ky-pad, ix = x*stride+kx-pad of w * dout
 *   dw[o][c][ky][kx] += sum over (n, y, x) of dout[n][o][y][x] * in[n][c][y*stride+ky-pad][x*stride+kx-pad]
 *   db[o]            += sum over (n, y, x) of dout[n][o][y][x] */
void conv2d_ref_backward(float *din, float *dw, float *db, const float *dout, const float *in, const float *w,
                         int B, int C, int H, int W, int OC, int K, int stride, int pad, int OH, int OW) {
    const size_t HW = (size_t)H * W, OHW = (size_t)OH * OW;
    if (din)
        for (int n = 0; n < B; n++)
            for (int c = 0; c < C; c++)
                for (int iy = 0; iy < H; iy++)
                    for (int ix = 0; ix < W; ix++) {
                        double s = 0.0;
                        for (int o = 0; o < OC; o++)
                            for (int ky = 0; ky < K; ky++)
                                for (int kx = 0; kx < K; kx++) {
                                    int ty = iy + pad - ky, tx = ix + pad - kx;   /* = y*stride, x*stride */
                                    if (ty < 0 || tx < 0 || ty % stride || tx % stride) continue;
                                    int y = ty / stride, x = tx / stride;
                                    if (y >= OH || x >= OW) continue;
                                    s += (double)w[(((size_t)o * C + c) * K + ky) * K + kx] *
                                         dout[((size_t)n * OC + o) * OHW + (size_t)y * OW + x];
                                }
                        din[((size_t)n * C + c) * HW + (size_t)iy * W + ix] = (float)s;
                    }
    for (int o = 0; o < OC; o++) {
        for (int c = 0; c < C; c++)
            for (int ky = 0; ky < K; ky++)
                for (int kx = 0; kx < K; kx++) {
                    double s = 0.0;
                    for (int n = 0; n < B; n++)
                        for (int y = 0; y < OH; y++)
                            for (int x = 0; x < OW; x++)
                                s += (double)dout[((size_t)n * OC + o) * OHW + (size_t)y * OW + x] *
                                     at(in, n, c, y * stride + ky - pad, x * stride + kx - pad, C, H, W);
                    dw[(((size_t)o * C + c) * K + ky) * K + kx] += (float)s;
                }
        if (db) {
            double s = 0.0;
            for (int n = 0; n < B; n++)
                for (size_t i = 0; i < OHW; i++) s += dout[((size_t)n * OC + o) * OHW + i];
            db[o] += (float)s;
        }
    }
}
