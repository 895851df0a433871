/* unlearn_cli.h — the unlearning commands of the shared driver:
 *   forget: run one unlearning method on a checkpoint, write the new checkpoint;
 *   eval --forget C [--learn C] [--reference R]: every unlearning metric. */
#ifndef UNLEARN_CLI_H
#define UNLEARN_CLI_H
#include "modality.h"
int cmd_forget(const Modality *m, int argc, char **argv);
/* o: the parsed options of 'eval' (see driver.c cmd_eval). */
int cmd_eval_unlearn(const Modality *m, const CliOpt *o);
#endif
