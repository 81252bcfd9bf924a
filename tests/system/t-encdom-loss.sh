#!/bin/sh
# encdom and driver-domain loss (issue 7), FLASK enforcing, the project's
# policy, acdom deciding.  A guest (bank_a_guest_t) writes numbered 4 KiB
# records through encdom, each flushed (O_DIRECT + fsync) before it prints
# "FLUSHED i" (tests/system/encdom-loss/run.sh).
#   (a) No mirror: dom0 destroys the driver domain mid-way, recreates it on
#       the same backing file and re-attaches the store vbd with the same
#       vdev; encdom stalls, logs the loss, reconnects; the guest finishes
#       with no I/O error; encdom restarts; a second guest reads back every
#       record the first one reported flushed.
#   (b) Mirror (store=A,store=B on two driver domains): dom0 destroys the
#       driver domain of replica 0 mid-way; encdom fails over (logged); the
#       guest sees no error and no stall; a second guest verifies every
#       record.  Then resync: the driver domain is recreated and encdom
#       restarted; it rewrites the stale copies (the data areas of the two
#       backing files differed, and are now equal), and a third guest's
#       reads need no repair.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy

label="seclabel='system_u:system_r:bank_a_guest_t'"
disk="disk = [ 'backend=0,backendtype=phy,format=raw,vdev=xvda,access=rw,script=/tmp/encdom-vbd,target=VOL' ]"
printf '#!/bin/sh\nexit 0\n' > /tmp/encdom-vbd && chmod +x /tmp/encdom-vbd
mkdir -p /tmp/encdom /tmp/encdom-state

# driver_domain NAME IMG: (re)create a driver domain running blkback-acm;
# dom0's kernel blkback may claim its own disk only meanwhile
driver_domain() {
    echo 1 > /sys/bus/xen-backend/drivers_autoprobe
    start_blkback_domain "$1" "$2"
    r=$?
    echo 0 > /sys/bus/xen-backend/drivers_autoprobe
    return $r
}

# forget_store DEVID: after its driver domain died, remove what is left of
# dom0's store vbd DEVID (the frontend directory and libxl's node), as an
# administrator would before re-attaching it: libxl refuses to add a device
# whose node exists
forget_store() {
    xenstore-rm "/local/domain/0/device/vbd/$1" 2>/dev/null
    xenstore-rm "/libxl/0/device/vbd/$1" 2>/dev/null
    ! xenstore-read "/libxl/0/device/vbd/$1/backend" > /dev/null 2>&1
}

# attach_store DRV_NAME DRV_ID VDEV: the store vbd (frontend dom0); sets DEVID
attach_store() {
    if xl_ block-attach 0 "backend=$1,format=raw,vdev=$3,access=rw,target=/dev/xvda" > /tmp/attach.log 2>&1; then
        pass "xl block-attach of the store vbd $3 (frontend dom0, backend $1)"
    else
        fail "xl block-attach $3 on $1: $(cat /tmp/attach.log)"; return 1
    fi
    DEVID=$(xenstore-list "/local/domain/$2/backend/vbd/0" | tail -n 1)
    expect "acdom allows the store vbd dom0 <-> $1 ($DEVID)" acm-wait "$2" 0 "$DEVID" 60 allow
}

# wait_log FILE PATTERN SECONDS: until a line of FILE matches
wait_log() {
    end=$(($(date +%s) + $3))
    while ! grep -q "$2" "$1" 2>/dev/null; do
        [ "$(date +%s)" -ge $end ] && return 1
        sleep 0.2
    done
}

# flushed NAME: how many records guest NAME reported flushed, if they are
# 0..n-1 (else -1)
flushed() {
    tr -d '\r' < "/var/log/xen/console/guest-$1.log" | grep -o 'FLUSHED [0-9]*' | sort -u -n -k2,2 > /tmp/flushed.txt
    n=$(wc -l < /tmp/flushed.txt)
    last=$(tail -n 1 /tmp/flushed.txt | cut -d' ' -f2)
    [ "$n" -gt 0 ] && [ "$last" = $((n - 1)) ] && echo "$n" || echo -1
}

# ---- (a) no mirror: stall and reconnect ---------------------------------
echo "=== (a) no mirror: the driver domain is destroyed and recreated under a write workload"
img=/tmp/backing-loss.img
dd if=/dev/zero of=$img bs=1M count=80 2>/dev/null
driver_domain drv $img || { fail "no driver domain"; finish; exit 1; }
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" label_path bank_a_disk /dev/xvda drv drv0 drv1
attach_store drv "$DRV" xvdb || { finish; exit 1; }
devid=$DEVID
fe=/local/domain/0/device/vbd/$devid
spec="name=vol0,store=$fe,key=/tmp/encdom/vol0.key,anchor=/tmp/encdom/vol0.anchor"
format_volume vol0 "$spec" || { finish; exit 1; }
ELOG=/tmp/encdom-a.log
start_encdom "$spec" $ELOG || { finish; exit 1; }
token=$(date +%s)-$$
GUEST_EXTRA="xacm.phase=write xacm.token=$token xacm.need-stall=1" \
    start_guest writer ./encdom-loss "$label" "$(echo "$disk" | sed 's/VOL/vol0/')" ||
    { fail "xl create writer"; finish; exit 1; }
if wait_log /var/log/xen/console/guest-writer.log 'FLUSHED 30' 600; then
    pass "the guest flushed 31 records through encdom"
else
    fail "the guest did not reach record 30"; wait_guest writer 5; finish; exit 1
fi
old_drv=$DRV
xl_ destroy drv && pass "destroyed the driver domain $old_drv during the guest's writes (after record $(flushed writer))" ||
    fail "xl destroy drv"
wait_log $ELOG "store $fe: driver domain gone" 120 &&
    pass "encdom logged the loss: $(grep "store $fe: driver domain gone" $ELOG | head -n 1 | sed 's/^.*store /store /')" ||
    fail "encdom did not log the loss"
n_at_loss=$(flushed writer)
expect "removed the stale nodes of the store vbd $devid" forget_store "$devid"
driver_domain drv $img || { fail "the driver domain did not come back"; finish; exit 1; }
attach_store drv "$DRV" xvdb || { finish; exit 1; }
[ "$DEVID" = "$devid" ] && pass "the store vbd came back with the same devid $devid (same frontend directory)" ||
    fail "the store vbd came back as $DEVID, not $devid"
wait_log $ELOG "store $fe: reconnected to domain $DRV" 180 &&
    pass "encdom reconnected: $(grep "store $fe: reconnected" $ELOG | tail -n 1 | sed 's/^.*store /store /')" ||
    fail "encdom did not reconnect to the new driver domain $DRV"
wait_guest writer 1500
rc=$?
[ $rc = 0 ] && pass "the guest's writes all succeeded across the loss ($(tr -d '\r' < /var/log/xen/console/guest-writer.log | grep -o 'RECORDS.*'))" ||
    fail "the writer guest exited $rc"
n=$(flushed writer)
[ "$n" -gt "$n_at_loss" ] && pass "records 0..$((n - 1)) reported flushed, $n_at_loss of them before the driver domain came back" ||
    fail "flushed records: $n (at the loss: $n_at_loss)"
grep -q 'a stall' /var/log/xen/console/guest-writer.log && pass "the guest saw a stall (a record took >= 5 s), not an error" ||
    fail "the guest saw no stall: did the loss happen during its writes?"
stop_encdom
start_encdom "$spec" $ELOG 2 || { finish; exit 1; }
GUEST_EXTRA="xacm.phase=read xacm.token=$token xacm.count=$n" \
    run_guest reader ./encdom-loss 900 "$label" "$(echo "$disk" | sed 's/VOL/vol0/')"
rc=$?
[ $rc = 0 ] && pass "after encdom restarted, a second guest read back all $n flushed records intact" ||
    fail "the reader guest exited $rc: $(tr -d '\r' < /var/log/xen/console/guest-reader.log | grep 'VERIFIED' )"
grep -q 'INTEGRITY ALERT' $ELOG && fail "integrity alerts in encdom's log" || pass "no integrity alert in encdom's log"
stop_encdom
xl_ destroy drv
echo "--- encdom's log (a):"
grep -v 'vbd .*: \(state\|acdom\)' $ELOG | tail -n 40 | sed 's/^/  | /'

# ---- (b) mirror: fail over, then resync -----------------------------------
echo "=== (b) mirror: the driver domain of replica 0 is destroyed under a write workload"
img1=/tmp/backing-m0.img img2=/tmp/backing-m1.img
dd if=/dev/zero of=$img1 bs=1M count=80 2>/dev/null
dd if=/dev/zero of=$img2 bs=1M count=80 2>/dev/null
driver_domain drv0 $img1 || { fail "no driver domain drv0"; finish; exit 1; }
DRV0=$DRV
driver_domain drv1 $img2 || { fail "no driver domain drv1"; finish; exit 1; }
DRV1=$DRV
attach_store drv0 "$DRV0" xvdc || { finish; exit 1; }
fe0=/local/domain/0/device/vbd/$DEVID
attach_store drv1 "$DRV1" xvdd || { finish; exit 1; }
fe1=/local/domain/0/device/vbd/$DEVID
spec="name=vol1,store=$fe0,store=$fe1,key=/tmp/encdom/vol1.key,anchor=/tmp/encdom/vol1.anchor"
format_volume vol1 "$spec" || { finish; exit 1; }
ELOG=/tmp/encdom-b.log
start_encdom "$spec" $ELOG || { finish; exit 1; }
token=$(date +%s)-$$-m
GUEST_EXTRA="xacm.phase=write xacm.token=$token xacm.secs=60" \
    start_guest mwriter ./encdom-loss "$label" "$(echo "$disk" | sed 's/VOL/vol1/')" ||
    { fail "xl create mwriter"; finish; exit 1; }
if wait_log /var/log/xen/console/guest-mwriter.log 'FLUSHED 30' 600; then
    pass "the guest flushed 31 records through encdom to both replicas"
else
    fail "the guest did not reach record 30"; wait_guest mwriter 5; finish; exit 1
fi
xl_ destroy drv0 && pass "destroyed drv0 ($DRV0, replica 0) during the guest's writes (after record $(flushed mwriter))" ||
    fail "xl destroy drv0"
wait_log $ELOG "store $fe0: .*failing over" 120 &&
    pass "encdom failed over: $(grep "store $fe0: .*failing over" $ELOG | head -n 1 | sed 's/^.*store /store /')" ||
    fail "encdom did not log a failover"
wait_guest mwriter 900
rc=$?
[ $rc = 0 ] && pass "the guest's writes all succeeded ($(tr -d '\r' < /var/log/xen/console/guest-mwriter.log | grep -o 'RECORDS.*'))" ||
    fail "the writer guest exited $rc"
grep -q 'a stall' /var/log/xen/console/guest-mwriter.log && fail "the guest stalled: no failover?" ||
    pass "no record took 5 s or more (no stall)"
n=$(flushed mwriter)
grep -q 'driver domain gone' $ELOG && fail "encdom stalled instead of failing over" || pass "encdom never stalled"
GUEST_EXTRA="xacm.phase=read xacm.token=$token xacm.count=$n" \
    run_guest mreader ./encdom-loss 900 "$label" "$(echo "$disk" | sed 's/VOL/vol1/')"
rc=$?
[ $rc = 0 ] && pass "a second guest read back all $n flushed records from the remaining replica" ||
    fail "the reader guest exited $rc"
cmp -s $img1 $img2 "$DATA_OFF" "$DATA_OFF"
[ $? = 1 ] && pass "replica 0's data area differs from replica 1's (it missed the writes after the loss)" ||
    fail "the data areas of the two replicas do not differ: replica 0 missed nothing?"
# resync: drv0 back, encdom restarted
stop_encdom
expect "removed the stale nodes of the store vbd ${fe0##*/}" forget_store "${fe0##*/}"
driver_domain drv0 $img1 || { fail "drv0 did not come back"; finish; exit 1; }
DRV0=$DRV
attach_store drv0 "$DRV0" xvdc || { finish; exit 1; }
start_encdom "$spec" $ELOG 2 || { finish; exit 1; }
res=$(grep 'replicas resynchronised' $ELOG | tail -n 1)
copies=$(echo "$res" | sed -n 's/.*(\([0-9]*\) copies rewritten).*/\1/p')
[ "${copies:-0}" -gt 0 ] && pass "encdom resynchronised the replicas at start: ${res#*vol1: }" ||
    fail "no resynchronisation logged ($res)"
cmp $img1 $img2 "$DATA_OFF" "$DATA_OFF" && pass "the data areas of the two replicas are now equal" ||
    fail "the data areas still differ after the resync"
before=$(grep -c 'rewritten from a good copy' $ELOG)
GUEST_EXTRA="xacm.phase=read xacm.token=$token xacm.count=$n" \
    run_guest mreader2 ./encdom-loss 900 "$label" "$(echo "$disk" | sed 's/VOL/vol1/')"
rc=$?
[ $rc = 0 ] && pass "a third guest read back all $n records after the resync" || fail "the reader guest exited $rc"
after=$(grep -c 'rewritten from a good copy' $ELOG)
[ "$after" = "$before" ] && pass "no read needed a repair: replica 0 serves every record itself" ||
    fail "$((after - before)) repairs during the read after the resync"
grep -q 'INTEGRITY ALERT' $ELOG && fail "integrity alerts in encdom's log" || pass "no integrity alert in encdom's log"
stop_encdom
echo "--- encdom's log (b):"
grep -v 'vbd .*: \(state\|acdom\)' $ELOG | tail -n 40 | sed 's/^/  | /'
xl_ destroy drv0
xl_ destroy drv1
kill "$ACDOM"
finish
