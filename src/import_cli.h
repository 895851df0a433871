/* import_cli.h — `<program> import` / `<program> export`: PyTorch state dicts in and out (torch_names.h). */
#ifndef IMPORT_CLI_H
#define IMPORT_CLI_H
#include "modality.h"
/* argv[1] is "import" / "export".  Return the exit status (0, 1 refused file or failed write, 2 usage). */
int cmd_import(const Modality *m, int argc, char **argv);
int cmd_export(const Modality *m, int argc, char **argv);
#endif
