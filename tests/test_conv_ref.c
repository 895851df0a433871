/* test_conv_ref.c — the fast convolution paths (conv2d.c: im2col + GEMM in chunks, row blocks, the
 * direct 1x1 path, the transposed-convolution din; conv2d_band.c: bands of rows) held to the plain-loop
 * reference conv2d_ref.c, forward and backward (din, dw, db), over shapes that take every path.
 *
 * Tolerance, per element: |fast - ref| <= (n + 2) * 2^-24 * S + 1e-30, where n is the number of
 * products summed into that element and S the sum of their absolute values.  That is the classic
 * worst-case bound for a float32 dot product of n terms (each product rounded once, each addition
 * once; gamma_n ~ n*u with u = 2^-24) and it holds whatever order or blocking the fast path sums in;
 * the reference sums in double, so its own error is below 1e-7 of that.  S is computed by running the
 * reference on |in|, |w|, |b|, |dout| (all terms are then positive and add up to S). */
#include "layers.h"
#include "layers/layers_internal.h"
#include "rng.h"
#include "test.h"

static float *randn(size_t n, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    float *v = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) v[i] = 2.0f * rng_uniform(&r) - 1.0f;
    return v;
}

static float *absv(const float *v, size_t n) {
    float *a = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) a[i] = fabsf(v[i]);
    return a;
}

/* every element within (terms + 2) * 2^-24 * scale */
static void within(const char *tag, const char *what, const float *fast, const float *ref, const float *scale,
                   size_t n, double terms) {
    size_t bad = 0, worst = 0;
    double worst_ratio = 0;
    for (size_t i = 0; i < n; i++) {
        double tol = (terms + 2) * ldexp(1.0, -24) * scale[i] + 1e-30;
        double d = fabs((double)fast[i] - ref[i]);
        if (!(d <= tol)) bad++;
        if (d / tol > worst_ratio || d != d) { worst_ratio = d / tol; worst = i; }
    }
    CHECKF(bad == 0, "%s %s: %zu of %zu elements outside the bound (worst [%zu]: %g vs %g)", tag, what, bad, n,
           worst, fast[worst], ref[worst]);
    printf("  %-28s %-4s max |fast - ref| / bound = %.3f\n", tag, what, worst_ratio);
}

static void conv_case(const char *tag, int B, int C, int H, int W, int OC, int K, int S, int P, int bias, int band) {
    int OH = conv_out_size(H, K, S, P), OW = conv_out_size(W, K, S, P);
    size_t nx = (size_t)B * C * H * W, nw = (size_t)OC * C * K * K, no = (size_t)B * OC * OH * OW;
    float *x = randn(nx, 1), *w = randn(nw, 2), *b = bias ? randn(OC, 3) : NULL, *dout = randn(no, 4);
    float *ax = absv(x, nx), *aw = absv(w, nw), *ab = bias ? absv(b, OC) : NULL, *adout = absv(dout, no);
    float *out = calloc(no, 4), *rout = calloc(no, 4), *sout = calloc(no, 4);
    float *din = calloc(nx, 4), *rdin = calloc(nx, 4), *sdin = calloc(nx, 4);
    float *dw = calloc(nw, 4), *rdw = calloc(nw, 4), *sdw = calloc(nw, 4);
    float *db = calloc(OC, 4), *rdb = calloc(OC, 4), *sdb = calloc(OC, 4);
    float *ws = calloc(conv2d_ws_floats(B, C, H, W, OC, K, OH, OW) + 1, 4);
    CHECKF(conv2d_band_applies(C, H, W, OC, K, S, P, OH, OW) == band, "%s: the banded path %s", tag,
           band ? "does not apply" : "applies");

    conv2d_forward(out, x, w, b, B, C, H, W, OC, K, S, P, OH, OW, ws);
    conv2d_backward(din, dw, bias ? db : NULL, dout, x, w, B, C, H, W, OC, K, S, P, OH, OW, ws);
    conv2d_ref_forward(rout, x, w, b, B, C, H, W, OC, K, S, P, OH, OW);
    conv2d_ref_backward(rdin, rdw, bias ? rdb : NULL, dout, x, w, B, C, H, W, OC, K, S, P, OH, OW);
    conv2d_ref_forward(sout, ax, aw, ab, B, C, H, W, OC, K, S, P, OH, OW);
    conv2d_ref_backward(sdin, sdw, bias ? sdb : NULL, adout, ax, aw, B, C, H, W, OC, K, S, P, OH, OW);

    within(tag, "out", out, rout, sout, no, (double)C * K * K + 1);
    within(tag, "din", din, rdin, sdin, nx, (double)OC * K * K);
    within(tag, "dw", dw, rdw, sdw, nw, (double)B * OH * OW);
    if (bias) within(tag, "db", db, rdb, sdb, (size_t)OC, (double)B * OH * OW);

    free(x); free(w); free(b); free(dout); free(ax); free(aw); free(ab); free(adout);
    free(out); free(rout); free(sout); free(din); free(rdin); free(sdin);
    free(dw); free(rdw); free(sdw); free(db); free(rdb); free(sdb); free(ws);
}

/* lay_sgemm (gemm.c) against a double-precision product, every transpose pair, beta 0 and 1,
 * leading dimensions wider than the matrices, and K = 0 (C = beta.C) */
static void gemm_case(const char *tag, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float beta) {
    const int lda = (ta == CblasNoTrans ? K : M) + 3, ldb = (tb == CblasNoTrans ? N : K) + 2, ldc = N + 5;
    const int ar = ta == CblasNoTrans ? M : K, br = tb == CblasNoTrans ? K : N;
    float *A = randn((size_t)ar * lda, 11), *B = randn((size_t)br * ldb, 12), *C = randn((size_t)M * ldc, 13);
    float *ref = malloc(sizeof(float) * (size_t)M * ldc), *scale = malloc(sizeof(float) * (size_t)M * ldc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < ldc; j++) {
            double acc = j < N ? beta * (double)C[(size_t)i * ldc + j] : C[(size_t)i * ldc + j], s = fabs(acc);
            for (int k = 0; k < K && j < N; k++) {
                double a = ta == CblasNoTrans ? A[(size_t)i * lda + k] : A[(size_t)k * lda + i];
                double b = tb == CblasNoTrans ? B[(size_t)k * ldb + j] : B[(size_t)j * ldb + k];
                acc += 0.5 * a * b;
                s += fabs(0.5 * a * b);
            }
            ref[(size_t)i * ldc + j] = (float)acc;
            scale[(size_t)i * ldc + j] = (float)s;
        }
    lay_sgemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, C, ldc);
    within(tag, "C", C, ref, scale, (size_t)M * ldc, K + 1);
    free(A); free(B); free(C); free(ref); free(scale);
}

static void all_cases(void) {
    gemm_case("gemm NN beta 0", CblasNoTrans, CblasNoTrans, 7, 33, 19, 0.0f);
    gemm_case("gemm NT beta 1", CblasNoTrans, CblasTrans, 32, 17, 40, 1.0f);
    gemm_case("gemm TN beta 1", CblasTrans, CblasNoTrans, 9, 64, 5, 1.0f);
    gemm_case("gemm TT beta 0", CblasTrans, CblasTrans, 16, 3, 70, 0.0f);
    gemm_case("gemm K=0 beta 1", CblasNoTrans, CblasNoTrans, 4, 6, 0, 1.0f);
    /* im2col + GEMM, several samples per chunk (gather/scatter), stride 1, no padding */
    conv_case("k3 s1 p0 batch 9", 9, 3, 7, 6, 4, 3, 1, 0, 1, 0);
    /* stride 2 with padding: din by col2im (no transposed convolution) */
    conv_case("k3 s2 p1", 4, 2, 9, 8, 5, 3, 2, 1, 1, 0);
    /* stride 3, K 2, no bias */
    conv_case("k2 s3 p1 no bias", 3, 2, 10, 11, 3, 2, 3, 1, 0, 0);
    /* 1x1, stride 1, no padding: the direct path (no im2col) */
    conv_case("k1 direct", 5, 6, 5, 5, 7, 1, 1, 0, 1, 0);
    /* one large plane, cut into blocks of output rows (dW and din by row blocks) */
    conv_case("k3 p1 40x40 row blocks", 1, 2, 40, 40, 3, 3, 1, 1, 1, 0);
    conv_case("k5 p2 48x30 rows, batch 2", 2, 1, 48, 30, 2, 5, 1, 2, 1, 0);
    /* the banded path: stride 1 with padding rows worth skipping */
    conv_case("k3 p2 band", 6, 3, 5, 5, 4, 3, 1, 2, 1, 1);
    conv_case("k5 p2 band", 4, 2, 6, 7, 3, 5, 1, 2, 1, 1);
    conv_case("k5 p3 band no bias", 2, 3, 8, 8, 5, 5, 1, 3, 0, 1);
    /* the same shapes with the banded path switched off: the GEMM path must agree too */
    conv2d_tune_band(0);
    conv_case("k3 p2 (band off)", 6, 3, 5, 5, 4, 3, 1, 2, 1, 1);
    conv_case("k5 p3 (band off)", 2, 3, 8, 8, 5, 5, 1, 3, 0, 1);
    conv2d_tune_band(1);
}

int main(void) {
    /* the fast paths under each GEMM backend this build has: oneDNN's (the default with USE_DNNL)
     * and OpenBLAS's (the reference); both are held to the same plain-loop reference and bound */
#if defined(USE_DNNL)
    CHECKF(getenv("UNLEARN_GEMM") || !strcmp(gemm_name(), "dnnl"), "default GEMM backend is %s, not dnnl",
           gemm_name());
    CHECK(gemm_select("dnnl") == 0);
    printf("GEMM backend %s\n", gemm_name());
    all_cases();
#else
    CHECK(gemm_select("dnnl") == -1);
#endif
    CHECK(gemm_select("no-such-backend") == -1);
    CHECK(gemm_select("openblas") == 0 && !strcmp(gemm_name(), "openblas"));
    printf("GEMM backend %s\n", gemm_name());
    all_cases();
    TEST_DONE("test_conv_ref");
}
