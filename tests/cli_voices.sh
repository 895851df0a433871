#!/usr/bin/env bash
# speech-unlearn's voices commands end to end on tiny runs: loso (every fold asked for, the table,
# JSON and CSV written together, the held-out-voice rule, usage errors), eval-folder (per-digit and
# per-speaker scores of a folder of someone's recordings, and one clear refusal, non-zero exit and no
# crash for each bad input: a bad name, not a WAV, an empty file, silence, a clip too long, a folder
# entry that is a folder, an empty folder, a digit the model has no slot for), ablate (--help, bad
# rows).  Data missing: skipped, but with CI=true that is a failure.
set -u
. "$(dirname "$0")/lib_cli.sh"
S="$B/speech-unlearn"

"$S" --help | grep -q "eval-folder" && "$S" --help | grep -q "loso" && ok || ko "--help lists loso and eval-folder"
for c in loso eval-folder ablate; do "$S" $c --help | grep -q "usage: speech-unlearn $c" && ok || ko "$c --help"; done
expect_fail "loso bad option" "unknown option" "$S" loso --bogus
expect_fail "loso bad recipe" "--recipe must be" "$S" loso --recipe fancy
expect_fail "loso bad snr" "bad value '40' for --snr" "$S" loso --snr 40
expect_fail "loso json folder" "" "$S" loso --json /nonexistent/x.json
expect_fail "eval-folder needs model" "--model FILE and --folder DIR are required" "$S" eval-folder --folder /tmp
expect_fail "ablate bad row" "unknown recipe setting 'colour'" "$S" ablate --rows "today;colour=red"

# write a WAV: wav PATH SECONDS AMPLITUDE (a 300 Hz tone with a 3 Hz envelope, 8 kHz 16-bit)
wav() {
    python3 - "$1" "$2" "$3" <<'PY'
import math, struct, sys, wave
path, secs, amp = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
n = int(secs * 8000)
with wave.open(path, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(32767 * amp * math.sin(2 * math.pi * 300 * i / 8000)
                                                   * abs(math.sin(2 * math.pi * 3 * i / 8000)))) for i in range(n)))
PY
}

if [ ! -d "$DATA/fsdd/recordings" ]; then
    if [ "${CI:-}" = true ]; then ko "no FSDD in $DATA (CI=true: missing data is a failure)"
    else echo "no FSDD in $DATA: data tests skipped (they fail when CI=true)"; fi
else
    R="$DATA/fsdd/recordings"
    mkdir -p "$T/models"
    # two folds on 2 clips per (speaker, digit), 1 epoch: the table, JSON and CSV, the fold models
    "$S" loso --folds theo,lucas --limit 2 --epochs 1 --threads 1 --models "$T/models" --json "$T/l.json" \
        --csv "$T/l.csv" --data "$DATA" >"$T/lo" 2>"$T/le" && ok || ko "loso: $(tail -3 "$T/le")"
    grep -q "^| theo | 18 |" "$T/lo" && grep -q "^| lucas | 18 |" "$T/lo" && grep -q "mean over speakers" "$T/lo" \
        && ok || ko "loso table: $(cat "$T/lo")"
    grep -q "fold 2/2 (held out lucas)" "$T/le" && ok || ko "loso progress lines: $(cat "$T/le")"
    [ "$(wc -l <"$T/l.csv")" -eq 3 ] && grep -q '^theo,18,' "$T/l.csv" && ok || ko "loso csv: $(cat "$T/l.csv")"
    python3 - "$T/l.json" <<'PY' && ok || ko "loso json"
import json, sys
j = json.load(open(sys.argv[1]))
f = {x["held_out"]: x for x in j["folds"]}
assert set(f) == {"theo", "lucas"}
for name, x in f.items():
    assert list(x["test"]["per_speaker"]) == [name], x["test"]["per_speaker"]   # only the held-out speaker is tested
    assert x["train_fsdd_clips"] == 5 * 9 * 2
assert abs(j["mean_accuracy"] - (f["theo"]["test"]["accuracy"] + f["lucas"]["test"]["accuracy"]) / 2) < 1e-6
PY
    [ -s "$T/models/loso-theo.safetensors" ] && ok || ko "loso --models"
    # the held-out rule: a test folder with an FSDD speaker in it is refused before any training
    mkdir -p "$T/leak" && cp "$R/0_theo_0.wav" "$T/leak/"
    expect_fail "synth-test with a training speaker" "speaker 'theo' of the held-out voices is also in FSDD" \
        "$S" loso --synth-test "$T/leak" --epochs 1 --limit 1 --data "$DATA"
    expect_fail "loso unknown fold" "unknown fold 'zed'" "$S" loso --folds zed --data "$DATA"
    # a JSON that cannot be written: nothing half-written, exit 1 after the runs -> checked up front (exit 2)
    M="$T/models/loso-theo.safetensors"
    # eval-folder: someone's recordings (FSDD clips renamed to new speakers)
    mkdir -p "$T/mine"
    for d in 0 1 2 4; do cp "$R/${d}_theo_1.wav" "$T/mine/${d}_anna_0.wav"; cp "$R/${d}_lucas_1.wav" "$T/mine/${d}_bo-b_0.wav"; done
    "$S" eval-folder --model "$M" --folder "$T/mine" --json "$T/f.json" --threads 1 >"$T/fo" 2>"$T/fe" && ok \
        || ko "eval-folder: $(cat "$T/fe")"
    grep -q "^| anna | 4 |" "$T/fo" && grep -q "^| bo-b | 4 |" "$T/fo" && grep -q "^| 4 | 2 |" "$T/fo" \
        && grep -q "^| \*\*all\*\* | 8 |" "$T/fo" && ok || ko "eval-folder table: $(cat "$T/fo")"
    python3 -c "import json,sys; j=json.load(open(sys.argv[1]))['score']; assert j['n']==8 and set(j['per_speaker'])=={'anna','bo-b'}" \
        "$T/f.json" && ok || ko "eval-folder json"
    # --forget C: where C's clips land.  For a digit with a slot, the share is its own accuracy; for one
    # without (3: these models never had it), the slot of --learn L is read as C's, and its clips leave the table
    "$S" eval-folder --model "$M" --folder "$T/mine" --forget 1 --json "$T/f1.json" --threads 1 >"$T/fo1" 2>&1 &&
        python3 -c "import json,sys; j=json.load(open(sys.argv[1])); f=j['forget']; assert f['digit']==1 and f['slot_class']==1 and f['n']==2; assert abs(f['share']-j['score']['per_digit']['1'])<1e-5, (f, j['score'])" \
        "$T/f1.json" && grep -q "^digit 1: [0-2] of its 2 clips in slot" "$T/fo1" && ok || ko "eval-folder --forget 1: $(cat "$T/fo1")"
    mkdir -p "$T/mine3" && cp "$T/mine/"*.wav "$T/mine3/" && cp "$R/3_theo_1.wav" "$T/mine3/3_anna_0.wav" &&
        cp "$R/3_lucas_1.wav" "$T/mine3/3_bo-b_0.wav"
    expect_fail "eval-folder --forget without a slot" "no slot for digit 3; say which class replaced it with --learn" \
        "$S" eval-folder --model "$M" --folder "$T/mine3" --forget 3 --threads 1
    expect_fail "eval-folder --learn alone" "--learn needs --forget" "$S" eval-folder --model "$M" --folder "$T/mine3" --learn 6
    "$S" eval-folder --model "$M" --folder "$T/mine3" --forget 3 --learn 6 --json "$T/f3.json" --threads 1 >"$T/fo3" 2>&1 &&
        grep -q "^| \*\*all\*\* | 8 |" "$T/fo3" && grep -q "skipped 2 clips" "$T/fo3" &&
        python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['forget']; assert f['digit']==3 and f['slot_class']==6 and f['n']==2 and 0<=f['in_slot']<=2" \
        "$T/f3.json" && ok || ko "eval-folder --forget 3 --learn 6: $(cat "$T/fo3")"
    # each refusal: one line naming the file, exit 1, no crash
    refuse() {   # refuse NAME PATTERN FOLDER [options]
        local name=$1 pat=$2 dir=$3; shift 3
        expect_fail "eval-folder $name" "$pat" "$S" eval-folder --model "$M" --folder "$dir" --threads 1 "$@"
        [ "$(cat "$T/out" | wc -c)" -eq 0 ] || ko "eval-folder $name printed a table"
    }
    bad() { rm -rf "$T/bad"; mkdir -p "$T/bad"; cp "$T/mine/0_anna_0.wav" "$T/bad/"; }
    bad; cp "$T/mine/1_anna_0.wav" "$T/bad/hello.wav"
    refuse "bad name" "bad/hello.wav: not named {digit}_{speaker}_{take}.wav" "$T/bad"
    bad; cp "$T/mine/1_anna_0.wav" "$T/bad/12_anna_0.wav"
    refuse "two-digit label" "12_anna_0.wav: not named" "$T/bad"
    bad; cp "$T/mine/1_anna_0.wav" "$T/bad/1_an na_0.wav"
    refuse "space in speaker" "1_an na_0.wav: not named" "$T/bad"
    bad; echo "not audio at all" >"$T/bad/1_anna_1.wav"
    refuse "not a WAV" "1_anna_1.wav" "$T/bad"
    bad; : >"$T/bad/1_anna_2.wav"
    refuse "empty file" "1_anna_2.wav" "$T/bad"
    bad; wav "$T/bad/1_anna_3.wav" 1 0
    refuse "silence" "1_anna_3.wav" "$T/bad"
    bad; head -c 2000 "$T/mine/1_anna_0.wav" >"$T/bad/1_anna_4.wav"
    refuse "truncated WAV" "1_anna_4.wav" "$T/bad"
    bad; wav "$T/bad/1_anna_5.wav" 12 0.5
    refuse "too long" "1_anna_5.wav: 12.0 s long" "$T/bad"
    wav "$T/bad2.wav" 3 0.5 && rm -rf "$T/bad" && mkdir -p "$T/bad" && mv "$T/bad2.wav" "$T/bad/1_anna_5.wav"
    refuse "--max-seconds" "1_anna_5.wav: 3.0 s long" "$T/bad" --max-seconds 2
    bad; mkdir "$T/bad/1_anna_6.wav"
    refuse "a folder inside" "1_anna_6.wav: not a regular file" "$T/bad"
    rm -rf "$T/empty"; mkdir -p "$T/empty"; touch "$T/empty/.DS_Store"
    refuse "empty folder" "no recordings in the folder" "$T/empty"
    refuse "missing folder" "cannot open the folder" "$T/nonexistent"
    bad; cp "$R/3_theo_1.wav" "$T/bad/3_anna_0.wav"
    refuse "digit without a slot" "3_anna_0.wav: digit 3 has no output slot in the model" "$T/bad"
    "$S" eval-folder --model "$M" --folder "$T/bad" --skip-unknown --threads 1 >"$T/so" 2>"$T/se" \
        && grep -q "skipped 1 clips" "$T/so" && grep -q "^| \*\*all\*\* | 1 |" "$T/so" && ok \
        || ko "--skip-unknown: $(cat "$T/so" "$T/se")"
    expect_fail "eval-folder not a model" "" "$S" eval-folder --model "$T/mine/0_anna_0.wav" --folder "$T/mine"
    # a cmvn model: eval-folder featurises with the model's own front end (read from its metadata)
    "$S" loso --folds theo --limit 1 --epochs 1 --norm cmvn --quiet --threads 1 --models "$T/models" --data "$DATA" \
        >/dev/null 2>&1 && "$S" eval-folder --model "$M" --folder "$T/mine" --threads 1 >"$T/co" 2>&1 \
        && grep -q "front end cmvn" "$T/co" && ok || ko "eval-folder uses the model's front end: $(head -2 "$T/co")"
    # ablate: one row per setting, inner folds that never include the outer speaker
    "$S" ablate --outer theo --val lucas --limit 1 --epochs 1 --rows "today;copies=1,speed=0.1" --quiet --threads 1 \
        --csv "$T/a.csv" --data "$DATA" >"$T/ao" 2>"$T/ae" && grep -q "outer speaker theo never used" "$T/ao" \
        && [ "$(wc -l <"$T/a.csv")" -eq 3 ] && grep -q '^"copies=1,speed=0.1",' "$T/a.csv" && ok \
        || ko "ablate: $(cat "$T/ao" "$T/ae")"
    expect_fail "ablate --val is the outer speaker" "must not name the outer speaker" \
        "$S" ablate --outer theo --val theo --limit 1 --data "$DATA"
fi
echo "cli_voices: $pass passed, $fail failed"
[ $fail -eq 0 ]
