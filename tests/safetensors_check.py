#!/usr/bin/env python3
"""Independent checks of safetensors files written by the C code.

  safetensors_check.py FILE
      (tests/test_safetensors.c) parses the header with the json module, checks the layout rules of the format
(8-byte length, header padded so data starts 8-aligned, data_offsets contiguous
from 0, no trailing bytes), the metadata written by the test, and, when numpy is
available, the tensor values.

  safetensors_check.py --torch CHECKPOINT X.bin LOGITS.bin B
      (tests/test_checkpoint.c) builds the torch nn.Sequential equivalent to the
      net spec stored in the checkpoint's metadata, loads the tensors with
      load_state_dict(strict=True), runs B samples of X.bin (float32, NCHW) in
      eval mode and compares with the C logits in LOGITS.bin.

Exit 0 = all good, 1 = mismatch, 3 = numpy/torch missing (for FILE mode: header
checks passed, values not checked)."""
import json
import struct
import sys

EXPECT_META = {
    "spec": "input 1 28 28\nconv 16 k=3\t# \"quoted\" \\ back\nlinear classes\n",
    "classes": "0,1,2,4,5,6,7,8,9",
    "unicode": "caf\u00e9 \u2192 \U0001F600",
}


def expected_values():
    a = [(i - 7) * 0.125 for i in range(24)]           # "layers.0.weight" [2,3,4]
    b = [float(1 << 20), -0.0, 3.0e-38, 1.5]             # "layers.0.bias" [4]
    return {"layers.0.weight": ([2, 3, 4], a), "layers.0.bias": ([4], b),
            "empty": ([0, 5], []), "scalar": ([], [42.0])}


def fail(msg):
    print("safetensors_check: " + msg)
    sys.exit(1)


def main():
    path = sys.argv[1]
    raw = open(path, "rb").read()
    if len(raw) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail("header length past end of file")
    if (8 + n) % 8:
        fail("data section not 8-byte aligned (header length %d)" % n)
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    if meta != EXPECT_META:
        fail("metadata differs: %r" % (meta,))
    exp = expected_values()
    if set(header) != set(exp):
        fail("tensor names %s" % sorted(header))
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
    at = 0
    for b, e, k in spans:
        if b != at:
            fail("tensor %s begins at %d, expected %d" % (k, b, at))
        at = e
    if at != len(data):
        fail("%d data bytes but tensors end at %d" % (len(data), at))
    for k, v in header.items():
        shape, vals = exp[k]
        if v["dtype"] != "F32" or v["shape"] != shape:
            fail("tensor %s: dtype %s shape %s" % (k, v["dtype"], v["shape"]))
        b, e = v["data_offsets"]
        if e - b != 4 * len(vals):
            fail("tensor %s: %d bytes" % (k, e - b))
    try:
        import numpy as np
    except ImportError:
        print("safetensors_check: header OK; numpy not available, values not checked")
        sys.exit(3)
    for k, v in header.items():
        shape, vals = exp[k]
        b, e = v["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype="<f4").reshape(shape)
        want = np.array(vals, dtype=np.float32).reshape(shape)
        if arr.tobytes() != want.tobytes():
            fail("tensor %s values differ: %s vs %s" % (k, arr.ravel()[:8], want.ravel()[:8]))
    print("safetensors_check: OK (%d tensors, header and values)" % len(header))


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    return header, meta, raw[8 + n:]


def torch_module(words, state, index):
    """One spec line -> one torch module (its parameters named layers.<index>.*)."""
    import torch.nn as nn
    kind, args = words[0], words[1:]
    opts = dict(a.split("=", 1) for a in args if "=" in a)
    pos = [a for a in args if "=" not in a]
    pre = "layers.%d." % index
    if kind == "conv":
        w = state[pre + "weight"]
        oc, ic, k = w.shape[0], w.shape[1], int(opts.get("k", 3))
        return nn.Conv2d(ic, oc, k, stride=int(opts.get("stride", 1)), padding=int(opts.get("pad", 0)),
                         bias=(pre + "bias") in state)
    if kind == "batchnorm":
        c = state[pre + "weight"].shape[0]
        return nn.BatchNorm2d(c, eps=float(opts.get("eps", 1e-5)), momentum=float(opts.get("momentum", 0.1)))
    if kind == "relu":
        return nn.ReLU()
    if kind == "leaky":
        return nn.LeakyReLU(float(opts.get("slope", 0.01)))
    if kind == "dropout":
        return nn.Dropout(float(opts.get("p", 0.5)))
    if kind in ("maxpool", "avgpool"):
        k = int(opts.get("k", 2))
        cls = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
        return cls(k, stride=int(opts.get("stride", k)), padding=int(opts.get("pad", 0)))
    if kind == "gap":
        class Gap(nn.Module):
            def forward(self, x):
                return x.mean(dim=(2, 3))
        return Gap()
    if kind == "flatten":
        return nn.Flatten()
    if kind == "linear":
        w = state[pre + "weight"]
        return nn.Linear(w.shape[1], w.shape[0], bias=(pre + "bias") in state)
    raise ValueError("unknown layer %r" % kind)


def torch_check(path, xpath, lpath, batch):
    try:
        import numpy as np
        import torch
    except ImportError:
        print("safetensors_check: torch or numpy not available")
        sys.exit(3)
    torch.set_num_threads(1)
    header, meta, data = read_safetensors(path)
    state = {}
    for k, v in header.items():
        if v["dtype"] != "F32":
            fail("tensor %s dtype %s" % (k, v["dtype"]))
        b, e = v["data_offsets"]
        state[k] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").reshape(v["shape"]).copy())
    mods, shape = [], None
    for line in meta["spec"].splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "input":
            shape = [int(w) for w in words[1:4]]
            continue
        mods.append(torch_module(words, state, len(mods)))
    model = torch.nn.Sequential(*mods)
    # torch names Sequential children "0", "1", ...: prefix "layers." by wrapping
    wrapper = torch.nn.Module()
    wrapper.layers = model
    missing, unexpected = wrapper.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        fail("load_state_dict: missing %s unexpected %s" % (missing, unexpected))
    model.eval()
    x = np.fromfile(xpath, dtype="<f4").reshape([batch] + shape)
    want = np.fromfile(lpath, dtype="<f4").reshape(batch, -1)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    if got.shape != want.shape:
        fail("torch logits shape %s, C logits %s" % (got.shape, want.shape))
    err = float(np.max(np.abs(got - want)))
    tol = 1e-4 * max(1.0, float(np.max(np.abs(want))))
    if not err <= tol:
        fail("torch and C logits differ by %g (tolerance %g)" % (err, tol))
    print("safetensors_check: torch nn.Sequential loads %s (%d tensors); logits agree to %.2g"
          % (path, len(state), err))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--torch":
        torch_check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
