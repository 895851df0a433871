/* test_parity_seed.c — the `seed` net against PyTorch.
 *
 * tools/fixtures/make_seed_parity.py built the same network in PyTorch with
 * weights and a batch from an integer hash both sides compute exactly, ran one
 * train-mode forward (BatchNorm with batch statistics) and backward, and wrote
 * the logits, the loss, the BN running statistics and, for every parameter
 * gradient, its L2 norm, abs-sum and 16 sampled entries.
 *
 * The reference is PyTorch in float64.  Tolerances:
 *  - logits, loss, every gradient tensor's L2 norm and abs-sum: 1e-4 relative;
 *  - sampled gradient entries and BN running statistics: error relative to
 *    max(|ref|, 1e-2 * the tensor's RMS) must be within max(1e-4, 5 x the error
 *    of PyTorch's own float32 run on the same net, "torch32err" in the fixture).
 *    Justification: through 19 layers with 1e6-term reductions float32 rounding
 *    alone moves single entries by up to 2.3e-3 relative (PyTorch float32 vs
 *    float64, conv 128->256 weight grad); an element-wise 1e-4 bound would
 *    demand more than float32 arithmetic can give, whoever computes it.  Our
 *    summation order differs from PyTorch's, so our worst sampled entries land
 *    at up to ~4.6x PyTorch's own worst (measured: BN running mean after the
 *    128->256 conv, a mean of ~1e-5 over values of ~1, pure cancellation).
 */
#include "test.h"
#include "net.h"
#include "layers.h"
#include <stdint.h>

static float hashed(uint64_t i, int salt, double scale) {
    uint64_t h = (i * 2654435761ULL + (uint64_t)salt * 40503ULL) % 4294967296ULL;
    return (float)(((double)h / 4294967296.0 - 0.5) * scale);
}

static double rel(double a, double b, double floor) {
    double d = fabs(a - b), m = fabs(b) > floor ? fabs(b) : floor;
    return m > 0 ? d / m : d;
}

int main(void) {
    char err[256];
    Net *net = net_load_spec_file("vision/nets/seed.net", 0, 0, 0, 9, err, sizeof err);
    CHECKF(net != NULL, "%s", err);
    if (!net) TEST_DONE("test_parity_seed");
    FILE *f = fopen("tests/fixtures/seed_parity.txt", "r");
    CHECK(f != NULL);
    if (!f) TEST_DONE("test_parity_seed");

    /* weights: every trainable tensor in order, salt 1, 2, ... */
    NetTensor T[64];
    int nt = net_tensors(net, T, 64), salt = 1;
    for (int t = 0; t < nt; t++) {
        if (T[t].is_stat) continue;
        double scale;
        int is_bn_gamma = T[t].ndim == 1 && strstr(T[t].name, "weight");
        if (T[t].ndim > 1) scale = 2.0 * sqrt(3.0 / (double)(T[t].len / T[t].shape[0]));
        else if (is_bn_gamma) scale = 0.5;
        else scale = 0.2;
        for (size_t i = 0; i < T[t].len; i++) {
            float v = hashed(i, salt, scale);
            T[t].data[i] = is_bn_gamma ? v + 1.0f : v;
        }
        salt++;
    }
    for (int t = 0; t < nt; t++) /* running stats start as PyTorch's: mean 0, var 1 */
        if (T[t].is_stat)
            for (size_t i = 0; i < T[t].len; i++) T[t].data[i] = strstr(T[t].name, "var") ? 1.0f : 0.0f;

    const int B = 4, K = 9;
    float *x = malloc(sizeof(float) * B * 28 * 28);
    for (int i = 0; i < B * 28 * 28; i++) x[i] = hashed((uint64_t)i, 999, 2.0);
    char line[65536];
    int labels[4] = {0};
    double ref_logits[36], ref_loss = 0;
    int have_logits = 0, n_grads_checked = 0, n_bufs = 0;

    /* forward + backward */
    const float *logits = NULL;
    float probs[36], dlogits[36], target[36] = {0};
    float loss = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "batch", 5)) {
            sscanf(line, "batch %*d labels %d %d %d %d", &labels[0], &labels[1], &labels[2], &labels[3]);
            for (int i = 0; i < B; i++) target[i * K + labels[i]] = 1.0f;
            logits = net_forward(net, x, B, 1);
            loss = softmax_ce(probs, dlogits, logits, target, NULL, B, K);
            net_zero_grad(net);
            net_backward(net, dlogits, B);
        } else if (!strncmp(line, "logits", 6)) {
            char *p = line + 6;
            for (int i = 0; i < B * K; i++) ref_logits[i] = strtod(p, &p);
            have_logits = 1;
        } else if (!strncmp(line, "loss", 4)) {
            ref_loss = strtod(line + 4, NULL);
        } else if (!strncmp(line, "grad", 4) || !strncmp(line, "buffer", 6)) {
            int is_grad = line[0] == 'g';
            char name[64];
            char *p = line + (is_grad ? 5 : 7);
            int consumed = 0;
            sscanf(p, "%63s%n", name, &consumed);
            p += consumed;
            /* PyTorch's Sequential has a Flatten our 'gap' folds in; map by order:
             * the k-th parameterised PyTorch tensor is our k-th tensor of the same kind. */
            static int gi = 0, bi = 0;
            int want = is_grad ? gi++ : bi++, seen = -1, ti = -1;
            for (int t = 0; t < nt; t++)
                if (T[t].is_stat == !is_grad && ++seen == want) { ti = t; break; }
            CHECKF(ti >= 0, "no tensor for %s", name);
            if (ti < 0) continue;
            if (is_grad) {
                long n = strtol(p, &p, 10);
                double l2 = strtod(p, &p), l1 = strtod(p, &p);
                char *te = strstr(p, "torch32err");
                double tol = te ? 5 * strtod(te + 10, NULL) : 0;
                if (tol < 1e-4) tol = 1e-4;
                CHECKF((size_t)n == T[ti].len, "%s: %ld vs %zu entries", name, n, T[ti].len);
                const float *g = net->grads + (T[ti].data - net->params);
                double ml2 = 0, ml1 = 0;
                for (size_t i = 0; i < T[ti].len; i++) { ml2 += (double)g[i] * g[i]; ml1 += fabs(g[i]); }
                ml2 = sqrt(ml2);
                double rms = l2 / sqrt((double)n);
                CHECKF(rel(ml2, l2, 0) < 1e-4, "%s (%s) grad L2 %.8g vs torch %.8g", T[ti].name, name, ml2, l2);
                CHECKF(rel(ml1, l1, 0) < 1e-4, "%s (%s) grad abs-sum %.8g vs torch %.8g", T[ti].name, name, ml1, l1);
                p = strstr(p, "idx") + 3;
                long idx[16];
                int ni = 0;
                while (ni < 16) {
                    char *q;
                    long v = strtol(p, &q, 10);
                    if (q == p) break;
                    idx[ni++] = v;
                    p = q;
                }
                p = strstr(p, "val") + 3;
                for (int k = 0; k < ni; k++) {
                    double v = strtod(p, &p);
                    CHECKF(rel(g[idx[k]], v, 1e-2 * rms) < tol, "%s grad[%ld] %.8g vs torch %.8g (tol %.1e)",
                           T[ti].name, idx[k], g[idx[k]], v, tol);
                }
                n_grads_checked++;
            } else {
                char *te = strstr(p, "torch32err");
                double tol = te ? 5 * strtod(te + 10, &p) : 0;
                if (tol < 1e-4) tol = 1e-4;
                double *ref = malloc(sizeof(double) * T[ti].len), rms = 0;
                for (size_t i = 0; i < T[ti].len; i++) { ref[i] = strtod(p, &p); rms += ref[i] * ref[i]; }
                rms = sqrt(rms / (double)T[ti].len);
                for (size_t i = 0; i < T[ti].len; i++)
                    CHECKF(rel(T[ti].data[i], ref[i], 1e-2 * rms) < tol, "%s[%zu] %.8g vs torch %.8g (tol %.1e)",
                           T[ti].name, i, T[ti].data[i], ref[i], tol);
                free(ref);
                n_bufs++;
            }
        }
    }
    fclose(f);
    CHECK(logits != NULL && have_logits);
    if (logits && have_logits)
        for (int i = 0; i < B * K; i++)
            CHECKF(rel(logits[i], ref_logits[i], 1e-3) < 1e-4, "logit %d: %.8g vs torch %.8g", i, logits[i], ref_logits[i]);
    CHECKF(rel(loss, ref_loss, 0) < 1e-4, "loss %.8g vs torch %.8g", loss, ref_loss);
    CHECKF(n_grads_checked == 14, "checked %d gradient tensors, expected 14", n_grads_checked);
    CHECKF(n_bufs == 4, "checked %d running-stat tensors, expected 4", n_bufs);
    free(x);
    net_free(net);
    TEST_DONE("test_parity_seed");
}
