#!/usr/bin/env bash
# tests/fuzz/run.sh — build and run the libFuzzer harnesses of tests/fuzz/.
#   run.sh fuzz [SECONDS]   each harness for SECONDS (default 10) under clang libFuzzer +
#                           ASan/UBSan, new inputs in build-fuzz/corpus/<name>, crashes saved as
#                           tests/fuzz/crashes/<name>-crash-<sha1>; prints executions per harness
#   run.sh smoke            CI: each harness for FUZZ_SMOKE_SECONDS (default 3) with libFuzzer, or,
#                           when clang's libFuzzer is unavailable, a gcc ASan/UBSan build that
#                           replays the seed corpora (tests/fuzz/replay_main.c)
#   run.sh replay FILE...   replay files (e.g. a saved crash) through every harness build
# Harness selection: FUZZ_ONLY="idx json" limits the run.  Exit 1 if any harness crashed.
set -u
cd "$(dirname "$0")/../.."
mode=${1:-smoke}
[ $# -gt 0 ] && shift
secs=${FUZZ_SECONDS:-10}
if [ "$mode" = fuzz ] && [ $# -gt 0 ]; then secs=$1; fi
[ "$mode" = smoke ] && secs=${FUZZ_SMOKE_SECONDS:-3}
files=("$@")
names=$(ls tests/fuzz/fuzz_*.c | sed 's#tests/fuzz/##; s#\.c$##')
if [ -n "${FUZZ_ONLY:-}" ]; then names=$(for n in $FUZZ_ONLY; do echo "fuzz_$n"; done); fi
jobs=${FUZZ_JOBS:-2}

have_libfuzzer() {
    command -v clang >/dev/null || return 1
    local t; t=$(mktemp -d)
    echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$t/h.c"
    clang -fsanitize=fuzzer,address,undefined "$t/h.c" -o "$t/h" >/dev/null 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}

if have_libfuzzer; then
    engine=libfuzzer; B=build-fuzz
    make -s -j"$jobs" BUILD=$B CC=clang CUDA=0 SAN=1 OPT="-O1 -g -fsanitize=fuzzer-no-link -Wno-pass-failed" FUZZ_ENGINE=libfuzzer \
        $(for n in $names; do echo "$B/fuzz/$n"; done) || exit 1
else
    if [ "$mode" = fuzz ]; then echo "fuzz: clang with libFuzzer (-fsanitize=fuzzer) is needed: tools/install-deps.sh fuzz" >&2; exit 1; fi
    engine=replay; B=build-fuzz-replay
    echo "fuzz-smoke: clang libFuzzer not available: replaying the seed corpora under gcc ASan/UBSan"
    make -s -j"$jobs" BUILD=$B CUDA=0 SAN=1 OPT="-O1 -g" FUZZ_ENGINE=replay \
        $(for n in $names; do echo "$B/fuzz/$n"; done) || exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1
pass=0; fail=0
for n in $names; do
    short=${n#fuzz_}
    seeds=tests/fuzz/corpus/$short
    log=$B/fuzz/$n.log
    if [ "$mode" = replay ]; then
        "$B/fuzz/$n" -runs=0 "${files[@]}" >"$log" 2>&1; rc=$?
    elif [ $engine = replay ]; then
        "$B/fuzz/$n" "$seeds" >"$log" 2>&1; rc=$?
    else
        work=$B/corpus/$short
        mkdir -p "$work" tests/fuzz/crashes
        nice -n 19 "$B/fuzz/$n" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
            -artifact_prefix="tests/fuzz/crashes/$short-" "$work" "$seeds" >"$log" 2>&1
        rc=$?
    fi
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "ok     $short${execs:+ ($execs executions in ${secs}s)}"
    else
        fail=$((fail + 1)); echo "FAILED $short (exit $rc${execs:+, $execs executions}): see $log"
        grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/    /'
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
