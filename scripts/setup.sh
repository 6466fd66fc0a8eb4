#!/bin/sh
# setup.sh - the one command for a fresh Debian 12 machine: installs what is needed,
# builds whygpu, and runs `whygpu demo` (extra arguments go to the demo, e.g. --size 4000).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
make -j"$(nproc 2>/dev/null || echo 2)"
echo
exec ./build/whygpu demo "$@"
