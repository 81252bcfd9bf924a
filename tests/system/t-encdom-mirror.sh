#!/bin/sh
# encdom mirroring (issue 7), FLASK enforcing with the project's policy and
# acdom deciding: one volume whose two replicas are vbds of two driver
# domains (blk_t, blkback-acm), drv-a (replica 0) and drv-b (replica 1),
# each over its own file in dom0; a Linux PV guest (bank_a_guest_t) uses it.
#   1. encdom --format writes both replicas; the daemon serves the volume;
#   2. a guest writes pattern A to blocks 1000..1004 and later B to 1003
#      (drv-a kept 1003's ciphertext of A in between); both backing files
#      are then byte-identical;
#   3. inside drv-a, on its own disk (O_DIRECT): a flipped bit (1000), two
#      swapped blocks (1001, 1002), a rolled-back block (1003); dom0 checks
#      that each change landed in drv-a's file and that the files differ;
#   4. a guest reads 1000..1004: no error, the right data (A, B for 1003);
#      encdom logs a repair of replica 0 for each tampered block and none
#      for 1004; drv-a's backing file equals drv-b's again.
# Reads are served from replica 0 first (a failing block is taken from the
# next replica that verifies and rewritten): so the tampered one is drv-a.
. ./dom0-lib.sh
require_enforcing
start_acdom_with_policy

imga=/tmp/backing-a.img imgb=/tmp/backing-b.img
for f in $imga $imgb; do dd if=/dev/zero of=$f bs=1M count=72 2>/dev/null; done
expect "xacm-label labels the drivers' /dev/xvda bank_a_disk" label_path bank_a_disk /dev/xvda drv-a drv-b
DRV_COMMANDS=1 start_blkback_domain drv-a $imga || { fail "no driver domain drv-a"; finish; exit 1; }
DRVA=$DRV
DRV_COMMANDS=1 start_blkback_domain drv-b $imgb || { fail "no driver domain drv-b"; finish; exit 1; }
DRVB=$DRV
# from now on dom0's kernel blkback claims no new vbd (the guest's is encdom's)
echo 0 > /sys/bus/xen-backend/drivers_autoprobe &&
    pass "dom0's kernel blkback claims no new vbd (xen-backend drivers_autoprobe = 0)" ||
    fail "cannot turn off drivers_autoprobe on the xen-backend bus"

# store_vbd NAME DOMID VDEV: attach NAME's /dev/xvda to dom0; prints the
# frontend directory
store_vbd() {
    xl_ block-attach 0 "backend=$1,format=raw,vdev=$3,access=rw,target=/dev/xvda" > "/tmp/attach-$1.log" 2>&1 ||
        { echo "xl block-attach $1: $(cat "/tmp/attach-$1.log")" >&2; return 1; }
    d=$(xenstore-list "/local/domain/$2/backend/vbd/0")
    acm-wait "$2" 0 "$d" 60 allow >&2 || return 1
    echo "/local/domain/0/device/vbd/$d"
}
sa=$(store_vbd drv-a "$DRVA" xvdb) && sb=$(store_vbd drv-b "$DRVB" xvdc) &&
    pass "store vbds $sa (drv-a) and $sb (drv-b) attached; acdom allows both" ||
    { fail "cannot attach the store vbds"; finish; exit 1; }
mkdir -p /tmp/encdom /tmp/encdom-state
spec="name=vol0,store=$sa,store=$sb,key=/tmp/encdom/vol0.key,anchor=/tmp/encdom/vol0.anchor"

# 1. format both replicas, then serve
format_volume vol0 "$spec" || { finish; exit 1; }
grep -q 'of 2 replica(s)' /tmp/format-vol0.log && pass "the volume has 2 replicas" || fail "not 2 replicas"
data_off=$DATA_OFF
start_encdom "$spec" /tmp/encdom.log || { finish; exit 1; }
printf '#!/bin/sh\nexit 0\n' > /tmp/encdom-vbd && chmod +x /tmp/encdom-vbd
disk="disk = [ 'backend=0,backendtype=phy,format=raw,vdev=xvda,access=rw,script=/tmp/encdom-vbd,target=vol0' ]"
label="seclabel='system_u:system_r:bank_a_guest_t'"

# 2. known blocks
GUEST_EXTRA="xacm.phase=write" run_guest mirror1 ./encdom-tamper 300 "$label" "$disk"
rc=$?
[ $rc = 0 ] && pass "a guest wrote blocks 1000..1004 and read them back" || fail "write phase exited $rc"
[ $((data_off % 4096)) = 0 ] && tamper_save "$DRVA" $imga "$data_off" &&
    pass "drv-a kept block 1003's ciphertext (O_DIRECT read of its /dev/xvda)" ||
    fail "no data offset ('$data_off') or drv-a cannot keep block 1003"
GUEST_EXTRA="xacm.phase=write2" run_guest mirror2 ./encdom-tamper 300 "$label" "$disk"
rc=$?
[ $rc = 0 ] && pass "a guest rewrote block 1003" || fail "write2 phase exited $rc"
grep -q XACM-TAMPER-PATTERN $imga $imgb && fail "the pattern is in a backing file in plaintext" ||
    pass "the pattern is in neither backing file"
cmp $imga $imgb && pass "the two replicas' backing files are byte-identical" ||
    fail "the two replicas' backing files differ before any tampering"

# 3. tamper with replica 0, inside drv-a
if tamper "$DRVA" $imga "$data_off"; then
    pass "inside drv-a, on its /dev/xvda with O_DIRECT: flipped a bit of block 1000, swapped 1001 and 1002, rolled 1003 back (each change found in its backing file)"
else
    fail "drv-a's tampering did not land"
fi
drv_console drv-a
blk() { dd if="$1" bs=4096 skip=$((data_off / 4096 + $2)) count=1 2>/dev/null; }
differ=""
for n in 1000 1001 1002 1003 1004; do
    blk $imga $n > /tmp/ma && blk $imgb $n > /tmp/mb && ! cmp -s /tmp/ma /tmp/mb && differ="$differ $n"
done
[ "$differ" = " 1000 1001 1002 1003" ] && pass "the replicas now differ in blocks$differ" ||
    fail "the replicas differ in blocks '$differ', not 1000..1003"

# 4. the guest never sees it; encdom repairs replica 0
GUEST_EXTRA="xacm.phase=readall" run_guest mirror3 ./encdom-tamper 300 "$label" "$disk"
rc=$?
[ $rc = 0 ] && pass "every block read back without an error and with the right data (A; B for 1003)" ||
    fail "read phase exited $rc"
grep -q "INTEGRITY ALERT" /tmp/encdom.log && fail "encdom refused a read: $(grep -m1 'INTEGRITY ALERT' /tmp/encdom.log)"
for n in 1000 1001 1002 1003; do
    line=$(grep "replica 0 of block $n failed verification and was rewritten from a good copy" /tmp/encdom.log | head -n 1)
    [ -n "$line" ] && pass "encdom repaired block $n: ${line#*volume }" || fail "no repair of block $n in encdom's log"
done
grep -q "of block 1004 failed verification" /tmp/encdom.log && fail "a repair of the untouched block 1004"
grep -q "replica 1 of block" /tmp/encdom.log && fail "a repair of the good replica 1"
differ=""
for n in 1000 1001 1002 1003 1004; do
    blk $imga $n > /tmp/ma && blk $imgb $n > /tmp/mb && ! cmp -s /tmp/ma /tmp/mb && differ="$differ $n"
done
[ -z "$differ" ] && pass "blocks 1000..1004 of drv-a's backing file equal drv-b's again (repaired)" ||
    fail "blocks$differ still differ between the replicas"
cmp $imga $imgb && pass "the two backing files are byte-identical again" || fail "the backing files differ"

drv_console drv-b
stop_encdom
echo "--- encdom's log:"
sed 's/^/  | /' /tmp/encdom.log | tail -n 60
xl_ destroy drv-a
xl_ destroy drv-b
kill "$ACDOM"
finish
