#!/bin/bash
# blkback-acm's command line: every numeric option takes only a plain
# decimal number in its range, and anything else is a usage error (status
# 2) whose message names the option, instead of a silent 0.  Good options
# get past parsing: the daemon then stops at XenStore (status 1, no Xen
# here) or at the state directory.  Run by make check from the build
# directory; needs no Xen.
set -u
B=${BLKBACK_ACM:-./blkback-acm/blkback-acm}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0 failed=0

# check STATUS PATTERN ARGS...: blkback-acm ARGS exits STATUS and says PATTERN
check() {
    local want=$1 pat=$2 out rc
    shift 2
    out=$("$B" --state-dir "$T/state" "$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ] && grep -q -- "$pat" <<< "$out"; then
        echo "PASS: $*"; passed=$((passed + 1))
    else
        echo "FAIL: $* (status $rc, want $want and '$pat'; output: $out)"; failed=$((failed + 1))
    fi
}

check 0 "poll-us" --help
for bad in abc -5 1x 007 "" 1000001 99999999999999999999; do
    check 2 "poll-us takes a number from 0 to 1000000, not \"$bad\"" --poll-us "$bad"
done
check 2 "max-queues takes a number from 1 to 8, not \"0\"" --max-queues 0
check 2 "max-queues takes a number from 1 to 8, not \"9\"" --max-queues 9
check 2 "max-indirect takes a number from 0 to 4096, not \"4097\"" --max-indirect 4097
check 2 "max-ring-order takes a number from 0 to 4, not \"5\"" --max-ring-order 5
check 2 "sector-size takes 512 or 4096" --sector-size 1024
check 2 "sector-size takes a number from 512 to 4096, not \"4k\"" --sector-size 4k
check 2 "unexpected argument \"extra\"" --poll-us 10 extra
check 2 "usage:" --no-such-option
check 2 "max-persistent takes a number from 1 to 16777216, not \"0\"" --max-persistent 0
check 2 "max-persistent takes a number from 1 to 16777216, not \"16777217\"" --max-persistent 16777217
check 2 "max-persistent takes a number from 1 to 16777216, not \"1k\"" --max-persistent 1k
# good values pass; with no XenStore here the daemon then stops with 1
# (in a Xen domain it would start serving: not tried there)
if [ -e /dev/xen/xenbus ] || [ -S /run/xenstored/socket ] || [ -S /var/run/xenstored/socket ]; then
    echo "SKIP: good options (XenStore is here, the daemon would serve)"
else
    check 1 "cannot open XenStore" --poll-us 1000000 --max-queues 8 --max-indirect 0 \
        --max-ring-order 0 --sector-size 4096 --no-discard --no-acdom --max-persistent 64
fi
echo "t-options: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
