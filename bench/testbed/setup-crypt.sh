#!/bin/sh
# setup-crypt.sh DEV - runs in the benchmark guest of bench/xen-bench.sh,
# case (d): what a user would do instead of encdom, guest-side dm-crypt with
# dm-integrity (LUKS2, authenticated: aes-xts-plain64 + hmac-sha256 tags
# kept by dm-integrity, with its journal, 4 KiB sectors).  Loads the kernel
# modules and runs the cryptsetup that bench/xen-bench.sh put in ./crypt,
# formats DEV (the default wipe, timed), opens it and prints the mapped
# device on stdout; everything else goes to stderr.
set -e
dev=$1
here=$(pwd)/crypt
export LD_LIBRARY_PATH="$here/lib" DM_DISABLE_UDEV=1
# the modules in dependency order (made by xen-bench.sh from modprobe
# --show-depends); those already loaded or built in are skipped
while read -r ko; do
    grep -q "^$(basename "$ko" .ko | tr - _) " /proc/modules ||
        insmod "$here/modules/$ko" >&2 || echo "GUEST: insmod $ko failed" >&2
done < "$here/modules.list"
mkdir -p /run/cryptsetup
head -c 64 /dev/urandom > /tmp/luks.key
cs() { "$here/bin/cryptsetup" "$@"; }
echo "GUEST: $(cs --version)" >&2
# the crypto speed inside TCG, to set against the host's native figures
cs benchmark -c aes-xts-plain64 -s 512 2>&1 | grep -i 'xts' | sed 's/^/GUEST: tcg-benchmark /' >&2 || true
t0=$(cut -d' ' -f1 /proc/uptime)
# cryptsetup's default cipher (aes-xts-plain64, 512-bit key; the status
# below shows it); a fast PBKDF: the key slot's cost is not what is measured
cs luksFormat --batch-mode --type luks2 --integrity hmac-sha256 --sector-size 4096 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
    --key-file /tmp/luks.key "$dev" >&2
t1=$(cut -d' ' -f1 /proc/uptime)
echo "GUEST: luksFormat --integrity hmac-sha256 (with the wipe) took $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s" >&2
cs open --key-file /tmp/luks.key "$dev" bench >&2
cs status bench | sed 's/^/GUEST: status /' >&2
grep -A2 '^name *: xts(aes)' /proc/crypto | sed -n 's/^driver *: /GUEST: xts(aes) driver /p' | head -n1 >&2 || true
echo /dev/mapper/bench
