/* train_bench.c — throughput of our engine for one net at one batch size, in one of two modes:
 *   train: forward + backward + Adam step on a fixed random batch (FLOPs counted: 3x forward)
 *   infer: net_forward(net, x, B, 0) only, inference mode (FLOPs counted: forward)
 * with the achieved GFLOP/s and its share of the cores' fp32 FMA peak (bench/peak.h: the core
 * is detected, and named on the "peak:" line).
 *   usage: train_bench SPEC.net [train|infer] [batch=64] [seconds=10] [classes=9]
 *          train_bench --peak          (the "peak:" line only)
 * The mode word is optional (default train), so the older "SPEC.net batch seconds classes" still works.
 * Prints the "peak:" line, then one machine-readable line:
 *   <mode> ours net=<name> mode=<mode> batch=64 threads=2 img_per_s=... gflops=... peak_gflops=...
 *          peak_frac=... mflop_fwd=... params=... */
#include "net.h"
#include "layers.h"
#include "optim.h"
#include "peak.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int usage(const char *prog, int rc) {
    fprintf(rc ? stderr : stdout,
            "usage: %s SPEC.net [train|infer] [batch=64] [seconds=10] [classes=9]\n"
            "       %s --peak\n", prog, prog);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage(argv[0], 2);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return usage(argv[0], 0);
    CpuPeak pk;
    char peak_line[256];
    int th = omp_get_max_threads();
    cpu_peak_detect(&pk);
    cpu_peak_measure(&pk, th);
    cpu_peak_line(&pk, th, peak_line, sizeof peak_line);
    if (!strcmp(argv[1], "--peak")) { printf("%s\n", peak_line); return 0; }

    int a = 2, infer = 0;
    if (argc > a && (!strcmp(argv[a], "train") || !strcmp(argv[a], "infer"))) infer = !strcmp(argv[a++], "infer");
    int B = argc > a ? atoi(argv[a]) : 64;
    double secs = argc > a + 1 ? atof(argv[a + 1]) : 10;
    int K = argc > a + 2 ? atoi(argv[a + 2]) : 9;
    if (B < 1 || K < 1 || !(secs > 0)) return usage(argv[0], 2);
    char err[256];
    Net *net = net_load_spec_file(argv[1], 0, 0, 0, K, err, sizeof err);
    if (!net) { fprintf(stderr, "%s\n", err); return 1; }
    net_init(net, 1);
    size_t in = (size_t)net->in_c * net->in_h * net->in_w;
    float *x = malloc(sizeof(float) * B * in), *t = calloc((size_t)B * K, sizeof(float));
    float *p = malloc(sizeof(float) * B * K), *d = malloc(sizeof(float) * B * K);
    if (!x || !t || !p || !d) { fprintf(stderr, "train_bench: out of memory\n"); return 1; }
    Rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < B * in; i++) x[i] = rng_normal(&r);
    for (int i = 0; i < B; i++) t[i * K + i % K] = 1;
    Optim o;
    optim_init(&o, OPT_ADAM, net->n_params, 1e-4f, 0.9f, 0);
    long steps = 0;
    double t0 = 0, sink = 0;
    for (int warm = 3;; warm--) {
        if (warm == 0) t0 = now_s();
        if (infer) {
            const float *logits = net_forward(net, x, B, 0);
            sink += logits[0];
        } else {
            const float *logits = net_forward(net, x, B, 1);
            softmax_ce(p, d, logits, t, NULL, B, K);
            net_zero_grad(net);
            net_backward(net, d, B);
            optim_step_net(&o, net, NULL);
        }
        if (warm <= 0) {
            steps++;
            if (now_s() - t0 > secs) break;
        }
    }
    double el = now_s() - t0, ips = steps * B / el;
    double fwd = net_forward_flops(net);
    double gflops = ips * (infer ? 1 : 3) * fwd / 1e9;   /* backward ~ 2x forward */
    double peak = cpu_peak_gflops(&pk, th);
    const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
    const char *mode = infer ? "infer" : "train";
    printf("%s\n", peak_line);
    printf("%s ours net=%.*s mode=%s batch=%d threads=%d img_per_s=%.1f gflops=%.1f peak_gflops=%.1f peak_frac=%.3f "
           "mflop_fwd=%.2f params=%zu\n",
           mode, (int)(strlen(name) - (strstr(name, ".net") ? 4 : 0)), name, mode, B, th, ips, gflops, peak,
           peak > 0 ? gflops / peak : 0, fwd / 1e6, net->n_params);
    if (sink != sink) fprintf(stderr, "train_bench: NaN logits\n");
    optim_free(&o);
    free(x); free(t); free(p); free(d);
    net_free(net);
    return 0;
}
