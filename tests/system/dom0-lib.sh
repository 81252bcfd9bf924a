# shellcheck shell=sh
# dom0-lib.sh - helpers for system tests running in the testbed's dom0
# (busybox sh).  Sourced by each tests/system/t-*.sh.
#
# A test reports with pass/fail and ends with "finish", which exits non-zero
# if anything failed.  Every wait is bounded; xl is wrapped in timeout.

T_PASSED=0
T_FAILED=0

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok: $*"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL: $*"; }
# expect DESCRIPTION COMMAND...: pass if COMMAND succeeds.
expect() {
    d=$1; shift
    if "$@"; then pass "$d"; else fail "$d (status $?: $*)"; fi
}
finish() {
    echo "$(basename "$0"): $T_PASSED passed, $T_FAILED failed"
    [ "$T_FAILED" = 0 ] && [ "$T_PASSED" -gt 0 ]
}
xl_() { timeout 60 xl "$@"; }
# label_path LABEL PATH DOMAIN...: label the backing PATH of each named
# backend domain (a path label binds to one backend domain's name).
label_path() {
    l=$1 p=$2; shift 2
    for d in "$@"; do xacm-label set --backend "$d" --path "$p" "$l" || return 1; done
}
# domid_of NAME: the domain's id; xl once crashed under load on
# the testbed (a lazy-FPU fault, fixed; docs/testbed.md), so try a few times.
domid_of() {
    for _ in 1 2 3 4 5; do
        id=$(xl_ domid "$1" 2>/dev/null) && [ -n "$id" ] && { echo "$id"; return 0; }
        sleep 0.5
    done
    return 1
}

# dom0_integrity_start / dom0_integrity_check: while guests run, dom0 keeps
# compressing and checking a binary.  A lazy-FPU bug of Xen under QEMU TCG
# once leaked register state between domains and broke dom0 programs at
# random (docs/testbed.md); this catches any such platform fault.
dom0_integrity_start() {
    rm -f /tmp/integrity.bad /tmp/integrity.rounds
    (
        n=0
        while [ ! -e /tmp/integrity.stop ]; do
            n=$((n + 1))
            gzip -c /usr/sbin/xl 2>/dev/null | gunzip 2>/dev/null | cmp -s - /usr/sbin/xl || echo "round $n" >> /tmp/integrity.bad
            echo $n > /tmp/integrity.rounds
        done
    ) &
    INTEGRITY_PID=$!
}
dom0_integrity_check() {
    touch /tmp/integrity.stop; wait "$INTEGRITY_PID"; rm -f /tmp/integrity.stop
    rounds=$(cat /tmp/integrity.rounds 2>/dev/null || echo 0)
    bad=$(grep -c . /tmp/integrity.bad 2>/dev/null || echo 0)
    if [ "$rounds" -gt 0 ] && [ "$bad" = 0 ]; then
        pass "dom0 user space stayed intact while the guest ran ($rounds gzip round trips of xl)"
    else
        fail "dom0 user space was corrupted while the guest ran: $bad of $rounds gzip round trips failed"
    fi
}

# require_enforcing: stop the test unless FLASK enforces (the premise of all).
require_enforcing() {
    mode=$(xl_ getenforce)
    echo "xl getenforce: $mode"
    [ "$mode" = Enforcing ] && pass "FLASK is enforcing" || { fail "FLASK is not enforcing ($mode)"; finish; exit 1; }
}

# guest_initrd DIR OUT: the testbed guest's initramfs plus DIR as /test
# (DIR must hold an executable run.sh); with GUEST_FIO=1, fio too.
guest_initrd() {
    rm -rf /tmp/guest-overlay && mkdir -p /tmp/guest-overlay/test
    cp -a "$1/." /tmp/guest-overlay/test/
    chmod +x /tmp/guest-overlay/test/run.sh
    {
        cat /guest/initrd.cpio
        [ "${GUEST_FIO:-0}" = 1 ] && cat /guest/fio.cpio
        (cd /tmp/guest-overlay && find . | cpio -o -H newc 2>/dev/null)
    } > "$2"
}

# start_guest NAME TESTDIR [XL-CONFIG-LINE...]: boot a PV guest that runs
# TESTDIR/run.sh; returns at once.  GUEST_MEMORY (MiB, default 256),
# GUEST_VCPUS (default 2), GUEST_EXTRA (more kernel command line) and
# GUEST_FIO=1 adjust it.
start_guest() {
    name=$1 dir=$2; shift 2
    guest_initrd "$dir" "/tmp/$name.initrd"
    {
        echo "name = \"$name\""
        echo 'type = "pv"'
        echo 'kernel = "/guest/vmlinuz"'
        echo "ramdisk = \"/tmp/$name.initrd\""
        echo "extra = \"console=hvc0 loglevel=4 ${GUEST_EXTRA:-}\""
        echo "memory = ${GUEST_MEMORY:-256}"
        echo "vcpus = ${GUEST_VCPUS:-2}"
        echo 'on_poweroff = "destroy"'
        echo 'on_crash = "destroy"'
        for line in "$@"; do echo "$line"; done
    } > "/tmp/$name.cfg"
    rm -f "/var/log/xen/console/guest-$name.log"
    if ! xl_ create "/tmp/$name.cfg" > "/tmp/$name.create.log" 2>&1; then
        echo "xl create $name failed:"; cat "/tmp/$name.create.log"
        return 125
    fi
}

# wait_guest NAME TIMEOUT: wait for the guest started by start_guest to
# finish, print its console, and return its exit status (124 on timeout,
# 125 if it never reported one).
wait_guest() {
    name=$1 limit=$2
    log=/var/log/xen/console/guest-$name.log
    # wall-clock bound: under load each poll costs more than its sleep
    end=$(($(date +%s) + limit)) timed_out=1
    while [ "$(date +%s)" -lt $end ]; do
        grep -q '^GUEST-EXIT=' "$log" 2>/dev/null && { timed_out=0; break; }
        sleep 0.2
    done
    # let the guest power itself off, then make sure it is gone
    j=0; while xl_ domid "$name" >/dev/null 2>&1 && [ $j -lt 50 ]; do sleep 0.1; j=$((j + 1)); done
    xl_ destroy "$name" >/dev/null 2>&1
    echo "--- console of guest $name"
    tr -d '\r' < "$log" 2>/dev/null | grep -v '^\[' | sed 's/^/  | /'
    echo "---"
    rc=$(tr -d '\r' < "$log" 2>/dev/null | sed -n 's/^GUEST-EXIT=\([0-9]*\)$/\1/p' | tail -n 1)
    if [ -z "$rc" ]; then
        [ $timed_out = 1 ] && return 124
        return 125
    fi
    return "$rc"
}

# run_guest NAME TESTDIR TIMEOUT [XL-CONFIG-LINE...]: start_guest + wait_guest.
run_guest() {
    name=$1 dir=$2 limit=$3; shift 3
    start_guest "$name" "$dir" "$@" || return $?
    wait_guest "$name" "$limit"
}

# guest_result NAME TAG: the "RESULT TAG ..." line a guest printed.
guest_result() {
    tr -d '\r' < "/var/log/xen/console/guest-$1.log" 2>/dev/null | grep "^RESULT $2 " | tail -n 1
}

# start_blkback_domain NAME IMG... : a driver domain (blk_t) running
# blkback-acm, whose own disks xvda, xvdb... are the dom0 files IMG...
# (served by dom0's kernel blkback).  BLKBACK_ARGS (comma-separated
# blkback-acm options) and KILL_EVERY (seconds; the restart test) go to the
# driver domain's command line; KERNEL_BLKBACK=1 runs Linux's xen-blkback
# there instead (see kernel_blkback_attach); DRV_COMMANDS=1 makes it obey
# drv_cmd; DRV_VCPUS sets its vCPUs (default 2).  Sets DRV to its domid;
# fails (after printing its console) unless blkback-acm came up.
start_blkback_domain() {
    name=$1; shift
    stage_blkback_acm
    disks="" letter=a
    for img in "$@"; do
        disks="$disks${disks:+, }'format=raw,vdev=xvd$letter,access=rw,target=$img'"
        letter=$(echo $letter | tr a-y b-z)
    done
    GUEST_EXTRA="${BLKBACK_ARGS:+xacm.blkback=$BLKBACK_ARGS} ${KILL_EVERY:+xacm.kill-every=$KILL_EVERY} ${KERNEL_BLKBACK:+xacm.kernel-blkback} ${DRV_COMMANDS:+xacm.commands}" \
        GUEST_VCPUS=${DRV_VCPUS:-2} GUEST_MEMORY=192 start_guest "$name" ./driver-domain "seclabel='system_u:system_r:blk_t'" \
        "disk = [ $disks ]" || return 1
    log=/var/log/xen/console/guest-$name.log
    i=0; while ! grep -q 'serving vbds' "$log" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    DRV=$(domid_of "$name")
    if [ -z "$DRV" ] || ! grep -q 'serving vbds' "$log"; then
        echo "blkback-acm did not start in the driver domain $name; its console:"
        tr -d '\r' < "$log" | grep -v '^\[' | tail -n 20
        return 1
    fi
    echo "driver domain $name ($DRV) is up"
}

# drv_cmd DOMID VERB ARGS...: have the driver domain DOMID (started with
# DRV_COMMANDS=1) run one command of driver-domain/run.sh on its own disk;
# succeeds if it answered with status 0 within 60 s.  dom0 writes the
# command node, readable by that domain, writable by dom0 only.
DRV_SEQ=0
drv_cmd() {
    d=$1; shift
    DRV_SEQ=$((DRV_SEQ + 1))
    xenstore-write "/local/domain/$d/xacm-cmd" "$DRV_SEQ $*" &&
        xenstore-chmod "/local/domain/$d/xacm-cmd" n0 "r$d" || return 1
    end=$(($(date +%s) + 60))
    while [ "$(date +%s)" -lt $end ]; do
        case "$(xenstore-read "/local/domain/$d/data/xacm-done" 2>/dev/null)" in
        "$DRV_SEQ 0") return 0 ;;
        "$DRV_SEQ "*) return 1 ;;
        esac
        sleep 0.2
    done
    echo "driver domain $d did not answer command $DRV_SEQ ($*)"
    return 1
}

# The tamper cases of the encdom tests, done by a driver domain DOMID
# (started with DRV_COMMANDS=1) on its own disk, whose backing file in dom0
# is IMG; DATA_OFF is the volume's data offset on that disk (a multiple of
# 4096); block numbers below are the volume's.
# tamper_save DOMID IMG DATA_OFF: the driver domain keeps block 1003's
# ciphertext (dom0 copies IMG's, to check the rollback against).
tamper_save() {
    b=$(($3 / 4096 + 1003))
    drv_cmd "$1" save $b old1003 &&
        dd if="$2" of="/tmp/old-1003.$1" bs=4096 skip=$b count=1 2>/dev/null
}
# tamper DOMID IMG DATA_OFF: the driver domain flips one bit of block 1000,
# swaps 1001 and 1002 and writes the kept ciphertext over 1003; dom0 then
# checks in IMG that exactly these changes landed.
tamper() {
    d=$1 img=$2 base=$(($3 / 4096))
    for n in 1000 1001 1002 1003; do
        dd if="$img" of="/tmp/pre-$n.$d" bs=4096 skip=$((base + n)) count=1 2>/dev/null || return 1
    done
    drv_cmd "$d" flip $((base + 1000)) 100 && drv_cmd "$d" swap $((base + 1001)) $((base + 1002)) &&
        drv_cmd "$d" put old1003 $((base + 1003)) || { echo "the driver domain failed a command"; return 1; }
    for n in 1000 1001 1002 1003; do
        dd if="$img" of="/tmp/post-$n.$d" bs=4096 skip=$((base + n)) count=1 2>/dev/null || return 1
    done
    diff=$(cmp -l "/tmp/pre-1000.$d" "/tmp/post-1000.$d")
    # shellcheck disable=SC2086 # one line: offset (from 1), old and new byte in octal
    set -- $diff
    [ $# = 3 ] && [ "$1" = 101 ] && [ $((0$2 ^ 0$3)) = 1 ] ||
        { echo "block 1000 in $img: not one flipped bit at byte 100: $diff"; return 1; }
    ! cmp -s "/tmp/pre-1001.$d" "/tmp/pre-1002.$d" && cmp -s "/tmp/post-1001.$d" "/tmp/pre-1002.$d" &&
        cmp -s "/tmp/post-1002.$d" "/tmp/pre-1001.$d" || { echo "blocks 1001 and 1002 in $img are not swapped"; return 1; }
    ! cmp -s "/tmp/pre-1003.$d" "/tmp/old-1003.$d" && cmp -s "/tmp/post-1003.$d" "/tmp/old-1003.$d" ||
        { echo "block 1003 in $img is not rolled back"; return 1; }
}
# drv_console NAME: the driver domain's console lines from its run.sh
drv_console() {
    echo "--- driver domain $1 (its run.sh):"
    tr -d '\r' < "/var/log/xen/console/guest-$1.log" | grep '^GUEST' | sed 's/^/  | /' | tail -n 30
}

# wait_node PATH VALUE SECONDS: wait (bounded) until XenStore's PATH holds
# VALUE.  Sets WAITED to the tenths of a second it took.
wait_node() {
    WAITED=0
    while [ "$(xenstore-read "$1" 2>/dev/null)" != "$2" ] && [ $WAITED -lt $(($3 * 10)) ]; do
        sleep 0.1; WAITED=$((WAITED + 1))
    done
}

# kernel_blkback_attach DRV FE: what a hotplug script in the driver domain
# would do for Linux's blkback: point each of FE's vbds on DRV at the
# driver's /dev/xvda (202:0).  Waits (bounded) for the vbds to appear.
kernel_blkback_attach() {
    i=0
    while [ -z "$(xenstore-list "/local/domain/$1/backend/vbd/$2" 2>/dev/null)" ] && [ $i -lt 300 ]; do
        sleep 0.1; i=$((i + 1))
    done
    for d in $(xenstore-list "/local/domain/$1/backend/vbd/$2" 2>/dev/null); do
        xenstore-write "/local/domain/$1/backend/vbd/$2/$d/physical-device" ca:0
    done
}

# revocation NAME BE SECLABEL-LINE DISK-LINE COMMAND...: acdom revokes a
# connected vbd.  A guest whose xvda (DISK-LINE, backend domain BE) is
# allowed reads and writes it (revoke-guest/run.sh), then idles; COMMAND
# (a label change) must make acdom deny the vbd, the backend close it
# (state 6) and say why in xacm-error, and the guest lose the disk.
revocation() {
    name=$1 be=$2 label=$3 disk=$4; shift 4
    start_guest "$name" ./revoke-guest "$label" "$disk" || { fail "$name: xl create failed"; return; }
    G=$(domid_of "$name") log=/var/log/xen/console/guest-$name.log
    be_dir=/local/domain/$be/backend/vbd/$G/51712
    end=$(($(date +%s) + 180))
    while ! grep -q 'revoke-ready\|^GUEST-EXIT=' "$log" 2>/dev/null && [ "$(date +%s)" -lt $end ]; do sleep 0.2; done
    if grep -q 'revoke-ready' "$log" && [ "$(xenstore-read "$be_dir/state" 2>/dev/null)" = 4 ]; then
        pass "$name: allowed, connected, its disk written and read back"
    else
        fail "$name: the guest never used its disk (backend state $(xenstore-read "$be_dir/state" 2>/dev/null))"
        wait_guest "$name" 10
        return
    fi
    "$@" || fail "$name: '$*' failed"
    expect "$name: after '$*' acdom revokes the connected vbd" acm-wait "$be" "$G" 51712 60 deny
    wait_node "$be_dir/state" 6 30
    st=$(xenstore-read "$be_dir/state" 2>/dev/null) err=$(xenstore-read "$be_dir/xacm-error" 2>/dev/null)
    [ "$st" = 6 ] && pass "$name: the backend closed the connected vbd within $((WAITED / 10)) s" ||
        fail "$name: backend state $st 30 s after the revocation"
    case "$err" in *"access revoked by acdom"*) pass "$name: and says why: $err" ;;
    *) fail "$name: xacm-error is '$err'" ;; esac
    wait_guest "$name" 150
    rc=$?
    [ $rc = 0 ] && pass "$name: the guest lost its disk: $(tr -d '\r' < "$log" | grep -o 'a read of block 10 after.*')" ||
        fail "$name: the guest's revocation check exited $rc"
}

# format_volume NAME SPEC: format, label the UUID; sets UUID and DATA_OFF
format_volume() {
    if timeout 300 encdom --format --size 67108864 --volume "$2" > "/tmp/format-$1.log" 2>&1; then
        pass "encdom --format: $(grep '^formatted' "/tmp/format-$1.log")"
    else
        fail "encdom --format $1:"; cat "/tmp/format-$1.log"; return 1
    fi
    UUID=$(sed -n "s/^formatted $1: uuid \([0-9a-f-]*\),.*/\1/p" "/tmp/format-$1.log")
    # shellcheck disable=SC2034 # for the tests that source this
    DATA_OFF=$(sed -n 's/.*data at byte \([0-9]*\) .*/\1/p' "/tmp/format-$1.log")
    expect "xacm-label labels volume $UUID bank_a_disk" xacm-label set --uuid "$UUID" bank_a_disk
}

# start_encdom SPEC LOG [N]: the daemon (its log appended to LOG), until
# LOG holds N (default 1) 'serving vbds' lines; sets ENCDOM
start_encdom() {
    # the log exists before the wait below reads it (the redirection of a
    # background job may come later: then grep failed and the wait ended)
    : >> "$2"
    encdom --volume "$1" --state-dir /tmp/encdom-state >> "$2" 2>&1 &
    ENCDOM=$!
    i=0; while [ "$(grep -c 'serving vbds' "$2")" -lt "${3:-1}" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(grep -c 'serving vbds' "$2")" -ge "${3:-1}" ] && pass "encdom serves ($(grep 'replica(s)' "$2" | tail -n 1 | sed 's/.*volume //'))" ||
        { fail "encdom did not start"; cat "$2"; return 1; }
}

# stop_encdom [LOG]: SIGTERM (it flushes and closes), SIGKILL after 20 s.
# With LOG: its first store must have sent writes straight from the
# read-only write pool (encrypted in place, no copy toward the driver
# domain), as encdom reports at exit.
stop_encdom() {
    kill "$ENCDOM"
    i=0; while kill -0 "$ENCDOM" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$ENCDOM" 2>/dev/null && { fail "encdom ignored SIGTERM"; kill -9 "$ENCDOM"; }
    wait "$ENCDOM"
    [ -n "${1:-}" ] || return 0
    line=$(grep 'bytes written straight from the read-only write pool' "$1" | tail -n 1)
    direct=$(echo "$line" | sed -n 's/.*: \([0-9]*\) bytes written straight.*/\1/p')
    [ "${direct:-0}" -gt 0 ] && pass "encdom encrypted into pages the driver domain can only read, and sent them without a copy: ${line#*store }" ||
        fail "no writes from the read-only write pool: '$line'"
}

# start_acdom_with_policy: load the project's compiled policy into Xen and
# start acdom on its rules (audit in /tmp/audit.log); sets ACDOM to its pid.
start_acdom_with_policy() {
    expect "xl loadpolicy loads the compiled three-tenants policy" xl_ loadpolicy policy/xenpolicy
    cp policy/xacm.rules /tmp/xacm.rules
    acdom --rules /tmp/xacm.rules --audit /tmp/audit.log > /tmp/acdom.log 2>&1 &
    # shellcheck disable=SC2034 # the tests that source this kill it
    ACDOM=$!
}

# stage_blkback_acm: put blkback-acm and the libraries it needs (the guest
# image has none of Xen's) into ./driver-domain for a driver domain's boot.
stage_blkback_acm() {
    mkdir -p driver-domain/lib
    cp bin/blkback-acm driver-domain/
    # its XenStore client, for drv_cmd
    cp /usr/bin/xenstore-read /usr/bin/xenstore-write driver-domain/
    for l in xenstore.so.4 xengnttab.so.1 xenevtchn.so.1 xentoolcore.so.1 xentoollog.so.1 uring.so.2; do
        # dom0's own libraries are in /usr/lib; those the payload brought, in /lib
        cp /usr/lib/x86_64-linux-gnu/lib$l driver-domain/lib/ 2>/dev/null ||
            cp /lib/x86_64-linux-gnu/lib$l driver-domain/lib/
    done
}
