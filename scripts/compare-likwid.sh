#!/usr/bin/env bash
# compare-likwid.sh - whygpu's CPU STREAM triad next to likwid-bench's, in one run.
#
# Rounds alternate the three so that a busy neighbour on a shared machine hits them alike;
# each prints GB/s counted the same way (STREAM's: 3 arrays read or written once per
# element; likwid-bench's "MByte/s" counts 2 loads + 1 store per element the same way).
#   likwid stream_avx512_fma : the triad of issue #5's target (ordinary stores)
#   likwid stream_mem_avx512 : the same with non-temporal stores (no write-allocate)
#   whygpu                   : `whygpu explain --only bandwidth`, triad, best of 10
#                              (non-temporal stores on AVX2/AVX-512 since commit 743e773)
# Needs Debian's likwid (apt-get install likwid) and a built whygpu.
#   scripts/compare-likwid.sh [ROUNDS] > results/.../explain-vs-likwid.txt
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
cores=$(nproc)
whygpu=${WHYGPU:-./build/whygpu}
command -v likwid-bench >/dev/null || { echo "compare-likwid.sh: likwid-bench not found (apt-get install likwid)" >&2; exit 1; }
[ -x "$whygpu" ] || { echo "compare-likwid.sh: $whygpu not built (make)" >&2; exit 1; }

echo "# whygpu CPU STREAM triad vs likwid-bench, $rounds rounds, alternating"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $cores cores; $(likwid-bench -h 2>&1 | head -n 1 || true)"
echo "# commands: likwid-bench -t stream_avx512_fma -w S0:1GB:$cores; likwid-bench -t stream_mem_avx512 -w S0:1GB:$cores;"
echo "#           $whygpu explain --only bandwidth --device cpu --json --no-progress (triad best_gbs)"
echo "# note: whygpu reports the best of 10 trials (STREAM's rule); likwid-bench the rate over"
echo "#       all its iterations, so on a noisy host the comparison favours whygpu somewhat"
printf '%-6s %22s %22s %14s %14s\n' round likwid_avx512_fma likwid_mem_avx512 whygpu_best whygpu_median
likwid_gbs() { likwid-bench -t "$1" -w "S0:1GB:$cores" 2>/dev/null | awk '/^MByte\/s:/ {printf "%.1f", $2 / 1000}'; }
whygpu_gbs() {
    "$whygpu" explain --only bandwidth --device cpu --json --no-progress |
        python3 -c 'import json, sys
d = json.load(sys.stdin)
t = [r for r in d["sections"]["bandwidth"]["cpu_stream"] if r["kernel"] == "triad"][0]
print("%.1f %.1f" % (t["best_gbs"], t["median_gbs"]))'
}
for r in $(seq 1 "$rounds"); do
    read -r best median <<<"$(whygpu_gbs)"
    printf '%-6s %22s %22s %14s %14s\n' "$r" "$(likwid_gbs stream_avx512_fma)" "$(likwid_gbs stream_mem_avx512)" "$best" "$median"
done | tee /tmp/compare-likwid.$$
python3 - /tmp/compare-likwid.$$ <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
cols = list(zip(*[[float(x) for x in r[1:]] for r in rows]))
med = [statistics.median(c) for c in cols]
print("median %22.1f %22.1f %14.1f %14.1f" % tuple(med))
print("# whygpu best / likwid stream_avx512_fma = %.2f; / likwid stream_mem_avx512 = %.2f (medians of rounds)" % (med[2] / med[0], med[2] / med[1]))
print("# whygpu median / likwid stream_avx512_fma = %.2f; / likwid stream_mem_avx512 = %.2f (medians of rounds)" % (med[3] / med[0], med[3] / med[1]))
PY
rm -f /tmp/compare-likwid.$$
