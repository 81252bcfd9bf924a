#!/bin/sh
# A PV guest reads and writes a disk through Linux blkfront -> Linux blkback
# (the kernel backend in dom0) with data verification in the guest, and dom0
# checks that the data really reached the backing file.
. ./dom0-lib.sh
require_enforcing
img=/tmp/guest-disk.img
dd if=/dev/zero of=$img bs=1M count=64 2>/dev/null
dom0_integrity_start
GUEST_FIO=1 GUEST_MEMORY=400 run_guest guestdisk ./guest-disk 240 "disk = [ 'format=raw,vdev=xvda,access=rw,target=$img' ]"
rc=$?
[ $rc = 0 ] && pass "guest: fio verify, mkfs, write, read back and e2fsck all passed" ||
    fail "guest test exited $rc"
dom0_integrity_check
marker=$(tr -d '\r' < /var/log/xen/console/guest-guestdisk.log | grep -o 'XACM-GUEST-MARKER-[0-9a-f-]*' | head -n1)
if [ -n "$marker" ] && grep -q "$marker" $img; then
    pass "dom0 finds the guest's marker $marker in the backing file"
else
    fail "the guest's marker is not in the backing file"
fi
expect "dom0's e2fsck of the backing file is clean" e2fsck -fn $img
finish
