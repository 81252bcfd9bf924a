#!/bin/sh
# dom0 side of bench/blkback-bench.sh: the same guest fio jobs through
# (1) Linux's kernel blkback and (2) blkback-acm, each in a driver domain
# (blk_t) serving its own /dev/xvda, backed by the same dom0 file; FLASK
# enforcing, acdom allowing.  Prints the guest's RESULT lines prefixed with
# the backend, and blkback-acm's counters.
. ./dom0-lib.sh
require_enforcing
xl_ loadpolicy policy/xenpolicy
cp policy/xacm.rules /tmp/xacm.rules
acdom --rules /tmp/xacm.rules --audit /tmp/audit.log > /tmp/acdom.log 2>&1 &
dd if=/dev/zero of=/tmp/bench.img bs=1M count=192 2>/dev/null
xacm-label set --path /dev/xvda bank_a_disk
for backend in kernel acm; do
    if [ $backend = kernel ]; then KERNEL_BLKBACK=1; else KERNEL_BLKBACK=; fi
    KERNEL_BLKBACK=$KERNEL_BLKBACK start_blkback_domain drv /tmp/bench.img || { fail "no driver domain"; break; }
    GUEST_FIO=1 GUEST_MEMORY=400 GUEST_EXTRA="xacm.bench-seconds=${BENCH_SECONDS:-8}" \
        start_guest "bench-$backend" ./guest-fio "seclabel='system_u:system_r:enc_t'" \
        "disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]" ||
        { fail "xl create bench-$backend"; break; }
    FE=$(domid_of "bench-$backend")
    [ $backend = kernel ] && kernel_blkback_attach "$DRV" "$FE"
    log=/var/log/xen/console/guest-bench-$backend.log
    if [ $backend = acm ]; then
        # blkback-acm's counters once a second, with the number of jobs done,
        # so that its CPU time per job can be worked out
        (while sleep 1; do
            echo "SAMPLE t=$(date +%s) jobs=$(tr -d '\r' < "$log" | grep -c '^RESULT ') $(xenstore-read "/local/domain/$DRV/backend/vbd/$FE/51712/xacm-stats" 2>/dev/null)"
        done) &
        sampler=$!
    fi
    i=0; while ! grep -q 'GUEST: fio done\|GUEST-EXIT' "$log" 2>/dev/null && [ $i -lt 1800 ]; do sleep 1; i=$((i + 1)); done
    if [ $backend = acm ]; then
        stats=$(xenstore-read "/local/domain/$DRV/backend/vbd/$FE/51712/xacm-stats")
        echo "STATS acm $stats"
        kill "$sampler"
    fi
    tr -d '\r' < "$log" | sed -n "s/^RESULT /RESULT $backend /p"
    n=$(tr -d '\r' < "$log" | grep -c '^RESULT ')
    [ "$n" = 6 ] && pass "$backend: 6 fio jobs ran" || { fail "$backend: $n of 6 fio jobs ran"; tr -d '\r' < "$log" | grep GUEST | tail; }
    wait_guest "bench-$backend" 60 > /dev/null
    xl_ destroy drv
    sleep 1
done
finish
