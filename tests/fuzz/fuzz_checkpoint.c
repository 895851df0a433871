/* fuzz_checkpoint — libFuzzer harness: checkpoint_load (safetensors + stored spec +
 * every tensor against the net), then a forward/backward pass on the loaded net. */
#include "fuzz_common.h"
#include "checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_as_file(data, size);
    char err[512], modality[64];
    ClassMap cm;
    Net *net = checkpoint_load(path, &cm, modality, err, sizeof err);
    if (net) {
        fuzz_run_net(net);
        net_free(net);
    }
    return 0;
}
