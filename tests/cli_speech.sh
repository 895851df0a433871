#!/usr/bin/env bash
# The speech CLI end to end on a small subset: --help, a quick pre-train that
# writes a checkpoint, eval/info of it, the held-out-speaker split, the feature
# cache (made on first use, reused after), `forget` end to end with the output
# model judged by `eval --json`, and one-line refusals.  Data missing: skipped,
# but with CI=true (CI sets it) that is a failure.
set -u
. "$(dirname "$0")/lib_cli.sh"
S="$B/speech-unlearn"
C="$T/cache"

"$S" --help | grep -q pretrain && ok || ko "--help"
"$S" --help | grep -q "speech" && ok || ko "--help names the modality"
for c in pretrain eval forget info; do "$S" $c --help | grep -q usage && ok || ko "$c --help"; done
"$S" pretrain --help | grep -q -- "--split" && ok || ko "pretrain --help documents --split"

if [ ! -d "$DATA/fsdd/recordings" ]; then
    if [ "${CI:-}" = true ]; then ko "no FSDD in $DATA (CI=true: missing data is a failure)"
    else echo "no FSDD in $DATA: data tests skipped (they fail when CI=true)"; fi
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
    # forget 6 / learn 3 end to end, judged by eval --json on held-out clips
    "$S" pretrain --limit 40 --test-limit 10 --epochs 6 --quiet --threads 1 --out "$T/o.safetensors" --data "$DATA" \
        --cache "$C" >"$T/log" 2>&1 && ok || ko "pretrain for forget: $(tail -3 "$T/log")"
    # (ours uses 60% of the budget; at --steps 40 — 24 steps — it left 7 of 10 sixes in place on this weak
    # 40-clip-per-class model, retained 44%: docs/ours.md, "where it loses")
    "$S" forget --model "$T/o.safetensors" --method ours --forget 6 --learn 3 --steps 100 --limit 40 --test-limit 10 \
        --threads 1 --quiet --out "$T/f.safetensors" --data "$DATA" --cache "$C" >"$T/flog" 2>&1 \
        && [ -s "$T/f.safetensors" ] && ok || ko "forget --method ours: $(tail -3 "$T/flog")"
    for m in o f; do
        "$S" eval --model "$T/$m.safetensors" --forget 6 --learn 3 --metrics basic --test-limit 10 --threads 1 --quiet \
            --json "$T/$m.json" --data "$DATA" --cache "$C" >/dev/null 2>&1 && ok || ko "eval --json ($m)"
    done
    python3 - "$T/o.json" "$T/f.json" <<'PY' && ok || ko "forget outcome judged by eval --json"
import json, sys
o, u = (json.load(open(p))["metrics"] for p in sys.argv[1:3])
print("original leak %.3f new %.3f | ours leak %.3f new %.3f ret %.3f" % (
    o["forget_leakage"], o["new_class_acc"], u["forget_leakage"], u["new_class_acc"], u["retained_acc"]))
assert o["forget_leakage"] > 0.5
assert u["forget_leakage"] < 0.2 and u["new_class_acc"] > 0.5 and u["retained_acc"] > 0.5
PY
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
