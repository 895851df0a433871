/* gemm.c — the one single-threaded sgemm every CPU layer calls (row-major, C = alpha.op(A).op(B) + beta.C).
 *
 * Two backends, chosen once per process (UNLEARN_GEMM=dnnl|openblas, or gemm_select()):
 *   dnnl     oneDNN's dnnl_sgemm: JIT kernels for the widest vector unit the CPU has (AVX-512
 *            here), whatever OPENBLAS_CORETYPE says.  The default when built with USE_DNNL.
 *   openblas cblas_sgemm: the reference path (and the only one without USE_DNNL).  On the project's
 *            machines OPENBLAS_CORETYPE=Haswell pins it to AVX2 kernels; we never touch that variable.
 * Both are called from inside the layers' OpenMP regions, one call per thread on its own share, and
 * must not start threads of their own: OpenBLAS is held at 1 thread by lay_blas_single_begin, and
 * oneDNN (OpenMP build) sees the enclosing region — or, in a one-thread region or outside any,
 * this thread's nthreads ICV, which is set to 1 for the call. */
#include "layers.h"
#include "layers_internal.h"
#include <stdio.h>
#include <stdlib.h>
#if defined(USE_DNNL)
#include <oneapi/dnnl/dnnl.h>
#endif

enum { GEMM_UNSET = -1, GEMM_OPENBLAS = 0, GEMM_DNNL = 1 };
static int gemm_backend = GEMM_UNSET;

int gemm_select(const char *name) {
    if (!name || !strcmp(name, "openblas")) { gemm_backend = GEMM_OPENBLAS; return 0; }
#if defined(USE_DNNL)
    if (!strcmp(name, "dnnl")) { gemm_backend = GEMM_DNNL; return 0; }
#endif
    return -1;
}

static int gemm_current(void) {
    if (gemm_backend == GEMM_UNSET) {
        const char *e = getenv("UNLEARN_GEMM");
#if defined(USE_DNNL)
        gemm_backend = (e && !strcmp(e, "openblas")) ? GEMM_OPENBLAS : GEMM_DNNL;
#else
        (void)e;
        gemm_backend = GEMM_OPENBLAS;
#endif
    }
    return gemm_backend;
}

const char *gemm_name(void) { return gemm_current() == GEMM_DNNL ? "dnnl" : "openblas"; }

void lay_sgemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
#if defined(USE_DNNL)
    if (gemm_current() == GEMM_DNNL && K > 0) {
        const int t = omp_get_max_threads();
        if (t != 1) omp_set_num_threads(1);
        dnnl_status_t st = dnnl_sgemm(ta == CblasTrans ? 'T' : 'N', tb == CblasTrans ? 'T' : 'N', M, N, K,
                                      alpha, A, lda, B, ldb, beta, C, ldc);
        if (t != 1) omp_set_num_threads(t);
        if (st == dnnl_success) return;
    }
#endif
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* "openblas", or "dnnl 2.6.3 avx512_core_bf16": the backend, its version and the instruction set its
 * kernels were generated for (results.json records it: the kernels, and so the last bits of every
 * sum, follow the instruction set; OpenBLAS's follow OPENBLAS_CORETYPE) */
void gemm_describe(char *buf, size_t n) {
#if defined(USE_DNNL)
    if (gemm_current() == GEMM_DNNL) {
        const dnnl_version_t *v = dnnl_version();
        const char *isa = "?";
        switch ((int)dnnl_get_effective_cpu_isa()) {
        case dnnl_cpu_isa_sse41: isa = "sse41"; break;
        case dnnl_cpu_isa_avx: isa = "avx"; break;
        case dnnl_cpu_isa_avx2: isa = "avx2"; break;
        case dnnl_cpu_isa_avx2_vnni: isa = "avx2_vnni"; break;
        case dnnl_cpu_isa_avx512_core: isa = "avx512_core"; break;
        case dnnl_cpu_isa_avx512_core_vnni: isa = "avx512_core_vnni"; break;
        case dnnl_cpu_isa_avx512_core_bf16: isa = "avx512_core_bf16"; break;
        case dnnl_cpu_isa_avx512_core_amx: isa = "avx512_core_amx"; break;
        default: break;
        }
        snprintf(buf, n, "dnnl %d.%d.%d %s", v->major, v->minor, v->patch, isa);
        return;
    }
#endif
    snprintf(buf, n, "openblas");
}
