#!/bin/bash
# bench/blkback-bench.sh BUILD_DIR DOCS_DIR - blkback-acm against Linux's
# in-kernel blkback, in one boot of the real-Xen testbed (QEMU TCG, FLASK
# enforcing): a Linux PV guest runs the same fio jobs through each, both
# backends in alike driver domains serving alike backing files, job by job
# in turn for BENCH_ROUNDS rounds (default 3; BENCH_SECONDS per job,
# default 8; DRV_VCPUS per driver domain, default 2).  Prints and writes
# DOCS_DIR/performance-blkback.md.  Called by "make bench-blkback".
# BENCH_JOBS="RW:BS:QD ..." runs only those fio jobs (e.g. "randread:4k:1")
# and then prints the report without writing it to DOCS_DIR.  blkback-acm
# runs with --poll-us BENCH_POLL_US (default 1000; 0: it sleeps at once).
# BENCH_VARIANT="--opt=value,..." adds a third driver domain whose
# blkback-acm has those options too, measured in the same rounds (the
# host's speed drifts by more than most changes make between two boots);
# the report then has a table for it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1 DOCS=$2
PAYLOAD=$(mktemp -d /tmp/xacm-bench.XXXXXX)
out=$(mktemp)
trap 'rm -rf "$PAYLOAD" "$out"' EXIT
"$ROOT/tests/system/make-payload.sh" "$BUILD" "$PAYLOAD"
cp -a "$ROOT/bench/testbed/." "$PAYLOAD/"
cp "$BUILD/bench/pv-costs" "$PAYLOAD/bin/"
rounds=${BENCH_ROUNDS:-3} poll_us=${BENCH_POLL_US:-1000}
variant=${BENCH_VARIANT:-}
case $variant in *[!-a-z0-9=,]*) echo "blkback-bench: BENCH_VARIANT takes blkback-acm options such as --poll-us=0,--max-queues=1" >&2; exit 2 ;; esac
ndev=$([ -n "$variant" ] && echo 3 || echo 2)
specs=${BENCH_JOBS:-write:1M:8 read:1M:8 randwrite:4k:1 randwrite:4k:32 randread:4k:1 randread:4k:32}
JOBS=$(for s in $specs; do r=${s#*:}; echo "${s%%:*}-${r%%:*}-qd${r#*:}"; done)
nj=$(echo "$JOBS" | wc -w)
report=$DOCS/performance-blkback.md
[ -z "${BENCH_JOBS:-}" ] || report=/dev/null
"$ROOT/tests/testbed/run-in-dom0" --payload "$PAYLOAD" --timeout 2400 \
    -- "BENCH_SECONDS=${BENCH_SECONDS:-8} BENCH_ROUNDS=$rounds BENCH_JOBS=${specs// /,} BLKBACK_ARGS=--poll-us=$poll_us DRV_VCPUS=${DRV_VCPUS:-2} BENCH_VARIANT=$variant sh ./dom0-blkback-bench.sh" | tee "$out"
if ! grep -q '^RESULT kernel ' "$out" || ! grep -q '^RESULT acm ' "$out" ||
    { [ -n "$variant" ] && ! grep -q '^RESULT variant ' "$out"; }; then
    echo "blkback-bench: no results (see above)" >&2
    exit 1
fi
# median BACKEND JOB KEY: the median over the rounds of one figure
median() { awk -v b="$1" -v j="$2" -v k="$3" '$1 == "RESULT" && $2 == b && $3 == j {
    for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$out" |
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2];
        else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ratios JOB [B [OVER]]: B (default acm) / OVER (default kernel) in each
# round (same round, back to back), as "min-max"
ratios() { awk -v j="$1" -v b="${2:-acm}" -v o="${3:-kernel}" '$1 == "RESULT" && $3 == j { split($4, kv, "="); r = $NF
        if ($2 == o) k[r] = kv[2]; else if ($2 == b) a[r] = kv[2] }
    END { lo = 1e9; hi = 0; for (r in k) if (k[r] > 0 && (r in a)) { x = a[r] / k[r]
        if (x < lo) lo = x; if (x > hi) hi = x }
        if (hi > 0) printf "%.2f-%.2f", lo, hi; else print "-" }' "$out"; }
stat() { sed -n "s/^STATS ${2:-acm} .*$1=\([0-9]*\).*/\1/p" "$out"; }
req=$(stat requests) calls=$(stat grant-copy-calls) segs=$(stat grant-copy-segments)
maps=$(stat grant-maps) notes=$(stat notifications) zero=$(stat zero-copy)
pg=$(sed -n "s/^STATS acm .*persistent-grants=\([0-9]*\).*/\1/p" "$out")
# ddcpu J BACKEND IOPS: the CPU time Xen gave BACKEND's driver domain
# while BACKEND ran job J (0-based), over every round: "P % (U µs/I/O)",
# P in % of one CPU, U per guest I/O at IOPS.  DDCPU jobs=N comes when the
# Nth result is out, so result N+1's job ran between it and the next one.
# The results come in groups of ndev per job: kernel, blkback-acm (and the
# variant) in odd rounds, the other way round in even ones.
ddcpu() {
    awk -v jn="$1" -v b="$2" -v iops="$3" -v rounds="$rounds" -v nj="$nj" -v nd="$ndev" '$1 == "DDCPU" {
        n = substr($3, 6); t[n] = substr($2, 3)
        for (i = 4; i <= NF; i++) if ($i ~ "^" b "=") c[n] = substr($i, length(b) + 2) }
        END { p = b == "kernel" ? 0 : b == "acm" ? 1 : 2
            for (r = 1; r <= rounds; r++) { idx = (r - 1) * nj * nd + jn * nd + (r % 2 ? p : nd - 1 - p)
                if ((idx in t) && ((idx + 1) in t)) { T += t[idx + 1] - t[idx]; C += c[idx + 1] - c[idx] } }
            if (T > 0 && iops > 0) printf "%d %% (%d µs/I/O)", 100 * C / T, 1e6 * C / T / iops; else print "-" }' "$out"
}
# ratio A K: A / K to two places, "-" without K
ratio() { awk -v a="$1" -v k="$2" 'BEGIN {printf (k > 0 ? "%.2f" : "-"), a / k}'; }
pvcost() { awk -v k="$1" '$1 == "PVCOST" && $2 == k {print $3}' "$out"; }
per() { awk -v a="$1" -v b="$req" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}'; }
{
    echo "# blkback-acm against Linux's kernel blkback"
    echo
    echo "Measured by \`make bench-blkback\` (\`bench/blkback-bench.sh\`) on $(date -u +%Y-%m-%d),"
    echo "in one boot of the testbed: Xen 4.17 with FLASK enforcing in QEMU **TCG** on"
    echo "$(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo) ($(nproc) host cores, load average at"
    echo "the start $(cut -d' ' -f1 /proc/loadavg))."
    echo "A Linux PV guest (2 vCPUs, 400 MiB) runs fio (libaio, O_DIRECT, ${BENCH_SECONDS:-8} s per job after 1 s"
    echo "of ramp) on two disks: xvda served by Linux's xen-blkback (persistent"
    echo "grants) in one driver domain, xvdb by blkback-acm (persistent grants,"
    echo "io_uring, acdom's allow, \`--poll-us $poll_us\`) in another. Both driver domains are alike (\`blk_t\`,"
    echo "${DRV_VCPUS:-2} vCPU(s), 192 MiB) and serve their own /dev/xvda, a 192 MiB file in dom0's memory."
    echo "Every job runs on both disks back to back, $rounds rounds over (the order"
    echo "alternates), so both backends are measured under the same host load; the"
    echo "table gives the median of the rounds and the range of the per-round ratios."
    echo "**Caveat:** everything is emulated by TCG, so the"
    echo "absolute figures say little about real hardware; the ratio compares two"
    echo "backends under the same emulation, where blkback-acm's extra costs (the"
    echo "event-channel and io_uring system calls, all in one thread of a PV domain,"
    echo "where every system call goes through Xen) weigh differently than on"
    echo "hardware."
    echo
    echo "| job | kernel blkback KiB/s | blkback-acm KiB/s | ratio | per-round ratios | kernel IOPS | blkback-acm IOPS | kernel's driver domain CPU | blkback-acm's driver domain CPU |"
    echo "|---|---|---|---|---|---|---|---|---|"
    n=0 met=0
    for j in $JOBS; do
        k=$(median kernel "$j" kib_s) a=$(median acm "$j" kib_s)
        r=$(ratio "$a" "$k")
        met=$((met + $(awk -v a="$a" -v k="$k" 'BEGIN {print (k > 0 && a / k >= 0.8)}')))
        ki=$(median kernel "$j" iops) ai=$(median acm "$j" iops)
        echo "| $j | $k | $a | **$r** | $(ratios "$j") | $ki | $ai | $(ddcpu "$n" kernel "$ki") | $(ddcpu "$n" acm "$ai") |"
        n=$((n + 1))
    done
    echo
    echo "Driver domain CPU: the CPU time Xen gave the serving driver domain while"
    echo "its job ran (\`xl list\` in dom0 as each job starts), in % of one CPU, and"
    echo "per guest I/O at the job's median IOPS. It is everything that domain did:"
    echo "the backend and the domain's own block I/O toward dom0. The testbed's two"
    echo "CPUs serve dom0, both driver domains and the guest, so what one driver"
    echo "domain uses the others cannot."
    echo
    echo "Goal: ≥ 0.8 × kernel blkback (medians); **met in $met of $nj jobs**. blkback-acm's own counters over all its"
    echo "requests in this run (node \`xacm-stats\`): $req requests, $zero of them without a"
    echo "copy (straight on persistently mapped grants), $calls grant-copy calls"
    echo "($(per "$calls") per request, $(per "$segs") segments per request), $maps grant"
    echo "maps in all (the ring pages at connect and $pg persistent grants at their first"
    echo "use: **no map per I/O** in steady state), $notes event notifications"
    echo "($(per "$notes") per request). Linux's blkback also maps each grant once and"
    echo "keeps it; its counters are not visible from user space."
    echo
    echo "**Where the difference comes from.** Measured in the same boot by"
    echo "\`bench/pv-costs\` in dom0 (a PV domain, like the driver domains): a system"
    echo "call costs $(pvcost syscall) µs, a \`poll\` of one fd $(pvcost poll-1-fd) µs, and a wake-up"
    echo "round trip between two processes (a pipe written, the other process woken"
    echo "from \`read\`, the answer back) $(pvcost wakeup-round-trip) µs. Per request at queue depth 1,"
    echo "blkback-acm without polling wakes its process twice (the frontend's event, the I/O's"
    echo "completion) and makes about six system calls (\`poll\`, event-channel read"
    echo "and unmask, \`io_uring_enter\`, \`poll\`, the notification); Linux's blkback"
    echo "wakes one kernel thread and makes none. Under TCG these costs are large"
    echo "against the I/O itself, so the gap is widest at queue depth 1."
    if [ "$poll_us" -gt 0 ]; then
        echo "With \`--poll-us $poll_us\` blkback-acm watches the rings' producer indexes and"
        echo "its io_uring for up to $poll_us µs before it sleeps: while I/O keeps coming it"
        echo "neither sleeps nor takes event-channel events (the ports stay masked), so a"
        echo "request costs two or three system calls (\`io_uring_enter\` to submit, one that"
        echo "runs the completion unless the polling's own clock reading did, the"
        echo "notification). The price is CPU: while it serves I/O the daemon keeps"
        echo "a vCPU of its driver domain busy (in the CPU columns), and Linux's blkback"
        echo "does not."
    fi
    if [ -n "$variant" ]; then
        echo
        echo "**A variant in the same boot.** A third driver domain, alike, runs blkback-acm"
        echo "with \`${variant//,/ }\` added to its options and serves the guest's xvdc; every job"
        echo "ran on it in the same rounds. The last column compares it with blkback-acm"
        echo "above round by round, so the host's drift between boots does not enter."
        echo
        echo "| job | variant KiB/s | ratio to kernel | per-round ratios | variant / blkback-acm per round | variant IOPS | variant's driver domain CPU |"
        echo "|---|---|---|---|---|---|---|"
        n=0
        for j in $JOBS; do
            k=$(median kernel "$j" kib_s) v=$(median variant "$j" kib_s) vi=$(median variant "$j" iops)
            r=$(ratio "$v" "$k")
            echo "| $j | $v | **$r** | $(ratios "$j" variant) | $(ratios "$j" variant acm) | $vi | $(ddcpu "$n" variant "$vi") |"
            n=$((n + 1))
        done
        echo
        echo "The variant's counters: $(stat requests variant) requests, $(stat notifications variant) event notifications."
    fi
} | tee "$report"
