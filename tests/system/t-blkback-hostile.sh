#!/bin/sh
# A hostile frontend against blkback-acm, next to a good one (issue 5).
# A driver domain (blk_t) runs blkback-acm on its two disks; acdom, in dom0
# with the project's policy, allows the vbds below.  The hostile guest (enc_t,
# booted with xacm.noblkfront) runs hostile-front, a user-space blkfront, on
# the driver's /dev/xvdb: a valid read, invalid requests that must each get
# an error response, a valid read again, and last an impossible producer
# index, which must close that vbd with an xacm-error saying why.
#   1. the hostile guest alone: the backend's answers, with nothing else going;
#   2. a good guest (enc_t, Linux blkfront) runs the guest-disk job on the
#      driver's /dev/xvda (fio with crc32c verify, mkfs.ext4, read-back,
#      e2fsck), and while its fio runs a second hostile guest does it all
#      again.  The good guest must be connected and still running when the
#      hostile vbd is closed, and its whole disk test must pass: blkback-acm
#      served it after the disconnect.  blkback-acm must still be running.
#   3. a hostile guest whose frontend writes ring-page-order = "1x" (once
#      read as order 0): blkback-acm must refuse to connect it (Closed,
#      never Connected) and name the node in its xacm-error.
# blkback-acm polls here (--poll-us 500), so its polling loop also reads the
# hostile ring's producer index, and the good guest's I/O goes that way.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy
DRVLOG=/var/log/xen/console/guest-drv.log
CASES="connect read-sector0 read-sector0-data unknown-operation all-ones-slot sector-at-end
    sectors-across-end sector-wraps-64bit nr-segments-0 nr-segments-12 nr-segments-255
    first-after-last last-sect-8 gref-out-of-range gref-not-granted write-bad-gref
    discard-past-end discard-zero-sectors indirect-too-many-segments indirect-65535-segments
    indirect-bad-page-gref indirect-bad-segment indirect-bad-sub-operation read-last-sector
    impossible-req-prod backend-closed xacm-error"

# every wait below is bounded in dom0 seconds (the testbed can be slow)
now() { cut -d. -f1 /proc/uptime; }
stamp() { echo "### $* (dom0 uptime $(now) s)"; }
drv_console() {
    echo "--- driver domain console (blkback-acm):"
    tr -d '\r' < "$DRVLOG" | grep -v '^\[' | sed 's/^/  | /' | tail -n "${1:-30}"
}

# the driver domain's disks, served to it by dom0; the hostile guests' disk
# starts with a marker that their valid read must return
dd if=/dev/zero of=/tmp/backing.img bs=1M count=96 2>/dev/null
dd if=/dev/zero of=/tmp/backing2.img bs=1M count=8 2>/dev/null
MARKER="XACM-HOSTILE-SECTOR0-$(cat /proc/sys/kernel/random/uuid)"
printf '%s' "$MARKER" | dd of=/tmp/backing2.img conv=notrunc 2>/dev/null
stage_blkback_acm
GUEST_EXTRA="xacm.blkback=--poll-us=500" GUEST_MEMORY=192 start_guest drv ./driver-domain "seclabel='system_u:system_r:blk_t'" \
    "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/backing.img', 'format=raw,vdev=xvdb,access=rw,target=/tmp/backing2.img' ]" ||
    fail "cannot start the driver domain"
end=$(($(now) + 300)); while ! grep -q 'serving vbds' "$DRVLOG" 2>/dev/null && [ "$(now)" -lt $end ]; do sleep 0.2; done
DRV=$(domid_of drv)
if [ -z "$DRV" ] || ! grep -q 'serving vbds' "$DRVLOG"; then
    fail "blkback-acm did not start in the driver domain; its console:"
    drv_console 20
    finish
    exit 1
fi
echo "driver domain $DRV is up"
grep -q 'polling for up to 500 us' "$DRVLOG" && pass "blkback-acm polls for up to 500 µs before it sleeps" ||
    fail "blkback-acm does not say it polls (--poll-us 500)"
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" xacm-label set --backend drv --path /dev/xvda bank_a_disk
expect "xacm-label labels the driver's /dev/xvdb shop_disk" xacm-label set --backend drv --path /dev/xvdb shop_disk

# hostile_start NAME [KERNEL-ARGS]: boot a hostile guest on the driver's
# /dev/xvdb; sets HO.
hostile_start() {
    HO=
    GUEST_EXTRA="xacm.noblkfront xacm.marker=$MARKER${2:+ $2}" GUEST_MEMORY=160 start_guest "$1" ./hostile-guest \
        "seclabel='system_u:system_r:enc_t'" \
        "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvdb' ]"
    rc=$?
    HO=$(domid_of "$1")
    if [ $rc = 0 ] && [ -n "$HO" ]; then
        pass "$1: xl create of a hostile guest (domain $HO)"
    else
        fail "$1: xl create of the hostile guest: $rc (domain \"$HO\")"
        drv_console 15
        echo "--- acdom log:"; tail -n 10 /tmp/acdom.log
        [ -n "$HO" ] && xenstore-ls -f "/local/domain/$DRV/backend/vbd/$HO" 2>&1 | head -n 30
    fi
}

# hostile_wait_closed NAME: wait (bounded) for blkback-acm to close the
# hostile vbd (hostile-front holds the guest until released, so the nodes are
# still there) and check its state and xacm-error.  Sets HCLOSED_AT_OK.
hostile_wait_closed() {
    hbe=/local/domain/$DRV/backend/vbd/$HO/51712
    hlog=/var/log/xen/console/guest-$1.log
    st=
    end=$(($(now) + 600))
    while [ -n "$HO" ] && [ "$(now)" -lt $end ]; do
        st=$(xenstore-read "$hbe/state" 2>/dev/null)
        [ "$st" = 6 ] && break
        grep -q '^GUEST-EXIT=' "$hlog" 2>/dev/null && break
        sleep 0.2
    done
    stamp "$1: hostile vbd state \"$st\""
    [ "$st" = 6 ] && pass "$1: blkback-acm closed the hostile vbd (backend state 6)" ||
        fail "$1: the hostile vbd's backend state is \"$st\", not 6 (Closed)"
    err=$(xenstore-read "$hbe/xacm-error" 2>/dev/null)
    case "$err" in
    *"broke the ring protocol"*) pass "$1: its xacm-error says why: $err" ;;
    *) fail "$1: the hostile vbd's xacm-error is \"$err\"" ;;
    esac
}

# hostile_finish NAME [CASES]: release the hostile guest, wait for it and
# check each case it reported (default: $CASES).
hostile_finish() {
    if [ -n "$HO" ]; then
        xenstore-write "/local/domain/$HO/xacm-test/release" 1
        xenstore-chmod -r "/local/domain/$HO/xacm-test" n0 "r$HO"
    fi
    wait_guest "$1" 120
    rc=$?
    [ $rc = 0 ] && pass "$1: hostile-front exited 0 (every case as expected)" ||
        fail "$1: the hostile guest exited $rc"
    for c in ${2:-$CASES}; do
        line=$(tr -d '\r' < "/var/log/xen/console/guest-$1.log" | grep "^RESULT name=$c " | tail -n 1)
        case "$line" in
        *" ok") pass "$1 case $c: ${line#RESULT name="$c" }" ;;
        "") fail "$1 case $c: no result" ;;
        *) fail "$1 case $c: ${line#RESULT name="$c" }" ;;
        esac
    done
    bad=$(tr -d '\r' < "/var/log/xen/console/guest-$1.log" | grep '^RESULT ' | grep -vc ' ok$')
    [ "$bad" = 0 ] && pass "$1: no case reported BAD" || fail "$1: $bad case(s) reported BAD"
}

# 1. the hostile guest alone
stamp "1. a hostile frontend alone"
hostile_start hostile1
[ -n "$HO" ] && expect "acdom allows hostile1's vbd" acm-wait "$DRV" "$HO" 51712 60 allow
hostile_wait_closed hostile1
hostile_finish hostile1

# 2. a good guest's disk test, and a hostile guest while its fio runs
stamp "2. a hostile frontend beside a good guest"
GUEST_FIO=1 GUEST_MEMORY=400 start_guest client ./guest-disk "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]"
rc=$?
[ $rc = 0 ] && pass "xl create of the good guest" || fail "xl create client: $rc"
CL=$(domid_of client)
[ -n "$CL" ] && expect "acdom allows the good guest's vbd" acm-wait "$DRV" "$CL" 51712 60 allow
end=$(($(now) + 600))
while ! grep -q 'GUEST: xvda has' /var/log/xen/console/guest-client.log 2>/dev/null && [ "$(now)" -lt $end ]; do
    sleep 0.2
done
stamp "the good guest's disk is up"
grep -q 'GUEST: xvda has' /var/log/xen/console/guest-client.log 2>/dev/null &&
    pass "the good guest's disk is up; its fio starts" || fail "the good guest's disk never came up"
sleep 3
hostile_start hostile2
[ -n "$HO" ] && expect "acdom allows hostile2's vbd" acm-wait "$DRV" "$HO" 51712 60 allow
hostile_wait_closed hostile2
cst=$(xenstore-read "/local/domain/$DRV/backend/vbd/$CL/51712/state" 2>/dev/null)
cexit=$(grep -c '^GUEST-EXIT=' /var/log/xen/console/guest-client.log 2>/dev/null)
if [ "$cst" = 4 ] && [ "${cexit:-0}" = 0 ]; then
    pass "the good guest's vbd was Connected and its disk test still running when the hostile vbd was closed"
else
    fail "when the hostile vbd was closed, the good vbd's state was \"$cst\"; the good guest had exited: ${cexit:-0}"
fi
hostile_finish hostile2
stamp "waiting for the good guest"

# the good guest: its whole disk test through the same blkback-acm
rc=125
[ -n "$CL" ] && { wait_guest client 900; rc=$?; }
[ $rc = 0 ] && pass "the good guest, beside the hostile one: fio crc32c verify, mkfs, read-back, e2fsck" ||
    fail "the good guest's disk test exited $rc"
marker=$(tr -d '\r' < /var/log/xen/console/guest-client.log | grep -o 'XACM-GUEST-MARKER-[0-9a-f-]*' | head -n1)
if [ -n "$marker" ] && grep -q "$marker" /tmp/backing.img; then
    pass "the good guest's marker reached the backing file through blkback-acm"
else
    fail "the good guest's marker is not in the backing file"
fi

# 3. a malformed ring-page-order: refused, not read as order 0
stamp "3. a frontend that writes a malformed ring-page-order"
hostile_start hostile3 "xacm.malformed=ring-page-order=1x"
[ -n "$HO" ] && expect "acdom allows hostile3's vbd" acm-wait "$DRV" "$HO" 51712 60 allow
hbe=/local/domain/$DRV/backend/vbd/$HO/51712
end=$(($(now) + 300))
while [ -n "$HO" ] && [ "$(now)" -lt $end ] &&
    ! grep -q '^RESULT name=malformed-xacm-error ' "/var/log/xen/console/guest-hostile3.log" 2>/dev/null; do
    sleep 0.2
done
st=$(xenstore-read "$hbe/state" 2>/dev/null)
err=$(xenstore-read "$hbe/xacm-error" 2>/dev/null)
[ "$st" = 6 ] && pass "hostile3: blkback-acm refused the malformed ring-page-order (backend state 6)" ||
    fail "hostile3: the backend state is \"$st\", not 6 (Closed)"
case "$err" in
*"ring-page-order is malformed"*) pass "hostile3: its xacm-error names the node: $err" ;;
*) fail "hostile3: the xacm-error is \"$err\"" ;;
esac
grep -q "vbd $HO/51712: connected" "$DRVLOG" &&
    fail "hostile3: blkback-acm connected the vbd" || pass "hostile3: blkback-acm never connected the vbd"
hostile_finish hostile3 "malformed-refused malformed-xacm-error"

# blkback-acm never exited (the driver domain powers off if it does)
if domid_of drv >/dev/null && ! grep -q 'blkback-acm exited' "$DRVLOG"; then
    pass "blkback-acm is still running in the driver domain"
else
    fail "blkback-acm exited in the driver domain"
fi
xl_ destroy drv
drv_console 40
kill "$ACDOM"
finish
