#!/usr/bin/env python3
"""compare-torch-train.py - CPU training throughput of `whygpu train` next to PyTorch, in one run.

The same model (784-512-256-10, ReLU, softmax cross-entropy), batch, optimiser (SGD with
momentum 0.9), thread count and Fashion-MNIST images: each side trains whole epochs over a
fresh shuffle (gather the batch, forward, loss, backward, update), and an epoch's rate is its
images over its training time (evaluation excluded on both sides). The two run alternated,
round by round (whygpu, PyTorch, whygpu, PyTorch, ...), each for --epochs epochs per round;
each side's figure is its best epoch over all its rounds (the issue's "best epoch of two
each": --rounds 1 --epochs 2), and every epoch is printed, so the noise of a shared machine
shows.

Which Python runs PyTorch: --python PATH, else $WHYGPU_TORCH_PYTHON, else the interpreter
running this script. The peer a user would pick is a current PyTorch from PyPI in a virtual
environment (python3 -m venv v && v/bin/pip install torch); Debian's python3-torch works too.
The script itself needs only the standard library.

Usage: scripts/compare-torch-train.py [--whygpu build/whygpu] [--python PATH] [--rounds 1]
       [--epochs 2] [--batch 256] [--threads N] [--dtype fp32|bf16]
       [--data /usr/share/datasets/fashion-mnist]
--dtype bf16 runs whygpu with --dtype bf16 and PyTorch under torch.autocast("cpu", bfloat16)
(bf16 products, fp32 master weights): each side's mixed precision.
"""
import argparse
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
data, epochs, batch, threads, seed, dtype = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                             int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
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
out = []
for epoch in range(epochs):
    order = torch.randperm(x.shape[0])
    t0 = time.perf_counter()
    total, images = 0.0, 0
    for start in range(0, x.shape[0], batch):
        rows = order[start:start + batch]
        opt.zero_grad(set_to_none=True)
        if dtype == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(x[rows])
            loss = loss_fn(logits.float(), y[rows])
        else:
            loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        opt.step()
        images += rows.shape[0]
    loss = float(loss)
    seconds = time.perf_counter() - t0
    out.append({"images_per_s": images / seconds, "seconds": seconds, "loss": loss})
print(json.dumps({"epochs": out, "threads": torch.get_num_threads(), "torch": torch.__version__}))
'''


def torch_python(args):
    """--python, else $WHYGPU_TORCH_PYTHON, else this interpreter."""
    return args.python or os.environ.get("WHYGPU_TORCH_PYTHON") or sys.executable


def run_torch(args, seed):
    env = dict(os.environ)
    # BLAS tuning variables meant for whygpu's own comparisons must not steer PyTorch
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(name, None)
    env["OMP_NUM_THREADS"] = str(args.threads)
    out = subprocess.run([torch_python(args), "-c", TORCH_CHILD, args.data, str(args.epochs),
                          str(args.batch), str(args.threads), str(seed), args.dtype],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else "failed (exit %d)" % out.returncode}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_whygpu(args, seed):
    env = dict(os.environ)
    env["WHYGPU_NUM_THREADS"] = str(args.threads)
    cmd = [args.whygpu, "train", "--device", "cpu", "--epochs", str(args.epochs),
           "--batch", str(args.batch), "--data", args.data, "--seed", str(seed),
           "--json", "-", "--no-progress"]
    if args.dtype != "fp32":
        cmd += ["--dtype", args.dtype]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip() or "failed").splitlines()[-1], "command": " ".join(cmd)}
    doc = json.loads(out.stdout)
    machine = doc["machine"]
    # whygpu.train/2 and later have the shared machine block; /1 had the thread count at its top
    threads = machine["cpu"]["threads"] if isinstance(machine["cpu"], dict) else machine["threads"]
    return {"epochs": [{"images_per_s": e["images_per_s"], "seconds": e["seconds"],
                        "loss": e["train_loss"]} for e in doc["epochs"]],
            "threads": threads, "command": " ".join(cmd)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--whygpu", default="build/whygpu")
    parser.add_argument("--python", default=None,
                        help="the Python that imports torch (default: $WHYGPU_TORCH_PYTHON, "
                             "else this interpreter)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per round and side")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--data", default=os.environ.get("WHYGPU_DATA",
                                                         "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()
    if args.rounds < 1 or args.epochs < 1 or args.batch < 1 or args.threads < 1:
        parser.error("--rounds, --epochs, --batch and --threads must be >= 1")
    probe = subprocess.run([torch_python(args), "-c", "import torch; print(torch.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit("compare-torch-train.py: %s cannot import torch; pass --python PATH (or "
                         "set WHYGPU_TORCH_PYTHON) to a Python with PyTorch, e.g. a venv with "
                         "`pip install torch`" % torch_python(args))

    print("# compare-torch-train.py, %s, %s, load before %s"
          % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), platform.node(),
             " ".join(open("/proc/loadavg").read().split()[:3])))
    print("# PyTorch %s from %s" % (probe.stdout.strip(), torch_python(args)))
    print("# model 784-512-256-10 relu, batch %d, SGD momentum 0.9, %s, %d threads, %d round(s) "
          "of %d epochs each, alternated" % (args.batch, args.dtype, args.threads, args.rounds,
                                             args.epochs))
    runs = []
    for r in range(args.rounds):
        for side, fn in (("whygpu", run_whygpu), ("torch", run_torch)):
            result = fn(args, 42 + r)
            result.update({"side": side, "round": r + 1})
            runs.append(result)
            if "error" in result:
                print("round %d %-7s error: %s" % (r + 1, side, result["error"]))
            else:
                print("round %d %-7s %s images/s (%d threads)"
                      % (r + 1, side, "  ".join("%8.0f" % e["images_per_s"] for e in result["epochs"]),
                         result["threads"]))
            sys.stdout.flush()
    best = {}
    for side in ("whygpu", "torch"):
        rates = [e["images_per_s"] for r in runs if r["side"] == side and "error" not in r
                 for e in r["epochs"]]
        if rates:
            best[side] = max(rates)
            print("%-7s best epoch %8.0f images/s" % (side, best[side]))
    if len(best) == 2:
        print("whygpu / PyTorch (best epoch each): %.2fx" % (best["whygpu"] / best["torch"]))
    print("# raw: " + json.dumps(runs))
    return 0 if len(best) == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
