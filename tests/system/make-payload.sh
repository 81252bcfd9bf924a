#!/bin/bash
# make-payload.sh BUILD_DIR OUT_DIR - assemble what system tests need in dom0:
# the dom0-side scripts and the programs built in BUILD_DIR (into OUT_DIR/bin).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1 OUT=$2
make -s -C "$BUILD" systest-programs
mkdir -p "$OUT/bin"
cp -a "$HERE"/dom0-*.sh "$HERE"/t-*.sh "$HERE/guest-disk" "$OUT/"
cp "$BUILD/tests/system/xen-libs-test" "$OUT/bin/"
