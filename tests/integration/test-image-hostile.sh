#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Images written by an attacker, and root inside an instance of one: what
# ns-image keeps of a layer (no file capability, no trusted.*, security.*
# or overlayfs attribute), entries that write through a directory a layer
# replaced by a symbolic link or link to another layer's file, a
# WorkingDir and an /etc/passwd that are links to the host, a FIFO for
# /etc/passwd, --share=mnt that would run the image's command on the
# host's root, and root inside with every capability trying to change the
# store's layers (which another image shares) or ns itself.

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
require_tools python3 busybox sha256sum timeout

NSI=${NS_IMAGE:-${NS%/*}/ns-image}
[[ -x $NSI ]] || fatal "ns-image is not built next to ns ('$NSI')"
BB=$(_image_lib_busybox) || fatal "a static busybox is needed"

IMG=$T_TMP/img
make_test_images "$IMG" >"$T_TMP/make.log" 2>&1 || {
        diag_file "$T_TMP/make.log"
        fatal "cannot build the test images"
}

# A host file the images' links point at, and where an escaped WorkingDir
# would be made.
HOSTDIR=$T_TMP/host
mkdir -p "$HOSTDIR" || fatal "mkdir $HOSTDIR"
printf 'hostonly:x:4242:4242:host:/:/bin/sh\n' >"$HOSTDIR/passwd"

# The attacker's images: docker-save archives of one or two layers, each
# with a static busybox and /bin/sh (python's tarfile: exact control over
# owners, modes, links and pax extended attributes).
python3 - "$IMG" "$BB" "$HOSTDIR" <<'PYEOF' >"$T_TMP/make-hostile.log" 2>&1 || {
import hashlib, io, json, os, struct, sys, tarfile

out, bb_path, host = sys.argv[1:4]
bb = open(bb_path, "rb").read()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def ent(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, data=b"", link="", xattrs=None):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid = kind, mode, uid, gid
    ti.mtime = 1700000000
    ti.linkname = link
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    # binary values through surrogateescape: written as they are (hdrcharset=BINARY)
    ti.pax_headers = {"SCHILY.xattr." + k: v.decode("utf-8", "surrogateescape")
                      for k, v in (xattrs or {}).items()}
    return ti, (data if kind == tarfile.REGTYPE else None)


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, d in entries:
            t.addfile(ti, io.BytesIO(d) if d is not None else None)
    return buf.getvalue()


BASE = [ent("bin", tarfile.DIRTYPE, 0o755), ent("bin/busybox", data=bb, mode=0o755),
        ent("bin/sh", tarfile.SYMTYPE, 0o777, link="busybox"),
        ent("etc", tarfile.DIRTYPE, 0o755), ent("proc", tarfile.DIRTYPE, 0o755)]


def save(name, layers, cfg):
    raws = [tar_bytes(l) for l in layers]
    doc = json.dumps({"architecture": "amd64", "os": "linux", "config": cfg,
                      "rootfs": {"type": "layers",
                                 "diff_ids": ["sha256:" + sha(r) for r in raws]}}).encode()
    mf = [{"Config": sha(doc) + ".json", "RepoTags": ["ns-test/hostile-" + name + ":1"],
           "Layers": ["l%d/layer.tar" % i for i in range(len(raws))]}]
    members = []
    for i, r in enumerate(raws):
        members += [ent("l%d" % i, tarfile.DIRTYPE, 0o755), ent("l%d/layer.tar" % i, data=r)]
    members += [ent(sha(doc) + ".json", data=doc), ent("manifest.json", data=json.dumps(mf).encode())]
    with open(os.path.join(out, name + ".tar"), "wb") as fh:
        fh.write(tar_bytes(members))


SH = {"Entrypoint": ["/bin/sh", "-c"], "Env": ["PATH=/bin"]}
# a version 2 file capability, cap_setuid permitted and effective: written
# by the host's root it holds on the host, for whoever runs the file
cap = struct.pack("<5I", 0x02000000 | 1, 1 << 7, 0, 0, 0)
save("xattrs", [BASE + [
    ent("bin/capped", data=b"#!/bin/sh\n", mode=0o755, uid=1000, gid=1000,
        xattrs={"security.capability": cap}),
    ent("bin/marked", data=b"x\n", xattrs={
        "trusted.overlay.opaque": b"y", "trusted.overlay.redirect": b"/etc",
        "user.overlay.redirect": b"/etc", "user.overlay.metacopy": b"",
        "user.overlay.origin": b"x", "security.selinux": b"system_u:object_r:shadow_t:s0",
        "user.kept": b"yes"})]], dict(SH, Cmd=["true"]))
# WorkingDir through a link out of the image, relative and absolute: to
# the host's directory (which the instance has not), and to a directory
# under /tmp (which both have)
tmp = "ns-hostile-wd-" + os.path.basename(os.path.dirname(host))
for kind, link, wd in (("rel", "../" * 16 + host.lstrip("/") + "/escape-rel", "/wd/made"),
                       ("abs", host + "/escape-abs", "/wd/made"),
                       ("tmp-rel", "../" * 16 + "tmp", "/wd/" + tmp + "-rel"),
                       ("tmp-abs", "/tmp", "/wd/" + tmp + "-abs")):
    save("wd-" + kind, [BASE + [ent("wd", tarfile.SYMTYPE, 0o777, link=link)]],
         dict(SH, Cmd=["pwd"], WorkingDir=wd))
with open(os.path.join(out, "wd-tmp"), "w") as fh:
    fh.write("/tmp/" + tmp + "\n")
# /etc/passwd a link to a host file naming the User, or a FIFO
save("passwd-link", [BASE + [ent("etc/passwd", tarfile.SYMTYPE, 0o777, link=host + "/passwd")]],
     dict(SH, Cmd=["id -u"], User="hostonly"))
save("passwd-fifo", [BASE + [ent("etc/passwd", tarfile.FIFOTYPE, 0o644)]],
     dict(SH, Cmd=["id -u"], User="app"))
# a directory replaced by a link, then written through
save("dir-to-link", [BASE + [ent("d", tarfile.DIRTYPE, 0o755),
                             ent("d", tarfile.SYMTYPE, 0o777, link=host),
                             ent("d/escaped", data=b"x\n")]], dict(SH, Cmd=["true"]))
# a hard link in layer 2 to a file of layer 1
save("cross-hardlink", [BASE + [ent("etc/shared", data=b"layer 1\n")],
                        [ent("hl", tarfile.LNKTYPE, 0o644, link="etc/shared")]],
     dict(SH, Cmd=["true"]))
# whiteouts of "." and ".."
save("wh-dot", [BASE + [ent("etc/.wh..", data=b"")]], dict(SH, Cmd=["true"]))
save("wh-dotdot", [BASE + [ent("etc/.wh...", data=b"")]], dict(SH, Cmd=["true"]))
PYEOF
        diag_file "$T_TMP/make-hostile.log"
        fatal "cannot build the hostile images"
}

# import NAME: ns-image import of $IMG/NAME.tar into the store $C; status
# in RC, messages in $T_TMP/NAME.import.err
C=$T_TMP/cache
import() {
        "$NSI" --image-cache "$C" import "$IMG/$1.tar" >"$T_TMP/$1.import.out" 2>"$T_TMP/$1.import.err"
        RC=$?
}

# layer_file PATH: the file PATH (below a layer's root) in the store
layer_file() {
        local f
        for f in "$C"/layers/sha256/*/root/"$1"; do
                [[ -e $f || -L $f ]] && { printf '%s\n' "$f"; return 0; }
        done
        return 1
}

xattr_names() {
        python3 -c 'import os, sys; print(" ".join(sorted(os.listxattr(sys.argv[1], follow_symlinks=False))))' "$1"
}

# ------------------------------------------------ extended attributes

import xattrs
is "$RC" 0 "an image with extended attributes is imported"
((RC == 0)) || diag_file "$T_TMP/xattrs.import.err"
capped=$(layer_file bin/capped) || fatal "bin/capped is not in the store"
is "$(xattr_names "$capped")" "" \
        "  ... its file capability (cap_setuid, a file of uid 1000) is not kept on the host's file"
is "$(stat -c %u "$capped")" 1000 "  ... the file itself is there, the image's uid 1000's"
is "$(xattr_names "$(layer_file bin/marked)")" "user.kept" \
        "  ... of trusted.overlay.*, user.overlay.*, security.selinux and user.kept, only user.kept"

# ------------------------------------------- entries that leave a layer

for h in dir-to-link cross-hardlink wh-dot wh-dotdot; do
        import "$h"
        check "a layer with a $h entry is refused" test "$RC" = 1
        check "  ... saying that an entry leaves the layer" \
                grep -q 'refused: an entry leaves the layer' "$T_TMP/$h.import.err"
done
check "no entry was written through the link" test ! -e "$HOSTDIR/escaped"

# ---------------------------------------------------------- ns run

# runimg NAME IMAGE ARGS...: ns run --image with the store $C, at most 60 s
runimg() {
        local name=$1 image=$2
        shift 2
        run "$name" timeout 60 "$NS" run --image-cache "$C" --image "$image" "$@"
}

# The WorkingDir is made after the root switch, so a link in it is
# resolved in the instance: a directory the instance has not is an
# error, one it has gets the WorkingDir made there, in its writable layer.
for w in rel abs; do
        runimg "wd-$w" "$IMG/wd-$w.tar"
        check "a WorkingDir through a $w link to a host directory: refused" \
                grep -q "cannot change directory to '/wd/made'" "$ERR"
        check "  ... nothing made on the host" test ! -e "$HOSTDIR/escape-$w"
done
WDTMP=$(<"$IMG/wd-tmp")
for w in rel abs; do
        runimg "wd-tmp-$w" "$IMG/wd-tmp-$w.tar"
        is "$RC:$(cat "$OUT")" "0:$WDTMP-$w" \
                "a WorkingDir through a $w link to /tmp: made in the instance's /tmp"
        ((RC == 0)) || diag_file "$ERR"
        check "  ... not in the host's" test ! -e "$WDTMP-$w"
done

runimg passwd-link "$IMG/passwd-link.tar"
check "an /etc/passwd linked to a host file naming the User: refused" test "$RC" -ne 0
check "  ... the link is not followed out of the image" grep -q "user 'hostonly'" "$ERR"
check "  ... nothing ran as the host file's uid" test ! -s "$OUT"

runimg passwd-fifo "$IMG/passwd-fifo.tar"
check "an /etc/passwd that is a FIFO: refused, without hanging" test "$RC" -ne 0 -a "$RC" -ne 124
check "  ... saying so" grep -q "cannot read the image's /etc/passwd" "$ERR"

# The image's command with the host's mount namespace would run on the
# host's root, writable: refused before anything runs.
runimg share-mnt "$IMG/xattrs.tar" --share mnt --entrypoint /bin/sh -- -c "echo ran > '$HOSTDIR/ran-on-host'"
check "--image with --share=mnt is refused" test "$RC" -ne 0
check "  ... saying why" grep -q "cannot run with --image and --share=mnt" "$ERR"
check "  ... and the command did not run on the host" test ! -e "$HOSTDIR/ran-on-host"
run rootfs-share-mnt timeout 60 "$NS" run --rootfs "$HOSTDIR" --share mnt /bin/sh -c "echo ran > '$HOSTDIR/ran-rootfs'"
check "--rootfs with --share=mnt is refused too" test "$RC" -ne 0 -a ! -e "$HOSTDIR/ran-rootfs"
# --tmpfs, --vol and --map with it were taken and not mounted at all.
for m in "--tmpfs /mnt" "--vol $HOSTDIR /mnt" "--map $HOSTDIR /mnt"; do
        # shellcheck disable=SC2086 # the option and its arguments
        run mounts-share-mnt timeout 60 "$NS" run $m --share mnt /bin/sh -c "echo ran > '$HOSTDIR/ran-mounts'"
        check "${m%% *} with --share=mnt is refused, saying why" \
                grep -q "cannot run with ${m%% *} and --share=mnt: its mounts need a mount namespace" "$ERR"
        check "  ... before anything runs" test "$RC" -eq 1 -a ! -e "$HOSTDIR/ran-mounts"
done

# ------------------------------------------- root inside against the store

# store_state: every file below the store's layers/ with its type, mode,
# owner, size, times, attributes and content digest; then ns and ns-image.
store_state() {
        python3 - "$C/layers" "$NS" "$NSI" <<'PYEOF'
import hashlib, os, stat, sys
for root, dirs, files in os.walk(sys.argv[1]):
    for n in sorted(dirs + files):
        p = os.path.join(root, n)
        st = os.lstat(p)
        h = ""
        if stat.S_ISREG(st.st_mode):
            with open(p, "rb") as fh:
                h = hashlib.sha256(fh.read()).hexdigest()
        x = sorted((k, os.getxattr(p, k, follow_symlinks=False))
                   for k in os.listxattr(p, follow_symlinks=False))
        print(p, oct(st.st_mode), st.st_uid, st.st_gid, st.st_nlink, st.st_size,
              st.st_mtime_ns, st.st_ctime_ns, x, h)
for p in sys.argv[2:]:
    with open(p, "rb") as fh:
        print(p, hashlib.sha256(fh.read()).hexdigest())
PYEOF
}

# What root inside, with every capability of its user namespace, tries:
# writing the layers' files in every way overlayfs has, reaching the
# lower directories by the paths mountinfo shows, mounting them anew,
# remounting the root, and writing ns itself through /proc/1/exe.
cat >"$T_TMP/attack.sh" <<'EOF'
b=/bin/busybox
echo x >>/bin/busybox-hardlink
echo x >/etc/passwd
$b truncate -s 0 /etc/group 2>/dev/null || : >/etc/group
$b chmod 4777 /bin/busybox
$b chown 1:1 /bin/busybox
touch /etc/layer2-marker
rm -f /etc/second-marker /bin/cat
$b ln /bin/busybox /hl && echo x >>/hl
$b mv /opt /opt2
mkdir -p /mnt /ovl/u /ovl/w
for d in $($b sed -n 's/.*lowerdir+\{0,1\}=\([^,]*\).*/\1/p' /proc/self/mountinfo) \
         $($b grep -o 'lowerdir+=[^,]*' /proc/self/mountinfo | $b sed 's/lowerdir+=//'); do
        echo x >"$d/bin/busybox" 2>/dev/null
        $b mount --bind "$d" /mnt 2>/dev/null && echo x >/mnt/bin/busybox
        $b mount -t overlay o -o "lowerdir=/ovl,upperdir=$d,workdir=/ovl/w" /mnt 2>/dev/null &&
                echo x >/mnt/bin/busybox
done
$b mount -o remount,rw,bind / 2>/dev/null
echo x >>/proc/1/exe 2>/dev/null
echo x >>/proc/1/root/bin/busybox
echo x >>/proc/1/cwd/bin/busybox 2>/dev/null
echo "done $(cat /etc/passwd)"
EOF

runimg warm "$IMG/busybox.docker.tar" --root -w / true
is "$RC" 0 "the busybox image runs"
runimg warm2 "$IMG/second.docker.tar" true
is "$RC" 0 "  ... and the image sharing its first layer"
store_state >"$T_TMP/store.before" || fatal "cannot list the store"

runimg attack "$IMG/busybox.docker.tar" --root -w / --cap-add all \
        --map "$T_TMP/attack.sh" /tmp/attack.sh --entrypoint /bin/sh -- /tmp/attack.sh
is "$(tail -n 1 "$OUT")" "done x" "root inside with every capability runs its attack on the store (its writes seen inside)"
((RC == 0)) || diag_file "$ERR"
store_state >"$T_TMP/store.after" || fatal "cannot list the store"
if cmp -s "$T_TMP/store.before" "$T_TMP/store.after"; then
        ok "  ... the store's layers, ns and ns-image are unchanged"
else
        not_ok "  ... the store's layers, ns and ns-image are unchanged"
        diff "$T_TMP/store.before" "$T_TMP/store.after" | head -n 20 | sed 's/^/# /'
fi
runimg after "$IMG/second.docker.tar"
is "$(cat "$OUT")" "second" "  ... and the image sharing the layer runs as before"
runimg after2 "$IMG/busybox.docker.tar" --root -w / \
        --entrypoint /bin/sh -- -c 'wc -l </etc/passwd; stat -c %a /bin/busybox; test -e /hl || echo no-hl'
is "$(cat "$OUT" | tr '\n' ' ')" "3 755 no-hl " "  ... as does the attacked image, with none of the writes"

done_testing
