#!/usr/bin/env bash
# Every program starts OpenMP with passive waiting (src/omp_wait.c), keeps the rest of the
# environment it was given, and leaves a user's own OMP_WAIT_POLICY alone.  libgomp prints what
# it read when OMP_DISPLAY_ENV=true.
set -u
. "$(dirname "$0")/lib_cli.sh"
for prog in mnist-unlearn speech-unlearn unlearn-prep unlearn-compare; do
    env -u OMP_WAIT_POLICY OMP_DISPLAY_ENV=true OMP_NUM_THREADS=3 "$B/$prog" --help >/dev/null 2>"$T/err"
    grep -q "OMP_WAIT_POLICY = 'PASSIVE'" "$T/err" && ok || ko "$prog: default wait policy is not passive: $(grep WAIT "$T/err")"
    grep -q "OMP_NUM_THREADS = '3'" "$T/err" && ok || ko "$prog: OMP_NUM_THREADS=3 was lost: $(grep NUM_THREADS "$T/err")"
    OMP_WAIT_POLICY=active OMP_DISPLAY_ENV=true "$B/$prog" --help >/dev/null 2>"$T/err"
    grep -q "OMP_WAIT_POLICY = 'ACTIVE'" "$T/err" && ok || ko "$prog: the user's OMP_WAIT_POLICY=active was overridden"
done
echo "cli_threads: $pass passed, $fail failed"
[ $fail -eq 0 ]
