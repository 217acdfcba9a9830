#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns images and the image store, with images this test builds
# (image-lib.sh): a docker-save archive and an OCI layout (a directory and
# a tar) imported as root and as nobody; the whiteout and the opaque
# directory of layer 2 in overlayfs' form; the layer two images share
# stored once; a corrupted blob and hostile layers refused with nothing
# left in the store; two imports of one image at once; ls, rm and prune.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}
# shellcheck source=tests/integration/image-lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/image-lib.sh" ||
        fatal "cannot read tests/integration/image-lib.sh"

require_ns
require_root
require_tools setpriv jq python3 busybox

NSI=${NS%/*}/ns-image
[[ -x $NSI ]] || fatal "ns-image is not next to NS='$NS'"

IMG=$T_TMP/img
make_test_images "$IMG" 2>"$T_TMP/make.err" || { diag_file "$T_TMP/make.err"; fatal "cannot build the test images"; }
make_hostile_images "$IMG" 2>"$T_TMP/make.err" || { diag_file "$T_TMP/make.err"; fatal "cannot build the hostile images"; }
corrupt_layout "$IMG/busybox.oci" "$IMG/corrupt.oci" || fatal "cannot corrupt a copy of the layout"
chmod -R a+rX "$IMG"

hex() { printf '%s' "${1#sha256:}"; }

# images CACHE ARGS...: ns images with the store below CACHE, output in
# OUT and ERR, status in RC.
images() {
        local cache=$1
        shift
        XDG_CACHE_HOME=$cache "$NS" images "$@" >"$T_TMP/out" 2>"$T_TMP/err"
        RC=$?
        OUT=$(<"$T_TMP/out")
        ERR=$(<"$T_TMP/err")
}

# entries DIR: the names in DIR, sorted, one line each ("" when empty or absent).
entries() { ls -A "$1" 2>/dev/null | sort; }

xattr() { python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$1" "$2" 2>/dev/null; }

# check_layers STORE UID_1000 GID_1000 WHO: the unpacked layers 1 and 2 as
# an overlayfs lower stack wants them, files of the image's uid 1000 owned
# by UID_1000 on the host.
check_layers() {
        local s=$1/layers/sha256 u=$2 g=$3 who=$4 l1 l2
        l1=$s/$(hex "$TI_L1")/root l2=$s/$(hex "$TI_L2")/root
        is "$(stat -c %F:%t:%T "$l2/etc/removed-by-layer2" 2>&1)" "character special file:0:0" \
                "$who: the whiteout of layer 2 is a 0:0 character device"
        is "$(xattr "$l2/opt/replaced" user.overlay.opaque)" y \
                "$who: layer 2's opaque directory has user.overlay.opaque=y"
        is "$(entries "$l2/opt/replaced")" new-file "$who: the opaque directory holds layer 2's file only"
        is "$(entries "$l1/opt/replaced" | tr '\n' ' ')" "old-a old-b " "$who: layer 1 keeps what layer 2 hides"
        is "$(cat "$l2/etc/layer2-marker" 2>&1)" layer2 "$who: layer 2's file content"
        is "$(readlink "$l1/bin/sh")" busybox "$who: a symlink is unpacked as one"
        is "$(stat -c %h "$l1/bin/busybox")" 2 "$who: the hard link shares its inode"
        is "$(stat -c %u:%g "$l1/home/app/owned-by-app")" "$u:$g" \
                "$who: a file of the image's uid 1000 is owned by host id $u"
        is "$(stat -c %a "$l1/home/app")" 750 "$who: modes are the archive's"
        check "$who: the setuid file of uid 0 is not setuid for the host's root" \
                test ! -u "$l1/bin/setuid-root" -o "$(stat -c %u "$l1/bin/setuid-root")" != 0
        check "$who: no device node is made (dev/null skipped)" test ! -e "$l1/dev/null"
        is "$(cat "$s/$(hex "$TI_L1")/size")" "$(($(stat -c %s /bin/busybox) + 120 + 39 + 7 + 6 + 22 + 22 + 2 + 2 + 25 * 7))" \
                "$who: layer 1's size file counts its bytes"
}

# ------------------------------------------------------------ as root

R=$T_TMP/root-cache
S=$R/ns
images "$R" import "$IMG/busybox.docker.tar"
is "$RC" 0 "root: a docker-save archive is imported"
[[ $RC == 0 ]] || diag "$ERR"
check "root: it prints the manifest digest" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$OUT"
check "root: the skipped device node is said once" test "$(grep -c 'device node' <<<"$ERR")" = 1

images "$R" import "$IMG/busybox.oci"
is "$RC:$OUT" "0:$TI_BUSYBOX_MANIFEST" "root: an OCI layout directory is imported, its manifest digest printed"
images "$R" pull "$IMG/second.oci.tar"
is "$RC:$OUT" "0:$TI_SECOND_MANIFEST" "root: pull of a path imports it (an OCI layout in a tar)"

is "$(entries "$S/layers/sha256" | tr '\n' ' ')" \
        "$(printf '%s\n' "$(hex "$TI_L1")" "$(hex "$TI_L2")" "$(hex "$TI_L3")" | sort | tr '\n' ' ')" \
        "root: three images, three layers: the shared layer is stored once"
check_layers "$S" 1000 1000 root
for l in "$TI_L1" "$TI_L2" "$TI_L3"; do
        check "root: the archive of layer ${l:7:12} is gone once unpacked" test ! -e "$S/blobs/sha256/$(hex "$l")"
done
is "$(entries "$S/tmp")" "" "root: nothing is left in tmp/"

images "$R" ls -J
is "$(jq '.images | length' <<<"$OUT")" 3 "root: ls -J lists the three images"
is "$(jq -r --arg p "$IMG/busybox.oci" '.images[] | select(.image == $p) | .digest' <<<"$OUT")" \
        "$TI_BUSYBOX_MANIFEST" "root: ls -J gives an image's path and its whole digest"
l1size=$(cat "$S/layers/sha256/$(hex "$TI_L1")/size")
l2size=$(cat "$S/layers/sha256/$(hex "$TI_L2")/size")
l3size=$(cat "$S/layers/sha256/$(hex "$TI_L3")/size")
is "$(jq --arg p "$IMG/second.oci.tar" '.images[] | select(.image == $p) | [.layers, .size, .unique]' -c <<<"$OUT")" \
        "[2,$((l1size + l3size)),$l3size]" "root: ls -J: layers, size, and the bytes only that image uses"
images "$R" ls -b
is "$(tail -n 1 <<<"$OUT")" "total $((l1size + l2size + l3size)) in 3 layers (shared layers counted once)" \
        "root: ls counts a shared layer once in its total"

# --image-cache names the store, whatever XDG_CACHE_HOME says
images "$T_TMP/unused" --image-cache "$T_TMP/explicit" import "$IMG/second.oci"
is "$RC:$OUT" "0:$TI_SECOND_MANIFEST" "--image-cache: an import into the store given"
images "$T_TMP/unused" ls --image-cache "$T_TMP/explicit" -n -r
is "$(cut -d' ' -f1 <<<"$OUT")" "$IMG/second.oci" "  ... listed from there"
check "  ... and nothing made under XDG_CACHE_HOME" test ! -e "$T_TMP/unused"

# ---------------------------------------- corrupted and hostile images

C=$T_TMP/corrupt-cache
images "$C" import "$IMG/corrupt.oci"
is "$RC" 1 "a layout with a corrupted blob is refused"
is "$ERR" "ns: cannot import '$IMG/corrupt.oci': blob $TI_L2 does not match its digest (corrupted)" \
        "  ... with a message naming the blob"
is "$(entries "$C/ns/blobs/sha256")$(entries "$C/ns/layers/sha256")$(entries "$C/ns/refs")$(entries "$C/ns/tmp")" "" \
        "  ... and nothing of it left in the store"

# a docker-save archive of two images (its manifest.json listing the
# same image twice, under two tags): the first is imported, and said so
M2=$T_TMP/two-images
mkdir -p "$M2" && tar -xf "$IMG/busybox.docker.tar" -C "$M2" &&
        python3 -c 'import json, sys
p = sys.argv[1] + "/manifest.json"
m = json.load(open(p))
second = dict(m[0], RepoTags=["other:2"])
json.dump(m + [second], open(p, "w"))' "$M2" || fatal "cannot make a two-image archive"
images "$R" import "$IMG/busybox.docker.tar"
first=$OUT
images "$T_TMP/two-cache" import "$M2"
is "$RC:$OUT" "0:$first" "a docker-save archive of two images: the first is imported"
check "  ... and a note says the archive holds 2 images" grep -q "note: '$M2' holds 2 images: the first was imported" <<<"$ERR"

# a directory that is no image: said as such, not as a missing file
mkdir -p "$T_TMP/not-an-image"
images "$T_TMP/notimg-cache" import "$T_TMP/not-an-image"
is "$RC:$ERR" "1:ns: cannot import '$T_TMP/not-an-image': not a docker-save archive or an OCI image layout: $T_TMP/not-an-image: no index.json or manifest.json" \
        "a directory that is no image is refused as not an image"

for h in dotdot absolute symlink hardlink; do
        images "$C" import "$IMG/hostile-$h.tar"
        check "a layer with a $h entry is refused" test "$RC" = 1
        check "  ... saying that an entry leaves the layer" grep -q 'refused: an entry leaves the layer' <<<"$ERR"
done
check "no hostile entry was written outside its layer" test ! -e /escaped -a ! -e /tmp/escaped -a ! -e "$C/escaped" -a ! -e "$C/ns/escaped"
is "$(entries "$C/ns/blobs/sha256")$(entries "$C/ns/layers/sha256")$(entries "$C/ns/refs")$(entries "$C/ns/tmp")" "" \
        "  ... and nothing of them left in the store"

# ------------------------------------------------- concurrent imports

K=$T_TMP/concurrent-cache
XDG_CACHE_HOME=$K "$NSI" import "$IMG/busybox.oci.tar" >"$T_TMP/c1.out" 2>"$T_TMP/c1.err" &
c1=$!
XDG_CACHE_HOME=$K "$NSI" import "$IMG/busybox.oci.tar" >"$T_TMP/c2.out" 2>"$T_TMP/c2.err" &
c2=$!
wait "$c1"
rc1=$?
wait "$c2"
rc2=$?
is "$rc1:$rc2" "0:0" "two imports of one image at once both succeed"
[[ $rc1:$rc2 == 0:0 ]] || { diag_file "$T_TMP/c1.err"; diag_file "$T_TMP/c2.err"; }
is "$(cat "$T_TMP/c1.out" "$T_TMP/c2.out" | sort -u)" "$TI_BUSYBOX_MANIFEST" "  ... to the same manifest"
is "$(entries "$K/ns/layers/sha256" | tr '\n' ' ')" "$(printf '%s\n' "$(hex "$TI_L1")" "$(hex "$TI_L2")" | sort | tr '\n' ' ')" \
        "  ... each layer unpacked once"
check "  ... each whole (its size file)" test -s "$K/ns/layers/sha256/$(hex "$TI_L1")/size" -a -s "$K/ns/layers/sha256/$(hex "$TI_L2")/size"
is "$(entries "$K/ns/tmp")" "" "  ... nothing left in tmp/"
check "  ... no layer archive left in blobs/" test ! -e "$K/ns/blobs/sha256/$(hex "$TI_L1")" -a ! -e "$K/ns/blobs/sha256/$(hex "$TI_L2")"
images "$K" ls -n -r
is "$(wc -l <<<"$OUT")" 1 "  ... one image listed"
check_layers "$K/ns" 1000 1000 "concurrent"

# ------------------------------------------------ an interrupted import

# What an import killed midway leaves: a half-unpacked layer in tmp/ and a
# blob no ref names yet. A run never sees them (nothing is in layers/ or
# refs/ until whole), a new import does its work anew, prune takes them.
I=$T_TMP/interrupted-cache
mkdir -p "$I/ns/tmp/layer-$(hex "$TI_L2" | cut -c1-12)-AbCdEf/root/etc" "$I/ns/blobs/sha256" "$I/ns/layers/sha256" "$I/ns/refs" &&
        echo half >"$I/ns/tmp/layer-$(hex "$TI_L2" | cut -c1-12)-AbCdEf/root/etc/layer2-marker" &&
        cp "$IMG/busybox.oci/blobs/sha256/$(hex "$TI_BUSYBOX_CONFIG")" "$I/ns/blobs/sha256/" &&
        chmod -R go-rwx "$I" || fatal "cannot make the remains of an interrupted import"
images "$I" import "$IMG/busybox.oci"
is "$RC:$OUT" "0:$TI_BUSYBOX_MANIFEST" "an import after an interrupted one succeeds"
is "$(cat "$I/ns/layers/sha256/$(hex "$TI_L2")/root/etc/layer2-marker")" layer2 \
        "  ... with the layer unpacked anew, not the half-done one"
images "$I" prune
is "$(entries "$I/ns/tmp")" "" "prune removes what the interrupted import left in tmp/"
images "$I" ls -n -r
is "$(wc -l <<<"$OUT")" 1 "  ... and keeps the image"

# ---------------------------------------------------------- rm, prune

images "$R" rm "$IMG/busybox.docker.tar"
is "$RC" 0 "rm removes an image by its path"
images "$R" ls -n -r
is "$(wc -l <<<"$OUT")" 2 "  ... two images are left"
check "  ... its layers stay: other images use them" test -d "$S/layers/sha256/$(hex "$TI_L2")"
images "$R" rm "$IMG/busybox.docker.tar"
is "$RC:$ERR" "1:ns: cannot remove '$IMG/busybox.docker.tar': no such image" "rm of an image not there fails"
images "$R" rm "${TI_BUSYBOX_MANIFEST:0:19}"
is "$RC" 0 "rm removes an image by its digest as ls shows it"
check "rm of the last image with layer 2 removes that layer" test ! -e "$S/layers/sha256/$(hex "$TI_L2")"
check "  ... and keeps layer 1, which another image uses" test -d "$S/layers/sha256/$(hex "$TI_L1")"
check "  ... and its manifest" test ! -e "$S/blobs/sha256/$(hex "$TI_BUSYBOX_MANIFEST")"

# an archive rewritten since its import: its entry is stale, prune takes it
cp "$IMG/busybox.oci.tar" "$T_TMP/rewritten.tar"
images "$R" import "$T_TMP/rewritten.tar"
is "$RC" 0 "an archive is imported"
cp "$IMG/second.oci.tar" "$T_TMP/rewritten.tar"
images "$R" prune
is "$RC" 0 "prune succeeds"
is "$OUT" "removed 1 stale image, 1 layer ($(numfmt --to=iec "$l2size")B), 2 blobs" \
        "  ... removing the image of the rewritten archive and what only it used"
images "$R" ls -n -r
is "$(cut -d' ' -f1 <<<"$OUT")" "$IMG/second.oci.tar" "  ... the other image stays"
images "$R" rm "$IMG/second.oci.tar"
is "$(entries "$S/layers/sha256")$(entries "$S/blobs/sha256")$(entries "$S/refs")" "" \
        "rm of the last image leaves an empty store"

# ----------------------------------------------------------- as nobody

require_nobody
bin=$T_TMP/bin
mkdir -p "$bin" && copy_ns "$bin" && cp "$NSI" "$bin/" && chmod -R 755 "$bin" || fatal "cannot copy ns and ns-image for nobody"

# The subordinate ranges nobody has are the test's own: /etc/subuid and
# /etc/subgid bound over in a mount namespace of the commands (newuidmap
# reads them there), so neither the host's files nor other tests matter.
require_tools unshare mount newuidmap newgidmap
subids_none=$T_TMP/subid-none subids_range=$T_TMP/subid-range
: >"$subids_none" && echo "nobody:3000000:65536" >"$subids_range" &&
        chmod 644 "$subids_none" "$subids_range" || fatal "cannot write the test's subordinate id files"

# nobody_images SUBIDS CACHE ARGS...: ns images as nobody, with SUBIDS as
# its /etc/subuid and /etc/subgid.
nobody_images() {
        local subids=$1 cache=$2
        shift 2
        XDG_CACHE_HOME=$cache unshare -m --propagation private \
                sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && exec "$@"' \
                sh "$subids" "${AS_NOBODY[@]}" "$bin/ns" images "$@" >"$T_TMP/out" 2>"$T_TMP/err"
        RC=$?
        OUT=$(<"$T_TMP/out")
        ERR=$(<"$T_TMP/err")
}

# nobody_round WHO SUBIDS UID_1000: imports and rm as nobody, the image's
# uid 1000 being the host's UID_1000.
nobody_round() {
        local who=$1 subids=$2 owner=$3 n=$T_TMP/cache-$1
        mkdir -p "$n" && chown "$NOBODY_UID:$NOBODY_UID" "$n" || fatal "cannot make nobody's cache directory"

        # first, while the store is empty: a layer already unpacked is not read again
        nobody_images "$subids" "$n" import "$IMG/corrupt.oci"
        is "$RC" 1 "$who: the corrupted blob is refused"
        is "$(entries "$n/ns/layers/sha256")$(entries "$n/ns/blobs/sha256")$(entries "$n/ns/refs")$(entries "$n/ns/tmp")" "" \
                "  ... and nothing of it left in the store"
        nobody_images "$subids" "$n" import "$IMG/busybox.oci.tar"
        is "$RC:$OUT" "0:$TI_BUSYBOX_MANIFEST" "$who: an OCI layout tar is imported"
        [[ $RC == 0 ]] || diag "$ERR"
        unmapped_note=$(grep -c "owned by the image's other users belong to you" <<<"$ERR")
        nobody_images "$subids" "$n" import "$IMG/second.docker.tar"
        is "$RC" 0 "$who: a docker-save archive is imported"
        is "$(entries "$n/ns/layers/sha256" | tr '\n' ' ')" \
                "$(printf '%s\n' "$(hex "$TI_L1")" "$(hex "$TI_L2")" "$(hex "$TI_L3")" | sort | tr '\n' ' ')" \
                "$who: the layer both images share is stored once"
        check_layers "$n/ns" "$owner" "$owner" "$who"
        is "$(stat -c %u "$n/ns/layers/sha256/$(hex "$TI_L1")/root/bin/busybox")" "$NOBODY_UID" \
                "$who: the image's root files are nobody's own"
        # removing needs the same map: files of the range are not nobody's to unlink
        nobody_images "$subids" "$n" rm "$IMG/busybox.oci.tar" "$IMG/second.docker.tar"
        is "$RC" 0 "$who: rm of both images"
        is "$(entries "$n/ns/layers/sha256")$(entries "$n/ns/blobs/sha256")$(entries "$n/ns/refs")$(entries "$n/ns/tmp")" "" \
                "$who: rm leaves an empty store, files of every owner removed"
}

nobody_round nobody-range "$subids_range" $((3000000 + 999))
is "$unmapped_note" 0 "nobody-range: no note about files that lost their owner"
nobody_round nobody-single "$subids_none" "$NOBODY_UID"
is "$unmapped_note" 1 "nobody-single: a note says the image's other users' files are nobody's"

done_testing
