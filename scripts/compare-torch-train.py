#!/usr/bin/python3
"""compare-torch-train.py - CPU training throughput of `whygpu train` next to PyTorch, in one run.

The same model (784-512-256-10, ReLU, softmax cross-entropy), batch, optimiser (SGD with
momentum) and thread count, on the same Fashion-MNIST images. PyTorch runs in several
configurations, each in its own process because OpenBLAS reads OPENBLAS_CORETYPE and its
thread count once when it loads:
  as shipped            Debian's python3-torch with its defaults;
  SkylakeX + N threads  OPENBLAS_CORETYPE=SkylakeX and torch.set_num_threads(N) (the
                        "best chance" the issue names);
  N threads             torch.set_num_threads(N), OpenBLAS's own kernel choice;
  1 BLAS thread         torch.set_num_threads(N) with OPENBLAS_NUM_THREADS=1 (no two thread
                        pools fighting over the cores).
whygpu runs before and after them; whygpu's figure is the better of its two runs and
PyTorch's the best of its configurations, and every figure is printed. whygpu's rate counts
every step, the first ones (warm-up) included.

Usage: /usr/bin/python3 scripts/compare-torch-train.py [--whygpu build/whygpu] [--steps 300]
       [--batch 256] [--threads N] [--data /usr/share/datasets/fashion-mnist]
Needs Debian's python3-torch (and its numpy). Prints a table and the raw figures.
"""
import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time

TORCH_CHILD = r'''
import gzip, os, sys, time, json
import numpy as np
import torch
data, steps, batch, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if threads > 0:
    torch.set_num_threads(threads)
def idx(path):
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
def find(name):
    for candidate in (name, name + ".gz"):
        p = os.path.join(data, candidate)
        if os.path.exists(p):
            return p
    raise SystemExit("missing " + name + " in " + data)
x = torch.from_numpy(idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
y = torch.from_numpy(idx(find("train-labels-idx1-ubyte")).astype(np.int64))
torch.manual_seed(seed)
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256),
                            torch.nn.ReLU(), torch.nn.Linear(256, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
order = torch.randperm(x.shape[0])
def step(i):
    start = (i * batch) % (x.shape[0] - batch)
    idx_ = order[start:start + batch]
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x[idx_]), y[idx_])
    loss.backward()
    opt.step()
    return loss
warm = 20
for i in range(warm):
    step(i)
t0 = time.perf_counter()
for i in range(steps):
    loss = step(warm + i)
loss = float(loss)
seconds = time.perf_counter() - t0
print(json.dumps({"images_per_s": steps * batch / seconds, "seconds": seconds, "loss": loss,
                  "threads": torch.get_num_threads(), "torch": torch.__version__}))
'''


def run_torch(args, env_extra, threads):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", TORCH_CHILD, args.data, str(args.steps),
                          str(args.batch), str(threads), "42"],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_whygpu(args, threads):
    env = dict(os.environ)
    env["WHYGPU_NUM_THREADS"] = str(threads)
    cmd = [args.whygpu, "train", "--device", "cpu", "--steps", str(args.steps),
           "--batch", str(args.batch), "--data", args.data, "--json", "-", "--no-progress"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip() or "failed").splitlines()[-1], "command": " ".join(cmd)}
    doc = json.loads(out.stdout)
    images = sum(e["images"] for e in doc["epochs"])
    seconds = sum(e["seconds"] for e in doc["epochs"])
    machine = doc["machine"]
    # whygpu.train/2 has the shared machine block; /1 had the thread count at its top
    threads_used = machine["cpu"]["threads"] if isinstance(machine["cpu"], dict) else machine["threads"]
    return {"images_per_s": images / seconds, "seconds": seconds, "images": images,
            "loss": doc["epochs"][-1]["train_loss"], "threads": threads_used,
            "command": " ".join(cmd)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--whygpu", default="build/whygpu")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401  (only to fail early with a clear message)
    except ImportError:
        raise SystemExit("PyTorch is not importable by %s: apt install python3-torch and run "
                         "this script with /usr/bin/python3" % sys.executable)

    print("# compare-torch-train.py, %s, %s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                 platform.node()))
    print("# model 784-512-256-10 relu, batch %d, SGD momentum 0.9, %d timed steps, %d threads"
          % (args.batch, args.steps, args.threads))
    results = {}
    n = args.threads
    results["whygpu (first)"] = run_whygpu(args, n)
    results["torch as shipped"] = run_torch(args, {}, 0)
    results["torch SkylakeX + %d threads" % n] = run_torch(args, {"OPENBLAS_CORETYPE": "SkylakeX"}, n)
    results["torch %d threads" % n] = run_torch(args, {}, n)
    results["torch %d threads, 1 BLAS thread" % n] = run_torch(args, {"OPENBLAS_NUM_THREADS": "1"}, n)
    results["whygpu (second)"] = run_whygpu(args, n)
    for name, r in results.items():
        if "error" in r:
            print("%-44s error: %s" % (name, r["error"]))
        else:
            print("%-44s %10.0f images/s  (%d threads, last loss %.3f)"
                  % (name, r["images_per_s"], r["threads"], r["loss"]))
    ours = [r["images_per_s"] for k, r in results.items() if k.startswith("whygpu") and "error" not in r]
    if ours:
        best = max(ours)
        for name, r in results.items():
            if name.startswith("torch") and "error" not in r:
                print("whygpu / %-35s %.2fx" % (name, best / r["images_per_s"]))
        torch_rates = [r["images_per_s"] for k, r in results.items() if k.startswith("torch") and "error" not in r]
        if torch_rates:
            print("whygpu (best of 2) / PyTorch (best configuration): %.2fx" % (best / max(torch_rates)))
    print("# raw: " + json.dumps(results))
    return 0 if ours else 1


if __name__ == "__main__":
    sys.exit(main())
