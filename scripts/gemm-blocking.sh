#!/usr/bin/env bash
# gemm-blocking.sh - how one of the CPU GEMM's block sizes changes its speed, in one run.
#
# The block sizes come from the cache sizes (src/cpu/cpu_matmul.c, make_plan); the
# WHYGPU_GEMM_KC / _MC / _NC overrides let the same binary run with others. Rounds
# alternate the values so that a busy neighbour on a shared machine hits them alike; each
# line is one `whygpu bench gemm` run (its own FMA peak, medians of its repeats).
#   [BLOCK=KC|MC|NC] scripts/gemm-blocking.sh [ROUNDS] [VALUE...] > results/.../gemm-blocking.txt
# Default: BLOCK=KC, 3 rounds of kc = 336 (an A micro-panel fills half of a 32 KiB L1, the
# rule before), 512 and 1024 (a thread's packed B for 128 columns fills half of a 1 MiB
# L2, the rule now), at n = 2048 and 4096 on all threads.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
block=${BLOCK:-KC}
case $block in KC|MC|NC) ;; *) echo "gemm-blocking.sh: BLOCK must be KC, MC or NC" >&2; exit 2;; esac
var=WHYGPU_GEMM_$block
values=("$@")
if [ ${#values[@]} -eq 0 ]; then
    [ "$block" = KC ] || { echo "gemm-blocking.sh: give the $block values to alternate" >&2; exit 2; }
    values=(336 512 1024)
fi
whygpu=${WHYGPU:-./build/whygpu}
[ -x "$whygpu" ] || { echo "gemm-blocking.sh: $whygpu not built (make)" >&2; exit 1; }

echo "# whygpu CPU GEMM, $var alternated over $rounds rounds"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command per cell: $var=value $whygpu bench gemm --sizes 2048,4096 --no-mlp --no-openblas --loop-max 0 --json --no-progress"
printf '%-6s %6s %10s %10s %8s %10s %8s\n' round "$(echo "$block" | tr A-Z a-z)" peak_gf 2048_gf 2048_pct 4096_gf 4096_pct
for ((r = 1; r <= rounds; r++)); do
    for value in "${values[@]}"; do
        json=$(env "$var=$value" "$whygpu" bench gemm --sizes 2048,4096 --no-mlp --no-openblas \
               --loop-max 0 --json --no-progress)
        python3 -c '
import json, sys
d = json.loads(sys.argv[1]); peak = d["fma_peak_gflops"]
row = [sys.argv[2], sys.argv[3], "%.1f" % peak]
for s in d["shapes"]:
    gf = 2.0 * s["m"] * s["n"] * s["k"] / s["median_s"] / 1e9
    row += ["%.1f" % gf, "%.0f%%" % (100 * gf / peak)]
print("%-6s %6s %10s %10s %8s %10s %8s" % tuple(row))' "$json" "$r" "$value"
    done
done
