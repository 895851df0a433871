/* shape_math.c — checked 64-bit shape arithmetic (see shape_math.h). */
#include "shape_math.h"

int shape_mul(int64_t *out, int64_t a, int64_t b, int64_t limit) {
    if (a < 0 || b < 0 || limit < 0) return -1;
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > limit) return -1;
    *out = r;
    return 0;
}

int shape_add(int64_t *out, int64_t a, int64_t b, int64_t limit) {
    if (a < 0 || b < 0 || limit < 0) return -1;
    int64_t r;
    if (__builtin_add_overflow(a, b, &r) || r > limit) return -1;
    *out = r;
    return 0;
}

int shape_numel(int64_t *out, const int64_t *dims, int nd, int64_t limit) {
    if (nd < 0 || (nd > 0 && !dims)) return -1;
    int64_t r = 1;
    for (int i = 0; i < nd; i++) {
        if (dims[i] < 0 || dims[i] > SHAPE_MAX_DIM) return -1;
        if (shape_mul(&r, r, dims[i], limit)) return -1;
    }
    if (r > limit) return -1;
    *out = r;
    return 0;
}

int shape_conv_out(int64_t *out, int64_t in, int64_t k, int64_t stride, int64_t pad) {
    if (in < 0 || in > SHAPE_MAX_DIM || k < 0 || k > SHAPE_MAX_DIM || pad < 0 || pad > SHAPE_MAX_DIM ||
        stride < 1 || stride > SHAPE_MAX_DIM)
        return -1;
    /* all operands <= 2^24: no overflow possible in 64 bits */
    int64_t span = in + 2 * pad - k;
    int64_t r = span >= 0 ? span / stride + 1 : -((-span + stride - 1) / stride) + 1;
    /* (C's truncating division of a negative span would round toward zero; floor it
     * so an empty output is always <= 0 as with the usual formula's intent) */
    if (r > SHAPE_MAX_DIM) return -1;
    *out = r;
    return 0;
}

int shape_conv_out_f(int in, int k, int stride, int pad, int *ovf) {
    int64_t r;
    if (shape_conv_out(&r, in, k, stride, pad)) { *ovf = 1; return 1; }
    return (int)r;
}

int shape_chw_f(int c, int h, int w, int *ovf) {
    int64_t r;
    if (c < 1 || h < 1 || w < 1 || c > SHAPE_MAX_NUMEL || h > SHAPE_MAX_DIM || w > SHAPE_MAX_DIM ||
        shape_mul(&r, c, h, SHAPE_MAX_NUMEL) || shape_mul(&r, r, w, SHAPE_MAX_NUMEL)) {
        *ovf = 1;
        return 1;
    }
    return (int)r;
}

size_t shape_buf_f(int64_t a, int64_t b, int64_t c, int64_t d, int *ovf) {
    int64_t r;
    if (shape_mul(&r, a, b, SHAPE_MAX_BUFFER) || shape_mul(&r, r, c, SHAPE_MAX_BUFFER) ||
        shape_mul(&r, r, d, SHAPE_MAX_BUFFER)) {
        *ovf = 1;
        return 1;
    }
    return (size_t)r;
}
