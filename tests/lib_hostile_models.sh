# lib_hostile_models.sh — sourced by cli_hostile.sh: crafted checkpoints (input shape, modality, escape
# codes) refused by every command that loads them (the model $T/omnist/m.st comes from lib_hostile_outputs.sh).
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

