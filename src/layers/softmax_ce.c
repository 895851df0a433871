/* softmax_ce.c — softmax cross-entropy with soft targets and per-sample
 * weights, and a tempered row softmax.  Rows are independent; the loss is the
 * sum of the per-row losses in row order (in double), so it is deterministic.
 * log-softmax is computed as z - max - log(sum exp(z - max)) (stable for any
 * logit range); target entries that are 0 contribute nothing (so a -inf
 * log-probability under a zero target does not turn the loss into NaN). */
#include "layers.h"
#include <math.h>

/* p[k] = softmax(z/T)[k] and logp[k] its log (either may be NULL);
 * returns log(sum_k exp(z_k/T)) */
static double row_softmax(float *p, const float *z, int K, float invT, float *logp) {
    float mx = -INFINITY;
    for (int k = 0; k < K; k++) {
        float v = z[k] * invT;
        if (v > mx) mx = v;
    }
    double s = 0.0;
    for (int k = 0; k < K; k++) s += exp((double)(z[k] * invT - mx));
    const double lse = log(s);
    for (int k = 0; k < K; k++) {
        double lp = (double)(z[k] * invT - mx) - lse;
        if (p) p[k] = (float)exp(lp);
        if (logp) logp[k] = (float)lp;
    }
    return (double)mx + lse;
}

float softmax_ce(float *probs, float *dlogits, const float *logits, const float *target,
                 const float *weight, int B, int K) {
    if (B <= 0) return 0.0f;
    double total = 0.0;
    const float invB = 1.0f / (float)B;
    for (int i = 0; i < B; i++) {
        const float *z = logits + (size_t)i * K;
        const float *t = target + (size_t)i * K;
        /* without probs the softmax goes through the dlogits row */
        float *p = probs ? probs + (size_t)i * K : (dlogits ? dlogits + (size_t)i * K : NULL);
        const double lse = row_softmax(p, z, K, 1.0f, NULL); /* log sum exp z */
        double li = 0.0, tsum = 0.0;
        for (int k = 0; k < K; k++) {
            if (t[k] != 0.0f) li -= (double)t[k] * ((double)z[k] - lse);
            tsum += t[k];
        }
        const float wi = weight ? weight[i] : 1.0f;
        total += (double)wi * li;
        if (dlogits && p) {
            float *d = dlogits + (size_t)i * K;
            const float ts = (float)tsum, c = wi * invB;
            for (int k = 0; k < K; k++) d[k] = c * (p[k] * ts - t[k]);
        }
    }
    return (float)(total / (double)B);
}

void softmax_rows(float *p, float *logp, const float *logits, int B, int K, float T) {
    const float invT = 1.0f / T;
    for (int i = 0; i < B; i++)
        row_softmax(p ? p + (size_t)i * K : NULL, logits + (size_t)i * K, K, invT,
                    logp ? logp + (size_t)i * K : NULL);
}
