/* netspec.h — net spec text by name: the specs embedded at build time, or a .net file on disk. */
#ifndef NETSPEC_H
#define NETSPEC_H
#include <stddef.h>
#include "modality.h"

/* Net spec text by name: "small" -> the embedded <prefix>/nets/small.net spec; a path
 * (containing '/' or ending in .net) is read from disk.  Returns malloc'd text or
 * NULL with err. */
char *net_spec_text(const Modality *m, const char *name, char *err, size_t errlen);
/* Embedded nets table (generated at build time from the nets/ folders by tools/embed_nets.sh). */
typedef struct { const char *key; const char *text; } EmbeddedNet;
extern const EmbeddedNet embedded_nets[];
extern const int n_embedded_nets;
#endif
