/* checkpoint.h — a model on disk: a safetensors file holding every tensor of the
 * net (net_tensors naming) and, in __metadata__, "spec" (the net spec text),
 * "classes" (slot -> class label list "0,1,2,4,5,6,7,8,9"), "modality" and any
 * extra key/values.  Loading rebuilds the net from the stored spec and refuses a
 * missing tensor or a shape mismatch with a clear message. */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H
#include <stddef.h>
#include "net.h"
#include "classmap.h"

int checkpoint_save(const char *path, Net *net, const ClassMap *cm, const char *modality,
                    const char *extra_key, const char *extra_value, char *err, size_t errlen);
/* Returns a new net (CPU) and fills cm; modality (if non-NULL, >= 32 bytes) receives the stored name. */
Net *checkpoint_load(const char *path, ClassMap *cm, char *modality, char *err, size_t errlen);
/* Load weights into an existing net, checking every shape against it. */
int checkpoint_load_into(const char *path, Net *net, ClassMap *cm, char *err, size_t errlen);
#endif
