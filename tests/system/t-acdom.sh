#!/bin/sh
# acdom on the real hypervisor with the project's policy: vbd nodes written
# by xl create / xl block-attach for labelled (paused) guests, resource
# labels written by xacm-label, decisions read back through the backends'
# client library (acm-wait), and the audit chain checked by xacm-audit.
. ./dom0-lib.sh
require_enforcing
expect "xl loadpolicy loads the compiled three-tenants policy" xl_ loadpolicy policy/xenpolicy

for f in a b s o u; do dd if=/dev/zero of=/tmp/$f.img bs=1M count=4 2>/dev/null; done
expect "xacm-label labels /tmp/a.img bank_a_disk" xacm-label set --path /tmp/a.img bank_a_disk
expect "xacm-label labels /tmp/b.img bank_b_disk" xacm-label set --path /tmp/b.img bank_b_disk
expect "xacm-label labels /tmp/s.img shop_disk" xacm-label set --path /tmp/s.img shop_disk
xacm-label list

# guest NAME LABEL DISK: a paused PV guest whose xvda is DISK (served by dom0).
guest() {
    cat > "/tmp/$1.cfg" <<CFG
name = "$1"
type = "pv"
kernel = "/guest/vmlinuz"
memory = 128
seclabel = 'system_u:system_r:$2'
disk = [ 'format=raw,vdev=xvda,access=rw,target=$3' ]
CFG
    xl_ create -p "/tmp/$1.cfg" > "/tmp/$1.log" 2>&1 || { cat "/tmp/$1.log"; return 1; }
}
XVDA=51712 XVDB=51728 XVDC=51744
AUDIT=/var/log/xacm-audit.log
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# 1. acdom not running: a vbd gets no decision, so no backend may connect.
expect "guest ga (bank_a_guest_t) created with a.img" guest ga bank_a_guest_t /tmp/a.img
GA=$(domid_of ga)
if acm-wait 0 "$GA" $XVDA 3; then fail "a decision appeared while acdom was down"; else pass "no decision while acdom is not running"; fi

# 2. acdom starts: it decides every existing vbd.
cp policy/xacm.rules /tmp/xacm.rules
acdom --rules /tmp/xacm.rules --audit $AUDIT > /tmp/acdom.log 2>&1 &
ACDOM=$!
expect "after acdom starts, ga's vbd is allowed" acm-wait 0 "$GA" $XVDA 30 allow
xenstore-read /xacm/decision/0/$GA/$XVDA
expect "the decision node is readable by the frontend and written by acdom only" \
    sh -c "xenstore-ls -p /xacm/decision/0/$GA | grep -q 'n0,r$GA'"

# 3. a mislabelled resource: bank A's guest and the shop's disk.
xl_ block-attach ga "format=raw,vdev=xvdb,access=rw,target=/tmp/s.img" || fail "block-attach s.img"
expect "shop_disk for bank A's guest is denied (no shared type)" acm-wait 0 "$GA" $XVDB 30 deny
xenstore-read /xacm/decision/0/$GA/$XVDB | grep -q 'reason=deny-ste-frontend' &&
    pass "the reason is deny-ste-frontend" || fail "wrong reason: $(xenstore-read /xacm/decision/0/$GA/$XVDB)"

# 4. the Chinese Wall: bank B's guest while bank A's disk is in use.
expect "guest gb (bank_b_guest_t) created with b.img" guest gb bank_b_guest_t /tmp/b.img
GB=$(domid_of gb)
expect "bank B's disk is denied while bank A is active" acm-wait 0 "$GB" $XVDA 30 deny
xenstore-read /xacm/decision/0/$GB/$XVDA | grep -q 'reason=deny-chinese-wall' &&
    pass "the reason is deny-chinese-wall" || fail "wrong reason: $(xenstore-read /xacm/decision/0/$GB/$XVDA)"

# 5. a label in a node another domain owns is ignored and reported.
xacm-label set --path /tmp/o.img bank_a_disk
xenstore-chmod "/xacm/label/path/$(hexs Domain-0)/$(hexs /tmp/o.img)" "n$GA"
xl_ block-attach ga "format=raw,vdev=xvdc,access=rw,target=/tmp/o.img" || fail "block-attach o.img"
expect "a vbd whose label node the guest owns is denied" acm-wait 0 "$GA" $XVDC 30 deny
xenstore-read /xacm/decision/0/$GA/$XVDC | grep -q 'resource=- .*reason=deny-unknown-resource' &&
    pass "the label was ignored (resource=-, deny-unknown-resource)" || fail "$(xenstore-read /xacm/decision/0/$GA/$XVDC)"
grep -q "\"event\":\"label-rejected\",\"fe\":$GA,\"be\":0,\"devid\":$XVDC,\"owner\":$GA" $AUDIT &&
    pass "the audit log reports the rejected label node" || fail "no label-rejected record"

# 5b. the same with a driver-domain backend, which owns the label node: a
#     driver domain (blk_t) runs blkback-acm, which only has to reach InitWait.
dd if=/dev/zero of=/tmp/d.img bs=1M count=4 2>/dev/null
start_blkback_domain drv /tmp/d.img || fail "no driver domain"
xacm-label set --backend drv --path /dev/xvda bank_a_disk
xenstore-chmod "/xacm/label/path/$(hexs drv)/$(hexs /dev/xvda)" "n$DRV"
XVDD=51760
xl_ block-attach ga "backend=drv,format=raw,vdev=xvdd,access=rw,target=/dev/xvda" ||
    { fail "block-attach with the driver domain as backend; the driver domain's console:"
      tr -d '\r' < /var/log/xen/console/guest-drv.log | grep -v '^\[' | tail -n 15; }
expect "a vbd whose label node its driver-domain backend owns is denied" acm-wait "$DRV" "$GA" $XVDD 30 deny
xenstore-read "/xacm/decision/$DRV/$GA/$XVDD" | grep -q 'resource=- .*reason=deny-unknown-resource' &&
    pass "the backend-owned label was ignored" || fail "$(xenstore-read /xacm/decision/$DRV/$GA/$XVDD)"
grep -q "\"event\":\"label-rejected\",\"fe\":$GA,\"be\":$DRV,\"devid\":$XVDD,\"owner\":$DRV" $AUDIT &&
    pass "the audit log reports the label node owned by the backend" ||
    { fail "no label-rejected record for the backend"; grep label-rejected $AUDIT | cut -c 76-; }
# (the driver domain stays up: destroying it while it backs ga's xvdd hangs xl)

# 5c. labels never come from the backend's own directory (issue 18): a vbd
#     directory with a labelled params but no toolstack record of the disk
#     is unlabelled, and a path label of another backend domain does not
#     apply.  12a1bb8 took the label from params: this vbd was allowed.
xenstore-write "/local/domain/0/backend/vbd/$GA/99999/params" /tmp/a.img \
    "/local/domain/0/backend/vbd/$GA/99999/frontend" "/local/domain/$GA/device/vbd/99999"
expect "a vbd with params but no toolstack record is denied as unlabelled" acm-wait 0 "$GA" 99999 30 deny
xenstore-read /xacm/decision/0/$GA/99999 | grep -q 'resource=- rid=- .*reason=deny-unknown-resource' &&
    pass "its decision names no resource (rid=-)" || fail "$(xenstore-read /xacm/decision/0/$GA/99999)"
xenstore-rm "/local/domain/0/backend/vbd/$GA/99999"
xenstore-read "/libxl/$GA/device/vbd/$XVDA/params" | grep -q '^/tmp/a.img$' &&
    pass "libxl keeps its own record of ga's disk (params /tmp/a.img)" ||
    fail "no libxl record: $(xenstore-ls -p "/libxl/$GA/device/vbd/$XVDA" 2>&1 | head -n 20)"
xenstore-ls -p "/libxl/$GA/device/vbd/$XVDA" | grep -E '^(params|backend) ' | sed 's/^/  record: /'
xenstore-read /xacm/decision/0/$GA/$XVDA | grep -q "rid=path-$(hexs /tmp/a.img) " &&
    pass "ga's allow names its resource (rid=path-<hex of /tmp/a.img>)" || fail "$(xenstore-read /xacm/decision/0/$GA/$XVDA)"

# 6. a volume's identity wins over its path: a trusted backend (dom0 here)
#    publishes the UUID of xvdb's volume, which is labelled bank_a_disk.
U=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
xacm-label set --uuid $U bank_a_disk
xenstore-write "/local/domain/0/backend/vbd/$GA/$XVDB/xacm-volume-uuid" $U
expect "xvdb, labelled shop_disk by path, is allowed as bank_a_disk by its volume UUID" \
    acm-wait 0 "$GA" $XVDB 30 allow
xenstore-read /xacm/decision/0/$GA/$XVDB | grep -q 'resource=bank_a_disk' &&
    pass "the decision names the UUID's label" || fail "$(xenstore-read /xacm/decision/0/$GA/$XVDB)"

# 7. label changes revoke: a.img relabelled shop_disk flips ga's xvda to
#    deny, and removing the UUID's label denies xvdb.
xacm-label set --path /tmp/a.img shop_disk
expect "relabelling a.img revokes ga's vbd" acm-wait 0 "$GA" $XVDA 30 deny
xacm-label rm --uuid $U
expect "removing the UUID's label revokes xvdb" acm-wait 0 "$GA" $XVDB 30 deny
# ...which frees the wall: bank B's disk is now allowed
expect "with bank A inactive, bank B's disk is allowed" acm-wait 0 "$GB" $XVDA 30 allow

# 8. restart: decisions survive and the chain continues.
kill "$ACDOM"; wait "$ACDOM" 2>/dev/null
acdom --rules /tmp/xacm.rules --audit $AUDIT > /tmp/acdom2.log 2>&1 &
ACDOM=$!
sleep 3
expect "after a restart gb's vbd is still allowed" acm-wait 0 "$GB" $XVDA 30 allow
expect "after a restart ga's xvdb is still denied" acm-wait 0 "$GA" $XVDB 30 deny

# 9. a policy reload (SIGHUP) that makes bank_b_disk a shop disk revokes gb's vbd.
cp policy-v2/xacm.rules /tmp/xacm.rules
kill -HUP "$ACDOM"
expect "after the policy reload gb's vbd is revoked" acm-wait 0 "$GB" $XVDA 30 deny
v2=$(sed -n 's/^sha256 \(.\{16\}\).*/\1/p' policy-v2/xacm.rules)
xenstore-read /xacm/decision/0/$GB/$XVDA | grep -q "policy=$v2 decision=deny reason=deny-ste-frontend" &&
    pass "the decision names the new policy version $v2" || fail "$(xenstore-read /xacm/decision/0/$GB/$XVDA)"
kill "$ACDOM"; wait "$ACDOM" 2>/dev/null
[ "$(grep -c '"event":"policy-load"' $AUDIT)" = 3 ] && pass "the audit log records the three policy loads" ||
    fail "policy loads: $(grep -c '"event":"policy-load"' $AUDIT)"
[ "$(grep -c '"event":"label-rejected","fe":'"$GA"',"be":0,"devid":'$XVDC $AUDIT)" = 2 ] &&
    pass "a rejected label node is reported once per acdom run, not on every rescan" ||
    fail "label-rejected records for xvdc: $(grep -c '"event":"label-rejected","fe":'"$GA"',"be":0,"devid":'$XVDC $AUDIT)"
[ "$(grep -c '"event":"start"' $AUDIT)" = 2 ] && pass "the audit log holds both starts" || fail "starts: $(grep -c '"event":"start"' $AUDIT)"
expect "xacm-audit verify: the chain is intact across the restart" xacm-audit verify $AUDIT
sed 's/"decision":"deny"/"decision":"allow"/' $AUDIT > /tmp/forged.log
if xacm-audit verify /tmp/forged.log; then fail "a forged log verified"; else pass "a forged audit log fails verification"; fi
echo "--- audit log:"; cut -c 76- $AUDIT | head -n 30
echo "--- acdom's log:"; cat /tmp/acdom.log /tmp/acdom2.log
finish
