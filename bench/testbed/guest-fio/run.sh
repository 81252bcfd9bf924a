#!/bin/sh
# Runs in the benchmark guest: fio on /dev/xvda, one line per job:
#   RESULT <job> kib_s=<KiB/s> iops=<IOPS>
# then waits a little so that the backend can publish its final counters.
# With ./setup-crypt.sh in the test directory (bench/xen-bench.sh's guest
# (d)), fio runs on the device it sets up over /dev/xvda and prints.  With
# xacm.bench-prefill on the command line, the 128 MiB the jobs use are
# written once first, so that no read hits a never-written block.
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { echo "GUEST: no /dev/xvda"; exit 1; }
secs=$(sed -n 's/.*xacm.bench-seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
dev=/dev/xvda
if [ -x ./setup-crypt.sh ]; then
    dev=$(./setup-crypt.sh /dev/xvda) && [ -b "$dev" ] || { echo "GUEST: setup-crypt.sh failed"; exit 1; }
fi
if grep -qw xacm.bench-prefill /proc/cmdline; then
    t0=$(cut -d' ' -f1 /proc/uptime)
    fio --name=fill --filename="$dev" --rw=write --bs=1M --iodepth=8 --size=128M --ioengine=libaio \
        --direct=1 > /tmp/e 2>&1 || { echo "GUEST: prefill FAILED"; cat /tmp/e; exit 1; }
    echo "GUEST: prefilled 128 MiB of $dev in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {print b - a}') s"
fi
for job in write:1M:8 read:1M:8 randwrite:4k:1 randwrite:4k:32 randread:4k:1 randread:4k:32; do
    rw=${job%%:*} rest=${job#*:}; bs=${rest%%:*} qd=${rest#*:}
    fio --name=b --filename="$dev" --rw="$rw" --bs="$bs" --iodepth="$qd" --size=128M \
        --ioengine=libaio --direct=1 --time_based --runtime="${secs:-8}" --ramp_time=1 \
        --output-format=terse --terse-version=3 > /tmp/t 2>/tmp/e || { echo "GUEST: fio $job FAILED"; cat /tmp/e; exit 1; }
    # terse v3: field 7/8 read KiB/s and IOPS, 48/49 the same for writes
    case $rw in *read) f=7 ;; *) f=48 ;; esac
    echo "RESULT $rw-$bs-qd$qd kib_s=$(cut -d';' -f$f /tmp/t) iops=$(cut -d';' -f$((f + 1)) /tmp/t)"
done
# one more request after a pause, so the backend's once-a-second counters
# include every request above
sleep 2; dd if=/dev/xvda of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
echo "GUEST: fio done"
sleep 3
