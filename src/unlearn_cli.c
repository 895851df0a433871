/* unlearn_cli.c — forget / eval --forget commands (being written: see unlearn_cli.h). */
#include "unlearn_cli.h"
#include <stdio.h>
int cmd_forget(const Modality *m, int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "%s forget: not implemented yet\n", m->program);
    return 2;
}
int cmd_eval_unlearn(const Modality *m, const CliOpt *o) {
    (void)o;
    fprintf(stderr, "%s eval --forget: not implemented yet\n", m->program);
    return 2;
}
