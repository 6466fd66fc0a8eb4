#!/usr/bin/env bash
# scripts/hostile-cgroup.sh [WHYGPU] - the memory cases of issue 21 run inside a cgroup
# limited to 1 GiB: each command must refuse up front (exit 1, one line naming the cgroup
# limit), never be killed by the kernel (exit 137). The tests (test_cli_runs.c) ask for the
# same refusals through WHYGPU_MEMORY_LIMIT; this checks that the real limit of a container
# is read as well. WHYGPU defaults to build/whygpu.
#
# The cgroup is made with systemd-run (MemoryMax) where systemd runs, else by writing
# /sys/fs/cgroup (v2 memory.max, or v1 memory.limit_in_bytes); where neither is allowed
# (no root, a read-only cgroup tree) the script prints why and exits 0 (skipped).
set -uo pipefail
cd "$(dirname "$0")/.."

whygpu=${1:-build/whygpu}
limit=$((1 << 30))
[ -x "$whygpu" ] || { echo "hostile-cgroup: $whygpu is not built" >&2; exit 1; }
whygpu=$(cd "$(dirname "$whygpu")" && pwd)/$(basename "$whygpu")

# The cases: "ARGS|WHAT THE MESSAGE MUST SAY". Each needs several GiB.
cases=(
    "matmul --device cpu --size 20000 --no-progress|needs"
    "demo --device cpu --size 20000 --no-progress|needs"
)
# A tiny Fashion-MNIST look-alike (100 images each) for the train case: IDX headers, then
# zero pixels and labels 0..9.
data=$(mktemp -d /tmp/whygpu-hostile-data-XXXXXX)
for prefix in train t10k; do
    { printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x1c\x00\x00\x00\x1c'
      head -c 78400 /dev/zero; } >"$data/$prefix-images-idx3-ubyte"
    { printf '\x00\x00\x08\x01\x00\x00\x00\x64'
      for _ in 1 2 3 4 5 6 7 8 9 10; do printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09'; done
    } >"$data/$prefix-labels-idx1-ubyte"
done
cases+=("train --data $data --hidden 40000,40000 --steps 1 --no-progress|needs")

# Runs the cases in the current process's cgroup (called inside the limited one).
run_cases() {
    local failed=0
    for c in "${cases[@]}"; do
        local args=${c%%|*} want=${c##*|} err rc
        err=$(env -u WHYGPU_MEMORY_LIMIT "$whygpu" $args 2>&1 >/dev/null)
        rc=$?
        if [ "$rc" -eq 1 ] && printf '%s' "$err" | grep -q "$want" &&
            printf '%s' "$err" | grep -q "cgroup" && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
            echo "  ok   whygpu $args: $err"
        else
            echo "  FAIL whygpu $args: exit $rc (1 expected, refused naming the cgroup): $err"
            failed=1
        fi
    done
    return $failed
}


echo "== memory cases inside a cgroup of $((limit >> 20)) MiB"
# 1. systemd-run, where systemd is init.
if command -v systemd-run >/dev/null 2>&1 &&
    systemd-run --scope -q -p MemoryMax=$limit true >/dev/null 2>&1; then
    export -f run_cases
    export whygpu
    systemd-run --scope -q -p MemoryMax=$limit -p MemorySwapMax=0 \
        bash -c "$(declare -p cases); run_cases"
    exit $?
fi

# 2. a cgroup made by hand under the one this process is in (v2 unified, else v1 memory).
self_v2=$(sed -n 's/^0:://p' /proc/self/cgroup | head -1)
self_v1=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup | head -1)
dir="" limit_file="" swap_file=""
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    dir=/sys/fs/cgroup${self_v2%/}/whygpu-hostile-$$
    limit_file=memory.max swap_file=memory.swap.max
elif [ -n "$self_v1" ] && [ -d /sys/fs/cgroup/memory ]; then
    dir=/sys/fs/cgroup/memory${self_v1%/}/whygpu-hostile-$$
    limit_file=memory.limit_in_bytes swap_file=memory.memsw.limit_in_bytes
fi
trap 'rm -rf "$data"' EXIT
if [ -z "$dir" ]; then
    echo "hostile-cgroup: skipped: no memory cgroup controller here (systemd-run unusable too)"
    exit 0
fi
if ! mkdir "$dir" 2>/dev/null; then
    echo "hostile-cgroup: skipped: cannot create $dir (not root, or the cgroup tree is read-only)"
    exit 0
fi
trap 'rmdir "$dir" 2>/dev/null; rm -rf "$data"' EXIT
if ! echo $limit >"$dir/$limit_file" 2>/dev/null; then
    echo "hostile-cgroup: skipped: cannot set $dir/$limit_file"
    exit 0
fi
echo $limit >"$dir/$swap_file" 2>/dev/null || true
echo "  cgroup $dir, $limit_file = $limit"
# A subshell moves itself into the cgroup and runs the cases there; this shell stays out
# so that it can remove the (then empty) cgroup.
(
    echo $BASHPID >"$dir/cgroup.procs" || { echo "hostile-cgroup: cannot join $dir"; exit 1; }
    run_cases
)
rc=$?
[ $rc -eq 0 ] && echo "hostile-cgroup: every case refused up front" ||
    echo "hostile-cgroup: FAILED"
exit $rc
