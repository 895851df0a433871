/* torch_names.h — PyTorch state-dict tensors <-> our net's layers (import and export).
 *
 * Export naming (torch_module_name): let g be the index of the net's last "gap" or
 * "flatten" layer (-1 when it has none).  Layer i <= g is "features.<i>"; layer i > g
 * is "classifier.<i-g>".  So the module is
 *     features   = nn.Sequential(<our layers 0..g, one module each>)
 *     classifier = nn.Sequential(nn.Flatten(), <our layers g+1..>)
 * (gap = nn.AdaptiveAvgPool2d(1), flatten = nn.Flatten(); only conv, batchnorm and
 * linear layers hold tensors, so only their indices matter).  For the seed net this gives
 * features.0.weight ... features.15.running_var, classifier.1.weight/bias: the
 * seed notebook's mnist_classifier (tools/torch_seed_example.py).
 *
 * Import (torch_import) is the inverse without relying on names: the file's
 * tensors are grouped by module (the name up to its last '.'), modules are
 * ordered by name with numeric parts compared as numbers ("features.2" before
 * "features.10"); when the file has several top-level blocks ("features",
 * "classifier"), every order of the blocks (up to 6 blocks) is tried and the one
 * with the fewest mismatches is used (on a tie the first tried, starting from the
 * natural name order; mismatches are reported against that order).  Module k then feeds our k-th layer with tensors (conv, batchnorm,
 * linear), suffix by suffix: weight, bias, running_mean, running_var;
 * "num_batches_tracked" is ignored.  Dtypes: F32 is copied; F16 and BF16 are
 * widened to float32, which is exact (every F16/BF16 value is a float32 value;
 * inf and NaN stay inf and NaN); any other dtype is refused.
 * An exported file imports back to the same weights. */
#ifndef TORCH_NAMES_H
#define TORCH_NAMES_H
#include <stddef.h>
#include <stdio.h>
#include "net.h"
#include "classmap.h"
#include "safetensors.h"

/* The PyTorch module name of layer i ("features.3", "classifier.1") into out. */
void torch_module_name(const Net *net, int layer, char *out, size_t outlen);

/* Match the tensors of f (read with st_read_any) to net's layers and, when every
 * tensor fits, copy them into the net.  Each mismatch (missing, extra, wrong
 * shape, wrong dtype) is one line on report (when non-NULL), starting with
 * prefix, with names from the file escaped; at most 40 lines, then one line
 * counting the rest.  Returns the number of mismatches (0: net filled), or -1 when
 * out of memory.  *n_widened (if non-NULL) receives the number of F16/BF16 tensors. */
int torch_import(Net *net, const StFile *f, FILE *report, const char *prefix, int *n_widened);

/* Write net as a PyTorch state dict (export naming above; F32; metadata "spec",
 * "classes", "modality" and "naming" = "torch_names.h").  0 or -1 with err. */
int torch_export(const char *path, Net *net, const ClassMap *cm, const char *modality, char *err, size_t errlen);
#endif
