/* activations.c — ReLU and leaky ReLU, elementwise over n values (OpenMP for
 * large n; every element is independent, so results never depend on threads). */
#include "layers.h"
#include "layers_internal.h"

void relu_forward(float *out, const float *in, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

void relu_backward(float *din, const float *dout, const float *in, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) din[i] = in[i] > 0.0f ? dout[i] : 0.0f;
}

void leaky_relu_forward(float *out, const float *in, size_t n, float slope) {
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : in[i] * slope;
}

void leaky_relu_backward(float *din, const float *dout, const float *in, size_t n, float slope) {
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) din[i] = in[i] > 0.0f ? dout[i] : dout[i] * slope;
}
