/* unlearn_cli.h — `<program> forget`: run one unlearning method on a checkpoint, write the new checkpoint. */
#ifndef UNLEARN_CLI_H
#define UNLEARN_CLI_H
#include "modality.h"
/* argv[1] is "forget".  Returns the exit status (0, 1 failure, 2 usage). */
int cmd_forget(const Modality *m, int argc, char **argv);
#endif
