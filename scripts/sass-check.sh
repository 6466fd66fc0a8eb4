#!/usr/bin/env bash
# sass-check.sh - static checks on the machine code (SASS) of the GPU kernels, no GPU
# needed: compiles each .cu file named in scripts/sass-checks.txt for the targets named
# there, reads the kernels' resource usage and SASS with cuobjdump, and checks register
# caps, the absence of local memory (spills), instructions that must or must not appear,
# and how many blocks fit on one SM. Prints one line per kernel and check; exits 1 if any
# fails, 2 if it cannot run.
#
#   scripts/sass-check.sh                        # every check of scripts/sass-checks.txt
#   scripts/sass-check.sh --table FILE           # another check table
#   SASS_KEEP=dir scripts/sass-check.sh          # keep the objects and SASS listings in dir
#
# Needs nvcc and cuobjdump. The CUDA toolkit of Debian's or NVIDIA's packages has both;
# where the toolkit lacks cuobjdump (minimal nvcc installs), it is taken from
# $CUOBJDUMP, PATH, /usr/local/cuda*/bin, or a Python environment's PyPI package
# nvidia-cuda-cuobjdump or Triton's copy; SASS_CHECK_PIP=1 installs that package into
# ~/.cache/whygpu when none is found. Called by .ci/run when nvcc is present.
set -euo pipefail
cd "$(dirname "$0")/.."

table=scripts/sass-checks.txt
if [ "${1:-}" = "--table" ]; then
    table=$2
    shift 2
fi
[ $# -eq 0 ] || { echo "usage: scripts/sass-check.sh [--table FILE]" >&2; exit 2; }
[ -r "$table" ] || { echo "sass-check: cannot read the check table $table" >&2; exit 2; }

nvcc=$(command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
if [ -z "$nvcc" ]; then
    echo "sass-check: nvcc not found; nothing to check" >&2
    exit 0
fi
find_cuobjdump() {
    [ -n "${CUOBJDUMP:-}" ] && { echo "$CUOBJDUMP"; return; }
    command -v cuobjdump 2>/dev/null && return
    local c
    for c in "$(dirname "$nvcc")/cuobjdump" /usr/local/cuda*/bin/cuobjdump; do
        [ -x "$c" ] && { echo "$c"; return; }
    done
    # PyPI: nvidia-cuda-cuobjdump (nvidia/cu*/bin/) or Triton's bundled copy, in the active
    # virtual environment or the user's or system site-packages
    for c in "${VIRTUAL_ENV:-/nonexistent}"/lib/python3*/site-packages/nvidia/cu*/bin/cuobjdump \
             "${VIRTUAL_ENV:-/nonexistent}"/lib/python3*/site-packages/triton/backends/nvidia/bin/cuobjdump \
             "$HOME"/.local/lib/python3*/site-packages/nvidia/cu*/bin/cuobjdump \
             /usr/local/lib/python3*/dist-packages/nvidia/cu*/bin/cuobjdump; do
        [ -x "$c" ] && { echo "$c"; return; }
    done
}
cuobjdump=$(find_cuobjdump || true)
if [ -z "$cuobjdump" ] && [ "${SASS_CHECK_PIP:-0}" = 1 ]; then
    # CI: NVIDIA's PyPI package carries cuobjdump alone (no GPU driver needed)
    pip_dir=${XDG_CACHE_HOME:-$HOME/.cache}/whygpu/cuobjdump
    # cuobjdump -sass runs nvdisasm: both packages
    python3 -m pip install -q --target "$pip_dir" nvidia-cuda-cuobjdump nvidia-cuda-nvdisasm >&2 ||
        true
    cuobjdump=$(find "$pip_dir" -name cuobjdump -type f -perm -u+x 2>/dev/null | head -n 1)
fi
# cuobjdump -sass needs nvdisasm: beside cuobjdump (the toolkit, the PyPI packages, Triton)
if [ -n "$cuobjdump" ] && ! command -v nvdisasm >/dev/null 2>&1; then
    for d in "$(dirname "$cuobjdump")" "$(dirname "$cuobjdump")"/../../cu*/bin; do
        if [ -x "$d/nvdisasm" ]; then
            export PATH="$PATH:$(cd "$d" && pwd)"
            break
        fi
    done
fi
if [ -n "$cuobjdump" ] && ! command -v nvdisasm >/dev/null 2>&1; then
    echo "sass-check: nvdisasm not found (cuobjdump -sass needs it: install the CUDA toolkit's," \
         "or 'pip install nvidia-cuda-nvdisasm')" >&2
    exit 2
fi
if [ -z "$cuobjdump" ]; then
    echo "sass-check: cuobjdump not found (install the CUDA toolkit's cuobjdump, or" \
         "'pip install nvidia-cuda-cuobjdump', or set CUOBJDUMP)" >&2
    exit 2
fi
echo "sass-check: nvcc $nvcc, cuobjdump $cuobjdump, checks $table"

work=${SASS_KEEP:-}
if [ -z "$work" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
# a kept folder's listings are from an earlier run, perhaps of other sources: compile afresh
rm -f "$work"/*.o "$work"/*.res "$work"/*.raw "$work"/*.sass "$work"/*.log

# Compiles file for arch once; prints the base path of its .res and .sass listings.
compile() {
    local src=$1 arch=$2 base
    base=$work/$(basename "$src" .cu).$arch
    if [ ! -f "$base.sass" ]; then
        local compute=compute_${arch#sm_}
        if ! "$nvcc" -O3 -std=c++17 -Iinclude -Isrc -DWG_WITH_CUDA ${NVCC_EXTRA:-} \
            -gencode "arch=$compute,code=$arch" -c "$src" -o "$base.o" >"$base.log" 2>&1; then
            cat "$base.log" >&2
            echo "sass-check: $src does not compile for $arch" >&2
            return 1
        fi
        if ! "$cuobjdump" -res-usage "$base.o" >"$base.res" ||
            ! "$cuobjdump" -sass "$base.o" >"$base.raw"; then
            echo "sass-check: $cuobjdump failed on $src for $arch" >&2
            return 1
        fi
        tr -s ' \t' '  ' <"$base.raw" >"$base.sass"
    fi
    echo "$base"
}

# Shared memory per SM a block may use (the opt-in maximum, bytes) and the SM's limits.
smem_per_sm() {
    case $1 in
    sm_80 | sm_87) echo 167936 ;;
    sm_86 | sm_89) echo 102400 ;;
    sm_90 | sm_90a | sm_100* | sm_120*) echo 233472 ;;
    *) echo 65536 ;;
    esac
}

failed=0
checks=0
while IFS=$'\t' read -r src archs symbol check; do
    case $src in '' | '#'*) continue ;; esac
    if [ -z "$check" ]; then
        echo "sass-check: bad line in $table (want FILE<TAB>ARCHS<TAB>SYMBOL<TAB>CHECK): $src" >&2
        exit 2
    fi
    for arch in ${archs//,/ }; do
        base=$(compile "$src" "$arch") || exit 2
        # kernel name, registers, stack, static shared memory, local memory
        kernels=$(awk -v re="$symbol" '
            /Function [^ ]*:/ { name = $2; sub(/:$/, "", name); next }
            name != "" && /REG:/ {
                reg = $0; sub(/.*REG:/, "", reg); sub(/ .*/, "", reg)
                st = $0; sub(/.*STACK:/, "", st); sub(/ .*/, "", st)
                sh = $0; sub(/.*SHARED:/, "", sh); sub(/ .*/, "", sh)
                lo = $0; sub(/.*LOCAL:/, "", lo); sub(/ .*/, "", lo)
                if (name ~ re) print name, reg, st, sh, lo
                name = ""
            }' "$base.res")
        if [ -z "$kernels" ]; then
            echo "FAIL $arch $src: no kernel matches '$symbol'"
            failed=1
            continue
        fi
        while read -r name reg stack shared local; do
            checks=$((checks + 1))
            short=${name:0:90}
            # the kernel's SASS: from its "Function : name" line to the next Function
            sass() { awk -v n="$name" '/Function : / { on = ($3 == n) } on' "$base.sass"; }
            set -- $check
            verdict=PASS
            detail=""
            case $1 in
            max-regs)
                detail="$reg registers (cap $2)"
                [ "$reg" -le "$2" ] || verdict=FAIL ;;
            min-regs)
                detail="$reg registers (at least $2)"
                [ "$reg" -ge "$2" ] || verdict=FAIL ;;
            no-local)
                spills=$(sass | grep -cE '[ ](LDL|STL)(\.| )' || true)
                detail="stack $stack B, local $local B, $spills LDL/STL"
                [ "$stack" -eq 0 ] && [ "$local" -eq 0 ] && [ "$spills" -eq 0 ] || verdict=FAIL ;;
            max-count)
                re=${check#* * }
                hits=$(sass | grep -cE -- "$re" || true)
                detail="$hits instructions match '$re' (at most $2)"
                [ "$hits" -le "$2" ] || verdict=FAIL ;;
            must | must-not)
                re=${check#* }
                hits=$(sass | grep -cE -- "$re" || true)
                detail="$hits instructions match '$re'"
                if [ "$1" = must ]; then [ "$hits" -gt 0 ] || verdict=FAIL
                else [ "$hits" -eq 0 ] || verdict=FAIL; fi ;;
            loads-in-flight)
                # the longest run of 16-byte global loads with no global store between
                # them: how many a thread issues before it must wait for one (a store of a
                # loaded value waits for that load)
                run=$(sass | awk '/[ ]STG[.]/ { n = 0 } /[ ]LDG[.].*128/ { if (++n > m) m = n } END { print m + 0 }')
                detail="at most $run 16-byte global loads before a store (want $2)"
                [ "$run" -ge "$2" ] || verdict=FAIL ;;
            occupancy)
                want=$2 threads=$3 dyn=$4
                # registers are allocated per warp in units of 256; shared memory per
                # block in units of 128 bytes plus 1 KiB the system reserves (for sm_90
                # targets cuobjdump's SHARED already counts that 1 KiB: a kernel without
                # static shared memory reports 1024 there, 0 for sm_80)
                warps=$(( (threads + 31) / 32 ))
                warp_regs=$(( (reg * 32 + 255) / 256 * 256 ))
                by_regs=$(( 65536 / (warps * warp_regs) ))
                reserved=1024
                case $arch in sm_90*) reserved=0 ;; esac
                block_smem=$(( (shared + dyn + 127) / 128 * 128 + reserved ))
                by_smem=$(( $(smem_per_sm "$arch") / block_smem ))
                by_threads=$(( 2048 / threads ))
                fit=$by_regs
                [ "$by_smem" -lt "$fit" ] && fit=$by_smem
                [ "$by_threads" -lt "$fit" ] && fit=$by_threads
                detail="$fit blocks/SM (registers $by_regs, shared memory $by_smem, threads $by_threads; want $want)"
                [ "$fit" -ge "$want" ] || verdict=FAIL ;;
            *)
                echo "sass-check: unknown check '$check' in $table" >&2
                exit 2 ;;
            esac
            echo "$verdict $arch $(basename "$src") $1: $detail  [$short]"
            [ "$verdict" = PASS ] || failed=1
        done <<<"$kernels"
    done
done <"$table"

if [ "$failed" -ne 0 ]; then
    echo "sass-check: FAILED (see the FAIL lines above)" >&2
    exit 1
fi
echo "sass-check: $checks checks passed"
