# shellcheck shell=bash
# Shared settings of the testbed scripts (sourced, not run).
#
# XACM_CACHE holds every built artifact, outside the repository.  Each artifact
# lives in a directory named after a hash of its inputs, so changing an input
# (a patch, a script, a package version) builds a new one and a missing cache
# is rebuilt automatically.
XACM_CACHE=${XACM_CACHE:-/var/cache/xacm}
TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$TESTBED_DIR/../.." && pwd)
XEN_SRC_VERSION=${XEN_SRC_VERSION:-4.17.5+72-g01140da4e8-1}
export XEN_SERIES=4.17

tb_log() { echo "[testbed] $*" >&2; }
tb_die() { echo "[testbed] error: $*" >&2; exit 1; }

# tb_hash FILE...: short hash of the named files' contents and names.
tb_hash() {
    local f
    for f in "$@"; do
        printf '%s\n' "${f#"$REPO_ROOT"/}"
        cat "$f"
    done | sha256sum | cut -c1-16
}

# tb_apt_install PKG...: install the packages that are not installed yet;
# never upgrades an installed one.
tb_apt_install() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    tb_log "apt-get install ${missing[*]}"
    [ "$(id -u)" = 0 ] || tb_die "need root to install ${missing[*]} (or install them yourself)"
    if ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then apt-get update -qq; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
