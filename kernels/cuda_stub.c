/* cuda_stub.c — the CUDA backend symbols for builds without nvcc (CUDA=0).
 * Every entry point that could be reached reports that CUDA is not built in. */
#include <stdio.h>
#include "cuda_backend.h"

int cuda_available(char *err, size_t errlen) {
    snprintf(err, errlen, "this build has no CUDA support (rebuild with nvcc present or CUDA=1)");
    return -1;
}
int cuda_net_attach(struct Net *net, char *err, size_t errlen) {
    (void)net;
    return cuda_available(err, errlen);
}
void cuda_net_detach(struct Net *net) { (void)net; }
const float *cuda_net_forward(struct Net *net, const float *x, int B, int training) {
    (void)net; (void)x; (void)B; (void)training; return NULL;
}
void cuda_net_backward(struct Net *net, const float *dlogits, int B, int layer, const float *extra) {
    (void)net; (void)dlogits; (void)B; (void)layer; (void)extra;
}
void cuda_net_zero_grad(struct Net *net) { (void)net; }
void cuda_net_sync_to_host(struct Net *net) { (void)net; }
void cuda_net_sync_to_device(struct Net *net) { (void)net; }
void cuda_optim_step(struct Net *net, struct Optim *o, const uint8_t *mask) { (void)net; (void)o; (void)mask; }
const float *cuda_net_layer_output(struct Net *net, int i, int B) { (void)net; (void)i; (void)B; return NULL; }
long cuda_transfer_count(void) { return 0; }
