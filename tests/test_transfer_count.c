/* test_transfer_count.c — the host round-trip counter on CPU nets (always 0), and the CPU paths the GPU work
 * moved around: restore_frozen, mix_train's restore, the importance passes and method_teacher, bit-identical
 * to their reference loops.  (The per-step counts on a GPU are tests/gpu/roundtrips, run by tests/gpu/run.sh.) */
#include "test.h"
#include "net.h"
#include "layers.h"
#include "optim.h"
#include "rng.h"
#include "train.h"
#include "saliency.h"
#include "services.h"
#include "methods/method_common.h"

static const char *SPEC = "input 1 4 4\nconv 4 k=3 pad=1 bias=0\nbatchnorm\nrelu\ngap\nlinear classes\n";

static Dataset *noise(int n, uint64_t seed) {
    Dataset *d = ds_new(n, 1, 4, 4);
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        d->y[i] = i % 3;
        for (int j = 0; j < 16; j++) d->x[(size_t)i * 16 + j] = (float)(d->y[i] == j % 3) + 0.5f * rng_normal(&r);
    }
    return d;
}

static int same(const float *a, const float *b, size_t n) { return !memcmp(a, b, n * sizeof(float)); }

/* restore_frozen on host buffers: frozen entries back to orig with zeroed state, the rest untouched */
static void test_restore_frozen(Net *net) {
    const size_t n = net->n_params;
    float *orig = malloc(n * sizeof(float)), *before = malloc(n * sizeof(float));
    uint8_t *mask = malloc(n);
    Optim o;
    optim_init(&o, OPT_ADAM, n, 0.01f, 0.9f, 0.0f);
    for (size_t i = 0; i < n; i++) {
        orig[i] = (float)i * 0.25f - 3.0f;
        mask[i] = i % 3 != 0;
        net->params[i] += 1.0f;
        o.m[i] = 0.5f; o.v[i] = 0.25f;
    }
    memcpy(before, net->params, n * sizeof(float));
    restore_frozen(net, &o, mask, orig);
    long bad = 0;
    for (size_t i = 0; i < n; i++) {
        const float want = mask[i] ? before[i] : orig[i];
        bad += memcmp(&want, &net->params[i], sizeof(float)) != 0;
        bad += mask[i] ? (o.m[i] != 0.5f || o.v[i] != 0.25f) : (o.m[i] != 0.0f || o.v[i] != 0.0f);
    }
    CHECKF(bad == 0, "restore_frozen: %ld entries wrong", bad);
    optim_free(&o);
    free(orig); free(before); free(mask);
}

/* mix_train with a mask and restore == the loop it documents, step by step */
static void test_mix_train_restore(const Net *net0, const Dataset *d, const ClassMap *cm) {
    char err[256];
    Net *a = net_clone(net0), *b = net_clone(net0);
    const size_t n = a->n_params;
    uint8_t *mask = malloc(n);
    for (size_t i = 0; i < n; i++) mask[i] = (i * 7) % 5 < 2;
    Mixer ma, mb;
    mixer_init(&ma, a->n_classes, 9);
    mixer_init(&mb, b->n_classes, 9);
    mixer_add(&ma, d, 8, TGT_SLOT, cm, -1, 1.0f, TAG_RETAIN);
    mixer_add(&mb, d, 8, TGT_SLOT, cm, -1, 1.0f, TAG_RETAIN);
    CHECK(mixer_ready(&ma, a, err, sizeof err) == 0 && mixer_ready(&mb, b, err, sizeof err) == 0);
    LoopCfg lc = {.steps = 6, .lr = 0.05f, .opt = OPT_ADAM, .mask = mask, .restore = net0->params};
    UnlearnStats st;
    memset(&st, 0, sizeof st);
    CHECK(mix_train(a, &ma, &lc, &st, err, sizeof err) == 0 && st.steps == 6);
    Optim o;
    optim_init(&o, OPT_ADAM, n, 0.05f, 0.9f, 0.0f);
    for (int s = 0; s < 6; s++) {
        int nb = mixer_next(&mb);
        const float *logits = net_forward(b, mb.x, nb, 1);
        softmax_ce(mb.probs, mb.dlogits, logits, mb.t, mb.w, nb, b->n_classes);
        net_zero_grad(b);
        net_backward(b, mb.dlogits, nb);
        optim_step_net(&o, b, mask);
        restore_frozen(b, &o, mask, net0->params);
    }
    CHECK(same(a->params, b->params, n) && same(a->stats, b->stats, a->n_stats));
    long frozen_bad = 0, moved = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mask[i]) frozen_bad += memcmp(&a->params[i], &net0->params[i], sizeof(float)) != 0;
        else moved += a->params[i] != net0->params[i];
    }
    CHECK(frozen_bad == 0 && moved > 0);
    optim_free(&o);
    mixer_free(&ma); mixer_free(&mb);
    free(mask);
    net_free(a); net_free(b);
}

/* the importance passes == their formulas: |sum of batch gradients| and mean of squares, in double */
static void test_importance(const Net *net0, const Dataset *d, const ClassMap *cm) {
    char err[256];
    Net *a = net_clone(net0), *b = net_clone(net0);
    const size_t n = a->n_params;
    const int K = a->n_classes, B = 8;
    float *sa = malloc(n * sizeof(float)), *sf = malloc(n * sizeof(float));
    double *sum = calloc(n, sizeof(double)), *sq = calloc(n, sizeof(double));
    CHECK(saliency_grad_abs(a, d, cm, B, sa, NULL, err, sizeof err) == 0);
    CHECK(saliency_fisher(a, d, cm, B, sf, NULL, err, sizeof err) == 0);
    CHECK(same(a->params, net0->params, n) && same(a->stats, net0->stats, a->n_stats));
    float x[8 * 16], t[8 * 8], probs[8 * 8], dl[8 * 8];
    int idx[8], y[8];
    long nbatches = 0;
    for (int b0 = 0; b0 < d->n; b0 += B, nbatches++) {
        const int nb = d->n - b0 < B ? d->n - b0 : B;
        for (int i = 0; i < nb; i++) idx[i] = b0 + i;
        ds_gather(d, idx, nb, x, y);
        onehot_targets(t, y, nb, cm, K);
        softmax_ce(probs, dl, net_forward(b, x, nb, 0), t, NULL, nb, K);
        net_zero_grad(b);
        net_backward(b, dl, nb);
        for (size_t i = 0; i < n; i++) { sum[i] += b->grads[i]; sq[i] += (double)b->grads[i] * b->grads[i]; }
    }
    long bad = 0;
    for (size_t i = 0; i < n; i++) {
        const float wa = (float)fabs(sum[i]), wf = (float)(sq[i] / (double)nbatches);
        bad += memcmp(&wa, &sa[i], sizeof(float)) != 0 || memcmp(&wf, &sf[i], sizeof(float)) != 0;
    }
    CHECKF(bad == 0 && nbatches == 3, "importance: %ld scores differ from the formulas (%ld batches)", bad, nbatches);
    free(sa); free(sf); free(sum); free(sq);
    net_free(a); net_free(b);
}

static void test_teacher(Net *net) {
    char err[256];
    Net *t = method_teacher(net, err, sizeof err);
    CHECK(t && t != net && t->device == net->device && t->device == DEVICE_CPU);
    if (t) CHECK(same(t->params, net->params, net->n_params) && same(t->stats, net->stats, net->n_stats));
    net_free(t);
}

int main(void) {
    svc_set_threads(1);
    char err[256];
    CHECK(net_transfer_count() == 0);
    ClassMap cm;
    CHECK(classmap_parse(&cm, "0,1,2", 10, err, sizeof err) == 0);
    Dataset *d = noise(20, 4);
    Net *net = net_parse(SPEC, "test", 0, 0, 0, cm.n_slots, err, sizeof err);
    CHECKF(net != NULL, "%s", err);
    if (!net) TEST_DONE("test_transfer_count");
    net_init(net, 7);
    CHECK(net_set_device(net, "auto", err, sizeof err) == 0);   /* no GPU here: the CPU */
    if (net->device != DEVICE_CPU) {
        printf("a GPU took the net: the CPU checks are skipped (tests/gpu/run.sh covers this machine)\n");
        net_free(net); ds_free(d);
        TEST_DONE("test_transfer_count");
    }
    net_sync_to_host(net);
    net_sync_to_device(net);
    test_importance(net, d, &cm);
    test_mix_train_restore(net, d, &cm);
    test_teacher(net);
    test_restore_frozen(net);
    CHECKF(net_transfer_count() == 0, "CPU nets made %ld host<->device transfers", net_transfer_count());
    net_free(net);
    ds_free(d);
    TEST_DONE("test_transfer_count");
}
