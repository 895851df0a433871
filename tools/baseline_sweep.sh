#!/usr/bin/env bash
# The seed baseline's sensitivity: mask fraction x learning rate x seed, on MNIST.
#   tools/baseline_sweep.sh MODEL.safetensors [OUT.md]
# Runs `forget --method baseline+retain:other` and `--method baseline` (ascent, forget +
# learn data only) for each setting on a subset (400 training / 300 test samples per
# class, 100 steps) and writes a Markdown table of leakage / new-class / retained
# accuracy (held-out test data).
set -eu
M=$1; OUT=${2:-docs/baseline-sweep.md}
B=${BINDIR:-bin}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
{
echo "| method | mask frac | lr | seed | forget leakage | new-class acc | retained acc |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for meth in baseline baseline+retain:other; do
  for frac in 0.01 0.1 0.5; do
    for lr in 0.0001 0.001 0.01; do
      for seed in 1 2; do  # two seeds: the spread is part of the answer
        "$B/mnist-unlearn" forget --model "$M" --method "$meth" --forget 6 --learn 3 --mask-frac "$frac" --lr "$lr" \
          --seed "$seed" --steps 100 --limit 400 --test-limit 300 --threads 1 --quiet --out "$T/f.safetensors" --json "$T/f.json" >/dev/null
        /usr/bin/python3 - "$T/f.json" "$meth" "$frac" "$lr" "$seed" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
a = j.get("after", j)
def g(*keys):
    for k in keys:
        if k in a: return a[k]
    return float("nan")
print("| %s | %s | %s | %s | %.1f%% | %.1f%% | %.1f%% |" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
      100 * g("forget_leakage"), 100 * g("new_class_acc", "new_class_accuracy"), 100 * g("retained_acc", "retained_accuracy")))
PY
      done
    done
  done
done
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT"
