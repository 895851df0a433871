/* fuzz_common.h — helpers shared by the libFuzzer harnesses: the input as a file
 * (an in-memory memfd, reached by its /proc/self/fd path, so readers that take a
 * path see a regular file), and a bounded forward/backward pass on a net. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "net.h"

/* Write data into this process's scratch memfd; returns its path (static). */
static inline const char *fuzz_as_file(const uint8_t *data, size_t size) {
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0) { perror("memfd_create"); abort(); }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0) abort();
    size_t off = 0;
    while (off < size) {
        ssize_t k = pwrite(fd, data + off, size - off, (off_t)off);
        if (k <= 0) abort();
        off += (size_t)k;
    }
    return path;
}

/* One training-mode forward + backward of a batch of 2, only for nets small enough
 * to run quickly (the parser's limits allow nets far too large for a fuzzer). */
static inline void fuzz_run_net(Net *net) {
    double acts = 0;
    for (int i = 0; i < net->n_layers; i++) acts += (double)net_layer_size(net, i);
    if (net->n_params > (1u << 20) || acts > (1 << 20) || net_forward_flops(net) > 5e7) return;
    const int B = 2;
    size_t in = (size_t)net->in_c * net->in_h * net->in_w;
    float *x = malloc(B * in * sizeof(float));
    float *g = malloc((size_t)B * net->n_classes * sizeof(float));
    if (!x || !g) { free(x); free(g); return; }
    for (size_t i = 0; i < B * in; i++) x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (int i = 0; i < B * net->n_classes; i++) g[i] = (i % 3) - 1.0f;
    net_forward(net, x, B, 1);
    net_zero_grad(net);
    net_backward(net, g, B);
    net_forward(net, x, B, 0);
    free(x); free(g);
}
#endif
