#!/usr/bin/env bash
# heldout_voices.sh — forget the spoken "six" having heard five FSDD speakers (george held out), then ask
# synthetic voices it never heard: do their sixes still land in the old slot?
#   tools/heldout_voices.sh [--seeds 1,2,3] [--methods ours,salun,random-labels] [--split george]
#                           [--out DIR] [--bin DIR] [--data DIR] [--threads N] [--limit N] [--voices DIR]
# Per seed, with speech-unlearn and the comparison's settings (6 pre-training epochs, 60 method steps,
# batch 32): the original (0,1,2,4,5,6,7,8,9) and the gold (trained from scratch with 3 in the slot of 6)
# on the five speakers, and each method on the original (forget 6, learn 3).  Every model is scored with
# `eval-folder --forget 6 [--learn 3]` on the held-out test voices of tools/voices_synth.sh (espeak-ng
# en-029, en-gb-scotland, en-us-nyc x variants none, m3, f2, f4; 3 takes: 36 clips per digit), made
# in DIR/voices if absent (--voices V: score folder V of {digit}_{speaker}_{take}.wav, made there if
# absent).  Writes DIR/runs/s<seed>/<method>.json (eval-folder's JSON), DIR/results.csv and DIR/results.md
# (mean ± half-width of the 95% interval of the mean over seeds); models in DIR/models.
set -euo pipefail
seeds=1,2,3 methods=ours,salun,random-labels split=george out=heldout-voices bin=bin
data=() thr=() V=
while [ $# -gt 0 ]; do
    case $1 in
        --seeds) seeds=$2 ;; --methods) methods=$2 ;; --split) split=$2 ;; --out) out=$2 ;; --bin) bin=$2 ;;
        --data) data=(--data "$2") ;; --threads) thr=(--threads "$2") ;; --limit) data+=(--limit "$2") ;;
        --voices) V=$2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "heldout_voices.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift 2 || { echo "heldout_voices.sh: $1 needs a value" >&2; exit 2; }
done
[[ $seeds =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "heldout_voices.sh: --seeds: '$seeds' is not a list of integers" >&2; exit 2; }
U="$bin/speech-unlearn" P="$bin/unlearn-prep"
for b in "$U" "$P"; do [ -x "$b" ] || { echo "heldout_voices.sh: $b: not found (build with make, or give --bin)" >&2; exit 1; }; done
mkdir -p "$out/models" "$out/runs"
M="$out/models" V=${V:-$out/voices}
me=heldout_voices.sh
. "$(dirname "$0")/lib_runs.sh"
if [ ! -d "$V" ]; then
    echo "synthesising the test voices into $V" >&2
    run "$P" synth --out "$V.tmp" --takes 3 --jobs 1 --voices en-029,en-gb-scotland,en-us-nyc --variants none,m3,f2,f4
    mv "$V.tmp" "$V"
fi
sp=(--split "$split" "${data[@]}" "${thr[@]}")
rows=()
IFS=, read -r -a S <<<"$seeds"
IFS=, read -r -a MS <<<"$methods"
for s in "${S[@]}"; do
    mkdir -p "$out/runs/s$s"
    o="$M/original_s$s.safetensors" g="$M/gold_s$s.safetensors"
    echo "[seed $s] original and gold (speaker $split held out)" >&2
    run "$U" pretrain --classes 0,1,2,4,5,6,7,8,9 --epochs 6 --seed "$s" --out "$o" --quiet "${sp[@]}"
    run "$U" pretrain --classes 0,1,2,4,5,3,7,8,9 --epochs 6 --seed "$((s + 1000))" --out "$g" --quiet "${sp[@]}"
    for m in original retrain "${MS[@]}"; do
        f=${m//[^A-Za-z0-9_-]/_} model="$M/${f}_s$s.safetensors" fl=(--forget 6 --learn 3)
        case $m in
            original) model=$o; fl=(--forget 6) ;;
            retrain) model=$g ;;
            *) echo "[seed $s] $m" >&2
               run "$U" forget --model "$o" --method "$m" --forget 6 --learn 3 --steps 60 --batch 32 --seed "$s" \
                   --out "$model" --quiet "${sp[@]}" ;;
        esac
        j="$out/runs/s$s/$f.json"
        run "$U" eval-folder --model "$model" --folder "$V" "${fl[@]}" --skip-unknown --json "$j" "${thr[@]}"
        three=$(num "$j" 3)
        rows+=("$s,$m,$(num "$j" share),$(num "$j" accuracy),${three:-}")
    done
done
csv="$out/results.csv"
{ echo "seed,method,six_in_slot,accuracy_other_digits,three_in_slot"; printf '%s\n' "${rows[@]}"; } >"$csv.tmp"
mv "$csv.tmp" "$csv"
{
    echo "# Synthetic voices after forgetting \"six\" without speaker $split"
    echo
    echo "speech-unlearn models trained on the other five FSDD speakers; scored on espeak-ng test voices" \
         "(tools/voices_synth.sh's test set). six_in_slot: the voices' sixes filed into the slot that was 6's" \
         "(for the original: said \"6\"); accuracy_other_digits: every other clip whose digit the model has a slot for" \
         "(the new class 3 included; for the original, 3 has no slot); three_in_slot: the voices' threes in that slot."
    echo
    awk -F, -v by=2 -v cols=3,4,5 -v scale=100,100,100 -f "$(dirname "$0")/mean_ci.awk" "$csv"
} >"$out/results.md.tmp"
mv "$out/results.md.tmp" "$out/results.md"
echo "wrote $csv and $out/results.md" >&2
