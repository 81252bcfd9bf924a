#!/bin/bash
# tests/system/run.sh BUILD_DIR [TEST...] - run the system tests on the real-Xen
# testbed (QEMU, FLASK enforcing).  BUILD_DIR is a configured build tree;
# its system-test programs are built here and put into dom0.
#
# Each boot runs a group of tests; the summary line is
#   "system tests: N passed, M failed".
# With TEST names (e.g. t-guest-disk.sh) only the boots holding them run.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: tests/system/run.sh BUILD_DIR [TEST...]}
shift
ONLY=" $* "
PAYLOAD=$(mktemp -d /tmp/xacm-payload.XXXXXX)
trap 'rm -rf "$PAYLOAD"' EXIT
"$HERE/make-payload.sh" "$BUILD" "$PAYLOAD"

passed=0 failed=0
# boot XEN_ARGS TEST...: one testbed boot running the given tests
# (BOOT_TIMEOUT seconds at most, default 900).
boot() {
    local xen_args=$1 t sel=() out
    shift
    for t in "$@"; do [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $t "* ]] && sel+=("$t"); done
    [ ${#sel[@]} -gt 0 ] || return 0
    echo "##### boot: xen args \"${xen_args:-(default)}\", tests: ${sel[*]}"
    out=$(mktemp)
    set +e
    "$HERE/../testbed/run-in-dom0" --payload "$PAYLOAD" --timeout "${BOOT_TIMEOUT:-900}" \
        --log "${XACM_CACHE:-/var/cache/xacm}/logs/${sel[0]%.sh}.$$.log" \
        ${xen_args:+--xen-args "$xen_args"} -- sh ./dom0-suite.sh "${sel[@]}" 2>&1 | tee "$out"
    set -e
    for t in "${sel[@]}"; do
        if grep -q "^SYSTEST $t PASS$" "$out"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)); echo "system test $t FAILED" >&2
        fi
    done
    rm -f "$out"
}

boot "" t-xen-libs.sh t-guest-disk.sh
boot "" t-policy.sh
boot "" t-acdom.sh
boot "" t-blkback.sh
boot "" t-blkback-restart.sh
# encdom's user-space blkfront in dom0, over blkback-acm and over Linux's
# blkback in a driver domain (two driver domains, one after the other).
BOOT_TIMEOUT=1200 boot "" t-encdom-front.sh
# encdom end to end: a guest's disk through encdom (dom0) to blkback-acm in a
# driver domain; format, the guest-disk job, ciphertext only, tampering from
# inside the driver domain.
BOOT_TIMEOUT=1800 boot "" t-encdom.sh
# encdom and driver-domain loss: no mirror (stall, reconnect, nothing flushed
# lost), then a mirror (fail over, resync at restart); ten domain boots.
BOOT_TIMEOUT=3000 boot "" t-encdom-loss.sh
# the same over Linux's kernel blkback in the driver domain, then mislabelled
# and unlabelled guests that must not get the volume.
BOOT_TIMEOUT=1800 boot "" t-encdom-kernel.sh
# a volume mirrored on two driver domains: tampering with one is repaired.
BOOT_TIMEOUT=1500 boot "" t-encdom-mirror.sh
# A hostile user-space frontend alone, then beside a good guest, both on
# blkback-acm.  Guest boots are slow when the machine is busy: a long bound.
BOOT_TIMEOUT=1800 boot "" t-blkback-hostile.sh
# The enforcement lock: every downgrade option, over two boots.
boot "xsm=dummy flask=disabled" t-enforcement-lock.sh
boot "xsm=silo flask=permissive" t-enforcement-lock.sh

# The harness itself: a failing command in dom0 must fail the run and show
# the console tails.
if [ "$ONLY" = "  " ] || [[ "$ONLY" == *" harness "* ]]; then
    echo "##### boot: harness check (a deliberately failing dom0 command)"
    set +e
    "$HERE/../testbed/run-in-dom0" --timeout 300 -- 'echo deliberate-failure; exit 3' > "$PAYLOAD/harness.out" 2>&1
    rc=$?
    set -e
    if [ $rc = 3 ] && grep -q '^deliberate-failure$' "$PAYLOAD/harness.out" &&
        grep -q -- '--- Xen console (xl dmesg) ---' "$PAYLOAD/harness.out" &&
        grep -q -- '--- dom0 console (dmesg) ---' "$PAYLOAD/harness.out"; then
        echo "ok: a dom0 command exiting 3 makes run-in-dom0 exit 3 and print the console tails"
        passed=$((passed + 1))
    else
        echo "FAIL: harness check: run-in-dom0 exited $rc; its output:"; cat "$PAYLOAD/harness.out"
        failed=$((failed + 1))
    fi
fi

echo "system tests: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
