#!/bin/bash
# build-xen.sh - build the xacm hypervisor: Xen 4.17 from Debian's source
# package, with xen-patches/ applied and XSM/FLASK enabled and locked.
#
# Usage: tests/testbed/build-xen.sh          prints the artifact directory
#
# Output ($XACM_CACHE/xen-<hash of inputs>/):
#   xen              multiboot hypervisor image (QEMU -kernel / GRUB multiboot2)
#   xen-syms         the same with symbols, for debugging
#   xen.config       the final Kconfig
#   xenpolicy-stock  upstream's default FLASK policy built from this tree (-c 30)
#   flask/           the tree's FLASK policy sources (tools/flask/policy and
#                    xen/xsm/flask/policy), which project policies build on
# An existing directory is reused; delete it (or change an input) to rebuild.
set -euo pipefail
. "$(dirname "$0")/common.sh"

inputs=("$TESTBED_DIR/build-xen.sh" "$REPO_ROOT/xen-patches/series" "$REPO_ROOT/xen-patches/xacm.config")
while read -r p; do [ -n "$p" ] && inputs+=("$REPO_ROOT/xen-patches/$p"); done < "$REPO_ROOT/xen-patches/series"
key=$( { echo "$XEN_SRC_VERSION"; tb_hash "${inputs[@]}"; } | sha256sum | cut -c1-16)
OUT="$XACM_CACHE/xen-$key"
if [ -f "$OUT/.complete" ]; then echo "$OUT"; exit 0; fi

tb_apt_install gcc make bison flex checkpolicy m4 python3 xz-utils dpkg-dev patch
mkdir -p "$XACM_CACHE"

# --- the source package, through a private apt state (the host's apt stays as it is)
SRCDL="$XACM_CACHE/xen-source"
dsc="$SRCDL/dl/xen_${XEN_SRC_VERSION}.dsc"
if [ ! -f "$dsc" ]; then
    tb_log "downloading Debian source package xen=$XEN_SRC_VERSION"
    mkdir -p "$SRCDL/apt/parts" "$SRCDL/apt/lists/partial" "$SRCDL/dl"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && sed 's/^Types: deb$/Types: deb-src/' "$f" > "$SRCDL/apt/parts/$(basename "$f")"
    done
    A=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$SRCDL/apt/parts"
       -o Dir::State::Lists="$SRCDL/apt/lists")
    apt-get "${A[@]}" -qq update
    chmod 777 "$SRCDL/dl"
    (cd "$SRCDL/dl" && apt-get "${A[@]}" -qq source --download-only "xen=$XEN_SRC_VERSION") ||
        tb_die "could not download the source of xen=$XEN_SRC_VERSION (is a deb-src mirror reachable?)"
fi

WORK=$(mktemp -d "$XACM_CACHE/xen-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tb_log "unpacking xen $XEN_SRC_VERSION (Debian's patches applied)"
dpkg-source --no-check -x "$dsc" "$WORK/src" >/dev/null
S="$WORK/src"
while read -r p; do
    [ -n "$p" ] || continue
    tb_log "applying xen-patches/$p"
    patch -d "$S" -p1 --quiet --forward < "$REPO_ROOT/xen-patches/$p" || tb_die "xen-patches/$p does not apply to $XEN_SRC_VERSION"
done < "$REPO_ROOT/xen-patches/series"

# Debian's hypervisor config plus the project's fragment; the make arguments
# follow debian/rules so the result matches Debian's hypervisor but for XSM.
cat "$S/debian/xen-kconfig" "$REPO_ROOT/xen-patches/xacm.config" > "$S/xen/.config"
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$S/debian/changelog" -S Timestamp)
export XEN_BUILD_DATE XEN_BUILD_TIME
XEN_BUILD_DATE=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH")
XEN_BUILD_TIME=$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" +%T)
export DEB_VERSION="$XEN_SRC_VERSION+xacm" WGET=/bin/false GIT=/bin/false
unset CFLAGS CXXFLAGS CPPFLAGS LDFLAGS
MK=(XEN_TARGET_ARCH=x86_64 PYTHON=/usr/bin/python3
    "EXTRA_CFLAGS_XEN_CORE=-ffile-prefix-map=$S=.")
make -s -C "$S/xen" olddefconfig "${MK[@]}" >/dev/null
for opt in CONFIG_XSM CONFIG_XSM_FLASK CONFIG_XSM_FLASK_POLICY CONFIG_XSM_FLASK_LOCKED; do
    grep -q "^$opt=y" "$S/xen/.config" || tb_die "$opt did not survive olddefconfig"
done
tb_log "building the hypervisor (about 2-3 minutes on 2 cores)"
start=$SECONDS
if ! make -C "$S/xen" -j"$(nproc)" "${MK[@]}" > "$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    tb_die "hypervisor build failed"
fi
tb_log "hypervisor built in $((SECONDS - start)) s"

tb_log "building the stock FLASK policy from the same tree"
mkdir -p "$WORK/policy"
make -s -f Makefile.common -C "$S/tools/flask/policy" FLASK_BUILD_DIR="$WORK/policy" \
    POLICY_FILENAME="$WORK/xenpolicy-stock" CHECKPOLICY=checkpolicy M4=m4 OUTPUT_POLICY=30 \
    > "$WORK/policy.log" 2>&1 || { cat "$WORK/policy.log" >&2; tb_die "stock policy build failed"; }

STAGE="$OUT.tmp"
rm -rf "$STAGE"; mkdir -p "$STAGE/flask/tools/flask" "$STAGE/flask/xen/xsm/flask"
cp "$S/xen/xen" "$S/xen/xen-syms" "$WORK/build.log" "$WORK/xenpolicy-stock" "$STAGE/"
cp "$S/xen/.config" "$STAGE/xen.config"
cp -a "$S/tools/flask/policy" "$STAGE/flask/tools/flask/"
cp -a "$S/xen/xsm/flask/policy" "$STAGE/flask/xen/xsm/flask/"
echo "$XEN_SRC_VERSION" > "$STAGE/xen-source-version"
touch "$STAGE/.complete"
rm -rf "$OUT"; mv "$STAGE" "$OUT"
echo "$OUT"
