#!/usr/bin/env bash
# sequential.sh — two replacements in a row on MNIST (6 -> 3, then 2 -> 7 on the result), per method
# and for the gold (retrain at each step); does 6 come back after the second one?
#   tools/sequential.sh [--seeds 1,2,3] [--methods ours,baseline+retain,neggrad+] [--steps 100]
#                       [--out DIR] [--bin DIR] [--data DIR] [--limit N] [--test-limit N] [--threads N]
#   tools/sequential.sh --report-only [--out DIR]   (results.md again from DIR/results.csv)
# The original is pre-trained on 0,1,2,4,5,6,8,9 (no 3, no 7).  Step 1: forget 6, learn 3; step 2:
# forget 2, learn 7, on step 1's model.  After each step the model is scored for 6 (`mnist-unlearn eval
# --forget 6 --learn 3`: sixes in the old slot, threes there, the kept classes, a linear probe for 6 in
# the features, SGD steps to relearn 6) and after step 2 for the 2 -> 7 replacement too.
# Writes DIR/runs/s<seed>/<method>_step<k>.json (eval's JSON), DIR/results.csv (one row per seed, method,
# step) and DIR/results.md (mean ± half-width of the 95% interval of the mean, Student t); the models go
# to DIR/models.  Exit 1 on the first failed command, with its output.
set -euo pipefail
seeds=1,2,3 methods=ours,baseline+retain,neggrad+ steps=100 out=sequential bin=bin
pass=() report=
while [ $# -gt 0 ]; do
    case $1 in
        --seeds) seeds=$2 ;; --methods) methods=$2 ;; --steps) steps=$2 ;; --out) out=$2 ;; --bin) bin=$2 ;;
        --data|--limit|--test-limit|--threads) pass+=("$1" "$2") ;;
        --report-only) report=1; shift; continue ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "sequential.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift 2 || { echo "sequential.sh: $1 needs a value" >&2; exit 2; }
done
[[ $steps =~ ^[1-9][0-9]*$ ]] || { echo "sequential.sh: --steps: '$steps' is not a positive integer" >&2; exit 2; }
[[ $seeds =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "sequential.sh: --seeds: '$seeds' is not a list of integers" >&2; exit 2; }
U="$bin/mnist-unlearn" csv="$out/results.csv"
[ -n "$report" ] || [ -x "$U" ] || { echo "sequential.sh: $U: not found (build with make, or give --bin)" >&2; exit 1; }
[ -z "$report" ] || [ -f "$csv" ] || { echo "sequential.sh: $csv: no results to report" >&2; exit 1; }
[ -n "$report" ] || mkdir -p "$out/models" "$out/runs"
M="$out/models"
me=sequential.sh
. "$(dirname "$0")/lib_runs.sh"
rows=()
IFS=, read -r -a S <<<"$seeds"
IFS=, read -r -a MS <<<"retrain,$methods"
for s in "${S[@]}"; do
    [ -z "$report" ] || break
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
if [ -z "$report" ]; then
    { echo "seed,method,step,leak6,new3,retained,probe6,relearn6_steps,leak2,new7"; printf '%s\n' "${rows[@]}"; } >"$csv.tmp"
    mv "$csv.tmp" "$csv"
fi
{
    echo "# Sequential replacements on MNIST: 6 -> 3, then 2 -> 7 on the result"
    echo
    echo "Original pre-trained on 0,1,2,4,5,6,8,9; every method and the gold (retrain, from scratch at each step)" \
         "run twice in a row. Cells: mean ± half-width of the 95% interval of the mean (Student t), n = seeds." \
         "leak6: test sixes filed into the slot 6 had (it holds 3 after step 1); new3: threes there; retained: the" \
         "other slotted classes (7 included after step 2); probe6: balanced accuracy of a linear probe for 6 against" \
         "the kept classes on penultimate features; relearn6_steps: SGD steps until 6 is relearnt in a fresh slot" \
         "(null, never within the cap, is left out of the mean). After step 2: leak2, the twos in their old slot" \
         "(now 7's), and new7, the sevens there."
    echo
    awk -F, -v by=2,3 -v cols=4,5,6,7,8,9,10 -v scale=100,100,100,100,1,100,100 -f "$(dirname "$0")/mean_ci.awk" "$csv"
} >"$out/results.md.tmp"
mv "$out/results.md.tmp" "$out/results.md"
echo "wrote $out/results.md" >&2
