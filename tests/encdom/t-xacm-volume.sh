#!/bin/bash
# End-to-end test of the xacm-volume tool: format, info, check, scrub, rekey
# and its distinct errors.  Run by make check from the build directory.
set -u
TOOL=${XACM_VOLUME:-./encdom/xacm-volume}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0 failed=0

ok() { echo "PASS: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }
# expect STATUS NAME PATTERN CMD...: exit status and a pattern in the output
expect() {
    local want=$1 name=$2 pat=$3 out rc
    shift 3
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ] && grep -q -- "$pat" <<< "$out"; then ok "$name"
    else bad "$name (status $rc, want $want; output: $out)"; fi
}
flip() { # flip FILE OFFSET: invert one byte
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

echo "correct horse" > "$T/pass"
echo "battery staple" > "$T/pass2"
expect 0 "help" "scrub" "$TOOL" --help
expect 2 "usage error" "STORE" "$TOOL" check
expect 0 "format two replicas, wrapped key" "formatted" \
    "$TOOL" format -q --size 8M --key-file "$T/key" --passphrase-file "$T/pass" \
    --anchor "$T/anchor" "$T/r0" "$T/r1"
expect 3 "format refuses to overwrite a key" "not overwriting" \
    "$TOOL" format -q --size 8M --key-file "$T/key" --anchor "$T/a2" "$T/x"
expect 0 "info without a key" "capacity:      2048 blocks" "$TOOL" info "$T/r0"
expect 0 "info: store size" "store size:    $(stat -c %s "$T/r0") bytes" "$TOOL" info "$T/r0"
expect 0 "default journal: 8 blocks for 8 MiB" "journal:       8 blocks" "$TOOL" info "$T/r0"
expect 0 "info with the key" "commit:" \
    "$TOOL" info -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0" "$T/r1"
expect 0 "check a clean volume" "0 blocks without a good copy" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0" "$T/r1"
expect 3 "wrong passphrase" "wrong passphrase" \
    "$TOOL" check -k "$T/key" -p "$T/pass2" -a "$T/anchor" "$T/r0"
"$TOOL" format -q --size 1M --key-file "$T/key2" --anchor "$T/anchor2" "$T/other" >/dev/null
expect 3 "key of another volume" "another volume" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/other"
expect 1 "raw key of another volume: wrong key" "wrong key" \
    "$TOOL" check -k "$T/key2" -a "$T/anchor" "$T/r0"
expect 1 "anchor of another volume" "another volume" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor2" "$T/r0"
# metadata damaged on replica 1: rewritten from replica 0 at open
meta=$(( (2 + 8) * 4096 ))   # header, commit, 8 journal blocks
flip "$T/r1" $((meta + 5))
expect 0 "scrub repairs a replica's metadata" "repaired: replica 1" \
    "$TOOL" scrub -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0" "$T/r1"
# metadata damaged on the only replica: located, reported
cp "$T/r0" "$T/single"
flip "$T/r0" $((meta + 5))
expect 1 "check locates damaged metadata" "does not match the trust anchor" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0"
cp "$T/single" "$T/r0"
flip "$T/r0" 20
expect 1 "info on a corrupted header" "corrupted volume header" "$TOOL" info "$T/r0"
expect 1 "corrupted header" "header" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0"
cp "$T/single" "$T/r0"
truncate -s 1M "$T/r0"
expect 1 "truncated store" "truncated" \
    "$TOOL" check -k "$T/key" -p "$T/pass" -a "$T/anchor" "$T/r0"
cp "$T/single" "$T/r0"
expect 0 "rekey to a new passphrase" "rekeyed" \
    "$TOOL" rekey -k "$T/key" -p "$T/pass" -n "$T/pass2" "$T/r0"
expect 0 "open with the new passphrase" "0 blocks without a good copy" \
    "$TOOL" check -q -k "$T/key" -p "$T/pass2" -a "$T/anchor" "$T/r0" "$T/r1"
expect 0 "rekey to a raw key" "raw" "$TOOL" rekey -k "$T/key" -p "$T/pass2" --raw "$T/r0"
expect 0 "open with the raw key" "scrub: 0 blocks" \
    "$TOOL" scrub -k "$T/key" -a "$T/anchor" "$T/r0" "$T/r1"

echo "xacm-volume: $passed passed, $failed failed"
[ "$failed" = 0 ]
