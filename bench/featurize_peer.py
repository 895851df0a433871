#!/usr/bin/python3
"""Featurisation peer: torchaudio on the FSDD recordings, same parameters as ours.

    /usr/bin/python3 bench/featurize_peer.py [RECORDINGS_DIR] [REPEATS]

Per clip: torchaudio.load, MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80,
n_mels=40, f_min=0, f_max=4000, norm="slaney", mel_scale="slaney", center=True,
pad_mode="constant", power=2), AmplitudeToDB(power, top_db=80).
torch.set_num_threads($OMP_NUM_THREADS, default 2): the same thread count as our side.
Best of REPEATS (default 3) timed passes after one untimed warm-up pass.  Also times
the transforms alone on audio already in memory.  Last line, machine-readable:
  featurize torchaudio clips_per_s=... rtf=... x_realtime=... features_only_clips_per_s=... clips=... audio_s=... threads=N
"""
import os, sys, time
import torch, torchaudio

def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("UNLEARN_DATA") or "../shared/datasets", "fsdd", "recordings")
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".wav"))
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=8000, n_fft=256, hop_length=80, n_mels=40, f_min=0.0, f_max=4000.0,
        norm="slaney", mel_scale="slaney", center=True, pad_mode="constant", power=2.0)
    todb = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=80.0)
    waves = []
    with torch.inference_mode():
        for f in files:                       # warm-up pass (page cache, allocator)
            w, sr = torchaudio.load(f)
            assert sr == 8000
            waves.append(w[0])
            todb(mel(w[0]))
        audio_s = sum(w.numel() for w in waves) / 8000.0
        best = best_f = 1e30
        for _ in range(reps):
            t0 = time.perf_counter()
            for f in files:
                w, sr = torchaudio.load(f)
                todb(mel(w.mean(0)))
            t1 = time.perf_counter()
            for w in waves:
                todb(mel(w))
            t2 = time.perf_counter()
            best, best_f = min(best, t1 - t0), min(best_f, t2 - t1)
    n = len(files)
    print("featurize_peer: %d clips, %.1f s of audio, best of %d: load+features %.3f s, features only %.3f s"
          % (n, audio_s, reps, best, best_f), file=sys.stderr)
    print("featurize torchaudio clips_per_s=%.1f rtf=%.3g x_realtime=%.0f features_only_clips_per_s=%.1f clips=%d audio_s=%.1f threads=%d"
          % (n / best, best / audio_s, audio_s / best, n / best_f, n, audio_s, torch.get_num_threads()))

if __name__ == "__main__":
    main()
