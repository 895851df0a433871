/* fuzz_netspec — libFuzzer harness: the net spec parser.  Byte 0 is the class count
 * (0: none given), the rest the spec text; a net it accepts gets initialised and a
 * forward/backward pass when small.  (The repro files net_flatten_ovf and net_pad_ovf use this layout.) */
#include "fuzz_common.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int n_classes = data[0] % 65;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    char err[512];
    Net *net = net_parse(text, "fuzz.net", 0, 0, 0, n_classes, err, sizeof err);
    if (net) {
        /* a valid but huge net (e.g. a 1000 x 100000 input into a linear layer: 3e8 weights) is
         * parsed, not initialised: drawing its weights takes longer than the harness's timeout */
        if (net->n_params <= (1u << 20)) {
            net_init(net, 1);
            fuzz_run_net(net);
        }
        net_free(net);
    } else if (strchr(err, '\n') && !strchr(text, '\n')) {
        abort();
    }
    free(text);
    return 0;
}
