#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns-image pull against a registry on this machine (tests/helpers/registry.py
# serving the OCI layout make_test_images writes): by tag and by digest, the
# anonymous bearer-token round trip (and the token kept from the storage a
# blob is redirected to), a corrupted layer refused with nothing left of it,
# the host's platform picked from an index (or the one --platform names),
# plain HTTP to a non-loopback address refused without --insecure-registry,
# progress only on a terminal, the layers unpacked as an import unpacks
# them, a pull killed midway leaving nothing a run would use and the next
# one completing it; as root and as nobody.

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

# not_grep_progress FILE: no layer line, no escape sequence in FILE
not_grep_progress() {
        ! grep -q -e $'\033' -e 'Downloading' -e 'Pull complete' -e 'Extracting' "$1"
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
is "$(stat -c %F:%t:%T "$C/ns/layers/sha256/$(hex "$TI_L2")/root/etc/removed-by-layer2" 2>&1)" \
        "character special file:0:0" "layer 2's whiteout is unpacked in overlayfs' form"
is "$(stat -c %u:%g "$C/ns/layers/sha256/$(hex "$TI_L2")/root/home/app/from-layer2" 2>&1)" \
        "1000:1000" "root's pull keeps the image's owners"
for l in "$TI_L1" "$TI_L2"; do
        check "layer ${l:7:12}'s archive is gone once unpacked" test ! -e "$C/ns/blobs/sha256/$(hex "$l")"
done
check "not a terminal: no progress on stderr" not_grep_progress "$ERR"
check "the unpack's notes, once each" test "$(grep -c '^ns: note: ' "$ERR")" -eq 2
check "nothing else on stderr" test "$(grep -vc '^ns: note: ' "$ERR")" -eq 0
[[ $(grep -vc '^ns: note: ' "$ERR") == 0 ]] || diag_file "$ERR"
is "$(env XDG_CACHE_HOME="$C" "$NS_IMAGE" ls -r -n | cut -d' ' -f1,3)" "$REF 2" \
        "ns-image ls names the pulled image, with its 2 layers"
check "nothing left in tmp/" test -z "$(ls -A "$C/ns/tmp" 2>/dev/null)"

# ns run --image REF: the pulled image is the root; with an empty store,
# ns run pulls it first (its cold path), and its stdout is the command's
# (the image's Entrypoint is sh -c: the command is one word)
run runpulled env XDG_CACHE_HOME="$C" "$NS" run --image "$REF" "cat /etc/layer2-marker"
is "$RC:$(cat "$OUT")" "0:layer2" "ns run --image runs the pulled image"
run runcold env XDG_CACHE_HOME="$T_TMP/cache-run" "$NS" run --image "$REF" "cat /etc/layer2-marker"
is "$RC:$(cat "$OUT")" "0:layer2" "ns run --image with an empty store pulls the image, then runs it"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$T_TMP/cache-run")" "$TI_BUSYBOX_MANIFEST" "  ... and leaves it in the store"

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
for l in "$TI_L1" "$TI_L2"; do
        check "on a terminal: layer ${l:7:12} is shown extracting" \
                grep -q "$(hex "$l" | cut -c1-12): Extracting" "$OUT"
done
check "on a terminal: a layer's states in order" \
        test "$(tr '\r' '\n' <"$OUT" | sed -n "s/.*$(hex "$TI_L2" | cut -c1-12): \([A-Za-z]*\( [a-z][a-z]*\)\{0,1\}\).*/\1/p" | uniq | tr '\n' ,)" \
        = "Waiting,Downloading,Download complete,Extracting,Pull complete,"

# a pull of an image whose layers are there: "Already exists"
run tty-again script -qec "env XDG_CACHE_HOME='$C' '$NS_IMAGE' pull '$REF'" /dev/null
is "$RC" 0 "a second pull on a terminal succeeds"
check "on a terminal: the layers already there say so" \
        test "$(tr '\r' '\n' <"$OUT" | grep -c "Already exists")" -ge 2

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

# ------------------------------------------------------------ a hostile layer

# busybox.oci with its top layer replaced by hostile-dotdot.tar's (an entry
# "../escaped"), the manifest and index rewritten to name it
make_hostile_images "$T_TMP/img" >>"$T_TMP/images.log" 2>&1 || {
        diag_file "$T_TMP/images.log"
        fatal "make_hostile_images"
}
HOSTILE_LAYOUT=$T_TMP/img/hostile.oci
HOSTILE_LAYER=$(python3 - "$LAYOUT" "$T_TMP/img/hostile-dotdot.tar" "$HOSTILE_LAYOUT" <<'PY'
import gzip, hashlib, json, os, shutil, sys, tarfile
src, archive, dst = sys.argv[1:]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")
def put(data):
    hexd = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, hexd), "wb") as fh:
        fh.write(data)
    return "sha256:" + hexd
with tarfile.open(archive) as t:
    layer = gzip.compress(t.extractfile("l/layer.tar").read(), mtime=0)
with open(os.path.join(dst, "index.json")) as fh:
    index = json.load(fh)
top = index["manifests"][0]
with open(os.path.join(blobs, top["digest"][7:])) as fh:
    manifest = json.load(fh)
manifest["layers"][-1].update(digest=put(layer), size=len(layer))
body = json.dumps(manifest).encode()
top.update(digest=put(body), size=len(body))
with open(os.path.join(dst, "index.json"), "w") as fh:
    json.dump(index, fh)
print(manifest["layers"][-1]["digest"])
PY
) || fatal "cannot make the hostile layout"
LAYOUT=$HOSTILE_LAYOUT start_registry hostile
C=$T_TMP/cache-hostile
pull hostile "$C" "127.0.0.1:$PORT/ns-test/busybox:1"
check "a layer with a '..' entry fails the pull" test "$RC" -ne 0
check "a hostile layer: 'an entry leaves the layer', naming it" \
        grep -qxF "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:1': refused: an entry leaves the layer: layer $HOSTILE_LAYER: ../escaped" "$ERR"
diag_file "$ERR" 3
check "no hostile entry was written outside its layer" \
        test ! -e /escaped -a ! -e "$C/escaped" -a ! -e "$C/ns/escaped" -a ! -e "$C/ns/layers/escaped"
check "a hostile layer: no refs/ entry" test -z "$(ref_digest "$C")"
check "a hostile layer: its blob is gone" test ! -e "$C/ns/blobs/sha256/$(hex "$HOSTILE_LAYER")"
check "a hostile layer: the manifest and config this pull put in place are gone" \
        test -z "$(ls -A "$C/ns/blobs/sha256")"
check "a hostile layer: nothing under layers/ for it" test ! -e "$C/ns/layers/sha256/$(hex "$HOSTILE_LAYER")"
check "a hostile layer: nothing left in tmp/" test -z "$(ls -A "$C/ns/tmp" 2>/dev/null)"

# ---------------------------------------------------------------- interrupted

# whole_blobs STORE: every file under blobs/ is what its name says
whole_blobs() {
        local f
        for f in "$1"/blobs/sha256/*; do
                [[ -e $f ]] || continue
                [[ $(sha256sum <"$f" | cut -d' ' -f1) == "${f##*/}" ]] || return 1
        done
}
# whole_layers STORE: every directory under layers/ has its size file
whole_layers() {
        local d
        for d in "$1"/layers/sha256/*; do
                [[ -e $d ]] || continue
                [[ -s $d/size ]] || return 1
        done
}

start_registry slow --slow
C=$T_TMP/cache-interrupted
REF=127.0.0.1:$PORT/ns-test/busybox:1
spawn env XDG_CACHE_HOME="$C" "$NS_IMAGE" pull "$REF"
victim=$SPAWNED_PID
# (grep, not jq -e: jq 1.6 says yes to an empty file)
wait_for 20 "the slow layer to be half sent" grep -q '"sent": [0-9]' "$LOG" ||
        fatal "the registry never started sending the slow layer"
check "the pull is still running when the layer is half sent" kill -0 "$victim"
{
        kill -KILL "$victim"
        wait "$victim"
} 2>/dev/null
check "no refs/ entry after a killed pull" test -z "$(ref_digest "$C")"
check "after a killed pull: every blob under blobs/ is whole" whole_blobs "$C/ns"
check "after a killed pull: nothing under blobs/ of the layer midway" \
        test ! -e "$C/ns/blobs/sha256/$(hex "$TI_L2")"
check "after a killed pull: every layer under layers/ is whole" whole_layers "$C/ns"
check "the layer before it was whole, and is kept" test -s "$C/ns/blobs/sha256/$(hex "$TI_L1")"
run interrupted-ls env XDG_CACHE_HOME="$C" "$NS_IMAGE" ls -r -n
is "$(cat "$OUT")" "" "after a killed pull: ns-image ls shows no image"

lines_before=$(wc -l <"$LOG")
pull resumed "$C" "$REF"
is "$RC" 0 "a pull after a killed one completes"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "after the killed pull: refs/ names the manifest"
check "after the killed pull: layer 2 unpacked" \
        grep -qx layer2 "$C/ns/layers/sha256/$(hex "$TI_L2")/root/etc/layer2-marker"
is "$(tail -n +$((lines_before + 1)) "$LOG" | jq -r 'select(.path | test("/blobs/")) | .path' | sed 's,.*/blobs/,,' | sort -u)" \
        "$TI_L2" "the second pull fetches only the blob the first did not finish"
check "after the second pull: nothing left in tmp/" test -z "$(ls -A "$C/ns/tmp" 2>/dev/null)"

# ----------------------------------------------------------------- the index

start_registry index --index
C=$T_TMP/cache-index
pull index "$C" "127.0.0.1:$PORT/ns-test/busybox:1"
is "$RC" 0 "pull through an index succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "the index: the host platform's manifest is picked"
is "$(jq -r 'select(.path | test("/manifests/sha256:")) | .path' "$LOG" | sed 's,.*/manifests/,,' | sort -u)" \
        "$TI_BUSYBOX_MANIFEST" "the other platforms' manifests are never fetched"

# --platform, through ns images: the host's by name, one the index lacks,
# and the other entry (whose blobs the registry does not have)
case $(uname -m) in
x86_64) host_platform=linux/amd64 other=linux/s390x ;;
aarch64) host_platform=linux/arm64/v8 other=linux/s390x ;;
s390x) host_platform=linux/s390x other=linux/ppc64le ;;
*) fatal "no platform name for $(uname -m) in this test" ;;
esac
C=$T_TMP/cache-platform
run platform-host env XDG_CACHE_HOME="$C" "$NS" images pull --platform "$host_platform" "127.0.0.1:$PORT/ns-test/busybox:1"
is "$RC" 0 "ns images pull --platform $host_platform succeeds"
[[ $RC == 0 ]] || diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "--platform $host_platform: its manifest is pulled"
run platform-none env XDG_CACHE_HOME="$C" "$NS" images pull --platform linux/mips64le "127.0.0.1:$PORT/ns-test/busybox:1"
check "--platform the index lacks: an error" grep -qx "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:1': no image for platform linux/mips64le" "$ERR"
diag_file "$ERR" 3
run platform-other env XDG_CACHE_HOME="$T_TMP/cache-other" "$NS" images --platform "$other" pull "127.0.0.1:$PORT/ns-test/busybox:1"
check "--platform $other (before pull): the other entry's config is asked for" \
        grep -q "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:1': config sha256:[0-9a-f]*: blob unknown" "$ERR"
diag_file "$ERR" 3
run platform-bad env XDG_CACHE_HOME="$C" "$NS" images pull --platform nonsense "127.0.0.1:$PORT/ns-test/busybox:1"
check "a malformed --platform: an error" grep -qxF "ns: cannot pull '127.0.0.1:$PORT/ns-test/busybox:1': bad platform 'nonsense': not os/arch[/variant]" "$ERR"
diag_file "$ERR" 3
run platform-ls env XDG_CACHE_HOME="$C" "$NS_IMAGE" ls --platform linux/amd64
check "--platform is pull's only" grep -q "ns: ls: --insecure-registry and --platform are options of pull" "$ERR"

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
check "nobody's pull: nothing on stderr but notes" test "$(grep -vc '^ns: note: ' "$ERR")" -eq 0
diag_file "$ERR"
is "$(ref_digest "$C")" "$TI_BUSYBOX_MANIFEST" "nobody's refs/ names the manifest"
check "nobody's layers are unpacked" test -s "$C/ns/layers/sha256/$(hex "$TI_L2")/size"
is "$(stat -c %u "$C/ns/layers/sha256/$(hex "$TI_L2")/root/etc/layer2-marker" 2>&1)" "$NOBODY" \
        "nobody's pull: the image's root files belong to nobody"
is "$(stat -c %u "$C/ns/refs")" "$NOBODY" "nobody's store belongs to nobody"

start_registry nobody-corrupt --corrupt
C=$T_TMP/cache-nobody-corrupt
mkdir -p "$C" && chown "$NOBODY" "$C" || fatal "cannot make nobody's cache"
run nobody-corrupt setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups \
        env HOME=/nonexistent XDG_CACHE_HOME="$C" "$d/ns-image" pull "127.0.0.1:$PORT/ns-test/busybox:1"
check "nobody: a corrupted layer is refused" grep -q "digest mismatch for layer $TI_L2" "$ERR"
check "nobody: nothing under blobs/ for it" test ! -e "$C/ns/blobs/sha256/$(hex "$TI_L2")"

done_testing
