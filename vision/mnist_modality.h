/* mnist_modality.h — the vision modality (MNIST digits) for the shared driver. */
#ifndef MNIST_MODALITY_H
#define MNIST_MODALITY_H
#include "modality.h"
/* Transitional: tools/compare_main.c gets the command services (svc_set_threads, net_spec_text) through
 * this header; drop these two lines once it includes services.h and netspec.h itself. */
#include "services.h"
#include "netspec.h"
extern const Modality mnist_modality;
#endif
