/* test_optim.c — the masked optimiser step.
 *  1. SGD (momentum, weight decay) and Adam against the update rules computed
 *     here in double precision (PyTorch semantics), over several steps;
 *  2. a mask freezes parameters EXACTLY: value, momentum and Adam moments stay
 *     bit-identical however many steps run;
 *  3. a finite-difference check of the step through a loss: one masked SGD step
 *     on L(p) = sum((p - c)^2)/2 lowers L by lr * |masked grad|^2 to first order. */
#include "test.h"
#include "optim.h"
#include <stdint.h>

#define N 37

int main(void) {
    float p[N], g[N];
    double pd[N], md[N], vd[N];
    uint8_t mask[N];
    for (int i = 0; i < N; i++) mask[i] = (i % 3) != 0; /* every third frozen */

    for (int kind = 0; kind < 2; kind++) {
        Optim o;
        optim_init(&o, kind ? OPT_ADAM : OPT_SGD, N, 0.05f, 0.9f, 0.01f);
        for (int i = 0; i < N; i++) { p[i] = (float)(0.1 * i - 1.5); pd[i] = p[i]; md[i] = vd[i] = 0; }
        float frozen0[N], m0[N], v0[N];
        memcpy(frozen0, p, sizeof p);
        memcpy(m0, o.m, sizeof m0);
        memcpy(v0, o.v, sizeof v0);
        double maxerr = 0;
        for (int t = 1; t <= 5; t++) {
            for (int i = 0; i < N; i++) g[i] = (float)(sin(0.7 * i + t) * 0.3);
            optim_step(&o, p, g, mask);
            for (int i = 0; i < N; i++) {
                if (!mask[i]) continue;
                double gg = g[i] + 0.01 * pd[i];
                if (kind == 0) {
                    md[i] = 0.9 * md[i] + gg;
                    pd[i] -= 0.05 * md[i];
                } else {
                    md[i] = 0.9 * md[i] + 0.1 * gg;
                    vd[i] = 0.999 * vd[i] + 0.001 * gg * gg;
                    double mh = md[i] / (1 - pow(0.9, t)), vh = vd[i] / (1 - pow(0.999, t));
                    pd[i] -= 0.05 * mh / (sqrt(vh) + 1e-8);
                }
                double e = fabs(p[i] - pd[i]) / (fabs(pd[i]) + 1e-3);
                if (e > maxerr) maxerr = e;
            }
        }
        /* float32 state vs a double reference: rounding gives ~1e-5 (SGD) .. 1e-4 (Adam: sqrt, powf);
         * a wrong rule (missing bias correction, decay on the wrong term) errs by > 1e-2 */
        CHECKF(maxerr < 1e-3, "%s: max relative error vs the double-precision rule %.3g", kind ? "adam" : "sgd", maxerr);
        printf("%s: max relative error vs double rule %.2g\n", kind ? "adam" : "sgd", maxerr);
        int frozen_exact = 1, moved = 0;
        for (int i = 0; i < N; i++) {
            if (!mask[i]) frozen_exact &= memcmp(&p[i], &frozen0[i], sizeof(float)) == 0 &&
                                         memcmp(&o.m[i], &m0[i], sizeof(float)) == 0 &&
                                         memcmp(&o.v[i], &v0[i], sizeof(float)) == 0;
            else moved += p[i] != frozen0[i];
        }
        CHECKF(frozen_exact, "%s: frozen parameters or their state changed", kind ? "adam" : "sgd");
        CHECKF(moved > N / 2, "%s: trainable parameters moved (%d)", kind ? "adam" : "sgd", moved);
        optim_free(&o);
    }

    /* 3. first-order decrease of L(p) = sum((p-c)^2)/2 under one masked plain-SGD step */
    {
        Optim o;
        optim_init(&o, OPT_SGD, N, 1e-3f, 0.0f, 0.0f);
        double L0 = 0, L1 = 0, gm2 = 0;
        for (int i = 0; i < N; i++) {
            p[i] = (float)cos(i);
            double c = 0.5 * sin(3.0 * i);
            g[i] = (float)(p[i] - c);
            L0 += 0.5 * (p[i] - c) * (p[i] - c);
            if (mask[i]) gm2 += (double)g[i] * g[i];
        }
        optim_step(&o, p, g, mask);
        for (int i = 0; i < N; i++) {
            double c = 0.5 * sin(3.0 * i);
            L1 += 0.5 * (p[i] - c) * (p[i] - c);
        }
        double predicted = 1e-3 * gm2, actual = L0 - L1;
        CHECKF(fabs(actual - predicted) / predicted < 2e-3, "loss decrease %.6g vs first-order %.6g", actual, predicted);
        optim_free(&o);
    }
    TEST_DONE("test_optim");
}
