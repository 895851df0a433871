#!/usr/bin/env bash
# tests/gpu/run.sh — the one command to run on a GPU machine (budget: < 6 min on an H100).
#
#   1. builds everything with CUDA=1 (make -j16), then tests/gpu/parity, bench and roundtrips
#      (the Makefile's $BUILD/gpu/<name> targets; `make tests-build` compiles them in CI too);
#   2. parity: CPU vs GPU forward logits, loss, all parameter gradients, bn statistics,
#      masked SGD/Adam, SSD, saliency, restore-frozen (UNLEARN_CUDA_STRICT=1, TF32 off);
#   2b. round trips: whole-buffer host<->device transfers per step of every method's loop
#      (net_transfer_count); FAILS when any per-step count is above 0 (set-up is allowed);
#   3. test_cuda_fallback on a machine that has a GPU (the net must move there);
#   4. bench: seed-net training throughput at batch 64 and 512 (images/s, % of FP32 peak);
#   5. if bin/unlearn-compare exists: a small cross-modality comparison timed with
#      --device cuda and --device cpu (arguments: $UNLEARN_COMPARE_ARGS).
# The report goes to stdout and, when $OUT is set, to $OUT/gpu_report.txt.
# Exit status: 0 when the build, parity and the round-trip check pass, 1 otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BUILD=${BUILD:-build}
JOBS=${JOBS:-16}
REPORT=$(mktemp)
status=0
log() { echo "$@" | tee -a "$REPORT"; }
run_logged() {   # run a command, its output into the report; returns its status
    "$@" 2>&1 | tee -a "$REPORT"
    return "${PIPESTATUS[0]}"
}
finish() {
    if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && cp "$REPORT" "$OUT/gpu_report.txt" && echo "report: $OUT/gpu_report.txt"; fi
    rm -f "$REPORT"
    exit "$status"
}
T0=$(date +%s)
elapsed() { echo $(( $(date +%s) - T0 ))s; }

log "== GPU report ($(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
if command -v nvidia-smi >/dev/null 2>&1; then
    run_logged nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
fi
log "nvcc: $( (${NVCC:-nvcc} --version 2>/dev/null || /usr/local/cuda/bin/nvcc --version) | tail -2 | head -1)"
log "cpu: $(nproc) cores"

# ---- 1. build ----
log ""
log "== build (make -j$JOBS CUDA=1)"
if ! make -j"$JOBS" CUDA=1 BUILD="$BUILD" >"$REPORT.build" 2>&1; then
    log "full build failed; last lines:"
    tail -25 "$REPORT.build" | tee -a "$REPORT"
    log "trying the library alone"
    if ! make -j"$JOBS" CUDA=1 BUILD="$BUILD" "$BUILD/libunlearn.a" >"$REPORT.build" 2>&1; then
        tail -25 "$REPORT.build" | tee -a "$REPORT"
        log "BUILD FAILED"; status=1; rm -f "$REPORT.build"; finish
    fi
fi
grep -i "warning" "$REPORT.build" | head -20 | tee -a "$REPORT"
rm -f "$REPORT.build"
log "build ok ($(elapsed))"

# the GPU programs, with the Makefile's own flags (the way the library was built)
for p in parity bench roundtrips; do
    if ! make -s CUDA=1 BUILD="$BUILD" "$BUILD/gpu/$p" >"$REPORT.cc" 2>&1; then
        cat "$REPORT.cc" | tee -a "$REPORT"; log "building tests/gpu/$p FAILED"; status=1
    fi
    rm -f "$REPORT.cc"
done

# ---- 2. parity ----
log ""
log "== parity (UNLEARN_CUDA_STRICT=1, NVIDIA_TF32_OVERRIDE=0)"
if [ -x "$BUILD/gpu/parity" ]; then
    run_logged env UNLEARN_CUDA_STRICT=1 NVIDIA_TF32_OVERRIDE=0 timeout 180 "$BUILD/gpu/parity"
    rc=$?
    [ $rc -ne 0 ] && { log "PARITY FAILED (exit $rc)"; status=1; }
fi
log "($(elapsed))"

# ---- 2b. host round trips per step ----
log ""
log "== round trips (whole-buffer host<->device transfers per step; any above 0 fails)"
if [ -x "$BUILD/gpu/roundtrips" ]; then
    run_logged timeout 120 "$BUILD/gpu/roundtrips"
    rc=$?
    [ $rc -ne 0 ] && { log "ROUND TRIPS FAILED (exit $rc)"; status=1; }
fi
log "($(elapsed))"

# ---- 3. device selection with a GPU present ----
log ""
log "== test_cuda_fallback (GPU present)"
if make -s CUDA=1 BUILD="$BUILD" "$BUILD/tests/test_cuda_fallback" >/dev/null 2>&1; then
    run_logged timeout 60 "$BUILD/tests/test_cuda_fallback" || { log "test_cuda_fallback FAILED"; status=1; }
else
    log "test_cuda_fallback did not build (skipped)"
fi

# ---- 4. bench ----
log ""
log "== bench (seed net training throughput)"
if [ -x "$BUILD/gpu/bench" ]; then
    run_logged timeout 150 "$BUILD/gpu/bench" 2 || log "bench exited with $?"
fi
log "($(elapsed))"

# ---- 5. cross-modality comparison, cuda vs cpu ----
log ""
log "== unlearn-compare --device cuda vs cpu"
if [ -x bin/unlearn-compare ]; then
    ARGS=${UNLEARN_COMPARE_ARGS:---limit 60 --test-limit 30 --quiet}
    for dev in cuda cpu; do
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        timeout 100 bin/unlearn-compare $ARGS --device "$dev" >"$REPORT.cmp" 2>&1
        rc=$?
        t1=$(date +%s.%N)
        log "unlearn-compare $ARGS --device $dev: exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
        tail -8 "$REPORT.cmp" | sed 's/^/    /' | tee -a "$REPORT"
        rm -f "$REPORT.cmp"
    done
else
    log "bin/unlearn-compare not built: skipped"
fi

log ""
log "== total $(elapsed); $( [ $status -eq 0 ] && echo PASS || echo FAIL )"
finish
