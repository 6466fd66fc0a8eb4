#!/usr/bin/env bash
# train-compare.sh - two builds of whygpu training the default MLP on the CPU, alternated.
#
# A restructuring or a kernel change must not cost training speed; single runs on a shared
# machine move 10-30%, so the two builds run one after the other, round by round, and each
# build's figure is the median over rounds of its best epoch (images/s) in that round.
#   scripts/train-compare.sh BEFORE_WHYGPU AFTER_WHYGPU [ROUNDS] [EPOCHS] > results/.../x.txt
# BEFORE_ARGS and AFTER_ARGS add train options to one side, e.g. fp32 against mixed
# precision with one build (issue 17: bf16 within 0.5 accuracy points, >= 1.5x images/s):
#   AFTER_ARGS="--dtype bf16" scripts/train-compare.sh build/whygpu build/whygpu 1 10
# Besides the speed it prints each run's final test accuracy, and the after/before ratios.
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
echo "# command per cell: BUILD train --epochs $epochs --data $data --json FILE --no-progress [ARGS]"
echo "# before args: ${BEFORE_ARGS:-(none)}; after args: ${AFTER_ARGS:-(none)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ((r = 1; r <= rounds; r++)); do
    for which in before after; do
        bin=$before extra=${BEFORE_ARGS:-}
        [ "$which" = after ] && bin=$after extra=${AFTER_ARGS:-}
        # shellcheck disable=SC2086 # the extra options are words on purpose
        "$bin" train --epochs "$epochs" --data "$data" --json "$tmp/$r-$which.json" \
            --no-progress $extra > /dev/null
    done
done
python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
folder, rounds = sys.argv[1], int(sys.argv[2])
print("%-7s %s   %s" % ("build", " ".join("r%-8d" % (r + 1) for r in range(rounds)),
                         "median of best-epoch images/s, median final test accuracy"))
medians = {}
for w in ("before", "after"):
    best, accuracy = [], []
    for r in range(1, rounds + 1):
        doc = json.load(open("%s/%d-%s.json" % (folder, r, w)))
        best.append(max(e["images_per_s"] for e in doc["epochs"]))
        accuracy.append(100.0 * (doc["final"]["test_accuracy"] or float("nan")))
    medians[w] = (statistics.median(best), statistics.median(accuracy))
    print("%-7s %s   %.0f   %.2f%%" % (w, " ".join("%-9.0f" % x for x in best), medians[w][0],
                                      medians[w][1]))
print("after / before: %.2fx images/s, %+.2f accuracy points"
      % (medians["after"][0] / medians["before"][0], medians["after"][1] - medians["before"][1]))
PY
