#!/usr/bin/env bash
# tools/sequential.sh (extreme case 3: 6 -> 3, then 2 -> 7 on the result): refusals, and a tiny run whose
# rows are the steps it claims — the second step replaced 2 by 7 in the gold, 6 stays out of its old slot.
set -u
. "$(dirname "$0")/lib_cli.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
S="$root/tools/sequential.sh"
bash "$S" --help | grep -q "two replacements in a row" && ok || ko "--help"
bash "$S" --steps 0 >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q "not a positive integer" "$T/err" && ok || ko "--steps 0"
bash "$S" --nosuch 1 >/dev/null 2>"$T/err"; [ $? -eq 2 ] && grep -q "unknown option" "$T/err" && ok || ko "unknown option"
bash "$S" --bin "$T/nobin" >/dev/null 2>"$T/err"; [ $? -eq 1 ] && grep -q "not found" "$T/err" && ok || ko "missing binary"
# the script is bash over the CLIs, which their own suites run under ASan + UBSan: its runs are left to the release suite
case "$B" in *asan*) echo "cli_sequential: sanitizer build: the tiny run is left to the release suite"
                     echo "cli_sequential: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit;; esac
bash "$S" --bin "$B" --data "$DATA" --seeds 1 --methods ours --steps 5 --limit 20 --test-limit 10 --threads 1 \
    --out "$T/seq" >"$T/log" 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^1,' "$T/seq/results.csv")" -eq 4 ] && grep -q "^| retrain | 2 | 1 |" "$T/seq/results.md" &&
    grep -q "^| ours | 2 | 1 |" "$T/seq/results.md" && ok || ko "tiny run: rc=$rc $(tail -3 "$T/log")"
# the gold's second step files under half of the 2s in their old slot, and some 7s there
awk -F, '$2 == "retrain" && $3 == 2 { exit !($9 < 0.5 && $10 > 0) }' "$T/seq/results.csv" && ok ||
    ko "gold step 2 did not replace 2 by 7: $(grep retrain "$T/seq/results.csv")"
# --report-only rebuilds the same table from results.csv
cp "$T/seq/results.md" "$T/md0" && rm "$T/seq/results.md"
bash "$S" --report-only --out "$T/seq" 2>/dev/null && cmp -s "$T/md0" "$T/seq/results.md" && ok || ko "--report-only"
bash "$S" --report-only --out "$T/nothing" 2>"$T/err"; [ $? -eq 1 ] && grep -q "no results to report" "$T/err" && ok ||
    ko "--report-only without results"
echo "cli_sequential: $pass passed, $fail failed"
[ $fail -eq 0 ]
