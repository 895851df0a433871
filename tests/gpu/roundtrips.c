/* roundtrips.c — whole-buffer host<->device transfers per step of each method's loop on the GPU (needs a GPU).
 *
 * net_transfer_count() (net.h) counts every copy of a parameter-sized buffer between host
 * and device (params, grads, bn stats, optimiser m/v, a mask, a device vector).  A loop
 * whose per-step work stays on the device leaves it unchanged from one step to the next;
 * setting up (attaching the net, a teacher, the original weights, a mask, the optimiser
 * state) and tearing down may transfer.  So each case runs twice on a fresh GPU copy of
 * the same net — a short run and a longer one — and
 *     per step = (transfers of the long run - transfers of the short run) / (extra steps)
 * which cancels the set-up exactly (both runs set up the same way).  Cases:
 *   - mix_train with a mask and restore-frozen (SalUn, head-only, the baselines), SGD and
 *     Adam, and without a mask (fine-tune, NegGrad+, random labels);
 *   - the importance passes per batch (saliency_grad_abs, saliency_fisher) and SSD's
 *     dampening per importance batch (ssd_dampen, importance_samples varied);
 *   - every registered method end to end (steps varied; per step over st.steps), which
 *     covers the SCRUB and ours teacher forwards;
 *   - method_teacher puts the teacher on the student's device.
 * Prints one line per case and "roundtrips: N passed, M failed"; exit status 1 when any
 * per-step count is above 0 (or a case fails to run), 2 when no CUDA device is usable.
 * `roundtrips --cpu` runs the same cases on CPU nets (every count is 0 there): a check that
 * the harness itself runs, for machines without a GPU.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net.h"
#include "rng.h"
#include "unlearn.h"
#include "saliency.h"
#include "methods/method_common.h"

static int n_pass, n_fail;

static const char *SPEC =
    "input 1 8 8\n"
    "conv 8 k=3 pad=1 bias=0\n"
    "batchnorm\n"
    "relu\n"
    "conv 8 k=3 pad=1\n"
    "relu\n"
    "gap\n"
    "linear classes\n";

/* five classes of noisy 8x8 stripes */
static Dataset *blobs(int per, uint64_t seed) {
    Dataset *d = ds_new(5 * per, 1, 8, 8);
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < d->n; i++) {
        const int c = i % 5;
        d->y[i] = c;
        for (int p = 0; p < 64; p++) {
            const int y = p / 8, x = p % 8;
            const float v = c == 0 ? (y & 1) : c == 1 ? (x & 1) : c == 2 ? ((x + y) & 1) : c == 3 ? 1 : 0;
            d->x[(size_t)i * 64 + p] = 2.0f * v - 1.0f + 0.3f * rng_normal(&r);
        }
    }
    return d;
}

static const char *device = "cuda";   /* "cpu" (argument --cpu): a dry run of the harness, every count 0 */

static Net *on_gpu(const Net *net0) {
    char err[256];
    Net *n = net_clone(net0);
    if (net_set_device(n, device, err, sizeof err)) {
        fprintf(stderr, "roundtrips: %s\n", err);
        exit(2);
    }
    return n;
}

static void verdict(const char *what, long short_run, long extra_steps, long extra_transfers) {
    const double per = extra_steps > 0 ? (double)extra_transfers / (double)extra_steps : -1;
    const int ok = extra_steps > 0 && extra_transfers == 0;
    if (ok) n_pass++; else n_fail++;
    printf("%-44s short run %4ld  per step %6.2f  (%ld over %ld extra steps)  %s\n", what, short_run, per,
           extra_transfers, extra_steps, ok ? "ok" : "FAIL");
}

/* ---- mix_train ---- */

static long run_mix(const Net *net0, const UnlearnTask *t, long steps, OptKind opt, int masked) {
    char err[256];
    Net *net = on_gpu(net0);
    const size_t n = net->n_params;
    uint8_t *mask = malloc(n);
    float *orig = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) mask[i] = (i * 2654435761u >> 7) & 1;
    memcpy(orig, net0->params, n * sizeof(float));
    Mixer mx;
    mixer_init(&mx, net->n_classes, 5);
    mixer_standard(&mx, t, 16, TGT_RANDOM_OTHER, 1.0f);
    const long c0 = net_transfer_count();
    long used = -1;
    if (mixer_ready(&mx, net, err, sizeof err) == 0) {
        LoopCfg lc = {.steps = steps, .lr = 0.01f, .opt = opt, .mask = masked ? mask : NULL,
                      .restore = masked ? orig : NULL, .label = "roundtrips"};
        UnlearnStats st;
        memset(&st, 0, sizeof st);
        if (mix_train(net, &mx, &lc, &st, err, sizeof err) == 0) used = net_transfer_count() - c0;
        else fprintf(stderr, "mix_train: %s\n", err);
    }
    mixer_free(&mx);
    free(mask); free(orig);
    net_free(net);
    return used;
}

static void case_mix(const char *what, const Net *net0, const UnlearnTask *t, OptKind opt, int masked) {
    const long a = run_mix(net0, t, 1, opt, masked), b = run_mix(net0, t, 11, opt, masked);
    if (a < 0 || b < 0) { n_fail++; printf("%-44s did not run  FAIL\n", what); return; }
    verdict(what, a, 10, b - a);
}

/* ---- importance passes ---- */

static long run_pass(const Net *net0, const Dataset *d, const ClassMap *cm, int fisher) {
    char err[256];
    Net *net = on_gpu(net0);
    float *score = malloc(net->n_params * sizeof(float));
    const long c0 = net_transfer_count();
    int rc = fisher ? saliency_fisher(net, d, cm, 16, score, NULL, err, sizeof err)
                    : saliency_grad_abs(net, d, cm, 16, score, NULL, err, sizeof err);
    const long used = rc == 0 ? net_transfer_count() - c0 : -1;
    if (rc) fprintf(stderr, "importance: %s\n", err);
    free(score);
    net_free(net);
    return used;
}

static void case_pass(const char *what, const Net *net0, const UnlearnTask *t, int fisher) {
    int idx[160];
    for (int i = 0; i < 160; i++) idx[i] = i;
    Dataset *d1 = ds_subset(t->retain, idx, 16), *d10 = ds_subset(t->retain, idx, 160);
    const long a = run_pass(net0, d1, &t->before, fisher), b = run_pass(net0, d10, &t->before, fisher);
    ds_free(d1); ds_free(d10);
    if (a < 0 || b < 0) { n_fail++; printf("%-44s did not run  FAIL\n", what); return; }
    verdict(what, a, 9, b - a);
}

static long run_ssd(const Net *net0, const UnlearnTask *t, int samples) {
    char err[256];
    Net *net = on_gpu(net0);
    UnlearnConfig c;
    unlearn_config_default(&c);
    c.batch = 16; c.importance_samples = samples; c.seed = 5;
    long damp = 0;
    const long c0 = net_transfer_count();
    const int rc = ssd_dampen(net, t, &c, NULL, &damp, err, sizeof err);
    const long used = rc == 0 ? net_transfer_count() - c0 : -1;
    if (rc) fprintf(stderr, "ssd_dampen: %s\n", err);
    net_free(net);
    return used;
}

static void case_ssd(const Net *net0, const UnlearnTask *t) {
    /* two passes (retain+forget, forget), each 1 batch or 4 batches of 16 */
    const long a = run_ssd(net0, t, 16), b = run_ssd(net0, t, 64);
    if (a < 0 || b < 0) { n_fail++; printf("%-44s did not run  FAIL\n", "ssd_dampen (per importance batch)"); return; }
    verdict("ssd_dampen (per importance batch)", a, 6, b - a);
}

/* ---- every method end to end ---- */

static long run_method(const UnlearnMethod *m, const Net *net0, const UnlearnTask *t, long steps, long *done) {
    char err[256];
    Net *net = on_gpu(net0);
    UnlearnConfig c;
    unlearn_config_default(&c);
    c.steps = steps; c.new_class_steps = steps; c.batch = 16; c.lr = 0.01f; c.seed = 5;
    c.importance_samples = 64; c.verbose = 0;
    UnlearnStats st;
    memset(&st, 0, sizeof st);
    const long c0 = net_transfer_count();
    const int rc = m->run(net, t, &c, &st, err, sizeof err);
    const long used = rc == 0 ? net_transfer_count() - c0 : -1;
    if (rc) fprintf(stderr, "%s: %s\n", m->name, err);
    *done = st.steps;
    net_free(net);
    return used;
}

static void case_methods(const Net *net0, const UnlearnTask *t) {
    for (int i = 0; unlearn_methods[i]; i++) {
        const UnlearnMethod *m = unlearn_methods[i];
        char what[64];
        snprintf(what, sizeof what, "method %s (end to end)", m->name);
        long s1 = 0, s2 = 0;
        const long a = run_method(m, net0, t, 4, &s1), b = run_method(m, net0, t, 24, &s2);
        if (a < 0 || b < 0) { n_fail++; printf("%-44s did not run  FAIL\n", what); continue; }
        verdict(what, a, s2 - s1, b - a);
    }
}

static void case_teacher(const Net *net0) {
    char err[256];
    Net *net = on_gpu(net0);
    Net *teacher = method_teacher(net, err, sizeof err);
    const int ok = teacher && teacher->device == net->device;
    if (ok) n_pass++; else n_fail++;
    printf("%-44s %s  %s\n", "method_teacher: teacher on the student's device",
           teacher ? (teacher->device == DEVICE_CUDA ? "cuda" : "cpu") : err, ok ? "ok" : "FAIL");
    net_free(teacher);
    net_free(net);
}

int main(int argc, char **argv) {
    char err[256];
    if (argc > 1 && !strcmp(argv[1], "--cpu")) device = "cpu";
    if (!getenv("NVIDIA_TF32_OVERRIDE")) setenv("NVIDIA_TF32_OVERRIDE", "0", 1);
    Dataset *train = blobs(64, 1), *test = blobs(16, 2);
    ClassMap orig;
    UnlearnTask t;
    if (classmap_parse(&orig, "0,1,2,4", 10, err, sizeof err) ||
        task_build(&t, train, test, &orig, 2, 3, 0, 1, err, sizeof err)) {
        fprintf(stderr, "roundtrips: %s\n", err);
        return 1;
    }
    Net *net0 = net_parse(SPEC, "roundtrips", 0, 0, 0, orig.n_slots, err, sizeof err);
    if (!net0) { fprintf(stderr, "roundtrips: %s\n", err); return 1; }
    net_init(net0, 3);
    Net *probe = on_gpu(net0);   /* exits 2 without a device */
    net_free(probe);
    printf("net: %zu params, %zu bn statistics; counts are whole-buffer transfers (net_transfer_count)\n",
           net0->n_params, net0->n_stats);
    case_mix("mix_train mask+restore SGD (salun, head-only)", net0, &t, OPT_SGD, 1);
    case_mix("mix_train mask+restore Adam", net0, &t, OPT_ADAM, 1);
    case_mix("mix_train no mask SGD (finetune, neggrad+)", net0, &t, OPT_SGD, 0);
    case_pass("saliency_grad_abs (per batch)", net0, &t, 0);
    case_pass("saliency_fisher (per batch)", net0, &t, 1);
    case_ssd(net0, &t);
    case_methods(net0, &t);
    case_teacher(net0);
    printf("roundtrips: %d passed, %d failed\n", n_pass, n_fail);
    net_free(net0);
    task_free(&t);
    ds_free(train); ds_free(test);
    return n_fail ? 1 : 0;
}
