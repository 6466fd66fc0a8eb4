#!/bin/sh
# check-install.sh - installs whygpu into a scratch prefix the way a user would
# (make install PREFIX=...), builds examples/matmul.c against the installed copy through
# pkg-config, shared and static, runs both and the installed tool, then uninstalls and
# checks that nothing is left behind. Extra arguments go to make (e.g. CUDA=0 BUILD=...).
set -eu
cd "$(dirname "$0")/.."
prefix=$(mktemp -d /tmp/whygpu-install-XXXXXX)
work=$(mktemp -d /tmp/whygpu-example-XXXXXX)
trap 'rm -rf "$prefix" "$work"' EXIT INT TERM
jobs=$(nproc 2>/dev/null || echo 2)

echo "== make install PREFIX=$prefix $*"
make -j"$jobs" "$@" install PREFIX="$prefix" >"$work/install.log" 2>&1 ||
    { tail -40 "$work/install.log"; exit 1; }
for f in bin/whygpu lib/libwhygpu.a lib/libwhygpu.so include/whygpu.h include/whygpu_lab.h \
         lib/pkgconfig/whygpu.pc share/doc/whygpu/README.md; do
    [ -e "$prefix/$f" ] || { echo "check-install: $prefix/$f was not installed" >&2; exit 1; }
done

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc=${CC:-cc}
echo "== examples/matmul.c against the installed library: $(pkg-config --cflags --libs whygpu)"
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -Werror examples/matmul.c $(pkg-config --cflags --libs whygpu) \
    -o "$work/matmul-shared"
LD_LIBRARY_PATH="$prefix/lib" "$work/matmul-shared" 128
LD_LIBRARY_PATH="$prefix/lib" ldd "$work/matmul-shared" | grep -q "$prefix/lib/libwhygpu.so" ||
    { echo "check-install: the example did not load the installed shared library" >&2; exit 1; }
echo "== the same, linked statically: $(pkg-config --static --libs whygpu)"
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -Werror examples/matmul.c -I"$prefix/include" \
    "$prefix/lib/libwhygpu.a" $(pkg-config --static --libs whygpu | sed 's/-lwhygpu//') \
    -o "$work/matmul-static"
"$work/matmul-static" 100

echo "== the installed tool"
"$prefix/bin/whygpu" --version

echo "== make uninstall"
make "$@" uninstall PREFIX="$prefix" >"$work/uninstall.log" 2>&1 ||
    { tail -20 "$work/uninstall.log"; exit 1; }
left=$(find "$prefix" -type f -o -type l)
if [ -n "$left" ]; then
    echo "check-install: make uninstall left: $left" >&2
    exit 1
fi
echo "check-install: ok"
