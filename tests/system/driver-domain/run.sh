#!/bin/sh
# Runs in the driver domain of t-blkback.sh: blkback-acm serves the vbds
# whose backend is this domain, until dom0 destroys the domain.  The guest
# image has glibc but no Xen libraries: t-blkback.sh puts them in ./lib.
#   xacm.blkback=OPT,OPT...  options for blkback-acm
#   xacm.kill-every=SEC      SIGKILL blkback-acm every SEC seconds and start
#                            it again (the restart test); each kill is logged
#   xacm.kernel-blkback      run Linux's xen-blkback instead (the peer in
#                            benchmarks); dom0 writes each vbd's
#                            physical-device node, as a hotplug script would
args=$(sed -n "s/.*xacm.blkback=\([^ ]*\).*/\1/p" /proc/cmdline | tr , " ")
every=$(sed -n "s/.*xacm.kill-every=\([0-9]*\).*/\1/p" /proc/cmdline)
if grep -q 'xacm.kernel-blkback' /proc/cmdline; then
    modprobe xen-blkback && echo "GUEST: driver domain up; kernel blkback loaded, serving vbds"
    exec sleep 100000
fi
echo "GUEST: driver domain up; starting blkback-acm"
export LD_LIBRARY_PATH=$PWD/lib
if [ -z "$every" ]; then
    # shellcheck disable=SC2086 # word splitting is wanted
    ./blkback-acm $args 2>&1
    echo "GUEST: blkback-acm exited $?"
    exit 1
fi
n=0
while :; do
    # shellcheck disable=SC2086
    ./blkback-acm $args 2>&1 &
    pid=$!
    sleep "$every"
    kill -9 "$pid" 2>/dev/null || { echo "GUEST: blkback-acm died by itself"; exit 1; }
    wait "$pid" 2>/dev/null
    n=$((n + 1))
    echo "GUEST: killed blkback-acm with SIGKILL ($n), starting it again"
done
