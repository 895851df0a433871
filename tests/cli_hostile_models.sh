# cli_hostile_models.sh — sourced by cli_hostile.sh: crafted checkpoints (input shape, modality, escape
# codes) refused by every command that loads them, and outputs that appear together or not at all.
# all outputs or none: killed right after the first output is staged (UNLEARN_TEST_CRASH_AT=7: an
# atomic save done), neither the checkpoint nor the JSON is in place and an old --out is untouched
mkdir -p "$T/few/fsdd/recordings"
for f in "$DATA"/fsdd/recordings/[0-9]_george_[0-9].wav; do ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$T/few/fsdd/recordings/"; done
run_killed() {   # NAME OUT JSON CMD...: old OUT kept, no JSON
    local name=$1 out=$2 json=$3; shift 3
    echo old >"$out"; rm -f "$json"
    local rc; rc=$( { (UNLEARN_TEST_CRASH_AT=7 "$@" --out "$out" --json "$json" --quiet >/dev/null 2>&1); echo $?; } 2>/dev/null)
    [ $rc -eq 137 ] && [ "$(cat "$out")" = old ] && [ ! -e "$json" ] && ok || ko "$name killed: rc=$rc out=$(head -c 20 "$out" | cat -v) json=$(ls "$json" 2>&1)"
    "$@" --out "$out" --json "$json" --quiet >/dev/null 2>"$T/err" && [ -s "$json" ] && ! cmp -s "$out" <(echo old) \
        && ok || ko "$name: $(head -2 "$T/err")"
    [ -z "$(ls "$(dirname "$out")" | grep '\.tmp\.')" ] && ok || ko "$name: staged files left: $(ls "$(dirname "$out")")"
}
for P in mnist speech; do
    D=$DATA; [ $P = speech ] && D=$T/few
    mkdir -p "$T/o$P"
    run_killed "$P pretrain" "$T/o$P/m.st" "$T/o$P/m.json" "$B/$P-unlearn" pretrain --data "$D" --cache "$T/cache" \
        --limit 4 --test-limit 2 --steps 2 --classes 0,1,2
    run_killed "$P forget" "$T/o$P/f.st" "$T/o$P/f.json" "$B/$P-unlearn" forget --model "$T/o$P/m.st" --data "$D" \
        --cache "$T/cache" --method finetune --forget 1 --learn none --steps 1 --limit 4 --test-limit 2
done

for f in shape2000 shape56 shape200; do
    pat="the model's input is"; [ $f = shape200 ] && pat="names no modality"
    M="$R/$f.safetensors"
    expect1 "$f eval" "$pat" "$B/mnist-unlearn" eval --model "$M" --limit 5 --test-limit 5 --quiet
    expect1 "$f eval --forget" "$pat" "$B/mnist-unlearn" eval --model "$M" --forget 1 --limit 5 --test-limit 5 --quiet
    expect1 "$f eval --reference" "$pat" "$B/mnist-unlearn" eval --model "$T/omnist/m.st" --reference "$M" --forget 1 \
        --limit 5 --test-limit 5 --quiet
    expect1 "$f forget" "$pat" "$B/mnist-unlearn" forget --model "$M" --method finetune --forget 1 --learn none \
        --out "$T/f.st" --limit 5 --quiet
    expect1 "$f speech eval" "not speech\|names no modality" "$B/speech-unlearn" eval --model "$M" --quiet
done
expect1 "shape200 info" "names no modality" "$B/mnist-unlearn" info --model "$R/shape200.safetensors"
for c in info eval; do
    expect1 "st_escape $c" 'unknown field "\\x1b\[2J' "$B/mnist-unlearn" $c --model "$R/st_escape_in_error.safetensors"
done
[ ! -e "$T/f.st" ] && ok || ko "a refused forget wrote its --out"

