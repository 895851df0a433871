#!/usr/bin/env bash
# thread_policy.sh — OpenMP wait policies on this machine: training throughput (bench/train_bench,
# batch 64, 3-4 s each) with 2 threads and with 1 on an idle machine, and with two processes of 2
# threads sharing the cores (what `unlearn-compare --jobs 2 --threads 2` does), for libgomp's
# default spinning, OMP_WAIT_POLICY=passive and GOMP_SPINCOUNT=10000.  Each setting is forced in
# the environment: GOMP_SPINCOUNT, when set, decides the spinning whatever the wait policy.
#   usage: BUILD=build tools/thread_policy.sh [NET.net ...]   (default: small and speech)
set -u
cd "$(dirname "$0")/.."
TB=${BUILD:-build}/bench/train_bench
[ -x "$TB" ] || { echo "thread_policy: $TB is not built (make ${BUILD:-build}/bench/train_bench)" >&2; exit 1; }
nets=("$@"); [ ${#nets[@]} -gt 0 ] || nets=(vision/nets/small.net audio/nets/speech.net)
ips() { grep -o 'img_per_s=[0-9.]*' "$1" | cut -d= -f2; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
printf '%-8s %-10s %10s %10s %22s\n' net policy "2 thr" "1 thr" "2 procs x 2 thr"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
for n in "${nets[@]}"; do
    for pol in default passive spin10k; do
        case $pol in
            default) E=(GOMP_SPINCOUNT=300000);;   # libgomp's default without OMP_WAIT_POLICY (~3 ms)
            passive) E=(OMP_WAIT_POLICY=passive);;  # no spinning (what our programs now set)
            spin10k) E=(GOMP_SPINCOUNT=10000);;
        esac
        env "${E[@]}" OMP_NUM_THREADS=2 "$TB" "$n" train 64 3 >"$t/a"
        env "${E[@]}" OMP_NUM_THREADS=1 "$TB" "$n" train 64 3 >"$t/b"
        env "${E[@]}" OMP_NUM_THREADS=2 "$TB" "$n" train 64 4 >"$t/c" &
        env "${E[@]}" OMP_NUM_THREADS=2 "$TB" "$n" train 64 4 >"$t/d"; wait
        printf '%-8s %-10s %10s %10s %22s\n' "$(basename "$n" .net)" "$pol" "$(ips "$t/a")" "$(ips "$t/b")" \
            "$(ips "$t/c") + $(ips "$t/d")"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
