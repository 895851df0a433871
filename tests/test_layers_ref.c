/* test_layers_ref.c — layer outputs and gradients against PyTorch.
 *
 * tests/fixtures/layers_ref.bin holds PyTorch values (computed in float64
 * from float32 inputs by tools/fixtures/make_layer_ref.py, fixed seed) for
 * conv2d (K=3 pad=2, K=5 pad=3, K=3 stride=2 pad=1, K=5 pad=2 on a batch of 9
 * small planes, K=3 pad=2 on a 26x26 plane, which the conv splits into row
 * blocks), batch-norm train (incl. the running-statistics update) and
 * eval, max/avg pooling with and without padding, global average pooling,
 * leaky ReLU, linear, and the soft-target weighted cross-entropy.
 *
 * Tolerance: every tensor must satisfy max_i |ours_i - ref_i| <= 1e-4 *
 * max(max_i |ref_i|, 1e-3) (relative to the tensor's scale).  This test needs
 * no Python: the fixture is committed. */
#include "layers.h"
#include "test.h"
#include <stdint.h>

#define REL_TOL 1e-4

typedef struct { char name[48]; uint32_t n; float *v; } Rec;
static Rec recs[256];
static int nrecs;

static int load(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char magic[8];
    uint32_t cnt = 0;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "LREF0001", 8) || fread(&cnt, 4, 1, f) != 1 ||
        cnt > 256) {
        fclose(f);
        return -1;
    }
    for (uint32_t r = 0; r < cnt; r++) {
        uint32_t len, n;
        if (fread(&len, 4, 1, f) != 1 || len >= sizeof recs[0].name) break;
        if (fread(recs[r].name, 1, len, f) != len) break;
        recs[r].name[len] = 0;
        if (fread(&n, 4, 1, f) != 1 || n > (1u << 24)) break;
        recs[r].n = n;
        recs[r].v = malloc(sizeof(float) * (n ? n : 1));
        if (fread(recs[r].v, 4, n, f) != n) break;
        nrecs = (int)r + 1;
    }
    fclose(f);
    return nrecs == (int)cnt ? 0 : -1;
}

/* the record `name`, which must hold n floats */
static float *get(const char *name, size_t n) {
    for (int i = 0; i < nrecs; i++)
        if (!strcmp(recs[i].name, name)) {
            CHECKF(recs[i].n == n, "%s: %u floats in the fixture, test expects %zu", name, recs[i].n, n);
            return recs[i].n == n ? recs[i].v : NULL;
        }
    CHECKF(0, "%s: missing from the fixture", name);
    return NULL;
}

static float *zeros(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

static void cmp(const char *what, const float *got, const float *ref, size_t n) {
    if (!got || !ref) return;
    double md = 0, mr = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - ref[i]);
        if (!(d <= md)) md = d; /* NaN propagates */
        if (fabs(ref[i]) > mr) mr = fabs(ref[i]);
    }
    double err = md / (mr > 1e-3 ? mr : 1e-3);
    CHECKF(err <= REL_TOL, "%s: max |ours - torch| = %.3g (relative %.3g)", what, md, err);
    printf("  %-26s rel err %.2e\n", what, err);
}

static void conv_case(const char *tag, int B, int C, int H, int W, int OC, int K, int S, int P,
                      int bias) {
    char k[96];
    int OH = conv_out_size(H, K, S, P), OW = conv_out_size(W, K, S, P);
    size_t nx = (size_t)B * C * H * W, nw = (size_t)OC * C * K * K, no = (size_t)B * OC * OH * OW;
#define G(s, n) (snprintf(k, sizeof k, "%s.%s", tag, s), get(k, n))
#define C_(s, got, n) (snprintf(k, sizeof k, "%s.%s", tag, s), cmp(k, got, get(k, n), n))
    float *x = G("x", nx), *w = G("w", nw), *b = bias ? G("b", OC) : NULL, *dout = G("dout", no);
    if (!x || !w || (bias && !b) || !dout) return;
    float *out = zeros(no), *din = zeros(nx), *dw = zeros(nw), *db = zeros(OC);
    float *ws = zeros(conv2d_ws_floats(B, C, H, W, OC, K, OH, OW));
    conv2d_forward(out, x, w, b, B, C, H, W, OC, K, S, P, OH, OW, ws);
    conv2d_backward(din, dw, bias ? db : NULL, dout, x, w, B, C, H, W, OC, K, S, P, OH, OW, ws);
    C_("out", out, no);
    C_("din", din, nx);
    C_("dw", dw, nw);
    if (bias) C_("db", db, (size_t)OC);
    free(out); free(din); free(dw); free(db); free(ws);
}

static void bn_case(const char *tag, int training) {
    char k[96];
    const int B = 4, C = 3, HW = 25;
    size_t n = (size_t)B * C * HW;
    float *x = G("x", n), *gamma = G("gamma", C), *beta = G("beta", C), *dout = G("dout", n);
    float *rm_in = G("rm_in", C), *rv_in = G("rv_in", C);
    if (!x || !gamma || !beta || !dout || !rm_in || !rv_in) return;
    float rm[3], rv[3], sm[3], si[3], dg[3] = {0}, dbt[3] = {0};
    memcpy(rm, rm_in, sizeof rm);
    memcpy(rv, rv_in, sizeof rv);
    float *out = zeros(n), *din = zeros(n);
    batchnorm2d_forward(out, x, gamma, beta, rm, rv, sm, si, B, C, HW, 1e-5f, 0.1f, training);
    batchnorm2d_backward(din, dg, dbt, dout, x, gamma, sm, si, B, C, HW, training);
    C_("out", out, n);
    C_("rm_out", rm, (size_t)C);
    C_("rv_out", rv, (size_t)C);
    C_("din", din, n);
    C_("dgamma", dg, (size_t)C);
    C_("dbeta", dbt, (size_t)C);
    free(out); free(din);
}

static void pool_case(const char *tag, int is_max, int K, int S, int P) {
    char k[96];
    const int B = 2, C = 3, H = 7, W = 7;
    int OH = conv_out_size(H, K, S, P), OW = conv_out_size(W, K, S, P);
    size_t nx = (size_t)B * C * H * W, no = (size_t)B * C * OH * OW;
    float *x = G("x", nx), *dout = G("dout", no);
    if (!x || !dout) return;
    float *out = zeros(no), *din = zeros(nx);
    int32_t *idx = calloc(no, sizeof(int32_t));
    if (is_max) {
        maxpool2d_forward(out, idx, x, B, C, H, W, K, S, P, OH, OW);
        maxpool2d_backward(din, dout, idx, B, C, H, W, OH, OW);
    } else {
        avgpool2d_forward(out, x, B, C, H, W, K, S, P, OH, OW);
        avgpool2d_backward(din, dout, B, C, H, W, K, S, P, OH, OW);
    }
    C_("out", out, no);
    C_("din", din, nx);
    free(out); free(din); free(idx);
}

static void misc_cases(void) {
    char k[96];
    const char *tag;
    { /* global average pool [2][3][4x5] */
        tag = "gap";
        float *x = G("x", 120), *dout = G("dout", 6), out[6], din[120];
        if (x && dout) {
            global_avgpool_forward(out, x, 2, 3, 20);
            global_avgpool_backward(din, dout, 2, 3, 20);
            C_("out", out, 6);
            C_("din", din, 120);
        }
    }
    { /* leaky relu slope 0.01 */
        tag = "leaky";
        float *x = G("x", 120), *dout = G("dout", 120), out[120], din[120];
        if (x && dout) {
            leaky_relu_forward(out, x, 120, 0.01f);
            leaky_relu_backward(din, dout, x, 120, 0.01f);
            C_("out", out, 120);
            C_("din", din, 120);
        }
    }
    { /* linear 12 -> 7, B=5 */
        tag = "linear";
        float *x = G("x", 60), *w = G("w", 84), *b = G("b", 7), *dout = G("dout", 35);
        float out[35], din[60], dw[84] = {0}, db[7] = {0};
        if (x && w && b && dout) {
            linear_forward(out, x, w, b, 5, 12, 7);
            linear_backward(din, dw, db, dout, x, w, 5, 12, 7);
            C_("out", out, 35);
            C_("din", din, 60);
            C_("dw", dw, 84);
            C_("db", db, 7);
        }
    }
    { /* weighted soft-target cross-entropy, B=5, K=9 */
        tag = "ce";
        float *z = G("logits", 45), *t = G("target", 45), *wt = G("weight", 5);
        float p[45], d[45];
        if (z && t && wt) {
            float loss = softmax_ce(p, d, z, t, wt, 5, 9);
            C_("probs", p, 45);
            C_("loss", &loss, 1);
            C_("dlogits", d, 45);
        }
    }
}

int main(void) {
    const char *path = "tests/fixtures/layers_ref.bin";
    if (load(path) != 0) {
        CHECKF(0, "cannot read %s (run from the repository root; regenerate with "
                  "/usr/bin/python3 tools/fixtures/make_layer_ref.py)", path);
        TEST_DONE("test_layers_ref");
    }
    printf("layers vs PyTorch (max |ours - torch| / max |torch| <= %.0e):\n", REL_TOL);
    conv_case("conv_k3p2", 2, 3, 8, 8, 4, 3, 1, 2, 1);
    conv_case("conv_k5p3", 2, 3, 7, 7, 4, 5, 1, 3, 0);
    conv_case("conv_k3s2p1", 2, 3, 9, 9, 4, 3, 2, 1, 1);
    conv_case("conv_k5p2_batch", 9, 4, 4, 4, 6, 5, 1, 2, 0);
    conv_case("conv_k3p2_large", 1, 3, 26, 26, 4, 3, 1, 2, 1);
    bn_case("bn_train", 1);
    bn_case("bn_eval", 0);
    pool_case("maxpool_k2s2", 1, 2, 2, 0);
    pool_case("maxpool_k3s2p1", 1, 3, 2, 1);
    pool_case("avgpool_k2s2", 0, 2, 2, 0);
    pool_case("avgpool_k3s2p1", 0, 3, 2, 1);
    misc_cases();
    for (int i = 0; i < nrecs; i++) free(recs[i].v);
    TEST_DONE("test_layers_ref");
}
