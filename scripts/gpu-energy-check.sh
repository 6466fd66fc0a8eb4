#!/usr/bin/env bash
# gpu-energy-check.sh - issue 20 items 4-6 on a GPU machine (called by gpu-check.sh, its
# "energy" section, or alone): energy per image on the GPU and the CPU (`train --compare`
# with enough steps that the GPU's timed block lasts over a second, then `sweep --op
# mlp-step`), the copy bandwidths against the vendor's copies and the L2 edge (read from
# explain.json when given), and the clock and power NVML reports before and after.
# Everything goes to stdout; gpu-check.sh appends it to gpu-check.log (the device tool
# brings back only 8 files).
#
#   BUILD=build-gpu DATA=/usr/share/datasets/fashion-mnist EXPLAIN_JSON=out/explain.json \
#       scripts/gpu-energy-check.sh
#
# EXPLAIN_RUN=1 makes EXPLAIN_JSON first, with `whygpu explain --quick --json` (stderr into
# the output): scripts/gpu-session.sh's measure section. ENERGY_STEPS (default 6000) and
# ENERGY_SWEEP_BUDGET (default 20s) size the two energy runs.
# On a machine without a GPU (a dry run: BUILD=build-cpu) the same commands run and say
# why the GPU's figures and the energies are unavailable. Exit status 1 if a command failed.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-build-gpu}
data=${DATA:-/usr/share/datasets/fashion-mnist}
explain_json=${EXPLAIN_JSON:-}
steps=${ENERGY_STEPS:-6000}
sweep_budget=${ENERGY_SWEEP_BUDGET:-20s}
failed=0

run() { # run SECONDS COMMAND...: the command, its output and exit status
    local limit=$1
    shift
    echo "== energy: $*"
    timeout "$limit" "$@" 2>&1
    local rc=$?
    echo "   exit status $rc"
    [ "$rc" -ne 0 ] && failed=1
    return 0
}

scripts/gpu-about.sh "$build/whygpu" # date, commit, machine, GPU
if [ "${EXPLAIN_RUN:-0}" = 1 ] && [ -n "$explain_json" ]; then
    echo "== energy: ./$build/whygpu explain --quick --no-progress --json > $explain_json"
    timeout 180 ./"$build"/whygpu explain --quick --no-progress --json >"$explain_json"
    rc=$?
    echo "   exit status $rc"
    [ "$rc" -ne 0 ] && failed=1
fi
echo "== energy: clock and power before (nvidia-smi)"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,power.limit,temperature.gpu \
    --format=csv 2>&1 || echo "nvidia-smi: not available"
run 20 ./"$build"/whygpu info

# Joules per image, GPU against CPU: the timed steps (all but the first 10) metered.
run 240 ./"$build"/whygpu train --compare --steps "$steps" --data "$data" --no-progress

# Energy per step over the batch curve (one column per device; GPU cells with their clock).
run 120 ./"$build"/whygpu sweep --op mlp-step --budget "$sweep_budget" --no-progress

# Copies and the L2 edge against the issue's targets, from explain.json (the gpu-check
# run's `explain --quick`): STREAM copy >= 95% of the vendor's device-to-device copy,
# pinned host->device (cudaMemcpy, host's time) >= 90% of cudaMemcpyAsync (device's time)
# at the largest size, the L2 edge within 2x of the reported L2.
if [ -n "$explain_json" ] && [ -s "$explain_json" ] && command -v python3 >/dev/null 2>&1; then
    echo "== energy: copy bandwidths and the L2 edge from $explain_json"
    python3 - "$explain_json" <<'PY' || failed=1
import json, sys
doc = json.load(open(sys.argv[1]))
def find(node, key):
    if isinstance(node, dict):
        if key in node: return node[key]
        for v in node.values():
            r = find(v, key)
            if r is not None: return r
    elif isinstance(node, list):
        for v in node:
            r = find(v, key)
            if r is not None: return r
    return None
def verdict(ok): return "met" if ok else "NOT met"
ratio = find(doc, "gpu_copy_vs_memcpy")
if ratio is None:
    print("STREAM copy / device-to-device copy: not in the document (no GPU measured?)")
else:
    print(f"STREAM copy / cudaMemcpyAsync device-to-device: {ratio:.3f} (target >= 0.95: {verdict(ratio >= 0.95)})")
rows = find(doc, "transfers")
if isinstance(rows, dict): rows = rows.get("rows")
h2d = [r for r in (rows or []) if isinstance(r, dict) and r.get("direction") == "host->GPU"]
if h2d:
    last = h2d[-1]
    pinned, async_ = last.get("pinned_gbs"), last.get("pinned_async_gbs")
    if pinned and async_:
        print(f"pinned host->GPU at {last.get('bytes')}: cudaMemcpy {pinned:.2f} GB/s, "
              f"cudaMemcpyAsync {async_:.2f} GB/s, ratio {pinned / async_:.3f} "
              f"(target >= 0.90: {verdict(pinned / async_ >= 0.90)})")
    for r in h2d:
        print(f"  host->GPU {r.get('bytes')}: pageable {r.get('pageable_gbs')}, pinned "
              f"{r.get('pinned_gbs')}, async {r.get('pinned_async_gbs')} GB/s")
else:
    print("host<->GPU copies: not in the document")
caches = find(doc, "gpu_caches")
if isinstance(caches, dict): caches = caches.get("rows")
for r in caches or []:
    print("GPU cache:", json.dumps(r))
    if isinstance(r, dict) and r.get("cache") == "L2":
        print(f"L2 edge: bandwidth step at {r.get('bandwidth_edge')}, reported {r.get('reported')} "
              f"(target within 2x: {verdict(bool(r.get('within_2x')))})")
sweep = find(doc, "gpu_sweep")
if isinstance(sweep, dict): sweep = sweep.get("rows")
for r in sweep or []:
    print("  read sweep:", json.dumps(r))
for key in ("gpu_stream_clock", "transfers_clock", "gpu_sweep_clock", "gpu_latency_clock"):
    c = find(doc, key)
    if c is not None: print(f"{key}: {json.dumps(c)}")
PY
else
    echo "== energy: no explain.json given (EXPLAIN_JSON): copy and L2 targets not checked"
fi

echo "== energy: clock and power after (nvidia-smi)"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,power.limit,temperature.gpu \
    --format=csv 2>&1 || echo "nvidia-smi: not available"
echo "== energy: finished ($([ $failed -eq 0 ] && echo all commands passed || echo some FAILED))"
exit $failed
