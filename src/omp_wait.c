/* omp_wait.c — passive OpenMP waiting by default, set before the OpenMP runtime reads its environment.
 *
 * libgomp's default wait policy spins for a while at every barrier and between parallel regions.
 * On a shared 2-core machine that spinning takes the cores other processes need: two processes of
 * 2 threads each (unlearn-compare --jobs 2 --threads 2) trained `small` at 720 img/s each, against
 * 3,000-3,300 with passive waiting (tools/thread_policy.sh; docs/speed.md), while on an idle machine
 * passive costs nothing measurable.  libgomp reads OMP_WAIT_POLICY once, in its constructor, before
 * main(); an entry in the executable's .preinit_array runs before every shared library's constructor,
 * so it can still set the variable.  A value the user gives (OMP_WAIT_POLICY=active) is kept.
 * glibc has not pointed `environ` at the process environment yet at that point: it is pointed there
 * first, so that setenv adds to the real environment instead of replacing it. */
#include "services.h"
#include <stdlib.h>

extern char **environ;

static void omp_wait_passive(int argc, char **argv, char **envp) {
    (void)argc; (void)argv;
    if (!environ) environ = envp;
    setenv("OMP_WAIT_POLICY", "passive", 0);
}

__attribute__((section(".preinit_array"), used)) static void (*const omp_wait_entry)(int, char **, char **) =
    omp_wait_passive;

/* named by the Makefile (-Wl,-u,svc_omp_wait_linked) so that every program links this file out of
 * libunlearn.a, although nothing calls it */
const int svc_omp_wait_linked = 1;
