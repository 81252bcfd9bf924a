#!/bin/bash
# build-images.sh - build the testbed's boot images from Debian's packages.
#
# Usage: tests/testbed/build-images.sh       prints the artifact directory
#
# Output ($XACM_CACHE/images-<hash of inputs>/):
#   vmlinuz          Debian's linux-image-amd64 kernel, for dom0 and the guests
#   dom0.cpio        dom0's initramfs: busybox, bash, Xen 4.17 tools and their
#                    libraries, e2fsprogs, kernel modules, and /guest/ below
#   rootfs.files     the list of files in dom0.cpio (the runner adds only the
#                    payload libraries dom0 lacks)
#   guest-initrd.cpio  (also in dom0 at /guest/initrd.cpio) a PV guest's
#                    initramfs: busybox, e2fsprogs, blkfront, ext4, gntdev,
#                    gntalloc, evtchn.  A test appends its own cpio holding
#                    /test/run.sh.
#   guest-fio.cpio   (dom0: /guest/fio.cpio) fio and its libraries, appended
#                    for guests that run fio
# The project's binaries are not baked in: run-in-dom0 adds them per run.
set -euo pipefail
. "$(dirname "$0")/common.sh"

HOST_PKGS=(busybox-static bash cpio util-linux coreutils kmod fio e2fsprogs libxen-dev)
tb_apt_install "${HOST_PKGS[@]}"
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$KPKG" ]; then apt-get update -qq; KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
[ -n "$KPKG" ] || tb_die "cannot resolve linux-image-amd64 to a kernel package"
XEN_PKGS=("xen-utils-$XEN_SERIES" xen-utils-common xenstore-utils "libxenmisc$XEN_SERIES" libxenstore4
          libxentoollog1 libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
          libxengnttab1 libxenhypfs1 libxentoolcore1 libyajl2)

# The key covers this script, the init scripts and the exact package versions.
# One apt-cache call for all packages: "name=candidate-version" lines.
versions=$(apt-cache policy "$KPKG" "${XEN_PKGS[@]}" "${HOST_PKGS[@]}" |
    awk '/^[^ ]/{sub(/:$/, ""); p=$0} /^  Candidate:/{print p "=" $2}')
candidate() { sed -n "s/^$1=//p" <<< "$versions"; }
key=$( { echo "$versions"; tb_hash "$TESTBED_DIR/build-images.sh" "$TESTBED_DIR/dom0-init" "$TESTBED_DIR/guest-init"; } \
      | sha256sum | cut -c1-16)
OUT="$XACM_CACHE/images-$key"
if [ -f "$OUT/.complete" ]; then echo "$OUT"; exit 0; fi

DEBS="$XACM_CACHE/debs"
mkdir -p "$DEBS"; chmod 777 "$DEBS"
need=()
for p in "$KPKG" "${XEN_PKGS[@]}"; do
    v=$(candidate "$p"); v=${v//:/%3a}
    ls "$DEBS/${p}_${v}_"*.deb >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    tb_log "downloading ${need[*]}"
    (cd "$DEBS" && apt-get download -qq "${need[@]}" 2>&1 | grep -v unsandboxed || true)
fi

WORK=$(mktemp -d "$XACM_CACHE/images-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
EX="$WORK/extract"; mkdir -p "$EX"
for p in "$KPKG" "${XEN_PKGS[@]}"; do
    v=$(candidate "$p"); v=${v//:/%3a}
    dpkg-deb -x "$(ls "$DEBS/${p}_${v}_"*.deb | head -n1)" "$EX"
done
KVER=${KPKG#linux-image-}
STAGE="$OUT.tmp"; rm -rf "$STAGE"; mkdir -p "$STAGE"
cp "$EX/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"
depmod -b "$EX" "$KVER"

# copy_elf_deps ROOT FILE...: the shared libraries FILEs need, from the host
# (same Debian release), into ROOT, unless already there.
copy_elf_deps() {
    local root=$1 lib; shift
    for f in "$@"; do
        { LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu" ldd "$f" 2>/dev/null || true; } |
            awk '/=> \//{print $3} /^[ \t]*\/lib64\//{print $1}'
    done | sort -u | while read -r lib; do
        case "$lib" in "$root"/*) continue;; esac
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
    done
    # glibc dlopen()s libgcc_s for pthread_cancel (xl aborts without it)
    mkdir -p "$root/lib/x86_64-linux-gnu"
    cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
}
# copy_modules ROOT MODULE...: the modules and their dependencies.
copy_modules() {
    local root=$1 m; shift
    mkdir -p "$root/lib/modules/$KVER"
    for m in "$@"; do
        modprobe -d "$EX" -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
    done | sort -u | while read -r ko; do
        rel=${ko#"$EX"/}; mkdir -p "$root/$(dirname "$rel")"; cp "$ko" "$root/$rel"
    done
    cp "$EX/lib/modules/$KVER"/modules.{builtin,builtin.modinfo,order} "$root/lib/modules/$KVER/"
    depmod -b "$root" "$KVER"
}
# busybox_root ROOT: a root with busybox applets and the usual directories.
busybox_root() {
    local root=$1 a
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,lib64,lib/x86_64-linux-gnu}
    cp /bin/busybox "$root/bin/busybox"
    for a in $(/bin/busybox --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
    echo 'root:x:0:' > "$root/etc/group"
}
# host_tools ROOT TOOL...: replace busybox applets by the host's real tools.
host_tools() {
    local root=$1 t; shift
    for t in "$@"; do rm -f "$root/bin/$(basename "$t")"; cp -L "$t" "$root/bin/"; done
    copy_elf_deps "$root" "$@"
}
E2FS=(/sbin/mke2fs /sbin/mkfs.ext4 /sbin/e2fsck /sbin/fsck.ext4 /sbin/tune2fs /sbin/dumpe2fs)

# --- guest initramfs -----------------------------------------------------------
G="$WORK/guest"
busybox_root "$G"
host_tools "$G" "${E2FS[@]}"
copy_modules "$G" xen-blkfront ext4 crc32c_generic xen-gntdev xen-gntalloc xen-evtchn xenfs \
    xen-blkback  # loaded only by driver domains that use the kernel backend
install -m 0755 "$TESTBED_DIR/guest-init" "$G/init"
(cd "$G" && find . | cpio -o -H newc --quiet) > "$STAGE/guest-initrd.cpio"
# fio and its ~80 MiB of libraries: a separate archive, appended only for
# the guests that run fio (guest memory and dom0's tmpfs are scarce).
F="$WORK/guest-fio"
mkdir -p "$F/bin"
cp /usr/bin/fio "$F/bin/fio"
copy_elf_deps "$F" /usr/bin/fio
(cd "$F" && find . | cpio -o -H newc --quiet) > "$STAGE/guest-fio.cpio"

# --- dom0 initramfs --------------------------------------------------------------
R="$WORK/dom0"
busybox_root "$R"
mkdir -p "$R"/{var/log/xen/console,var/lib/xen,var/lib/xenstored,guest}
ln -s ../run "$R/var/run"
echo dom0 > "$R/etc/hostname"
# bash, flock, losetup and coreutils stat: Xen's hotplug scripts need the real ones
host_tools "$R" /bin/bash /usr/bin/flock /sbin/losetup /usr/bin/stat "${E2FS[@]}"
(cd "$EX" && tar cf - --exclude='usr/share/doc' --exclude='usr/share/man' --exclude='usr/share/lintian' \
     --exclude='*/python*' --exclude='*/pygrub*' --exclude="usr/lib/xen-$XEN_SERIES/boot" \
     --exclude='usr/lib/debug' etc usr/bin usr/sbin usr/lib/x86_64-linux-gnu \
     "usr/lib/xen-$XEN_SERIES" usr/lib/xen-common) | tar xf - -C "$R"
# call the real binaries, not Debian's version-dispatch wrappers
for f in "$R/usr/lib/xen-$XEN_SERIES/bin/"*; do ln -sf "../lib/xen-$XEN_SERIES/bin/$(basename "$f")" "$R/usr/sbin/"; done
mapfile -t elfs < <(find "$R/usr" -type f -perm -u+x -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
copy_elf_deps "$R" "${elfs[@]}"
copy_modules "$R" xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-blkback loop ext4 crc32c_generic
install -m 0755 "$TESTBED_DIR/dom0-init" "$R/init"
cp "$STAGE/vmlinuz" "$R/guest/vmlinuz"
cp "$STAGE/guest-initrd.cpio" "$R/guest/initrd.cpio"
cp "$STAGE/guest-fio.cpio" "$R/guest/fio.cpio"
(cd "$R" && find . | sed 's|^\.||' | sort) > "$STAGE/rootfs.files"
(cd "$R" && find . | cpio -o -H newc --quiet) > "$STAGE/dom0.cpio"
echo "$KPKG" > "$STAGE/kernel-package"
touch "$STAGE/.complete"
rm -rf "$OUT"; mv "$STAGE" "$OUT"
tb_log "images: dom0.cpio $(du -h "$OUT/dom0.cpio" | cut -f1), guest-initrd.cpio $(du -h "$OUT/guest-initrd.cpio" | cut -f1)"
echo "$OUT"
