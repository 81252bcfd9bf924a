#!/bin/bash
# tests/policy/cli.sh XACM_POLICY - xacm-policy's check and explain, as an
# administrator uses them, on the example policy.
set -uo pipefail
TOOL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
P="$HERE/../../policy/examples/three-tenants.xp"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

# expect_run DESCRIPTION STATUS PATTERN COMMAND...: COMMAND exits STATUS and
# its output (stdout+stderr) contains PATTERN (grep -E).
expect_run() {
    local d=$1 want=$2 pat=$3 out rc
    shift 3
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<< "$out"; then
        echo "ok: $d"; passed=$((passed + 1))
    else
        echo "FAIL: $d (status $rc, wanted $want; output:)"; echo "$out"; failed=$((failed + 1))
    fi
}

expect_run "check accepts the example" 0 "policy three_tenants is valid: 3 types, 1 conflict sets, 7 domains" "$TOOL" check "$P"
printf 'policy p;\ntype a;\ndomain g_t role guest types { b };\n' > "$TMP/bad.xp"
expect_run "check reports file:line:col and what to write" 1 "bad.xp:3:31: error: unknown type \"b\" in the domain; declare it first with 'type b;'" "$TOOL" check "$TMP/bad.xp"
expect_run "check on a missing file names it" 1 "cannot open .*/nope.xp" "$TOOL" check "$TMP/nope.xp"
expect_run "explain: guest and encdom share grants by a channel" 0 "allow: 'channel' at .*three-tenants.xp:24" "$TOOL" explain "$P" bank_a_guest_t enc_t
expect_run "explain: guest and driver never talk" 1 "deny: a guest and a driver domain never share grants" "$TOOL" explain "$P" system_u:system_r:bank_a_guest_t blk_t
expect_run "explain: two guests have no channel" 1 "deny: no channel joins" "$TOOL" explain "$P" bank_a_guest_t shop_guest_t
expect_run "explain: an allowed attach" 0 "^allow \(allow\): bank_a_guest_t may use bank_a_disk through enc_t" "$TOOL" explain "$P" bank_a_guest_t enc_t bank_a_disk
expect_run "explain: a mislabelled resource" 1 "deny \(deny-ste-frontend\): bank_a_guest_t shares no type with resource shop_disk" "$TOOL" explain "$P" bank_a_guest_t enc_t shop_disk
expect_run "explain: the Chinese Wall denies" 1 "deny \(deny-chinese-wall\): Chinese Wall banks: bank_a would be active while bank_b is" "$TOOL" explain "$P" bank_a_guest_t enc_t bank_a_disk --active bank_b
expect_run "explain: the Chinese Wall names its rule" 1 "conflict: banks at .*three-tenants.xp:10" "$TOOL" explain "$P" bank_a_guest_t enc_t bank_a_disk --active bank_b
expect_run "explain: an unknown --active type is an error" 2 "unknown type \"nope\"" "$TOOL" explain "$P" bank_a_guest_t enc_t bank_a_disk --active nope
expect_run "--help describes the subcommands" 0 "compile  write DIR/xacm.rules" "$TOOL" --help
expect_run "a bad command line says so" 2 "bad command line" "$TOOL" frobnicate
echo "policy cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
