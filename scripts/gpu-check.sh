#!/usr/bin/env bash
# gpu-check.sh - on a machine with an NVIDIA GPU: build for Hopper (sm_90 + PTX), run every
# test (the GPU ones included), `whygpu info`, `whygpu demo`, `whygpu explain --quick`,
# `whygpu train --compare`, `whygpu bench gemm`, `whygpu sweep` and `whygpu ladder`, in
# about 6 minutes, write the logs to $OUT (default results/gpu-check-local), and turn them
# into a reference folder (scripts/make-reference.py; docs/reference.md).
#
#   OUT=/some/dir COMMIT=$(git rev-parse HEAD) scripts/gpu-check.sh
#
# DEMO_SIZE (default 10000) sets the demo's matrix size, for a dry run on a slow machine.
# REFERENCE_NAME (default: none) also writes reference/NAME/ in this checkout from the run;
# without it the reference is made in a temporary folder only to validate the run's JSON.
#
# `--data DIR` (or WHYGPU_DATA=DIR) names the Fashion-MNIST files for `whygpu train --compare`
# (default: data/fashion-mnist when it exists, a git-ignored folder carried to a GPU machine,
# else the Debian package's /usr/share/datasets/fashion-mnist).
# `whygpu sweep` (matmul, then x*y, small budgets: about 50 s) writes its two tables and
# two JSON documents into one file, sweep.tar.gz: sweep.json (the matmul, under the name
# `whygpu report --from` looks for) and sweep-mul.json.
# `whygpu ladder` (the eight matmul kernels and cuBLAS at n = 4096 and 8192, about 1 min)
# writes its table and JSON into one file, ladder.tar.gz (ladder.log, ladder.json).
# `whygpu info --json`, `whygpu train --compare --json` and `whygpu bench gemm --json` (the
# CPU GEMM against the FMA peak, two sizes, about 40 s) go into one file, extra.tar.gz
# (info.json, train.log, train.json, bench-gemm.json).
# The tf32/bf16 lines (matmul, demo, sweep, ladder, bench gemm --dtype; about 2.5 min) go
# into gpu-check.log.
# When the machine has an OpenCL driver for its GPU (and the build found OpenCL), the
# OpenCL device tests, the OpenCL ladder and `train --compare` on it run too, into
# gpu-check.log; otherwise that step says why it was skipped.
#
# Every step runs even if an earlier one failed; the exit status is 1 if any step failed or
# if the GPU tests were skipped. The device tool brings back at most 8 files from $OUT, so
# the logs are exactly 8: gpu-check.log (the machine, `whygpu info`, and every step's
# command and exit status), build.log, tests.log, demo.json, explain.json, extra.tar.gz,
# sweep.tar.gz, ladder.tar.gz. The JSON documents hold everything the tables show
# (`whygpu report --from`, `whygpu plot` and `whygpu compare` read them on any machine);
# their stderr goes to gpu-check.log. Expected time on an H100 machine: build ~1.5 min,
# tests ~1 min, demo ~20 s, explain ~15 s, train ~30 s, bench ~40 s, sweep ~35 s, ladder
# ~1 min: about 6 minutes. That is the default part, core; GPU_CHECK_PARTS adds the issue
# sections (bf16, energy, step, or all: about 15 minutes in all, more than one device call).
# The logs start with the machine, the date and the commit, so they can be committed under
# results/ as they are.
# BUILD (default build-gpu) names the build folder. GPU_CHECK_BUILD=carried uses the binaries
# already in it (built on another machine and carried: scripts/gpu-session.sh, which runs this
# as its check section; docs/gpu-session.md) instead of running make, which would rebuild
# every object the carry left behind; build.log then records the binaries and their libraries.
# COMMIT defaults to the commit the binary was built from, then git's (a device machine gets
# the working tree without .git).
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-results/gpu-check-local}
mkdir -p "$OUT"
build=${BUILD:-build-gpu}
commit=${COMMIT:-$(scripts/gpu-about.sh "$build/whygpu" | sed -n 's/^# commit: //p')}
gencode=${CUDA_GENCODE:-"-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"}
demo_size=${DEMO_SIZE:-10000}
failed=0

data=${WHYGPU_DATA:-}
while [ $# -gt 0 ]; do
    case $1 in
    --data) data=${2:-}; shift 2 || shift ;;
    --data=*) data=${1#--data=}; shift ;;
    *) echo "gpu-check.sh: unknown argument '$1' (only --data DIR)" >&2; exit 2 ;;
    esac
done
if [ -z "$data" ]; then
    if [ -d data/fashion-mnist ]; then data=data/fashion-mnist; else data=/usr/share/datasets/fashion-mnist; fi
fi

summary=$OUT/gpu-check.log
# The parts to run: GPU_CHECK_PARTS, a list of core (always), bf16 (the tf32/bf16 commands and
# bf16 training, ~3.5 min), energy (~1-7 min), step (CUDA graphs, batch curve, PyTorch CUDA,
# ~3-4 min), or all. The default, core, keeps one call near 6 minutes (the device tool allows
# 10 a call, 15 a session): run the others in a second call, e.g. GPU_CHECK_PARTS="bf16 step".
parts=" core ${GPU_CHECK_PARTS:-core} "
part() { [[ $parts == *" all "* || $parts == *" $1 "* ]]; }

step() { # step NAME SECONDS COMMAND...: runs with a time limit, logs to $OUT/NAME.log
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*" | tee -a "$summary"
    {
        echo "# whygpu gpu-check: $name"
        echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
        echo "# command: $*"
    } >"$OUT/$name.log"
    timeout "$limit" "$@" 2>&1 | tee -a "$OUT/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "# exit status: $rc" >>"$OUT/$name.log"
    echo "   exit status $rc" >>"$summary"
    if [ "$rc" -ne 0 ]; then
        echo "== $name FAILED (exit $rc)" | tee -a "$summary"
        failed=1
    fi
}

json_step() { # json_step NAME SECONDS COMMAND...: stdout to $OUT/NAME.json, stderr to the summary
    local name=$1 limit=$2
    shift 2
    echo "== $name: $* > $name.json" | tee -a "$summary"
    timeout "$limit" "$@" >"$OUT/$name.json" 2>>"$summary"
    local rc=$?
    echo "   exit status $rc" >>"$summary"
    if [ "$rc" -ne 0 ]; then
        echo "== $name FAILED (exit $rc)" | tee -a "$summary"
        failed=1
    fi
}

{
    echo "# whygpu gpu-check: the machine, then each step's command and exit status"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
    uname -a
    lscpu 2>/dev/null | grep -E 'Model name|^CPU\(s\)|Thread|Socket|L1d|L2|L3' || true
    nvidia-smi 2>&1 || echo "nvidia-smi: not available"
    nvcc --version 2>&1 | tail -n 2 || echo "nvcc: not found"
} >"$summary" 2>&1
cat "$summary"

if [ "${GPU_CHECK_BUILD:-make}" = carried ]; then
    # the carried binaries: what they are and what they load, instead of a build
    step build 20 bash -c 'ls -l "$1/whygpu" "$1/test_whygpu" && "$1/whygpu" --version &&
        ldd "$1/whygpu" && ! ldd "$1/whygpu" "$1/test_whygpu" | grep "not found"' carried "$build"
else
    step build 180 make -j"$(nproc)" BUILD="$build" CUDA=1 CUDA_GENCODE="$gencode" all
fi
step tests 180 ./"$build"/test_whygpu --whygpu ./"$build"/whygpu
echo "== info: whygpu info" >>"$summary"
timeout 20 ./"$build"/whygpu info >>"$summary" 2>&1 || { echo "== info FAILED" >>"$summary"; failed=1; }
json_step demo 60 ./"$build"/whygpu demo --no-progress --json --size "$demo_size"
json_step explain 60 ./"$build"/whygpu explain --quick --no-progress --json
# The machine as JSON, the MLP on Fashion-MNIST (200 steps on the CPU and on the GPU, the
# losses of the first steps compared: exit 1 if they disagree; time per step and the
# speed-up), and the CPU GEMM against the FMA peak: one file, extra.tar.gz.
extra_dir=$(mktemp -d)
echo "== info-json: whygpu info --json > info.json" | tee -a "$summary"
timeout 20 ./"$build"/whygpu info --json >"$extra_dir/info.json" 2>>"$summary"
rc=$?
echo "   exit status $rc" >>"$summary"
[ "$rc" -ne 0 ] && { echo "== info-json FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
step train 90 ./"$build"/whygpu train --compare --steps 200 --data "$data" --no-progress \
    --json "$extra_dir/train.json"
mv "$OUT/train.log" "$extra_dir/train.log"
echo "== bench-gemm: whygpu bench gemm --sizes 1024,4096 --rounds 3 --json > bench-gemm.json" |
    tee -a "$summary"
timeout 120 ./"$build"/whygpu bench gemm --sizes 1024,4096 --rounds 3 --no-progress --json \
    >"$extra_dir/bench-gemm.json" 2>>"$summary"
rc=$?
echo "   exit status $rc" >>"$summary"
[ "$rc" -ne 0 ] && { echo "== bench-gemm FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
tar -C "$extra_dir" -czf "$OUT/extra.tar.gz" . && rm -rf "$extra_dir"

# The sweep: where the GPU starts to win, for the matmul and for x*y, each with a small time
# budget. Both tables and both JSON documents go into ONE file, sweep.tar.gz (the device tool
# brings back few files), for `whygpu plot` and `whygpu report --from` on another machine.
sweep_dir=$(mktemp -d)
for op in matmul mul; do
    budget=20s json=sweep.json
    [ "$op" = mul ] && budget=12s json=sweep-mul.json
    echo "== sweep-$op: whygpu sweep --op $op --budget $budget --json $json" | tee -a "$summary"
    {
        echo "# whygpu gpu-check: sweep-$op"
        echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
    } >"$sweep_dir/sweep-$op.log"
    timeout 90 ./"$build"/whygpu sweep --op "$op" --budget "$budget" --no-progress \
        --json "$sweep_dir/$json" >>"$sweep_dir/sweep-$op.log" 2>&1
    rc=$?
    cat "$sweep_dir/sweep-$op.log"
    echo "# exit status: $rc" >>"$sweep_dir/sweep-$op.log"
    echo "   exit status $rc" >>"$summary"
    if [ "$rc" -ne 0 ]; then
        echo "== sweep-$op FAILED (exit $rc)" | tee -a "$summary"
        failed=1
    fi
done
tar -C "$sweep_dir" -czf "$OUT/sweep.tar.gz" . && rm -rf "$sweep_dir"

# The GPU matmul ladder (docs/ladder.md): every rung and the three cuBLAS references at
# n = 4096 and 8192 in one run (3 timed repeats each; about a minute on an H100: the naive
# rung alone is predicted at ~2 s a call at 8192, ~11 s with its check; a rung whose
# single call would exceed 10 s is skipped and the table says so). Its correctness over
# awkward sizes and all transposes is in the tests step (ladder_*). The table and the JSON
# go into ONE file, ladder.tar.gz (ladder.log, ladder.json), like the sweep.
ladder_dir=$(mktemp -d)
echo "== ladder: whygpu ladder --size 4096 --size 8192 --repeat 3 --json ladder.json" | tee -a "$summary"
{
    echo "# whygpu gpu-check: ladder"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $commit"
} >"$ladder_dir/ladder.log"
timeout 150 ./"$build"/whygpu ladder --size 4096 --size 8192 --repeat 3 --no-progress \
    --json "$ladder_dir/ladder.json" >>"$ladder_dir/ladder.log" 2>&1
rc=$?
cat "$ladder_dir/ladder.log"
echo "# exit status: $rc" >>"$ladder_dir/ladder.log"
echo "   exit status $rc" >>"$summary"
if [ "$rc" -ne 0 ]; then
    echo "== ladder FAILED (exit $rc)" | tee -a "$summary"
    failed=1
fi
tar -C "$ladder_dir" -czf "$OUT/ladder.tar.gz" . && rm -rf "$ladder_dir"

# OpenCL on the GPU, when this machine has an OpenCL driver for it (NVIDIA's driver ships
# one, libnvidia-opencl; Intel's and AMD's are packages) and the build found the OpenCL
# headers and ICD loader. The first OpenCL device of type GPU that `whygpu info` lists runs
# the device tests, the OpenCL ladder at n = 2048 and `train --compare`; their output goes
# into gpu-check.log (the device tool brings back only 8 files). Without either, it says so
# and skips: that is not a failure.
opencl_step() { # opencl_step NAME SECONDS COMMAND...: output and status into the summary
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*" | tee -a "$summary"
    timeout "$limit" "$@" >>"$summary" 2>&1
    local rc=$?
    echo "   exit status $rc" | tee -a "$summary"
    if [ "$rc" -ne 0 ]; then
        echo "== $name FAILED (exit $rc)" | tee -a "$summary"
        failed=1
    fi
}
if ! grep -q -- '-DWG_WITH_OPENCL' "$OUT/build.log" 2>/dev/null; then
    echo "== opencl: skipped: this build has no OpenCL (ocl-icd-opencl-dev and opencl-c-headers were not installed)" |
        tee -a "$summary"
else
    ocl=$(timeout 20 ./"$build"/whygpu info 2>/dev/null | sed -n 's/^ *\(opencl:[0-9][0-9]*\) .*GPU.*/\1/p' | head -n 1)
    if [ -z "$ocl" ]; then
        echo "== opencl: skipped: no OpenCL driver for a GPU on this machine (whygpu info lists none)" |
            tee -a "$summary"
    else
        echo "== opencl: the GPU's OpenCL driver is $ocl" | tee -a "$summary"
        echo "== opencl-tests: WHYGPU_TEST_OPENCL=$ocl test_whygpu opencl (summary and failures)" | tee -a "$summary"
        WHYGPU_TEST_OPENCL=$ocl timeout 300 ./"$build"/test_whygpu --whygpu ./"$build"/whygpu "[$ocl]" opencl_ \
            >"$OUT/opencl-tests.tmp" 2>&1
        rc=$?
        grep -E '^(FAIL|SKIP)|passed, ' "$OUT/opencl-tests.tmp" | tee -a "$summary"
        rm -f "$OUT/opencl-tests.tmp"
        echo "   exit status $rc" >>"$summary"
        [ "$rc" -eq 0 ] || { echo "== opencl-tests FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
        opencl_step opencl-ladder 240 ./"$build"/whygpu ladder --device "$ocl" --size 2048 --repeat 3 --no-progress
        opencl_step opencl-train 120 ./"$build"/whygpu train --compare --device "$ocl" --steps 100 --data "$data" --no-progress
    fi
fi

# --- bf16-cli: the precisions (issue 17) ---
# tf32 and bf16 through the commands, each on the GPU beside the CPU: matmul (cuBLAS of the
# precision), the demo (CPU cells in bf16, or fp32 beside GPU tf32), the sweep's matmul, the
# ladder's bf16 entries, and bench gemm --dtype bf16 (the CPU's bf16 GEMM against its bf16
# peak: AMX on a Sapphire Rapids host; PyTorch's torch.mm beside it when
# WHYGPU_TORCH_PYTHON names a Python with PyTorch). Output into gpu-check.log (the device
# tool brings back only 8 files); about 2.5 minutes. A CPU without a bf16 kernel makes the
# bf16 lines fail with the reason.
if part bf16; then
    dtype_demo_size=${DTYPE_DEMO_SIZE:-8192}
    for dtype in tf32 bf16; do
        opencl_step "matmul-$dtype" 60 ./"$build"/whygpu matmul --device cuda --dtype "$dtype" \
            --size 4096 --no-progress
        opencl_step "demo-$dtype" 90 ./"$build"/whygpu demo --dtype "$dtype" \
            --size "$dtype_demo_size" --no-progress
        opencl_step "sweep-$dtype" 90 ./"$build"/whygpu sweep --dtype "$dtype" --sizes 64:4096 \
            --points 7 --budget 15s --no-progress
    done
    opencl_step ladder-bf16 90 ./"$build"/whygpu ladder --dtype bf16 --size 4096 --repeat 3 --no-progress
    opencl_step bench-gemm-bf16 150 ./"$build"/whygpu bench gemm --dtype bf16 --sizes 1024,4096 \
        --no-mlp --rounds 3 --no-progress
fi
# --- end bf16-cli ---
# ---- dtype (issue 17 item 1): the bf16 tensor tests on the GPU (conversion kernel bit for
# bit against the host, bf16 elementwise ops, bf16 matmul through cublas-bf16 and wmma-bf16
# with bf16 inputs as stored) ran in the tests step; their lines, for the summary.
echo "== dtype: the bf16 tests of the tests step on cuda:0" | tee -a "$summary"
grep -E '^(PASS|FAIL|SKIP) (bf16_|mismatched_dtypes).*\[cuda' "$OUT/tests.log" 2>/dev/null |
    tee -a "$summary" || echo "   (none found in tests.log)" | tee -a "$summary"
# ---- end dtype
# ---- energy, copies, L2 edge, clocks (helper gpu-energy; issue 20 items 4-6) ------------
# Joules per image on the GPU and the CPU (train --compare, 6000 steps; sweep --op mlp-step),
# the copy bandwidths against cudaMemcpy/cudaMemcpyAsync and the L2 edge from explain.json,
# nvidia-smi's clocks and power before and after: all into gpu-check.log (about 1 min).
if part energy; then
    echo "== energy: scripts/gpu-energy-check.sh (output below)" | tee -a "$summary"
    BUILD="$build" DATA="$data" EXPLAIN_JSON="$OUT/explain.json" timeout 420 \
        scripts/gpu-energy-check.sh >>"$summary" 2>&1
    rc=$?
    echo "   exit status $rc" >>"$summary"
    [ "$rc" -ne 0 ] && { echo "== energy FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
fi
# ---- end of energy ----------------------------------------------------------------------
# ---- gpu-step (#20 items 1-3): the step with CUDA graphs on and off at batch 256, the
# batch curve (train --compare --batches, sweep --op mlp-step 64:8192) and PyTorch CUDA
# side by side (scripts/compare-torch-train.py --device cuda; TORCH_PYTHON names the Python
# whose torch has CUDA), about 4 minutes, into ONE file: gpu-step.tar.gz.
if part step; then
    echo "== gpu-step: scripts/gpu-step-check.sh $build (folded into extra.tar.gz) $data" | tee -a "$summary"
    step_out=$(mktemp -d)
    timeout 540 scripts/gpu-step-check.sh "$build" "$step_out" "$data" >>"$summary" 2>&1
    rc=$?
    echo "   exit status $rc" >>"$summary"
    [ "$rc" -ne 0 ] && { echo "== gpu-step FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
    # the device tool brings back 8 files: gpu-step.tar.gz goes inside extra.tar.gz
    if [ -f "$step_out/gpu-step.tar.gz" ] && [ -f "$OUT/extra.tar.gz" ]; then
        repack=$(mktemp -d)
        tar -C "$repack" -xzf "$OUT/extra.tar.gz" && cp "$step_out/gpu-step.tar.gz" "$repack/" &&
            tar -C "$repack" -czf "$OUT/extra.tar.gz" . ||
            echo "== gpu-step: could not fold gpu-step.tar.gz into extra.tar.gz" | tee -a "$summary"
        rm -rf "$repack"
    fi
    rm -rf "$step_out"
fi
# ---- end gpu-step ----

# A run where the GPU tests skipped verified nothing on a GPU: say so, and fail.
# ---- train (issue 17 item 5): mixed precision on the GPU ----
# train --dtype bf16: 200 steps on the CPU and the GPU (cuBLAS BF16 there), exit 1 when the
# losses disagree beyond the bf16 tolerance; then 2 epochs on the GPU alone against fp32
# (test accuracy and images/s in the logs). ~1 min in all.
if part bf16; then
    step train-bf16 90 ./"$build"/whygpu train --compare --dtype bf16 --steps 200 --data "$data" \
        --no-progress
    step train-bf16-epochs 90 ./"$build"/whygpu train --device cuda --dtype bf16 --epochs 2 \
        --data "$data" --no-progress
    step train-fp32-epochs 90 ./"$build"/whygpu train --device cuda --epochs 2 --data "$data" \
        --no-progress
fi
# ---- end of train (issue 17 item 5) ----

if grep -q '^SKIP .*cuda' "$OUT/tests.log" 2>/dev/null; then
    echo "== GPU tests were SKIPPED (no usable GPU?): this run verified nothing on a GPU" |
        tee -a "$summary"
    grep '^SKIP .*cuda' "$OUT/tests.log" | head -n 3 | tee -a "$summary"
    failed=1
fi

# The run as a reference folder (docs/reference.md): every JSON document validated, the
# provenance taken from these logs. Into reference/$REFERENCE_NAME when it is set, else
# into a temporary folder (the check alone). It needs python3; without it, say so.
if command -v python3 >/dev/null 2>&1; then
    ref_into=$(mktemp -d)
    echo "== reference: scripts/make-reference.py $OUT ${REFERENCE_NAME:-check}" | tee -a "$summary"
    if [ -n "${REFERENCE_NAME:-}" ]; then
        python3 scripts/make-reference.py "$OUT" "$REFERENCE_NAME" 2>&1 | tee -a "$summary"
    else
        python3 scripts/make-reference.py "$OUT" check --into "$ref_into" 2>&1 | tee -a "$summary"
    fi
    rc=${PIPESTATUS[0]}
    echo "   exit status $rc" >>"$summary"
    [ "$rc" -ne 0 ] && { echo "== reference FAILED (exit $rc)" | tee -a "$summary"; failed=1; }
    rm -rf "$ref_into"
else
    echo "== reference: skipped, python3 not found (run scripts/make-reference.py later)" |
        tee -a "$summary"
fi

echo "== gpu-check finished: $([ $failed -eq 0 ] && echo all steps passed || echo some steps FAILED)" >>"$summary"
echo "== gpu-check finished: $([ $failed -eq 0 ] && echo all steps passed || echo some steps FAILED); logs in $OUT"
exit $failed
