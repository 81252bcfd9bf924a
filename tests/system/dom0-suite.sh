#!/bin/sh
# dom0-suite.sh TEST...: run system tests in dom0, one after another.
# Prints "SYSTEST <name> PASS|FAIL" per test; exits 1 if any failed.
failed=0
for t in "$@"; do
    echo "=== $t"
    if sh "./$t"; then r=PASS; else r=FAIL; failed=1; fi
    echo "SYSTEST $t $r"
done
exit $failed
