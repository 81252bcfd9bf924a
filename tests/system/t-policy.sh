#!/bin/sh
# The project's policy on the real hypervisor: loaded with xl loadpolicy, it
# labels a guest, an encdom and a driver domain; FLASK lets guest<->encdom
# and encdom<->driver share grants and event channels, and refuses the
# driver every grant map and event channel with the guest.  The attempts are
# real: xacm-peer runs inside the three domains (see peer-guest/run.sh).
. ./dom0-lib.sh
require_enforcing
expect "xl loadpolicy loads the compiled three-tenants policy" xl_ loadpolicy policy/xenpolicy
xl_ dmesg -c > /dev/null

GUEST_MEMORY=192
GUEST_EXTRA=xacm.role=guest start_guest pguest ./peer-guest "seclabel='system_u:system_r:bank_a_guest_t'"
GUEST_EXTRA=xacm.role=encdom start_guest penc ./peer-guest "seclabel='system_u:system_r:enc_t'"
GUEST_EXTRA=xacm.role=driver start_guest pdrv ./peer-guest "seclabel='system_u:system_r:blk_t'"
g=$(domid_of pguest) e=$(domid_of penc) d=$(domid_of pdrv)
echo "domains: guest $g, encdom $e, driver $d"
# Tell each domain the others' ids, in nodes only it (and dom0) may read.
for id in $g $e $d; do
    xenstore-write "/local/domain/$id/xacm-test/guest" "$g" "/local/domain/$id/xacm-test/enc" "$e" \
        "/local/domain/$id/xacm-test/drv" "$d"
    xenstore-chmod -r "/local/domain/$id/xacm-test" n0 "r$id"
done
xl_ list -Z | tee /tmp/list-Z
for label in bank_a_guest_t enc_t blk_t; do
    grep -q "system_u:system_r:$label\$" /tmp/list-Z && pass "xl list -Z shows a domain labelled $label" ||
        fail "no domain labelled $label in xl list -Z"
done

for name in pguest penc pdrv; do
    wait_guest "$name" 120 || fail "domain $name exited $?"
done
xl_ dmesg > /tmp/dmesg
echo "--- hypervisor's AVC messages:"
grep 'avc:' /tmp/dmesg | head -n 20

# check_result GUEST TAG PATTERN DESCRIPTION
check_result() {
    r=$(guest_result "$1" "$2")
    case "$r" in
    *"$3"*) pass "$4: $r" ;;
    *) fail "$4: got \"$r\", wanted \"$3\"" ;;
    esac
}
check_result penc ge "map=ok bind=ok" "encdom maps the guest's grant and binds its event channel"
check_result pguest ge "offer-evtchn=ok acked=yes notified=yes" "the guest sees the encdom's write and notification"
check_result pdrv ed "map=ok bind=ok" "driver maps the encdom's grant and binds its event channel"
check_result penc ed "offer-evtchn=ok acked=yes notified=yes" "the encdom sees the driver's write and notification"
# Xen answers GNTST_permission_denied; Linux's gntdev reports it as EINVAL.
check_result pdrv gd "map=denied(22) bind=none" "the driver's map of the guest's grant is refused"
check_result pdrv dg "offer-evtchn=denied(13)" "the driver's event channel to the guest is refused with EACCES"
check_result pguest gd "offer-evtchn=denied(13) acked=no" "the guest's event channel to the driver is refused with EACCES"
if grep 'avc:  denied  { map_read' /tmp/dmesg | grep -q 'scontext=system_u:system_r:blk_t tcontext=system_u:system_r:bank_a_guest_t tclass=grant'; then
    pass "xl dmesg holds the AVC denial of the driver's grant map"
else
    fail "no AVC denial of grant map_read from blk_t to bank_a_guest_t in xl dmesg"
fi
if grep 'avc:  denied  { bind }' /tmp/dmesg | grep -q 'scontext=system_u:object_r:blk_t_channel tcontext=system_u:system_r:bank_a_guest_t tclass=event'; then
    pass "xl dmesg holds the AVC denial of the driver's event channel"
else
    fail "no AVC denial of event bind from blk_t_channel to bank_a_guest_t in xl dmesg"
fi
if grep 'avc:  denied' /tmp/dmesg | grep -E 'scontext=system_u:(system|object)_r:(enc_t|bank_a_guest_t|blk_t)(_channel)? tcontext=system_u:system_r:(enc_t|bank_a_guest_t|blk_t)' |
    grep -v -E 'blk_t(_channel)? tcontext=system_u:system_r:bank_a_guest_t|bank_a_guest_t(_channel)? tcontext=system_u:system_r:blk_t'; then
    fail "an allowed edge produced an AVC denial"
else
    pass "no AVC denial on the allowed edges"
fi
finish
