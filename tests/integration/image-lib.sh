# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2034 # the TI_* variables are for the tests
#
# Container images made by the tests themselves, with no network: sourced
# by the tests of ns run --image, ns images and the registry client. Needs
# python3 (its tarfile, gzip and hashlib: exact control over owners, modes,
# device and whiteout entries without root) and a static busybox.
#
# make_test_images OUTDIR
#   Builds two images and writes each in every local format:
#
#     OUTDIR/busybox.docker.tar   `docker save` archive of ns-test/busybox:1
#                                 (manifest.json, repositories, <hex>.json,
#                                 <dir>/layer.tar gzip-compressed, VERSION, json)
#     OUTDIR/busybox.oci/         OCI image layout (oci-layout, index.json,
#                                 blobs/sha256/...), ref.name "1"
#     OUTDIR/busybox.oci.tar      that layout as a tar (like oci-archive:)
#     OUTDIR/second.docker.tar    ns-test/second:1, sharing layer 1
#     OUTDIR/second.oci/, OUTDIR/second.oci.tar
#     OUTDIR/images.env           the TI_* variables below, also set in the
#                                 caller's shell
#
#   busybox (two layers):
#     layer 1 (TI_L1): bin/busybox (static) with links bin/<applet> -> busybox
#       (sh ls cat echo id env pwd stat touch rm mkdir sleep true false nc
#       httpd wc grep head uptime readlink ps sed date test) and a hard link
#       bin/busybox-hardlink; etc/passwd, etc/group (root 0, app 1000,
#       nobody 65534); etc/removed-by-layer2 (deleted by layer 2);
#       opt/replaced/{old-a,old-b} (the directory layer 2 replaces);
#       home/app/ and home/app/owned-by-app owned 1000:1000 (mode 0750 and
#       0640); bin/setuid-root (0:0, mode 04755); bin/setgid-app (1000:1000,
#       mode 02755); dev/null (a character device 1:3, which an unprivileged
#       import skips); tmp/ (1777).
#     layer 2 (TI_L2): etc/.wh.removed-by-layer2 (whiteout),
#       opt/replaced/.wh..wh..opq (opaque) with opt/replaced/new-file,
#       etc/layer2-marker ("layer2"), home/app/from-layer2 (1000:1000).
#     config (TI_BUSYBOX_CONFIG): Entrypoint ["/bin/sh","-c"],
#       Cmd ["echo hello from the image"], Env PATH=/bin, NS_IMAGE_TEST=1,
#       GREETING=hello world; WorkingDir /home/app; User 1000:1000;
#       architecture amd64, os linux.
#   second (two layers): layer 1 (TI_L1, the same blob) and layer 3 (TI_L3:
#     etc/second-marker "second"); config TI_SECOND_CONFIG: Cmd ["cat",
#     "/etc/second-marker"], no Entrypoint, no User, Env PATH=/bin.
#
#   Digests, "sha256:<hex>": TI_L1 TI_L2 TI_L3 (the gzip blobs, as manifests
#   list them, the same bytes in both formats), TI_L1_DIFF TI_L2_DIFF
#   TI_L3_DIFF (of the uncompressed tars), TI_BUSYBOX_CONFIG,
#   TI_SECOND_CONFIG, TI_BUSYBOX_MANIFEST and TI_SECOND_MANIFEST (the OCI
#   manifests of the layouts). The layer blobs are reproducible (fixed
#   mtimes, gzip without a time stamp), so the digests are the same in
#   every run.
#
# corrupt_layout SRC DST
#   Copies the OCI layout directory SRC to DST with one byte of its top
#   layer blob changed (its file name, the digest, unchanged): an import
#   or a registry serving it must refuse the blob.
#
# make_hostile_images OUTDIR
#   Single-layer docker-save archives whose layer an importer must refuse:
#     OUTDIR/hostile-dotdot.tar    an entry "../escaped"
#     OUTDIR/hostile-absolute.tar  an entry "/escaped"
#     OUTDIR/hostile-symlink.tar   "link -> /tmp" then "link/escaped"
#     OUTDIR/hostile-hardlink.tar  a hard link "hl" to "../../escaped"

# The python half: writes the images described above. Arguments: OUTDIR,
# the mode ("images" or "hostile"), the busybox binary.
_image_lib_py() {
        python3 - "$@" <<'PYEOF'
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

out, mode, busybox_path = sys.argv[1], sys.argv[2], sys.argv[3]
MTIME = 1700000000


def sha(b):
    return hashlib.sha256(b).hexdigest()


def entry(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, data=b"", link="", dev=(0, 0)):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = MTIME
    ti.linkname = link
    ti.devmajor, ti.devminor = dev
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    return (ti, data if kind == tarfile.REGTYPE else None)


def d(name, mode=0o755, uid=0, gid=0):
    return entry(name, tarfile.DIRTYPE, mode, uid, gid)


def f(name, data, mode=0o644, uid=0, gid=0):
    return entry(name, tarfile.REGTYPE, mode, uid, gid, data=data)


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def layer(entries):
    raw = tar_bytes(entries)
    buf = io.BytesIO()
    # mtime=0: the same bytes every run, so the digests are stable
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(raw)
    return buf.getvalue(), "sha256:" + sha(raw)


def config(diff_ids, cfg):
    doc = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2023-11-14T22:13:20Z",
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "make_test_images"}
                    for _ in diff_ids],
    }
    return json.dumps(doc, indent=None, separators=(",", ":")).encode()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def write_tar_of_dir(src, dst):
    # members in sorted order with fixed times: a reproducible archive
    with tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as t:
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                p = os.path.join(root, name)
                ti = t.gettarinfo(p, os.path.relpath(p, src))
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                ti.mtime = MTIME
                if ti.isfile():
                    with open(p, "rb") as fh:
                        t.addfile(ti, fh)
                else:
                    t.addfile(ti)


def save_image(stem, repo, tag, layers, cfg_bytes):
    """layers: [(gz, diff_id)]; writes stem.docker.tar, stem.oci/, stem.oci.tar."""
    cfg_hex = sha(cfg_bytes)
    # OCI layout
    oci = os.path.join(out, stem + ".oci")
    blobs = os.path.join(oci, "blobs", "sha256")
    write(os.path.join(blobs, cfg_hex), cfg_bytes)
    for gz, _ in layers:
        write(os.path.join(blobs, sha(gz)), gz)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + cfg_hex, "size": len(cfg_bytes)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + sha(gz), "size": len(gz)} for gz, _ in layers],
    }
    mbytes = json.dumps(manifest, separators=(",", ":")).encode()
    write(os.path.join(blobs, sha(mbytes)), mbytes)
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": manifest["mediaType"], "digest": "sha256:" + sha(mbytes),
                       "size": len(mbytes),
                       "annotations": {"org.opencontainers.image.ref.name": tag}}],
    }
    write(os.path.join(oci, "index.json"), json.dumps(index).encode())
    write(os.path.join(oci, "oci-layout"), b'{"imageLayoutVersion":"1.0.0"}')
    write_tar_of_dir(oci, os.path.join(out, stem + ".oci.tar"))

    # docker save: the legacy layer directories, named after the diff ids
    # (docker names them after v1 ids; any unique name will do for load)
    members = []
    layer_paths = []
    for gz, diff in layers:
        dirname = diff.split(":")[1]
        members.append(d(dirname))
        members.append(f(dirname + "/VERSION", b"1.0"))
        members.append(f(dirname + "/json", json.dumps({"id": dirname}).encode()))
        members.append(f(dirname + "/layer.tar", gz))
        layer_paths.append(dirname + "/layer.tar")
    members.append(f(cfg_hex + ".json", cfg_bytes))
    top = layers[-1][1].split(":")[1]
    members.append(f("repositories", json.dumps({repo: {tag: top}}).encode()))
    mf = [{"Config": cfg_hex + ".json", "RepoTags": [repo + ":" + tag], "Layers": layer_paths}]
    members.append(f("manifest.json", json.dumps(mf).encode()))
    write(os.path.join(out, stem + ".docker.tar"), tar_bytes(members))
    return "sha256:" + sha(mbytes), "sha256:" + cfg_hex


def images():
    with open(busybox_path, "rb") as fh:
        bb = fh.read()
    applets = ["sh", "ls", "cat", "echo", "id", "env", "pwd", "stat", "touch", "rm", "mkdir",
               "sleep", "true", "false", "nc", "httpd", "wc", "grep", "head", "uptime",
               "readlink", "ps", "sed", "date", "test"]
    l1 = [d("bin"), f("bin/busybox", bb, 0o755)]
    l1 += [entry("bin/" + a, tarfile.SYMTYPE, 0o777, link="busybox") for a in applets]
    l1 += [entry("bin/busybox-hardlink", tarfile.LNKTYPE, 0o755, link="bin/busybox"),
           f("bin/setuid-root", b"#!/bin/sh\necho setuid\n", 0o4755),
           f("bin/setgid-app", b"#!/bin/sh\necho setgid\n", 0o2755, 1000, 1000),
           d("dev"), entry("dev/null", tarfile.CHRTYPE, 0o666, dev=(1, 3)),
           d("etc"),
           f("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
             b"app:x:1000:1000:app:/home/app:/bin/sh\n"
             b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
           f("etc/group", b"root:x:0:\napp:x:1000:\nnogroup:x:65534:\n"),
           f("etc/removed-by-layer2", b"layer1\n"),
           d("home"), d("home/app", 0o750, 1000, 1000),
           f("home/app/owned-by-app", b"app's\n", 0o640, 1000, 1000),
           d("opt"), d("opt/replaced"),
           f("opt/replaced/old-a", b"a\n"), f("opt/replaced/old-b", b"b\n"),
           d("proc"), d("root", 0o700), d("tmp", 0o1777)]
    l2 = [d("etc"), f("etc/.wh.removed-by-layer2", b""),
          f("etc/layer2-marker", b"layer2\n"),
          d("opt"), d("opt/replaced"), f("opt/replaced/.wh..wh..opq", b""),
          f("opt/replaced/new-file", b"new\n"),
          d("home"), d("home/app", 0o750, 1000, 1000),
          f("home/app/from-layer2", b"from layer 2\n", 0o644, 1000, 1000)]
    l3 = [d("etc"), f("etc/second-marker", b"second\n")]
    L1, L2, L3 = layer(l1), layer(l2), layer(l3)

    bcfg = config([L1[1], L2[1]], {
        "Entrypoint": ["/bin/sh", "-c"],
        "Cmd": ["echo hello from the image"],
        "Env": ["PATH=/bin", "NS_IMAGE_TEST=1", "GREETING=hello world"],
        "WorkingDir": "/home/app",
        "User": "1000:1000",
    })
    scfg = config([L1[1], L3[1]], {"Cmd": ["cat", "/etc/second-marker"], "Env": ["PATH=/bin"]})
    bm, bc = save_image("busybox", "ns-test/busybox", "1", [L1, L2], bcfg)
    sm, sc = save_image("second", "ns-test/second", "1", [L1, L3], scfg)
    env = {
        "TI_L1": "sha256:" + sha(L1[0]), "TI_L2": "sha256:" + sha(L2[0]),
        "TI_L3": "sha256:" + sha(L3[0]),
        "TI_L1_DIFF": L1[1], "TI_L2_DIFF": L2[1], "TI_L3_DIFF": L3[1],
        "TI_BUSYBOX_CONFIG": bc, "TI_SECOND_CONFIG": sc,
        "TI_BUSYBOX_MANIFEST": bm, "TI_SECOND_MANIFEST": sm,
    }
    write(os.path.join(out, "images.env"),
          "".join("%s=%s\n" % kv for kv in sorted(env.items())).encode())


def hostile():
    cases = {
        "dotdot": [f("../escaped", b"x\n")],
        "absolute": [f("/escaped", b"x\n")],
        "symlink": [entry("link", tarfile.SYMTYPE, 0o777, link="/tmp"),
                    f("link/escaped", b"x\n")],
        "hardlink": [entry("hl", tarfile.LNKTYPE, 0o644, link="../../escaped")],
    }
    for name, entries in cases.items():
        gz, diff = layer(entries)
        cfg = config([diff], {"Cmd": ["/bin/sh"]})
        cfg_hex = sha(cfg)
        mf = [{"Config": cfg_hex + ".json", "RepoTags": ["ns-test/hostile:" + name],
               "Layers": ["l/layer.tar"]}]
        members = [d("l"), f("l/layer.tar", gz), f(cfg_hex + ".json", cfg),
                   f("manifest.json", json.dumps(mf).encode())]
        write(os.path.join(out, "hostile-%s.tar" % name), tar_bytes(members))


images() if mode == "images" else hostile()
PYEOF
}

_image_lib_busybox() {
        local bb
        bb=$(command -v busybox) || { echo "image-lib: busybox is not installed" >&2; return 1; }
        grep -q 'not a dynamic executable' <<<"$(ldd "$bb" 2>&1)" ||
                { echo "image-lib: $bb is dynamically linked: install busybox-static" >&2; return 1; }
        command -v python3 >/dev/null || { echo "image-lib: python3 is not installed" >&2; return 1; }
        printf '%s\n' "$bb"
}

make_test_images() {
        local out=$1 bb
        bb=$(_image_lib_busybox) || return 1
        mkdir -p "$out" || return 1
        _image_lib_py "$out" images "$bb" || return 1
        # shellcheck disable=SC1091 # written just above
        . "$out/images.env"
}

make_hostile_images() {
        local out=$1 bb
        bb=$(_image_lib_busybox) || return 1
        mkdir -p "$out" || return 1
        _image_lib_py "$out" hostile "$bb"
}

corrupt_layout() {
        local src=$1 dst=$2 top
        rm -rf "$dst" && cp -a "$src" "$dst" || return 1
        # the last layer of the (only) manifest
        top=$(jq -r '.manifests[0].digest' "$dst/index.json") || return 1
        top=$(jq -r '.layers[-1].digest' "$dst/blobs/sha256/${top#sha256:}") || return 1
        local blob=$dst/blobs/sha256/${top#sha256:} size
        size=$(stat -c %s "$blob") || return 1
        # flip one byte in the middle: same size, another digest
        python3 -c 'import sys
p, off = sys.argv[1], int(sys.argv[2])
with open(p, "r+b") as fh:
    fh.seek(off); b = fh.read(1); fh.seek(off); fh.write(bytes([b[0] ^ 0xff]))' "$blob" $((size / 2))
}
