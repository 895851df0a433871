/* layers_bench.c — micro-benchmark of the CPU conv layers of the seed and small
 * nets: ms per forward and backward (with din unless it is the net's first
 * layer) and GFLOP/s at batch B with the current OMP_NUM_THREADS.  Times are
 * the minimum over reps (the machine is shared; the minimum is the least noisy).
 * Build:  gcc -std=c11 -D_GNU_SOURCE -O3 -march=native -fopenmp -Isrc
 *             src/layers/(star).c bench/layers_bench.c -o /tmp/lb -lopenblas -lm
 * Run:    OMP_NUM_THREADS=2 /tmp/lb [B=64] [reps=10] [cols...]
 *         BENCH_NET=seed|small|tiny OMP_NUM_THREADS=2 /tmp/lb 64 10   (whole net)
 *         BENCH_ALT=1 OMP_NUM_THREADS=2 /tmp/lb 64 10   (whole-batch formulation)
 * With cols (e.g. 64 128 256 512), every variant of the conv chunk target is
 * timed, interleaved rep by rep so that noise hits all of them alike; a
 * negative value -c means c with the col2im form of din; 100000+r sets row
 * blocks of r output pixels for large planes (100000 alone: no blocking);
 * 200000: defaults without the banded path. */
#include "layers.h"
#include "layers/layers_internal.h"
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* BENCH_CPU=1: time with the process CPU clock divided by the thread count
 * (robust when other jobs share the cores; each thread of the conv works on
 * its own share, so with OMP_NUM_THREADS=1 and B/2 it measures one core of
 * the 2-thread run) */
static int use_cpu;
static double now(void) {
    struct timespec t;
    clock_gettime(use_cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
typedef struct { const char *name; int C, H, W, OC, K, S, P, first; } L;

/* a variant code: c (>0) chunk target c, -c chunk target c with col2im din,
 * 100000+r row blocks of r pixels (100000: no blocking), 200000 no banded
 * path, 0 the defaults */
static void tune(int code) {
    conv2d_tune_band(code != 200000);
    if (code == 200000) conv2d_tune(0, 0, 0, 0);
    else if (code >= 100000) conv2d_tune(0, 0, 0, code == 100000 ? -1 : code - 100000);
    else conv2d_tune(code < 0 ? -code : code, code < 0 ? -code : code, code < 0, 0);
}

/* ---- whole-net chains (BENCH_NET=seed|small|tiny): every layer of the net, the
 * way net.c calls them, with per-layer-type forward+backward times ---- */
typedef enum { T_CONV, T_BN, T_RELU, T_LEAKY, T_MAXP, T_AVGP, T_GAP, T_LIN } LT;
typedef struct { LT t; int oc, k, p, bias; } NL;
static const char *lt_name[] = {"conv", "batchnorm", "relu", "leaky", "maxpool", "avgpool", "gap", "linear"};

static void chain_bench(const char *which, int B, int reps) {
    static const NL seed[] = {{T_CONV, 32, 3, 2, 0}, {T_LEAKY, 0, 0, 0, 0}, {T_CONV, 32, 3, 2, 1}, {T_RELU, 0, 0, 0, 0},
                              {T_MAXP, 0, 2, 0, 0}, {T_CONV, 64, 3, 2, 0}, {T_LEAKY, 0, 0, 0, 0}, {T_CONV, 64, 3, 2, 1},
                              {T_RELU, 0, 0, 0, 0}, {T_MAXP, 0, 2, 0, 0}, {T_CONV, 128, 5, 3, 0}, {T_BN, 0, 0, 0, 0}, {T_LEAKY, 0, 0, 0, 0},
                              {T_AVGP, 0, 2, 0, 0}, {T_CONV, 256, 5, 2, 0}, {T_BN, 0, 0, 0, 0}, {T_LEAKY, 0, 0, 0, 0}, {T_GAP, 0, 0, 0, 0},
                              {T_LIN, 9, 0, 0, 1}};
    static const NL small[] = {{T_CONV, 32, 3, 1, 1}, {T_RELU, 0, 0, 0, 0}, {T_MAXP, 0, 2, 0, 0}, {T_CONV, 64, 3, 1, 1},
                               {T_RELU, 0, 0, 0, 0}, {T_MAXP, 0, 2, 0, 0}, {T_LIN, 128, 0, 0, 1}, {T_RELU, 0, 0, 0, 0},
                               {T_LIN, 9, 0, 0, 1}};
    static const NL tiny[] = {{T_CONV, 16, 3, 1, 1}, {T_RELU, 0, 0, 0, 0}, {T_MAXP, 0, 2, 0, 0}, {T_CONV, 32, 3, 1, 1},
                              {T_RELU, 0, 0, 0, 0}, {T_MAXP, 0, 2, 0, 0}, {T_LIN, 64, 0, 0, 1}, {T_RELU, 0, 0, 0, 0},
                              {T_LIN, 9, 0, 0, 1}};
    const NL *L = seed;
    int n = (int)(sizeof seed / sizeof *seed);
    if (!strcmp(which, "small")) { L = small; n = (int)(sizeof small / sizeof *small); }
    if (!strcmp(which, "tiny")) { L = tiny; n = (int)(sizeof tiny / sizeof *tiny); }
    int c[32], h[32], w[32];
    c[0] = 1; h[0] = 28; w[0] = 28;
    size_t ws_n = 0, np = 0;
    for (int i = 0; i < n; i++) {
        c[i + 1] = c[i]; h[i + 1] = h[i]; w[i + 1] = w[i];
        if (L[i].t == T_CONV) {
            c[i + 1] = L[i].oc;
            h[i + 1] = conv_out_size(h[i], L[i].k, 1, L[i].p);
            w[i + 1] = conv_out_size(w[i], L[i].k, 1, L[i].p);
            size_t k = conv2d_ws_floats(B, c[i], h[i], w[i], c[i + 1], L[i].k, h[i + 1], w[i + 1]);
            if (k > ws_n) ws_n = k;
            np += (size_t)c[i + 1] * c[i] * L[i].k * L[i].k + c[i + 1];
        } else if (L[i].t == T_MAXP || L[i].t == T_AVGP) {
            h[i + 1] = conv_out_size(h[i], L[i].k, L[i].k, 0);
            w[i + 1] = conv_out_size(w[i], L[i].k, L[i].k, 0);
        } else if (L[i].t == T_GAP) {
            h[i + 1] = w[i + 1] = 1;
        } else if (L[i].t == T_LIN) {
            np += (size_t)L[i].oc * c[i] * h[i] * w[i] + L[i].oc;
            c[i + 1] = L[i].oc; h[i + 1] = w[i + 1] = 1;
        } else if (L[i].t == T_BN) {
            np += 2 * (size_t)c[i];
        }
    }
    float *act[33], *dact[33];
    for (int i = 0; i <= n; i++) {
        size_t sz = (size_t)B * c[i] * h[i] * w[i];
        act[i] = malloc(sz * 4); dact[i] = malloc(sz * 4);
        for (size_t j = 0; j < sz; j++) act[i][j] = (float)rand() / RAND_MAX - 0.5f;
    }
    float *P = malloc(np * 4), *G = calloc(np, 4), *ws = malloc(ws_n * 4 + 64);
    for (size_t j = 0; j < np; j++) P[j] = ((float)rand() / RAND_MAX - 0.5f) * 0.1f;
    float stats[1024], save[1024];
    for (int j = 0; j < 1024; j++) stats[j] = 1.0f;
    int32_t *idx[32] = {0};
    for (int i = 0; i < n; i++)
        if (L[i].t == T_MAXP) idx[i] = malloc(sizeof(int32_t) * B * c[i + 1] * h[i + 1] * w[i + 1]);
    double tl[8] = {0};
    double best = 1e9;
    for (int r = 0; r <= reps; r++) {
        double tt[8] = {0}, t0 = now();
        size_t off = 0;
        size_t offs[32];
        for (int i = 0; i < n; i++) {
            double a = now();
            size_t nout = (size_t)B * c[i + 1] * h[i + 1] * w[i + 1];
            offs[i] = off;
            switch (L[i].t) {
            case T_CONV:
                conv2d_forward(act[i + 1], act[i], P + off, L[i].bias ? P + off + (size_t)c[i + 1] * c[i] * L[i].k * L[i].k : NULL,
                               B, c[i], h[i], w[i], c[i + 1], L[i].k, 1, L[i].p, h[i + 1], w[i + 1], ws);
                off += (size_t)c[i + 1] * c[i] * L[i].k * L[i].k + c[i + 1];
                break;
            case T_BN:
                batchnorm2d_forward(act[i + 1], act[i], P + off, P + off + c[i], stats, stats + 256, save, save + 256,
                                    B, c[i], h[i] * w[i], 1e-5f, 0.1f, 1);
                off += 2 * (size_t)c[i];
                break;
            case T_RELU: relu_forward(act[i + 1], act[i], nout); break;
            case T_LEAKY: leaky_relu_forward(act[i + 1], act[i], nout, 0.01f); break;
            case T_MAXP: maxpool2d_forward(act[i + 1], idx[i], act[i], B, c[i], h[i], w[i], 2, 2, 0, h[i + 1], w[i + 1]); break;
            case T_AVGP: avgpool2d_forward(act[i + 1], act[i], B, c[i], h[i], w[i], 2, 2, 0, h[i + 1], w[i + 1]); break;
            case T_GAP: global_avgpool_forward(act[i + 1], act[i], B, c[i], h[i] * w[i]); break;
            case T_LIN: {
                int in = c[i] * h[i] * w[i];
                linear_forward(act[i + 1], act[i], P + off, P + off + (size_t)c[i + 1] * in, B, in, c[i + 1]);
                off += (size_t)c[i + 1] * in + c[i + 1];
                break;
            }
            }
            tt[L[i].t] += now() - a;
        }
        for (size_t j = 0; j < (size_t)B * c[n]; j++) dact[n][j] = act[n][j] * 0.01f;
        for (int i = n - 1; i >= 0; i--) {
            double a = now();
            size_t nout = (size_t)B * c[i + 1] * h[i + 1] * w[i + 1];
            float *din = i ? dact[i] : NULL;
            size_t o = offs[i];
            switch (L[i].t) {
            case T_CONV:
                conv2d_backward(din, G + o, L[i].bias ? G + o + (size_t)c[i + 1] * c[i] * L[i].k * L[i].k : NULL, dact[i + 1],
                                act[i], P + o, B, c[i], h[i], w[i], c[i + 1], L[i].k, 1, L[i].p, h[i + 1], w[i + 1], ws);
                break;
            case T_BN:
                batchnorm2d_backward(din, G + o, G + o + c[i], dact[i + 1], act[i], P + o, save, save + 256, B, c[i],
                                     h[i] * w[i], 1);
                break;
            case T_RELU: relu_backward(din, dact[i + 1], act[i], nout); break;
            case T_LEAKY: leaky_relu_backward(din, dact[i + 1], act[i], nout, 0.01f); break;
            case T_MAXP: maxpool2d_backward(din, dact[i + 1], idx[i], B, c[i], h[i], w[i], h[i + 1], w[i + 1]); break;
            case T_AVGP: avgpool2d_backward(din, dact[i + 1], B, c[i], h[i], w[i], 2, 2, 0, h[i + 1], w[i + 1]); break;
            case T_GAP: global_avgpool_backward(din, dact[i + 1], B, c[i], h[i] * w[i]); break;
            case T_LIN: {
                int in = c[i] * h[i] * w[i];
                linear_backward(din, G + o, G + o + (size_t)c[i + 1] * in, dact[i + 1], act[i], P + o, B, in, c[i + 1]);
                break;
            }
            }
            tt[L[i].t] += now() - a;
        }
        double tot = now() - t0;
        if (r > 0 && tot < best) {
            best = tot;
            memcpy(tl, tt, sizeof tl);
        }
    }
    printf("%s net, B=%d, %d threads: best step (fwd+bwd, all layers) %.2f ms -> %.0f img/s\n", which, B,
           omp_get_max_threads(), best * 1e3, B / best);
    for (int t = 0; t < 8; t++)
        if (tl[t] > 0) printf("  %-10s %7.2f ms\n", lt_name[t], tl[t] * 1e3);
    for (int i = 0; i <= n; i++) { free(act[i]); free(dact[i]); }
    for (int i = 0; i < n; i++) free(idx[i]);
    free(P); free(G); free(ws);
}

/* ---- the alternative formulation, for comparison (BENCH_ALT=1): im2col of the
 * whole batch into [C*K*K][B*OH*OW] (OpenMP over samples), then ONE sgemm per
 * product with OpenBLAS's own threads (stride 1 only; din as the transposed
 * convolution, like the library) ---- */
static void alt_forward(float *out, const float *in, const float *w, int B, int C, int H, int W,
                        int OC, int K, int P, int OH, int OW, float *col, float *tmp) {
    const int OHW = OH * OW, CKK = C * K * K;
    const size_t N = (size_t)B * OHW;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++)
        conv2d_im2col(col + (size_t)b * OHW, N, in + (size_t)b * C * H * W, C, H, W, K, 1, P, OH, OW);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, OC, (int)N, CKK, 1.0f, w, CKK, col, (int)N,
                0.0f, tmp, (int)N);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++)
        for (int m = 0; m < OC; m++)
            memcpy(out + ((size_t)b * OC + m) * OHW, tmp + (size_t)m * N + (size_t)b * OHW, sizeof(float) * OHW);
}

static void alt_backward(float *din, float *dw, const float *dout, const float *in, const float *w, int B,
                         int C, int H, int W, int OC, int K, int P, int OH, int OW, float *col, float *tmp,
                         float *wt) {
    const int OHW = OH * OW, HW = H * W, KK = K * K, CKK = C * KK;
    const size_t N = (size_t)B * OHW, N2 = (size_t)B * HW;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++) {
        conv2d_im2col(col + (size_t)b * OHW, N, in + (size_t)b * C * HW, C, H, W, K, 1, P, OH, OW);
        for (int m = 0; m < OC; m++)
            memcpy(tmp + (size_t)m * N + (size_t)b * OHW, dout + ((size_t)b * OC + m) * OHW, sizeof(float) * OHW);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, OC, CKK, (int)N, 1.0f, tmp, (int)N, col, (int)N, 1.0f,
                dw, CKK);
    if (!din) return;
    for (int c = 0; c < C; c++)
        for (int oc = 0; oc < OC; oc++)
            for (int k = 0; k < KK; k++) wt[((size_t)c * OC + oc) * KK + k] = w[((size_t)oc * C + c) * KK + KK - 1 - k];
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++)
        conv2d_im2col(col + (size_t)b * HW, N2, dout + (size_t)b * OC * OHW, OC, OH, OW, K, 1, K - 1 - P, H, W);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, (int)N2, OC * KK, 1.0f, wt, OC * KK, col, (int)N2,
                0.0f, tmp, (int)N2);
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(din + ((size_t)b * C + c) * HW, tmp + (size_t)c * N2 + (size_t)b * HW, sizeof(float) * HW);
}

static void alt_bench(int B, int reps) {
    typedef struct { const char *name; int C, H, W, OC, K, P, first; } A;
    A ls[] = {{"seed c1 1->32 k3p2 28", 1, 28, 28, 32, 3, 2, 1},   {"seed c2 32->32 k3p2 30", 32, 30, 30, 32, 3, 2, 0},
              {"seed c3 32->64 k3p2 16", 32, 16, 16, 64, 3, 2, 0}, {"seed c4 64->64 k3p2 18", 64, 18, 18, 64, 3, 2, 0},
              {"seed c5 64->128 k5p3 10", 64, 10, 10, 128, 5, 3, 0}, {"seed c6 128->256 k5p2 6", 128, 6, 6, 256, 5, 2, 0}};
    double tot = 0, fl_all = 0;
    printf("ALTERNATIVE: whole-batch im2col + one threaded OpenBLAS sgemm per product (OpenBLAS threads %d)\n",
           openblas_get_num_threads());
    for (int l = 0; l < 6; l++) {
        A c = ls[l];
        int OH = conv_out_size(c.H, c.K, 1, c.P), OW = conv_out_size(c.W, c.K, 1, c.P);
        size_t ni = (size_t)B * c.C * c.H * c.W, no = (size_t)B * c.OC * OH * OW, nw = (size_t)c.OC * c.C * c.K * c.K;
        size_t ncol = (size_t)c.C * c.K * c.K * B * OH * OW, ncol2 = (size_t)c.OC * c.K * c.K * B * c.H * c.W;
        if (ncol2 > ncol) ncol = ncol2;
        float *in = malloc(ni * 4), *din = malloc(ni * 4), *out = malloc(no * 4), *dout = malloc(no * 4);
        float *w = malloc(nw * 4), *dw = calloc(nw, 4), *wt = malloc(nw * 4);
        float *col = malloc(ncol * 4), *tmp = malloc((no > ni ? no : ni) * 4);
        for (size_t i = 0; i < ni; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
        for (size_t i = 0; i < no; i++) dout[i] = (float)rand() / RAND_MAX - 0.5f;
        for (size_t i = 0; i < nw; i++) w[i] = (float)rand() / RAND_MAX - 0.5f;
        double tf = 1e9, tb = 1e9;
        for (int r = 0; r <= reps; r++) {
            double t0 = now();
            alt_forward(out, in, w, B, c.C, c.H, c.W, c.OC, c.K, c.P, OH, OW, col, tmp);
            double t1 = now();
            alt_backward(c.first ? NULL : din, dw, dout, in, w, B, c.C, c.H, c.W, c.OC, c.K, c.P, OH, OW, col, tmp, wt);
            double t2 = now();
            if (r && t1 - t0 < tf) tf = t1 - t0;
            if (r && t2 - t1 < tb) tb = t2 - t1;
        }
        double fl = 2.0 * B * nw * OH * OW, flb = fl * (c.first ? 1 : 2);
        printf("%-24s alt  fwd %7.2f ms %6.1f GF/s | bwd %7.2f ms %6.1f GF/s | f+b %7.2f ms %6.1f GF/s\n", c.name,
               tf * 1e3, fl / tf / 1e9, tb * 1e3, flb / tb / 1e9, (tf + tb) * 1e3, (fl + flb) / (tf + tb) / 1e9);
        tot += tf + tb;
        fl_all += fl + flb;
        free(in); free(din); free(out); free(dout); free(w); free(dw); free(wt); free(col); free(tmp);
    }
    printf("seed convs, alternative: %.1f ms  %.1f GF/s -> %.0f img/s (convs only)\n", tot * 1e3, fl_all / tot / 1e9,
           B / tot);
}

int main(int argc, char **argv) {
    use_cpu = getenv("BENCH_CPU") && atoi(getenv("BENCH_CPU"));
    int B = argc > 1 ? atoi(argv[1]) : 64, reps = argc > 2 ? atoi(argv[2]) : 10;
    if (getenv("BENCH_ALT")) {
        alt_bench(B, reps);
        return 0;
    }
    if (getenv("BENCH_NET")) {
        chain_bench(getenv("BENCH_NET"), B, reps);
        return 0;
    }
    int nv = argc > 3 ? argc - 3 : 1;
    int cols[16] = {0};
    for (int v = 0; v < nv && v < 16; v++) cols[v] = argc > 3 ? atoi(argv[3 + v]) : 0;
    if (nv > 16) nv = 16;
    L ls[] = {
        {"seed c1 1->32 k3p2 28", 1, 28, 28, 32, 3, 1, 2, 1},
        {"seed c2 32->32 k3p2 30", 32, 30, 30, 32, 3, 1, 2, 0},
        {"seed c3 32->64 k3p2 16", 32, 16, 16, 64, 3, 1, 2, 0},
        {"seed c4 64->64 k3p2 18", 64, 18, 18, 64, 3, 1, 2, 0},
        {"seed c5 64->128 k5p3 10", 64, 10, 10, 128, 5, 1, 3, 0},
        {"seed c6 128->256 k5p2 6", 128, 6, 6, 256, 5, 1, 2, 0},
        {"small c1 1->32 k3p1 28", 1, 28, 28, 32, 3, 1, 1, 1},
        {"small c2 32->64 k3p1 14", 32, 14, 14, 64, 3, 1, 1, 0},
        {"stride2 32->64 k3p1 32", 32, 32, 32, 64, 3, 2, 1, 0},
    };
    int n = sizeof ls / sizeof *ls;
    printf("B=%d threads=%d clock=%s\n", B, omp_get_max_threads(), use_cpu ? "process cpu" : "wall");
    double tf_all[16] = {0}, tb_all[16] = {0}, fl_all = 0;
    const char *only = getenv("BENCH_LAYERS"); /* e.g. "2,6": 1-based layer numbers */
    for (int l = 0; l < n; l++) {
        L c = ls[l];
        if (only) {
            char key[8];
            snprintf(key, sizeof key, "%d", l + 1);
            int hit = 0;
            for (const char *q = only; *q;) {
                size_t len = strcspn(q, ",");
                if (len == strlen(key) && !strncmp(q, key, len)) hit = 1;
                q += len + (q[len] == ',');
            }
            if (!hit) continue;
        }
        int OH = conv_out_size(c.H, c.K, c.S, c.P), OW = conv_out_size(c.W, c.K, c.S, c.P);
        size_t ni = (size_t)B * c.C * c.H * c.W, no = (size_t)B * c.OC * OH * OW;
        size_t nw = (size_t)c.OC * c.C * c.K * c.K;
        float *in = malloc(ni * 4), *din = malloc(ni * 4), *out = malloc(no * 4), *dout = malloc(no * 4);
        float *w = malloc(nw * 4), *dw = calloc(nw, 4), *b = calloc(c.OC, 4), *db = calloc(c.OC, 4);
        size_t nws = 0;
        for (int v = 0; v < nv; v++) {
            tune(cols[v]);
            size_t k = conv2d_ws_floats(B, c.C, c.H, c.W, c.OC, c.K, OH, OW);
            if (k > nws) nws = k;
        }
        float *ws = aligned_alloc(64, ((nws * 4) + 63) / 64 * 64);
        for (size_t i = 0; i < ni; i++) in[i] = (float)rand() / RAND_MAX - 0.5f;
        for (size_t i = 0; i < no; i++) dout[i] = (float)rand() / RAND_MAX - 0.5f;
        for (size_t i = 0; i < nw; i++) w[i] = (float)rand() / RAND_MAX - 0.5f;
        double tf[16], tb[16];
        for (int v = 0; v < nv; v++) tf[v] = tb[v] = 1e9;
        for (int r = 0; r <= reps; r++) {
            for (int v = 0; v < nv; v++) {
                tune(cols[v]);
                double t0 = now();
                conv2d_forward(out, in, w, b, B, c.C, c.H, c.W, c.OC, c.K, c.S, c.P, OH, OW, ws);
                double t1 = now();
                conv2d_backward(c.first ? NULL : din, dw, db, dout, in, w, B, c.C, c.H, c.W, c.OC,
                                c.K, c.S, c.P, OH, OW, ws);
                double t2 = now();
                if (r == 0) continue; /* warm-up */
                if (t1 - t0 < tf[v]) tf[v] = t1 - t0;
                if (t2 - t1 < tb[v]) tb[v] = t2 - t1;
            }
        }
        double fl = 2.0 * B * nw * OH * OW; /* forward flops */
        double flb = fl * (c.first ? 1 : 2);
        for (int v = 0; v < nv; v++) {
            printf("%-24s cols %4d fwd %7.2f ms %6.1f GF/s | bwd %7.2f ms %6.1f GF/s | f+b %7.2f ms %6.1f GF/s\n",
                   c.name, cols[v], tf[v] * 1e3, fl / tf[v] / 1e9, tb[v] * 1e3, flb / tb[v] / 1e9,
                   (tf[v] + tb[v]) * 1e3, (fl + flb) / (tf[v] + tb[v]) / 1e9);
            if (l < 6) { tf_all[v] += tf[v]; tb_all[v] += tb[v]; }
        }
        if (l < 6) fl_all += fl + flb;
        free(in); free(din); free(out); free(dout); free(w); free(dw); free(b); free(db); free(ws);
    }
    for (int v = 0; v < nv; v++)
        printf("seed convs, cols %4d: fwd %.1f ms bwd %.1f ms  %.1f GF/s  -> %.0f img/s (convs only)\n",
               cols[v], tf_all[v] * 1e3, tb_all[v] * 1e3, fl_all / (tf_all[v] + tb_all[v]) / 1e9,
               B / (tf_all[v] + tb_all[v]));
    return 0;
}
