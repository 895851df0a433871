/* info_cli.c — `<program> info`: what a checkpoint holds (spec, class slots, size). */
#include "info_cli.h"
#include "services.h"
#include "cli.h"
#include "escape.h"
#include <stdio.h>
#include <string.h>

/* The stored spec line by line, each line escaped (it is text from the file). */
static void print_spec(const char *spec) {
    for (const char *p = spec; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[4 * 512 + 8];
        printf("%s\n", escape_mem(line, sizeof line, p, n));
        p = eol ? eol + 1 : p + n;
    }
}

int cmd_info(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"model", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s info: %s\n", m->program, err); return 2; }
    if (cli_flag(o, "help")) {
        printf("usage: %s info --model FILE\n\nPrint the net spec, class slots and size of a checkpoint.\n%s", m->program,
               CLI_EXIT_HELP);
        return 0;
    }
    const char *path = cli_str(o, "model", NULL);
    if (!path) { fprintf(stderr, "%s info: --model FILE is required\n", m->program); return 2; }
    ClassMap cm;
    Net *net = svc_load_model(m, path, &cm, err, sizeof err);
    if (!net) { fprintf(stderr, "%s info: %s\n", m->program, err); return 1; }
    char classes[256];
    classmap_format(&cm, classes, sizeof classes);
    printf("model      %s\nmodality   %s\nclasses    %s (slot order)\nparameters %zu\nMFLOP/sample %.2f\n"
           "input      %dx%dx%d\nspec:\n", esc(path), m->name, classes, net->n_params, net_forward_flops(net) / 1e6,
           net->in_c, net->in_h, net->in_w);
    print_spec(net->spec);
    net_free(net);
    return 0;
}
