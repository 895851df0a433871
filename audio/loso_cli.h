/* loso_cli.h — `speech-unlearn loso`: leave-one-speaker-out, every fold, one table. */
#ifndef LOSO_CLI_H
#define LOSO_CLI_H
#include "modality.h"
/* argv[1] is "loso".  Returns the exit status. */
int cmd_loso(const Modality *m, int argc, char **argv);
#endif
