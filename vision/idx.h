/* idx.h — MNIST IDX files (gzip-compressed or plain; zlib reads both).
 *
 * Format: big-endian u32 magic 0x00000803 (unsigned bytes, 3 dims) for images
 * or 0x00000801 (1 dim) for labels, then the dims as big-endian u32, then the
 * bytes.  Readers refuse a wrong magic, zero or absurd dims, a file shorter
 * or longer than its header says, and image/label count mismatches, each with
 * one line naming the file. */
#ifndef IDX_H
#define IDX_H
#include <stddef.h>
#include <stdint.h>
#include "dataset.h"

#define IDX_MAGIC_IMAGES 0x00000803u
#define IDX_MAGIC_LABELS 0x00000801u
#define MNIST_MEAN 0.1307f
#define MNIST_STD  0.3081f

/* Raw readers: *out is malloc'd (caller frees).  0 or -1 with err. */
int idx_read_images(const char *path, uint8_t **out, int *n, int *rows, int *cols,
                    char *err, size_t errlen);
int idx_read_labels(const char *path, uint8_t **out, int *n, char *err, size_t errlen);

/* An image file + a label file -> Dataset [n][1][rows][cols], pixels scaled to
 * [0,1], or standardised ((p/255 - MNIST_MEAN) / MNIST_STD) when normalise is
 * set.  Labels must be < max_label (when max_label > 0). */
Dataset *idx_load_pair(const char *images, const char *labels, int normalise, int max_label,
                       char *err, size_t errlen);

/* Finds "<DIR>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]" (also the
 * "train-images.idx3-ubyte" spelling) and loads the train or test split;
 * labels must be digits 0..9. */
Dataset *mnist_load(const char *dir, int train, int normalise, char *err, size_t errlen);

/* Writes the path of the first existing candidate of an MNIST file into out;
 * which = "train-images-idx3-ubyte" etc.  0 if found, -1 if not. */
int mnist_find_file(const char *dir, const char *which, char *out, size_t outlen);
#endif
