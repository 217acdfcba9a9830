#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns-image pull against a registry on this machine (tests/helpers/registry.py
# serving the OCI layout make_test_images writes): by tag and by digest, the
# anonymous bearer-token round trip (and the token kept from the storage a
# blob is redirected to), a corrupted layer refused with nothing left of it,
# the host's platform picked from an index, plain HTTP to a non-loopback
# address refused without --insecure-registry, progress only on a terminal;
# as root and as nobody.

. "${BASH_SOURCE[0]%/*}/lib.sh"
. "${BASH_SOURCE[0]%/*}/image-lib.sh"

require_root
require_tools python3 jq setpriv unshare ip script busybox
[[ -n ${NS_IMAGE:-} && -x $NS_IMAGE ]] || fatal "NS_IMAGE is not set to the ns-image program"
[[ -n ${NS_SOURCE_ROOT:-} ]] || fatal "NS_SOURCE_ROOT is not set"
REGISTRY_PY=$NS_SOURCE_ROOT/tests/helpers/registry.py

make_test_images "$T_TMP/img" >"$T_TMP/images.log" 2>&1 || {
        diag_file "$T_TMP/images.log"
        fatal "make_test_images"
}
LAYOUT=$T_TMP/img/busybox.oci
hex() { printf '%s' "${1#sha256:}"; }

# start_registry NAME ARGS...: the test registry, its port in PORT and its
# request log in LOG (one JSON object a line).
start_registry() {
        local name=$1
        shift
        LOG=$T_TMP/$name.requests
        : >"$LOG"
        spawn python3 "$REGISTRY_PY" --layout "$LAYOUT" --log "$LOG" "$@"
        local out=$SPAWNED_LOG
        wait_for 10 "the $name registry's port" grep -qx '[0-9]\+' "$out" || {
                diag_file "$out"
                fatal "the test registry did not start"
        }
        PORT=$(head -n1 "$out")
}

# pull NAME CACHE ARGS...: ns-image pull with the store under CACHE/ns.
pull() {
        local name=$1 cache=$2
        shift 2
        run "$name" env XDG_CACHE_HOME="$cache" "$NS_IMAGE" pull "$@"
}

# the refs/ entry's first line for the store at $1: the manifest digest
ref_digest() {
        local f
        for f in "$1"/ns/refs/*; do
                [[ -f $f ]] && head -n1 "$f"
        done
}

# ---------------------------------------------------------- by tag and digest

start_registry plain
REF=127.0.0.1:$PORT/ns-test/busybox:1
C=$T_TMP/cache-tag
pull tag "$C" "$REF"
is "$RC" 0 "pull by tag succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "refs/ names the image's manifest"
check "the config blob is in the store" test -s "$C/ns/blobs/sha256/$(hex "$TI_BUSYBOX_CONFIG")"
check "the manifest blob is in the store" test -s "$C/ns/blobs/sha256/$(hex "$TI_BUSYBOX_MANIFEST")"
for l in "$TI_L1" "$TI_L2"; do
        check "layer ${l:7:12} unpacked" test -s "$C/ns/layers/sha256/$(hex "$l")/size"
done
check "layer 2's marker file is unpacked" grep -qx layer2 "$C/ns/layers/sha256/$(hex "$TI_L2")/root/etc/layer2-marker"
check "not a terminal: nothing on stderr" test ! -s "$ERR"
check "nothing left in tmp/" test -z "$(ls -A "$C/ns/tmp" 2>/dev/null)"

# a second pull finds everything there: only the manifest is asked for
lines_before=$(wc -l <"$LOG")
pull again "$C" "$REF"
is "$RC" 0 "a second pull succeeds"
is "$(tail -n +$((lines_before + 1)) "$LOG" | jq -r .path | grep -c /blobs/)" 0 \
        "a second pull fetches no blob"

C=$T_TMP/cache-digest
pull digest "$C" "127.0.0.1:$PORT/ns-test/busybox@$TI_BUSYBOX_MANIFEST"
is "$RC" 0 "pull by digest succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "pulled by digest: refs/ names it"

pull unknown "$T_TMP/cache-unknown" "127.0.0.1:$PORT/ns-test/busybox:nope"
check "an unknown tag fails" test "$RC" -ne 0
check "an unknown tag: 'manifest unknown'" \
        grep -qx "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:nope': manifest unknown" "$ERR"
diag_file "$ERR" 3

# progress: a terminal gets one line per layer
C=$T_TMP/cache-tty
run tty script -qec "env XDG_CACHE_HOME='$C' '$NS_IMAGE' pull '$REF'" /dev/null
is "$RC" 0 "pull on a terminal succeeds"
check "on a terminal: a line for each layer, complete" \
        test "$(tr '\r' '\n' <"$OUT" | grep -c "^.*$(hex "$TI_L1" | cut -c1-12): Pull complete")" -ge 1
check "on a terminal: the digest" grep -q "Digest: $TI_BUSYBOX_MANIFEST" "$OUT"

# ---------------------------------------------------------------- token auth

start_registry auth --auth
C=$T_TMP/cache-auth
pull auth "$C" "127.0.0.1:$PORT/ns-test/busybox:1"
is "$RC" 0 "pull with token auth succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "token auth: refs/ names the manifest"
first=$(head -n1 "$LOG" | jq -r '"\(.status) \(.auth)"')
is "$first" "401 null" "the first request is refused without a token"
issued=$(jq -r 'select(.issued) | .issued' "$LOG" | head -n1)
check "the token endpoint issued a token" test -n "$issued"
is "$(jq -r 'select(.path | startswith("/v2/ns-test/busybox/manifests/")) | select(.status == 200) | .auth' "$LOG" | sort -u)" \
        "Bearer $issued" "the manifests were fetched with the issued token"
is "$(jq -r 'select(.path | startswith("/storage/")) | .auth' "$LOG" | sort -u)" "null" \
        "the redirected blob downloads (another origin) carry no token"
is "$(jq -r 'select(.path | startswith("/storage/")) | .status' "$LOG" | sort -u)" "200" \
        "the blobs came from the storage they were redirected to"

# ------------------------------------------------------------ digest mismatch

start_registry corrupt --corrupt
C=$T_TMP/cache-corrupt
pull corrupt "$C" "127.0.0.1:$PORT/ns-test/busybox:1"
check "a corrupted layer fails the pull" test "$RC" -ne 0
check "a corrupted layer: 'digest mismatch for layer'" \
        grep -qx "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:1': digest mismatch for layer $TI_L2" "$ERR"
diag_file "$ERR" 3
check "nothing under blobs/ for the corrupted layer" test ! -e "$C/ns/blobs/sha256/$(hex "$TI_L2")"
check "nothing under layers/ for the corrupted layer" test ! -e "$C/ns/layers/sha256/$(hex "$TI_L2")"
check "no refs/ entry after a failed pull" test -z "$(ref_digest "$C")"
check "nothing left in tmp/ after a failed pull" test -z "$(ls -A "$C/ns/tmp" 2>/dev/null)"

# ----------------------------------------------------------------- the index

start_registry index --index
C=$T_TMP/cache-index
pull index "$C" "127.0.0.1:$PORT/ns-test/busybox:1"
is "$RC" 0 "pull through an index succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "the index: the host platform's manifest is picked"
is "$(jq -r 'select(.path | test("/manifests/sha256:")) | .path' "$LOG" | sed 's,.*/manifests/,,' | sort -u)" \
        "$TI_BUSYBOX_MANIFEST" "the other platforms' manifests are never fetched"

# ---------------------------------------------- plain HTTP off loopback

# A non-loopback address on this machine, in a network namespace of the
# test's own: 192.0.2.77 (TEST-NET-1) added to its lo.
cat >"$T_TMP/offloop.sh" <<EOF
set -u
ip link set lo up && ip addr add 192.0.2.77/32 dev lo || exit 90
python3 '$REGISTRY_PY' --layout '$LAYOUT' --log '$T_TMP/offloop.requests' --bind 192.0.2.77 >'$T_TMP/offloop.port' &
srv=\$!
for i in \$(seq 200); do grep -qx '[0-9]\+' '$T_TMP/offloop.port' && break; sleep 0.05; done
port=\$(head -n1 '$T_TMP/offloop.port')
XDG_CACHE_HOME='$T_TMP/cache-offloop' '$NS_IMAGE' pull "192.0.2.77:\$port/ns-test/busybox:1" 2>'$T_TMP/offloop-plain.err'
echo "plain \$?"
XDG_CACHE_HOME='$T_TMP/cache-offloop' '$NS_IMAGE' pull --insecure-registry "192.0.2.77:\$port/ns-test/busybox:1" 2>'$T_TMP/offloop-flag.err'
echo "flag \$?"
kill \$srv
wait \$srv
EOF
run offloop unshare -n bash "$T_TMP/offloop.sh"
check "off loopback: plain HTTP refused without the flag" grep -q '^plain [1-9]' "$OUT"
check "off loopback: the error names --insecure-registry" grep -q -- "--insecure-registry" "$T_TMP/offloop-plain.err"
diag_file "$T_TMP/offloop-plain.err" 3
check "off loopback: --insecure-registry pulls" grep -qx 'flag 0' "$OUT"
[[ $(cat "$OUT") == *"flag 0"* ]] || { diag_file "$OUT"; diag_file "$ERR"; diag_file "$T_TMP/offloop-flag.err"; }

# ------------------------------------------------------------------ as nobody

NOBODY=$(id -u nobody) || fatal "no user nobody"
require_userns_for "$NOBODY"
d=$T_TMP/nobody-bin
mkdir -p "$d" && cp "$NS_IMAGE" "$d/ns-image" && chmod 755 "$d" "$d/ns-image" ||
        fatal "cannot copy ns-image for nobody"
C=$T_TMP/cache-nobody
mkdir -p "$C" && chown "$NOBODY" "$C" || fatal "cannot make nobody's cache"
start_registry nobody --auth
run nobody setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups \
        env HOME=/nonexistent XDG_CACHE_HOME="$C" "$d/ns-image" pull "127.0.0.1:$PORT/ns-test/busybox:1"
is "$RC" 0 "nobody pulls with token auth"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "nobody's refs/ names the manifest"
check "nobody's layers are unpacked" test -s "$C/ns/layers/sha256/$(hex "$TI_L2")/size"
is "$(stat -c %u "$C/ns/refs")" "$NOBODY" "nobody's store belongs to nobody"

start_registry nobody-corrupt --corrupt
C=$T_TMP/cache-nobody-corrupt
mkdir -p "$C" && chown "$NOBODY" "$C" || fatal "cannot make nobody's cache"
run nobody-corrupt setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups \
        env HOME=/nonexistent XDG_CACHE_HOME="$C" "$d/ns-image" pull "127.0.0.1:$PORT/ns-test/busybox:1"
check "nobody: a corrupted layer is refused" grep -q "digest mismatch for layer $TI_L2" "$ERR"
check "nobody: nothing under blobs/ for it" test ! -e "$C/ns/blobs/sha256/$(hex "$TI_L2")"

done_testing
