#!/bin/bash
# make-payload.sh BUILD_DIR OUT_DIR - assemble what system tests need in dom0:
# the dom0-side scripts and the programs built in BUILD_DIR (into OUT_DIR/bin).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1 OUT=$2
make -s -C "$BUILD" systest-programs
mkdir -p "$OUT/bin"
cp -a "$HERE"/dom0-*.sh "$HERE"/t-*.sh "$HERE/guest-disk" "$HERE/peer-guest" "$OUT/"
cp "$BUILD/tests/system/xen-libs-test" "$BUILD/tests/system/acm-wait" "$BUILD/policy/xacm-policy" \
    "$BUILD/acdom/acdom" "$BUILD/toolstack/xacm-label" "$BUILD/toolstack/xacm-audit" "$OUT/bin/"
cp "$BUILD/tests/system/xacm-peer" "$OUT/peer-guest/"
# the project's example policy, compiled on the FLASK base of the testbed's Xen
cp "$HERE/../../policy/examples/three-tenants.xp" "$OUT/"
"$BUILD/policy/xacm-policy" compile "$OUT/three-tenants.xp" -o "$OUT/policy" \
    --flask-base "$("$HERE/../testbed/build-xen.sh")/flask" >/dev/null
