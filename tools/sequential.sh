#!/usr/bin/env bash
# sequential.sh — two replacements in a row on MNIST (6 -> 3, then 2 -> 7 on the result), per method
# and for the gold (retrain at each step); does 6 come back after the second one?
#   tools/sequential.sh [--seeds 1,2,3] [--methods ours,baseline+retain,neggrad+] [--steps 100]
#                       [--out DIR] [--bin DIR] [--data DIR] [--limit N] [--test-limit N] [--threads N]
# The original is pre-trained on 0,1,2,4,5,6,8,9 (no 3, no 7).  Step 1: forget 6, learn 3; step 2:
# forget 2, learn 7, on step 1's model.  After each step the model is scored for 6 (`mnist-unlearn eval
# --forget 6 --learn 3`: sixes in the old slot, threes there, the kept classes, a linear probe for 6 in
# the features, SGD steps to relearn 6) and after step 2 for the 2 -> 7 replacement too.
# Writes DIR/runs/s<seed>/<method>_step<k>.json (eval's JSON), DIR/results.csv (one row per seed, method,
# step) and DIR/results.md (mean ± half-width of the 95% interval of the mean, Student t); the models go
# to DIR/models.  Exit 1 on the first failed command, with its output.
set -euo pipefail
seeds=1,2,3 methods=ours,baseline+retain,neggrad+ steps=100 out=sequential bin=bin
pass=()
while [ $# -gt 0 ]; do
    case $1 in
        --seeds) seeds=$2 ;; --methods) methods=$2 ;; --steps) steps=$2 ;; --out) out=$2 ;; --bin) bin=$2 ;;
        --data|--limit|--test-limit|--threads) pass+=("$1" "$2") ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "sequential.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift 2 || { echo "sequential.sh: $1 needs a value" >&2; exit 2; }
done
[[ $steps =~ ^[1-9][0-9]*$ ]] || { echo "sequential.sh: --steps: '$steps' is not a positive integer" >&2; exit 2; }
[[ $seeds =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "sequential.sh: --seeds: '$seeds' is not a list of integers" >&2; exit 2; }
U="$bin/mnist-unlearn"
[ -x "$U" ] || { echo "sequential.sh: $U: not found (build with make, or give --bin)" >&2; exit 1; }
mkdir -p "$out/models" "$out/runs"
M="$out/models"
run() {   # run a command quietly; on failure show its output and stop
    local log
    log=$("$@" 2>&1) || { echo "sequential.sh: failed: $*" >&2; echo "$log" | tail -5 >&2; exit 1; }
}
num() { grep -o "\"$2\": [-0-9.e]*\|\"$2\": null" "$1" | head -1 | sed 's/.*: //'; }
rows=()
IFS=, read -r -a S <<<"$seeds"
IFS=, read -r -a MS <<<"retrain,$methods"
for s in "${S[@]}"; do
    mkdir -p "$out/runs/s$s"
    echo "[seed $s] original (0,1,2,4,5,6,8,9)" >&2
    run "$U" pretrain --classes 0,1,2,4,5,6,8,9 --seed "$s" --out "$M/original_s$s.safetensors" --quiet "${pass[@]}"
    for m in "${MS[@]}"; do
        f=${m//[^A-Za-z0-9_-]/_}
        st=(--steps "$steps"); [ "$m" = retrain ] && st=()
        prev="$M/original_s$s.safetensors"
        for k in 1 2; do
            if [ $k = 1 ]; then fl=(--forget 6 --learn 3); else fl=(--forget 2 --learn 7); fi
            cur="$M/${f}_step${k}_s$s.safetensors"
            echo "[seed $s] $m step $k (${fl[*]})" >&2
            run "$U" forget --model "$prev" --method "$m" "${fl[@]}" --seed "$s" "${st[@]}" --out "$cur" --quiet "${pass[@]}"
            j="$out/runs/s$s/${f}_step$k.json"
            run "$U" eval --model "$cur" --forget 6 --learn 3 --metrics basic,probe,relearn --seed "$s" --json "$j" \
                --quiet "${pass[@]}"
            l2=; n7=
            if [ $k = 2 ]; then
                j2="$out/runs/s$s/${f}_step2_27.json"
                run "$U" eval --model "$cur" --forget 2 --learn 7 --metrics basic --json "$j2" --quiet "${pass[@]}"
                l2=$(num "$j2" forget_leakage); n7=$(num "$j2" new_class_acc)
            fi
            rows+=("$s,$m,$k,$(num "$j" forget_leakage),$(num "$j" new_class_acc),$(num "$j" retained_acc),$(num "$j" probe_acc),$(num "$j" relearn_steps),$l2,$n7")
            prev=$cur
        done
    done
done
csv="$out/results.csv"
{ echo "seed,method,step,leak6,new3,retained,probe6,relearn6_steps,leak2,new7"; printf '%s\n' "${rows[@]}"; } >"$csv.tmp"
mv "$csv.tmp" "$csv"
# mean ± t(0.975, n-1) sd / sqrt(n) per (method, step) and column; percentages for the shares
awk -F, -v methods="retrain,$methods" '
function t975(df) { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228", T, " "); return df <= 10 ? T[df] : 1.96 }
function cell(key, c, scale,   n, m, v, h) {
    n = cnt[key, c]; if (!n) return "-"
    m = sum[key, c] / n; v = n > 1 ? (sq[key, c] - n * m * m) / (n - 1) : 0; if (v < 0) v = 0
    h = n > 1 ? t975(n - 1) * sqrt(v / n) : 0
    return sprintf(scale == 100 ? "%.1f ± %.1f" : "%.0f ± %.0f", scale * m, scale * h)
}
NR > 1 { key = $2 SUBSEP $3; seen[key] = 1; ns[key]++
         for (c = 4; c <= 10; c++) if ($c != "" && $c != "null") { cnt[key, c]++; sum[key, c] += $c; sq[key, c] += $c * $c } }
END {
    print "# Sequential replacements on MNIST: 6 -> 3, then 2 -> 7 on the result\n"
    print "Original pre-trained on 0,1,2,4,5,6,8,9; every method and the gold (retrain, from scratch at each step) " \
          "run twice in a row. Cells: mean ± half-width of the 95% interval of the mean (Student t), n = seeds. " \
          "6 in slot: test sixes filed into the slot 6 had (it holds 3 after step 1); probe 6: balanced accuracy of a " \
          "linear probe for 6 against the kept classes on penultimate features; relearn 6: SGD steps until 6 is " \
          "relearnt in a fresh slot (null, never within the cap, is left out of the mean). " \
          "After step 2: 2 in its old slot (now 7) and 7 in it.\n"
    print "| method | step | n | 6 in slot % | 3 in slot % | retained % | probe 6 % | relearn 6 steps | 2 in slot % | 7 in slot % |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    nm = split(methods, ML, ",")
    for (i = 1; i <= nm; i++) for (k = 1; k <= 2; k++) {
        key = ML[i] SUBSEP k; if (!seen[key]) continue
        printf "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", ML[i], k, ns[key], cell(key, 4, 100),
               cell(key, 5, 100), cell(key, 6, 100), cell(key, 7, 100), cell(key, 8, 1), cell(key, 9, 100), cell(key, 10, 100)
    }
}' "$csv" >"$out/results.md.tmp"
mv "$out/results.md.tmp" "$out/results.md"
echo "wrote $csv and $out/results.md" >&2
