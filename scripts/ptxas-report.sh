#!/usr/bin/env bash
# ptxas-report.sh - compiles the matmul ladder's kernels (src/cuda/ladder_*.cu) with the
# compiler's resource report (-Xptxas -v) and fails if a fast rung (4 to 8) spills
# registers to local memory (or keeps any array in local memory: a stack frame). Prints,
# per kernel, registers, shared memory, stack frame and spills. The Hopper rungs (9 and up:
# wgmma, TMA) are compiled for sm_90a whatever ARCH says: no other target has them.
#
#   scripts/ptxas-report.sh                 # sm_90 (the H100)
#   ARCH=sm_80 scripts/ptxas-report.sh      # another target
#   NVCC_EXTRA="-DNDEBUG" scripts/ptxas-report.sh    # extra nvcc flags
#
# Needs nvcc (on PATH or in /usr/local/cuda/bin). Called by .ci/run when nvcc is present.
set -euo pipefail
cd "$(dirname "$0")/.."

nvcc=$(command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
if [ -z "$nvcc" ]; then
    echo "ptxas-report: nvcc not found; nothing to check" >&2
    exit 0
fi
arch=${ARCH:-sm_90}
compute=compute_${arch#sm_}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0
for src in src/cuda/ladder_[0-9]*_*.cu; do
    rung=$(basename "$src" | sed -E 's/^ladder_([0-9]+)_.*/\1/')
    src_arch=$arch src_compute=$compute
    if [ "$rung" -ge 9 ]; then src_arch=sm_90a src_compute=compute_90a; fi
    log=$tmp/$(basename "$src" .cu).log
    if ! "$nvcc" -O3 -std=c++17 -Iinclude -Isrc -DWG_WITH_CUDA ${NVCC_EXTRA:-} \
        -gencode "arch=$src_compute,code=$src_arch" -Xptxas -v -c "$src" -o "$tmp/out.o" >"$log" 2>&1; then
        cat "$log"
        echo "ptxas-report: $src does not compile for $src_arch" >&2
        exit 1
    fi
    # ptxas prints "Compiling entry function '<mangled>'", then "N bytes stack frame, N
    # bytes spill stores, N bytes spill loads", then "Used N registers, ... N bytes smem".
    awk -v rung="$rung" -v file="$(basename "$src")" '
        /Compiling entry function/ { name = $0; sub(/.*function .?/, "", name); sub(/.? for .*/, "", name) }
        /spill stores/ { stack = $1; stores = $5; loads = $9 }
        /Used [0-9]+ registers/ {
            regs = $0; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs)
            smem = "0"; if (match($0, /[0-9]+ bytes smem/)) { smem = substr($0, RSTART, RLENGTH); sub(/ bytes smem/, "", smem) }
            printf "rung %s  %-24s regs %3s  smem %6s B  stack %s B  spill stores %s B, loads %s B  %s\n", rung, file, regs, smem, stack, stores, loads, substr(name, 1, 60)
        }' "$log" | tee "$tmp/summary"
    if [ "$rung" -ge 4 ] && grep -Eq 'stack [1-9]|spill stores [1-9]|loads [1-9]' "$tmp/summary"; then
        echo "ptxas-report: rung $rung ($src) spills registers or uses a stack frame (local memory) on $src_arch" >&2
        failed=1
    fi
done
[ "$failed" -eq 0 ] && echo "ptxas-report: no spills in rungs 4 and up ($arch; rungs 9+ on sm_90a)"
exit "$failed"
