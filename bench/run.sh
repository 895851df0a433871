#!/usr/bin/env bash
# make bench  (or: bash bench/run.sh [-h|--help]) — our engine against its peers, side by side,
# in one invocation on this machine.
#
#   1. Throughput, images/s at batch BENCH_BATCH, OMP_NUM_THREADS threads on each side:
#      ours ($BUILD/bench/train_bench) vs PyTorch (bench/train_peer.py, the same layers built from
#      the same .net text; the parameter counts are compared), for the nets
#        tiny, small, seed   vision/nets/*.net, 1x28x28, 9 classes
#        speech              audio/nets/speech.net, 1x40x96, 10 classes
#      in two modes:
#        train   forward + backward + Adam step (FLOPs counted: 3x forward)
#        infer   forward only: ours net_forward(net, x, B, 0); PyTorch net.eval() under
#                torch.inference_mode() (FLOPs counted: forward)
#      For each (net, mode) the sides alternate, ours, peer, ours, peer, ... BENCH_REPEATS times
#      each, BENCH_SECONDS per measurement.  Reported: the median img/s of each side, the ratio of
#      the medians, the min-max of each side, and ours' share of the true fp32 peak (the "peak:"
#      line names the core, its FLOP/cycle, the threads, the clock and where the clock came from).
#   2. Featurisation of the 3,000 FSDD clips (read + resample + log-mel, and features alone):
#      ours ($BUILD/bench/featurize_bench) vs torchaudio (bench/featurize_peer.py), alternating
#      BENCH_REPEATS times, BENCH_FEAT_PASSES timed passes per run (after one untimed warm-up
#      pass); medians.  Skipped when the recordings are not there.
#   3. The goals, PASS or MISS each.
#
# Output: the table on stdout and in bench/last.txt (which also keeps every single run), and
# bench/last.csv, one row per (net, mode) plus two for featurisation (mode featurize: read +
# features; features_only), in img/s or clips/s, peak_frac empty on the featurisation rows:
#   net,mode,ours_median,peer_median,ratio,ours_min,ours_max,peer_min,peer_max,peak_frac
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [5]     seconds per measurement
#   BENCH_REPEATS [3]     runs of each side per (net, mode); >= 3 for a median worth quoting
#   BENCH_NETS  ["tiny small seed speech"]   BENCH_MODES ["train infer"]   BENCH_BATCH [64]
#   BENCH_FEAT_PASSES [1] timed featurisation passes per run (the run reports its best)
#   OMP_NUM_THREADS [2]   threads on both sides
#   UNLEARN_DATA [../shared/datasets]   BUILD [build]   PY [/usr/bin/python3]
# The load average (/proc/loadavg) is printed in the header and read again at the end. A WARNING
# marks a loaded machine: before the run, a 1-min load above the core count; after it, above the
# core count plus the bench's own threads (its runs keep OMP_NUM_THREADS threads busy, and the
# 1-min average still counts them).  PyTorch degrades more than we do on a loaded machine, so the
# ratios flatter us there.  No OPENBLAS_* variable is set or changed here.
set -u
case "${1:-}" in -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${BENCH_SECONDS:-5}
REPS=${BENCH_REPEATS:-3}
NETS=${BENCH_NETS:-tiny small seed speech}
MODES=${BENCH_MODES:-train infer}
BATCH=${BENCH_BATCH:-64}
FEAT_PASSES=${BENCH_FEAT_PASSES:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
PY=${PY:-/usr/bin/python3}
DATA=${UNLEARN_DATA:-../shared/datasets}
NCORES=$(nproc)
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: BENCH_REPEATS must be a positive integer" >&2; exit 2; }
for b in train_bench featurize_bench; do
    [ -x "$BUILD/bench/$b" ] || { echo "run.sh: $BUILD/bench/$b is missing: make bench (or make $BUILD/bench/$b)" >&2; exit 1; }
done

out=$(mktemp); raw=$(mktemp); csv=$(mktemp); errf=$(mktemp)
trap 'rm -f "$out" "$raw" "$csv" "$errf"' EXIT
say() { printf '%s\n' "$*" | tee -a "$out"; }
loadwarn() {   # $1: "before" or "after"; warns when the 1-min load average exceeds the limit above
    local l1 lim=$NCORES what="$NCORES cores"
    l1=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$1" = after ]; then lim=$((NCORES + OMP_NUM_THREADS)); what="$NCORES cores + the bench's $OMP_NUM_THREADS threads"; fi
    if awk -v l="$l1" -v n="$lim" 'BEGIN{ exit !(l > n) }'; then
        say "WARNING: load average $l1 > $what: the machine is loaded; ratios are flattering to us (PyTorch degrades more) — rerun on an idle machine  [$1]"
        LOADED=1
    fi
}
kv() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$2" | tail -1; }   # value of key $1 in line $2
stats() {   # numbers on stdin -> "median min max" (n/a when none)
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n/a n/a n/a"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
mm() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "n/a") print "(n/a)"; else printf "(%.0f-%.0f)", a, b }'; }   # min-max, rounded
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
firsterr() { grep -v '^\s*$' "$errf" | tail -1 | cut -c1-160; }

LOADED=0
say "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $NCORES cores, threads=$OMP_NUM_THREADS, batch $BATCH, $SECS s x $REPS runs per side, alternating"
say "load average (1/5/15 min) before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "tree: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo '+changes'), $(date -u '+%Y-%m-%d %H:%M UTC')"
say "$("$BUILD/bench/train_bench" --peak)"
loadwarn before
[ "$REPS" -ge 3 ] || say "note: BENCH_REPEATS=$REPS (< 3): the medians below are not worth quoting"
echo "net,mode,ours_median,peer_median,ratio,ours_min,ours_max,peer_min,peer_max,peak_frac" >"$csv"

say ""
hdr=$(printf '%-7s %-6s %10s %-13s %11s %-13s %7s %9s' net mode "ours img/s" " (min-max)" "torch img/s" " (min-max)" ratio "ours peak")
say "$hdr"
declare -A RATIO PEAK
torch_ver=
for net in $NETS; do
    case $net in
        speech) spec=audio/nets/speech.net; K=10 ;;
        *)      spec=vision/nets/$net.net; K=9 ;;
    esac
    [ -f "$spec" ] || { say "$net: no $spec, skipped"; continue; }
    for mode in $MODES; do
        ours=() peer=() mflop= peakg= po= pt=
        for ((r = 1; r <= REPS; r++)); do
            o=$("$BUILD/bench/train_bench" "$spec" "$mode" "$BATCH" "$SECS" "$K" 2>"$errf" | grep " ours ")
            v=$(kv img_per_s "$o"); lo=${v:-n/a}
            if [ -n "$v" ]; then ours+=("$v"); mflop=$(kv mflop_fwd "$o"); po=$(kv params "$o")
                 peakg=$(awk -v a="${peakg:-0}" -v b="$(kv peak_gflops "$o")" 'BEGIN{ print (b + 0 > a + 0 ? b : a) }')
            else echo "$net $mode ours run $r failed: $(firsterr)" >&2; fi
            t=$($PY bench/train_peer.py "$spec" "$mode" "$BATCH" "$SECS" "$K" 2>"$errf" | grep " torch ")
            v=$(kv img_per_s "$t"); lt=${v:-n/a}
            if [ -n "$v" ]; then peer+=("$v"); pt=$(kv params "$t"); torch_ver=$(kv torch "$t")
            else echo "$net $mode torch run $r failed: $(firsterr)" >&2; fi
            echo "run $net $mode $r: ours $lo torch $lt img/s" >>"$raw"
        done
        read -r om omin omax < <(printf '%s\n' "${ours[@]}" | grep . | stats)
        read -r pm pmin pmax < <(printf '%s\n' "${peer[@]}" | grep . | stats)
        rt=$(ratio "$om" "$pm")
        factor=1; [ "$mode" = train ] && factor=3
        pf=$(awk -v ips="$om" -v m="$mflop" -v f="$factor" -v p="$peakg" \
             'BEGIN{ if (ips + 0 > 0 && p + 0 > 0) printf "%.3f", ips * m * f / 1e3 / p; else print "n/a" }')
        RATIO[$net.$mode]=$rt; PEAK[$net.$mode]=$pf
        say "$(printf '%-7s %-6s %10s %-13s %11s %-13s %7s %9s' "$net" "$mode" "$om" " $(mm "$omin" "$omax")" "$pm" " $(mm "$pmin" "$pmax")" \
               "$( [ "$rt" = n/a ] && echo n/a || echo "${rt}x")" \
               "$( [ "$pf" = n/a ] && echo n/a || awk -v p="$pf" 'BEGIN{ printf "%.1f%%", p * 100 }')")"
        [ -n "$po" ] && [ -n "$pt" ] && [ "$po" != "$pt" ] && \
            say "WARNING: $net: parameter counts differ (ours $po, torch $pt): the two sides do not run the same layers"
        echo "$net,$mode,$om,$pm,$rt,$omin,$omax,$pmin,$pmax,$pf" >>"$csv"
    done
done
say "(img/s: median of $REPS alternating runs per side, min-max in brackets; ratio = ours median / torch median;"
say " ours peak = achieved fp32 FLOP/s (train: 3x forward FLOPs) at the median over the highest peak measured"
say " in that row's runs (each run measures the clock again; it moves by ~10% under the hypervisor); torch ${torch_ver:-n/a})"

feat_ratio=n/a best_ratio=n/a
rec="$DATA/fsdd/recordings"
if [ -d "$rec" ] && [ -f bench/featurize_peer.py ]; then
    say ""
    fo=() fp=() ffo=() ffp=() fp1=()
    for ((r = 1; r <= REPS; r++)); do
        o=$("$BUILD/bench/featurize_bench" "$rec" "$FEAT_PASSES" 2>"$errf" | grep '^featurize' | tail -1)
        v=$(kv clips_per_s "$o"); lo="${v:-n/a} (features only $(kv features_only_clips_per_s "$o"))"
        if [ -n "$v" ]; then fo+=("$v"); ffo+=("$(kv features_only_clips_per_s "$o")")
        else echo "featurize ours run $r failed: $(firsterr)" >&2; fi
        t=$($PY bench/featurize_peer.py "$rec" "$FEAT_PASSES" 2>"$errf" | grep '^featurize' | tail -1)
        v=$(kv clips_per_s "$t"); lt="${v:-n/a} (features only $(kv features_only_clips_per_s "$t"))"
        if [ -n "$v" ]; then fp+=("$v"); ffp+=("$(kv features_only_clips_per_s "$t")")
        else echo "featurize torchaudio run $r failed: $(firsterr)" >&2; fi
        # torchaudio on one thread too: on short clips its own threading can cost more than it gives
        t1=$(OMP_NUM_THREADS=1 $PY bench/featurize_peer.py "$rec" "$FEAT_PASSES" 2>"$errf" | grep '^featurize' | tail -1)
        v=$(kv clips_per_s "$t1"); [ -n "$v" ] && fp1+=("$v")
        echo "run featurize $r: ours $lo torchaudio $lt, torchaudio on 1 thread ${v:-n/a} clips/s" >>"$raw"
    done
    say "$(printf '%-14s %12s %-15s %12s %-15s %7s' "featurisation" "ours clips/s" " (min-max)" "torchaudio" " (min-max)" ratio)"
    read -r om omin omax < <(printf '%s\n' "${fo[@]}" | grep . | stats)
    read -r pm pmin pmax < <(printf '%s\n' "${fp[@]}" | grep . | stats)
    feat_ratio=$(ratio "$om" "$pm")
    say "$(printf '%-14s %12s %-15s %12s %-15s %7s' "read+features" "$om" " $(mm "$omin" "$omax")" "$pm" " $(mm "$pmin" "$pmax")" "${feat_ratio}x")"
    echo "fsdd,featurize,$om,$pm,$feat_ratio,$omin,$omax,$pmin,$pmax," >>"$csv"
    read -r p1 p1min p1max < <(printf '%s\n' "${fp1[@]}" | grep . | stats)
    best_ratio=$(ratio "$om" "$(awk -v a="$pm" -v b="$p1" 'BEGIN{ print (b + 0 > a + 0 ? b : a) }')")
    say "$(printf '%-14s %12s %-15s %12s %-15s %7s' "torchaudio 1 thr" "" "" "$p1" " $(mm "$p1min" "$p1max")" "$(ratio "$om" "$p1")x")"
    echo "fsdd,featurize_vs_peer_1_thread,$om,$p1,$(ratio "$om" "$p1"),$omin,$omax,$p1min,$p1max," >>"$csv"
    read -r om omin omax < <(printf '%s\n' "${ffo[@]}" | grep . | stats)
    read -r pm pmin pmax < <(printf '%s\n' "${ffp[@]}" | grep . | stats)
    say "$(printf '%-14s %12s %-15s %12s %-15s %7s' "features only" "$om" " $(mm "$omin" "$omax")" "$pm" " $(mm "$pmin" "$pmax")" "$(ratio "$om" "$pm")x")"
    echo "fsdd,features_only,$om,$pm,$(ratio "$om" "$pm"),$omin,$omax,$pmin,$pmax," >>"$csv"
    say "(all 3,000 FSDD clips, median of $REPS alternating runs per side, each the best of $FEAT_PASSES timed pass(es))"
else
    say ""
    say "featurisation: skipped (no $rec; set UNLEARN_DATA)"
fi

say ""
say "goals:"
goal() {   # $1 label, $2 value (a ratio or a fraction), $3 threshold
    local st
    if [ "$2" = n/a ] || [ -z "$2" ]; then st="n/a (not run)"
    else st=$(awk -v v="$2" -v g="$3" 'BEGIN{ print (v >= g ? "PASS" : "MISS") }'); fi
    say "$(printf '  %-34s %-8s %s' "$1" "$( [ "${2:-n/a}" = n/a ] && echo - || echo "$4")" "$st")"
}
for g in "seed train >= 1.5x|seed.train|1.5|r" "seed infer >= 2x|seed.infer|2|r" \
         "small train >= 3x|small.train|3|r" "small infer >= 3x|small.infer|3|r" \
         "speech train >= 3x|speech.train|3|r" "speech infer >= 3x|speech.infer|3|r" \
         "seed train >= 60% of true peak|seed.train|0.6|p" "seed infer >= 60% of true peak|seed.infer|0.6|p"; do
    IFS='|' read -r label key thr kind <<<"$g"
    if [ "$kind" = r ]; then v=${RATIO[$key]:-n/a}; shown="${v}x"
    else v=${PEAK[$key]:-n/a}; shown=$(awk -v p="$v" 'BEGIN{ printf "%.1f%%", p * 100 }' 2>/dev/null); fi
    goal "$label" "$v" "$thr" "$shown"
done
goal "featurisation >= 10x torchaudio" "$feat_ratio" 10 "${feat_ratio}x"
goal "  ... against its faster setting" "${best_ratio:-n/a}" 10 "${best_ratio:-n/a}x"

say ""
say "load average (1/5/15 min) after: $(cut -d' ' -f1-3 /proc/loadavg)"
loadwarn after
[ "$LOADED" = 1 ] && say "(loaded machine: the numbers above are not the ones to quote)"
cp "$out" bench/last.txt
{ echo; echo "single runs:"; cat "$raw"; } >>bench/last.txt
cp "$csv" bench/last.csv
