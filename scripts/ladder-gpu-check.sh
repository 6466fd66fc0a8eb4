#!/usr/bin/env bash
# ladder-gpu-check.sh - the GPU matmul ladder alone, on a machine with an NVIDIA GPU, in
# about 3 minutes (for a session working on the ladder; scripts/gpu-check.sh runs all of
# this too, among everything else):
#   1. build for Hopper (sm_90 + PTX) into build-gpu;
#   2. the ptxas resource report (no spills in rungs 4-8);
#   3. the ladder's tests: every rung and cuBLAS reference vs float64 over awkward sizes and
#      all transposes on the GPU (fails if they were skipped);
#   4. `whygpu ladder --size 4096 --size 8192` (table and JSON).
# Three files in $OUT (default results/ladder-check-local): ladder-check.log (machine, build,
# ptxas, tests, exit statuses), ladder.log (the tables), ladder.json.
#
#   OUT=/some/dir COMMIT=$(git rev-parse HEAD) scripts/ladder-gpu-check.sh
# BUILD_DIR (default build-gpu) names the build folder.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-results/ladder-check-local}
mkdir -p "$OUT"
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
gencode=${CUDA_GENCODE:-"-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"}
build=${BUILD_DIR:-build-gpu}
log=$OUT/ladder-check.log
failed=0

run() { # run NAME SECONDS COMMAND...: output appended to the log
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*" | tee -a "$log"
    timeout "$limit" "$@" >>"$log" 2>&1
    local rc=$?
    echo "   $name: exit status $rc" | tee -a "$log"
    [ "$rc" -eq 0 ] || failed=1
}

{
    echo "# whygpu ladder-gpu-check"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
    uname -a
    nvidia-smi 2>&1 || echo "nvidia-smi: not available"
    nvcc --version 2>&1 | tail -n 2 || echo "nvcc: not found"
} >"$log" 2>&1

run build 240 make -j"$(nproc)" BUILD="$build" CUDA=1 CUDA_GENCODE="$gencode" all
run ptxas 120 scripts/ptxas-report.sh
run tests 120 ./"$build"/test_whygpu --whygpu ./"$build"/whygpu ladder
if grep -q '^SKIP .*cuda' "$log"; then
    echo "== the ladder's GPU tests were SKIPPED: nothing was verified on a GPU" | tee -a "$log"
    failed=1
fi
{
    echo "# whygpu ladder-gpu-check: whygpu ladder --size 4096 --size 8192"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
} >"$OUT/ladder.log"
echo "== ladder: whygpu ladder --size 4096 --size 8192 --json ladder.json" | tee -a "$log"
timeout 240 ./"$build"/whygpu ladder --size 4096 --size 8192 --no-progress \
    --json "$OUT/ladder.json" >>"$OUT/ladder.log" 2>&1
rc=$?
cat "$OUT/ladder.log"
echo "# exit status: $rc" >>"$OUT/ladder.log"
echo "   ladder: exit status $rc" | tee -a "$log"
[ "$rc" -eq 0 ] || failed=1

echo "== ladder-gpu-check finished: $([ $failed -eq 0 ] && echo all steps passed || echo some steps FAILED); logs in $OUT" | tee -a "$log"
exit $failed
