#!/bin/sh
# encdom end to end (issue 7), FLASK enforcing with the project's policy and
# acdom deciding: a Linux PV guest (bank_a_guest_t) has a disk served by
# encdom in dom0, whose volume lives on a vbd of a driver domain (blk_t)
# running blkback-acm over a file that dom0 holds.
#   1. encdom --format formats the volume through its blkfront;
#   2. the guest runs the guest-disk job (fio crc32c verify, mkfs.ext4,
#      read-back, e2fsck) through guest -> encdom -> blkback-acm;
#   3. the backing file holds no plaintext: neither the guest's marker nor
#      its file data (a control string written there in plaintext is found,
#      so the search can fail); encdom's write pool, where it encrypts, is
#      read-only to the driver domain (its writable mapping of a pool grant
#      is refused, a read-only one works), and at exit encdom reports writes
#      sent straight from that pool;
#   4. tamper, from inside the running driver domain, on its own disk
#      (/dev/xvda, O_DIRECT, commands from dom0 through XenStore: drv_cmd):
#      a flipped bit, two swapped blocks and a block rolled back to an
#      older ciphertext; dom0 checks in the backing file that each change
#      landed; the guest's read of each fails with an I/O error, an
#      untouched block still reads back, and encdom logs an integrity
#      alert naming each block, which acdom audits; a second guest's vbd
#      gets its own alert numbers, from 1.
# With ENCDOM_OVER=kernel (t-encdom-kernel.sh) the driver domain runs
# Linux's kernel blkback instead of blkback-acm, and steps 1-3 run, then
#   5. enforcement: a mislabelled guest (bank_b_guest_t) and an unlabelled
#      one (no seclabel) never get the volume: acdom denies, their vbd
#      never reaches Connected, encdom logs the refusal, the guest sees no
#      disk;
#   6. revocation: relabelling the volume while a guest has it connected
#      makes acdom deny it, encdom close the vbd, and the guest lose it.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy
over=${ENCDOM_OVER:-acm}
case $over in
acm) KB='' what=blkback-acm ;;
kernel) KB=1 what="kernel blkback" ;;
*) fail "ENCDOM_OVER=$over"; finish; exit 1 ;;
esac

# the driver domain's disk: 80 MiB; the volume takes 64 MiB of data and its
# metadata; the last MiB is outside the volume and holds a plaintext control
img=/tmp/backing-enc.img
dd if=/dev/zero of=$img bs=1M count=80 2>/dev/null
control="XACM-CONTROL-PLAINTEXT-$(date +%s)-$$"
printf '%s' "$control" | dd of=$img bs=1M seek=79 conv=notrunc 2>/dev/null
KERNEL_BLKBACK=$KB DRV_COMMANDS=1 start_blkback_domain drv $img || { fail "no driver domain"; finish; exit 1; }
expect "xacm-label labels the driver's /dev/xvda bank_a_disk" xacm-label set --backend drv --path /dev/xvda bank_a_disk

# dom0's kernel blkback serves the driver domain's own disk (the testbed's
# stand-in for its hardware); from now on it must claim no new vbd, so that
# the guest's vbds in dom0's tree are encdom's (docs/deploy.md)
echo 0 > /sys/bus/xen-backend/drivers_autoprobe &&
    pass "dom0's kernel blkback claims no new vbd (xen-backend drivers_autoprobe = 0)" ||
    fail "cannot turn off drivers_autoprobe on the xen-backend bus"

# encdom's store: a vbd of the driver domain whose frontend is dom0
if xl_ block-attach 0 "backend=drv,format=raw,vdev=xvdb,access=rw,target=/dev/xvda" > /tmp/attach.log 2>&1; then
    pass "xl block-attach of the store vbd (frontend dom0, backend drv)"
else
    fail "xl block-attach: $(cat /tmp/attach.log)"; finish; exit 1
fi
devid=$(xenstore-list "/local/domain/$DRV/backend/vbd/0")
if [ "$over" = kernel ]; then
    kernel_blkback_attach "$DRV" 0 # Linux's blkback does not ask acdom
else
    expect "acdom allows the store vbd dom0 <-> drv ($devid)" acm-wait "$DRV" 0 "$devid" 60 allow
fi
mkdir -p /tmp/encdom /tmp/encdom-state
spec="name=vol0,store=/local/domain/0/device/vbd/$devid,key=/tmp/encdom/vol0.key,anchor=/tmp/encdom/vol0.anchor"

# 1. format through the blkfront, then serve
format_volume vol0 "$spec" || { finish; exit 1; }
uuid=$UUID data_off=$DATA_OFF
start_encdom "$spec" /tmp/encdom.log || { finish; exit 1; }

# the guest's disk: backend dom0 (encdom), target = the volume's name; the
# hotplug script has nothing to do (encdom opens the volume itself)
printf '#!/bin/sh\nexit 0\n' > /tmp/encdom-vbd && chmod +x /tmp/encdom-vbd
disk="disk = [ 'backend=0,backendtype=phy,format=raw,vdev=xvda,access=rw,script=/tmp/encdom-vbd,target=vol0' ]"
label="seclabel='system_u:system_r:bank_a_guest_t'"

# 2. the guest-disk job through encdom -> $what
GUEST_FIO=1 GUEST_MEMORY=400 start_guest client ./guest-disk "$label" "$disk"
rc=$?
[ $rc = 0 ] && pass "xl create of a guest whose disk encdom serves" || fail "xl create client: $rc"
CL=$(domid_of client)
expect "acdom allows the guest's vbd (volume $uuid, bank_a_disk)" acm-wait 0 "$CL" 51712 60 allow
# 2a. the hostile driver domain rewrites the params of its own allowed vbd
#     (encdom's store) to a path labelled bank_b_disk, in the Chinese Wall
#     with the guest's bank_a_disk, while the guest's job runs.  12a1bb8
#     took the label from params and re-decided the guest's vbd (backend 0
#     sorts first) against it: the guest lost its disk.  Now the label comes
#     from the toolstack's record, and nothing changes.
xacm-label set --backend drv --path /dev/xvdb bank_b_disk
store_dec=$(xenstore-read "/xacm/decision/$DRV/0/$devid")
if drv_cmd "$DRV" params 0 "$devid" /dev/xvdb; then
    pass "the driver domain rewrote its store vbd's params to /dev/xvdb (labelled bank_b_disk)"
else
    fail "the driver domain could not rewrite its params"
fi
sleep 3
[ "$(xenstore-read "/xacm/decision/$DRV/0/$devid")" = "$store_dec" ] &&
    pass "the store vbd's decision is unchanged: $(echo "$store_dec" | cut -d' ' -f5-6)" ||
    fail "the store vbd's decision changed: $(xenstore-read "/xacm/decision/$DRV/0/$devid")"
expect "the guest's vbd is still allowed" acm-wait 0 "$CL" 51712 5 allow
rc=125
[ -n "$CL" ] && { wait_guest client 1200; rc=$?; }
[ $rc = 0 ] && pass "through encdom -> $what: fio crc32c verify (4k random, 4k and 1M sequential), mkfs, read-back, e2fsck" ||
    fail "the guest's disk test exited $rc"
grep -q "vbd $CL/51712: connected" /tmp/encdom.log && pass "encdom connected the guest's vbd" ||
    fail "encdom never connected the guest's vbd"
grep -q "vbd $CL/51712: .*revoked\|vbd $CL/51712: .*disappeared" /tmp/encdom.log &&
    fail "encdom closed the guest's vbd on a decision change: $(grep "vbd $CL/51712" /tmp/encdom.log | tail -n 2)" ||
    pass "the guest's vbd was never revoked while the driver domain rewrote its params"
# the guest (2 vCPUs) uses more than one queue, and discard (encrypted zeros)
q=$(sed -n "s|.*vbd $CL/51712: connected, \([0-9]*\) queue(s).*|\1|p" /tmp/encdom.log | head -n1)
[ "${q:-0}" -ge 2 ] && pass "the guest's blkfront uses $q queues of encdom's" ||
    fail "the guest connected ${q:-no} queue(s), multi-queue not in use"
tr -d '\r' < /var/log/xen/console/guest-client.log | grep -q 'GUEST: discard ok' &&
    pass "the guest's discard through encdom worked (the data after it intact)" ||
    fail "the guest's discard through encdom did not work"

# 3. ciphertext only in the driver domain's backing file
marker=$(tr -d '\r' < /var/log/xen/console/guest-client.log | grep -o 'XACM-GUEST-MARKER-[0-9a-f-]*' | head -n1)
if [ -z "$marker" ]; then
    fail "the guest printed no marker"
elif grep -q "$marker" $img; then
    fail "the guest's marker $marker is in the driver domain's backing file in plaintext"
else
    pass "the guest's marker is not in the driver domain's backing file (ciphertext only)"
fi
grep -q "$control" $img && pass "the plaintext control string is found in the same file (the search works)" ||
    fail "the control string is not found: the search cannot fail"

# 3b. encdom encrypts straight into a write pool that the driver domain can
#    only read: its writable mapping of a pool grant is refused by Xen
ref=$(sed -n 's/.*write pool of [0-9]* pages shared read-only with domain [0-9]*, first grant ref \([0-9]*\).*/\1/p' /tmp/encdom.log | tail -n 1)
if [ -z "$ref" ]; then
    fail "encdom logged no read-only write pool"
elif drv_cmd "$DRV" grant 0 "$ref"; then
    pass "the driver domain cannot map encdom's write pool writable, only read-only: $(tr -d '\r' < /var/log/xen/console/guest-drv.log | grep "GUEST: grant $ref " | tail -n 1 | sed 's/^GUEST: //')"
else
    fail "the write pool's grant $ref: $(tr -d '\r' < /var/log/xen/console/guest-drv.log | grep "GUEST: grant $ref \|GUEST: command" | tail -n 2 | tr '\n' ' ')"
fi

# 3c. persistent grants toward the driver domain only where the read-only
#    pool still works: blkback-acm maps read-only grants read-only and says
#    so (xacm-persistent-readonly); Linux's blkback maps every persistent
#    grant writable, so toward it encdom offers none
if [ "$over" = acm ]; then
    st=$(xenstore-read "/local/domain/$DRV/backend/vbd/0/$devid/xacm-stats" 2>/dev/null)
    pg=$(echo "$st" | sed -n 's/.*persistent-grants=\([0-9]*\).*/\1/p')
    zc=$(echo "$st" | sed -n 's/.*zero-copy=\([0-9]*\).*/\1/p')
    [ "${pg:-0}" -gt 0 ] && [ "${zc:-0}" -gt 0 ] &&
        pass "blkback-acm serves encdom's store on persistent grants ($pg mapped, $zc requests without a copy)" ||
        fail "encdom's store vbd: no persistent grants in use: '$st'"
else
    # Linux's blkback uses persistent grants only if the frontend asks
    fp=$(xenstore-read "/local/domain/0/device/vbd/$devid/feature-persistent" 2>/dev/null)
    [ -z "$fp" ] || [ "$fp" = 0 ] &&
        pass "encdom asked Linux's blkback for no persistent grants (it would map the read-only pool writable)" ||
        fail "encdom's store frontend wrote feature-persistent=$fp toward Linux's blkback"
fi

# 4. tamper, inside the driver domain: a flipped bit (1000), two blocks
#    swapped (1001, 1002), one block rolled back to an older ciphertext
#    (1003; data only, its record is current); 1004 is left alone
tamper_cases() {
    GUEST_EXTRA="xacm.phase=write" run_guest tamper1 ./encdom-tamper 300 "$label" "$disk"
    rc=$?
    [ $rc = 0 ] && pass "a guest wrote blocks 1000..1004 and read them back" || fail "tamper write phase exited $rc"
    grep -q XACM-TAMPER-PATTERN $img && fail "the tamper pattern is in the backing file in plaintext" ||
        pass "the tamper pattern is not in the backing file"
    [ $((data_off % 4096)) = 0 ] && tamper_save "$DRV" $img "$data_off" &&
        pass "the driver domain kept block 1003's ciphertext (O_DIRECT read of its /dev/xvda)" ||
        fail "no data offset ('$data_off') or the driver domain cannot keep block 1003"
    GUEST_EXTRA="xacm.phase=write2" run_guest tamper2 ./encdom-tamper 300 "$label" "$disk"
    rc=$?
    [ $rc = 0 ] && pass "a guest rewrote block 1003" || fail "tamper write2 phase exited $rc"
    if tamper "$DRV" $img "$data_off"; then
        pass "inside the driver domain, on its /dev/xvda with O_DIRECT: flipped a bit of block 1000, swapped 1001 and 1002, rolled 1003 back (each change found in the backing file)"
    else
        fail "the driver domain's tampering did not land"
    fi
    drv_console drv
    GUEST_EXTRA="xacm.phase=read" run_guest tamper3 ./encdom-tamper 300 "$label" "$disk"
    rc=$?
    [ $rc = 0 ] && pass "each tampered block's read failed with an I/O error; the untouched block read back intact" ||
        fail "tamper read phase exited $rc"
    for b in 1000 1001 1002 1003; do
        alert=$(grep "INTEGRITY ALERT.*block $b:" /tmp/encdom.log | head -n1)
        [ -n "$alert" ] && pass "encdom logged an integrity alert naming block $b: ${alert#*refused: }" ||
            fail "no integrity alert naming block $b in encdom's log"
    done
    grep -q "INTEGRITY ALERT.*block 1004:" /tmp/encdom.log && fail "an alert for the untouched block 1004"
    # the same alerts in acdom's hash-chained audit log (encdom's
    # xacm-integrity-alert node, copied by acdom with the reporter's label)
    sleep 1
    for b in 1000 1001 1002 1003; do
        grep -q "\"event\":\"integrity-alert\",.*\"be\":0,.*\"resource\":\"bank_a_disk\",.*\"first_block\":$b," /tmp/audit.log &&
            pass "acdom's audit log has the integrity alert for block $b" ||
            fail "no integrity-alert record for block $b in acdom's audit log"
    done
    grep -q '"first_block":1004,' /tmp/audit.log && fail "an audit record for the untouched block 1004"
    # a second guest, so a second vbd, refused the same reads: alert
    # numbers are per vbd, so acdom audits them from 1 with no gap (a
    # count carried over from the first vbd would read as lost alerts)
    GUEST_EXTRA="xacm.phase=read" start_guest tamper4 ./encdom-tamper "$label" "$disk"
    T4=$(domid_of tamper4)
    wait_guest tamper4 300
    rc=$?
    [ $rc = 0 ] && pass "a second guest's reads of the tampered blocks failed the same way" ||
        fail "the second read guest exited $rc"
    sleep 1
    grep "\"event\":\"integrity-alert\",\"fe\":$T4," /tmp/audit.log > /tmp/alerts-t4.txt
    [ "$(wc -l < /tmp/alerts-t4.txt)" = 4 ] &&
        grep -q '"count":1,"first_block":1000,"last_block":1000,"lost_before":0}' /tmp/alerts-t4.txt &&
        ! grep -v '"lost_before":0}' /tmp/alerts-t4.txt > /dev/null &&
        pass "the second vbd's 4 alerts are audited numbered from 1, with no gap reported" ||
        { fail "the second vbd's alerts in the audit:"; cat /tmp/alerts-t4.txt; }
    expect "xacm-audit verify: the audit chain with the alerts is intact" xacm-audit verify /tmp/audit.log
}

# 5. enforcement: no_disk NAME [SECLABEL-LINE]: a guest whose disk line
#    names the volume, but which must not get it.  Sets NODISK_CREATED=0 if
#    xl could not create it.
no_disk() {
    name=$1; shift
    NODISK_CREATED=1
    if ! GUEST_EXTRA="xacm.phase=nodisk" start_guest "$name" ./encdom-tamper "$@" "$disk"; then
        NODISK_CREATED=0
        return
    fi
    G=$(domid_of "$name")
    echo "$name: domain $G, label $(xl_ list -Z "$name" 2>/dev/null | tail -n 1 | awk '{print $NF}')"
    expect "$name: acdom denies its vbd" acm-wait 0 "$G" 51712 60 deny
    # the backend's and the frontend's states, every 0.2 s until the guest ends
    log=/var/log/xen/console/guest-$name.log states="" last=""
    end=$(($(date +%s) + 180))
    while ! grep -q '^GUEST-EXIT=' "$log" 2>/dev/null && [ "$(date +%s)" -lt $end ]; do
        now="$(xenstore-read "/local/domain/0/backend/vbd/$G/51712/state" 2>/dev/null)/$(xenstore-read "/local/domain/$G/device/vbd/51712/state" 2>/dev/null)"
        [ "$now" != "$last" ] && states="$states $now" last=$now
        sleep 0.2
    done
    wait_guest "$name" 60
    rc=$?
    echo "$name: vbd states seen (backend/frontend):$states"
    case "$states" in
    *4/* | */4*) fail "$name: its vbd reached Connected:$states" ;;
    *[0-9]/*) pass "$name: its vbd never reached Connected (backend/frontend:$states)" ;;
    *) fail "$name: no vbd state was seen at all" ;;
    esac
    refusal=$(grep "vbd $G/51712: access denied by acdom" /tmp/encdom.log | head -n 1)
    [ -n "$refusal" ] && pass "$name: encdom refused it: ${refusal#*: }" || fail "$name: no refusal in encdom's log"
    grep -q "vbd $G/51712: connected" /tmp/encdom.log && fail "$name: encdom connected its vbd"
    [ $rc = 0 ] && pass "$name: the guest saw no disk" || fail "$name: the guest's no-disk check exited $rc"
}
enforcement() {
    no_disk wronglabel "seclabel='system_u:system_r:bank_b_guest_t'"
    [ $NODISK_CREATED = 1 ] || fail "xl create of the bank_b_guest_t guest failed: $(cat /tmp/wronglabel.create.log)"
    case "$refusal" in
    *deny-unknown-resource*) fail "the volume's label was not seen (deny-unknown-resource)" ;;
    esac
    no_disk nolabel
    if [ $NODISK_CREATED = 0 ]; then
        # FLASK refusing to build the domain is an outcome too: then it cannot connect
        if xl_ domid nolabel > /dev/null 2>&1; then
            fail "xl create of the unlabelled guest failed, yet the domain exists"
        else
            pass "the unlabelled guest was not created at all: $(tr '\n' ' ' < /tmp/nolabel.create.log)"
        fi
    fi
}

# 6. revocation (with enforcement): the volume relabelled shop_disk while a
#    bank_a_guest_t guest has it connected; encdom must close it
revoke() {
    revocation revoked 0 "$label" "$disk" xacm-label set --uuid "$uuid" shop_disk
    grep -q "vbd $G/51712: access revoked by acdom" /tmp/encdom.log &&
        pass "encdom logged the revocation" || fail "no revocation in encdom's log"
}

if [ "$over" = acm ]; then tamper_cases; else enforcement; revoke; fi

[ "$over" = kernel ] && drv_console drv
stop_encdom /tmp/encdom.log
echo "--- encdom's log:"
if [ "$(wc -l < /tmp/encdom.log)" -le 80 ]; then
    sed 's/^/  | /' /tmp/encdom.log
else
    head -n 40 /tmp/encdom.log | sed 's/^/  | /'; echo "  | ..."; tail -n 40 /tmp/encdom.log | sed 's/^/  | /'
fi
xl_ destroy drv
kill "$ACDOM"
finish
