/* cli.c — the option parser every command shares: "--name value", "--flag", numeric getters (see cli.h). */
#include "cli.h"
#include "escape.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CliOpt *find(CliOpt *opts, const char *name) {
    for (CliOpt *o = opts; o->name; o++)
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

int cli_parse(CliOpt *opts, int argc, char **argv, int first, char *err, size_t errlen) {
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) || !a[2]) {
            snprintf(err, errlen, "unexpected argument '%s' (options start with --; see --help)", esc(a));
            return -1;
        }
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (len >= sizeof name) len = sizeof name - 1;
        memcpy(name, a + 2, len);
        name[len] = 0;
        CliOpt *o = find(opts, name);
        if (!o) { snprintf(err, errlen, "unknown option --%s (see --help)", esc(name)); return -1; }
        if (o->takes_value) {
            if (eq) o->value = eq + 1;
            else if (i + 1 < argc) o->value = argv[++i];
            else { snprintf(err, errlen, "--%s needs a value", name); return -1; }
        } else {
            if (eq) { snprintf(err, errlen, "--%s takes no value", name); return -1; }
            o->value = "1";
        }
    }
    return 0;
}

const char *cli_str(const CliOpt *opts, const char *name, const char *def) {
    for (const CliOpt *o = opts; o->name; o++)
        if (!strcmp(o->name, name)) return o->value ? o->value : def;
    return def;
}

int cli_flag(const CliOpt *opts, const char *name) { return cli_str(opts, name, NULL) != NULL; }

int cli_int(const CliOpt *opts, const char *name, long def, long lo, long hi, long *out, char *err, size_t errlen) {
    const char *s = cli_str(opts, name, NULL);
    if (!s) { *out = def; return 0; }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        snprintf(err, errlen, "--%s: '%s' is not a whole number from %ld to %ld", name, esc(s), lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_float(const CliOpt *opts, const char *name, double def, double lo, double hi, double *out,
              char *err, size_t errlen) {
    const char *s = cli_str(opts, name, NULL);
    if (!s) { *out = def; return 0; }
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || v < lo || v > hi) {
        snprintf(err, errlen, "--%s: '%s' is not a number from %g to %g", name, esc(s), lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_int_list(const char *s, int *vals, int max) {
    int n = 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || n >= max) return -1;
        vals[n++] = (int)v;
        s = end;
        if (*s == ',') s++;
        else if (*s) return -1;
    }
    return n;
}
