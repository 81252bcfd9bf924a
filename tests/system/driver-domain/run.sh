#!/bin/sh
# Runs in the driver domain of t-blkback.sh: blkback-acm serves the vbds
# whose backend is this domain, until dom0 destroys the domain.  The guest
# image has glibc but no Xen libraries: t-blkback.sh puts them in ./lib.
#   xacm.blkback=OPT,OPT...  options for blkback-acm
#   xacm.kill-every=SEC      SIGKILL blkback-acm every SEC seconds and start
#                            it again (the restart test), every other time
#                            with XACM_TEST_KILL_AFTER (it kills itself with
#                            I/O in flight first); each kill is logged
#   xacm.kernel-blkback      run Linux's xen-blkback instead (the peer in
#                            benchmarks); dom0 writes each vbd's
#                            physical-device node, as a hotplug script would
#   xacm.commands            while serving, obey dom0's commands (below)
#
# Commands: the hostile driver domain of the tamper tests, acting on its own
# disk /dev/xvda (the disk it serves) with O_DIRECT I/O, so that the
# backend's own O_DIRECT reads see the change.  dom0 writes
# "SEQ VERB ARGS" to /local/domain/<self>/xacm-cmd (only dom0 may write it);
# this domain polls it, runs each new SEQ once and answers "SEQ STATUS" in
# /local/domain/<self>/data/xacm-done (and on its console).  BLOCK is a
# 4096-byte block number of /dev/xvda, NAME a file in /tmp ([a-z0-9]):
#   save BLOCK NAME    keep a copy of BLOCK
#   put NAME BLOCK     write a kept copy over BLOCK
#   flip BLOCK BYTE    flip the lowest bit of byte BYTE (0..4095) of BLOCK
#   swap BLOCK BLOCK   exchange two blocks
#   grant DOMID REF    map DOMID's grant REF writable (must be refused) and
#                      read-only (must work): xacm-grant-probe
#   params FE DEVID PATH  rewrite the params node of its own vbd FE/DEVID
#                      (the driver domain owns its backend directory)
args=$(sed -n "s/.*xacm.blkback=\([^ ]*\).*/\1/p" /proc/cmdline | tr , " ")
every=$(sed -n "s/.*xacm.kill-every=\([0-9]*\).*/\1/p" /proc/cmdline)
export LD_LIBRARY_PATH="$PWD/lib"

# the 4 KiB block $1 of /dev/xvda to /tmp/$2, and back
get_blk() { dd if=/dev/xvda of="/tmp/$2" bs=4096 skip="$1" count=1 iflag=direct 2>/dev/null; }
put_blk() { dd if="/tmp/$1" of=/dev/xvda bs=4096 seek="$2" count=1 oflag=direct conv=notrunc 2>/dev/null; }
sum() { md5sum < "/tmp/$1" | cut -c1-16; }
num() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
name() { case $1 in '' | *[!a-z0-9]*) return 1 ;; esac; }
run_command() {
    case "$1 $#" in
    "save 3") num "$2" && name "$3" && get_blk "$2" "$3" && echo "GUEST: kept block $2 (md5 $(sum "$3"))" ;;
    "put 3") name "$2" && num "$3" && put_blk "$2" "$3" && echo "GUEST: wrote the kept $2 over block $3" ;;
    "flip 3")
        num "$2" && num "$3" && [ "$3" -lt 4096 ] && get_blk "$2" flip || return 1
        b=$(dd if=/tmp/flip bs=1 skip="$3" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
        [ -n "$b" ] || return 1
        # shellcheck disable=SC2059 # the format is the octal escape of the byte
        printf "$(printf '\\%03o' $((b ^ 1)))" | dd of=/tmp/flip bs=1 seek="$3" count=1 conv=notrunc 2>/dev/null
        put_blk flip "$2" && get_blk "$2" flip2 || return 1
        a=$(dd if=/tmp/flip2 bs=1 skip="$3" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
        echo "GUEST: byte $3 of block $2: $b -> $a (read back with O_DIRECT)"
        [ "$a" = $((b ^ 1)) ]
        ;;
    "swap 3")
        num "$2" && num "$3" && get_blk "$2" swap1 && get_blk "$3" swap2 &&
            put_blk swap2 "$2" && put_blk swap1 "$3" &&
            echo "GUEST: swapped blocks $2 (md5 $(sum swap1)) and $3 (md5 $(sum swap2))"
        ;;
    "grant 3") num "$2" && num "$3" && ./xacm-grant-probe "$2" "$3" ;;
    "params 4")
        num "$2" && num "$3" && case $4 in /*) ;; *) return 1 ;; esac &&
            ./xenstore-write "backend/vbd/$2/$3/params" "$4" &&
            echo "GUEST: params of vbd $2/$3 rewritten to $4"
        ;;
    *) echo "GUEST: unknown command: $*"; return 2 ;;
    esac
}
# obey PID: run dom0's commands while PID lives
obey() {
    last=
    while kill -0 "$1" 2>/dev/null; do
        c=$(./xenstore-read xacm-cmd 2>/dev/null)
        if [ -n "$c" ] && [ "$c" != "$last" ]; then
            last=$c seq=${c%% *}
            # shellcheck disable=SC2086 # word splitting is wanted
            run_command ${c#* }
            rc=$?
            echo "GUEST: command $seq (${c#* }): status $rc"
            ./xenstore-write data/xacm-done "$seq $rc" || echo "GUEST: cannot answer command $seq"
        fi
        sleep 0.3
    done
}

if grep -q 'xacm.kernel-blkback' /proc/cmdline; then
    modprobe xen-blkback && echo "GUEST: driver domain up; kernel blkback loaded, serving vbds"
    if grep -q 'xacm.commands' /proc/cmdline; then
        sleep 100000 &
        pid=$!
        obey "$pid"
    fi
    exec sleep 100000
fi
echo "GUEST: driver domain up; starting blkback-acm"
if [ -z "$every" ]; then
    # shellcheck disable=SC2086 # word splitting is wanted
    ./blkback-acm $args 2>&1 &
    pid=$!
    grep -q 'xacm.commands' /proc/cmdline && obey "$pid"
    wait "$pid"
    echo "GUEST: blkback-acm exited $?"
    exit 1
fi
# the shadow of a vbd removed while no daemon ran (domain 32000 never
# existed): the first daemon must remove it, and log so
{ [ -d /run/blkback-acm ] || mkdir -m 700 /run/blkback-acm; } && : > /run/blkback-acm/vbd-32000-51712-q0
n=0
while :; do
    # every other daemon kills itself right after its (20 + 7n)th submission
    # of I/O (XACM_TEST_KILL_AFTER), so that it surely dies with requests
    # unanswered; the others (empty: never) get SIGKILL from here, at any moment
    after=; [ $((n % 2)) = 1 ] && after=$((20 + 7 * n))
    # shellcheck disable=SC2086
    XACM_TEST_KILL_AFTER=$after ./blkback-acm $args 2>&1 &
    pid=$!
    sleep "$every"
    if kill -9 "$pid" 2>/dev/null; then
        how="killed blkback-acm with SIGKILL"
    elif [ $((n % 2)) = 1 ]; then
        how="blkback-acm killed itself after submitting I/O"
    else
        echo "GUEST: blkback-acm died by itself"; exit 1
    fi
    wait "$pid" 2>/dev/null
    n=$((n + 1))
    echo "GUEST: $how ($n), starting it again"
done
