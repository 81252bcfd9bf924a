#!/bin/sh
# Runs in the PV guest of the revocation checks (dom0-lib.sh: revocation):
# its xvda must work, then be taken away while the guest is idle.
#   1. write a pattern to block 10 (flushed), read it back: the disk works;
#   2. say "revoke-ready" and hold the disk closed while dom0 revokes it;
#   3. wait (up to 120 s) until the kernel has lost the disk: the backend
#      closed the vbd, so blkfront removes it or sets its size to 0;
#   4. a read of block 10 must no longer return it (an error, or no data
#      from a disk of size 0).
# Exit 0 only if 1, 3 and 4 all hold.
set -u
step() { echo "GUEST: $*"; }
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { step "no /dev/xvda"; exit 1; }
yes XACM-REVOKE-PATTERN | head -c 4096 > /tmp/p
dd if=/tmp/p of=/dev/xvda bs=4096 seek=10 count=1 oflag=direct conv=fsync 2>/dev/null ||
    { step "write of block 10 FAILED before the revocation"; exit 1; }
dd if=/dev/xvda of=/tmp/back bs=4096 skip=10 count=1 iflag=direct 2>/dev/null && cmp -s /tmp/back /tmp/p ||
    { step "block 10 does not read back before the revocation"; exit 1; }
step "block 10 written and read back; revoke-ready"
# nothing holds /dev/xvda open from here on, so blkfront may let it go
i=0 gone=""
while [ $i -lt 1200 ]; do
    if [ ! -e /sys/block/xvda ]; then gone="the disk was removed"; break; fi
    if [ "$(cat /sys/block/xvda/size 2>/dev/null)" = 0 ]; then gone="the disk's size became 0"; break; fi
    sleep 0.1; i=$((i + 1))
done
[ -n "$gone" ] || { step "the disk is still there 120 s after revoke-ready"; exit 1; }
step "$gone after $((i / 10)) s"
rm -f /tmp/back
dd if=/dev/xvda of=/tmp/back bs=4096 skip=10 count=1 iflag=direct 2> /tmp/dd.err
rc=$?
if [ $rc = 0 ] && cmp -s /tmp/back /tmp/p; then
    step "block 10 still READS BACK after the revocation"
    exit 1
fi
step "a read of block 10 after the revocation returns nothing (dd status $rc, $(wc -c < /tmp/back 2>/dev/null || echo 0) bytes; $(head -n 1 /tmp/dd.err))"
exit 0
