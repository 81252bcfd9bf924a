#!/bin/sh
# Runs in the PV guest: the disk xvda goes through Linux blkfront -> blkback.
set -u
fail=0
step() { echo "GUEST: $*"; }
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { step "no /dev/xvda"; exit 1; }
step "xvda has $(cat /sys/block/xvda/size) sectors, logical block size $(cat /sys/block/xvda/queue/logical_block_size)"

# 1. raw I/O with data verification: fio writes, then re-reads and checks crc32c
[ -b /dev/xvdb ] && step "xvdb present"
for job in randwrite:4k write:4k write:1M; do
    rw=${job%%:*} bs=${job##*:}
    fio --name="verify-$rw-$bs" --filename=/dev/xvda --rw=$rw --bs=$bs --size=24M \
        --ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c --do_verify=1 \
        --verify_fatal=1 --randrepeat=1 --output-format=terse --terse-version=3 > /tmp/fio.out 2>&1
    rc=$?
    if [ $rc = 0 ]; then step "fio $rw $bs with crc32c verify: ok"; else step "fio $rw $bs FAILED ($rc)"; cat /tmp/fio.out; fail=1; fi
done

# 1b. discard, where the backend offers it: the discarded range is accepted
#     and the data around it survives
if [ "$(cat /sys/block/xvda/queue/discard_max_bytes)" -gt 0 ]; then
    dd if=/dev/urandom of=/tmp/edge bs=64k count=1 2>/dev/null
    dd if=/tmp/edge of=/dev/xvda bs=64k seek=16 oflag=direct 2>/dev/null
    if blkdiscard -o 0 -l 1048576 /dev/xvda &&
        dd if=/dev/xvda bs=64k skip=16 count=1 iflag=direct 2>/dev/null | cmp -s - /tmp/edge; then
        step "discard ok (1 MiB discarded, the data after it intact)"
    else
        step "discard FAILED"; fail=1
    fi
else
    step "no discard offered"
fi

# 2. a file system: mkfs, write, read back, fsck
mkfs.ext4 -q -F /dev/xvda || { step "mkfs.ext4 FAILED"; exit 1; }
mkdir -p /mnt && mount -t ext4 /dev/xvda /mnt || { step "mount FAILED"; exit 1; }
dd if=/dev/urandom of=/tmp/payload bs=1M count=8 2>/dev/null
cp /tmp/payload /mnt/payload && echo "XACM-GUEST-MARKER-$(cat /proc/sys/kernel/random/boot_id)" > /mnt/marker
sync; umount /mnt
echo 3 > /proc/sys/vm/drop_caches
mount -t ext4 -o ro /dev/xvda /mnt || { step "remount FAILED"; exit 1; }
if cmp -s /tmp/payload /mnt/payload; then step "file read back intact"; else step "file read back DIFFERS"; fail=1; fi
cat /mnt/marker
umount /mnt
if e2fsck -fn /dev/xvda > /tmp/fsck.out 2>&1; then step "e2fsck clean"; else step "e2fsck FAILED"; cat /tmp/fsck.out; fail=1; fi
exit $fail
