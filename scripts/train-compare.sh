#!/usr/bin/env bash
# train-compare.sh - two builds of whygpu training the default MLP on the CPU, alternated.
#
# A restructuring or a kernel change must not cost training speed; single runs on a shared
# machine move 10-30%, so the two builds run one after the other, round by round, and each
# build's figure is the median over rounds of its best epoch (images/s) in that round.
#   scripts/train-compare.sh BEFORE_WHYGPU AFTER_WHYGPU [ROUNDS] [EPOCHS] > results/.../x.txt
# Needs Fashion-MNIST (WHYGPU_DATA or /usr/share/datasets/fashion-mnist) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: scripts/train-compare.sh BEFORE_WHYGPU AFTER_WHYGPU [ROUNDS] [EPOCHS]" >&2; exit 2; }
before=$1 after=$2 rounds=${3:-3} epochs=${4:-2}
data=${WHYGPU_DATA:-/usr/share/datasets/fashion-mnist}
for bin in "$before" "$after"; do
    [ -x "$bin" ] || { echo "train-compare.sh: $bin is not an executable" >&2; exit 2; }
done
command -v python3 > /dev/null || { echo "train-compare.sh: needs python3" >&2; exit 1; }
commit_of() { git -C "$(dirname "$1")/.." rev-parse --short HEAD 2>/dev/null || echo "not in a checkout"; }
echo "# whygpu train on the CPU: two builds alternated over $rounds rounds of $epochs epochs"
echo "# before: $before (commit $(commit_of "$before"))"
echo "# after:  $after (commit $(commit_of "$after"))"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit here: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command per cell: BUILD train --epochs $epochs --data $data --json FILE --no-progress"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for which in before after; do
        bin=$before
        [ "$which" = after ] && bin=$after
        "$bin" train --epochs "$epochs" --data "$data" --json "$tmp/$r-$which.json" \
            --no-progress > /dev/null
    done
done
python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
print("%-7s %s   %s" % ("build", " ".join("r%-8d" % (r + 1) for r in range(rounds)),
                         "median of best-epoch images/s"))
for w in ("before", "after"):
    best = []
    for r in range(1, rounds + 1):
        doc = json.load(open("%s/%d-%s.json" % (folder, r, w)))
        best.append(max(e["images_per_s"] for e in doc["epochs"]))
    print("%-7s %s   %.0f" % (w, " ".join("%-9.0f" % x for x in best), statistics.median(best)))
PY
