#!/bin/sh
# Runs in t-blkback-hostile.sh's hostile guest, booted with xacm.noblkfront
# (the kernel's blkfront is not loaded): hostile-front drives the guest's vbd
# from user space and misbehaves on purpose.  Its RESULT lines are the test;
# its stderr is printed afterwards so that it cannot split a RESULT line.
marker=$(sed -n 's/.*xacm\.marker=\([^ ]*\).*/\1/p' /proc/cmdline)
# xacm.malformed=NODE=VALUE: hostile-front writes it when connecting, and
# the backend must refuse the connection
malformed=$(sed -n 's/.*xacm\.malformed=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -e /sys/module/xen_blkfront ] || [ -b /dev/xvda ]; then
    echo "GUEST: the kernel's blkfront is loaded; hostile-front needs the vbd to itself"
    exit 1
fi
echo "GUEST: no kernel blkfront; running hostile-front"
./hostile-front ${marker:+--marker "$marker"} ${malformed:+--malformed "$malformed"} --hold 2>/tmp/hostile.err
rc=$?
[ -s /tmp/hostile.err ] && sed 's/^/stderr of hostile-front: /' /tmp/hostile.err
exit $rc
