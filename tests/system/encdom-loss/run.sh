#!/bin/sh
# Runs in the PV guests of t-encdom-loss.sh on a disk served by encdom
# (4096-byte sectors).  Record i is block 2048 + i: 4 KiB of the line
# "XACM-LOSS-REC <i> <token>", written with O_DIRECT and fsync (a FLUSH
# through encdom); "FLUSHED <i>" is printed only after that returned.
#   xacm.phase=write xacm.token=T xacm.need-stall=1
#       write records 0, 1, ... until 20 records after one took >= 5 s
#       (encdom stalled while the driver domain was away), at most 1500 s;
#   xacm.phase=write xacm.token=T xacm.secs=S
#       write records for S seconds at least (a mirror fails over: no stall
#       is needed);
#   xacm.phase=read xacm.token=T xacm.count=N
#       read records 0..N-1 with O_DIRECT and check each one's content.
# A failed write or a wrong record exits 1.
set -u
step() { echo "GUEST: $*"; }
arg() { sed -n "s/.*xacm\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
phase=$(arg phase) token=$(arg token) need_stall=$(arg need-stall) secs=$(arg secs) count=$(arg count)
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/xvda ] || { step "no /dev/xvda"; exit 1; }
[ -n "$token" ] || { step "no xacm.token"; exit 1; }
rec() { yes "XACM-LOSS-REC $1 $token" | head -c 4096; }
case "$phase" in
write)
    start=$(date +%s) i=0 stalled=""
    while :; do
        rec $i > /tmp/r
        t0=$(date +%s)
        dd if=/tmp/r of=/dev/xvda bs=4096 seek=$((2048 + i)) count=1 oflag=direct conv=fsync,notrunc 2> /tmp/dd.err ||
            { step "write of record $i FAILED: $(cat /tmp/dd.err)"; exit 1; }
        t1=$(date +%s)
        echo "FLUSHED $i"
        if [ $((t1 - t0)) -ge 5 ]; then
            step "record $i took $((t1 - t0)) s (a stall)"
            [ -n "$stalled" ] || stalled=$i
        fi
        i=$((i + 1))
        if [ "$need_stall" = 1 ]; then
            [ -n "$stalled" ] && [ $i -ge $((stalled + 20)) ] && break
            [ $((t1 - start)) -ge 1500 ] && { step "no stall in 1500 s"; exit 1; }
        else
            [ $((t1 - start)) -ge "${secs:-60}" ] && break
        fi
    done
    step "RECORDS $i written and flushed${stalled:+; first stall at record $stalled}"
    ;;
read)
    bad=0 i=0
    while [ $i -lt "$count" ]; do
        rec $i > /tmp/r
        if ! dd if=/dev/xvda of=/tmp/back bs=4096 skip=$((2048 + i)) count=1 iflag=direct 2> /tmp/dd.err; then
            step "read of record $i FAILED: $(cat /tmp/dd.err)"; bad=$((bad + 1))
        elif ! cmp -s /tmp/back /tmp/r; then
            step "record $i is wrong: $(head -c 60 /tmp/back | tr -cd '[:print:]')"; bad=$((bad + 1))
        fi
        i=$((i + 1))
    done
    step "VERIFIED $((count - bad)) of $count records"
    [ $bad = 0 ] || exit 1
    ;;
*)
    step "no xacm.phase"; exit 1 ;;
esac
exit 0
