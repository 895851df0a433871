#!/usr/bin/env bash
# The numbers quoted in the README's and docs' results passages are in docs/results
# (tools/check_numbers.sh), and the check itself fails on a number the results lack.
set -u
. "$(dirname "$0")/lib_cli.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
chk="$root/tools/check_numbers.sh"
mkdir -p "$T/res"
printf '| salun | 12.3 ± 1.1 |\n' >"$T/res/results.md"
printf 'a\n<!-- numbers from results -->\nleakage 12.3 ± 1.1, and 99.9\n<!-- end numbers -->\noutside 5.5\n' >"$T/doc.md"
bash "$chk" "$T/res" "$T/doc.md" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "doc.md:3: 99.9 is not in" "$T/err" && ! grep -q "5.5" "$T/err" && ok || ko "control: rc=$rc $(cat "$T/err")"
sed -i 's/, and 99.9//' "$T/doc.md"
bash "$chk" "$T/res" "$T/doc.md" >"$T/out" 2>&1 && ok || ko "passing case: $(cat "$T/out")"
(cd "$root" && bash tools/check_numbers.sh) >"$T/out" 2>&1 && ok || ko "README/docs quote numbers not in docs/results: $(cat "$T/out")"
(cd "$root" && bash tools/check_numbers.sh docs/results-pairs/pair27:docs/results-pairs/pair59 docs/results-pairs/README.md) \
    >"$T/out" 2>&1 && ok || ko "docs/results-pairs/README.md quotes numbers not in its results: $(cat "$T/out")"
(cd "$root" && bash tools/check_numbers.sh docs/extreme/fewshot-k5:docs/extreme/fewshot-k50:docs/extreme/george:docs/extreme/seednet:docs/extreme/noretain:docs/extreme/retain1:docs/extreme/noretain-val-plain:docs/extreme/noretain-val-masked:docs/extreme/sequential:docs/extreme/george-voices docs/extreme/README.md) \
    >"$T/out" 2>&1 && ok || ko "docs/extreme/README.md quotes numbers not in its results: $(cat "$T/out")"
(cd "$root" && bash tools/check_numbers.sh docs/tuning/v3 docs/tuning/v3/README.md) \
    >"$T/out" 2>&1 && ok || ko "docs/tuning/v3/README.md quotes numbers not in its results: $(cat "$T/out")"
grep -q "numbers from results" "$root/README.md" && ok || ko "README has no checked results passage"
echo "cli_docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
