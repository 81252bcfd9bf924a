#!/bin/sh
# Runs in the driver domain of t-blkback.sh: blkback-acm serves the vbds
# whose backend is this domain, until dom0 destroys the domain.  The guest
# image has glibc but no Xen libraries: t-blkback.sh puts them in ./lib.
echo "GUEST: driver domain up; starting blkback-acm"
LD_LIBRARY_PATH=$PWD/lib ./blkback-acm $(sed -n "s/.*xacm.blkback=\([^ ]*\).*/\1/p" /proc/cmdline | tr , " ") 2>&1
echo "GUEST: blkback-acm exited $?"
exit 1
