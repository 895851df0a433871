/* test_shape_math — checked shape arithmetic: overflow, negative operands and the
 * per-dimension / per-buffer limits are refused; conv output sizes in 64 bits; the
 * net spec parser refuses the overflow reproducers with one line. */
#include "test.h"
#include "shape_math.h"
#include "layers.h"
#include "net.h"
#include <stdint.h>
#include <limits.h>

static void core(void) {
    int64_t r = -7;
    CHECK(shape_mul(&r, 3, 4, 100) == 0 && r == 12);
    r = -7;
    CHECK(shape_mul(&r, 11, 10, 100) == -1 && r == -7);           /* over the limit, *out untouched */
    CHECK(shape_mul(&r, INT64_MAX, 2, INT64_MAX) == -1);            /* overflow */
    CHECK(shape_mul(&r, (int64_t)1 << 32, (int64_t)1 << 32, INT64_MAX) == -1);
    CHECK(shape_mul(&r, -1, 4, 100) == -1 && shape_mul(&r, 4, -1, 100) == -1);
    CHECK(shape_mul(&r, 0, INT64_MAX, 0) == 0 && r == 0);
    CHECK(shape_add(&r, 5, 6, 11) == 0 && r == 11);
    CHECK(shape_add(&r, 5, 7, 11) == -1);
    CHECK(shape_add(&r, INT64_MAX, 1, INT64_MAX) == -1);
    CHECK(shape_add(&r, -1, 1, 10) == -1);
    int64_t d[4] = {64, 32, 3, 3};
    CHECK(shape_numel(&r, d, 4, SHAPE_MAX_BUFFER) == 0 && r == 18432);
    CHECK(shape_numel(&r, d, 0, SHAPE_MAX_BUFFER) == 0 && r == 1);
    int64_t big[3] = {SHAPE_MAX_DIM + 1, 1, 1};
    CHECK(shape_numel(&r, big, 3, INT64_MAX) == -1);               /* one dimension too large */
    int64_t many[4] = {SHAPE_MAX_DIM, SHAPE_MAX_DIM, SHAPE_MAX_DIM, SHAPE_MAX_DIM};
    CHECK(shape_numel(&r, many, 4, INT64_MAX) == -1);               /* 2^96 */
    CHECK(shape_numel(&r, many, 2, SHAPE_MAX_BUFFER) == -1);        /* 2^48 > buffer limit */
}

static void conv(void) {
    int64_t r;
    CHECK(shape_conv_out(&r, 28, 3, 1, 1) == 0 && r == 28);
    CHECK(shape_conv_out(&r, 28, 2, 2, 0) == 0 && r == 14);
    CHECK(shape_conv_out(&r, 28, 5, 1, 0) == 0 && r == 24);
    CHECK(shape_conv_out(&r, 1, 5, 1, 0) == 0 && r <= 0);           /* empty, for the caller */
    CHECK(shape_conv_out(&r, 2, 3, 2, 0) == 0 && r <= 0);           /* the window never fits */
    CHECK(shape_conv_out(&r, 100000000, 3, 1, 100000000) == -1);    /* net_pad_ovf: operands over the limit */
    CHECK(shape_conv_out(&r, SHAPE_MAX_DIM, 1, 1, SHAPE_MAX_DIM) == -1);  /* result over the limit */
    CHECK(shape_conv_out(&r, 28, 3, 0, 1) == -1 && shape_conv_out(&r, -1, 3, 1, 0) == -1);
    CHECK(conv_out_size(28, 3, 1, 1) == 28);
    CHECK(conv_out_size(100000000, 3, 1, 100000000) == -1);
    CHECK(conv_out_size(INT_MAX, 1, 1, INT_MAX) == -1);
    int ovf = 0;
    CHECK(shape_conv_out_f(28, 3, 1, 1, &ovf) == 28 && !ovf);
    CHECK(shape_conv_out_f(INT_MAX, 3, 1, INT_MAX, &ovf) == 1 && ovf);
}

static void flags(void) {
    int ovf = 0;
    CHECK(shape_chw_f(64, 7, 7, &ovf) == 3136 && !ovf);
    CHECK(shape_chw_f(5478275, 28, 28, &ovf) == 1 && ovf);          /* wrap304: 4.3e9 wraps an int */
    ovf = 0;
    CHECK(shape_chw_f(3000000, 28, 28, &ovf) == 1 && ovf);          /* flatten_ovf */
    ovf = 0;
    CHECK(shape_chw_f(100000, 100000, 1, &ovf) == 1 && ovf);        /* net_flatten_ovf */
    ovf = 0;
    CHECK(shape_chw_f(0, 1, 1, &ovf) == 1 && ovf);
    ovf = 0;
    CHECK(shape_buf_f(10, 3136, 1, 1, &ovf) == 31360 && !ovf);
    CHECK(shape_buf_f(100000000, 100000000, 1, 1, &ovf) == 1 && ovf);
    ovf = 0;
    CHECK(shape_buf_f(-1, 1, 1, 1, &ovf) == 1 && ovf);
}

static int refused(const char *spec, int n_classes, const char *want) {
    char err[512] = "";
    Net *n = net_parse(spec, "t.net", 0, 0, 0, n_classes, err, sizeof err);
    if (n) { net_free(n); fprintf(stderr, "  accepted: %s\n", spec); return 0; }
    if (!strstr(err, want) || strchr(err, '\n')) { fprintf(stderr, "  message '%s' lacks '%s'\n", err, want); return 0; }
    return 1;
}

static void specs(void) {
    CHECK(refused("input 1 28 28\nconv 5478275 k=1 bias=0\nflatten\nlinear classes\n", 10, "t.net:2: layer too large"));
    CHECK(refused("input 1 28 28\nconv 3000000 k=1\nflatten\nlinear classes\n", 10, "t.net:2: layer too large"));
    CHECK(refused("input 100000 100000 1\nflatten\nlinear 3\n", 3, "t.net:2: layer too large"));
    CHECK(refused("input 3 100000000 100000000\nconv 100 k=3 pad=100000000\nflatten\nlinear 3\n", 3, "t.net:2: layer too large"));
    CHECK(refused("input 1 16384 16384\nflatten\nlinear 100000\n", 3, "layer too large"));  /* 2^28 x 1e5 weights */
    CHECK(refused("input 1 28 28\nconv 8 k=3\nmaxpool k=100000000\nflatten\nlinear 3\n", 3, "layer too large"));
    char err[256];
    Net *n = net_parse("input 1 28 28\nconv 32 k=3 pad=1\nrelu\nmaxpool\nflatten\nlinear classes\n", "ok", 0, 0, 0, 10,
                       err, sizeof err);
    CHECKF(n != NULL, "%s", err);
    if (n) { CHECK(net_layer_size(n, 3) == 32 * 14 * 14 && n->n_params == 32 * 9 + 32 + 10 * 6272 + 10); net_free(n); }
}

int main(void) {
    core();
    conv();
    flags();
    specs();
    TEST_DONE("test_shape_math");
}
