#!/usr/bin/env bash
# bin/unlearn-compare on a tiny MNIST run (one method), the cache of pre-trained
# models, the result files, and `mnist-unlearn eval --forget` on its checkpoints.
set -u
. "$(dirname "$0")/lib_cli.sh"

"$B/unlearn-compare" --help | grep -q "usage: unlearn-compare" && ok || ko "--help"
"$B/unlearn-compare" --methods nosuch --data "$DATA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(grep -c . "$T/err")" -eq 1 ] && grep -q "unknown method 'nosuch'" "$T/err" && ok || ko "unknown method: rc=$rc $(cat "$T/err")"
"$B/unlearn-compare" --modalities nosuch --data "$DATA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown modality" "$T/err" && ok || ko "unknown modality: rc=$rc"

# a tiny run: original + retrain + finetune, one seed
"$B/unlearn-compare" --quick --limit 40 --test-limit 30 --modalities mnist --methods finetune --out "$T/run" --data "$DATA" >"$T/log" 2>&1; rc=$?
[ $rc -eq 0 ] && ok || ko "quick run: rc=$rc $(tail -5 "$T/log")"
grep -q "total time" "$T/log" && ok || ko "total time printed"
for f in results.json results.csv results_runs.csv results.md per_class_mnist.svg relearn_mnist.svg \
         confusion_mnist_finetune.svg confusion_mnist_original.svg; do
    [ -s "$T/run/$f" ] && ok || ko "missing $f"
done
head -c 4 "$T/run/per_class_mnist.svg" | grep -q "<svg" && tail -c 7 "$T/run/relearn_mnist.svg" | grep -q "</svg>" && ok || ko "svg shape"
head -1 "$T/run/results.csv" | grep -q "^modality,method,n_seeds,forget_leakage_mean," && ok || ko "csv header"
[ "$(grep -c '^mnist,' "$T/run/results.csv")" -eq 3 ] && ok || ko "csv rows: $(cat "$T/run/results.csv" | cut -c1-40)"
grep -q "| finetune | 1 |" "$T/run/results.md" && grep -q "| retrain | 1 |" "$T/run/results.md" && ok || ko "markdown rows"
if command -v python3 >/dev/null; then
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['runs'])==3 and d['run']['forget']==6" \
        "$T/run/results.json" && ok || ko "results.json"
fi
ls "$T/run/models/"*original*.safetensors >/dev/null 2>&1 && ls "$T/run/models/"*retrain*.safetensors >/dev/null 2>&1 \
    && ok || ko "cached models"

# the second run reuses the cached original and retrain
"$B/unlearn-compare" --quick --limit 40 --test-limit 30 --modalities mnist --methods none --out "$T/run" --data "$DATA" >"$T/log2" 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c "cached" "$T/log2")" -eq 2 ] && ok || ko "cache reuse: rc=$rc $(grep -i "original\|retrain" "$T/log2" | head -4)"

# eval --forget on the checkpoints: the retrained model is 'unlearned' (3 in slot of 6)
orig=$(ls "$T/run/models/"*original*.safetensors | head -1)
retr=$(ls "$T/run/models/"*retrain*.safetensors | head -1)
"$B/mnist-unlearn" eval --model "$retr" --forget 6 --learn 3 --reference "$orig" --metrics basic,probe \
    --limit 40 --test-limit 30 --json "$T/ev.json" --data "$DATA" --quiet >"$T/ev" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "unlearned model" "$T/ev" && grep -q "linear-probe accuracy" "$T/ev" && ! grep -q "MIA efficacy" "$T/ev" \
    && grep -q "avg gap" "$T/ev" && ok || ko "eval --forget: rc=$rc $(tail -5 "$T/ev")"
grep -q '"state": "unlearned"' "$T/ev.json" && grep -q '"reference_metrics"' "$T/ev.json" && ok || ko "eval json"
"$B/mnist-unlearn" eval --model "$orig" --forget 6 --metrics basic --limit 40 --test-limit 30 --data "$DATA" --quiet >"$T/ev" 2>&1 \
    && grep -q "original model" "$T/ev" && ok || ko "eval original: $(tail -3 "$T/ev")"
# refusals: a class the model never had, an unknown metric
"$B/mnist-unlearn" eval --model "$orig" --forget 3 --limit 40 --test-limit 30 --data "$DATA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -ne 0 ] && [ "$(grep -c . "$T/err")" -eq 1 ] && grep -q "no slot for class 3" "$T/err" && ok || ko "forget unslotted: rc=$rc $(cat "$T/err")"
"$B/mnist-unlearn" eval --model "$orig" --forget 6 --metrics basic,foo --data "$DATA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown metric 'foo'" "$T/err" && ok || ko "unknown metric: rc=$rc $(cat "$T/err")"

echo "cli_compare: $pass passed, $fail failed"
[ $fail -eq 0 ]
