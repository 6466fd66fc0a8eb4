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
--device cuda [--steps 300] [--compile]: whygpu on the GPU (graph on and off) against PyTorch
CUDA (eager and CUDA graph), alternated; on a machine without CUDA it says so and exits 1.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

# The IDX reader both child scripts share (they run as `python -c`).
IDX_READER = r'''
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
'''


TORCH_CHILD = r'''
import gzip, os, sys, time, json
import numpy as np
import torch
data, epochs, batch, threads, seed, dtype = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                             int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
torch.set_num_threads(threads)
''' + IDX_READER + r'''x = torch.from_numpy(idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
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


# ---- gpu-step (#20 item 3): --device cuda, the same training on the GPU ----------------
#
# whygpu runs `train --compare --device cuda --graph on|off` (its timed block leaves out the
# first steps, which read their loss back and include the graph capture); PyTorch runs the
# same model, batch, optimiser and data, the dataset held on the GPU and each batch gathered
# there (as whygpu does), eagerly and with the whole step captured in a CUDA graph
# (torch.cuda.graph), optionally torch.compile(mode="reduce-overhead"). The configurations
# alternate, --rounds times, each in its own process.

TORCH_CUDA_CHILD = r"""
import gzip, os, sys, time, json
import numpy as np
import torch
data, steps, batch, seed, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
if not torch.cuda.is_available():
    raise SystemExit("CUDA is absent: torch %s sees no GPU (torch.cuda.is_available() is False)" % torch.__version__)
dev = torch.device("cuda")
""" + IDX_READER + r"""x = torch.from_numpy(idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0).to(dev)
y = torch.from_numpy(idx(find("train-labels-idx1-ubyte")).astype(np.int64)).to(dev)
torch.manual_seed(seed)
torch.backends.cuda.matmul.allow_tf32 = False   # fp32 GEMMs, as whygpu's cublas-fp32
torch.backends.cudnn.allow_tf32 = False
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256),
                            torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = torch.nn.CrossEntropyLoss()
order = torch.randperm(x.shape[0], device=dev)
starts = [(i * batch) % (x.shape[0] - batch) for i in range(steps + 64)]
index = torch.empty(batch, dtype=torch.int64, device=dev)   # the batch's rows, on the GPU
def body():
    opt.zero_grad(set_to_none=False)
    loss = loss_fn(model(x[index]), y[index])
    loss.backward()
    opt.step()
    return loss
run = body
if mode == "compile":
    run = torch.compile(body, mode="reduce-overhead")
warm = 20
side = torch.cuda.Stream()
side.wait_stream(torch.cuda.current_stream())
with torch.cuda.stream(side):   # warm-up off the default stream, as capture needs
    for i in range(warm):
        index.copy_(order[starts[i]:starts[i] + batch])
        loss = run()
torch.cuda.current_stream().wait_stream(side)
if mode == "graph":
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_loss = body()
    def run():
        graph.replay()
        return static_loss
torch.cuda.synchronize()
t0 = time.perf_counter()
for i in range(steps):
    s = starts[warm + i]
    index.copy_(order[s:s + batch])
    loss = run()
torch.cuda.synchronize()
seconds = time.perf_counter() - t0
print(json.dumps({"images_per_s": steps * batch / seconds, "seconds_per_step": seconds / steps,
                  "loss": float(loss), "torch": torch.__version__, "mode": mode,
                  "gpu": torch.cuda.get_device_name(0)}))
"""


def run_torch_cuda(args, mode):
    out = subprocess.run([args.torch_python, "-c", TORCH_CUDA_CHILD, args.data, str(args.steps),
                          str(args.batch), "42", mode], capture_output=True, text=True)
    if out.returncode != 0:
        lines = (out.stderr.strip() or out.stdout.strip() or "failed").splitlines()
        return {"error": lines[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_whygpu_cuda(args, graph):
    cmd = [args.whygpu, "train", "--compare", "--device", "cuda", "--graph", graph,
           "--steps", str(args.steps), "--batch", str(args.batch), "--data", args.data,
           "--json", "-", "--no-progress"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip() or "failed").splitlines()[-1], "command": " ".join(cmd)}
    doc = json.loads(out.stdout)
    cpu, gpu = doc["runs"][0], doc["runs"][1]
    return {"images_per_s": gpu["images_per_s"], "seconds_per_step": gpu["seconds_per_step"],
            "step_mode": gpu.get("step_mode"), "cpu_images_per_s": cpu["images_per_s"],
            "command": " ".join(cmd)}


def cuda_absent_reason(python):
    """None when `python`'s torch sees a GPU, else why not, in one line."""
    probe = ("import torch, sys\n"
             "sys.exit(0 if torch.cuda.is_available() else 'torch %s (built for "
             "CUDA %s) sees no GPU' % (torch.__version__, torch.version.cuda))")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    if out.returncode == 0:
        return None
    lines = (out.stderr.strip() or "torch is not importable by %s" % python).splitlines()
    return lines[-1]


def main_cuda(args):
    print("# compare-torch-train.py --device cuda, %s, %s"
          % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), platform.node()))
    print("# model 784-512-256-10 relu, batch %d, SGD momentum 0.9, %d timed steps, %d rounds"
          % (args.batch, args.steps, args.rounds))
    absent = cuda_absent_reason(args.torch_python)
    if absent:
        print("CUDA is absent here, nothing measured: %s" % absent)
        return 1
    configs = [("whygpu graph on", lambda: run_whygpu_cuda(args, "on")),
               ("torch eager", lambda: run_torch_cuda(args, "eager")),
               ("whygpu graph off", lambda: run_whygpu_cuda(args, "off")),
               ("torch cuda graph", lambda: run_torch_cuda(args, "graph"))]
    if args.compile:
        configs.append(("torch compile reduce-overhead", lambda: run_torch_cuda(args, "compile")))
    runs = {name: [] for name, _ in configs}
    for _ in range(args.rounds):   # alternated: drift hits every configuration alike
        for name, fn in configs:
            runs[name].append(fn())
    best = {}
    for name, results in runs.items():
        good = [r for r in results if "error" not in r]
        if not good:
            print("%-32s error: %s" % (name, results[-1]["error"]))
            continue
        best[name] = max(good, key=lambda r: r["images_per_s"])
        r = best[name]
        extra = " (%s)" % r["step_mode"] if r.get("step_mode") else ""
        print("%-32s %10.0f images/s  %8.1f us/step  best of %d%s"
              % (name, r["images_per_s"], 1e6 * r["seconds_per_step"], len(good), extra))
    ours = best.get("whygpu graph on")
    if ours:
        for name in ("torch eager", "torch cuda graph", "torch compile reduce-overhead"):
            if name in best:
                print("whygpu graph on / %-28s %.2fx" % (name, ours["images_per_s"] / best[name]["images_per_s"]))
        print("GPU / CPU (whygpu, batch %d): %.1fx" % (args.batch, ours["images_per_s"] / ours["cpu_images_per_s"]))
    print("# raw: " + json.dumps(runs))
    return 0 if ours else 1
# ---- end gpu-step ----


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--whygpu", default="build/whygpu")
    parser.add_argument("--python", default=None,
                        help="the Python that imports torch (default: $WHYGPU_TORCH_PYTHON, "
                             "else this interpreter)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternations (default 1; 3 with --device cuda)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per round and side")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--data", default=os.environ.get("WHYGPU_DATA",
                                                         "/usr/share/datasets/fashion-mnist"))
    # gpu-step: the GPU comparison (main_cuda)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: whygpu (graph on and off) against PyTorch CUDA (eager, "
                             "CUDA graph) on the GPU")
    parser.add_argument("--steps", type=int, default=300, help="--device cuda: timed steps")
    parser.add_argument("--torch-python", dest="python",
                        help="the same as --python (the name gpu-step-check.sh uses)")
    parser.add_argument("--compile", action="store_true",
                        help="--device cuda: also torch.compile(mode='reduce-overhead')")
    args = parser.parse_args()
    if args.rounds is None:
        args.rounds = 3 if args.device == "cuda" else 1
    if args.device == "cuda":
        args.torch_python = torch_python(args)
        return main_cuda(args)
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
