/* eval_unlearn_cli.h — `<program> eval --forget C`: every unlearning metric of a checkpoint. */
#ifndef EVAL_UNLEARN_CLI_H
#define EVAL_UNLEARN_CLI_H
#include "cli.h"
#include "modality.h"
/* o: the parsed options of 'eval' (eval_cli.c).  Returns the exit status. */
int cmd_eval_unlearn(const Modality *m, const CliOpt *o);
#endif
