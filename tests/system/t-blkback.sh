#!/bin/sh
# blkback-acm in a real driver domain, with FLASK enforcing the project's
# policy and acdom deciding: a Linux PV frontend (labelled enc_t, the role
# that may talk to driver domains) uses a disk served by blkback-acm in the
# driver domain (blk_t), runs fio with crc32c verification, mkfs.ext4, a
# read-back and e2fsck; a second, unlabelled disk is denied by acdom and
# never connects; removing a connected disk's label revokes it.
# blkback-acm runs with a lowered budget of persistent grants
# (--max-persistent=256, below the ~2000 Linux's blkfront uses on 2 queues):
# the daemon must stay within it by unmapping idle grants (evictions), and
# the guest's fio verify must still pass.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy

# the driver domain's own disks, served to it by dom0
dd if=/dev/zero of=/tmp/backing.img bs=1M count=96 2>/dev/null
dd if=/dev/zero of=/tmp/backing2.img bs=1M count=8 2>/dev/null
BLKBACK_ARGS=--max-persistent=256 start_blkback_domain drv /tmp/backing.img /tmp/backing2.img || { fail "no driver domain"; finish; exit 1; }
# the vbds' params are paths in the driver domain
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" xacm-label set --backend drv --path /dev/xvda bank_a_disk

GUEST_FIO=1 GUEST_MEMORY=400 start_guest client ./guest-disk "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda', 'backend=drv,format=raw,vdev=xvdb,access=rw,target=/dev/xvdb' ]"
rc=$?
[ $rc = 0 ] && pass "xl create of a guest with two disks on the driver domain" || fail "xl create client: $rc"
CL=$(domid_of client)
# while the guest runs: acdom's decisions and blkback-acm's reaction
expect "acdom allows xvda (bank_a_disk on the driver's /dev/xvda)" acm-wait "$DRV" "$CL" 51712 60 allow
expect "acdom denies the unlabelled xvdb" acm-wait "$DRV" "$CL" 51728 60 deny
xenstore-read "/xacm/decision/$DRV/$CL/51728"
wait_node "/local/domain/$DRV/backend/vbd/$CL/51728/state" 6 60
st=$(xenstore-read "/local/domain/$DRV/backend/vbd/$CL/51728/state" 2>/dev/null)
[ "$st" = 6 ] && pass "blkback-acm closed the denied xvdb when its frontend tried to connect" ||
    fail "xvdb backend state $st"
err=$(xenstore-read "/local/domain/$DRV/backend/vbd/$CL/51728/xacm-error" 2>/dev/null)
case "$err" in *"denied by acdom: deny-unknown-resource"*) pass "and says why: $err" ;; *) fail "no xacm-error on xvdb: $err" ;; esac
# once the guest's 1 MiB fio job is done, blkback-acm's counters (published
# at most once a second while the vbd is busy) must show indirect requests
log=/var/log/xen/console/guest-client.log
end=$(($(date +%s) + 400))
while ! grep -q 'fio write 1M' $log 2>/dev/null && [ "$(date +%s)" -lt $end ]; do sleep 1; done
sleep 3
stats=$(xenstore-read "/local/domain/$DRV/backend/vbd/$CL/51712/xacm-stats" 2>/dev/null)
echo "blkback-acm counters: $stats"
case "$stats" in *" indirect=0 "* | "") fail "no indirect requests counted: $stats" ;;
*) pass "the guest's blkfront used indirect descriptors ($stats)" ;; esac
# Linux's blkfront takes feature-persistent: its grants are mapped once and
# the I/O goes to and from them without a copy
case "$stats" in *" zero-copy=0 "* | "") fail "no request went without a copy: $stats" ;;
*) pass "persistent grants: requests went to and from the mapped pages without a copy" ;; esac
# the daemon-wide budget held: at most 256 mapped, idle ones unmapped
stat_of() { echo "$stats" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
pm=$(stat_of persistent-mapped) pb=$(stat_of persistent-budget) pe=$(stat_of persistent-evictions)
if [ "$pb" = 256 ] && [ -n "$pm" ] && [ "$pm" -le 256 ] && [ "${pe:-0}" -gt 0 ]; then
    pass "persistent grants within --max-persistent=256: $pm mapped, $pe evicted"
else
    fail "persistent grant budget: mapped=$pm budget=$pb evictions=$pe (want budget 256, mapped <= 256, evictions > 0)"
fi
tr -d '\r' < /var/log/xen/console/guest-drv.log | grep -q "persistent grants: at most 256 mapped" &&
    pass "blkback-acm logged its budget of 256 persistent grants" || fail "no budget line in blkback-acm's log"
rc=125
[ -n "$CL" ] && { wait_guest client 400; rc=$?; }
[ $rc = 0 ] && pass "through blkback-acm: fio crc32c verify (4k random, 4k and 1M sequential), mkfs, read-back, e2fsck" ||
    fail "the guest's disk test exited $rc"
grep -q "GUEST: xvdb present" /var/log/xen/console/guest-client.log &&
    fail "the guest saw the denied disk" || pass "the guest never saw the denied disk"
# the data went through the driver domain into dom0's backing file
marker=$(tr -d '\r' < /var/log/xen/console/guest-client.log | grep -o 'XACM-GUEST-MARKER-[0-9a-f-]*' | head -n1)
if [ -n "$marker" ] && grep -q "$marker" /tmp/backing.img; then
    pass "the guest's marker reached the backing file through blkback-acm"
else
    fail "the guest's marker is not in the backing file"
fi
tr -d '\r' < /var/log/xen/console/guest-drv.log | grep -q "vbd $CL/51712: connected, 2 queue(s)" &&
    pass "blkfront connected with 2 queues (multi-queue)" || fail "xvda did not connect with 2 queues"
# a revocation: the label of the driver's /dev/xvda removed while a guest
# has it connected; blkback-acm must close the vbd
revocation revoked "$DRV" "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]" \
    xacm-label rm --backend drv --path /dev/xvda
tr -d '\r' < /var/log/xen/console/guest-drv.log | grep -q "vbd $G/51712: access revoked by acdom" &&
    pass "blkback-acm logged the revocation" || fail "no revocation in blkback-acm's log"
xl_ destroy drv
echo "--- driver domain console (blkback-acm):"
tr -d '\r' < /var/log/xen/console/guest-drv.log | grep -v '^\[' | sed 's/^/  | /' | tail -n 30
kill "$ACDOM"
finish
