/* mnist_main.c — bin/mnist-unlearn: the vision CLI, a thin front end over the shared driver. */
#include "mnist_modality.h"
#include "driver.h"
int main(int argc, char **argv) { return driver_main(&mnist_modality, argc, argv); }
