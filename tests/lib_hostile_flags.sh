# lib_hostile_flags.sh — sourced by cli_hostile.sh: bad flags are usage errors (exit 2, one line),
# checked before any data, model or net is loaded (--data /nonexistent proves nothing was read).
printf 'input 1 28 28\nconv9 3\nlinear classes\n' >"$T/bad.net"
for P in mnist-unlearn speech-unlearn; do
    N="--data $T/nonexistent"
    expect2 "$P threads" "--threads: '1000' is not a whole number from 0 to 256" "$B/$P" pretrain --threads 1000 $N
    expect2 "$P limit" "--limit: '-1' is not" "$B/$P" pretrain --limit -1 --data "$DATA"
    expect2 "$P classes" "--classes needs at least 2 classes" "$B/$P" pretrain --classes 6 $N
    expect2 "$P net" "/dev/null: no layers" "$B/$P" pretrain --net /dev/null $N
    expect2 "$P net word" "$T/bad.net:2: unknown layer 'conv9'" "$B/$P" pretrain --net "$T/bad.net" $N
    expect2 "$P metrics" "unknown metric 'bogus'" "$B/$P" eval --model m --forget 3 --metrics bogus $N
    expect2 "$P metrics without forget" "--metrics applies only with --forget" "$B/$P" eval --model m --metrics mia $N
    expect2 "$P pretrain out" "$T/no/m.st: the folder $T/no does not exist" "$B/$P" pretrain --out "$T/no/m.st" $N
    expect2 "$P pretrain json" "$T/no/m.json: the folder" "$B/$P" pretrain --out "$T/m.st" --json "$T/no/m.json" $N
    expect2 "$P forget out" "the folder $T/no does not exist" \
        "$B/$P" forget --model m --method finetune --forget 1 --learn none --out "$T/no/f.st" $N
    expect2 "$P forget json" "$T/no/f.json: the folder" \
        "$B/$P" forget --model m --method finetune --forget 1 --learn none --out "$T/f.st" --json "$T/no/f.json" $N
    expect2 "$P eval json" "$T/no/e.json: the folder" "$B/$P" eval --model m --json "$T/no/e.json" $N
    expect2 "$P out is a folder" "is a folder, not a file" "$B/$P" pretrain --out "$T" $N
    expect2 "$P same file twice" "the same file is named for two outputs" "$B/$P" pretrain --out "$T/x" --json "$T/x" $N
    expect2 "$P unknown option" "unknown option --bogus" "$B/$P" pretrain --bogus
    expect2 "$P unknown command" "unknown command 'bogus'" "$B/$P" bogus
    "$B/$P" pretrain --help | grep -q "2 usage error" && ok || ko "$P pretrain --help lacks the exit codes"
done
expect2 "prep unknown option" "unknown option --bogus" "$B/unlearn-prep" features --bogus
# an unwritable feature cache: refused on stderr (not stdout), before any feature is computed
"$B/unlearn-prep" features --cache /dev/null/cache --data "$DATA" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && [ "$(grep -c . "$T/err")" -eq 1 ] && ! grep -q . "$T/out" && grep -q "feature cache not written" "$T/err" \
    && ok || ko "prep features unwritable cache: rc=$rc stdout: $(head -2 "$T/out") stderr: $(head -2 "$T/err")"
