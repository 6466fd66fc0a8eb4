#!/usr/bin/env bash
# ladder-autotune.sh - picks rung 6's tile variant for the GPU it runs on: times every
# variant of WG_L6_VARIANTS (src/ladder.h) with `whygpu ladder --kernel warptile` at each
# size (WHYGPU_LADDER6_VARIANT forces the variant), drops any that fails its float64
# check, and writes the fastest (geometric mean of TFLOP/s over the sizes) into the
# tuning table as "SMS<TAB>VARIANT<TAB>GPU NAME<TAB># note" (replacing that GPU's line).
# The library compiles the committed table (src/ladder6-tuning.txt) in; rebuild after
# committing the new line. The raw JSON of every run is kept beside the table's log.
#
#   scripts/ladder-autotune.sh [--whygpu BIN] [--table FILE] [--out DIR] [--repeat N]
#                              [--size N]... [--dry-run FIXTURE-DIR]
#
# Needs a CUDA GPU, except with --dry-run: then the JSON documents are read from
# FIXTURE-DIR/<variant>.json instead of running whygpu (to check this script's own logic
# on a machine without a GPU). Needs python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."

whygpu=build/whygpu
table=src/ladder6-tuning.txt
out=""
repeat=3
sizes=()
dry=""
while [ $# -gt 0 ]; do
    case $1 in
    --whygpu) whygpu=$2; shift 2 ;;
    --table) table=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --size) sizes+=("$2"); shift 2 ;;
    --dry-run) dry=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "ladder-autotune: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(4096 8192)
[ -n "$out" ] || out=$(mktemp -d)
mkdir -p "$out"

# the variant names, in index order, from the one list the kernels are compiled from
mapfile -t variants < <(sed -n 's/^ *X([0-9]*, "\([^"]*\)".*/\1/p' src/ladder.h)
[ ${#variants[@]} -gt 0 ] || { echo "ladder-autotune: no WG_L6_VARIANTS in src/ladder.h" >&2; exit 2; }

size_args=()
for n in "${sizes[@]}"; do size_args+=(--size "$n"); done
for v in "${variants[@]}"; do
    if [ -n "$dry" ]; then
        cp "$dry/$v.json" "$out/$v.json"
    else
        echo "== variant $v"
        WHYGPU_LADDER6_VARIANT=$v "$whygpu" ladder --kernel warptile "${size_args[@]}" \
            --repeat "$repeat" --json "$out/$v.json" | tee "$out/$v.log"
    fi
done

python3 - "$table" "$out" "${variants[@]}" <<'EOF'
import json, math, os, sys, tempfile
table, out, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
best = None
gpu = sms = None
lines = []
for v in variants:
    with open(os.path.join(out, v + ".json")) as f:
        doc = json.load(f)
    g = doc["gpu"]
    if gpu is None:
        gpu, sms = g["name"], int(g["sm_count"])
    elif (g["name"], int(g["sm_count"])) != (gpu, sms):
        sys.exit(f"ladder-autotune: {v}.json is from another GPU ({g['name']}, {g['sm_count']} SMs)")
    rates, ok = [], True
    for run in doc["runs"]:
        for row in run["rungs"]:
            if row["kind"] != "rung" or row["name"] != "warptile":
                continue
            passed = row["measured"] and row["relative_error"] is not None \
                and row["relative_error"] <= row["error_bound"]
            ok = ok and passed
            rates.append(row["tflops"] if passed else 0.0)
            lines.append(f"{v:16s} n={run['n']:6d} {row['tflops']:8.2f} TFLOP/s "
                         f"{row['percent_of_cublas'] or 0:5.1f}% of cuBLAS "
                         f"{'ok' if passed else 'FAILED CHECK'}")
    if not rates:
        sys.exit(f"ladder-autotune: {v}.json has no warptile row")
    score = math.exp(sum(math.log(max(r, 1e-9)) for r in rates) / len(rates)) if ok else 0.0
    if ok and (best is None or score > best[1]):
        best = (v, score)
print("\n".join(lines))
if best is None:
    sys.exit("ladder-autotune: every variant failed its check; the table is unchanged")
if "\t" in gpu or "\n" in gpu:
    sys.exit(f"ladder-autotune: GPU name {gpu!r} has a tab or newline")
note = f"{best[1]:.1f} TFLOP/s geometric mean over n = " + ", ".join(
    str(r["n"]) for r in doc["runs"])
line = f"{sms}\t{best[0]}\t{gpu}\t# {note}"
try:
    with open(table) as f:
        old = f.read().splitlines()
except FileNotFoundError:
    old = []
new, replaced = [], False
for l in old:
    fields = l.split("\t")
    if not l.startswith("#") and len(fields) >= 3 and fields[0] == str(sms) and fields[2] == gpu:
        if not replaced:
            new.append(line)
        replaced = True
    else:
        new.append(l)
if not replaced:
    new.append(line)
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(table)))
with os.fdopen(fd, "w") as f:
    f.write("\n".join(new) + "\n")
os.replace(tmp, table)
print(f"ladder-autotune: {gpu} ({sms} SMs): {best[0]} ({note}) -> {table}")
EOF
