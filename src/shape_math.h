/* shape_math.h — checked 64-bit shape and size arithmetic, with sane limits per dimension and per buffer.
 *
 * Every size that comes from a file (net spec, checkpoint, IDX header, ...) goes through
 * these functions before it is multiplied, added or allocated: no signed overflow, no
 * wrap-around, nothing larger than the limits below.
 *
 *   SHAPE_MAX_DIM     one dimension: channels, height, width, kernel, stride, padding
 *   SHAPE_MAX_NUMEL   elements of one sample's activation in one layer (c*h*w); small
 *                     enough that it and every product of its factors fits an int
 *   SHAPE_MAX_BUFFER  elements of one buffer (a weight tensor, all parameters)
 *
 * Checked core: return 0 and write *out, or return -1 (operand negative, overflow or
 * result above the limit) and leave *out untouched.
 * Flag forms (_f) are for one-line expression sites: on failure they set *ovf = 1 and
 * return 1, a harmless placeholder the caller must not use once *ovf is set. */
#ifndef SHAPE_MATH_H
#define SHAPE_MATH_H
#include <stddef.h>
#include <stdint.h>

#define SHAPE_MAX_DIM    ((int64_t)1 << 24)
#define SHAPE_MAX_NUMEL  ((int64_t)1 << 28)
#define SHAPE_MAX_BUFFER ((int64_t)1 << 32)

int shape_mul(int64_t *out, int64_t a, int64_t b, int64_t limit);
int shape_add(int64_t *out, int64_t a, int64_t b, int64_t limit);
/* product of nd dims, each in [0, SHAPE_MAX_DIM] */
int shape_numel(int64_t *out, const int64_t *dims, int nd, int64_t limit);
/* conv/pool output along one axis, (in + 2*pad - k) / stride + 1, in 64 bits.
 * in, k, pad in [0, SHAPE_MAX_DIM], stride in [1, SHAPE_MAX_DIM]; the result may be
 * <= 0 (an empty output, for the caller to refuse) but not above SHAPE_MAX_DIM. */
int shape_conv_out(int64_t *out, int64_t in, int64_t k, int64_t stride, int64_t pad);

/* flag forms */
int shape_conv_out_f(int in, int k, int stride, int pad, int *ovf);
/* c*h*w of one sample, each factor in [1, SHAPE_MAX_DIM] (c up to SHAPE_MAX_NUMEL), <= SHAPE_MAX_NUMEL */
int shape_chw_f(int c, int h, int w, int *ovf);
/* a*b*c*d elements of one buffer, <= SHAPE_MAX_BUFFER (pass 1 for unused factors) */
size_t shape_buf_f(int64_t a, int64_t b, int64_t c, int64_t d, int *ovf);
#endif
