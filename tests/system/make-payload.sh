#!/bin/bash
# make-payload.sh BUILD_DIR OUT_DIR - assemble what system tests need in dom0:
# the dom0-side scripts and the programs built in BUILD_DIR (into OUT_DIR/bin).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$1 OUT=$2
make -s -C "$BUILD" systest-programs
mkdir -p "$OUT/bin"
cp -a "$HERE"/dom0-*.sh "$HERE"/t-*.sh "$HERE/guest-disk" "$HERE/peer-guest" "$HERE/driver-domain" \
    "$HERE/hostile-guest" "$HERE/encdom-tamper" "$OUT/"
cp -a "$HERE/encdom-loss" "$HERE/revoke-guest" "$OUT/"
cp "$BUILD/tests/system/xen-libs-test" "$BUILD/tests/system/acm-wait" "$BUILD/policy/xacm-policy" \
    "$BUILD/acdom/acdom" "$BUILD/toolstack/xacm-label" "$BUILD/toolstack/xacm-audit" \
    "$BUILD/blkback-acm/blkback-acm" "$BUILD/tests/system/xacm-front-io" "$BUILD/encdom/encdom" "$OUT/bin/"
cp "$BUILD/tests/system/xacm-peer" "$OUT/peer-guest/"
cp "$BUILD/tests/system/hostile-front" "$OUT/hostile-guest/"
cp "$BUILD/tests/system/xacm-grant-probe" "$OUT/driver-domain/"
# the project's example policy, compiled on the FLASK base of the testbed's Xen
cp "$HERE/../../policy/examples/three-tenants.xp" "$OUT/"
"$BUILD/policy/xacm-policy" compile "$OUT/three-tenants.xp" -o "$OUT/policy" \
    --flask-base "$("$HERE/../testbed/build-xen.sh")/flask" >/dev/null
# a second version of it for acdom's reload test: bank_b_disk becomes a shop disk
sed 's/^resource bank_b_disk types { bank_b };$/resource bank_b_disk types { shop };/' \
    "$OUT/three-tenants.xp" > "$OUT/three-tenants-v2.xp"
grep -q 'bank_b_disk types { shop }' "$OUT/three-tenants-v2.xp"
"$BUILD/policy/xacm-policy" compile "$OUT/three-tenants-v2.xp" -o "$OUT/policy-v2" --no-binary >/dev/null
