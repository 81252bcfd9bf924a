#!/bin/bash
# install-deps.sh - install every package xacm needs to build, test and run its
# testbed, with apt-get.  Idempotent: installs only what is missing and never
# upgrades an installed package.  Needs root (or nothing to install).
#
#   scripts/install-deps.sh [--list]     --list prints the packages and exits
set -euo pipefail

BUILD_PKGS=(gcc make autoconf automake libtool pkg-config libxen-dev libssl-dev check liburing-dev)
LINT_PKGS=(clang clang-format cppcheck libclang-rt-14-dev shellcheck)
# The testbed: QEMU, the Xen source build, and the boot images; cryptsetup-bin
# for the dm-crypt guest of "make bench-xen".
TESTBED_PKGS=(qemu-system-x86 bison flex checkpolicy m4 python3 xz-utils dpkg-dev patch
              busybox-static bash cpio util-linux coreutils kmod fio e2fsprogs cryptsetup-bin)
ALL=("${BUILD_PKGS[@]}" "${LINT_PKGS[@]}" "${TESTBED_PKGS[@]}")

if [ "${1:-}" = --list ]; then printf '%s\n' "${ALL[@]}"; exit 0; fi

missing=()
for p in "${ALL[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#ALL[@]} packages are installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade \
    "${missing[@]}" >/dev/null
echo "install-deps: done"
