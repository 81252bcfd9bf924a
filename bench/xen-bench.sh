#!/bin/bash
# bench/xen-bench.sh BUILD_DIR DOCS_DIR - issue 7's end-to-end benchmark, in
# one boot of the real-Xen testbed (QEMU TCG, FLASK enforcing): a Linux PV
# guest runs the same fio jobs through (a) Linux's kernel blkback, (b)
# blkback-acm, (c) encdom -> blkback-acm and (d) guest-side dm-crypt +
# dm-integrity (LUKS2) over kernel blkback.  Crypto is emulated under TCG,
# so the host's native crypto speed is measured in the same run.  Writes
# DOCS_DIR/performance-xen.md and the summary section of
# DOCS_DIR/performance.md.  Called by "make bench-xen".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1 DOCS=$2
SECS=${BENCH_SECONDS:-8}
PAYLOAD=$(mktemp -d /tmp/xacm-xbench.XXXXXX)
out=$(mktemp)
KX=$(mktemp -d /tmp/xacm-kmod.XXXXXX)
trap 'rm -rf "$PAYLOAD" "$out" "$KX"' EXIT
# BENCH_FROM_LOG=FILE: no boot; write the docs again from the output of an
# earlier run (its console log, which holds every figure, the XEN-BENCH lines)
if [ -n "${BENCH_FROM_LOG:-}" ]; then
    cp "$BENCH_FROM_LOG" "$out"
else
    echo "XEN-BENCH started=$(date -u '+%Y-%m-%dT%H:%MZ') secs=$SECS load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee "$out"

    # --- (d)'s tools for the guest: cryptsetup (package cryptsetup-bin, from
    # scripts/install-deps.sh), its libraries, and the guest kernel's
    # dm-crypt/dm-integrity/crypto modules from the testbed's own kernel package
    CS=$(command -v cryptsetup || echo /sbin/cryptsetup)
    [ -x "$CS" ] || { echo "xen-bench: no cryptsetup (apt-get install cryptsetup-bin)" >&2; exit 1; }
    IMG=$("$ROOT/tests/testbed/build-images.sh")
    . "$ROOT/tests/testbed/common.sh"
    KPKG=$(cat "$IMG/kernel-package") KVER=${KPKG#linux-image-}
    deb=$(ls "$XACM_CACHE/debs/${KPKG}_"*.deb | head -n1)
    dpkg-deb --fsys-tarfile "$deb" | tar x -C "$KX" --wildcards './lib/modules/*'
    depmod -b "$KX" "$KVER"
    C="$PAYLOAD/crypt"
    mkdir -p "$C/bin" "$C/lib" "$C/modules"
    cp -L "$CS" "$C/bin/cryptsetup"
    ldd "$CS" | awk '/=> \//{print $3}' | while read -r l; do
        case "$l" in */libc.so.*) ;; *) cp -L "$l" "$C/lib/" ;; esac
    done
    modprobe -d "$KX" -S "$KVER" -a --show-depends dm-crypt dm-integrity xts aesni-intel authenc \
        sha256-ssse3 af_alg algif_skcipher algif_hash |
        awk '$1 == "insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
        cp "$ko" "$C/modules/" && basename "$ko"
    done > "$C/modules.list"
    grep -q '^dm-integrity.ko$' "$C/modules.list" && grep -q '^dm-crypt.ko$' "$C/modules.list" ||
        { echo "xen-bench: the guest kernel $KVER has no dm-crypt/dm-integrity modules" >&2; exit 1; }

    # --- native crypto on this host, in the same run (best of 3 x 1 s)
    speed() { # openssl speed ARGS... -> MB/s at 4096 bytes
        for _ in 1 2 3; do
            openssl speed "$@" -bytes 4096 -seconds 1 2>/dev/null |
                awk 'NF >= 2 && $NF ~ /k$/ {v = $NF; sub(/k$/, "", v); printf "%.0f\n", v * 1000 / 1e6}' | tail -n1
        done | sort -n | tail -n1
    }
    gcm=$(speed -evp aes-256-gcm) xts=$(speed -evp aes-256-xts) hmac=$(speed -hmac sha256)
    # the kernel's AES-XTS (dm-crypt's), where AF_ALG is open to this process
    kxts=$(timeout 60 "$CS" benchmark -c aes-xts-plain64 -s 512 2>/dev/null |
        awk '/xts/ {print $(NF - 3) "/" $(NF - 1)}' | head -n1 || true)
    echo "XEN-BENCH native gcm=$gcm xts=$xts hmac=$hmac kxts=${kxts:-none} (MB/s at 4 KiB; kxts: MiB/s enc/dec)" | tee -a "$out"

    # --- the boot
    "$ROOT/tests/system/make-payload.sh" "$BUILD" "$PAYLOAD"
    cp -a "$ROOT/bench/testbed/." "$PAYLOAD/"
    rc=0
    # shellcheck disable=SC2016 # BENCH_CASES is quoted for dom0's shell
    "$ROOT/tests/testbed/run-in-dom0" --payload "$PAYLOAD" --timeout 2400 \
        -- "BENCH_SECONDS=$SECS ${BENCH_CASES:+BENCH_CASES='$BENCH_CASES'} sh ./dom0-xen-bench.sh" | tee -a "$out" || rc=$?
    for c in kernel acm encdom dmcrypt; do
        grep -q "^RESULT $c " "$out" || { echo "xen-bench: no results for $c (see above)" >&2; rc=1; }
    done
    [ $rc = 0 ] || { echo "xen-bench: the run failed; docs not written" >&2; exit 1; }
    echo "XEN-BENCH end load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee -a "$out"
fi
# a log of a run that failed part-way (BENCH_FROM_LOG only): the cases it
# measured, the others marked as notrun
notrun=""
for c in kernel acm encdom dmcrypt; do
    grep -q "^RESULT $c " "$out" || notrun="$notrun $c"
done
[ "$notrun" != " kernel acm encdom dmcrypt" ] || { echo "xen-bench: no results" >&2; exit 1; }
# xb KEY [LINE]: a value from the XEN-BENCH lines
xb() { sed -n "s/^XEN-BENCH ${2:-}\(.* \)*$1=\([^ ]*\).*/\2/p" "$out" | tr -d '\r' | tr / ' ' | head -n1; }
started=$(xb started) load=$(xb load started) load_end=$(xb load end) SECS=$(xb secs)
gcm=$(xb gcm) xts=$(xb xts) hmac=$(xb hmac) kxts=$(xb kxts)
if [ -z "$gcm" ]; then # a log from the first version of this script
    n=$(sed -n 's/^xen-bench: native AES-256-GCM \([0-9]*\) MB\/s, AES-256-XTS \([0-9]*\) MB\/s, HMAC-SHA256 \([0-9]*\) MB.*/\1 \2 \3/p' "$out")
    read -r gcm xts hmac <<< "$n"
fi
: "${started:=$(date -u -r "$BENCH_FROM_LOG" '+%Y-%m-%dT%H:%MZ') (log written)}" "${load:=not recorded}" "${load_end:=not recorded}" "${SECS:=8}"
[ -n "$gcm" ] && [ -n "$xts" ] && [ -n "$hmac" ] || { echo "xen-bench: no native crypto figures" >&2; exit 1; }

field() { awk -v b="$1" -v j="$2" -v k="$3" '$1 == "RESULT" && $2 == b && $3 == j {
    for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$out"; }
info() { sed -n "s/^INFO $1 $2//p" "$out" | tr -d '\r' | head -n1; }
cstatus() { sed -n "s/^INFO dmcrypt status *$1: *//p" "$out" | tr -d '\r' | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf (a != "" && b > 0 ? "%.2f" : "-"), a / b}'; }
mbs() { awk -v k="$1" 'BEGIN {printf (k != "" ? "%.1f" : "-"), k * 1024 / 1e6}'; }
JOBS="write-1M-qd8 read-1M-qd8 randwrite-4k-qd1 randwrite-4k-qd32 randread-4k-qd1 randread-4k-qd32"
cmd="make -C build/release bench-xen"
table() { # the a-d table with the ratios
    echo "| fio job | (a) kernel blkback | (b) blkback-acm | (c) encdom → blkback-acm | (d) dm-crypt + dm-integrity | **c/a** | **c/d** | b/a |"
    echo "|---|---|---|---|---|---|---|---|"
    for j in $JOBS; do
        a=$(field kernel "$j" kib_s) b=$(field acm "$j" kib_s) c=$(field encdom "$j" kib_s) d=$(field dmcrypt "$j" kib_s)
        case $j in *1M*) u="MB/s"; v() { mbs "$(field "$1" "$j" kib_s)"; } ;;
                   *) u="IOPS"; v() { x=$(field "$1" "$j" iops); echo "${x:--}"; } ;; esac
        echo "| $j ($u) | $(v kernel) | $(v acm) | $(v encdom) | $(v dmcrypt) | **$(ratio "$c" "$a")** | **$(ratio "$c" "$d")** | $(ratio "$b" "$a") |"
    done
}
both=$(awk -v x="$xts" -v h="$hmac" 'BEGIN {printf "%.0f", 1 / (1 / x + 1 / h)}')
maxseq=$(for c in kernel acm encdom dmcrypt; do for j in write-1M-qd8 read-1M-qd8; do mbs "$(field $c $j kib_s)"; echo; done; done | sort -n | tail -n1)
cpu=$(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo)
dmxts=$(info dmcrypt "tcg-benchmark " | awk '{print $(NF - 3), $(NF - 2), "encryption,", $(NF - 1), $NF, "decryption"}')
{
    echo "# encdom end to end on Xen: kernel blkback, blkback-acm, encdom, dm-crypt"
    echo
    echo "Generated by \`$cmd\` (\`bench/xen-bench.sh\`) on $started,"
    echo "in one boot of the testbed: Xen 4.17 with FLASK enforcing, the project's policy,"
    echo "in QEMU **TCG** on $cpu ($(nproc) host cores; load average $load when the"
    echo "script started, $load_end when the boot ended: QEMU itself keeps both cores busy)."
    echo
    echo "A Linux PV guest (2 vCPUs, 400 MiB) runs the same fio jobs (libaio, O_DIRECT,"
    echo "$SECS s per job after 1 s of ramp, over the first 128 MiB of its disk, which the guest"
    echo "first writes once in full so that no read hits a never-written block) in four"
    echo "set-ups, all on the same 192 MiB backing file in dom0's memory, which a driver"
    echo "domain (\`blk_t\`, 192 MiB) sees as its /dev/xvda:"
    echo
    echo "- **(a)** Linux's xen-blkback in the driver domain serves the guest's disk;"
    echo "- **(b)** blkback-acm in the driver domain (persistent grants, io_uring, acdom's allow);"
    echo "- **(c)** encdom in dom0 serves the guest's disk (its blkback side) from a"
    echo "  160 MiB volume (AES-256-GCM per 4 KiB block, Merkle-tree integrity, journal)"
    echo "  whose store is a vbd of the driver domain's blkback-acm (encdom's blkfront,"
    echo "  which encrypts into a write pool shared read-only; blkback-acm keeps those"
    echo "  grants mapped read-only, the others read-write: persistent grants);"
    echo "- **(d)** what a user would do instead: Linux's xen-blkback as in (a), and in the"
    echo "  guest LUKS2 with authenticated encryption, \`cryptsetup luksFormat --type luks2"
    echo "  --integrity hmac-sha256 --sector-size 4096\` (cryptsetup's default cipher: $(cstatus cipher),"
    echo "  key $(cstatus keysize) with the HMAC key, integrity $(cstatus integrity); the tags"
    echo "  in dm-integrity, with its default journal; a fast PBKDF for the test; the"
    echo "  kernel's xts(aes) driver: $(info dmcrypt "xts(aes) driver ")). The format's wipe of the"
    echo "  whole device (untimed with the jobs) $(info dmcrypt "luksFormat --integrity hmac-sha256 (with the wipe) ")."
    echo
    echo "Sequential jobs in MB/s (10^6 bytes), random 4 KiB jobs in IOPS;"
    echo "the ratios are of the same job's throughput (above 1: (c) is faster)."
    echo "The jobs issue no FLUSH: dm-integrity, in its default journal mode, may complete"
    echo "a write once it is in its journal in memory, which goes to disk at the next FLUSH,"
    echo "FUA or commit (every 10 s by default); this is why (d) can beat (a) on small writes."
    [ -z "$notrun" ] || echo "**Not measured in this run (it failed part-way):$notrun**; see the reproduce command."
    echo
    table
    echo
    if grep -q '^RESULT encdom ' "$out"; then
        echo "encdom's CPU time (user + system, dom0) during its guest's whole run,"
        echo "prefill and jobs included: $(sed -n 's/^ENCDOM-CPU //p' "$out" | tr -d '\r')."
        echo
        echo "**Where (c) loses.** encdom has one request at a time in flight toward the"
        echo "driver domain and waits for it (its store is synchronous, docs/encdom-daemon.md),"
        echo "so (c) gains little from queue depth (compare its QD1 and QD32 rows with (a)'s),"
        echo "and every block is encrypted and verified in emulated AES and SHA."
        echo
    fi
    echo "## The TCG caveat: crypto speed judged natively"
    echo
    echo "Under TCG every AES and SHA instruction of the guest and of encdom is"
    echo "emulated, so the crypto cost that separates (c) and (d) from (a) is much"
    echo "larger there than on hardware, and (c) and (d) run different algorithms"
    echo "(AES-256-GCM in dom0's user space against AES-XTS + HMAC-SHA256 in the"
    echo "guest's kernel). In the guest, \`cryptsetup benchmark -c aes-xts-plain64 -s 512\`"
    echo "gave ${dmxts:-(no figure)} under TCG."
    echo "On this host, natively, in the same run (\`openssl speed -bytes 4096\`, best of 3 × 1 s):"
    echo
    echo "| 4 KiB | MB/s | used by |"
    echo "|---|---|---|"
    echo "| AES-256-GCM (\`-evp aes-256-gcm\`) | $gcm | encdom: one seal/open per 4 KiB block |"
    echo "| AES-256-XTS (\`-evp aes-256-xts\`) | $xts | dm-crypt's cipher |"
    echo "| HMAC-SHA256 (\`-hmac sha256\`) | $hmac | dm-crypt's integrity tag |"
    echo "| XTS + HMAC-SHA256 together | $both | dm-crypt + dm-integrity: both over every byte |"
    echo
    echo "Natively, then, (d)'s crypto costs $(ratio "$gcm" "$both") × encdom's per byte"
    if [ -n "$kxts" ] && [ "$kxts" != none ]; then
        echo "(OpenSSL's user-space figures; dm-crypt uses the kernel's: its AES-XTS, by"
        echo "\`cryptsetup benchmark -c aes-xts-plain64 -s 512\` on this host, ran at"
        echo "$(echo "$kxts" | awk '{print $1 " MiB/s encryption, " $2 " MiB/s decryption"}')). The slower of the two, $both MB/s, is"
    else
        echo "(OpenSSL's user-space figures: dm-crypt uses the kernel's implementations, which"
        echo "\`cryptsetup benchmark\` could not measure here: the kernel's AF_ALG interface"
        echo "(algif_skcipher) was not open to the script). The slower of the two, $both MB/s, is"
    fi
    echo "$(awk -v a="$both" -v b="$maxseq" 'BEGIN {printf (b > 0 ? "%.0f" : "-"), a / b}') × the fastest rate in the table"
    echo "($maxseq MB/s), so on hardware the ratios would move toward the data path's own costs (one more"
    echo "domain hop and user-space daemon for (c); for (d), dm-integrity's journal,"
    echo "which writes each block twice, journal first), and the"
    echo "[core benchmark](performance.md) gives encdom's CPU cost per block natively."
    echo "Under TCG, crypto and the rest are emulated at different slowdowns: read the"
    echo "ratios as a comparison of the paths under the same emulation, not as hardware figures."
    echo
    echo "## Reproduce"
    echo
    echo '```'
    echo "scripts/install-deps.sh                      # cryptsetup-bin for (d)'s guest tools"
    echo "$cmd       # BENCH_SECONDS (default 8) per fio job"
    echo '```'
} > "$DOCS/performance-xen.md"

# the summary in performance.md, between markers that bench/run.sh keeps
sum=$(mktemp)
{
    echo "<!-- xen-bench: generated by bench/xen-bench.sh; bench/run.sh keeps it -->"
    echo "## End to end on Xen: encdom against kernel blkback and dm-crypt"
    echo
    echo "\`$cmd\` (on $started) boots the real-Xen testbed once; a guest"
    echo "runs fio through (a) Linux's kernel blkback, (b) blkback-acm, (c) encdom →"
    echo "blkback-acm and (d) guest-side dm-crypt + dm-integrity (LUKS2, hmac-sha256) over"
    echo "kernel blkback, on the same backing file. Full figures, set-up and method:"
    echo "[performance-xen.md](performance-xen.md)."
    [ -z "$notrun" ] || echo "**Not measured in this run (it failed part-way):$notrun.**"
    echo
    table
    echo
    echo "**TCG caveat:** the testbed emulates the CPU, AES and SHA included, so these"
    echo "ratios overstate the cost of crypto in (c) and (d); judged natively on the same"
    echo "host in the same run, AES-256-GCM (encdom) runs at $gcm MB/s and AES-XTS +"
    echo "HMAC-SHA256 (dm-crypt + dm-integrity) at $both MB/s per 4 KiB (\`openssl speed\`)."
    echo "<!-- xen-bench end -->"
} > "$sum"
if grep -q '^<!-- xen-bench: ' "$DOCS/performance.md"; then
    awk -v f="$sum" '/^<!-- xen-bench: / {while ((getline l < f) > 0) print l; skip = 1; next}
        skip && /^<!-- xen-bench end -->/ {skip = 0; next} !skip' "$DOCS/performance.md" > "$sum.new"
else
    { cat "$DOCS/performance.md"; echo; cat "$sum"; } > "$sum.new"
fi
mv "$sum.new" "$DOCS/performance.md"
rm -f "$sum"
cat "$DOCS/performance-xen.md"
echo "xen-bench: wrote $DOCS/performance-xen.md and the summary in $DOCS/performance.md"
