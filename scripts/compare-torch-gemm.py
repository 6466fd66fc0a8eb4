#!/usr/bin/python3
"""compare-torch-gemm.py - PyTorch's bf16 torch.mm as the reference of `whygpu bench gemm --dtype bf16`.

Run by whygpu itself (bench_torch.c), once per benchmark, with the Python that has PyTorch
(`--python /work/venv-torch/bin/python` or WHYGPU_TORCH_PYTHON). It answers requests on
stdin, one line each, so that whygpu can alternate its own rounds with PyTorch's in one run:

  shape I M N K TA TB MIN_REPEAT_S LOOPS
      C = op(A) . op(B), A and B uniform in [-1, 1) (stored K x M when TA, N x K when TB),
      converted to bf16 once, before any timing; LOOPS calls timed as one repeat (LOOPS 0:
      as many as fill MIN_REPEAT_S, found by doubling). Answers
      "shape I SECONDS_PER_CALL REL_ERROR LOOPS", the error the largest over 64 sampled
      elements of C against float64 dot products of the float32 operands, relative to
      sum |a b| (the measure whygpu's own check uses).

The first line it writes is "version TORCH_VERSION"; any failure is "error MESSAGE".
torch.mm on bf16 tensors returns bf16 (its fp32 sums rounded once more); PyTorch on the CPU
has no bf16 x bf16 -> fp32 mm (out_dtype is CUDA only), so that is the product compared.

Usage (by hand): echo "shape 0 512 512 512 0 0 0.2 0" | python scripts/compare-torch-gemm.py --threads 2
"""
import argparse
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: its default)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"error this Python has no PyTorch: {e}", flush=True)
        return 1
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(f"version {torch.__version__}", flush=True)
    cache = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] != "shape" or len(words) != 9:
            print(f"error bad request '{line.strip()}'", flush=True)
            return 2
        index, m, n, k, ta, tb = (int(w) for w in words[1:7])
        min_repeat, loops = float(words[7]), int(words[8])
        key = (m, n, k, ta, tb)
        if key not in cache:
            gen = torch.Generator().manual_seed(1000 + index)
            a = torch.rand((k, m) if ta else (m, k), generator=gen) * 2 - 1
            b = torch.rand((n, k) if tb else (k, n), generator=gen) * 2 - 1
            a16, b16 = a.bfloat16(), b.bfloat16()
            cache.clear()  # one shape's operands at a time: 4096^3 needs 200 MB
            cache[key] = (a, b, a16.t() if ta else a16, b16.t() if tb else b16)
        a, b, x, y = cache[key]
        c = torch.mm(x, y)  # warm-up, and the result checked
        if loops <= 0:
            loops = 1
            while True:
                start = time.perf_counter()
                for _ in range(loops):
                    torch.mm(x, y)
                if time.perf_counter() - start >= min_repeat:
                    break
                loops *= 2
        start = time.perf_counter()
        for _ in range(loops):
            c = torch.mm(x, y)
        seconds = (time.perf_counter() - start) / loops
        print(f"shape {index} {seconds:.9g} {sampled_error(torch, a, b, ta, tb, c):.3g} {loops}", flush=True)
    return 0


def sampled_error(torch, a, b, ta, tb, c):
    """Largest |c - ref| / sum |a b| over 64 positions of C, ref in float64."""
    a64 = (a.t() if ta else a).double()
    b64 = (b.t() if tb else b).double()
    gen = torch.Generator().manual_seed(7)
    rows = torch.randint(0, c.shape[0], (64,), generator=gen)
    cols = torch.randint(0, c.shape[1], (64,), generator=gen)
    worst = 0.0
    for i, j in zip(rows.tolist(), cols.tolist()):
        products = a64[i, :] * b64[:, j]
        scale = products.abs().sum().item()
        err = abs(c[i, j].double().item() - products.sum().item()) / (scale if scale > 0 else 1.0)
        if not err <= worst:
            worst = float("inf") if err != err else err
    return worst


if __name__ == "__main__":
    sys.exit(main())
