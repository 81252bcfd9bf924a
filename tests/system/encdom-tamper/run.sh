#!/bin/sh
# Runs in the PV guest of t-encdom.sh, twice, on a disk served by encdom
# (4096-byte sectors).  xacm.phase=write: writes a known pattern to blocks
# 1000 and 1001, flushed, and reads them back.  xacm.phase=read (after dom0
# flipped a bit of block 1000's ciphertext in the driver domain's backing
# file): the read of block 1000 must fail with an I/O error, and block 1001
# must still read back intact.
set -u
step() { echo "GUEST: $*"; }
phase=$(sed -n 's/.*xacm.phase=\([a-z]*\).*/\1/p' /proc/cmdline)
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { step "no /dev/xvda"; exit 1; }
step "phase $phase; xvda logical block size $(cat /sys/block/xvda/queue/logical_block_size)"
yes XACM-TAMPER-PATTERN | head -c 4096 > /tmp/pattern
case "$phase" in
write)
    for b in 1000 1001; do
        dd if=/tmp/pattern of=/dev/xvda bs=4096 seek=$b count=1 oflag=direct conv=fsync 2>/dev/null ||
            { step "write of block $b FAILED"; exit 1; }
        dd if=/dev/xvda of=/tmp/back bs=4096 skip=$b count=1 iflag=direct 2>/dev/null &&
            cmp -s /tmp/back /tmp/pattern || { step "block $b does not read back"; exit 1; }
    done
    step "blocks 1000 and 1001 written, flushed and read back"
    ;;
read)
    if dd if=/dev/xvda of=/tmp/back bs=4096 skip=1000 count=1 iflag=direct 2> /tmp/dd.err; then
        step "read of the tampered block 1000 SUCCEEDED (it must not)"
        cmp -s /tmp/back /tmp/pattern && step "and returned the original data"
        exit 1
    fi
    step "read of the tampered block 1000 failed: $(tr '\n' ' ' < /tmp/dd.err)"
    grep -q 'Input/output error\|I/O error' /tmp/dd.err || { step "not an I/O error"; exit 1; }
    dd if=/dev/xvda of=/tmp/back bs=4096 skip=1001 count=1 iflag=direct 2>/dev/null &&
        cmp -s /tmp/back /tmp/pattern || { step "the untouched block 1001 does not read back"; exit 1; }
    step "the untouched block 1001 reads back intact"
    ;;
*)
    step "no xacm.phase"; exit 1 ;;
esac
exit 0
