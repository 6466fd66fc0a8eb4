#!/usr/bin/env bash
# ladder-emulate.sh - checks the GPU matmul ladder's kernels without a GPU: compiles
# src/cuda/ladder_[1-8]_*.cu as plain C++ against tests/emulate/cuda_shim.h (CUDA threads
# become POSIX threads), with AddressSanitizer and UndefinedBehaviorSanitizer, and runs
# tests/emulate/ladder_emulate.cpp: every rung over awkward sizes, all transposes, padded
# and misaligned leading dimensions, alpha/beta and capped grids, against float64.
#
#   scripts/ladder-emulate.sh            # every rung
#   scripts/ladder-emulate.sh 6 7        # some rungs
#   EMULATE_SANITIZE=thread scripts/ladder-emulate.sh 6   # ThreadSanitizer instead: a
#                                        # missing __syncthreads shows up as a data race
#
# Needs only g++. It checks indexing and edge handling, not speed or the real GPU.
set -euo pipefail
cd "$(dirname "$0")/.."

cxx=${CXX:-g++}
cc=${CC:-cc}
out=${EMULATE_BUILD:-build-emulate-${EMULATE_SANITIZE:-asan}}
mkdir -p "$out"
sanitizers=${EMULATE_SANITIZE:-address,undefined}
san="-fsanitize=$sanitizers -fno-sanitize-recover=all -fno-omit-frame-pointer"
cxxflags="-std=c++17 -O1 -g -Wall -Wextra -Wno-unknown-pragmas -Iinclude -Isrc -DWG_LADDER_EMULATE $san"

objs=()
for src in src/cuda/ladder_[0-9]*_*.cu tests/emulate/ladder_emulate.cpp; do
    obj=$out/$(basename "$src" | sed 's/\.[^.]*$//').o
    "$cxx" $cxxflags -include tests/emulate/cuda_shim.h -x c++ -c "$src" -o "$obj"
    objs+=("$obj")
done
for src in src/ladder.c src/error.c; do
    obj=$out/$(basename "$src" .c).o
    "$cc" -std=c11 -O1 -g -Iinclude -Isrc -D_GNU_SOURCE $san -c "$src" -o "$obj"
    objs+=("$obj")
done
"$cxx" $san "${objs[@]}" -lpthread -o "$out/ladder_emulate"
ASAN_OPTIONS=detect_leaks=1 "$out/ladder_emulate" "$@" # a path with a slash: run as it is
