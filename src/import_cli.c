/* import_cli.c — `<program> import` (a PyTorch state dict in safetensors -> our checkpoint) and
 * `<program> export` (our checkpoint -> a state dict with PyTorch's names); the mapping is torch_names.c. */
#include "import_cli.h"
#include "checkpoint.h"
#include "cli.h"
#include "escape.h"
#include "netspec.h"
#include "safetensors.h"
#include "torch_names.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void import_help(const Modality *m) {
    printf("usage: %s import --torch FILE --net NAME|PATH [--classes LIST] --out FILE\n\n"
           "Read a safetensors file saved from a PyTorch state_dict (safetensors.torch.save_file(model.state_dict(), F))\n"
           "and write our checkpoint.  Tensors are matched to the net's conv, batchnorm and linear layers by module order\n"
           "and shape, whatever their names (num_batches_tracked is ignored); F16 and BF16 tensors are widened exactly\n"
           "to float32, other dtypes are refused.  Every mismatch is one line naming the tensor, its shape and the layer.\n\n"
           "  --torch FILE      the state dict (.safetensors)\n"
           "  --net NAME|PATH   our net spec of the same architecture (e.g. seed)\n"
           "  --classes LIST    the class of each output slot, in the module's output order (default %s)\n"
           "  --out FILE        the checkpoint to write\n\n"
           "Exit 0 imported, 1 file refused, 2 usage error.\n", m->program, m->default_classes);
}

static void export_help(const Modality *m) {
    printf("usage: %s export --model FILE --out FILE\n\n"
           "Write a checkpoint as a PyTorch state dict: layer i up to the last gap/flatten layer g is features.<i>,\n"
           "layer i > g is classifier.<i-g> (classifier = nn.Sequential(nn.Flatten(), ...)), so\n"
           "model.load_state_dict(safetensors.torch.load_file(FILE), strict=True) loads it into the same module\n"
           "(tools/torch_seed_example.py defines it for the seed net).  'import' reads the file back.\n",
           m->program);
}

/* Net of spec --net with the class count of --classes; 2 on a usage error. */
static int import_net(const Modality *m, const CliOpt *o, ClassMap *cm, Net **net) {
    char err[512];
    if (classmap_parse(cm, cli_str(o, "classes", m->default_classes), m->n_labels, err, sizeof err)) {
        fprintf(stderr, "%s import: --classes: %s\n", m->program, err);
        return 2;
    }
    const char *name = cli_str(o, "net", NULL);
    char *spec = net_spec_text(m, name, err, sizeof err);
    if (!spec) { fprintf(stderr, "%s import: --net: %s\n", m->program, err); return 2; }
    *net = net_parse(spec, name, 0, 0, 0, cm->n_slots, err, sizeof err);
    free(spec);
    if (!*net) { fprintf(stderr, "%s import: --net: %s\n", m->program, err); return 2; }
    return 0;
}

static int import_run(const Modality *m, const char *in, const char *out, Net *net, const ClassMap *cm) {
    char err[512], prefix[ESC_MAX + 64];
    StFile f;
    if (st_read_any(in, &f, err, sizeof err)) { fprintf(stderr, "%s import: %s\n", m->program, esc(err)); return 1; }
    snprintf(prefix, sizeof prefix, "%s import: %s: ", m->program, esc(in));
    int widened = 0, nt = f.nt;
    int bad = torch_import(net, &f, stderr, prefix, &widened);
    st_free(&f);
    if (bad < 0) { fprintf(stderr, "%sout of memory\n", prefix); return 1; }
    if (bad > 0) return 1;
    if (checkpoint_save(out, net, cm, m->name, "imported_from", in, err, sizeof err)) {
        fprintf(stderr, "%s import: %s\n", m->program, esc(err));
        return 1;
    }
    printf("imported %s (%d tensors in the file, num_batches_tracked ignored, %d widened from F16/BF16) into %s:"
           " %zu parameters\n", esc(in), nt, widened, esc(out), net->n_params);
    return 0;
}

int cmd_import(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"torch", 1, 0}, {"net", 1, 0}, {"classes", 1, 0}, {"out", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[512];
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s import: %s\n", m->program, esc(err)); return 2; }
    if (cli_flag(o, "help")) { import_help(m); return 0; }
    const char *in = cli_str(o, "torch", NULL), *out = cli_str(o, "out", NULL);
    if (!in || !out || !cli_str(o, "net", NULL)) {
        fprintf(stderr, "%s import: --torch FILE, --net NAME|PATH and --out FILE are required (see --help)\n", m->program);
        return 2;
    }
    ClassMap cm;
    Net *net = NULL;
    int rc = import_net(m, o, &cm, &net);
    if (rc == 0) rc = import_run(m, in, out, net, &cm);
    net_free(net);
    return rc;
}

int cmd_export(const Modality *m, int argc, char **argv) {
    CliOpt o[] = {{"model", 1, 0}, {"out", 1, 0}, {"help", 0, 0}, {0, 0, 0}};
    char err[512], modality[64] = "";
    if (cli_parse(o, argc, argv, 2, err, sizeof err)) { fprintf(stderr, "%s export: %s\n", m->program, esc(err)); return 2; }
    if (cli_flag(o, "help")) { export_help(m); return 0; }
    const char *in = cli_str(o, "model", NULL), *out = cli_str(o, "out", NULL);
    if (!in || !out) { fprintf(stderr, "%s export: --model FILE and --out FILE are required (see --help)\n", m->program); return 2; }
    ClassMap cm;
    Net *net = checkpoint_load(in, &cm, modality, err, sizeof err);
    if (!net) { fprintf(stderr, "%s export: %s\n", m->program, esc(err)); return 1; }
    int rc = torch_export(out, net, &cm, modality, err, sizeof err) ? 1 : 0;
    if (rc) fprintf(stderr, "%s export: %s\n", m->program, esc(err));
    else printf("exported %s to %s (PyTorch names, see '%s export --help')\n", esc(in), esc(out), m->program);
    net_free(net);
    return rc;
}
