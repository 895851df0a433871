/* train_bench.c — training throughput of our engine: images/s for one net at one
 * batch size (forward + backward + Adam step on a fixed random batch), with the
 * achieved GFLOP/s and its fraction of the cores' fp32 FMA peak.
 *   usage: train_bench SPEC.net [batch=64] [seconds=10] [classes=9]
 * Prints one machine-readable line:
 *   train ours net=<name> batch=64 threads=2 img_per_s=... gflops=... peak_frac=... */
#include "net.h"
#include "layers.h"
#include "optim.h"
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

/* fp32 FMA peak: cores x MHz x 32 flop/cycle (two 256-bit FMA pipes; Zen 4 runs
 * AVX-512 as 2x256, so 32 holds there too). */
static double peak_gflops(int threads) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    double mhz = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "cpu MHz", 7)) { sscanf(strchr(line, ':') + 1, "%lf", &mhz); break; }
    if (f) fclose(f);
    return threads * mhz * 1e6 * 32 / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: %s SPEC.net [batch=64] [seconds=10] [classes=9]\n", argv[0]);
        return argc < 2 ? 2 : 0;
    }
    int B = argc > 2 ? atoi(argv[2]) : 64;
    double secs = argc > 3 ? atof(argv[3]) : 10;
    int K = argc > 4 ? atoi(argv[4]) : 9;
    char err[256];
    Net *net = net_load_spec_file(argv[1], 0, 0, 0, K, err, sizeof err);
    if (!net) { fprintf(stderr, "%s\n", err); return 1; }
    net_init(net, 1);
    size_t in = (size_t)net->in_c * net->in_h * net->in_w;
    float *x = malloc(sizeof(float) * B * in), *t = calloc((size_t)B * K, sizeof(float));
    float *p = malloc(sizeof(float) * B * K), *d = malloc(sizeof(float) * B * K);
    Rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < B * in; i++) x[i] = rng_normal(&r);
    for (int i = 0; i < B; i++) t[i * K + i % K] = 1;
    Optim o;
    optim_init(&o, OPT_ADAM, net->n_params, 1e-4f, 0.9f, 0);
    long steps = 0;
    double t0 = 0;
    for (int warm = 3;; warm--) {
        if (warm == 0) t0 = now_s();
        const float *logits = net_forward(net, x, B, 1);
        softmax_ce(p, d, logits, t, NULL, B, K);
        net_zero_grad(net);
        net_backward(net, d, B);
        optim_step_net(&o, net, NULL);
        if (warm <= 0) {
            steps++;
            if (now_s() - t0 > secs) break;
        }
    }
    double el = now_s() - t0, ips = steps * B / el;
    double gflops = ips * 3 * net_forward_flops(net) / 1e9; /* backward ~ 2x forward */
    int th = omp_get_max_threads();
    const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
    printf("train ours net=%.*s batch=%d threads=%d img_per_s=%.1f gflops=%.1f peak_frac=%.3f mflop_fwd=%.1f\n",
           (int)(strlen(name) - (strstr(name, ".net") ? 4 : 0)), name, B, th, ips, gflops,
           gflops / peak_gflops(th), net_forward_flops(net) / 1e6);
    optim_free(&o);
    free(x); free(t); free(p); free(d);
    net_free(net);
    return 0;
}
