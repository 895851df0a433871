/* cuda_backend.h — the GPU twin of the CPU backend (CUDA runtime + cuDNN + cuBLAS).
 *
 * net.c calls these when net->device == DEVICE_CUDA.  The parameter buffer, its
 * gradients, bn statistics, masks and optimiser state live on the device as single
 * allocations (mirroring net->params/grads/stats); net_sync_to_host/device copy
 * them.  Without CUDA (CUDA=0, or no nvcc) kernels/cuda_stub.c provides the same
 * symbols: cuda_available() then fails with a clear message.
 */
#ifndef CUDA_BACKEND_H
#define CUDA_BACKEND_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
struct Net;
struct Optim;

/* 0 if a usable CUDA device is present; otherwise -1 and one line in err
 * ("no CUDA device: <driver message>" or "built without CUDA support"). */
int cuda_available(char *err, size_t errlen);
/* Move net to the device (allocate, upload params/stats). 0 or -1 with err. */
int cuda_net_attach(struct Net *net, char *err, size_t errlen);
void cuda_net_detach(struct Net *net);
/* Same contract as net_forward/net_backward; x and dlogits are host arrays,
 * the returned logits are a host copy ([B][n_classes] only; no other
 * activation leaves the device). */
const float *cuda_net_forward(struct Net *net, const float *x, int B, int training);
/* extra (may be NULL): a gradient [B][size of layer `layer`'s output] added where that output's gradient arrives */
void cuda_net_backward(struct Net *net, const float *dlogits, int B, int layer, const float *extra);
void cuda_net_zero_grad(struct Net *net);
void cuda_net_sync_to_host(struct Net *net);    /* params, grads, stats -> host */
void cuda_net_sync_to_device(struct Net *net);  /* params, stats -> device */
/* Masked SGD/Adam step on the device copies (state mirrors o->m / o->v). */
void cuda_optim_step(struct Net *net, struct Optim *o, const uint8_t *mask);
/* Layer output i of the last forward, copied to host (for feature probes). */
const float *cuda_net_layer_output(struct Net *net, int i, int B);
/* Whole-buffer host<->device copies so far, process-wide (see net_transfer_count in net.h
 * for what counts); 0 in builds without CUDA. */
long cuda_transfer_count(void);
#ifdef __cplusplus
}
#endif
#endif
