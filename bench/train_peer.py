#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU) training throughput for a net spec of ours.

usage: train_peer.py SPEC.net [batch=64] [seconds=10] [classes=9]
Builds the same layers as nn.Sequential from our text spec, times forward +
backward + Adam on a fixed random batch, prints one line:
  train torch net=<name> batch=64 threads=2 img_per_s=...
"""
import os, sys, time
import torch
import torch.nn as nn

def build(spec_path, classes):
    layers, c, shape = [], None, None
    for raw in open(spec_path):
        line = raw.split("#")[0].split()
        if not line:
            continue
        kind, args = line[0], line[1:]
        opts = dict(a.split("=") for a in args if "=" in a)
        pos = [a for a in args if "=" not in a]
        if kind == "input":
            shape = tuple(map(int, args))
            c = shape[0]
        elif kind == "conv":
            k = int(opts.get("k", 3)); s = int(opts.get("stride", 1)); p = int(opts.get("pad", 0))
            oc = int(pos[0])
            layers.append(nn.Conv2d(c, oc, k, s, p, bias=opts.get("bias", "1") == "1"))
            c = oc
        elif kind == "batchnorm":
            layers.append(nn.BatchNorm2d(c, eps=float(opts.get("eps", 1e-5)), momentum=float(opts.get("momentum", 0.1))))
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "leaky":
            layers.append(nn.LeakyReLU(float(opts.get("slope", pos[0] if pos else 0.01))))
        elif kind == "dropout":
            layers.append(nn.Dropout(float(opts.get("p", 0.5))))
        elif kind in ("maxpool", "avgpool"):
            k = int(opts.get("k", 2)); s = int(opts.get("stride", k)); p = int(opts.get("pad", 0))
            layers.append(nn.MaxPool2d(k, s, p) if kind == "maxpool" else nn.AvgPool2d(k, s, p))
        elif kind == "gap":
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        elif kind == "flatten":
            layers.append(nn.Flatten())
        elif kind == "linear":
            out = classes if pos[0] == "classes" else int(pos[0])
            with torch.no_grad():
                feat = nn.Sequential(*layers).eval()(torch.zeros(2, *shape)).shape[1]
            layers.append(nn.Linear(feat, out))
        else:
            raise SystemExit("unknown layer " + kind)
    return nn.Sequential(*layers), shape

def main():
    spec = sys.argv[1]
    B = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 10
    K = int(sys.argv[4]) if len(sys.argv) > 4 else 9
    threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net, shape = build(spec, K)
    x = torch.randn(B, *shape)
    y = torch.arange(B) % K
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    net.train()
    steps, t0 = 0, None
    warm = 3
    while True:
        if warm == 0:
            t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        if warm <= 0:
            steps += 1
            if time.perf_counter() - t0 > secs:
                break
        warm -= 1
    el = time.perf_counter() - t0
    name = os.path.basename(spec).replace(".net", "")
    print("train torch net=%s batch=%d threads=%d img_per_s=%.1f torch=%s" % (name, B, threads, steps * B / el, torch.__version__))

if __name__ == "__main__":
    main()
