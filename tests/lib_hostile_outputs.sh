# lib_hostile_outputs.sh — sourced by cli_hostile.sh: the outputs of pretrain and forget (both modalities)
# appear together or not at all; leaves the models $T/omnist/m.st and $T/ospeech/m.st.
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
    run_killed "$P pretrain" "$T/o$P/m.st" "$T/o$P/m.json" "$B/$P-unlearn" pretrain --data "$D" --cache "$T/ocache" \
        --limit 4 --test-limit 2 --steps 2 --classes 0,1,2
    run_killed "$P forget" "$T/o$P/f.st" "$T/o$P/f.json" "$B/$P-unlearn" forget --model "$T/o$P/m.st" --data "$D" \
        --cache "$T/ocache" --method finetune --forget 1 --learn none --steps 1 --limit 4 --test-limit 2
done

