/* driver.h — the command dispatcher: `<program> COMMAND [options]` for a modality. */
#ifndef DRIVER_H
#define DRIVER_H
#include "modality.h"
/* Dispatch argv[1] (pretrain, eval, forget, info, --help) to its command.  Returns the exit status. */
int driver_main(const Modality *m, int argc, char **argv);
#endif
