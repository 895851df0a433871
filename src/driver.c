/* driver.c — the command dispatcher shared by every modality (the top of the house; see driver.h):
 *   <program> pretrain  pretrain_cli.c
 *   <program> eval      eval_cli.c (with --forget: eval_unlearn_cli.c)
 *   <program> forget    unlearn_cli.c
 *   <program> info      info_cli.c
 *   <program> import    import_cli.c (a PyTorch state dict in; the mapping is torch_names.c)
 *   <program> export    import_cli.c (a checkpoint out with PyTorch's names)
 * plus a modality's own commands (driver_main_with; speech-unlearn: audio/speech_main.c).
 */
#include "driver.h"
#include "cli.h"
#include "escape.h"
#include "eval_cli.h"
#include "import_cli.h"
#include "info_cli.h"
#include "pretrain_cli.h"
#include "unlearn_cli.h"
#include <stdio.h>
#include <string.h>

static void usage(const Modality *m, const DriverCommand *extra, FILE *f) {
    fprintf(f,
            "usage: %s COMMAND [options]\n\n"
            "Class unlearning for %s: forget one class a model learned and learn a new one in its slot.\n\n"
            "commands:\n"
            "  pretrain   train a model from scratch on a class list\n"
            "  eval       per-class accuracy, confusion matrix, unlearning metrics vs a reference\n"
            "  forget     make a model forget a class (and learn a new one in its slot)\n"
            "  info       show what a checkpoint holds\n"
            "  import     read a PyTorch state dict (safetensors) into a checkpoint\n"
            "  export     write a checkpoint as a PyTorch state dict\n",
            m->program, m->name);
    for (const DriverCommand *c = extra; c && c->name; c++) fprintf(f, "  %-11s%s\n", c->name, c->summary);
    fprintf(f, "\n'%s COMMAND --help' shows each command's options.\n", m->program);
    fputs(CLI_EXIT_HELP, f);
}

int driver_main(const Modality *m, int argc, char **argv) { return driver_main_with(m, NULL, argc, argv); }

int driver_main_with(const Modality *m, const DriverCommand *extra, int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(m, extra, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "pretrain")) return cmd_pretrain(m, argc, argv);
    if (!strcmp(cmd, "eval")) return cmd_eval(m, argc, argv);
    if (!strcmp(cmd, "forget")) return cmd_forget(m, argc, argv);
    if (!strcmp(cmd, "info")) return cmd_info(m, argc, argv);
    if (!strcmp(cmd, "import")) return cmd_import(m, argc, argv);
    if (!strcmp(cmd, "export")) return cmd_export(m, argc, argv);
    for (const DriverCommand *c = extra; c && c->name; c++)
        if (!strcmp(cmd, c->name)) return c->run(m, argc, argv);
    fprintf(stderr, "%s: unknown command '%s' (commands: pretrain, eval, forget, info, import, export", m->program,
            esc(cmd));
    for (const DriverCommand *c = extra; c && c->name; c++) fprintf(stderr, ", %s", c->name);
    fprintf(stderr, "; see --help)\n");
    return 2;
}
