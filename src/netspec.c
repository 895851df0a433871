/* netspec.c — net spec text by name: embedded specs or a .net file (see netspec.h). */
#include "netspec.h"
#include <stdio.h>
#include "escape.h"
#include <stdlib.h>
#include <string.h>

char *net_spec_text(const Modality *m, const char *name, char *err, size_t errlen) {
    if (strchr(name, '/') || (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".net"))) {
        FILE *f = fopen(name, "rb");
        if (!f) { snprintf(err, errlen, "%s: cannot open net spec", esc(name)); return NULL; }
        size_t cap = 1 << 16;
        char *buf = malloc(cap + 1);
        if (!buf) { fclose(f); return NULL; }
        size_t len = fread(buf, 1, cap, f);
        fclose(f);
        if (len == cap) { free(buf); snprintf(err, errlen, "%s: net spec too large", esc(name)); return NULL; }
        buf[len] = 0;
        return buf;
    }
    char key[128];
    snprintf(key, sizeof key, "%s/%s", m->net_prefix, name);
    for (int i = 0; i < n_embedded_nets; i++)
        if (!strcmp(embedded_nets[i].key, key)) return strdup(embedded_nets[i].text);
    char known[512] = "";
    for (int i = 0; i < n_embedded_nets; i++) {
        size_t pl = strlen(m->net_prefix);
        if (!strncmp(embedded_nets[i].key, m->net_prefix, pl) && embedded_nets[i].key[pl] == '/') {
            strncat(known, " ", sizeof known - strlen(known) - 1);
            strncat(known, embedded_nets[i].key + pl + 1, sizeof known - strlen(known) - 1);
        }
    }
    snprintf(err, errlen, "unknown net '%s' (built-in:%s; or give a path to a .net file)", esc(name), known);
    return NULL;
}
