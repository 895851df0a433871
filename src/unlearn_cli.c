/* unlearn_cli.c — forget / eval --forget commands (being written: see unlearn_cli.h). */
#include "unlearn_cli.h"
#include <stdio.h>
int cmd_forget(const Modality *m, int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "%s forget: not implemented yet\n", m->program);
    return 2;
}
