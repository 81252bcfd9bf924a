#!/bin/sh
# blkback-acm killed with SIGKILL and started again, over and over, while a
# Linux PV guest runs its verifying disk test through it: no acknowledged
# write may be lost (fio crc32c verify, a file read back, e2fsck).  The
# driver domain offers 4096-byte sectors and discard here, so the guest's
# disk test covers those too.  FLASK enforces; acdom allows the vbd.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy
dd if=/dev/zero of=/tmp/backing.img bs=1M count=96 2>/dev/null
BLKBACK_ARGS=--sector-size,4096 KILL_EVERY=5 start_blkback_domain drv /tmp/backing.img ||
    { fail "no driver domain"; finish; exit 1; }
xacm-label set --backend drv --path /dev/xvda bank_a_disk
drvlog=/var/log/xen/console/guest-drv.log
kills() { tr -d '\r' < $drvlog | grep -c 'killed blkback-acm with SIGKILL\|blkback-acm killed itself'; }

GUEST_FIO=1 GUEST_MEMORY=400 start_guest client ./guest-disk "seclabel='system_u:system_r:enc_t'" \
    "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]" ||
    fail "xl create client"
before=$(kills)
wait_guest client 600
rc=$?
after=$(kills)
[ $rc = 0 ] && pass "through a blkback-acm killed and restarted under load: fio crc32c verify, mkfs, read-back, e2fsck" ||
    fail "the guest's disk test exited $rc"
[ $((after - before)) -ge 2 ] && pass "blkback-acm was killed $((after - before)) times while the guest's test ran" ||
    fail "blkback-acm was killed only $((after - before)) times during the guest's test"
tr -d '\r' < $drvlog | grep -q 'taken up at [1-9]' &&
    pass "a restarted blkback-acm took up a ring in use from its shadow (not at index 0)" ||
    fail "no restarted connection took up a ring in use"
# left behind by a vbd removed while no daemon ran (driver-domain/run.sh)
tr -d '\r' < $drvlog | grep -q 'removed the shadow /run/blkback-acm/vbd-32000-51712-q0: its vbd is gone' &&
    pass "blkback-acm at its start removed the shadow file of a vbd that is gone (run.sh made one)" ||
    fail "the shadow file of a vbd that is gone was left behind"
[ -z "$(tr -d '\r' < $drvlog | grep 'removed the shadow' | grep -v 'vbd-32000-')" ] &&
    pass "no shadow of a vbd that exists was removed" ||
    fail "a shadow of a vbd that exists was removed"
# the case that matters: killed with requests consumed and unanswered
# (every other daemon kills itself right after submitting I/O to make sure)
redone=$(tr -d '\r' < $drvlog | sed -n 's/.*; \([0-9]*\) unanswered request(s) run again.*/\1/p' |
    awk '{ n += $1 } END { print n + 0 }')
[ "$redone" -gt 0 ] && pass "restarted daemons ran $redone unanswered request(s) again" ||
    fail "no restart found unanswered requests to run again (the kills missed the I/O)"
log=/var/log/xen/console/guest-client.log
grep -q 'logical block size 4096' $log && pass "the guest sees 4096-byte sectors" ||
    fail "the guest does not see 4096-byte sectors"
grep -q 'GUEST: discard ok' $log && pass "discard through blkback-acm works" || fail "discard"
xl_ destroy drv
echo "--- driver domain console (blkback-acm):"
tr -d '\r' < $drvlog | grep -v '^\[' | sed 's/^/  | /' | tail -n 20
kill "$ACDOM"
finish
