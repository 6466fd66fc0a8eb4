#!/usr/bin/env bash
# opencl-ladder-bench.sh - the OpenCL matmul ladder and CLBlast on an OpenCL device (default
# opencl:0; on the development machine PoCL, a CPU driver, so the native CPU GEMM is timed
# beside them), at n = 1024 and 2048, into one text file and one JSON file that start with
# the command, the machine, the date and the commit, ready to commit under results/.
#
#   scripts/opencl-ladder-bench.sh [DEVICE] [OUT_PREFIX]
#   e.g. scripts/opencl-ladder-bench.sh opencl:0 results/cpu-dev-2core/opencl-ladder-2026-12-05
#
# BUILD (default build-cpu) is the build folder whose whygpu runs; it is built first.
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-opencl:0}
out=${2:-results/opencl-ladder-local}
build=${BUILD:-build-cpu}
make -j2 BUILD="$build" CUDA=0 "$build/whygpu" >/dev/null
mkdir -p "$(dirname "$out")"
cmd=("./$build/whygpu" ladder --device "$device" --size 1024 --size 2048 --repeat 3
     --max-call-seconds 20 --no-progress --json "$out.json")
{
    echo "# whygpu OpenCL ladder benchmark"
    echo "# command: ${cmd[*]}"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "# machine: $(uname -srm); $(nproc) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    lscpu 2>/dev/null | grep -E 'Model name|^CPU\(s\)|Thread|L1d|L2|L3' | sed 's/^/#   /' || true
    echo "# OpenCL platforms and devices (clinfo -l):"
    clinfo -l 2>&1 | sed 's/^/#   /' || echo "#   clinfo: not installed"
    echo
    rc=0
    "${cmd[@]}" 2>&1 || rc=$?
    echo "# exit status: $rc"
    echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out.txt"
cat "$out.txt"
