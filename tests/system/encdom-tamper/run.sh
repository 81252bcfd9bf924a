#!/bin/sh
# Runs in the PV guests of t-encdom.sh and t-encdom-mirror.sh on a disk
# served by encdom (4096-byte sectors); xacm.phase on the command line says
# what to do:
#   write   pattern A to blocks 1000..1004, flushed, read back;
#   write2  pattern B to block 1003 (the driver domain kept 1003's
#           ciphertext of A);
#   read    after the driver domain flipped a bit of 1000, swapped 1001 and
#           1002 and put back 1003's old ciphertext on its disk: reads of
#           1000..1003 must each fail with an I/O error, and the untouched
#           1004 must read back A;
#   readall the same tampering on one replica of a mirror: every block must
#           read back without an error and with the right data (A, B for
#           1003);
#   nodisk  a guest that must not get the disk (a wrong or no seclabel):
#           no /dev/xvda may appear within 30 s (if one does, it is read).
set -u
step() { echo "GUEST: $*"; }
phase=$(sed -n 's/.*xacm.phase=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
if [ "$phase" = nodisk ]; then
    i=0; while [ ! -b /dev/xvda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -b /dev/xvda ]; then
        step "a disk appeared: $(cat /sys/block/xvda/size 2>/dev/null) sectors"
        dd if=/dev/xvda of=/tmp/back bs=4096 skip=1004 count=1 iflag=direct 2>&1 | head -n 2
        grep -q XACM-TAMPER-PATTERN /tmp/back 2>/dev/null && step "and it read the volume's data"
        exit 1
    fi
    step "no disk after 30 s; block devices: $(ls /sys/block | tr '\n' ' ')"
    exit 0
fi
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { step "no /dev/xvda"; exit 1; }
step "phase $phase; xvda logical block size $(cat /sys/block/xvda/queue/logical_block_size)"
yes XACM-TAMPER-PATTERN-A | head -c 4096 > /tmp/a
yes XACM-TAMPER-PATTERN-B | head -c 4096 > /tmp/b
# put FILE BLOCK: write, flush, read back
put() {
    dd if="$1" of=/dev/xvda bs=4096 seek="$2" count=1 oflag=direct conv=fsync 2>/dev/null ||
        { step "write of block $2 FAILED"; exit 1; }
    dd if=/dev/xvda of=/tmp/back bs=4096 skip="$2" count=1 iflag=direct 2>/dev/null &&
        cmp -s /tmp/back "$1" || { step "block $2 does not read back"; exit 1; }
}
case "$phase" in
write)
    for b in 1000 1001 1002 1003 1004; do put /tmp/a $b; done
    step "blocks 1000..1004 written (A), flushed and read back"
    ;;
write2)
    put /tmp/b 1003
    step "block 1003 rewritten (B), flushed and read back"
    ;;
read)
    fail=0
    for b in 1000:flipped 1001:swapped 1002:swapped 1003:rolled-back; do
        n=${b%%:*} what=${b#*:}
        if dd if=/dev/xvda of=/tmp/back bs=4096 skip="$n" count=1 iflag=direct 2> /tmp/dd.err; then
            step "read of the $what block $n SUCCEEDED (it must not)"; fail=1
        elif grep -q 'Input/output error\|I/O error' /tmp/dd.err; then
            step "read of the $what block $n: I/O error"
        else
            step "read of the $what block $n failed, but not with an I/O error: $(cat /tmp/dd.err)"; fail=1
        fi
    done
    dd if=/dev/xvda of=/tmp/back bs=4096 skip=1004 count=1 iflag=direct 2>/dev/null &&
        cmp -s /tmp/back /tmp/a && step "the untouched block 1004 reads back intact" ||
        { step "the untouched block 1004 does not read back"; fail=1; }
    exit $fail
    ;;
readall)
    fail=0
    for b in 1000:flipped:a 1001:swapped:a 1002:swapped:a 1003:rolled-back:b 1004:untouched:a; do
        n=${b%%:*} what=${b#*:} want=${b##*:}
        what=${what%:*}
        if ! dd if=/dev/xvda of=/tmp/back bs=4096 skip="$n" count=1 iflag=direct 2> /tmp/dd.err; then
            step "read of the $what block $n FAILED: $(cat /tmp/dd.err)"; fail=1
        elif cmp -s /tmp/back "/tmp/$want"; then
            step "the $what block $n reads back intact"
        else
            step "the $what block $n returned WRONG DATA"; fail=1
        fi
    done
    exit $fail
    ;;
*)
    step "no xacm.phase"; exit 1 ;;
esac
exit 0
