/* prep_run.h — run a program with fork/exec (never a shell); find a program in PATH. */
#ifndef PREP_RUN_H
#define PREP_RUN_H
#include <stddef.h>
/* Run argv[0] (looked up in PATH) with fork/execvp and wait.  quiet: stdout and
 * stderr go to /dev/null.  Returns the exit status, 127 if it could not be
 * started, 128+signal if killed. */
int prep_run(char *const argv[], int quiet);
/* Full path of an executable in PATH (or the path itself if it contains '/'),
 * or -1 when absent. */
int prep_which(const char *prog, char *out, size_t len);
#endif
