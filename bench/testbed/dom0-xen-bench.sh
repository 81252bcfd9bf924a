#!/bin/sh
# dom0 side of bench/xen-bench.sh (issue 7's benchmark): the same guest fio
# jobs, on the same 192 MiB backing file in dom0's memory, through
#   (a) kernel:  Linux's xen-blkback in a driver domain (blk_t);
#   (d) dmcrypt: the same, with guest-side LUKS2 dm-crypt + dm-integrity;
#   (b) acm:     blkback-acm in the driver domain, acdom allowing;
#   (c) encdom:  encdom in dom0 (blkback toward the guest) over a vbd of
#                the driver domain's blkback-acm (encdom's blkfront).
# (c) runs last: it turns off dom0 kernel blkback's autoprobe, which the
# driver domains' own disks need.  FLASK enforcing, the project's policy.
# Prints the guest's RESULT lines prefixed with the case's name, and
# ENCDOM-CPU (encdom's user + system seconds during its guest's run).
# BENCH_CASES picks a subset (default "kernel dmcrypt acm encdom").
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy
img=/tmp/bench.img
dd if=/dev/zero of=$img bs=1M count=192 2>/dev/null
xacm-label set --backend drv --path /dev/xvda bank_a_disk
secs=${BENCH_SECONDS:-8}

# guest-crypt: the fio guest plus cryptsetup, its libraries, the modules
mkdir -p guest-crypt && cp -a guest-fio/. guest-crypt/ && cp -a crypt setup-crypt.sh guest-crypt/

# bench_guest CASE TESTDIR LABEL DISK: run the fio guest, print its RESULTs
bench_guest() {
    GUEST_FIO=1 GUEST_MEMORY=400 GUEST_EXTRA="xacm.bench-seconds=$secs xacm.bench-prefill" \
        start_guest "bench-$1" "$2" "$3" "$4" || { fail "xl create bench-$1"; return 1; }
    log=/var/log/xen/console/guest-bench-$1.log
    FE=$(domid_of "bench-$1")
    [ "$1" = kernel ] || [ "$1" = dmcrypt ] && kernel_blkback_attach "$DRV" "$FE"
    i=0; while ! grep -q 'GUEST: fio done\|GUEST-EXIT' "$log" 2>/dev/null && [ $i -lt 1800 ]; do sleep 1; i=$((i + 1)); done
    tr -d '\r' < "$log" | sed -n "s/^RESULT /RESULT $1 /p"
    tr -d '\r' < "$log" | grep '^GUEST: \(prefilled\|luksFormat\|status\|tcg-benchmark\|xts\|cryptsetup\)' |
        sed "s/^GUEST: /INFO $1 /"
    n=$(tr -d '\r' < "$log" | grep -c '^RESULT ')
    [ "$n" = 6 ] && pass "$1: 6 fio jobs ran" || { fail "$1: $n of 6 fio jobs ran"; tr -d '\r' < "$log" | grep GUEST | tail -n 30; }
    wait_guest "bench-$1" 60 > /dev/null
}
# cpu_s PID: user + system seconds of a process (clock ticks of 1/100 s)
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }

for c in ${BENCH_CASES:-kernel dmcrypt acm encdom}; do
    case $c in kernel | dmcrypt) KERNEL_BLKBACK=1 ;; *) KERNEL_BLKBACK= ;; esac
    # every case starts from zeros (encdom --format expects zeroed replicas)
    dd if=/dev/zero of=$img bs=1M count=192 conv=notrunc 2>/dev/null
    KERNEL_BLKBACK=$KERNEL_BLKBACK start_blkback_domain drv $img || { fail "no driver domain for $c"; break; }
    enc="seclabel='system_u:system_r:enc_t'"
    direct="disk = [ 'backend=drv,format=raw,vdev=xvda,access=rw,target=/dev/xvda' ]"
    case $c in
        kernel | acm) bench_guest $c ./guest-fio "$enc" "$direct" ;;
        dmcrypt) bench_guest $c ./guest-crypt "$enc" "$direct" ;;
        encdom)
            # as tests/system/t-encdom.sh sets it up (docs/deploy.md)
            echo 0 > /sys/bus/xen-backend/drivers_autoprobe || fail "drivers_autoprobe"
            xl_ block-attach 0 "backend=drv,format=raw,vdev=xvdb,access=rw,target=/dev/xvda" ||
                { fail "xl block-attach of encdom's store"; break; }
            devid=$(xenstore-list "/local/domain/$DRV/backend/vbd/0")
            acm-wait "$DRV" 0 "$devid" 60 allow || { fail "acdom did not allow the store vbd"; break; }
            mkdir -p /tmp/encdom /tmp/encdom-state
            spec="name=vol0,store=/local/domain/0/device/vbd/$devid,key=/tmp/encdom/vol0.key,anchor=/tmp/encdom/vol0.anchor"
            # 160 MiB of data: the volume and its metadata fit in 192 MiB
            timeout 300 encdom --format --size 167772160 --volume "$spec" > /tmp/encdom-format.log 2>&1 ||
                { fail "encdom --format"; cat /tmp/encdom-format.log; break; }
            uuid=$(sed -n 's/^formatted vol0: uuid \([0-9a-f-]*\),.*/\1/p' /tmp/encdom-format.log)
            xacm-label set --uuid "$uuid" bank_a_disk
            encdom --volume "$spec" --state-dir /tmp/encdom-state > /tmp/encdom.log 2>&1 &
            ENCDOM=$!
            i=0; while ! grep -q 'serving vbds' /tmp/encdom.log && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
            grep -q 'serving vbds' /tmp/encdom.log || { fail "encdom did not start"; cat /tmp/encdom.log; break; }
            printf '#!/bin/sh\nexit 0\n' > /tmp/encdom-vbd && chmod +x /tmp/encdom-vbd
            cpu0=$(cpu_s $ENCDOM) t0=$(date +%s)
            bench_guest encdom ./guest-fio "seclabel='system_u:system_r:bank_a_guest_t'" \
                "disk = [ 'backend=0,backendtype=phy,format=raw,vdev=xvda,access=rw,script=/tmp/encdom-vbd,target=vol0' ]"
            echo "ENCDOM-CPU $(awk -v a="$cpu0" -v b="$(cpu_s $ENCDOM)" 'BEGIN {print b - a}') s in $(($(date +%s) - t0)) s"
            grep -q 'INTEGRITY ALERT' /tmp/encdom.log && fail "encdom raised an integrity alert"
            kill $ENCDOM; wait $ENCDOM
            ;;
    esac
    xl_ destroy drv
    sleep 1
done
finish
