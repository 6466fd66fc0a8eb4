#!/usr/bin/env bash
# gemm-compare.sh - two builds of whygpu's CPU GEMM on the network's shapes, alternated.
#
# On a shared machine a change's effect on small products is smaller than the swings
# between runs; alternating the two builds round by round lets a busy neighbour hit both
# alike. Each cell is one `whygpu bench gemm` run's median for that shape (its own FMA
# peak in the peak column); the summary gives each build's median over the rounds.
#   scripts/gemm-compare.sh BEFORE_WHYGPU AFTER_WHYGPU [ROUNDS] > results/.../compare.txt
# e.g. build an older commit with `git worktree add /tmp/old REV && make -C /tmp/old CUDA=0`
# and compare /tmp/old/build/whygpu with ./build/whygpu. Threads: WHYGPU_NUM_THREADS or all.
# SIZES (default 256) is passed to --sizes: e.g. SIZES=2048,4096 for the large squares.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/gemm-compare.sh BEFORE_WHYGPU AFTER_WHYGPU [ROUNDS]" >&2; exit 2; }
before=$1 after=$2 rounds=${3:-4} sizes=${SIZES:-256}
for bin in "$before" "$after"; do
    [ -x "$bin" ] || { echo "gemm-compare.sh: $bin is not an executable" >&2; exit 2; }
done
command -v python3 > /dev/null || { echo "gemm-compare.sh: needs python3" >&2; exit 1; }

echo "# whygpu CPU GEMM on the MLP's shapes: two builds alternated over $rounds rounds"
# the commit of the checkout a build lies in (BUILD_DIR/whygpu), when it is one
commit_of() { git -C "$(dirname "$1")/.." rev-parse --short HEAD 2>/dev/null || echo "not in a checkout"; }
echo "# before: $before (commit $(commit_of "$before"))"
echo "# after:  $after (commit $(commit_of "$after"))"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit here: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command per cell: BUILD bench gemm --sizes $sizes --no-openblas --loop-max 0 --json --no-progress"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for which in before after; do
        bin=$before
        [ "$which" = after ] && bin=$after
        "$bin" bench gemm --sizes "$sizes" --no-openblas --loop-max 0 --json --no-progress \
            > "$tmp/$r-$which.json"
    done
done
python3 - "$tmp" "$rounds" <<'EOF'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
runs = {w: [json.load(open("%s/%d-%s.json" % (folder, r, w))) for r in range(1, rounds + 1)]
        for w in ("before", "after")}
def rate(s):
    return 2.0 * s["m"] * s["n"] * s["k"] / s["median_s"] / 1e9
def name(s):
    t = ("T" if s["trans_a"] else "N") + ("T" if s["trans_b"] else "N")
    return "%dx%dx%d %s" % (s["m"], s["n"], s["k"], t)
shapes = [name(s) for s in runs["after"][0]["shapes"]]
print("%-22s %-7s %s   %s" % ("shape", "build", " ".join("r%-6d" % (r + 1) for r in range(rounds)),
                              "median GFLOP/s (%peak)"))
for w in ("before", "after"):
    print("%-22s %-7s %s" % ("FMA peak", w, " ".join("%-7.1f" % d["fma_peak_gflops"] for d in runs[w])))
for i, shape in enumerate(shapes):
    for w in ("before", "after"):
        rates = [rate(d["shapes"][i]) for d in runs[w]]
        peaks = [d["fma_peak_gflops"] for d in runs[w]]
        pct = statistics.median(100 * x / p for x, p in zip(rates, peaks))
        print("%-22s %-7s %s   %.1f (%.0f%%)" % (shape, w, " ".join("%-7.1f" % x for x in rates),
                                                statistics.median(rates), pct))
EOF
