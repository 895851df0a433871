/* parity.c — CPU vs GPU parity of the CUDA backend (needs a CUDA device).
 *
 * For each net (vision/nets/seed.net, vision/nets/small.net, audio/nets/speech.net
 * when present, and two inline specs that between them use every layer type and
 * option: strided/padded conv, bias on and off, bn with its own eps/momentum,
 * leaky relu, overlapping padded max-pool, padded avg-pool (count_include_pad),
 * gap, flatten, dropout, linear with bias):
 *   - two copies from the same spec and net_init seed, one moved to the GPU;
 *   - a fixed random batch (two batch sizes, to exercise descriptor changes):
 *     training-mode forward logits, softmax_ce loss, ALL parameter gradients
 *     (the same dlogits fed to both), bn running statistics after the update,
 *     the feature-layer output, then eval-mode logits;
 *   - masked SGD (momentum + weight decay) and masked Adam, two steps each, from
 *     identical gradients (the CPU's, uploaded): parameters, m, v; frozen entries
 *     must be bit-identical to before;
 *   - SSD dampening, saliency accumulation and restore-frozen against a host loop.
 *
 * Error measure per tensor: max|gpu - cpu| / max|cpu| (the largest error relative
 * to the tensor's scale; element-wise relative error is meaningless near zero).
 * Pass: < 1e-4 for forward/gradients/statistics with UNLEARN_CUDA_STRICT=1 (set
 * here unless the caller set it: FP32 FMA convolutions, no TF32, deterministic
 * algorithms); <= 1e-6 for the optimiser steps (the kernels use the CPU's exact
 * float expressions, so 0 is expected and reported); exactly 0 for SSD,
 * saliency and restore-frozen.
 *
 * Prints one line per check and a closing "parity: N passed, M failed";
 * exit status 1 on any failure, 2 when no CUDA device is usable.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "net.h"
#include "layers.h"
#include "optim.h"
#include "rng.h"
#include "cuda_backend.h"
#include "cuda_ops.h"

static int n_pass, n_fail;
static double TOL = 1e-4;

static double rel_err(const float *gpu, const float *cpu, size_t n) {
    double md = 0, mc = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)gpu[i] - (double)cpu[i]);
        if (!(d <= md)) md = d;               /* NaN propagates */
        double a = fabs((double)cpu[i]);
        if (a > mc) mc = a;
    }
    if (isnan(md)) return NAN;
    return mc > 0 ? md / mc : md;
}

static void verdict(const char *net, int B, const char *what, double err, double tol) {
    int ok = err <= tol;                      /* false for NaN */
    if (ok) n_pass++; else n_fail++;
    printf("[%-6s B=%-3d] %-34s rel %.2e  %s\n", net, B, what, err, ok ? "ok" : "FAIL");
}

static void check_exact(const char *net, const char *what, const float *a, const float *b, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += memcmp(&a[i], &b[i], sizeof(float)) != 0;
    if (!bad) n_pass++; else n_fail++;
    printf("[%-6s      ] %-34s %s (%zu of %zu differ)\n", net, what, bad ? "FAIL" : "bit-identical ok", bad, n);
}

static Net *load(const char *spec, int is_file, char *err, size_t errlen) {
    Net *n;
    for (int k = 0; k < 2; k++) {
        int classes = k == 0 ? 9 : 0;         /* "linear classes" -> 9 slots; fixed-size heads too */
        n = is_file ? net_load_spec_file(spec, 0, 0, 0, classes, err, errlen)
                    : net_parse(spec, "<inline>", 0, 0, 0, classes, err, errlen);
        if (n) return n;
    }
    return NULL;
}

static void fill_normal(float *x, size_t n, Rng *r, float scale) {
    for (size_t i = 0; i < n; i++) x[i] = scale * rng_normal(r);
}

/* forward/backward parity at batch B */
static void pass_batch(const char *name, Net *cpu, Net *gpu, int B, uint64_t seed) {
    const int K = cpu->n_classes;
    const size_t in_sz = (size_t)cpu->in_c * cpu->in_h * cpu->in_w;
    Rng r;
    rng_seed(&r, seed);
    float *x = malloc(sizeof(float) * in_sz * B);
    float *t = calloc((size_t)B * K, sizeof(float));
    float *probs = malloc(sizeof(float) * B * K), *dl = malloc(sizeof(float) * B * K);
    float *dl2 = malloc(sizeof(float) * B * K);
    float *lc = malloc(sizeof(float) * B * K);
    fill_normal(x, in_sz * B, &r, 1.0f);
    for (int i = 0; i < B; i++) t[(size_t)i * K + rng_int(&r, K)] = 1.0f;

    /* training-mode forward */
    memcpy(lc, net_forward(cpu, x, B, 1), sizeof(float) * B * K);
    const float *lg = net_forward(gpu, x, B, 1);
    verdict(name, B, "logits (train)", rel_err(lg, lc, (size_t)B * K), TOL);
    float loss_c = softmax_ce(probs, dl, lc, t, NULL, B, K);
    float loss_g = softmax_ce(probs, dl2, lg, t, NULL, B, K);
    verdict(name, B, "softmax_ce loss", fabs((double)loss_g - loss_c) / fmax(fabs((double)loss_c), 1e-30), TOL);

    /* feature layer (training forward) */
    int fl = net_feature_layer(cpu);
    if (fl >= 0) {
        size_t fn = (size_t)B * net_layer_size(cpu, fl);
        float *fc = malloc(sizeof(float) * fn);
        memcpy(fc, net_layer_output(cpu, fl), sizeof(float) * fn);
        const float *fg = net_layer_output(gpu, fl);   /* through net.c, as callers do */
        char what[64];
        snprintf(what, sizeof what, "layer %d output (features)", fl);
        verdict(name, B, what, fg ? rel_err(fg, fc, fn) : NAN, TOL);
        free(fc);
    }

    /* backward from the same dlogits */
    net_zero_grad(cpu);
    net_zero_grad(gpu);
    net_backward(cpu, dl, B);
    net_backward(gpu, dl, B);
    net_sync_to_host(gpu);
    for (int i = 0; i < cpu->n_layers; i++) {
        const Layer *L = &cpu->layers[i];
        char what[64];
        if (L->w_len) {
            snprintf(what, sizeof what, "grad layers.%d.weight (%zu)", i, L->w_len);
            verdict(name, B, what, rel_err(gpu->grads + L->w_off, cpu->grads + L->w_off, L->w_len), TOL);
        }
        if (L->b_len) {
            snprintf(what, sizeof what, "grad layers.%d.bias (%zu)", i, L->b_len);
            verdict(name, B, what, rel_err(gpu->grads + L->b_off, cpu->grads + L->b_off, L->b_len), TOL);
        }
        if (L->type == LAYER_BATCHNORM2D) {
            snprintf(what, sizeof what, "layers.%d.running_mean", i);
            verdict(name, B, what, rel_err(gpu->stats + L->stat_off, cpu->stats + L->stat_off, L->out_c), TOL);
            snprintf(what, sizeof what, "layers.%d.running_var", i);
            verdict(name, B, what,
                    rel_err(gpu->stats + L->stat_off + L->out_c, cpu->stats + L->stat_off + L->out_c, L->out_c),
                    TOL);
        }
    }

    /* the same backward with a second loss's gradient added at the feature layer (net_backward_extra:
     * ours' feature pull), from the same forward */
    if (fl > 0) {
        int pl = fl;
        while (pl > 0 && cpu->layers[pl].type == LAYER_DROPOUT) pl--;
        size_t pn = (size_t)B * net_layer_size(cpu, pl);
        float *ex = malloc(sizeof(float) * pn);
        fill_normal(ex, pn, &r, 0.1f);
        net_zero_grad(cpu);
        net_zero_grad(gpu);
        net_backward_extra(cpu, dl, B, pl, ex);
        net_backward_extra(gpu, dl, B, pl, ex);
        net_sync_to_host(gpu);
        verdict(name, B, "grads with backward_extra", rel_err(gpu->grads, cpu->grads, cpu->n_params), TOL);
        free(ex);
    }

    /* eval-mode forward with the updated running statistics */
    memcpy(lc, net_forward(cpu, x, B, 0), sizeof(float) * B * K);
    lg = net_forward(gpu, x, B, 0);
    verdict(name, B, "logits (eval)", rel_err(lg, lc, (size_t)B * K), TOL);

    free(x); free(t); free(probs); free(dl); free(dl2); free(lc);
}

/* masked optimiser steps from identical gradients (the CPU's, uploaded) */
static void pass_optim(const char *name, Net *cpu, Net *gpu, OptKind kind) {
    const size_t n = cpu->n_params;
    const char *kn = kind == OPT_SGD ? "sgd" : "adam";
    char what[64];
    Rng r;
    rng_seed(&r, 4242 + kind);
    uint8_t *mask = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) mask[i] = rng_uniform(&r) < 0.5f;
    /* start both from the CPU's parameters and gradients */
    memcpy(gpu->params, cpu->params, n * sizeof(float));
    memcpy(gpu->stats, cpu->stats, cpu->n_stats * sizeof(float));
    net_sync_to_device(gpu);
    memcpy(gpu->grads, cpu->grads, n * sizeof(float));
    cuda_net_upload_grads(gpu);
    float *p0 = malloc(n * sizeof(float));
    memcpy(p0, cpu->params, n * sizeof(float));

    Optim oc, og;
    float lr = kind == OPT_SGD ? 0.05f : 1e-3f;
    optim_init(&oc, kind, n, lr, 0.9f, 5e-4f);
    optim_init(&og, kind, n, lr, 0.9f, 5e-4f);
    for (int s = 0; s < 2; s++) {
        optim_step_net(&oc, cpu, mask);
        optim_step_net(&og, gpu, mask);
    }
    net_sync_to_host(gpu);
    cuda_optim_sync_to_host(gpu, &og);
    snprintf(what, sizeof what, "%s x2 masked: params", kn);
    verdict(name, 0, what, rel_err(gpu->params, cpu->params, n), 1e-6);
    snprintf(what, sizeof what, "%s x2 masked: m", kn);
    verdict(name, 0, what, rel_err(og.m, oc.m, n), 1e-6);
    if (kind == OPT_ADAM) {
        snprintf(what, sizeof what, "%s x2 masked: v", kn);
        verdict(name, 0, what, rel_err(og.v, oc.v, n), 1e-6);
        snprintf(what, sizeof what, "%s step count t", kn);
        verdict(name, 0, what, og.t == oc.t ? 0.0 : 1.0, 0.0);
    }
    snprintf(what, sizeof what, "%s params (bitwise)", kn);
    check_exact(name, what, gpu->params, cpu->params, n);
    /* frozen entries: value and state untouched */
    size_t moved = 0;
    for (size_t i = 0; i < n; i++)
        if (!mask[i]) moved += memcmp(&gpu->params[i], &p0[i], sizeof(float)) != 0 || og.m[i] != 0.0f ||
                               (kind == OPT_ADAM && og.v[i] != 0.0f);
    snprintf(what, sizeof what, "%s frozen entries untouched", kn);
    if (!moved) n_pass++; else n_fail++;
    printf("[%-6s      ] %-34s %s (%zu moved)\n", name, what, moved ? "FAIL" : "ok", moved);

    /* restore-frozen: perturb everything, restore the masked ones, zero their state */
    if (kind == OPT_SGD) {
        float *ref = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++) gpu->params[i] += 0.25f;
        net_sync_to_device(gpu);
        for (size_t i = 0; i < n; i++) ref[i] = mask[i] ? gpu->params[i] : p0[i];
        int rc = cuda_restore_frozen_host(gpu, p0, mask, &og);
        net_sync_to_host(gpu);
        if (rc) { n_fail++; printf("[%-6s      ] restore-frozen returned %d  FAIL\n", name, rc); }
        check_exact(name, "restore-frozen", gpu->params, ref, n);
        free(ref);
    }
    optim_free(&oc);
    optim_free(&og);
    free(mask);
    free(p0);
}

static void pass_ssd(const char *name, Net *gpu) {
    const size_t n = gpu->n_params;
    Rng r;
    rng_seed(&r, 777);
    float *ID = malloc(n * sizeof(float)), *If = malloc(n * sizeof(float));
    float *ref = calloc(n, sizeof(float)), *acc = malloc(n * sizeof(float)), *acc2 = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        ID[i] = 1e-3f * rng_uniform(&r);
        If[i] = ID[i] * 20.0f * rng_uniform(&r);          /* about half exceed alpha = 10 */
        if (i % 97 == 0) ID[i] = 0.0f;                      /* I_D = 0: scaled to zero when I_f > 0 */
    }
    net_sync_to_host(gpu);
    const float alpha = 10.0f, lambda = 1.0f;
    long want = 0;
    memcpy(ref, gpu->params, n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        if (If[i] > alpha * ID[i]) {
            float s = lambda * ID[i] / If[i];
            if (s < 1.0f) { ref[i] *= s; want++; }
        }
    long got = cuda_ssd_dampen_host(gpu, ID, If, alpha, lambda);
    net_sync_to_host(gpu);
    check_exact(name, "ssd dampening (alpha 10, lambda 1)", gpu->params, ref, n);
    if (got == want) n_pass++; else n_fail++;
    printf("[%-6s      ] %-34s %ld vs %ld  %s\n", name, "ssd dampened count", got, want, got == want ? "ok" : "FAIL");

    /* saliency accumulation over the device gradients */
    for (int sq = 0; sq < 2; sq++) {
        for (size_t i = 0; i < n; i++) acc[i] = acc2[i] = rng_uniform(&r);
        for (size_t i = 0; i < n; i++) {
            float g = gpu->grads[i];
            acc[i] = acc[i] + 0.5f * (sq ? g * g : fabsf(g));
        }
        int rc = cuda_saliency_accumulate_host(gpu, acc2, sq, 0.5f);
        if (rc) { n_fail++; printf("saliency returned %d  FAIL\n", rc); }
        check_exact(name, sq ? "saliency += 0.5*g^2" : "saliency += 0.5*|g|", acc2, acc, n);
    }
    free(ID); free(If); free(ref); free(acc); free(acc2);
}

static void parity_net(const char *name, const char *spec, int is_file) {
    char err[512];
    if (is_file && access(spec, R_OK) != 0) {
        printf("[%-6s      ] %s not found: skipped\n", name, spec);
        return;
    }
    Net *cpu = load(spec, is_file, err, sizeof err), *gpu = load(spec, is_file, err, sizeof err);
    if (!cpu || !gpu) {
        n_fail++;
        printf("[%-6s      ] cannot load %s: %s  FAIL\n", name, is_file ? spec : "inline spec", err);
        net_free(cpu); net_free(gpu);
        return;
    }
    net_init(cpu, 1234);
    net_init(gpu, 1234);
    if (net_set_device(gpu, "cuda", err, sizeof err) != 0) {
        n_fail++;
        printf("[%-6s      ] %s  FAIL\n", name, err);
        net_free(cpu); net_free(gpu);
        return;
    }
    printf("[%-6s      ] %zu params, %d layers, input %dx%dx%d, %d outputs, %.1f MFLOP/sample\n", name,
           cpu->n_params, cpu->n_layers, cpu->in_c, cpu->in_h, cpu->in_w, cpu->n_classes,
           net_forward_flops(cpu) / 1e6);
    pass_batch(name, cpu, gpu, 32, 99);
    pass_batch(name, cpu, gpu, 5, 100);     /* a smaller batch: new descriptors, same buffers */
    char desc[4096];
    if (cuda_net_describe(gpu, desc, sizeof desc) == 0 && desc[0]) {
        printf("[%-6s      ] cuDNN choices at the last batch size:\n", name);
        fputs(desc, stdout);
    }
    /* gradients from a B=32 pass for the optimiser / saliency checks */
    pass_batch(name, cpu, gpu, 32, 101);
    pass_optim(name, cpu, gpu, OPT_SGD);
    pass_optim(name, cpu, gpu, OPT_ADAM);
    pass_ssd(name, gpu);
    net_free(cpu);
    net_free(gpu);
}

static const char *MIX1 =
    "input 3 20 18\n"
    "conv 8 k=3 stride=2 pad=1\n"
    "batchnorm eps=1e-3 momentum=0.3\n"
    "leaky slope=0.1\n"
    "maxpool k=3 stride=2 pad=1\n"
    "conv 12 k=1 bias=1\n"
    "relu\n"
    "avgpool k=3 stride=1 pad=1\n"
    "flatten\n"
    "dropout p=0.3\n"
    "linear 24\n"
    "relu\n"
    "linear classes\n";

static const char *MIX2 =
    "input 2 16 15\n"
    "conv 6 k=5 pad=2 bias=0\n"
    "batchnorm\n"
    "relu\n"
    "avgpool k=2\n"
    "conv 10 k=3 stride=1 pad=0\n"
    "leaky\n"
    "gap\n"
    "linear classes\n";

int main(int argc, char **argv) {
    char err[256];
    setenv("UNLEARN_CUDA_STRICT", "1", 0);    /* the caller may override (e.g. =0 to see TF32 error) */
    if (argc > 1) TOL = atof(argv[1]);
    if (cuda_available(err, sizeof err) != 0) {
        printf("parity: %s\n", err);
        return 2;
    }
    char name[256] = "";
    int sms = 0, clk = 0, ma = 0, mi = 0;
    cuda_device_props(name, sizeof name, &sms, &clk, &ma, &mi);
    printf("parity: %s (sm_%d%d, %d SMs), UNLEARN_CUDA_STRICT=%s, tolerance %.0e (max|gpu-cpu|/max|cpu|)\n",
           name, ma, mi, sms, getenv("UNLEARN_CUDA_STRICT"), TOL);
    char vers[256];
    if (cuda_library_versions(vers, sizeof vers) == 0) printf("parity: %s\n", vers);
    parity_net("seed", "vision/nets/seed.net", 1);
    parity_net("small", "vision/nets/small.net", 1);
    parity_net("speech", "audio/nets/speech.net", 1);
    parity_net("mix1", MIX1, 0);
    parity_net("mix2", MIX2, 0);
    printf("parity: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
