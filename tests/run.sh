#!/usr/bin/env bash
# Runs every test binary in $BUILD/tests and every tests/cli_*.sh, then prints one
# closing line "N passed, N failed" (the sum over all of them).  Exit 1 on failure.
set -u
BUILD=${BUILD:-build}
export BINDIR=${BINDIR:-bin}
export UNLEARN_DATA=${UNLEARN_DATA:-$(cd "$(dirname "$0")/.." && cd .. && pwd)/shared/datasets}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
pass=0; fail=0; failed=()
tmp=$(mktemp)
for t in "$BUILD"/tests/test_* tests/cli_*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.o|*.d) continue;; esac
    start=$(date +%s.%N)
    if [[ "$t" == *.sh ]]; then bash "$t" >"$tmp" 2>&1; rc=$?; else "$t" >"$tmp" 2>&1; rc=$?; fi
    el=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$tmp" | tail -1)
    p=$(sed -nE 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\1/p' <<<"$line"); p=${p:-0}
    f=$(sed -nE 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$line"); f=${f:-0}
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    pass=$((pass + p)); fail=$((fail + f))
    if [ $rc -ne 0 ]; then
        failed+=("$t"); echo "FAILED $t (exit $rc, ${el}s)"; tail -30 "$tmp" | sed 's/^/    /'
    else
        echo "ok     $t ($p checks, ${el}s)"
    fi
done
rm -f "$tmp"
echo
[ ${#failed[@]} -gt 0 ] && echo "failing: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
