/* mnist_modality.h — the vision modality (MNIST digits) for the shared driver. */
#ifndef MNIST_MODALITY_H
#define MNIST_MODALITY_H
#include "modality.h"
extern const Modality mnist_modality;
#endif
