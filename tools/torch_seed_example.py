#!/usr/bin/python3
"""The seed notebook's mnist_classifier in PyTorch: make, train, save, load and evaluate state dicts
that `mnist-unlearn import` reads and `mnist-unlearn export` writes (issue 14; used by the user and by
tests/test_torch_roundtrip.c when python3-torch is installed).

mnist_classifier matches vision/nets/seed.net layer for layer: features = nn.Sequential of the spec's
layers up to and including its gap (our layer i is features.<i>), classifier = nn.Sequential(nn.Flatten(),
nn.Linear(256, K)) (our last linear is classifier.1).  That is the naming rule of src/torch_names.h.

  save     --out W.safetensors [--classes LIST] [--seed S] [--dtype float32|float16|bfloat16]
           [--train DATA --epochs E --limit N] [--batch-out X.bin --logits-out L.bin]
      A fresh module (torch's default init, seed S); without --train its BatchNorm statistics and
      affine parameters are made non-trivial (a few train-mode passes on noise, then a random gamma/beta)
      so a round trip tests them.  With --train DATA (the folder holding mnist/*.gz) it is trained with
      Adam on the first N training images of each class in LIST (pixels / 255, then (x - 0.1307) / 0.3081:
      the input the engine gives the net, vision/idx.c).  The state dict is saved as
      safetensors in --dtype.  --batch-out writes 8 random inputs (float32, N x 1 x 28 x 28) and
      --logits-out the module's eval-mode logits on them (float32 N x K), computed from the weights as saved.
  logits   --weights W --classes LIST --x X.bin --out L.bin       strict load, eval-mode logits
  check    --weights W --classes LIST --x X.bin --logits L.bin    strict load, compare with L.bin
      (pass when |ours - torch| / max(|torch|, 1e-3) < 1e-4 for every logit, the tolerance of
      tests/test_parity_seed.c); exit 0 pass, 1 fail.
  eval     --weights W --classes LIST --data DATA                 strict load, per-class accuracy on
      the MNIST test set: "class C slot S: accuracy A (most often predicted: P, share)" for every class
      0..9 (an unslotted class never counts as right; P shows where its images go).

LIST is the class of each output slot, as for `mnist-unlearn --classes` ("0,1,2,4,5,6,7,8,9").
Safetensors files are read and written with the safetensors package when it is installed, else by the
small reader/writer below (8-byte little-endian header length, JSON header, raw little-endian data).
Exit 3 when torch or numpy is missing.
"""
import argparse
import gzip
import json
import os
import struct
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError:
    print("torch_seed_example: python3-torch (and numpy) are not installed")
    sys.exit(3)

TOL = 1e-4          # tests/test_parity_seed.c: logits within 1e-4 relative ...
FLOOR = 1e-3        # ... to max(|torch|, 1e-3)


class mnist_classifier(nn.Module):
    """vision/nets/seed.net as a PyTorch module (features.<i> = our layer i, classifier.1 = our linear)."""

    def __init__(self, k):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=2, bias=False), nn.LeakyReLU(0.01),
            nn.Conv2d(32, 32, 3, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=2, bias=False), nn.LeakyReLU(0.01),
            nn.Conv2d(64, 64, 3, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 5, padding=3, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.01),
            nn.AvgPool2d(2),
            nn.Conv2d(128, 256, 5, padding=2, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.01),
            nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(256, k))

    def forward(self, x):
        return self.classifier(self.features(x))


# ---- safetensors without the safetensors package ----

DTYPES = {torch.float32: ("F32", "<f4"), torch.float16: ("F16", "<f2"), torch.int64: ("I64", "<i8")}


def save_file(state, path):
    try:
        from safetensors.torch import save_file as st_save
        return st_save(state, path)
    except ImportError:
        pass
    header, blobs, at = {}, [], 0
    for name in sorted(state):
        t = state[name].detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            raw = (t.view(torch.int16).numpy().astype("<i2")).tobytes()
            code = "BF16"
        else:
            code, np_dt = DTYPES[t.dtype]
            raw = t.numpy().astype(np_dt).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_file(path):
    try:
        from safetensors.torch import load_file as st_load
        return st_load(path)
    except ImportError:
        pass
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data, out = raw[8 + n:], {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        np_dt = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "BF16": "<i2"}[e["dtype"]]
        a = torch.from_numpy(np.frombuffer(data[b:end], dtype=np_dt).reshape(e["shape"]).copy())
        out[name] = a.view(torch.bfloat16) if e["dtype"] == "BF16" else a
    return out


# ---- data ----

def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist(data, split):
    pre = "train" if split == "train" else "t10k"
    x = idx(os.path.join(data, "mnist", pre + "-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    x = (x - 0.1307) / 0.3081       # the engine's input: vision/idx.c standardises the same way
    y = idx(os.path.join(data, "mnist", pre + "-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def classes(s):
    return [int(c) for c in s.split(",")]


# ---- modes ----

def nontrivial_bn(model, seed):
    g = torch.Generator().manual_seed(seed + 1)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 1, 28, 28, generator=g))
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5, generator=g)
                mod.bias.uniform_(-0.2, 0.2, generator=g)
    model.eval()


def train(model, cls, data, epochs, limit, seed):
    x, y = mnist(data, "train")
    keep = torch.cat([torch.nonzero(y == c).flatten()[:limit] for c in cls])
    x, slot = x[keep], torch.tensor([cls.index(int(v)) for v in y[keep]])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for ep in range(epochs):
        order, total = torch.randperm(len(x), generator=g), 0.0
        for b in range(0, len(x), 64):
            i = order[b:b + 64]
            loss = nn.functional.cross_entropy(model(x[i]), slot[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(i)
        print("torch_seed_example: epoch %d loss %.4f" % (ep + 1, total / len(x)))
    model.eval()


def cmd_save(a):
    torch.manual_seed(a.seed)
    cls = classes(a.classes)
    model = mnist_classifier(len(cls))
    if a.train:
        train(model, cls, a.train, a.epochs, a.limit, a.seed)
    else:
        nontrivial_bn(model, a.seed)
    dt = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[a.dtype]
    state = {k: (v.to(dt) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    save_file(state, a.out)
    print("torch_seed_example: saved %s (%d tensors, %s)" % (a.out, len(state), a.dtype))
    if a.batch_out:
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        model.eval()
        x = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(a.seed + 2))
        x.numpy().astype("<f4").tofile(a.batch_out)
        if a.logits_out:
            with torch.no_grad():
                model(x).numpy().astype("<f4").tofile(a.logits_out)


def strict_model(a):
    model = mnist_classifier(len(classes(a.classes)))
    model.load_state_dict(load_file(a.weights), strict=True)
    return model.eval()


def batch_logits(a):
    model = strict_model(a)
    x = torch.from_numpy(np.fromfile(a.x, dtype="<f4").reshape(-1, 1, 28, 28))
    with torch.no_grad():
        return model(x).numpy()


def cmd_logits(a):
    batch_logits(a).astype("<f4").tofile(a.out)


def cmd_check(a):
    got = batch_logits(a)
    want = np.fromfile(a.logits, dtype="<f4").reshape(got.shape).astype(np.float64)
    rel = np.abs(got - want) / np.maximum(np.abs(want), FLOOR)
    ok = float(rel.max()) < TOL
    print("torch_seed_example: strict load of %s; %d logits, max relative difference %.3g (tolerance %g): %s"
          % (a.weights, got.size, float(rel.max()), TOL, "ok" if ok else "FAIL"))
    return 0 if ok else 1


def cmd_eval(a):
    cls = classes(a.classes)
    model = strict_model(a)
    x, y = mnist(a.data, "test")
    with torch.no_grad():
        pred = torch.cat([model(x[b:b + 500]).argmax(1) for b in range(0, len(x), 500)])
    pred_class = torch.tensor(cls)[pred]
    for c in range(10):
        sel = y == c
        acc = float((pred_class[sel] == c).float().mean())
        slot = cls.index(c) if c in cls else None
        top = int(torch.bincount(pred_class[sel], minlength=10).argmax())
        share = float((pred_class[sel] == top).float().mean())
        print("class %d slot %s: accuracy %.4f (most often predicted: %d, %.4f)"
              % (c, "-" if slot is None else slot, acc, top, share))


def main():
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("save")
    s.add_argument("--out", required=True)
    s.add_argument("--classes", default="0,1,2,4,5,6,7,8,9")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    s.add_argument("--train")
    s.add_argument("--epochs", type=int, default=1)
    s.add_argument("--limit", type=int, default=1000)
    s.add_argument("--batch-out")
    s.add_argument("--logits-out")
    for mode, extra in (("logits", "--out"), ("check", "--logits")):
        q = sub.add_parser(mode)
        for opt in ("--weights", "--x", extra):
            q.add_argument(opt, required=True)
        q.add_argument("--classes", default="0,1,2,4,5,6,7,8,9")
    e = sub.add_parser("eval")
    e.add_argument("--weights", required=True)
    e.add_argument("--classes", default="0,1,2,4,5,6,7,8,9")
    e.add_argument("--data", required=True)
    a = p.parse_args()
    return {"save": cmd_save, "logits": cmd_logits, "check": cmd_check, "eval": cmd_eval}[a.mode](a) or 0


if __name__ == "__main__":
    sys.exit(main())
