#!/bin/sh
# Runs in each domain of t-policy.sh; the role comes from the kernel command
# line (xacm.role=guest|encdom|driver).  Prints xacm-peer's RESULT lines;
# each run's stderr (libxengnttab's messages about refused maps) is printed
# afterwards so that it cannot split a RESULT line.
role=$(sed -n 's/.*xacm\.role=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "GUEST: role $role"
peer() { ./xacm-peer "$@" 2>"/tmp/peer-$2.err"; }
case "$role" in
guest)
    peer offer ge enc & a=$!
    peer offer gd drv & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    rc=$((ra | rb)) ;;
encdom)
    peer accept ge guest & a=$!
    peer offer ed drv & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    rc=$((ra | rb)) ;;
driver)
    peer offer-evtchn dg guest; ra=$?
    peer accept ed enc; rb=$?
    peer accept gd guest; rc=$?
    rc=$((ra | rb | rc)) ;;
*)
    echo "GUEST: no xacm.role on the command line"; exit 1 ;;
esac
for f in /tmp/peer-*.err; do
    [ -s "$f" ] && sed "s|^|stderr of $(basename "$f" .err): |" "$f"
done
exit $rc
