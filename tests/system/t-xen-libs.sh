#!/bin/sh
# The four Xen libraries against the real hypervisor, FLASK enforcing.
. ./dom0-lib.sh
require_enforcing
echo "xl list -Z:"; xl_ list -Z
if xen-libs-test; then pass "xen-libs-test (xenstore, evtchn, gnttab, xenctrl)"; else fail "xen-libs-test"; fi
finish
