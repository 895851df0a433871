# lib_runs.sh — what the measurement scripts over the CLIs share (sourced; set `me` to the script's name).
# run CMD...: run it quietly; on failure print its last lines and exit 1.
run() {
    local log
    log=$("$@" 2>&1) || { echo "$me: failed: $*" >&2; echo "$log" | tail -5 >&2; exit 1; }
}
# num FILE KEY: the first value of "KEY": in a JSON file, a number or null ("" when absent).
num() { { grep -o "\"$2\": [-0-9.e]*\|\"$2\": null" "$1" || true; } | head -1 | sed 's/.*: //'; }
