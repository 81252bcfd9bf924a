#!/bin/sh
# Runs in each domain of t-policy.sh; the role comes from the kernel command
# line (xacm.role=guest|encdom|driver).  Prints xacm-peer's RESULT lines.
role=$(sed -n 's/.*xacm\.role=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "GUEST: role $role, domid $(cat /sys/hypervisor/uuid 2>/dev/null | head -c 8)..."
case "$role" in
guest)
    ./xacm-peer offer ge enc & a=$!
    ./xacm-peer offer gd drv & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    exit $((ra | rb)) ;;
encdom)
    ./xacm-peer accept ge guest & a=$!
    ./xacm-peer offer ed drv & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    exit $((ra | rb)) ;;
driver)
    ./xacm-peer accept ed enc & a=$!
    ./xacm-peer accept gd guest & b=$!
    ./xacm-peer offer-evtchn dg guest & c=$!
    wait $a; ra=$?; wait $b; rb=$?; wait $c; rc=$?
    exit $((ra | rb | rc)) ;;
*)
    echo "GUEST: no xacm.role on the command line"; exit 1 ;;
esac
