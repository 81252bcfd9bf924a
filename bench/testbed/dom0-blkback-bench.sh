#!/bin/sh
# dom0 side of bench/blkback-bench.sh: the same guest fio jobs through
# Linux's kernel blkback and blkback-acm, measured alternately in one guest.
# Two driver domains (blk_t) run side by side: drvk with xen-blkback, drva
# with blkback-acm (acdom allowing), each serving its own /dev/xvda, a
# 192 MiB file in dom0's memory.  The guest has one disk from each (xvda
# kernel, xvdb blkback-acm) and runs every job on both in turn, for
# BENCH_ROUNDS rounds, so both backends see the same host load.  With
# BENCH_VARIANT=OPT,OPT... a third driver domain, drvv, runs blkback-acm
# with those options added (xvdc, "variant"), so that two settings of
# blkback-acm are compared in the same boot.  FLASK is enforcing.  Prints
# the guest's RESULT lines, blkback-acm's counters (STATS) and, as each job
# starts, the CPU time Xen gave each driver domain so far (DDCPU).
. ./dom0-lib.sh
require_enforcing
: "${BENCH_JOBS:?the fio jobs, RW:BS:QD,... (set by bench/blkback-bench.sh)}"
# what a system call and a process wake-up cost in a PV domain (dom0 here)
pv-costs || fail "pv-costs"
xl_ loadpolicy policy/xenpolicy
cp policy/xacm.rules /tmp/xacm.rules
acdom --rules /tmp/xacm.rules --audit /tmp/audit.log > /tmp/acdom.log 2>&1 &
for b in kernel acm ${BENCH_VARIANT:+variant}; do dd if=/dev/zero of="/tmp/bench-$b.img" bs=1M count=192 2>/dev/null; done
label_path bank_a_disk /dev/xvda drvk drva drvv
KERNEL_BLKBACK=1 start_blkback_domain drvk /tmp/bench-kernel.img || { fail "no kernel driver domain"; finish; exit 1; }
DRVK=$DRV
start_blkback_domain drva /tmp/bench-acm.img || { fail "no blkback-acm driver domain"; finish; exit 1; }
DRVA=$DRV
devs=kernel:xvda,acm:xvdb
guest_disks="'backend=drvk,format=raw,vdev=xvda,access=rw,target=/dev/xvda', 'backend=drva,format=raw,vdev=xvdb,access=rw,target=/dev/xvda'"
if [ -n "${BENCH_VARIANT:-}" ]; then
    BLKBACK_ARGS="$BLKBACK_ARGS,$BENCH_VARIANT" start_blkback_domain drvv /tmp/bench-variant.img ||
        { fail "no driver domain for the variant"; finish; exit 1; }
    devs="$devs,variant:xvdc"
    guest_disks="$guest_disks, 'backend=drvv,format=raw,vdev=xvdc,access=rw,target=/dev/xvda'"
fi
GUEST_FIO=1 GUEST_MEMORY=400 \
    GUEST_EXTRA="xacm.bench-seconds=${BENCH_SECONDS:-8} xacm.bench-rounds=${BENCH_ROUNDS:-3} xacm.bench-jobs=$BENCH_JOBS xacm.bench-devs=$devs" \
    start_guest bench ./guest-fio "seclabel='system_u:system_r:enc_t'" "disk = [ $guest_disks ]" ||
    { fail "xl create bench"; finish; exit 1; }
FE=$(domid_of bench)
kernel_blkback_attach "$DRVK" "$FE"
log=/var/log/xen/console/guest-bench.log
stats=/local/domain/$DRVA/backend/vbd/$FE/51728/xacm-stats
# the driver domains' CPU time as each job starts (looked for once a
# second, from the first job on), with the number of results so far, so
# that the CPU time per job can be worked out; xl list only then, as it
# costs dom0 more than the look
(last=; while sleep 1; do
    n=$(tr -d '\r' < "$log" | grep -c '^RESULT ')
    if [ "$n" != "$last" ] && grep -q 'GUEST: jobs start' "$log"; then
        echo "DDCPU t=$(date +%s) jobs=$n" \
            "$(xl list | awk '$1 == "drvk" {k = $6} $1 == "drva" {a = $6} $1 == "drvv" {v = $6}
                END {printf "kernel=%s acm=%s%s", k, a, v == "" ? "" : " variant=" v}')"
        last=$n
    fi
done) &
sampler=$!
i=0; while ! grep -q 'GUEST: fio done\|GUEST-EXIT' "$log" 2>/dev/null && [ $i -lt 3000 ]; do sleep 1; i=$((i + 1)); done
kill "$sampler"
echo "STATS acm $(xenstore-read "$stats")"
[ -z "${BENCH_VARIANT:-}" ] ||
    echo "STATS variant $(xenstore-read "/local/domain/$(domid_of drvv)/backend/vbd/$FE/51744/xacm-stats")"
tr -d '\r' < "$log" | grep '^RESULT '
want=$(($(echo "$devs" | tr , '\n' | wc -l) * $(echo "$BENCH_JOBS" | tr , '\n' | wc -l) * ${BENCH_ROUNDS:-3}))
n=$(tr -d '\r' < "$log" | grep -c '^RESULT ')
[ "$n" = "$want" ] && pass "$n fio jobs ran" || { fail "$n of $want fio jobs ran"; tr -d '\r' < "$log" | grep GUEST | tail; }
wait_guest bench 60 > /dev/null
finish
