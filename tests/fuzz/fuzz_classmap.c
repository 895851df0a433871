/* fuzz_classmap — libFuzzer harness: classmap_parse (byte 0: max class), slot lookups
 * and classmap_format of what it accepts. */
#include "fuzz_common.h"
#include "classmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;
    ClassMap m;
    char err[256];
    if (classmap_parse(&m, s, data[0], err, sizeof err) == 0) {
        if (m.n_slots < 1 || m.n_slots > MAX_SLOTS) abort();
        for (int c = -1; c <= 256; c++) {
            int k = classmap_slot(&m, c);
            if (k >= 0 && m.slot_class[k] != c) abort();
        }
        char buf[512];
        classmap_format(&m, buf, sizeof buf);
    }
    free(s);
    return 0;
}
