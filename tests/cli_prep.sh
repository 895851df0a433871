#!/usr/bin/env bash
# bin/unlearn-prep end to end: check on the real data, a corrupted MNIST copy
# refused by name, offline instructions when nothing is found, fetch from a
# local mirror (file:// URLs, so no network is needed), the FSDD count check,
# the feature cache built once and reused without being rewritten, a cache with
# other parameters rebuilt or refused, and a small espeak-ng synthesis.
set -u
. "$(dirname "$0")/lib_cli.sh"
P="$B/unlearn-prep"
export UNLEARN_OFFLINE=1      # never touch the network in tests

"$P" --help | grep -q features && ok || ko "--help"
for c in check fetch features synth all; do "$P" $c --help | grep -q usage && ok || ko "$c --help"; done
"$P" fly >/dev/null 2>"$T/e"; [ $? -eq 2 ] && grep -q "unknown command" "$T/e" && ok || ko "unknown command"

if [ -d "$DATA/mnist" ] && [ -d "$DATA/fsdd/recordings" ]; then
    # the real data verifies
    "$P" check --data "$DATA" >"$T/c" 2>&1 && ok || ko "check on the real data: $(tail -3 "$T/c")"
    for h in f68b3c2dcbeaaa9fbdd348bbdeb94873 d53e105ee54ea40749a09fcbcd1e9432 9fb629c4189551a2d022fa330f9573f3 \
             ec29112dd5afa0611ce80d1b7f02629c; do grep -q "ok .*md5 $h" "$T/c" && ok || ko "md5 $h not verified"; done
    grep -q "3000 recordings, 6 speakers" "$T/c" && grep -q "count and naming ok" "$T/c" && ok || ko "FSDD count"
    grep -q "identical to the reference release" "$T/c" && ok || ko "FSDD digest"
    grep -qE '^  yweweler +50( +50){9} +500$' "$T/c" && ok || ko "per-speaker table"
    UNLEARN_DATA="$DATA" "$P" check --only mnist >/dev/null 2>&1 && ok || ko "check via UNLEARN_DATA"

    # a corrupted copy: refused by name, exit 1
    mkdir -p "$T/bad/mnist"
    for f in "$DATA"/mnist/*.gz; do ln -s "$f" "$T/bad/mnist/"; done
    rm "$T/bad/mnist/train-labels-idx1-ubyte.gz"; cp "$DATA/mnist/train-labels-idx1-ubyte.gz" "$T/bad/mnist/"
    chmod u+w "$T/bad/mnist/train-labels-idx1-ubyte.gz"
    printf '\x42' | dd of="$T/bad/mnist/train-labels-idx1-ubyte.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
    "$P" check --data "$T/bad" --only mnist >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] && grep -q "train-labels-idx1-ubyte.gz: REFUSED: md5" "$T/e" && ok || ko "corrupted file: rc=$rc $(head -2 "$T/e")"
    grep -q "BAD .*train-labels-idx1-ubyte.gz" "$T/o" && grep -c "^  ok " "$T/o" | grep -q 3 && ok || ko "corrupted: report"

    # (the file:// mirrors below need no network, so UNLEARN_OFFLINE is lifted for them)
    # fetch from a local mirror replaces the corrupted file (moved aside) and verifies it
    env -u UNLEARN_OFFLINE "$P" fetch --data "$T/bad" --only mnist --mnist-mirror "file://$(cd "$DATA/mnist" && pwd)/" >"$T/o" 2>&1 \
        && [ -f "$T/bad/mnist/train-labels-idx1-ubyte.gz.corrupt" ] && grep -q "everything verified" "$T/o" && ok \
        || ko "fetch from a file:// mirror: $(tail -3 "$T/o")"
    # a mirror serving a wrong file: the download is deleted, fetch fails naming the file
    mkdir -p "$T/evil" "$T/empty2/mnist"
    for f in "$DATA"/mnist/*.gz; do cp "$f" "$T/evil/"; done; chmod u+w "$T/evil/"*
    printf '\x00' | dd of="$T/evil/t10k-labels-idx1-ubyte.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
    env -u UNLEARN_OFFLINE "$P" fetch --data "$T/empty2" --only mnist --mnist-mirror "file://$T/evil/" >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] && grep -q "t10k-labels-idx1-ubyte" "$T/e" && [ ! -e "$T/empty2/mnist/t10k-labels-idx1-ubyte.gz" ] \
        && [ -f "$T/empty2/mnist/train-images-idx3-ubyte.gz" ] && ok || ko "bad mirror: rc=$rc $(head -3 "$T/e")"

    # FSDD from a release archive (file:// URL): unpacked, moved into place, count and digest verified
    mkdir -p "$T/rel/free-spoken-digit-dataset-1.0.10"
    ln -s "$(cd "$DATA/fsdd/recordings" && pwd)" "$T/rel/free-spoken-digit-dataset-1.0.10/recordings"
    tar -chzf "$T/fsdd.tar.gz" -C "$T/rel" free-spoken-digit-dataset-1.0.10
    env -u UNLEARN_OFFLINE "$P" fetch --data "$T/dl" --only fsdd --fsdd-url "file://$T/fsdd.tar.gz" >"$T/o" 2>&1 \
        && grep -q "identical to the reference release" "$T/o" && [ "$(ls "$T/dl/fsdd/recordings" | wc -l)" -eq 3000 ] \
        && [ -z "$(ls -A "$T/dl/fsdd" | grep -v -e '^recordings$' -e README -e metadata)" ] && ok || ko "FSDD fetch: $(tail -3 "$T/o")"
    rm -rf "$T/rel" "$T/fsdd.tar.gz" "$T/dl"

    # FSDD: an incomplete folder fails the count check, naming the count
    mkdir -p "$T/part/fsdd/recordings"
    for f in "$DATA"/fsdd/recordings/?_jackson_*.wav; do ln -s "$f" "$T/part/fsdd/recordings/"; done
    "$P" check --data "$T/part" --only fsdd >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] && grep -q "500 recordings, expected 3000" "$T/e" && ok || ko "FSDD count: rc=$rc $(head -2 "$T/e")"

    # features: built once, reused the second time without rewriting the files
    C="$T/cache"
    "$P" features --data "$DATA" --cache "$C" >"$T/f1" 2>&1 && grep -q "computed and cached" "$T/f1" && ok \
        || ko "features (first): $(tail -3 "$T/f1")"
    m1=$(stat -c %y "$C/fsdd.features.bin"); n1=$(stat -c %y "$C/fsdd.manifest.csv")
    sleep 0.05
    "$P" features --data "$DATA" --cache "$C" >"$T/f2" 2>&1 && grep -q "reusing cache" "$T/f2" && grep -q "(reused)" "$T/f2" \
        && ok || ko "features (second): $(tail -3 "$T/f2")"
    [ "$(stat -c %y "$C/fsdd.features.bin")" = "$m1" ] && [ "$(stat -c %y "$C/fsdd.manifest.csv")" = "$n1" ] && ok \
        || ko "the cache was rewritten on reuse"
    head -6 "$C/fsdd.manifest.csv" | grep -q "^# params: logmel-v1 .*n_mels=40" && ok || ko "manifest has the parameters"
    grep -q "^file,digit,speaker,take,split,bytes$" "$C/fsdd.manifest.csv" && grep -q "^7_jackson_32.wav,7,jackson,32,train," \
        "$C/fsdd.manifest.csv" && grep -q "^0_george_4.wav,0,george,4,test," "$C/fsdd.manifest.csv" && ok || ko "manifest rows"
    [ "$(grep -c '\.wav,' "$C/fsdd.manifest.csv")" -eq 3000 ] && ok || ko "manifest has 3000 rows"
    # other parameters: --strict refuses (cache untouched), otherwise rebuilt saying why
    "$P" features --data "$DATA" --cache "$C" --n-mels 32 --strict >"$T/o" 2>"$T/e"; rc=$?
    [ $rc -eq 1 ] && grep -q "other feature parameters (cache: n_mels=40; now: n_mels=32)" "$T/e" \
        && [ "$(stat -c %y "$C/fsdd.features.bin")" = "$m1" ] && ok || ko "--strict with other parameters: rc=$rc $(cat "$T/e")"
    "$P" features --data "$DATA" --cache "$C" --n-mels 32 >"$T/o" 2>&1
    grep -q "not reusing cache .*other feature parameters.*rebuilding" "$T/o" && grep -q "computed and cached" "$T/o" && ok \
        || ko "other parameters rebuilt: $(head -2 "$T/o")"
    # and speech-unlearn (default parameters) rebuilds it again, saying so even with --quiet
    if [ -x "$B/speech-unlearn" ]; then
        "$B/speech-unlearn" pretrain --limit 3 --test-limit 1 --steps 1 --quiet --data "$DATA" --cache "$C" \
            --out "$T/x.safetensors" >/dev/null 2>"$T/e"
        grep -q "other feature parameters" "$T/e" && ok || ko "speech-unlearn says it rebuilds: $(head -2 "$T/e")"
    fi
fi

# offline with nothing found: says exactly what to place where, exit 1
mkdir -p "$T/nothing"
UNLEARN_DATA="$T/nothing" "$P" fetch >"$T/o" 2>"$T/e"; rc=$?
[ $rc -eq 1 ] && grep -q "in $T/nothing/mnist/:" "$T/o" && grep -q "train-images-idx3-ubyte.gz  (9912422 bytes, md5 f68b3c2dcbeaaa9fbdd348bbdeb94873)" "$T/o" \
    && grep -q "in $T/nothing/fsdd/recordings/" "$T/o" && ok || ko "offline instructions: rc=$rc $(cat "$T/o" "$T/e" | head -8)"

# synthesis: two digits with one voice (or the install hint when espeak-ng is absent)
"$P" synth --espeak /nonexistent/espeak-ng --out "$T/s0" >"$T/o" 2>"$T/e"; rc=$?
[ $rc -eq 1 ] && grep -q "apt-get install espeak-ng" "$T/e" && ok || ko "synth without espeak-ng: rc=$rc $(cat "$T/e")"
if command -v espeak-ng >/dev/null; then
    "$P" synth --voices en-gb-scotland --variants none --digits 3,6 --takes 1 --out "$T/syn" >"$T/o" 2>&1 \
        && [ -s "$T/syn/3_tts-en-gb-scotland_0.wav" ] && [ -s "$T/syn/6_tts-en-gb-scotland_0.wav" ] \
        && [ "$(ls "$T/syn" | wc -l)" -eq 2 ] && ok || ko "synth: $(tail -3 "$T/o")"
    file "$T/syn/3_tts-en-gb-scotland_0.wav" 2>/dev/null | grep -q "8000 Hz" && ok || ko "synth output is 8 kHz: $(file "$T/syn/3_tts-en-gb-scotland_0.wav")"
    "$P" features --recordings "$T/syn" --name synth --cache "$T/cache3" >"$T/o" 2>&1 && grep -q "^2 recordings of 1 speakers" "$T/o" \
        && ok || ko "features of synthesised recordings: $(tail -3 "$T/o")"
    "$P" synth --voices en --variants nosuchvariant --digits 1 --takes 1 --out "$T/syn2" >"$T/o" 2>"$T/e"
    [ $? -eq 1 ] && grep -q "unknown espeak-ng variant 'nosuchvariant'" "$T/e" && ok || ko "unknown variant: $(cat "$T/e")"
else
    echo "espeak-ng not installed: synthesis not tested"
fi
echo "cli_prep: $pass passed, $fail failed"
[ $fail -eq 0 ]
