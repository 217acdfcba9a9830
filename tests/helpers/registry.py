#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small registry (the v2 distribution API, read-only) for the pull tests.

Serves one OCI image layout (as make_test_images writes it) as REPO:TAG on
plain HTTP. It listens on port 0 and prints the port it got on stdout, so
tests never collide. Every request is logged as one JSON line in --log:
method, path, the Authorization header it carried, the status answered.

Modes:
  --auth      the /v2/ API wants a bearer token: 401 with
              WWW-Authenticate: Bearer realm=<its own /token>,service,scope;
              /token hands out a fresh token, which the API then requires.
              Blob downloads are redirected to another origin (the same
              server under the name "localhost"), as registries send them
              to storage: a client must not carry the token there.
  --corrupt   the top layer is served with one byte changed (its digest in
              the manifest unchanged).
  --index     the tag resolves to an image index with an entry for another
              platform first, the host's second and a buildkit attestation
              last; the other platform's manifest names blobs that do not
              exist, so a client that picks it fails.
  --slow      the first download of the top layer sends half the blob, logs
              {"sent": N} for it, then trickles the rest a byte a second
              (a client can be interrupted midway); later downloads of it
              are served at once.
"""

import argparse
import hashlib
import json
import os
import platform
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOARCH = {"x86_64": ("amd64", None), "aarch64": ("arm64", "v8"), "armv7l": ("arm", "v7"),
          "i686": ("386", None), "ppc64le": ("ppc64le", None), "s390x": ("s390x", None),
          "riscv64": ("riscv64", None)}
INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


class Image:
    def __init__(self, layout, tag, index, corrupt, slow):
        self.blobs = {}
        blobdir = os.path.join(layout, "blobs", "sha256")
        for name in os.listdir(blobdir):
            with open(os.path.join(blobdir, name), "rb") as fh:
                self.blobs["sha256:" + name] = fh.read()
        with open(os.path.join(layout, "index.json"), "rb") as fh:
            top = json.load(fh)["manifests"][0]
        self.manifest_digest = top["digest"]
        manifest = json.loads(self.blobs[self.manifest_digest])
        self.manifests = {self.manifest_digest: (MANIFEST_TYPE, self.blobs[self.manifest_digest])}
        self.tags = {tag: self.manifest_digest}
        self.corrupt_digest = manifest["layers"][-1]["digest"] if corrupt else None
        self.slow_digest = manifest["layers"][-1]["digest"] if slow else None
        if index:
            self.tags[tag] = self.add_index(top)

    def add_index(self, top):
        arch, variant = GOARCH[platform.machine()]
        other = "s390x" if arch != "s390x" else "ppc64le"
        # a manifest for the other platform, with blobs nobody has
        fake = {
            "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": sha(b"not a config"), "size": 12},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": sha(b"not a layer"), "size": 11}],
        }
        fake_bytes = json.dumps(fake).encode()
        self.manifests[sha(fake_bytes)] = (MANIFEST_TYPE, fake_bytes)
        host_platform = {"os": "linux", "architecture": arch}
        if variant:
            host_platform["variant"] = variant
        entries = [
            {"mediaType": MANIFEST_TYPE, "digest": sha(fake_bytes), "size": len(fake_bytes),
             "platform": {"os": "linux", "architecture": other}},
            {"mediaType": MANIFEST_TYPE, "digest": top["digest"], "size": top["size"],
             "platform": host_platform},
            {"mediaType": MANIFEST_TYPE, "digest": sha(fake_bytes), "size": len(fake_bytes),
             "platform": {"os": "unknown", "architecture": "unknown"}},
        ]
        index = json.dumps({"schemaVersion": 2, "mediaType": INDEX_TYPE,
                            "manifests": entries}).encode()
        self.manifests[sha(index)] = (INDEX_TYPE, index)
        return sha(index)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ns-test-registry"

    def log_message(self, *args):
        pass  # the JSON log says what happened; stderr stays quiet

    def record(self, status, **extra):
        entry = {"method": self.command, "host": self.headers.get("Host", ""),
                 "path": self.path, "auth": self.headers.get("Authorization"), "status": status}
        entry.update(extra)
        line = json.dumps(entry)
        with self.server.lock, open(self.server.opts.log, "a") as fh:
            fh.write(line + "\n")

    def send(self, status, body=b"", ctype="application/json", headers=(), **extra):
        self.record(status, **extra)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.send(status, body)

    def authorised(self):
        opts = self.server.opts
        if not opts.auth:
            return True
        given = self.headers.get("Authorization", "")
        if given.startswith("Bearer ") and given[7:] in self.server.tokens:
            return True
        port = self.server.server_address[1]
        challenge = ('Bearer realm="http://127.0.0.1:%d/token",service="ns-test-registry",'
                     'scope="repository:%s:pull"' % (port, opts.repo))
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED",
                                       "message": "authentication required"}]}).encode()
        self.send(401, body, headers=[("WWW-Authenticate", challenge)])
        return False

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path, opts, image = url.path, self.server.opts, self.server.image
        if path == "/token":
            q = urllib.parse.parse_qs(url.query)
            if q.get("scope") != ["repository:%s:pull" % opts.repo] or \
                    q.get("service") != ["ns-test-registry"]:
                return self.error(400, "DENIED", "bad scope or service")
            token = secrets.token_hex(16)
            self.server.tokens.add(token)
            return self.send(200, json.dumps({"token": token, "expires_in": 300}).encode(),
                             issued=token)
        if path.startswith("/storage/"):
            # the "storage" a blob redirect points at: no token needed
            return self.send_blob(path[len("/storage/"):])
        if not path.startswith("/v2/"):
            return self.error(404, "NOT_FOUND", "not found")
        if not self.authorised():
            return None
        if path == "/v2/":
            return self.send(200, b"{}")
        prefix = "/v2/%s/" % opts.repo
        if not path.startswith(prefix):
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
        rest = path[len(prefix):]
        if rest.startswith("manifests/"):
            ref = rest[len("manifests/"):]
            digest = image.tags.get(ref, ref)
            if digest not in image.manifests:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            ctype, body = image.manifests[digest]
            return self.send(200, body, ctype, [("Docker-Content-Digest", digest)])
        if rest.startswith("blobs/"):
            digest = rest[len("blobs/"):]
            if opts.auth and digest in image.blobs:
                port = self.server.server_address[1]
                return self.send(307, headers=[
                    ("Location", "http://localhost:%d/storage/%s" % (port, digest))])
            return self.send_blob(digest)
        return self.error(404, "NOT_FOUND", "not found")

    def send_blob(self, digest):
        image = self.server.image
        if digest not in image.blobs:
            return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        body = image.blobs[digest]
        with self.server.lock:
            slow = digest == image.slow_digest
            if slow:
                image.slow_digest = None  # only the first download is slow
        if slow:
            return self.send_slowly(digest, body)
        if digest == image.corrupt_digest:
            mid = len(body) // 2
            body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1:]
        return self.send(200, body, "application/octet-stream",
                         [("Docker-Content-Digest", digest)])

    def send_slowly(self, digest, body):
        self.record(200, slow=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        half = len(body) // 2
        try:
            self.wfile.write(body[:half])
            self.wfile.flush()
            self.record(200, sent=half)
            for i in range(half, len(body)):
                time.sleep(1)
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client went away midway


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", required=True, help="an OCI image layout directory")
    ap.add_argument("--repo", default="ns-test/busybox")
    ap.add_argument("--tag", default="1")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--log", required=True)
    ap.add_argument("--auth", action="store_true")
    ap.add_argument("--corrupt", action="store_true")
    ap.add_argument("--index", action="store_true")
    ap.add_argument("--slow", action="store_true")
    opts = ap.parse_args()

    server = ThreadingHTTPServer((opts.bind, 0), Handler)
    server.daemon_threads = True
    server.opts = opts
    server.image = Image(opts.layout, opts.tag, opts.index, opts.corrupt, opts.slow)
    server.tokens = set()
    server.lock = threading.Lock()
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
