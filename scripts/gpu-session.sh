#!/usr/bin/env bash
# gpu-session.sh - the one entry point of a lent GPU session (the plan: docs/gpu-session.md).
# Runs on the device machine from the copied working tree, with the binaries built here
# and carried (nothing is rebuilt unless they cannot load there), the sections in the order
# given, each under its own time limit inside one budget for the whole call, and leaves at
# most 8 files in $OUT (what the device tool brings back), each written as soon as its
# section ends, so a call cut off at its limit still returns what ran:
#
#   session.log     the header (date, commit, machine, GPU), then each section: its command,
#                   seconds, exit status, or why it was skipped; the verdicts to read first
#   smi.csv         nvidia-smi every 500 ms for the whole call: SM and memory clock, power,
#                   temperature, utilisation, throttle reasons (the clock beside every figure)
#   tests.log       section tests: the GPU tests (every [cuda:0] case and the GPU tests that
#                   skip without one), header first
#   ladder.tar.gz   section ladder: scripts/gpu-window.sh (issue 19: rungs 5-11 and cuBLAS at
#                   4096 and 8192 with the clock while each ran, PyTorch's matmuls)
#   step.tar.gz     section step: scripts/gpu-step-check.sh (issue 20 items 1-3)
#   measure.tar.gz  section measure: `explain --quick --json` and scripts/gpu-energy-check.sh
#                   (issue 20 items 4-5: energy, copies, the L2 edge, clocks)
#   check.tar.gz    section check: scripts/gpu-check.sh's core run (the whole test suite
#                   included), the input of scripts/make-reference.py (reference/h100)
#   extra.tar.gz    section extra: rung 6's autotune and ncu on the top rungs (gpu-window.sh)
# Every tarball holds about.txt (scripts/gpu-about.sh: date, commit, machine, GPU). When the
# carried binaries cannot load there, they are built there first (the build's last lines go
# into session.log).
#
#   OUT=$OUT BUILD=build-gpu/carry DATA=data/fashion-mnist scripts/gpu-session.sh [SECTION...]
#
# SECTIONs, in the order to run (default: check ladder; the second call: step measure): tests, ladder, step,
# measure, check, extra. SESSION_SECONDS (default 540) is the budget of the whole call: a
# section starts only when its minimum is left, and is stopped when the budget ends (keep the
# device call's timeout_s about 30 s above it). COMMIT overrides the commit the binaries
# report. DRY_RUN=1: on a machine without a GPU, every section runs with tiny sizes and says
# why the GPU's figures are missing (a check of the mechanics: time limits, logs, files).
# Exit status: 0 every section that ran passed, 1 one failed or was skipped for time,
# 2 bad usage, 3 no GPU (and not DRY_RUN) or no runnable binaries.
#
#   scripts/gpu-session.sh --prepare     # HERE, before the device call (no GPU needed)
# builds build-gpu for sm_90 without the optional libraries the device lacks (cJSON, OpenCL,
# CLBlast: a binary linked to them does not start there), puts the binaries (debug info
# stripped) and the libgomp they load into build-gpu/carry, copies the Debian package's
# Fashion-MNIST into data/fashion-mnist when absent, and checks what would travel: every
# library is one the device has, and the tree plus the carry fit in 64 MiB.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --prepare ]; then
    gencode="-gencode arch=compute_90,code=sm_90"
    make -j"${JOBS:-2}" BUILD=build-gpu CUDA=1 CJSON=0 OPENCL=0 CLBLAST=0 CUDA_GENCODE="$gencode" all ||
        { echo "gpu-session --prepare: the build failed" >&2; exit 1; }
    rm -rf build-gpu/carry && mkdir -p build-gpu/carry/lib || exit 1
    for b in whygpu test_whygpu; do
        strip --strip-debug -o "build-gpu/carry/$b" "build-gpu/$b" || exit 1
    done
    gomp=$(ldd build-gpu/whygpu | awk '/libgomp/ { print $3 }')
    [ -n "$gomp" ] && cp -L "$gomp" build-gpu/carry/lib/
    if [ ! -d data/fashion-mnist ] && [ -d /usr/share/datasets/fashion-mnist ]; then
        mkdir -p data/fashion-mnist && cp /usr/share/datasets/fashion-mnist/*-ubyte.gz data/fashion-mnist/
    fi
    # libraries a device machine has: the C and C++ runtimes, zlib, OpenMP, CUDA's
    odd=$(ldd build-gpu/carry/whygpu build-gpu/carry/test_whygpu | awk '/=>/ { print $1 }' | sort -u |
        grep -Ev '^(libc|libm|libz|libstdc\+\+|libgcc_s|libgomp|libpthread|libdl|librt|libcudart|libcublas|libcublasLt)\.so' |
        tr '\n' ' ')
    [ -z "$odd" ] || { echo "gpu-session --prepare: the binaries load $odd, absent on the device" >&2; exit 1; }
    tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
    carry=$(du -cb build-gpu/carry data/fashion-mnist 2>/dev/null | tail -n 1 | cut -f1)
    total=$((tree + carry))
    echo "gpu-session --prepare: $(build-gpu/carry/whygpu --version)"
    echo "  travels: tree $((tree >> 20)) MiB + carry $((carry >> 20)) MiB = $((total >> 20)) MiB (limit 64)"
    [ "$total" -le $((64 << 20)) ] || { echo "gpu-session --prepare: over 64 MiB" >&2; exit 1; }
    echo '  carry: ["build-gpu/carry", "data/fashion-mnist"]'
    echo "  device: COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown) OUT=\$OUT scripts/gpu-session.sh   (docs/gpu-session.md: timeout_s 570)"
    exit 0
fi

out=${OUT:-results/gpu-session-local}
build=${BUILD:-build-gpu/carry}
budget=${SESSION_SECONDS:-540}
dry=${DRY_RUN:-0}
data=${DATA:-}
if [ -z "$data" ]; then
    if [ -d data/fashion-mnist ]; then data=data/fashion-mnist; else data=/usr/share/datasets/fashion-mnist; fi
fi
if [ $# -gt 0 ]; then sections=("$@"); else sections=(check ladder); fi
for s in "${sections[@]}"; do
    case $s in
    tests | ladder | step | measure | check | extra) ;;
    *) echo "gpu-session: unknown section '$s' (tests ladder step measure check extra)" >&2; exit 2 ;;
    esac
done
start=$(date +%s)
reserve=15 # seconds kept at the end for packing the last section
mkdir -p "$out"
log=$out/session.log
work=$(mktemp -d)
failed=0
sampler=
hung= # Hopper rungs whose probe hung (tests section): left out of the ladder section

left() { echo $((budget - ($(date +%s) - start))); }
note() { echo "$*" | tee -a "$log"; }
cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

whygpu=$build/whygpu
tests_bin=$build/test_whygpu
# The header: date, commit, machine and GPU (the commit from the carried binary: the device
# gets the working tree without .git).
COMMIT=$(scripts/gpu-about.sh "$whygpu" | sed -n 's/^# commit: //p')
export COMMIT
{
    echo "# whygpu gpu-session: sections ${sections[*]}; budget ${budget} s; build $build; data $data"
    scripts/gpu-about.sh "$whygpu"
} >"$log"
cat "$log"

# ---- preflight: a GPU, and binaries that load (else build them here, once) -------------
if [ "$dry" != 1 ]; then
    if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
        note "gpu-session: no NVIDIA GPU here (nvidia-smi $(command -v nvidia-smi >/dev/null && echo 'lists none' || echo 'not found')): nothing measured"
        exit 3
    fi
    # the throttle bitmask under its name since driver 535, else the older one (a field
    # nvidia-smi does not know would stop the whole sampler)
    reasons=
    for f in clocks_event_reasons.active clocks_throttle_reasons.active; do
        nvidia-smi --query-gpu="$f" --format=csv,noheader >/dev/null 2>&1 && { reasons=,$f; break; }
    done
    nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,utilization.gpu$reasons \
        --format=csv,nounits -lms 500 >"$out/smi.csv" 2>/dev/null &
    sampler=$!
fi
missing() { # the shared libraries the binaries need and cannot find here, on one line
    local b
    for b in "$whygpu" "$tests_bin"; do
        [ -x "$b" ] || { echo "$b-absent"; continue; }
        ldd "$b" 2>&1 | awk '/not found/ { print $1 }'
    done | sort -u | tr '\n' ' '
}
gone=$(missing)
if [ -n "$gone" ] && [ -d "$build/lib" ]; then # the carried libgomp, if the system has none
    export LD_LIBRARY_PATH=$PWD/$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    note "gpu-session: $gone missing, trying $build/lib: $(ls "$build/lib" | tr '\n' ' ')"
    gone=$(missing)
fi
if [ -n "$gone" ]; then
    # The carried binaries cannot run here: build them (85 s with -j2 on the 2-vCPU
    # development machine; less with -j16).
    note "gpu-session: the carried binaries cannot run ($gone): building into build-gpu-device"
    build=build-gpu-device whygpu=build-gpu-device/whygpu tests_bin=build-gpu-device/test_whygpu
    t0=$(date +%s)
    timeout -k 5 $(( $(left) > 330 ? 300 : $(left) - 30 )) make -j"$(nproc)" BUILD="$build" \
        CUDA=1 CJSON=0 OPENCL=0 \
        CUDA_GENCODE="-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90" \
        all >"$work/build.log" 2>&1
    rc=$?
    tail -n 30 "$work/build.log" >>"$log"
    note "   build: exit $rc in $(( $(date +%s) - t0 )) s"
    gone=$(missing)
    if [ "$rc" -ne 0 ] || [ -n "$gone" ]; then
        note "gpu-session: no runnable binaries (${gone:-the build failed}): nothing measured"
        exit 3
    fi
fi
note "gpu-session: binaries $whygpu, $tests_bin: $("$whygpu" --version 2>&1 | head -n 1)"
[ "$dry" != 1 ] && timeout 20 "$whygpu" info 2>&1 | sed -n '/^GPU/,$p' >>"$log"

# ---- the sections ------------------------------------------------------------------------
# section NAME MINIMUM LIMIT COMMAND...: runs COMMAND (cwd: the checkout) with stdout and
# stderr in $work/NAME/NAME.log under min(LIMIT, what the budget leaves), unless less than
# MINIMUM is left; the exit status and seconds go to session.log. $dir is the section's folder.
section() {
    local name=$1 minimum=$2 limit=$3
    shift 3
    local have=$(( $(left) - reserve ))
    [ "$dry" = 1 ] && minimum=5 # a dry run's sections are small
    dir=$work/$name
    mkdir -p "$dir"
    scripts/gpu-about.sh "$whygpu" >"$dir/about.txt"
    if [ "$have" -lt "$minimum" ]; then
        note "== $name: SKIPPED, out of time ($have s left of the budget, it needs $minimum)"
        failed=1
        return 1
    fi
    [ "$limit" -gt "$have" ] && limit=$have
    note "== $name ($limit s at most): $*"
    local t0 rc
    t0=$(date +%s)
    timeout -k 5 "$limit" "$@" >"$dir/$name.log" 2>&1
    rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then note "   $name: stopped at its limit of $limit s"; fi
    note "   $name: exit $rc in $(( $(date +%s) - t0 )) s"
    [ "$rc" -eq 0 ] || failed=1
    return 0
}
pack() { # pack NAME: $work/NAME -> $OUT/NAME.tar.gz (temporary name, then renamed)
    [ -f "$work/$1/$1.log" ] || return 0 # skipped: nothing to bring back
    tar -C "$work/$1" -czf "$out/$1.tar.gz.tmp" . && mv "$out/$1.tar.gz.tmp" "$out/$1.tar.gz" ||
        note "   $1: could not pack $1.tar.gz"
}
# the tests that need the GPU: every case on cuda:0, and the non-device tests that skip
# without a GPU (their names); the whole suite runs in the check section
gpu_test_filter=("[cuda:0]" gpu_ energy_ mlp_gpu mixing_devices step_graph epilogue ladder)

for s in "${sections[@]}"; do
    case $s in
    tests)
        # First a 30 s probe of each never-run Hopper rung at n = 512: their mbarrier waits
        # spin without a bound, so a wrong byte count or a lost arrival hangs the kernel.
        # A rung that hangs here costs 30 s, not the tests' whole limit, and is left out
        # of the ladder section (the tests still run it: their log shows where it stopped).
        mkdir -p "$work/tests"
        for k in wgmma-bf16 wgmma-tf32 wgmma-cluster; do
            timeout -k 5 30 "$whygpu" ladder --kernel "$k" --size 512 --repeat 1 --no-progress \
                >"$work/tests/probe-$k.log" 2>&1
            rc=$?
            note "   probe $k at 512: exit $rc$([ $rc -eq 124 ] || [ $rc -eq 137 ] && echo ': HUNG, left out of the ladder')"
            if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then hung="$hung $k"; fi
            [ "$rc" -eq 0 ] || [ "$dry" = 1 ] || failed=1
        done
        tlimit=240
        [ -n "$hung" ] && tlimit=120 # the float64 test of every rung will hang on it too
        if section tests 60 "$tlimit" "$tests_bin" --whygpu "$whygpu" "${gpu_test_filter[@]}"; then
            { cat "$dir/about.txt"; cat "$dir/tests.log"; tail -n 5 "$work"/tests/probe-*.log; } >"$out/tests.log"
            note "   tests: $(tail -n 1 "$dir/tests.log")"
            grep -E '^FAIL' "$dir/tests.log" | head -n 20 | tee -a "$log"
            skips=$(grep -c '^SKIP .*\[cuda' "$dir/tests.log")
            if [ "$dry" != 1 ] && [ "$skips" -gt 0 ]; then
                note "   tests: $skips cuda tests SKIPPED on a GPU machine"
                failed=1
            fi
        fi
        ;;
    ladder)
        # issue 19: the rungs beside their cuBLAS references with the clock during each;
        # correctness was the tests section's (WINDOW_TESTS=0)
        lbudget=$(( $(left) - reserve - 30 ))
        [ "$lbudget" -gt 300 ] && lbudget=300
        kernels="wgmma-bf16 wgmma-cluster wgmma-tf32 warptile wmma-bf16 wmma-tf32 regblock-2d"
        for k in $hung; do kernels=$(echo " $kernels " | sed "s/ $k / /; s/^ //; s/ $//"); done
        section ladder 90 330 env BUILD="$build" OUT="$work/ladder/run" WINDOW_TESTS=0 \
            WINDOW_AUTOTUNE=0 WINDOW_NCU=0 GPU_WINDOW_SECONDS="$lbudget" WINDOW_KERNELS="$kernels" \
            scripts/gpu-window.sh $([ "$dry" = 1 ] && echo --dry-run)
        [ -f "$work/ladder/run/summary.txt" ] && cat "$work/ladder/run/summary.txt" >>"$log"
        pack ladder
        ;;
    step)
        section step 120 330 env DRY_RUN="$dry" STEP_ROUNDS=2 STEP_SWEEP_BUDGET=30s \
            scripts/gpu-step-check.sh "$build" "$work/step" "$data"
        grep -E '^== gpu-step: ' "$work/step/step.log" 2>/dev/null >>"$log"
        if [ -f "$work/step/gpu-step.tar.gz" ]; then # read first: epilogue.txt, torch.log
            tar -xzOf "$work/step/gpu-step.tar.gz" ./epilogue.txt 2>/dev/null | grep '^graph-' >>"$log"
            tar -xzOf "$work/step/gpu-step.tar.gz" ./torch.log 2>/dev/null |
                grep -E 'images/s|x$|error|absent' | head -n 12 >>"$log"
        fi
        pack step
        ;;
    measure)
        # issue 20 items 4-5: explain (STREAM copy vs cudaMemcpy, host<->GPU copies, the L2
        # edge, each with the clock), then energy per image on both sides
        section measure 60 240 env BUILD="$build" DATA="$data" EXPLAIN_RUN=1 \
            EXPLAIN_JSON="$work/measure/explain.json" ENERGY_STEPS="$([ "$dry" = 1 ] && echo 20 || echo 10000)" \
            ENERGY_SWEEP_BUDGET="$([ "$dry" = 1 ] && echo 2s || echo 20s)" scripts/gpu-energy-check.sh
        grep -E 'target|rough|energy unavailable|J/step|images/J' "$work/measure/measure.log" 2>/dev/null |
            head -n 12 >>"$log"
        pack measure
        ;;
    check)
        # the reference refresh's input: gpu-check.sh's core run with the carried binaries
        section check 150 330 env OUT="$work/check/out" BUILD="$build" GPU_CHECK_BUILD=carried \
            DEMO_SIZE="$([ "$dry" = 1 ] && echo 256 || echo 10000)" scripts/gpu-check.sh --data "$data"
        tail -n 3 "$work/check/check.log" 2>/dev/null >>"$log"
        pack check
        ;;
    extra)
        # rung 6's autotune (scripts/ladder-autotune.sh on a copy of the tuning table: the
        # line for this GPU comes back in extra.tar.gz), then ncu's view of the top rungs
        mkdir -p "$work/extra" && cp src/ladder6-tuning.txt "$work/extra/"
        section extra 90 330 bash -c 'rc=0
            if [ "$3" = 1 ]; then echo "would run: scripts/ladder-autotune.sh --whygpu $2/whygpu"
            else scripts/ladder-autotune.sh --whygpu "$2/whygpu" --table "$1/ladder6-tuning.txt" \
                --out "$1/autotune" || rc=1; fi
            OUT="$1/window" BUILD="$2" WINDOW_TESTS=0 WINDOW_AUTOTUNE=0 WINDOW_KERNELS= \
                WINDOW_TORCH=0 GPU_WINDOW_SECONDS=150 scripts/gpu-window.sh $4 || rc=1
            exit $rc' extra "$work/extra" "$build" "$dry" "$([ "$dry" = 1 ] && echo --dry-run)"
        pack extra
        ;;
    esac
done

note "== gpu-session finished in $(( $(date +%s) - start )) s: $([ $failed -eq 0 ] && echo every section passed || echo some section FAILED or was skipped); files in $out: $(ls "$out" | tr '\n' ' ')"
exit $failed
