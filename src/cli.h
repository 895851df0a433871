/* cli.h — tiny option parser shared by every command: "--name value" and
 * "--flag"; unknown options and missing values are one-line errors. */
#ifndef CLI_H
#define CLI_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;     /* without the dashes: "epochs" */
    int takes_value;      /* 1: --name VALUE; 0: --name is a flag */
    const char *value;    /* filled by cli_parse (flags: "1") */
} CliOpt;

/* Parse argv[first..argc) into opts (terminated by a {NULL} entry).  Returns 0, or
 * -1 with "unknown option --x" / "--x needs a value" / "unexpected argument 'y'" in err. */
int cli_parse(CliOpt *opts, int argc, char **argv, int first, char *err, size_t errlen);
const char *cli_str(const CliOpt *opts, const char *name, const char *def);
int cli_flag(const CliOpt *opts, const char *name);
/* Numeric getters: -1 with err when the value is not a number in [lo, hi]. */
int cli_int(const CliOpt *opts, const char *name, long def, long lo, long hi, long *out, char *err, size_t errlen);
int cli_float(const CliOpt *opts, const char *name, double def, double lo, double hi, double *out,
              char *err, size_t errlen);
/* The exit codes every command uses, for the end of each --help:
 * 0 ok, 1 runtime failure, 2 usage error (docs/cli.md). */
#define CLI_EXIT_HELP "\nexit status: 0 ok; 1 runtime failure (a file, the data or the run refused or failed);\n" \
    "2 usage error (unknown command or option, bad value, an output folder that does not exist).\n"
/* Comma-separated integer list "1,2,3" -> vals (max n); returns count or -1. */
int cli_int_list(const char *s, int *vals, int max);
#endif
