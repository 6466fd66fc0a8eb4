#!/usr/bin/env bash
# gpu-about.sh - the header every log of a GPU session starts with (docs/gpu-session.md):
# the date (UTC), the commit, the machine (host, kernel, CPU, cores) and the GPU (name,
# driver, PCI bus id, clocks, power limit) as nvidia-smi reports them, one "# key: value"
# line each, so that a log copied under results/ says where it came from on its own.
#
#   scripts/gpu-about.sh [WHYGPU-BINARY]
#
# The commit: $COMMIT when set, else the one the binary was built from (`whygpu
# --version`), else `git rev-parse HEAD` (a device machine gets the working tree without
# .git), else "unknown". Never fails: a fact it cannot read says so.
set -u
binary=${1:-}
commit=${COMMIT:-}
if [ -z "$commit" ] && [ -n "$binary" ] && [ -x "$binary" ]; then
    commit=$("$binary" --version 2>/dev/null | sed -n 's/.*commit \([0-9a-f][0-9a-f]*\(-dirty\)\{0,1\}\).*/\1/p' | head -n 1)
fi
[ -n "$commit" ] || commit=$(git rev-parse HEAD 2>/dev/null || true)
[ -n "$commit" ] || commit=unknown
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# commit: $commit"
echo "# machine: $(uname -n) $(uname -r) $(uname -m); CPU: ${cpu:-unknown}, $(nproc 2>/dev/null || echo '?') logical CPUs"
if command -v nvidia-smi >/dev/null 2>&1; then
    gpu=$(nvidia-smi --query-gpu=name,driver_version,pci.bus_id,clocks.max.sm,clocks.max.mem,power.limit \
        --format=csv,noheader 2>&1 | head -n 4 | tr '\n' ';')
    echo "# gpu: ${gpu:-nvidia-smi lists none}"
else
    echo "# gpu: none (nvidia-smi not found)"
fi
