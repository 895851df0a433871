#!/usr/bin/env python3
"""Independent check of a safetensors file written by tests/test_safetensors.c.

Parses the header with the json module, checks the layout rules of the format
(8-byte length, header padded so data starts 8-aligned, data_offsets contiguous
from 0, no trailing bytes), the metadata written by the test, and, when numpy is
available, the tensor values.  Exit 0 = all good, 1 = mismatch, 3 = numpy
missing (header checks passed, values not checked)."""
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


if __name__ == "__main__":
    main()
