#!/bin/sh
# Run by a boot whose command line asks to weaken FLASK (see run.sh): the
# patched hypervisor must still enforce, say so on its console, and refuse to
# switch to permissive at run time.
. ./dom0-lib.sh
cmdline=$(xl_ info | sed -n 's/^xen_commandline *: //p')
echo "Xen command line: $cmdline"
require_enforcing
xl_ dmesg > /tmp/xl-dmesg
for opt in $cmdline; do
    case "$opt" in
    xsm=*) key=XSM ;;
    flask=enforcing) continue ;;
    flask=*) key=Flask ;;
    *) continue ;;
    esac
    if grep -q "$key: ignoring \"$opt\"" /tmp/xl-dmesg; then
        pass "the console says \"$opt\" was ignored"
    else
        fail "no console message for \"$opt\""
    fi
done
grep -i -E 'flask|xsm' /tmp/xl-dmesg | head -n 8
xl_ setenforce 0 > /tmp/setenforce.out 2>&1
rc=$?
cat /tmp/setenforce.out
[ $rc != 0 ] && pass "xl setenforce 0 is refused (status $rc)" || fail "xl setenforce 0 succeeded"
[ "$(xl_ getenforce)" = Enforcing ] && pass "still enforcing after the attempt" || fail "enforcement was turned off"
finish
