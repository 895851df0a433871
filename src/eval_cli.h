/* eval_cli.h — `<program> eval`: accuracy per class, confusion matrix, JSON; unlearning metrics with --forget. */
#ifndef EVAL_CLI_H
#define EVAL_CLI_H
#include "modality.h"
/* argv[1] is "eval".  Returns the exit status. */
int cmd_eval(const Modality *m, int argc, char **argv);
#endif
