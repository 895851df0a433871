/* fuzz_idx — libFuzzer harness: the IDX reader (images, labels, and an image+label pair). */
#include "fuzz_common.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_as_file(data, size);
    char err[512];
    uint8_t *px = NULL; int n, r, c;
    if (idx_read_images(path, &px, &n, &r, &c, err, sizeof err) == 0) free(px);
    if (idx_read_labels(path, &px, &n, err, sizeof err) == 0) free(px);
    Dataset *d = idx_load_pair(path, path, 1, 10, err, sizeof err);   /* never both magics: refused */
    ds_free(d);
    return 0;
}
