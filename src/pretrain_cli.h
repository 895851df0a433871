/* pretrain_cli.h — `<program> pretrain`: train a model from scratch on a class list. */
#ifndef PRETRAIN_CLI_H
#define PRETRAIN_CLI_H
#include "modality.h"
/* argv[1] is "pretrain".  Returns the exit status (0, 1 failure, 2 usage). */
int cmd_pretrain(const Modality *m, int argc, char **argv);
#endif
