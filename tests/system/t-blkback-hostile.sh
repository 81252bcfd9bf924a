#!/bin/sh
# A hostile frontend against blkback-acm, next to a good one (issue 5).
# A driver domain (blk_t) runs blkback-acm on its two disks; acdom, in dom0
# with the project's policy, allows both vbds below.  At the same time:
#   - a good guest (enc_t, Linux blkfront) runs the guest-disk job on the
#     driver's /dev/xvda: fio with crc32c verify, mkfs.ext4, read-back, e2fsck;
#   - a hostile guest (enc_t, booted with xacm.noblkfront) runs hostile-front,
#     a user-space blkfront, on the driver's /dev/xvdb: a valid read, invalid
#     requests that must each get an error response, a valid read again, and
#     last an impossible producer index, which must close that vbd only.
# Passes if every hostile case got the documented answer, the hostile vbd
# ends Closed with an xacm-error saying why, the good guest was connected and
# still running when that happened and its whole disk test passed (so
# blkback-acm served it after the disconnect), and blkback-acm still runs.
. ./dom0-lib.sh
require_enforcing
expect "xl loadpolicy loads the compiled three-tenants policy" xl_ loadpolicy policy/xenpolicy
cp policy/xacm.rules /tmp/xacm.rules
acdom --rules /tmp/xacm.rules --audit /tmp/audit.log > /tmp/acdom.log 2>&1 &
ACDOM=$!
DRVLOG=/var/log/xen/console/guest-drv.log

# the driver domain's disks, served to it by dom0; the hostile guest's disk
# starts with a marker that its valid read must return
dd if=/dev/zero of=/tmp/backing.img bs=1M count=96 2>/dev/null
dd if=/dev/zero of=/tmp/backing2.img bs=1M count=8 2>/dev/null
MARKER="XACM-HOSTILE-SECTOR0-$(cat /proc/sys/kernel/random/uuid)"
printf '%s' "$MARKER" | dd of=/tmp/backing2.img conv=notrunc 2>/dev/null
mkdir -p driver-domain/lib
cp bin/blkback-acm driver-domain/
for l in xenstore.so.4 xengnttab.so.1 xenevtchn.so.1 xentoolcore.so.1 xentoollog.so.1; do
    cp /usr/lib/x86_64-linux-gnu/lib$l driver-domain/lib/
done
GUEST_MEMORY=192 start_guest drv ./driver-domain "seclabel='system_u:system_r:blk_t'" \
    "disk = [ 'format=raw,vdev=xvda,access=rw,target=/tmp/backing.img', 'format=raw,vdev=xvdb,access=rw,target=/tmp/backing2.img' ]" ||
    fail "cannot start the driver domain"
i=0; while ! grep -q 'serving vbds' "$DRVLOG" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
DRV=$(domid_of drv)
if [ -z "$DRV" ] || ! grep -q 'serving vbds' "$DRVLOG"; then
    fail "blkback-acm did not start in the driver domain; its console:"
    tr -d '\r' < "$DRVLOG" | grep -v '^\[' | tail -n 20
    finish
    exit 1
fi
echo "driver domain $DRV is up"
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" xacm-label set --path /dev/xvda bank_a_disk
expect "xacm-label labels the driver's /dev/xvdb shop_disk" xacm-label set --path /dev/xvdb shop_disk

# both guests at once
GUEST_FIO=1 GUEST_MEMORY=400 start_guest client ./guest-disk "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]"
rc=$?
[ $rc = 0 ] && pass "xl create of the good guest" || fail "xl create client: $rc"
GUEST_EXTRA="xacm.noblkfront xacm.marker=$MARKER" GUEST_MEMORY=160 start_guest hostile ./hostile-guest \
    "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvdb' ]"
rc=$?
[ $rc = 0 ] && pass "xl create of the hostile guest" || fail "xl create hostile: $rc"
CL=$(domid_of client)
HO=$(domid_of hostile)
echo "good guest: domain $CL, hostile guest: domain $HO"
[ -n "$CL" ] && expect "acdom allows the good guest's vbd" acm-wait "$DRV" "$CL" 51712 60 allow
[ -n "$HO" ] && expect "acdom allows the hostile guest's vbd" acm-wait "$DRV" "$HO" 51712 60 allow

# the hostile vbd: wait for blkback-acm to close it (hostile-front holds the
# guest until released, so the backend's nodes are still there)
HBE=/local/domain/$DRV/backend/vbd/$HO/51712
CBE=/local/domain/$DRV/backend/vbd/$CL/51712
st=
if [ -n "$HO" ]; then
    i=0
    while [ $i -lt 3000 ]; do
        st=$(xenstore-read "$HBE/state" 2>/dev/null)
        [ "$st" = 6 ] && break
        grep -q '^GUEST-EXIT=' /var/log/xen/console/guest-hostile.log 2>/dev/null && break
        sleep 0.1; i=$((i + 1))
    done
fi
cst=$(xenstore-read "$CBE/state" 2>/dev/null)
cexit=$(grep -c '^GUEST-EXIT=' /var/log/xen/console/guest-client.log 2>/dev/null)
[ "$st" = 6 ] && pass "blkback-acm closed the hostile vbd (backend state 6)" ||
    fail "the hostile vbd's backend state is \"$st\", not 6 (Closed)"
err=$(xenstore-read "$HBE/xacm-error" 2>/dev/null)
case "$err" in
*"broke the ring protocol"*) pass "its xacm-error says why: $err" ;;
*) fail "the hostile vbd's xacm-error is \"$err\"" ;;
esac
if [ "$cst" = 4 ] && [ "${cexit:-0}" = 0 ]; then
    pass "the good guest's vbd was Connected and its disk test still running when the hostile vbd was closed"
else
    fail "when the hostile vbd was closed, the good vbd's state was \"$cst\" and the good guest had exited: ${cexit:-0}"
fi
if [ -n "$HO" ]; then
    xenstore-write "/local/domain/$HO/xacm-test/release" 1
    xenstore-chmod -r "/local/domain/$HO/xacm-test" n0 "r$HO"
fi

# the hostile guest's own report: every case, each answered as documented
wait_guest hostile 300
rc=$?
[ $rc = 0 ] && pass "hostile-front exited 0 (every case as expected)" || fail "the hostile guest exited $rc"
for c in connect read-sector0 read-sector0-data unknown-operation all-ones-slot sector-at-end \
    sectors-across-end sector-wraps-64bit nr-segments-0 nr-segments-12 nr-segments-255 \
    first-after-last last-sect-8 gref-out-of-range gref-not-granted write-bad-gref \
    discard-not-offered indirect-too-many-segments indirect-65535-segments \
    indirect-bad-page-gref indirect-bad-segment indirect-bad-sub-operation read-last-sector \
    impossible-req-prod backend-closed xacm-error; do
    line=$(tr -d '\r' < /var/log/xen/console/guest-hostile.log | grep "^RESULT name=$c " | tail -n 1)
    case "$line" in
    *" ok") pass "hostile case $c: ${line#RESULT name=$c }" ;;
    "") fail "hostile case $c: no result" ;;
    *) fail "hostile case $c: ${line#RESULT name=$c }" ;;
    esac
done
bad=$(tr -d '\r' < /var/log/xen/console/guest-hostile.log | grep '^RESULT ' | grep -vc ' ok$')
[ "$bad" = 0 ] && pass "no hostile case reported BAD" || fail "$bad hostile case(s) reported BAD"

# the good guest: its whole disk test through the same blkback-acm
rc=125
[ -n "$CL" ] && { wait_guest client 450; rc=$?; }
[ $rc = 0 ] && pass "the good guest, beside the hostile one: fio crc32c verify, mkfs, read-back, e2fsck" ||
    fail "the good guest's disk test exited $rc"
marker=$(tr -d '\r' < /var/log/xen/console/guest-client.log | grep -o 'XACM-GUEST-MARKER-[0-9a-f-]*' | head -n1)
if [ -n "$marker" ] && grep -q "$marker" /tmp/backing.img; then
    pass "the good guest's marker reached the backing file through blkback-acm"
else
    fail "the good guest's marker is not in the backing file"
fi

# blkback-acm kept serving: the good guest was still running when the hostile
# vbd was closed (checked above) and its disk test passed after that; and
# blkback-acm never exited (the driver domain powers off if it does)
if domid_of drv >/dev/null && ! grep -q 'blkback-acm exited' "$DRVLOG"; then
    pass "blkback-acm is still running in the driver domain"
else
    fail "blkback-acm exited in the driver domain"
fi
echo "--- blkback-acm from the hostile disconnect on:"
tr -d '\r' < "$DRVLOG" | sed -n '/broke the ring protocol/,$p' | grep -v '^\[' | sed 's/^/  | /' | head -n 20
xl_ destroy drv
echo "--- driver domain console (blkback-acm):"
tr -d '\r' < "$DRVLOG" | grep -v '^\[' | sed 's/^/  | /' | tail -n 30
kill "$ACDOM"
finish
