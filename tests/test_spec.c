/* test_spec.c — the net spec parser: shapes, parameter layout, and one clear
 * line-numbered error for each kind of bad spec. */
#include "test.h"
#include "net.h"

static void expect_error(const char *spec, const char *needle) {
    char err[256] = "";
    Net *n = net_parse(spec, "t.net", 0, 0, 0, 9, err, sizeof err);
    CHECKF(n == NULL, "spec should be refused: %s", spec);
    CHECKF(strstr(err, needle) != NULL, "error '%s' should contain '%s'", err, needle);
    CHECKF(strchr(err, '\n') == NULL, "error is one line: '%s'", err);
    net_free(n);
}

int main(void) {
    char err[256];
    Net *seed = net_load_spec_file("vision/nets/seed.net", 0, 0, 0, 9, err, sizeof err);
    CHECKF(seed != NULL, "%s", err);
    if (seed) {
        CHECK(seed->n_layers == 19);
        /* 28 -> conv p2 30 -> 32 -> pool 16 -> 18 -> 20 -> pool 10 -> conv5 p3 12 -> avg 6 -> conv5 p2 6 */
        CHECK(seed->layers[0].out_h == 30 && seed->layers[2].out_h == 32 && seed->layers[4].out_h == 16);
        CHECK(seed->layers[10].out_h == 12 && seed->layers[13].out_h == 6 && seed->layers[14].out_h == 6);
        CHECK(seed->layers[14].out_c == 256 && seed->n_classes == 9);
        CHECK(seed->layers[0].b_len == 0 && seed->layers[2].b_len == 32);
        double mf = net_forward_flops(seed) / 1e6;
        CHECKF(mf > 170 && mf < 190, "seed net forward MFLOP %.1f (expected ~180)", mf);
        /* parameters: the flat buffer holds exactly the tensors net_tensors lists */
        NetTensor T[64];
        int nt = net_tensors(seed, T, 64);
        size_t total = 0;
        for (int i = 0; i < nt; i++) if (!T[i].is_stat) total += T[i].len;
        CHECK(total == seed->n_params);
        CHECK(nt == 18); /* 7 conv/linear weights + 3 biases + 2 bn x 4 */
        net_free(seed);
    }
    Net *small = net_load_spec_file("vision/nets/small.net", 0, 0, 0, 9, err, sizeof err);
    CHECKF(small != NULL, "%s", err);
    net_free(small);

    /* input override: the same spec on another input size */
    Net *o = net_parse("input 1 28 28\nconv 4 k=3\ngap\nlinear classes\n", "t", 1, 40, 96, 5, err, sizeof err);
    CHECKF(o && o->layers[0].out_h == 38 && o->layers[0].out_w == 94, "override");
    net_free(o);

    expect_error("input 1 28 28\nconv3d 8\nlinear classes\n", "t.net:2: unknown layer 'conv3d'");
    expect_error("input 1 28 28\nconv 8 k=3 colour=2\ngap\nlinear classes\n", "t.net:2: option 'colour'");
    expect_error("input 1 28 28\nconv 8 k=x\ngap\nlinear classes\n", "t.net:2: bad value 'x'");
    expect_error("input 1 28 28\nconv 8 k=3\nlinear classes\n", "t.net:3: linear needs flatten or gap");
    expect_error("input 1 28 28\nconv 8 k=3\ngap\n", "the last layer must be 'linear'");
    expect_error("conv 8 k=3\ngap\nlinear classes\n", "t.net:1: the spec must start with 'input C H W'");
    expect_error("input 1 4 4\nconv 8 k=7\ngap\nlinear classes\n", "t.net:2: output size");
    expect_error("input 1 28 28\nconv 8\ngap\nlinear 5\n", "the net has 5 outputs but there are 9 classes");
    expect_error("input 1 28\nconv 8\ngap\nlinear classes\n", "t.net:1: expected 'input C H W'");
    expect_error("", "no layers");
    CHECK(net_load_spec_file("/nonexistent/x.net", 0, 0, 0, 9, err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/x.net") != NULL);
    /* net_spec_check: the words only, before any data (no input line needed, no shapes) */
    CHECK(net_spec_check("conv 8 k=3\ngap\nlinear classes\n", "t.net", err, sizeof err) == 0);
    CHECK(net_spec_check("input 1 4 4\nconv 8 k=7\ngap\nlinear classes\n", "t.net", err, sizeof err) == 0);
    CHECK(net_spec_check("", "t.net", err, sizeof err) == -1 && strstr(err, "t.net: no layers"));
    CHECK(net_spec_check("# only a comment\n", "t.net", err, sizeof err) == -1 && strstr(err, "no layers"));
    CHECK(net_spec_check("conv 8\nconv9 3\nlinear classes\n", "t.net", err, sizeof err) == -1 &&
          strstr(err, "t.net:2: unknown layer 'conv9'"));
    CHECK(net_spec_check("conv 8 k=x\nlinear classes\n", "t.net", err, sizeof err) == -1 && strstr(err, "t.net:1: bad value"));
    CHECK(net_spec_check("conv 8\ngap\n", "t.net", err, sizeof err) == -1 && strstr(err, "the last layer must be 'linear'"));
    CHECK(net_spec_check("conv 8\ninput 1 2 2\nlinear 3\n", "t.net", err, sizeof err) == -1 &&
          strstr(err, "'input' must come before"));
    /* words from the file are escaped in the message */
    CHECK(net_spec_check("conv 8\n\x1b[2Jx 3\nlinear 3\n", "t.net", err, sizeof err) == -1 && strstr(err, "\\x1b[2Jx") &&
          !strchr(err, 0x1b));
    TEST_DONE("test_spec");
}
