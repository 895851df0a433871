/* mnist_modality.h — the vision modality (MNIST digits) for the shared driver. */
#ifndef MNIST_MODALITY_H
#define MNIST_MODALITY_H
#include "modality.h"
extern const Modality mnist_modality;
/* The folder holding the four MNIST IDX files: the data folder (find_data_dir: --data,
 * $UNLEARN_DATA, ../shared/datasets) then root/mnist, or root itself when --data names
 * the MNIST folder.  0 or -1 with err. */
int mnist_find_dir(const char *data_opt, char *out, size_t len, char *err, size_t errlen);
#endif
