#!/usr/bin/env bash
# voices_synth.sh — synthesise the three disjoint sets of espeak-ng voices the voices experiments use
# (bin/unlearn-prep synth), under one rule: a voice is an espeak-ng base voice with a variant, and
#   train      base voices en, en-us, en-gb-x-rp, en-gb-x-gbclan   x 22 variants: none,m1,m2,m4,m5,m6,
#              f1,f3,Annie,aunty,belinda,linda,steph,grandma,Alex,Andy,edward,john,max,paul,robert,victor
#   val        base voice  en-gb-x-gbcwmd                          x variants none,m7,m8,f5
#   test       base voices en-029, en-gb-scotland, en-us-nyc       x variants none,m3,f2,f4
# No base voice is in two sets and no variant other than a voice's own ('none') is in two sets, so a
# held-out test voice differs from every training voice in its accent rules AND its pitch/formant
# variant; the test variants are the ones of the earlier 320-clip check (none, m3, f2, f4).
# Only `train` is ever passed to training (--synth); `val` only to ablate --synth-val; `test` only
# to loso --synth-test / eval-folder.  speech-unlearn refuses a test folder sharing a speaker name
# with FSDD or the training voices.
# (The first ablation round used the first 7 training variants only: none,m1,m2,m4,m6,f1,f3.)
# Usage: tools/voices_synth.sh [OUT (default cache/voices)] [TAKES (default 3)]
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
out=${1:-$root/cache/voices}
takes=${2:-3}
P="$root/bin/unlearn-prep"
"$P" synth --out "$out/train" --takes "$takes" --jobs 1 \
    --voices en,en-us,en-gb-x-rp,en-gb-x-gbclan \
    --variants none,m1,m2,m4,m5,m6,f1,f3,Annie,aunty,belinda,linda,steph,grandma,Alex,Andy,edward,john,max,paul,robert,victor \
    | tail -1
"$P" synth --out "$out/val" --takes "$takes" --jobs 1 \
    --voices en-gb-x-gbcwmd --variants none,m7,m8,f5 | tail -1
"$P" synth --out "$out/test" --takes "$takes" --jobs 1 \
    --voices en-029,en-gb-scotland,en-us-nyc --variants none,m3,f2,f4 | tail -1
