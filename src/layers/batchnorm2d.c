/* batchnorm2d.c — batch normalisation over [B][C][HW] with PyTorch semantics.
 *
 * Training: mean and biased variance of each channel over B*HW values
 * (two-pass; float sums per row, rows accumulated in double), out = (x - mean) * inv_std * gamma + beta,
 * running_mean/var <- (1-momentum) * running + momentum * batch, where the
 * running variance takes the unbiased batch variance (N/(N-1) factor).
 * Eval: the running statistics are used and written to save_mean/save_invstd.
 * Channels are independent: one OpenMP loop over C, serial sums inside, so the
 * results do not depend on the thread count at all.  gamma/beta may be NULL
 * (treated as 1 and 0).
 */
#include "layers.h"
#include "layers_internal.h"
#include <math.h>

/* Sum of a[i] (b NULL) or of a[i] * (b[i] - m) (b == a: (a[i] - m)^2) over n values, in
 * LANES independent float accumulators added in a fixed order.  The compiler vectorises
 * the lanes without reordering any addition, so the result is the same bits whatever
 * vector width the target has (an `omp simd reduction` is not: its order follows the
 * register width, and -march=native builds on AVX2 and AVX-512 machines disagreed). */
#define LANES 16
static float lane_sum(const float *a, const float *b, float m, int n) {
    float acc[LANES] = {0};
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int l = 0; l < LANES; l++)
            acc[l] += b == NULL ? a[i + l] : b == a ? (a[i + l] - m) * (a[i + l] - m) : a[i + l] * (b[i + l] - m);
    float tail = 0.0f;
    for (; i < n; i++) tail += b == NULL ? a[i] : b == a ? (a[i] - m) * (a[i] - m) : a[i] * (b[i] - m);
    for (int w = LANES / 2; w > 0; w /= 2)
        for (int l = 0; l < w; l++) acc[l] += acc[l + w];
    return acc[0] + tail;
}

void batchnorm2d_forward(float *out, const float *in, const float *gamma, const float *beta,
                         float *running_mean, float *running_var,
                         float *save_mean, float *save_invstd,
                         int B, int C, int HW, float eps, float momentum, int training) {
    const size_t N = (size_t)B * HW;
    const size_t cs = (size_t)C * HW; /* sample stride */
#pragma omp parallel for schedule(static) if (N * C >= LAY_PAR_MIN)
    for (int c = 0; c < C; c++) {
        float mean, invstd;
        if (training) {
            /* two passes (mean, then squared deviations): float sums along
             * each row in LANES fixed lanes, rows summed in double */
            double s = 0.0;
            for (int b = 0; b < B; b++) {
                const float *x = in + b * cs + (size_t)c * HW;
                s += lane_sum(x, NULL, 0.0f, HW);
            }
            double m = N ? s / (double)N : 0.0;
            const float mf = (float)m;
            double v = 0.0;
            for (int b = 0; b < B; b++) {
                const float *x = in + b * cs + (size_t)c * HW;
                v += lane_sum(x, x, mf, HW);
            }
            double var = N ? v / (double)N : 0.0;
            double uvar = N > 1 ? v / (double)(N - 1) : var;
            mean = (float)m;
            invstd = (float)(1.0 / sqrt(var + (double)eps));
            if (running_mean)
                running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * m);
            if (running_var)
                running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * uvar);
        } else {
            mean = running_mean[c];
            invstd = (float)(1.0 / sqrt((double)running_var[c] + (double)eps));
        }
        if (save_mean) save_mean[c] = mean;
        if (save_invstd) save_invstd[c] = invstd;
        const float scale = (gamma ? gamma[c] : 1.0f) * invstd;
        const float shift = beta ? beta[c] : 0.0f;
        for (int b = 0; b < B; b++) {
            const float *x = in + b * cs + (size_t)c * HW;
            float *y = out + b * cs + (size_t)c * HW;
#pragma omp simd
            for (int i = 0; i < HW; i++) y[i] = (x[i] - mean) * scale + shift;
        }
    }
}

void batchnorm2d_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                          const float *in, const float *gamma,
                          const float *save_mean, const float *save_invstd,
                          int B, int C, int HW, int training) {
    const size_t N = (size_t)B * HW;
    const size_t cs = (size_t)C * HW;
#pragma omp parallel for schedule(static) if (N * C >= LAY_PAR_MIN)
    for (int c = 0; c < C; c++) {
        const float mean = save_mean[c], invstd = save_invstd[c];
        double sdy = 0.0, sdyx = 0.0; /* sum dy, sum dy * (x - mean) */
        for (int b = 0; b < B; b++) {
            const float *x = in + b * cs + (size_t)c * HW;
            const float *dy = dout + b * cs + (size_t)c * HW;
            sdy += lane_sum(dy, NULL, 0.0f, HW);
            sdyx += lane_sum(dy, x, mean, HW);
        }
        const double sdyxhat = sdyx * invstd; /* sum dy * xhat */
        if (dbeta) dbeta[c] += (float)sdy;
        if (dgamma) dgamma[c] += (float)sdyxhat;
        if (!din) continue;
        const float g = gamma ? gamma[c] : 1.0f;
        if (training && N > 0) {
            /* din = g*invstd * (dy - mean(dy) - xhat * mean(dy*xhat)) */
            const float k = g * invstd;
            const float mdy = (float)(sdy / (double)N);
            const float c2 = (float)(sdyxhat / (double)N) * invstd; /* multiplies (x - mean) */
            for (int b = 0; b < B; b++) {
                const float *x = in + b * cs + (size_t)c * HW;
                const float *dy = dout + b * cs + (size_t)c * HW;
                float *dx = din + b * cs + (size_t)c * HW;
#pragma omp simd
                for (int i = 0; i < HW; i++) dx[i] = k * (dy[i] - mdy - (x[i] - mean) * c2);
            }
        } else {
            const float k = g * invstd;
            for (int b = 0; b < B; b++) {
                const float *dy = dout + b * cs + (size_t)c * HW;
                float *dx = din + b * cs + (size_t)c * HW;
#pragma omp simd
                for (int i = 0; i < HW; i++) dx[i] = k * dy[i];
            }
        }
    }
}
