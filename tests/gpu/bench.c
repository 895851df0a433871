/* bench.c — training throughput of the seed net on the GPU (needs a CUDA device).
 *
 * One training step = forward (training mode) + softmax_ce on the host logits +
 * zero_grad + backward + masked-free SGD step (momentum 0.9, wd 5e-4), exactly
 * what train.c does per batch; synthetic data (throughput does not depend on the
 * values).  Batch 64 and 512, with the default math (TF32 tensor cores allowed
 * for convolutions) and with UNLEARN_CUDA_STRICT=1 (FP32 FMA only), plus an
 * eval-mode forward-only figure and a short CPU run for scale.
 *
 * FLOPs per trained image = 3 x the forward FLOPs (forward, backward-data,
 * backward-filter; multiply-add = 2), from net_forward_flops().
 * FP32 peak = SMs x FP32 lanes per SM x 2 x peak SM clock, with 128 FP32 lanes
 * per SM for compute capability 8.6/8.9/9.x/10+ (Hopper: 128) and 64 for 7.x and
 * 8.0 (A100).  The clock is cudaDevAttrClockRate (the boost clock).  This is the
 * non-tensor-core FP32 peak: with TF32 the fraction can exceed what FMA allows.
 *
 * Usage: bench [seconds per measurement, default 2]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>
#include "net.h"
#include "layers.h"
#include "optim.h"
#include "rng.h"
#include "cuda_backend.h"
#include "cuda_ops.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    float *x, *t, *probs, *dl;
} Batch;

static void make_batch(Batch *b, const Net *net, int B, uint64_t seed) {
    const size_t in_sz = (size_t)net->in_c * net->in_h * net->in_w;
    const int K = net->n_classes;
    Rng r;
    rng_seed(&r, seed);
    b->x = malloc(sizeof(float) * in_sz * B);
    b->t = calloc((size_t)B * K, sizeof(float));
    b->probs = malloc(sizeof(float) * B * K);
    b->dl = malloc(sizeof(float) * B * K);
    for (size_t i = 0; i < in_sz * B; i++) b->x[i] = rng_normal(&r);
    for (int i = 0; i < B; i++) b->t[(size_t)i * K + rng_int(&r, K)] = 1.0f;
}

static void free_batch(Batch *b) { free(b->x); free(b->t); free(b->probs); free(b->dl); }

static void train_step(Net *net, Optim *o, Batch *b, int B) {
    const float *logits = net_forward(net, b->x, B, 1);
    softmax_ce(b->probs, b->dl, logits, b->t, NULL, B, net->n_classes);
    net_zero_grad(net);
    net_backward(net, b->dl, B);
    optim_step_net(o, net, NULL);
}

/* images/s of training steps at batch B over about `secs` seconds */
static double measure_train(Net *net, int B, double secs, int warm, long *steps_out) {
    Batch b;
    make_batch(&b, net, B, 5);
    Optim o;
    optim_init(&o, OPT_SGD, net->n_params, 0.01f, 0.9f, 5e-4f);
    for (int i = 0; i < warm; i++) train_step(net, &o, &b, B);     /* algorithm search, allocation */
    if (net->device == DEVICE_CUDA) cuda_net_wait(net);
    long steps = 0;
    double t0 = now(), t1;
    do {
        train_step(net, &o, &b, B);
        steps++;
        if (net->device == DEVICE_CUDA && (steps % 8) == 0) cuda_net_wait(net);
        t1 = now();
    } while (t1 - t0 < secs);
    if (net->device == DEVICE_CUDA) cuda_net_wait(net);
    t1 = now();
    optim_free(&o);
    free_batch(&b);
    if (steps_out) *steps_out = steps;
    return (double)steps * B / (t1 - t0);
}

static double measure_eval(Net *net, int B, double secs) {
    Batch b;
    make_batch(&b, net, B, 6);
    for (int i = 0; i < 3; i++) net_forward(net, b.x, B, 0);
    long steps = 0;
    double t0 = now(), t1;
    do { net_forward(net, b.x, B, 0); steps++; t1 = now(); } while (t1 - t0 < secs);
    free_batch(&b);
    return (double)steps * B / (t1 - t0);
}

int main(int argc, char **argv) {
    double secs = argc > 1 ? atof(argv[1]) : 2.0;
    if (secs <= 0) secs = 2.0;
    char err[512], name[256] = "";
    if (cuda_available(err, sizeof err) != 0) {
        printf("bench: %s\n", err);
        return 2;
    }
    int sms = 0, clk = 0, ma = 0, mi = 0;
    cuda_device_props(name, sizeof name, &sms, &clk, &ma, &mi);
    int lanes = (ma == 7 || (ma == 8 && mi == 0)) ? 64 : 128;
    double peak = (double)sms * lanes * 2.0 * clk * 1e3;
    printf("bench: %s, sm_%d%d, %d SMs, %.0f MHz peak clock; FP32 peak = %d SMs x %d lanes x 2 x %.0f MHz = "
           "%.1f TFLOP/s (non-tensor)\n", name, ma, mi, sms, clk / 1e3, sms, lanes, clk / 1e3, peak / 1e12);

    const char *spec = "vision/nets/seed.net";
    Net *net = net_load_spec_file(spec, 0, 0, 0, 9, err, sizeof err);
    if (!net) { printf("bench: %s\n", err); return 1; }
    net_init(net, 1);
    const double flops = 3.0 * net_forward_flops(net);
    printf("bench: seed net (%s), %zu params, %.1f MFLOP forward/image, %.1f MFLOP per trained image\n", spec,
           net->n_params, net_forward_flops(net) / 1e6, flops / 1e6);

    const int batches[2] = {64, 512};
    for (int mode = 0; mode < 2; mode++) {
        /* the strictness is read when the net is attached */
        setenv("UNLEARN_CUDA_STRICT", mode ? "1" : "0", 1);
        if (net_set_device(net, "cuda", err, sizeof err) != 0) { printf("bench: %s\n", err); return 1; }
        const char *mname = mode ? "strict (FP32 FMA, deterministic)" : "default (TF32 allowed)";
        for (int bi = 0; bi < 2; bi++) {
            int B = batches[bi];
            long steps = 0;
            double ips = measure_train(net, B, secs, 5, &steps);
            double fl = ips * flops;
            printf("bench: train seed B=%-4d %-34s %9.0f images/s  %6.2f TFLOP/s  %5.1f%% of FP32 peak  (%ld steps)\n",
                   B, mname, ips, fl / 1e12, peak > 0 ? 100.0 * fl / peak : 0.0, steps);
        }
        double eps = measure_eval(net, 512, secs / 2);
        printf("bench: eval  seed B=512  %-34s %9.0f images/s  %6.2f TFLOP/s  %5.1f%% of FP32 peak\n", mname, eps,
               eps * flops / 3 / 1e12, peak > 0 ? 100.0 * eps * flops / 3 / peak : 0.0);
        char desc[4096];
        if (mode == 0 && cuda_net_describe(net, desc, sizeof desc) == 0) {
            printf("bench: cuDNN choices (default math, last batch size):\n");
            fputs(desc, stdout);
        }
        net_set_device(net, "cpu", err, sizeof err);
    }

    /* the CPU backend for scale: a few steps only */
    {
        long steps = 0;
        double ips = measure_train(net, 64, secs / 2, 1, &steps);
        printf("bench: train seed B=64   cpu (%d OpenMP threads)            %9.0f images/s  %6.3f TFLOP/s  "
               "(%ld steps)\n", omp_get_max_threads(), ips, ips * flops / 1e12, steps);
    }
    net_free(net);
    printf("bench: done\n");
    return 0;
}
