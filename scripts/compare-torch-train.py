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
       [--device cpu|cuda] [--rounds 3] [--torch-python PY] [--compile]
With --device cuda: whygpu on the GPU (graph on and off) against PyTorch CUDA (eager and
CUDA graph), alternated; on a machine without CUDA it says so and exits 1.
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
data, steps, batch, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if threads > 0:
    torch.set_num_threads(threads)
''' + IDX_READER + r'''x = torch.from_numpy(idx(find("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
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
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    # gpu-step: the GPU comparison (main_cuda)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: whygpu (graph on and off) against PyTorch CUDA (eager, "
                             "CUDA graph) on the GPU")
    parser.add_argument("--rounds", type=int, default=3, help="--device cuda: alternations")
    parser.add_argument("--torch-python", default=sys.executable,
                        help="--device cuda: the Python whose torch has CUDA")
    parser.add_argument("--compile", action="store_true",
                        help="--device cuda: also torch.compile(mode='reduce-overhead')")
    args = parser.parse_args()
    if args.device == "cuda":
        return main_cuda(args)
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
