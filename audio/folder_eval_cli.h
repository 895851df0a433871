/* folder_eval_cli.h — `speech-unlearn eval-folder`: a model against a folder of anyone's recordings. */
#ifndef FOLDER_EVAL_CLI_H
#define FOLDER_EVAL_CLI_H
#include "modality.h"
/* argv[1] is "eval-folder".  Returns the exit status. */
int cmd_eval_folder(const Modality *m, int argc, char **argv);
#endif
