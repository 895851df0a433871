#!/usr/bin/env bash
# tools/heldout_voices.sh (extreme case 4, synthetic voices): refusals, and a tiny run on a folder of
# "voices" (FSDD clips of george renamed) whose rows are the models it claims and whose shares are
# eval-folder's.
set -u
. "$(dirname "$0")/lib_cli.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
H="$root/tools/heldout_voices.sh"
bash "$H" --help | grep -q "do their sixes still land in the old slot" && ok || ko "--help"
bash "$H" --seeds x >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q "not a list of integers" "$T/err" && ok || ko "--seeds x"
bash "$H" --nosuch 1 >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q "unknown option" "$T/err" && ok || ko "unknown option"
bash "$H" --bin "$T/nobin" >/dev/null 2>"$T/err"; [ $? -eq 1 ] && grep -q "not found" "$T/err" && ok || ko "missing binary"
# the script is bash over the CLIs, which their own suites run under ASan + UBSan: its runs are left to the release suite
case "$B" in *asan*) echo "cli_heldout_voices: sanitizer build: the tiny run is left to the release suite"
                     echo "cli_heldout_voices: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit;; esac
R="$DATA/fsdd/recordings"
if [ ! -d "$R" ]; then
    if [ "${CI:-}" = true ]; then ko "no FSDD in $DATA (CI=true: missing data is a failure)"
    else echo "no FSDD in $DATA: data tests skipped (they fail when CI=true)"; fi
else
    mkdir -p "$T/v"
    for d in 0 1 3 6; do cp "$R/${d}_george_1.wav" "$T/v/${d}_anna_0.wav"; cp "$R/${d}_george_2.wav" "$T/v/${d}_bo_0.wav"; done
    bash "$H" --bin "$B" --data "$DATA" --seeds 1 --methods ours --limit 3 --threads 1 --voices "$T/v" --out "$T/hv" \
        >"$T/log" 2>&1; rc=$?
    [ $rc -eq 0 ] && [ "$(grep -c '^1,' "$T/hv/results.csv")" -eq 3 ] && grep -q "^| original | 1 |" "$T/hv/results.md" &&
        grep -q "^| ours | 1 |" "$T/hv/results.md" && ok || ko "tiny run: rc=$rc $(tail -3 "$T/log")"
    # the CSV's share is eval-folder's own, for a model with 6 (original) and one without (ours, 3 in its slot)
    for m in original ours; do
        s=$(python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['forget']; assert f['n']==2; print(f['share'])" \
            "$T/hv/runs/s1/$m.json" 2>/dev/null)
        [ -n "$s" ] && awk -F, -v m=$m -v s="$s" '$2 == m { exit !($3 - s < 1e-6 && s - $3 < 1e-6) }' "$T/hv/results.csv" &&
            ok || ko "$m: share '$s' not in the CSV"
    done
    python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['forget']; assert f['slot_class']==3" "$T/hv/runs/s1/ours.json" \
        && ok || ko "ours: the slot read is not the one that holds 3"
fi
echo "cli_heldout_voices: $pass passed, $fail failed"
[ $fail -eq 0 ]
