/* linear.c — fully connected layer: out[B][OUT] = in[B][IN] . w[OUT][IN]^T + b.
 * Single-threaded sgemms (lay_sgemm) inside one OpenMP region: the forward and
 * din split the batch rows across threads, dW/db split the output rows, so
 * every element is computed by exactly one thread in a fixed order
 * (deterministic for a given thread count).  Tiny layers run on one thread. */
#include "layers.h"
#include "layers_internal.h"

/* below this many multiply-adds a single thread is faster than a fork/join */
#define LINEAR_PAR_MIN (1 << 16)

static int linear_threads(int B, int IN, int OUT) {
    double work = (double)B * IN * OUT;
    return work < LINEAR_PAR_MIN ? 1 : lay_threads();
}

void linear_forward(float *out, const float *in, const float *w, const float *b,
                    int B, int IN, int OUT) {
    if (B <= 0 || OUT <= 0) return;
    const int T = linear_threads(B, IN, OUT);
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(T)
    {
        int lo, hi;
        lay_split(B, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
        if (hi > lo) {
            float *o = out + (size_t)lo * OUT;
            if (IN > 0)
                lay_sgemm(CblasNoTrans, CblasTrans, hi - lo, OUT, IN, 1.0f,
                          in + (size_t)lo * IN, IN, w, IN, 0.0f, o, OUT);
            else
                for (size_t i = 0; i < (size_t)(hi - lo) * OUT; i++) o[i] = 0.0f;
            if (b)
                for (int r = 0; r < hi - lo; r++)
                    for (int j = 0; j < OUT; j++) o[(size_t)r * OUT + j] += b[j];
        }
    }
    lay_blas_single_end(nb);
}

void linear_backward(float *din, float *dw, float *db, const float *dout,
                     const float *in, const float *w, int B, int IN, int OUT) {
    if (B <= 0 || OUT <= 0) return;
    const int T = linear_threads(B, IN, OUT);
    const int nb = lay_blas_single_begin();
#pragma omp parallel num_threads(T)
    {
        const int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        int lo, hi;
        /* dw[o][i] += sum_b dout[b][o] * in[b][i], rows o in [lo, hi) */
        lay_split(OUT, nth, tid, &lo, &hi);
        if (hi > lo && IN > 0)
            lay_sgemm(CblasTrans, CblasNoTrans, hi - lo, IN, B, 1.0f,
                      dout + lo, OUT, in, IN, 1.0f, dw + (size_t)lo * IN, IN);
        if (db)
            for (int o = lo; o < hi; o++) {
                float s = 0.0f;
                for (int r = 0; r < B; r++) s += dout[(size_t)r * OUT + o];
                db[o] += s;
            }
        /* din[b][i] = sum_o dout[b][o] * w[o][i], rows b in [lo, hi) */
        if (din && IN > 0) {
            lay_split(B, nth, tid, &lo, &hi);
            if (hi > lo)
                lay_sgemm(CblasNoTrans, CblasNoTrans, hi - lo, IN, OUT, 1.0f,
                          dout + (size_t)lo * OUT, OUT, w, IN, 0.0f, din + (size_t)lo * IN, IN);
        }
    }
    lay_blas_single_end(nb);
}
