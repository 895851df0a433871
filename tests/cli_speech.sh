#!/usr/bin/env bash
# The speech CLI end to end on a small subset: --help, a quick pre-train that
# writes a checkpoint, eval/info of it, the held-out-speaker split, the feature
# cache (made on first use, reused after), and one-line refusals.
set -u
. "$(dirname "$0")/lib_cli.sh"
S="$B/speech-unlearn"
C="$T/cache"

"$S" --help | grep -q pretrain && ok || ko "--help"
"$S" --help | grep -q "speech" && ok || ko "--help names the modality"
for c in pretrain eval forget info; do "$S" $c --help | grep -q usage && ok || ko "$c --help"; done
"$S" pretrain --help | grep -q -- "--split" && ok || ko "pretrain --help documents --split"

if [ ! -d "$DATA/fsdd/recordings" ]; then
    echo "no FSDD in $DATA: data tests skipped"
else
    # quick pre-train on a subset: builds the feature cache, writes a checkpoint and JSON
    "$S" pretrain --limit 12 --test-limit 4 --epochs 1 --out "$T/s.safetensors" --json "$T/s.json" \
        --data "$DATA" --cache "$C" >"$T/log" 2>&1 \
        && [ -s "$T/s.safetensors" ] && grep -q '"accuracy"' "$T/s.json" && ok || ko "pretrain on a subset: $(tail -3 "$T/log")"
    grep -q "computing 3000 recordings" "$T/log" && ok || ko "first run computes the features: $(head -3 "$T/log")"
    [ -s "$C/fsdd.features.bin" ] && [ -s "$C/fsdd.manifest.csv" ] && ok || ko "cache written"
    m1=$(stat -c %y "$C/fsdd.features.bin")
    "$S" info --model "$T/s.safetensors" >"$T/info" 2>&1
    grep -q "speech" "$T/info" && grep -q "0,1,2,4,5,6,7,8,9" "$T/info" && grep -q "1x40x96" "$T/info" && ok \
        || ko "info: $(head -5 "$T/info")"
    # eval reuses the cache and does not rewrite it
    "$S" eval --model "$T/s.safetensors" --test-limit 4 --data "$DATA" --cache "$C" >"$T/ev" 2>&1 \
        && grep -q "confusion matrix" "$T/ev" && ok || ko "eval: $(tail -3 "$T/ev")"
    grep -q "reusing cache" "$T/ev" && ok || ko "eval reuses the cache: $(head -2 "$T/ev")"
    [ "$(stat -c %y "$C/fsdd.features.bin")" = "$m1" ] && ok || ko "cache rewritten by a reuse"
    # leave-one-speaker-out: 500 test recordings, 50 per digit (10 per class with --test-limit 10)
    "$S" pretrain --split theo --limit 8 --test-limit 10 --steps 3 --quiet --out "$T/h.safetensors" --data "$DATA" \
        --cache "$C" >"$T/h" 2>&1 && [ -s "$T/h.safetensors" ] && ok || ko "--split theo: $(tail -3 "$T/h")"
    grep -qE '^ +4 +3 +10 ' "$T/h" && ok || ko "--split theo: 10 test samples of class 4: $(grep -E '^ +4 ' "$T/h" | head -2)"
    # --quiet says nothing about a valid cache
    "$S" eval --model "$T/s.safetensors" --test-limit 2 --quiet --data "$DATA" --cache "$C" 2>"$T/qe" >/dev/null \
        && ! grep -q "features:" "$T/qe" && ok || ko "--quiet with a valid cache: $(head -2 "$T/qe")"
    # refusals: one line each
    expect_fail "unknown speaker" "unknown speaker 'bob'" "$S" pretrain --split bob --limit 5 --data "$DATA" --cache "$C"
    expect_fail "unknown speaker lists the speakers" "george,jackson,lucas,nicolas,theo,yweweler" \
        "$S" pretrain --split bob --limit 5 --data "$DATA" --cache "$C"
    expect_fail "missing data dir" "/nonexistent" "$S" pretrain --data /nonexistent/dir --limit 5 --cache "$C"
    expect_fail "missing model" "nonexistent.safetensors" "$S" eval --model /nonexistent.safetensors --data "$DATA" --cache "$C"
    expect_fail "unknown option" "unknown option --colour" "$S" pretrain --colour red
    # a broken recording is refused by name
    mkdir -p "$T/broken/fsdd/recordings"
    for f in "$DATA"/fsdd/recordings/*_theo_*.wav; do ln -s "$f" "$T/broken/fsdd/recordings/"; done
    rm "$T/broken/fsdd/recordings/5_theo_7.wav"; head -c 60 "$DATA/fsdd/recordings/5_theo_7.wav" > "$T/broken/fsdd/recordings/5_theo_7.wav"
    expect_fail "truncated wav" "5_theo_7.wav" "$S" pretrain --limit 5 --quiet --data "$T/broken" --cache "$T/cache2"
fi
echo "cli_speech: $pass passed, $fail failed"
[ $fail -eq 0 ]
