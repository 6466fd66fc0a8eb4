#!/bin/sh
# install-deps.sh - installs what whygpu needs to build and test on Debian 12 (and the
# Ubuntu releases of the same age): a C compiler with OpenMP, make, cJSON (the tests
# read the JSON output back with it), zlib (to read gzip-compressed Fashion-MNIST), the
# Fashion-MNIST data set itself (Debian's dataset-fashion-mnist, for `whygpu train`),
# gnuplot-nox (the charts of `whygpu plot` and `whygpu report`), pkg-config (to build
# a program against an installed libwhygpu, as scripts/check-install.sh does), and
# OpenCL: the ICD loader and headers (the opencl:N devices), CLBlast (the OpenCL vendor
# BLAS the ladder compares with) and PoCL, a driver that runs OpenCL kernels on the CPU.
# PoCL is installed here, not only in CI, so that every developer's `make test` runs the
# OpenCL backend's kernels too: on a machine without a GPU they are the only GPU-style
# code of whygpu that runs at all. On a machine with an Intel or AMD GPU, its own OpenCL
# driver (intel-opencl-icd, mesa-opencl-icd) shows up as a second platform beside PoCL.
# The CUDA toolkit is optional and not installed here: when nvcc is present (PATH or
# /usr/local/cuda/bin) the CUDA backend is built too.
set -eu
packages="gcc make libc6-dev libcjson-dev zlib1g-dev dataset-fashion-mnist gnuplot-nox pkg-config
          ocl-icd-opencl-dev opencl-c-headers libclblast-dev pocl-opencl-icd clinfo"
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-deps.sh: run as root or install sudo (needs: $packages)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
$as_root apt-get install -y -q --no-install-recommends $packages
