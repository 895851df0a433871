/* test_cuda_fallback.c — device selection without a usable GPU (runs in CI).
 *
 * When cuda_available() fails (no GPU, no driver, or a CUDA=0 build):
 *   - net_set_device(net, "auto") succeeds and leaves the net on the CPU;
 *   - net_set_device(net, "cuda") returns -1 with ONE line in err naming the reason;
 *   - the net still works on the CPU afterwards, and the cuda_ops.h entry points
 *     refuse a CPU net (-1 / NULL) instead of touching it.
 * On a machine with a GPU the same calls must put the net on the device. */
#include "test.h"
#include "net.h"
#include "cuda_backend.h"
#include "cuda_ops.h"

static const char *SPEC =
    "input 1 8 8\n"
    "conv 4 k=3 pad=1\n"
    "relu\n"
    "maxpool k=2\n"
    "flatten\n"
    "linear classes\n";

static int one_line(const char *s) {
    return s[0] != 0 && strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

int main(void) {
    char err[256] = "", why[256] = "";
    Net *net = net_parse(SPEC, "<fallback>", 0, 0, 0, 3, err, sizeof err);
    CHECKF(net != NULL, "%s", err);
    if (!net) TEST_DONE("test_cuda_fallback");
    net_init(net, 7);

    int have_gpu = cuda_available(why, sizeof why) == 0;
    if (!have_gpu) {
        CHECKF(one_line(why), "cuda_available message: '%s'", why);
        CHECKF(strstr(why, "CUDA") != NULL, "message should name CUDA: '%s'", why);

        /* auto: quiet fallback to the CPU */
        err[0] = 0;
        CHECK(net_set_device(net, "auto", err, sizeof err) == 0);
        CHECK(net->device == DEVICE_CPU);
        CHECK(net->dev == NULL);

        /* cuda: a refusal in one line */
        err[0] = 0;
        CHECK(net_set_device(net, "cuda", err, sizeof err) == -1);
        CHECKF(one_line(err), "net_set_device message: '%s'", err);
        CHECKF(strstr(err, "cuda") != NULL || strstr(err, "CUDA") != NULL, "message: '%s'", err);
        CHECK(net->device == DEVICE_CPU);
        CHECK(net->dev == NULL);

        /* a small err buffer is truncated, never overrun */
        char small[16];
        memset(small, 'x', sizeof small);
        CHECK(net_set_device(net, "cuda", small, 12) == -1);
        CHECK(memchr(small, 0, 12) != NULL);
        CHECK(small[12] == 'x');

        /* attaching directly fails cleanly too */
        err[0] = 0;
        if (cuda_net_attach(net, err, sizeof err) != 0) {
            CHECKF(one_line(err), "cuda_net_attach message: '%s'", err);
            CHECK(net->dev == NULL);
        } else {
            /* a driver that counts no device may still let attach through: undo it */
            cuda_net_detach(net);
        }

        /* explicit cpu is always fine */
        CHECK(net_set_device(net, "cpu", err, sizeof err) == 0);
        CHECK(net->device == DEVICE_CPU);
    } else {
        printf("a CUDA device is present: checking that the net moves there\n");
        CHECKF(net_set_device(net, "auto", err, sizeof err) == 0, "%s", err);
        CHECK(net->device == DEVICE_CUDA);
        CHECK(net_set_device(net, "cpu", err, sizeof err) == 0);
        CHECK(net->device == DEVICE_CPU);
        CHECKF(net_set_device(net, "cuda", err, sizeof err) == 0, "%s", err);
        CHECK(net->device == DEVICE_CUDA);
        CHECK(net_set_device(net, "cpu", err, sizeof err) == 0);
    }

    /* unknown device names are refused in one line whatever the hardware */
    err[0] = 0;
    CHECK(net_set_device(net, "tpu", err, sizeof err) == -1);
    CHECKF(one_line(err), "'%s'", err);

    /* the net still runs on the CPU */
    float x[2 * 64];
    for (int i = 0; i < 2 * 64; i++) x[i] = (float)((i * 37) % 17) / 17.0f - 0.5f;
    const float *y = net_forward(net, x, 2, 0);
    CHECK(y != NULL);
    int finite = 1;
    for (int i = 0; y && i < 2 * 3; i++) finite &= isfinite(y[i]) != 0;
    CHECK(finite);

    /* the device entry points refuse a CPU net */
    CHECK(cuda_vec_new(net, net->n_params) == NULL);
    float *tmp = calloc(net->n_params, sizeof(float));
    uint8_t *mask = calloc(net->n_params, 1);
    CHECK(cuda_ssd_dampen_host(net, tmp, tmp, 10.0f, 1.0f) == -1);
    CHECK(cuda_restore_frozen_host(net, tmp, mask, NULL) == -1);
    CHECK(cuda_saliency_accumulate_host(net, tmp, 0, 1.0f) == -1);
    CHECK(cuda_net_upload_grads(net) == -1);
    free(tmp);
    free(mask);

    net_free(net);
    TEST_DONE("test_cuda_fallback");
}
