#!/usr/bin/env bash
# gpu-window.sh - the ladder's measurements for one short GPU window (issue 19): built on a
# machine without a GPU and carried, so the device time goes to measuring. In one call of
# at most ~8 minutes, everything into $OUT:
#   1. the GPU (nvidia-smi -q), and nvidia-smi sampling SM clock, power and temperature
#      every 200 ms for the whole window (smi-samples.csv);
#   2. correctness of every rung and cuBLAS reference on the GPU (the ladder's unit tests,
#      over awkward sizes and all transposes, vs float64: tests.log);
#   3. rung 6's autotune, if this build has one (`whygpu ladder --autotune`);
#   4. the ladder at 4096 and 8192, one entry at a time next to its cuBLAS reference
#      (ladder-KERNEL-N.json), each bracketed by timestamps (steps.csv) so that the SM clock
#      and power seen during it stand beside its figure in summary.txt;
#   5. ncu sections on the top kernels if ncu is installed (ncu-*.txt);
#   6. PyTorch's fp32 / tf32 / bf16 matmul on the same GPU if torch is installed (torch.txt).
#
#   scripts/gpu-window.sh                 # BUILD=build (with nvcc, sm_90a rungs included)
#   BUILD=build OUT=/tmp/w scripts/gpu-window.sh
#   scripts/gpu-window.sh --dry-run       # print the steps; needs no GPU
#
# Steps can be left out (scripts/gpu-session.sh runs the tests itself, and the autotune and
# ncu in a later section): WINDOW_TESTS=0, WINDOW_AUTOTUNE=0, WINDOW_NCU=0, WINDOW_TORCH=0;
# WINDOW_KERNELS and WINDOW_SIZES replace the ladder's entries and sizes (empty: none).
# about.txt (scripts/gpu-about.sh) gives the date, commit, machine and GPU of the files.
#
# Without a GPU it stops at once with exit status 3 and says why. Exit 1 if a step failed
# (its log says which); the summary is written either way.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-build}
out=${OUT:-results/gpu-window}
budget=${GPU_WINDOW_SECONDS:-450} # stop starting new steps after this many seconds
dry=0
[ "${1:-}" = "--dry-run" ] && dry=1
whygpu=$build/whygpu
tests=$build/test_whygpu
sizes=${WINDOW_SIZES-4096 8192}
# the fast rungs and their references, the never-run Hopper rungs first (a window cut short
# still has them); rungs 1-4 are in the tests, not worth window time
kernels=${WINDOW_KERNELS-wgmma-bf16 wgmma-cluster wgmma-tf32 warptile wmma-bf16 wmma-tf32 regblock-2d}

start=$(date +%s)
steps_failed=0

run() { # run NAME TIMEOUT_S COMMAND... : logs to $out/NAME.log, times into steps.csv
    local name=$1 limit=$2
    shift 2
    if [ "$dry" -eq 1 ]; then
        echo "would run ($limit s max): $*"
        return 0
    fi
    if [ $(( $(date +%s) - start )) -ge "$budget" ]; then
        echo "gpu-window: out of time, skipped $name" | tee -a "$out/skipped.txt"
        return 0
    fi
    local t0 t1 rc
    t0=$(date +%s.%N)
    timeout "$limit" "$@" >"$out/$name.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    echo "$name,$t0,$t1,$rc" >>"$out/steps.csv"
    echo "gpu-window: $name: exit $rc ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
    [ "$rc" -eq 0 ] || steps_failed=1
}

if [ "$dry" -eq 0 ]; then
    if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
        echo "gpu-window: no NVIDIA GPU here (nvidia-smi $(command -v nvidia-smi >/dev/null && echo 'lists none' || echo 'not found')): nothing measured" >&2
        exit 3
    fi
    if [ ! -x "$whygpu" ] || [ ! -x "$tests" ]; then
        echo "gpu-window: $whygpu or $tests missing: build first (make -j all) and carry $build" >&2
        exit 3
    fi
    mkdir -p "$out"
    scripts/gpu-about.sh "$whygpu" >"$out/about.txt"
    : >"$out/steps.csv"
    nvidia-smi -q >"$out/nvidia-smi.txt" 2>&1
    "$whygpu" kernels >"$out/kernels.txt" 2>&1 # which rungs run here, and why not
    nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,utilization.gpu \
        --format=csv,noheader,nounits -lms 200 >"$out/smi-samples.csv" 2>/dev/null &
    sampler=$!
    trap 'kill "$sampler" 2>/dev/null' EXIT
fi

# 2. correctness: the ladder's GPU tests (every rung, every cuBLAS reference)
[ "${WINDOW_TESTS:-1}" = 0 ] || run tests 150 "$tests" --whygpu "$whygpu" ladder

# 3. rung 6's autotune, where this build has one
if [ "${WINDOW_AUTOTUNE:-1}" = 0 ]; then
    :
elif [ "$dry" -eq 1 ] || "$whygpu" ladder --help 2>&1 | grep -q -- '--autotune'; then
    run autotune 90 "$whygpu" ladder --autotune
fi

# 4. the ladder, one entry at a time next to its cuBLAS reference
for n in $sizes; do
    for k in $kernels; do
        run "ladder-$k-$n" 60 "$whygpu" ladder --kernel "$k" --size "$n" --repeat 5 \
            --no-progress --json "$out/ladder-$k-$n.json"
    done
done

# 5. ncu on the top kernels (a few launches each), if installed
if [ "${WINDOW_NCU:-1}" = 0 ]; then
    :
elif [ "$dry" -eq 1 ] || command -v ncu >/dev/null 2>&1; then
    # the rung's own kernel by name (without the filter, --launch-skip 1 would profile the
    # second kernel of the run, whichever it is: a fill or a bf16 conversion), its second
    # launch (the first is the warm-up)
    for k in wgmma-cluster:hopper_cluster_kernel wgmma-bf16:hopper_gemm_kernel \
             wgmma-tf32:hopper_gemm_kernel warptile:ladder_warptile_kernel; do
        run "ncu-${k%%:*}" 60 ncu --section SpeedOfLight --section ComputeWorkloadAnalysis \
            --section MemoryWorkloadAnalysis --section Occupancy --kernel-name "regex:${k#*:}" \
            --launch-skip 1 --launch-count 1 "$whygpu" matmul --kernel "${k%%:*}" --size 4096
    done
fi

# 6. PyTorch on the same GPU, the second reference (K-major B, as the ladder's TF32/BF16)
torch_py='
import sys, torch
if not torch.cuda.is_available():
    sys.exit("torch: no CUDA device")
print("torch", torch.__version__, torch.cuda.get_device_name(0))
for n in (4096, 8192):
    for name, dtype, tf32 in (("fp32", torch.float32, False), ("tf32", torch.float32, True),
                              ("bf16", torch.bfloat16, False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a = torch.rand(n, n, device="cuda", dtype=dtype) * 2 - 1
        b = torch.rand(n, n, device="cuda", dtype=dtype) * 2 - 1
        bt = b.t().contiguous()
        for layout, rhs in (("NN", b), ("TN", bt.t())):
            for _ in range(3):
                torch.mm(a, rhs)
            torch.cuda.synchronize()
            times = []
            for _ in range(5):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record(); reps = 10
                for _ in range(reps):
                    torch.mm(a, rhs)
                e.record(); e.synchronize()
                times.append(s.elapsed_time(e) / 1e3 / reps)
            t = sorted(times)[len(times) // 2]
            print(f"n={n} {name} {layout}: {t*1e3:.3f} ms {2*n**3/t/1e12:.1f} TFLOP/s")
'
if [ "${WINDOW_TORCH:-1}" = 0 ]; then
    :
elif [ "$dry" -eq 1 ] || python3 -c 'import torch' >/dev/null 2>&1; then
    run torch 90 python3 -c "$torch_py"
fi

[ "$dry" -eq 1 ] && exit 0
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null

# The summary: each ladder figure with the SM clock and power sampled while it ran.
python3 scripts/gpu-window-summary.py "$out" >"$out/summary.txt" 2>&1 || steps_failed=1
cat "$out/summary.txt"
exit "$steps_failed"
