#!/bin/bash
# tests/policy/neverallow.sh XACM_POLICY FLASK_BASE - the FLASK module that
# xacm-policy compiles makes any guest<->driver grant or event permission a
# compile error.  Each case adds one such rule as site-local FLASK rules and
# expects checkpolicy to refuse the policy, naming the neverallow.
set -uo pipefail
TOOL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") BASE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
POLICY="$HERE/../../policy/examples/three-tenants.xp"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

if "$TOOL" compile "$POLICY" -o "$TMP/plain" --flask-base "$BASE" > "$TMP/log" 2>&1 && [ -s "$TMP/plain/xenpolicy" ]; then
    echo "ok: the example policy compiles to a binary FLASK policy"; passed=$((passed + 1))
else
    echo "FAIL: the example policy does not compile:"; cat "$TMP/log"; failed=$((failed + 1))
fi
# regression: a relative output directory (make runs in another directory)
if (cd "$TMP" && "$TOOL" compile "$POLICY" -o relout --flask-base "$BASE" > log 2>&1) && [ -s "$TMP/relout/xenpolicy" ]; then
    echo "ok: compile -o with a relative directory writes the binary policy there"; passed=$((passed + 1))
else
    echo "FAIL: compile -o with a relative directory:"; cat "$TMP/log"; failed=$((failed + 1))
fi
while IFS= read -r rule; do
    echo "$rule" > "$TMP/local.te"
    if "$TOOL" compile "$POLICY" -o "$TMP/bad" --flask-base "$BASE" --local-te "$TMP/local.te" > "$TMP/log" 2>&1; then
        echo "FAIL: accepted: $rule"; failed=$((failed + 1))
    elif grep -q 'neverallow on line [0-9]* of modules/xacm.te' "$TMP/log"; then
        echo "ok: refused by xacm.te's neverallow: $rule"; passed=$((passed + 1))
    else
        echo "FAIL: refused for another reason: $rule"; cat "$TMP/log"; failed=$((failed + 1))
    fi
done <<'RULES'
allow bank_a_guest_t blk_t:grant map_read;
allow blk_t bank_a_guest_t:grant { map_read map_write };
allow blk_t bank_a_guest_t:grant copy;
allow bank_b_guest_t blk_t:grant query;
allow blk_t_channel bank_a_guest_t:event bind;
allow bank_a_guest_t_channel blk_t:event bind;
allow blk_t bank_a_guest_t_channel:event send;
allow shop_guest_t blk_t_channel:event status;
RULES
echo "neverallow: $passed passed, $failed failed"
[ "$failed" = 0 ]
