#!/bin/sh
# Runs in the benchmark guest: fio on /dev/xvda, one line per job:
#   RESULT <job> kib_s=<KiB/s> iops=<IOPS>
# then waits a little so that the backend can publish its final counters.
# With ./setup-crypt.sh in the test directory (bench/xen-bench.sh's guest
# (d)), fio runs on the device it sets up over /dev/xvda and prints.  With
# xacm.bench-prefill on the command line, the 128 MiB the jobs use are
# written once first, so that no read hits a never-written block.
# With xacm.bench-devs=LABEL:DEV,... (bench/blkback-bench.sh) every job runs
# on each device in turn (in the reverse order every other round),
# xacm.bench-rounds times over (default 1), so that
# the backends behind them are measured alternately under the same host
# load; each line then reads RESULT <label> <job> kib_s=... iops=... round=N.
# xacm.bench-jobs=RW:BS:QD,... replaces the default list of jobs.
secs=$(sed -n 's/.*xacm.bench-seconds=\([0-9]*\).*/\1/p' /proc/cmdline)
devs=$(sed -n 's/.*xacm.bench-devs=\([a-z0-9:,]*\).*/\1/p' /proc/cmdline | tr , ' ')
rounds=$(sed -n 's/.*xacm.bench-rounds=\([0-9]*\).*/\1/p' /proc/cmdline)
jobs=$(sed -n 's/.*xacm.bench-jobs=\([a-zA-Z0-9:,]*\).*/\1/p' /proc/cmdline | tr , ' ')
for d in ${devs:-:xvda}; do
    i=0; while [ ! -b "/dev/${d#*:}" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -b "/dev/${d#*:}" ] || { echo "GUEST: no /dev/${d#*:}"; exit 1; }
done
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
# run_job JOB DEV: one fio job, its KiB/s and IOPS as "kib_s=... iops=..."
run_job() {
    rw=${1%%:*} rest=${1#*:}; bs=${rest%%:*} qd=${rest#*:}
    fio --name=b --filename="$2" --rw="$rw" --bs="$bs" --iodepth="$qd" --size=128M \
        --ioengine=libaio --direct=1 --time_based --runtime="${secs:-8}" --ramp_time=1 \
        --output-format=terse --terse-version=3 > /tmp/t 2>/tmp/e || { echo "GUEST: fio $1 on $2 FAILED"; cat /tmp/e; exit 1; }
    # terse v3: field 7/8 read KiB/s and IOPS, 48/49 the same for writes
    case $rw in *read) f=7 ;; *) f=48 ;; esac
    echo "kib_s=$(cut -d';' -f$f /tmp/t) iops=$(cut -d';' -f$((f + 1)) /tmp/t)"
}
echo "GUEST: jobs start"
round=1
while [ "$round" -le "${rounds:-1}" ]; do
    for job in ${jobs:-write:1M:8 read:1M:8 randwrite:4k:1 randwrite:4k:32 randread:4k:1 randread:4k:32}; do
        rw=${job%%:*} rest=${job#*:}; name=$rw-${rest%%:*}-qd${rest#*:}
        if [ -z "$devs" ]; then
            r=$(run_job "$job" "$dev") || { echo "$r"; exit 1; }
            echo "RESULT $name $r"
        fi
        # the order of the devices alternates from round to round
        order=$devs
        if [ $((round % 2)) = 0 ]; then order=; for d in $devs; do order="$d $order"; done; fi
        for d in $order; do
            r=$(run_job "$job" "/dev/${d#*:}") || { echo "$r"; exit 1; }
            echo "RESULT ${d%%:*} $name $r round=$round"
        done
    done
    round=$((round + 1))
done
# one more request after a pause, so the backend's once-a-second counters
# include every request above
sleep 2
for d in ${devs:-:xvda}; do dd if="/dev/${d#*:}" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null; done
echo "GUEST: fio done"
sleep 3
