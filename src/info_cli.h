/* info_cli.h — `<program> info`: what a checkpoint holds. */
#ifndef INFO_CLI_H
#define INFO_CLI_H
#include "modality.h"
/* argv[1] is "info".  Returns the exit status. */
int cmd_info(const Modality *m, int argc, char **argv);
#endif
