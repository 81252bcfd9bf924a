#!/bin/sh
# encdom's userspace blkfront (encdom/xen/blkfront.c) in dom0 toward a driver
# domain (blk_t), with FLASK enforcing the project's policy: xacm-front-io
# connects to a vbd whose frontend is dom0, writes patterns with several
# requests in flight (4 KiB, and 1 MiB through indirect descriptors),
# flushes, reads back and compares, and writes a marker that must reach the
# driver domain's backing file; then it connects again and must report the
# driver domain's destruction (-ENOTCONN) while a read is in flight.  Twice: over blkback-acm (acdom allowing the
# dom0 <-> blk_t vbd), and over Linux's in-kernel blkback in the driver domain.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy

# Nothing in dom0's kernel may claim the vbd: xen-blkfront is a module
# (CONFIG_XEN_BLKDEV_FRONTEND=m) and not in dom0's image.
if [ -d /sys/bus/xen/drivers/vbd ]; then
    fail "dom0's kernel has a blkfront driver bound to the xen bus"
else
    pass "dom0's kernel has no blkfront driver (the vbd is the user-space frontend's)"
fi
# 8 slots x 256 pages, the ring and the indirect pages: above gntalloc's
# default limit of 1024 grants
echo 8192 > /sys/module/xen_gntalloc/parameters/limit &&
    pass "gntalloc limit raised to $(cat /sys/module/xen_gntalloc/parameters/limit) grants" ||
    fail "cannot raise gntalloc's limit"
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" label_path bank_a_disk /dev/xvda drv-acm drv-kernel

# front_io KIND VDEV: a driver domain (KIND acm: blkback-acm, kernel:
# Linux's blkback) on a fresh backing file; its /dev/xvda attached to dom0.
front_io() {
    kind=$1 vdev=$2 img=/tmp/backing-$1.img
    dd if=/dev/zero of="$img" bs=1M count=64 2>/dev/null
    if [ "$kind" = kernel ]; then KB=1; else KB=; fi
    KERNEL_BLKBACK=$KB start_blkback_domain "drv-$kind" "$img" || { fail "$kind: no driver domain"; return; }
    if xl_ block-attach 0 "backend=drv-$kind,format=raw,vdev=$vdev,access=rw,target=/dev/xvda" > "/tmp/attach-$kind.log" 2>&1; then
        pass "$kind: xl block-attach of a vbd with frontend dom0 and backend drv-$kind ($DRV)"
    else
        fail "$kind: xl block-attach: $(cat "/tmp/attach-$kind.log")"
        return
    fi
    devid=$(xenstore-list "/local/domain/$DRV/backend/vbd/0")
    echo "$kind: vbd $devid, frontend $(xenstore-read "/local/domain/$DRV/backend/vbd/0/$devid/frontend")"
    if [ "$kind" = kernel ]; then
        kernel_blkback_attach "$DRV" 0
    else
        expect "$kind: acdom allows the dom0 <-> drv vbd $devid" acm-wait "$DRV" 0 "$devid" 60 allow
    fi
    marker="XACM-FRONT-MARKER-$kind-$(date +%s)-$$"
    timeout 300 xacm-front-io --fe "/local/domain/0/device/vbd/$devid" --marker "$marker" \
        > "/tmp/front-$kind.log" 2>&1
    rc=$?
    sed "s/^/  $kind | /" "/tmp/front-$kind.log"
    [ $rc = 0 ] && pass "$kind: xacm-front-io: every check passed" || fail "$kind: xacm-front-io exited $rc"
    features=$(grep '^FEATURES ' "/tmp/front-$kind.log")
    case "$features" in
    *" max-segments=256 "*" flush=flush-diskcache "*) pass "$kind: negotiated indirect and flush: $features" ;;
    *) fail "$kind: negotiated: $features" ;;
    esac
    st=$(xenstore-read "/local/domain/$DRV/backend/vbd/0/$devid/state" 2>/dev/null)
    [ "$st" = 6 ] && pass "$kind: the backend is Closed after the frontend closed" || fail "$kind: backend state $st after close"
    if grep -q "$marker" "$img"; then
        pass "$kind: the marker reached the driver domain's backing file"
    else
        fail "$kind: the marker is not in the driver domain's backing file"
    fi
    # reconnecting is the caller's decision: connect again (frontend Closed
    # -> Initialising), then lose the driver domain with a read in flight.
    log=/tmp/front-$kind-gone.log
    timeout 300 xacm-front-io --fe "/local/domain/0/device/vbd/$devid" --marker "$marker-again" \
        --until-gone > "$log" 2>&1 &
    pid=$!
    i=0; while ! grep -q '^WAITING' "$log" && [ $i -lt 900 ]; do sleep 0.2; i=$((i + 1)); done
    echo "--- driver domain drv-$kind console:"
    tr -d '\r' < "/var/log/xen/console/guest-drv-$kind.log" | grep -v '^\[' | sed 's/^/  | /' | tail -n 15
    xl_ destroy "drv-$kind"
    wait $pid
    rc=$?
    sed "s/^/  $kind again | /" "$log"
    if [ $rc = 0 ] && grep -q '^RESULT name=backend-gone ok' "$log"; then
        pass "$kind: reconnected after close, passed again, and reported the destroyed driver domain (-ENOTCONN) with a read in flight"
    else
        fail "$kind: reconnect / driver domain loss: xacm-front-io exited $rc"
    fi
}

front_io acm xvdb
front_io kernel xvdc
kill "$ACDOM"
finish
