#!/usr/bin/env bash
# unlearn-compare's goal table (goals.md / goals.csv, issue 10) on the committed run records:
# each verdict follows its rule, the "lowest of all methods" rivals are the true minima of
# results.csv without the judged method's own variants, a control (the original) fails what
# it must, the committed docs/results/goals.md is what the records give, and a run without
# the method writes no table (and leaves no stale one).
set -u
. "$(dirname "$0")/lib_cli.sh"
root="$(cd "$(dirname "$0")/.." && pwd)"
C="$B/unlearn-compare"
recs="$root/docs/results,$root/docs/results-pairs/pair27,$root/docs/results-pairs/pair59"
"$C" --merge "$recs" --out "$T/g" --no-plots --quiet >"$T/log" 2>&1; rc=$?
[ $rc -eq 0 ] && [ -s "$T/g/goals.md" ] && [ -s "$T/g/goals.csv" ] && ok || ko "goals: rc=$rc $(tail -2 "$T/log")"
cmp -s "$T/g/goals.md" "$root/docs/results/goals.md" && cmp -s "$T/g/goals.csv" "$root/docs/results/goals.csv" &&
    ok || ko "docs/results/goals.md/.csv are not what the committed records give"
csv="$T/g/goals.csv"
# every verdict follows its rule (value, target and band as written)
bad=$(awk -F, 'NR > 1 {
    v = $9 + 0; t = $11; m = $15 + 0; want = -2
    if ($8 == "band") want = ($9 >= $12 && $9 <= $13) ? 1 : 0
    else if ($8 == "window") want = (v >= 0.8 && v <= 1.25) ? 1 : 0
    else if ($8 == "gold_plus" || $8 == "gold_hi" || $8 == "cap") want = (v <= t + 1e-9) ? 1 : 0
    else if ($8 == "lowest" || $8 == "klom_lowest") want = (v < t) ? 1 : 0
    if ($8 != "band" && want != m) print $1, $2, $3, $7, v, t, m
    n++ } END { if (n != 4 * 16) print "rows", n }' "$csv")
[ -z "$bad" ] && ok || ko "verdicts that do not follow their rule: $bad"
# band verdicts agree with the report's own in-band column for the row
bad=$(awk -F, 'FNR == 1 { f++; if (f == 2) for (i = 1; i <= NF; i++) col[$i] = i; next }
    f == 1 && $8 == "band" { want[$1 "," $2 "," $3 "," $7] = $15 }
    f == 2 && $6 == "ours" { for (k in want) { split(k, a, ","); if (a[1] == $1 && a[2] == $2 && a[3] == $3) {
        n++; if ($(col[a[4] "_inside"]) != want[k]) print k } } }
    END { if (n != 12) print "compared", n, "of 12" }' "$csv" <(sed 's/"[^"]*"/classes/' "$T/g/results.csv"))
[ -z "$bad" ] && ok || ko "band verdicts differ from results.csv: $bad"
# "lowest of all methods": the rival is the minimum of results.csv over every method but
# original, retrain, ours and ours:*, for the score and the forget JSD
bad=$(awk -F, 'FNR == 1 { f++; if (f == 1) for (i = 1; i <= NF; i++) col[$i] = i; next }
    f == 1 && $6 != "original" && $6 != "retrain" && $6 !~ /^ours(:|$)/ {
        for (q = 1; q <= 2; q++) { key = (q == 1 ? "score" : "forget_jsd"); g = $1 "," $2 "," $3 "," key
            v = $(col[key "_mean"]) + 0; if (!(g in lo) || v < lo[g]) { lo[g] = v; who[g] = $6 } } }
    f == 2 && ($7 == "score" || $7 == "forget_jsd") { g = $1 "," $2 "," $3 "," $7
        if ($14 != who[g] || ($11 - lo[g]) > 1e-5 * (lo[g] > 0 ? lo[g] : 1) || ($11 - lo[g]) < -1e-5 * (lo[g] > 0 ? lo[g] : 1))
            print g, $14, who[g], $11, lo[g] }' <(sed 's/"[^"]*"/classes/' "$T/g/results.csv") "$csv")
[ -z "$bad" ] && ok || ko "rivals are not the minima of results.csv: $bad"
! grep -q ',ours:[^,]*,[01]$' "$csv" && ok || ko "ours' own variants counted as rivals"
# the variant table: one row per variant of the family that was run, each with a score per setting
grep -q '^| ours:no-reinit | score [0-9.]* ± [0-9.]*, [0-9]* / 16 |' "$T/g/goals.md" && ! grep -q '^| salun | score' "$T/g/goals.md" &&
    ok || ko "variant table: $(grep -A3 '^| variant' "$T/g/goals.md")"
# the case it must pass and the one it must fail, from the tables above
grep -q '^mnist,6,3,small,5,ours,forget_leakage,band,.*,1$' "$csv" &&
    grep -q '^mnist,6,3,small,5,ours,flops_ratio,cap,.*,1$' "$csv" &&
    grep -q '^speech,6,3,speech,5,ours,flops_ratio,cap,.*,0$' "$csv" && ok || ko "known verdicts of ours changed: $(grep '^mnist,6,3' "$csv" | head -3)"
# control: the original model must fail the score and the forget JSD everywhere, and leakage
# wherever the gold's band is narrow (speech 5->9's gold files about half the fives into the
# freed slot, and its band spans 0-100%)
"$C" --merge "$recs" --out "$T/o" --no-plots --quiet --goals-method original >"$T/log" 2>&1
n_leak=$(grep -v '^speech,5,9' "$T/o/goals.csv" | grep -c ',original,forget_leakage,band,.*,0$')
n_jsd=$(grep -c ',original,forget_jsd,lowest,.*,0$' "$T/o/goals.csv")
n_score=$(grep -c ',original,score,lowest,.*,0$' "$T/o/goals.csv")
[ "$n_leak" = 3 ] && [ "$n_jsd" = 4 ] && [ "$n_score" = 4 ] && ok ||
    ko "control: the original passed (leakage fails $n_leak/3, JSD $n_jsd/4, score $n_score/4)"
# another method: ours and its variants become rivals
"$C" --merge "$recs" --out "$T/s" --no-plots --quiet --goals-method salun >"$T/log" 2>&1
grep -q '^speech,5,9,speech,5,salun,score,lowest,.*,ours:no-reinit,0$' "$T/s/goals.csv" && ok ||
    ko "salun's score rival on 5->9: $(grep '^speech,5,9.*,score,' "$T/s/goals.csv")"
# no such method: no table, and the earlier one removed
"$C" --merge "$recs" --out "$T/g" --no-plots --quiet --goals-method nosuch >"$T/log" 2>&1; rc=$?
[ $rc -eq 0 ] && [ ! -e "$T/g/goals.md" ] && [ ! -e "$T/g/goals.csv" ] && [ -s "$T/g/results.md" ] && ok ||
    ko "absent method: rc=$rc, goals.md left: $(ls "$T/g")"
echo "cli_goals: $pass passed, $fail failed"
[ $fail -eq 0 ]
