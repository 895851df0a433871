/* fuzz_safetensors — libFuzzer harness: st_read and lookups on what it accepts. */
#include "fuzz_common.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_as_file(data, size);
    char err[512];
    StFile f;
    if (st_read(path, &f, err, sizeof err) == 0) {
        volatile float sink = 0;
        for (int i = 0; i < f.nt; i++) {
            if (st_find(&f, f.t[i].name) == NULL) abort();
            if (f.t[i].len) sink += f.t[i].data[0] + f.t[i].data[f.t[i].len - 1];
        }
        for (int i = 0; i < f.nm; i++) (void)st_meta(&f, f.meta[i].key);
        (void)sink;
        st_free(&f);
    }
    return 0;
}
