#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU) throughput for a net spec of ours.

usage: train_peer.py SPEC.net [train|infer] [batch=64] [seconds=10] [classes=9]
Builds the same layers as nn.Sequential from our text spec (conv, batchnorm, relu,
leaky, dropout, maxpool, avgpool, gap, flatten, linear), then times on a fixed
random batch either
  train: forward + backward + Adam (net.train()), or
  infer: forward only, net.eval() under torch.inference_mode().
The mode word is optional (default train).  Prints one line:
  <mode> torch net=<name> mode=<mode> batch=64 threads=2 img_per_s=... params=... torch=...
(params: the trainable parameter count, the same as train_bench's when the layers match).
"""
import os, sys, time
import torch
import torch.nn as nn

def build(spec_path, classes):
    layers, c, shape = [], None, None

    def out_shape():
        with torch.no_grad():
            return nn.Sequential(*layers).eval()(torch.zeros(2, *shape)).shape[1:]

    for raw in open(spec_path):
        line = raw.split("#")[0].split()
        if not line:
            continue
        kind, args = line[0], line[1:]
        opts = dict(a.split("=", 1) for a in args if "=" in a)
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
            if len(out_shape()) > 1:           # ours accepts linear on a 1x1 map without flatten
                layers.append(nn.Flatten())
            layers.append(nn.Linear(out_shape()[0], out))
        else:
            raise SystemExit("%s: unknown layer %s" % (spec_path, kind))
    return nn.Sequential(*layers), shape

def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stdout if argv else sys.stderr)
        sys.exit(0 if argv else 2)
    spec, rest = argv[0], argv[1:]
    mode = "train"
    if rest and rest[0] in ("train", "infer"):
        mode, rest = rest[0], rest[1:]
    B = int(rest[0]) if len(rest) > 0 else 64
    secs = float(rest[1]) if len(rest) > 1 else 10
    K = int(rest[2]) if len(rest) > 2 else 9
    threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net, shape = build(spec, K)
    x = torch.randn(B, *shape)
    y = torch.arange(B) % K
    if mode == "train":
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)
        net.train()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
    else:
        net.eval()

        def step():
            net(x)
    steps, t0 = 0, None
    warm = 3
    with torch.inference_mode(mode == "infer"):
        while True:
            if warm == 0:
                t0 = time.perf_counter()
            step()
            if warm <= 0:
                steps += 1
                if time.perf_counter() - t0 > secs:
                    break
            warm -= 1
    el = time.perf_counter() - t0
    name = os.path.basename(spec).replace(".net", "")
    n_params = sum(p.numel() for p in net.parameters())
    print("%s torch net=%s mode=%s batch=%d threads=%d img_per_s=%.1f params=%d torch=%s"
          % (mode, name, mode, B, threads, steps * B / el, n_params, torch.__version__))

if __name__ == "__main__":
    main()
