#!/usr/bin/env bash
# check_numbers.sh — every number quoted in the results passages of the README and docs
# must be in the generated results (docs/results/): a claim the table does not hold fails.
#   tools/check_numbers.sh [RESULTS_DIR[:DIR...]] [FILE...]  (default: docs/results README.md docs/*.md)
# A results passage is the text between "<!-- numbers from results -->" and
# "<!-- end numbers -->".  Each decimal number there (12.3, 0.84, 1.25) must appear, as
# written, in a file of RESULTS_DIR (.md, .csv or .json); integers are not checked
# (seeds, counts, step budgets).  Prints each missing number with its file and line;
# exit 1 if any is missing, 0 otherwise.
set -u
res=${1:-docs/results}
shift || true
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/*.md)
pool=
IFS=: read -r -a dirs <<<"$res"
for d in "${dirs[@]}"; do
    [ -d "$d" ] || { echo "check_numbers: $d: no results folder" >&2; exit 1; }
    pool+=$(cat "$d"/*.md "$d"/*.csv "$d"/*.json 2>/dev/null)
done
missing=0 checked=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$pool" >"$tmp/pool"
for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    awk '/<!-- numbers from results -->/{on=1; next} /<!-- end numbers -->/{on=0} on {print NR": "$0}' "$f" |
        sed 's/`[^`]*`//g; s/([^)]*\.md)//g' |
        grep -oE '^[0-9]+:|[0-9]+\.[0-9]+' | awk '/:$/{ln=$0; sub(":","",ln); next} {print ln":"$0}' >"$tmp/nums"
    # one pass over the pool for every number (fixed strings); a number grep -o did not report (it
    # may sit inside a longer match) is looked up on its own
    cut -d: -f2 "$tmp/nums" | sort -u >"$tmp/want"
    [ -s "$tmp/want" ] && grep -oF -f "$tmp/want" "$tmp/pool" | sort -u >"$tmp/seen" || : >"$tmp/seen"
    checked=$((checked + $(grep -c . "$tmp/nums")))
    while IFS=: read -r line num; do
        if ! grep -qF -- "$num" "$tmp/pool"; then
            echo "check_numbers: $f:$line: $num is not in $res" >&2
            missing=$((missing + 1))
        fi
    done < <(awk -F: 'NR == FNR { seen[$0] = 1; next } !($2 in seen)' "$tmp/seen" "$tmp/nums")
done
echo "check_numbers: $checked numbers checked, $missing missing"
[ $missing -eq 0 ]
