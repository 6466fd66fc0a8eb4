#!/usr/bin/env bash
# gpu-step-check.sh - the GPU training step at the launch floor (#20 items 1-3), on a machine
# with an NVIDIA GPU, in about 4 minutes; called by scripts/gpu-check.sh (its gpu-step
# section) or alone, with an existing build:
#
#   scripts/gpu-step-check.sh BUILD OUT [DATA]     e.g. build-gpu results/x /usr/share/datasets/fashion-mnist
#
# Writes ONE file, OUT/gpu-step.tar.gz (the device tool brings back few files), holding
# about.txt (scripts/gpu-about.sh: date, commit, machine, GPU) and:
#   launch.log         the launch floor of this run: `whygpu explain --only latency` (an empty kernel
#                      queued, and with a wait)
#   graph-G-epilogue-E-N.json   `train --compare --batch 256 --steps 2000` with --graph G
#                      (on, off) and --epilogue E (lt: cuBLASLt fused epilogues, own: the
#                      own kernels), the four alternated twice (N = 1, 2): the GPU's time per
#                      step, how its steps ran and which epilogues ran (text in graph.log)
#   epilogue.txt       one line per run of those: graph, epilogue, GPU time/step, launches
#                      a step, and the epilogue line (does lt beat own? by how much?)
#   curve.json, curve.log   `train --compare --batches 64,...,8192 --steps 200`: CPU vs GPU
#                      images/s per batch, the best batch named
#   sweep-mlp.json, sweep-mlp.log   `sweep --op mlp-step --sizes 64:8192 --points 8`
#   torch.log          scripts/compare-torch-train.py --device cuda (PyTorch eager and CUDA
#                      graph against whygpu graph on/off, alternated; TORCH_PYTHON names the
#                      Python whose torch has CUDA, default python3)
# STEP_ROUNDS (default 3) sets PyTorch's alternated rounds, STEP_SWEEP_BUDGET (default 60s)
# the mlp-step sweep's budget (scripts/gpu-session.sh passes 2 and 30s to fit its call).
# DEVICE (default cuda) names the GPU; DRY_RUN=1 runs every command with tiny sizes (a check
# of the script on a machine without a GPU: the GPU steps then fail and say why).
# Exit status 1 if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: gpu-step-check.sh BUILD OUT [DATA]}
out=${2:?usage: gpu-step-check.sh BUILD OUT [DATA]}
data=${3:-${WHYGPU_DATA:-/usr/share/datasets/fashion-mnist}}
device=${DEVICE:-cuda}
torch_python=${TORCH_PYTHON:-python3}
whygpu=./$build/whygpu
steps=2000 curve_steps=200 batches=64,128,256,512,1024,2048,4096,8192 sweep=64:8192 budget=60s
torch_steps=2000 rounds=${STEP_ROUNDS:-3}
budget=${STEP_SWEEP_BUDGET:-$budget}
if [ "${DRY_RUN:-0}" = 1 ]; then
    steps=6 curve_steps=4 batches=64,256 sweep=64:128 budget=5s torch_steps=4 rounds=1
fi
# the logs are written into OUT/gpu-step as they come (a run stopped before the end leaves
# them there), then packed into OUT/gpu-step.tar.gz and the folder removed
dir=$out/gpu-step
mkdir -p "$dir"
scripts/gpu-about.sh "$whygpu" >"$dir/about.txt" # date, commit, machine, GPU
failed=0

run() { # run NAME LIMIT COMMAND...: stdout and stderr to $dir/NAME, the status noted there
    local name=$1 limit=$2
    shift 2
    echo "== gpu-step $name: $*"
    { echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"; } >>"$dir/$name"
    timeout "$limit" "$@" >>"$dir/$name" 2>&1
    local rc=$?
    echo "# exit status: $rc" >>"$dir/$name"
    echo "   exit status $rc"
    [ "$rc" -eq 0 ] || failed=1
}

run launch.log 60 "$whygpu" explain --only latency --no-progress
for n in 1 2; do
    for graph in on off; do
        for epilogue in lt own; do
            run graph.log 120 "$whygpu" train --compare --device "$device" --graph "$graph" \
                --epilogue "$epilogue" --batch 256 --steps "$steps" --data "$data" \
                --no-progress --json "$dir/graph-$graph-epilogue-$epilogue-$n.json"
        done
    done
done
# gpu-epilogue: the GPU run of each, side by side (a run that did not happen says so)
run epilogue.txt 30 python3 -c '
import glob, json, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "graph-*-epilogue-*.json"))):
    name = os.path.basename(path)[:-5]
    try:
        gpu = json.load(open(path))["runs"][1]
    except Exception as e:
        print("%s: no result (%s)" % (name, e))
        continue
    if not gpu.get("ran"):
        print("%s: not run: %s" % (name, gpu.get("error")))
        continue
    print("%s: %.1f us/step, %s launches a step; %s; %s" % (
        name, gpu["seconds_per_step"] * 1e6, gpu.get("step_launches"), gpu.get("epilogue"),
        gpu.get("step_mode")))
' "$dir"
run curve.log 300 "$whygpu" train --compare --device "$device" --batches "$batches" \
    --steps "$curve_steps" --data "$data" --no-progress --json "$dir/curve.json"
run sweep-mlp.log 120 "$whygpu" sweep --op mlp-step --device "$device" --sizes "$sweep" \
    --points 8 --budget "$budget" --no-progress --reference none --json "$dir/sweep-mlp.json"
run torch.log 300 python3 scripts/compare-torch-train.py --device cuda --whygpu "$whygpu" \
    --torch-python "$torch_python" --steps "$torch_steps" --rounds "$rounds" --data "$data"
tar -C "$dir" -czf "$out/gpu-step.tar.gz.tmp" . && mv "$out/gpu-step.tar.gz.tmp" "$out/gpu-step.tar.gz" &&
    rm -rf "$dir"
echo "== gpu-step: $([ $failed -eq 0 ] && echo all steps passed || echo some steps FAILED); $out/gpu-step.tar.gz"
exit $failed
