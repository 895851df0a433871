/* ablate_cli.h — `speech-unlearn ablate`: what each piece of a recipe buys, on validation data only. */
#ifndef ABLATE_CLI_H
#define ABLATE_CLI_H
#include "modality.h"
/* argv[1] is "ablate".  Returns the exit status. */
int cmd_ablate(const Modality *m, int argc, char **argv);
#endif
