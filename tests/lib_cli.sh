# lib_cli.sh — sourced by the tests/cli_*.sh tests: the binaries' folder ($B), the
# datasets ($DATA), a scratch folder ($T, removed on exit), pass/fail counting and
# the one-line-refusal check.
B=${BINDIR:-bin}
DATA=${UNLEARN_DATA:-../shared/datasets}
T=$(mktemp -d); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect_fail NAME PATTERN CMD...: non-zero exit, one stderr line matching PATTERN, no crash
expect_fail() {
    local name=$1 pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    local lines; lines=$(grep -c . "$T/err")
    if [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err"; then ok
    else ko "$name: rc=$rc lines=$lines stderr: $(head -3 "$T/err")"; fi
}
