/* cuda_ops.h — device entry points for the unlearning engine (CUDA backend).
 *
 * Everything here acts on a net that lives on the GPU (net->device == DEVICE_CUDA,
 * after net_set_device(net, "cuda" | "auto")): its parameters, gradients and
 * optimiser state stay on the device, and these calls work on them there, so a
 * method never has to bring the flat buffers to the host between steps.
 *
 * CudaVec is a float array in GPU memory (usually n_params long: importance
 * scores, original weights) tied to one net (its stream).  Free every CudaVec
 * before the net leaves the GPU (net_set_device "cpu" or net_free).
 *
 * Return values: 0 (or a count) on success; -1 (NULL for constructors) when the
 * net is not on the GPU, a length does not match, or the build has no CUDA —
 * then the caller does the same work on the host buffers.  In builds without
 * CUDA (CUDA=0, USE_CUDA undefined) every function is an inline stub that
 * returns -1 / NULL, so callers need no #ifdef.
 *
 * Optimiser state: cuda_optim_step (cuda_backend.h) keeps device copies of o->m
 * and o->v and mirrors o->t (it also counts SGD steps in o->t, which SGD does
 * not otherwise use, so that optim_reset_state — t = 0 — is noticed).  When o->t
 * differs from the value after the last device step, the host state is
 * uploaded again.  The host arrays are NOT updated by device steps: call
 * cuda_optim_sync_to_host before reading o->m / o->v, and
 * cuda_optim_sync_to_device after writing them without changing o->t.
 */
#ifndef CUDA_OPS_H
#define CUDA_OPS_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
struct Net;
struct Optim;
typedef struct CudaVec CudaVec;

#if defined(USE_CUDA) || defined(__CUDACC__)

/* ---- device vectors ---- */
CudaVec *cuda_vec_new(struct Net *net, size_t n);           /* zero-filled; NULL on failure */
void cuda_vec_free(CudaVec *v);
size_t cuda_vec_len(const CudaVec *v);
int cuda_vec_upload(CudaVec *v, const float *host);         /* n floats host -> device */
int cuda_vec_download(const CudaVec *v, float *host);       /* n floats device -> host */
int cuda_vec_zero(CudaVec *v);
int cuda_vec_copy_params(CudaVec *v);                       /* v = the net's current parameters */

/* ---- unlearning primitives over the flat buffers ----
 * saliency: acc[i] += scale*|g[i]| (squared = 0) or scale*g[i]^2 (squared = 1), g = the
 * net's device gradients (net_backward accumulates them; net_zero_grad clears them). */
int cuda_saliency_accumulate(CudaVec *acc, int squared, float scale);
/* SSD dampening: where I_f[i] > alpha*I_D[i], params[i] *= min(lambda*I_D[i]/I_f[i], 1).
 * Returns the number of parameters scaled (factor < 1; ssd.c counts the same), or -1. */
long cuda_ssd_dampen(struct Net *net, const CudaVec *I_D, const CudaVec *I_f, float alpha, float lambda);
/* restore frozen weights: where mask[i] == 0 (host mask, n_params bytes), params[i] = orig[i],
 * and when o != NULL that optimiser's device state m[i] = v[i] = 0. */
int cuda_restore_frozen(struct Net *net, const CudaVec *orig, const uint8_t *mask, struct Optim *o);

/* host-array conveniences for the same operations (upload / download per call) */
int cuda_saliency_accumulate_host(struct Net *net, float *acc, int squared, float scale);
long cuda_ssd_dampen_host(struct Net *net, const float *I_D, const float *I_f, float alpha, float lambda);
int cuda_restore_frozen_host(struct Net *net, const float *orig, const uint8_t *mask, struct Optim *o);

/* ---- state transfers ---- */
int cuda_optim_sync_to_host(struct Net *net, struct Optim *o);   /* device m/v -> o->m / o->v */
int cuda_optim_sync_to_device(struct Net *net, struct Optim *o); /* o->m / o->v -> device */
int cuda_net_upload_grads(struct Net *net);                      /* net->grads -> device grads */
int cuda_net_wait(struct Net *net);                              /* wait for the net's queued GPU work */

/* ---- information ---- */
/* Device name, SM count, peak SM clock (kHz), compute capability; 0 or -1. */
int cuda_device_props(char *name, size_t namelen, int *sm_count, int *clock_khz, int *cc_major, int *cc_minor);
/* One line per conv layer: the cuDNN algorithms and math types in use. */
int cuda_net_describe(struct Net *net, char *buf, size_t len);
int cuda_strict_mode(struct Net *net);                           /* 1 if attached with UNLEARN_CUDA_STRICT=1 */
/* "CUDA runtime 13.0, driver 13.0, cuDNN 9.19.0, cuBLAS 13.0.0" */
int cuda_library_versions(char *buf, size_t len);

#else  /* no CUDA in this build: stubs */

static inline CudaVec *cuda_vec_new(struct Net *net, size_t n) { (void)net; (void)n; return NULL; }
static inline void cuda_vec_free(CudaVec *v) { (void)v; }
static inline size_t cuda_vec_len(const CudaVec *v) { (void)v; return 0; }
static inline int cuda_vec_upload(CudaVec *v, const float *h) { (void)v; (void)h; return -1; }
static inline int cuda_vec_download(const CudaVec *v, float *h) { (void)v; (void)h; return -1; }
static inline int cuda_vec_zero(CudaVec *v) { (void)v; return -1; }
static inline int cuda_vec_copy_params(CudaVec *v) { (void)v; return -1; }
static inline int cuda_saliency_accumulate(CudaVec *a, int sq, float sc) { (void)a; (void)sq; (void)sc; return -1; }
static inline long cuda_ssd_dampen(struct Net *n, const CudaVec *d, const CudaVec *f, float a, float l) {
    (void)n; (void)d; (void)f; (void)a; (void)l; return -1;
}
static inline int cuda_restore_frozen(struct Net *n, const CudaVec *o, const uint8_t *m, struct Optim *op) {
    (void)n; (void)o; (void)m; (void)op; return -1;
}
static inline int cuda_saliency_accumulate_host(struct Net *n, float *a, int sq, float sc) {
    (void)n; (void)a; (void)sq; (void)sc; return -1;
}
static inline long cuda_ssd_dampen_host(struct Net *n, const float *d, const float *f, float a, float l) {
    (void)n; (void)d; (void)f; (void)a; (void)l; return -1;
}
static inline int cuda_restore_frozen_host(struct Net *n, const float *o, const uint8_t *m, struct Optim *op) {
    (void)n; (void)o; (void)m; (void)op; return -1;
}
static inline int cuda_optim_sync_to_host(struct Net *n, struct Optim *o) { (void)n; (void)o; return -1; }
static inline int cuda_optim_sync_to_device(struct Net *n, struct Optim *o) { (void)n; (void)o; return -1; }
static inline int cuda_net_upload_grads(struct Net *n) { (void)n; return -1; }
static inline int cuda_net_wait(struct Net *n) { (void)n; return -1; }
static inline int cuda_device_props(char *name, size_t namelen, int *sm, int *clk, int *ma, int *mi) {
    (void)sm; (void)clk; (void)ma; (void)mi;
    if (name && namelen) name[0] = 0;
    return -1;
}
static inline int cuda_net_describe(struct Net *n, char *b, size_t l) { (void)n; if (b && l) b[0] = 0; return -1; }
static inline int cuda_strict_mode(struct Net *n) { (void)n; return 0; }
static inline int cuda_library_versions(char *b, size_t l) { if (b && l) b[0] = 0; return -1; }

#endif
#ifdef __cplusplus
}
#endif
#endif
