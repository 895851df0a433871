#!/usr/bin/env bash
# cli_hostile.sh — the hostile reproducers of ../shared/repro (issue 13) and bad flags: each
# refusal is one clear line on stderr with no terminal control byte, exit 1 (a file or the data
# refused) or 2 (usage); outputs are checked before work and appear together or not at all.
# The reproducer checks are skipped when the folder is absent.
cd "$(dirname "$0")/.." || exit 1
. tests/lib_cli.sh
R=${UNLEARN_REPRO:-$(dirname "$DATA")/repro}
# expect1 NAME PATTERN CMD...: exit 1 exactly, one stderr line matching PATTERN, no control bytes
expect1() {
    local name=$1 pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    local lines; lines=$(grep -c . "$T/err")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err" && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/err")
    then ok; else ko "$name: rc=$rc lines=$lines stderr: $(head -3 "$T/err" | cat -v)"; fi
}

# expect2 NAME PATTERN CMD...: a usage error: exit 2, one stderr line matching PATTERN, no control bytes
expect2() {
    local name=$1 pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    local lines; lines=$(grep -c . "$T/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err" && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/err")
    then ok; else ko "$name: rc=$rc lines=$lines stderr: $(head -3 "$T/err" | cat -v)"; fi
}
. tests/lib_hostile_flags.sh
. tests/lib_hostile_outputs.sh
if [ ! -d "$R" ]; then
    echo "repro folder $R not found: reproducers skipped"; echo "cli_hostile: $pass passed, $fail failed"; [ $fail -eq 0 ]; exit
fi

# IDX header claiming 6 GB in 16 bytes: refused before anything is allocated
mkdir -p "$T/d/mnist"
cp "$R/idx_6gb_malloc.idx" "$T/d/mnist/train-images-idx3-ubyte"
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-labels-idx1-ubyte.gz; do
    ln -s "$(cd "$DATA/mnist" && pwd)/$f" "$T/d/mnist/$f"
done
expect1 idx_6gb "train-images-idx3-ubyte: truncated: header promises 6000 images" \
    "$B/mnist-unlearn" pretrain --data "$T/d" --out "$T/m.safetensors" --quiet

# layer-size overflow in a spec and in a checkpoint's stored spec
for f in wrap304.net flatten_ovf.net; do
    expect1 "$f" "$f:2: layer too large" "$B/mnist-unlearn" pretrain --net "$R/$f" --out "$T/m.safetensors" --quiet --limit 10
done
for f in net_flatten_ovf net_pad_ovf; do   # fuzzer inputs: byte 0 is the class count, so the CLI sees "\x03input"
    # (the net spec's words are checked before any data is read: a usage error)
    expect2 "$f" "$f:1: unknown layer '.x03input'" "$B/mnist-unlearn" pretrain --net "$R/$f" --out "$T/m.safetensors" --quiet --limit 10
    tail -c +2 "$R/$f" > "$T/$f.net"
    # (the CLI imposes the modality's 1x28x28 input, so only net_pad_ovf still overflows here;
    #  test_shape_math and the fuzz_netspec seeds cover both with their own input lines)
    expect1 "$f (spec part)" "$f.net:[23]: " "$B/mnist-unlearn" pretrain --net "$T/$f.net" --out "$T/m.safetensors" --quiet --limit 10
done
for c in info eval; do
    expect1 "ckpt_flatten_ovf $c" "(stored spec):2: layer too large" "$B/mnist-unlearn" $c --model "$R/ckpt_flatten_ovf.safetensors"
done
[ ! -e "$T/m.safetensors" ] && ok || ko "a refused run wrote its --out"

# a float WAV with samples of 1e30 among good recordings: refused, nothing cached
mkdir -p "$T/s/fsdd/recordings"
n=0
for f in "$DATA"/fsdd/recordings/[0-9]_*_[0-4].wav; do
    ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$T/s/fsdd/recordings/"; n=$((n + 1)); [ $n -ge 60 ] && break
done
cp "$R/6_loud_0.wav" "$T/s/fsdd/recordings/6_loud_10.wav"
expect1 6_loud "6_loud_10.wav: sample .* outside \[-1, 1\]" \
    "$B/speech-unlearn" pretrain --data "$T/s" --cache "$T/cache" --out "$T/sp.safetensors" --quiet --epochs 1
[ -z "$(ls "$T/cache" 2>/dev/null | grep features)" ] && ok || ko "6_loud: features were cached"
[ ! -e "$T/sp.safetensors" ] && ok || ko "6_loud: a model was written"

. tests/lib_hostile_models.sh

echo "cli_hostile: $pass passed, $fail failed"
[ $fail -eq 0 ]
