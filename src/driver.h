/* driver.h — the command dispatcher: `<program> COMMAND [options]` for a modality. */
#ifndef DRIVER_H
#define DRIVER_H
#include "modality.h"
/* Dispatch argv[1] (pretrain, eval, forget, info, --help) to its command.  Returns the exit status. */
int driver_main(const Modality *m, int argc, char **argv);

/* A command only one modality's program has (speech-unlearn's loso, eval-folder, ablate). */
typedef struct {
    const char *name;        /* "loso" */
    const char *summary;     /* one line for the program's --help */
    int (*run)(const Modality *m, int argc, char **argv);   /* argv[1] is name; returns the exit status */
} DriverCommand;
/* driver_main with extra commands (a table ended by a {NULL} entry; NULL: none), listed in --help. */
int driver_main_with(const Modality *m, const DriverCommand *extra, int argc, char **argv);
#endif
