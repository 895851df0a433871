#!/usr/bin/env bash
# make bench: our engine against its peers, side by side in one run on this machine.
#   1. training throughput (images/s, batch 64, 2 threads): ours vs PyTorch, small and seed nets
#   2. featurisation throughput over the 3,000 FSDD clips: ours vs torchaudio (if built)
# Results: a table on stdout and bench/last.txt.  BENCH_SECONDS sets the time per measurement.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${BENCH_SECONDS:-10}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
PY=/usr/bin/python3
out=$(mktemp)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, threads=$OMP_NUM_THREADS" | tee "$out"
printf '\n%-8s %8s %14s %14s %8s %10s\n' net batch "ours img/s" "torch img/s" ratio "ours peak" | tee -a "$out"
for net in small seed; do
    for b in 64; do
        o=$("$BUILD/bench/train_bench" "vision/nets/$net.net" "$b" "$SECS")
        t=$($PY bench/train_peer.py "vision/nets/$net.net" "$b" "$SECS" 2>/dev/null)
        oi=$(sed -nE 's/.*img_per_s=([0-9.]+).*/\1/p' <<<"$o"); pk=$(sed -nE 's/.*peak_frac=([0-9.]+).*/\1/p' <<<"$o")
        ti=$(sed -nE 's/.*img_per_s=([0-9.]+).*/\1/p' <<<"$t")
        ratio=$(awk -v a="$oi" -v b="$ti" 'BEGIN{ if (b > 0) printf "%.2fx", a / b; else print "n/a" }')
        printf '%-8s %8s %14s %14s %8s %9.0f%%\n' "$net" "$b" "$oi" "${ti:-n/a}" "$ratio" "$(awk -v p="$pk" 'BEGIN{print p*100}')" | tee -a "$out"
    done
done
echo "(goal: >= 3x PyTorch on small, >= 1.5x on seed; 'ours peak' = achieved fp32 FLOP/s over cores x clock x 32)" | tee -a "$out"
if [ -x "$BUILD/bench/featurize_bench" ] && [ -f bench/featurize_peer.py ]; then
    echo | tee -a "$out"
    data=${UNLEARN_DATA:-../shared/datasets}
    o=$("$BUILD/bench/featurize_bench" "$data/fsdd/recordings" 2>&1 | grep '^featurize' | tail -1)
    t=$($PY bench/featurize_peer.py "$data/fsdd/recordings" 2>/dev/null | grep '^featurize' | tail -1)
    echo "$o" | tee -a "$out"; echo "$t" | tee -a "$out"
    oc=$(sed -nE 's/.*clips_per_s=([0-9.]+).*/\1/p' <<<"$o"); tc=$(sed -nE 's/.*clips_per_s=([0-9.]+).*/\1/p' <<<"$t")
    awk -v a="$oc" -v b="$tc" 'BEGIN{ if (b > 0) printf "featurisation ratio ours/torchaudio: %.1fx (goal >= 10x)\n", a / b }' | tee -a "$out"
fi
cp "$out" bench/last.txt
rm -f "$out"
