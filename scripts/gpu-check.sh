#!/usr/bin/env bash
# gpu-check.sh - on a machine with an NVIDIA GPU: build for Hopper (sm_90 + PTX), run every
# test (the GPU ones included), `whygpu info` and `whygpu demo` (text and JSON), in well
# under 6 minutes, and write the logs to $OUT (default results/gpu-check-local).
#
#   OUT=/some/dir COMMIT=$(git rev-parse HEAD) scripts/gpu-check.sh
#
# DEMO_SIZE (default 10000) sets the demo's matrix size, for a dry run on a slow machine.
#
# Every step runs even if an earlier one failed; the exit status is 1 if any step failed or
# if the GPU tests were skipped. The device tool brings back at most 8 files from $OUT:
# keep the logs to 8 files (7 now).
# The logs start with the machine, the date and the commit, so they can be committed under
# results/ as they are.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-results/gpu-check-local}
mkdir -p "$OUT"
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
gencode=${CUDA_GENCODE:-"-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"}
build=build-gpu
demo_size=${DEMO_SIZE:-10000}
failed=0

step() { # step NAME SECONDS COMMAND...: runs with a time limit, logs to $OUT/NAME.log
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*"
    {
        echo "# whygpu gpu-check: $name"
        echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
        echo "# command: $*"
    } >"$OUT/$name.log"
    timeout "$limit" "$@" 2>&1 | tee -a "$OUT/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "# exit status: $rc" >>"$OUT/$name.log"
    if [ "$rc" -ne 0 ]; then
        echo "== $name FAILED (exit $rc)"
        failed=1
    fi
}

{
    echo "# whygpu gpu-check: machine"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
    uname -a
    lscpu 2>/dev/null | grep -E 'Model name|^CPU\(s\)|Thread|Socket|L1d|L2|L3' || true
    nvidia-smi 2>&1 || echo "nvidia-smi: not available"
    nvcc --version 2>&1 | tail -n 2 || echo "nvcc: not found"
} >"$OUT/machine.log" 2>&1
cat "$OUT/machine.log"

step build 240 make -j"$(nproc)" BUILD="$build" CUDA=1 CUDA_GENCODE="$gencode" all
step tests 120 ./"$build"/test_whygpu --whygpu ./"$build"/whygpu
step info 30 ./"$build"/whygpu info
step demo 90 ./"$build"/whygpu demo --no-progress --size "$demo_size"
step demo-json 90 sh -c "./$build/whygpu demo --no-progress --json --size $demo_size > '$OUT/demo.json'"

# A run where the GPU tests skipped verified nothing on a GPU: say so, and fail.
if grep -q '^SKIP .*cuda' "$OUT/tests.log" 2>/dev/null; then
    echo "== GPU tests were SKIPPED (no usable GPU?): this run verified nothing on a GPU"
    grep '^SKIP .*cuda' "$OUT/tests.log" | head -n 3
    failed=1
fi

echo "== gpu-check finished: $([ $failed -eq 0 ] && echo all steps passed || echo some steps FAILED); logs in $OUT"
exit $failed
