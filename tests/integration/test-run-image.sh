#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run --image, as root and as an unprivileged user (nobody, with a cache
# directory of its own through XDG_CACHE_HOME): images built here by
# image-lib.sh (a busybox image of two layers, the second deleting a file
# of the first and replacing a directory; a second image sharing the first
# layer), imported from their docker-save archives on first use. The
# instance sees the image's files and not the host's, the config's Env,
# WorkingDir and User, the whiteout and the opaque directory; writes
# succeed and are gone after the instance, the store unchanged; --read-only
# refuses them; a command replaces Cmd; -e sets variables; ns ls shows the
# image; a missing image is a clear error.

# The subordinate ranges nobody has are the test's own: the whole test runs
# in a mount namespace of its own whose /etc is a copy, with /etc/subuid and
# /etc/subgid the test's (empty, then with a range for nobody), whatever
# another test adds to the host's meanwhile. (A copy of /etc rather than
# binds over the two files: a file replaced on the host, as sed -i does,
# takes away the mounts on it in every namespace.) newuidmap, setuid, reads
# them there too.
if [[ -z ${NS_RUN_IMAGE_IDS:-} ]]; then
        NS_RUN_IMAGE_IDS=$(mktemp -d /tmp/ns-run-image-ids.XXXXXX) || {
                printf '1..1\nnot ok 1 - mktemp\n'
                exit 1
        }
        export NS_RUN_IMAGE_IDS
        chmod 755 "$NS_RUN_IMAGE_IDS" && cp -a /etc "$NS_RUN_IMAGE_IDS/etc" &&
                : >"$NS_RUN_IMAGE_IDS/etc/subuid" && : >"$NS_RUN_IMAGE_IDS/etc/subgid" &&
                chmod 644 "$NS_RUN_IMAGE_IDS/etc/subuid" "$NS_RUN_IMAGE_IDS/etc/subgid" || {
                printf '1..1\nnot ok 1 - cannot copy /etc for the test\n'
                rm -rf "$NS_RUN_IMAGE_IDS"
                exit 1
        }
        unshare -m --propagation private bash -c \
                'mount --bind "$1/etc" /etc && shift && exec "$@"' _ "$NS_RUN_IMAGE_IDS" bash "$0" "$@"
        rc=$?
        rm -rf "$NS_RUN_IMAGE_IDS"
        exit $rc
fi

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
require_tools setpriv python3 busybox jq find stat newuidmap newgidmap

require_nobody

# ns and ns-image (which ns runs to import an image) in a directory nobody
# may run them from, side by side as ns looks for its helper.
NS_IMAGE_BIN=${NS_IMAGE:-${NS%/*}/ns-image}
[[ -x $NS_IMAGE_BIN ]] || fatal "ns-image is not built next to ns ('$NS_IMAGE_BIN')"
ns_for_nobody
cp "$NS_IMAGE_BIN" "${NS%/*}/ns-image" && chmod 755 "${NS%/*}/ns-image" ||
        fatal "cannot copy ns-image next to '$NS'"

IMG=$T_TMP/images
make_test_images "$IMG" >"$T_TMP/make-images.log" 2>&1 || {
        diag_file "$T_TMP/make-images.log"
        fatal "cannot build the test images"
}
chmod -R a+rX "$IMG" || fatal "chmod $IMG"
BUSYBOX=$IMG/busybox.docker.tar
SECOND=$IMG/second.docker.tar

# A variable of the caller's that an image's environment must not have.
export NS_HOST_ONLY=from-the-host
export TERM=xterm-ns-test

# store_listing STORE: every file of the store's blobs/ and layers/ with
# its type and mode, owner, size, mtime, device and opaque mark, to compare
# before and after a run.
store_listing() {
        python3 - "$1" <<'PYEOF'
import os, stat, sys
os.chdir(sys.argv[1])
for top in ("blobs", "layers"):
    for root, dirs, files in os.walk(top):
        for n in sorted(dirs + files):
            p = os.path.join(root, n)
            st = os.lstat(p)
            try:
                opq = os.getxattr(p, "user.overlay.opaque", follow_symlinks=False)
            except OSError:
                opq = b""
            print(p, oct(st.st_mode), st.st_uid, st.st_size, st.st_mtime_ns,
                  st.st_rdev, opq.decode())
PYEOF
}

# image_instance_line NAME: "NAME IMAGE" of the instance named NAME in ns ls
image_instance_line() {
        "$NS" ls -J -o NAME,IMAGE 2>/dev/null |
                jq -r --arg n "$1" '.instances[] | select(.name == $n) | "\(.name) \(.image)"'
}

has_instance() {
        [[ -n $(image_instance_line "$1") ]]
}

gone() {
        ! alive "$1"
}

suite() {
        local who=$1 uid cache
        local -a AS=()
        if [[ $who == nobody* ]]; then
                AS=("${AS_NOBODY[@]}")
                uid=$NOBODY_UID
        else
                uid=0
        fi
        cache=$T_TMP/cache-$who
        mkdir -p "$cache" && chown "$uid:$uid" "$cache" || fatal "mkdir $cache"
        local -a RUN=("${AS[@]}" env XDG_CACHE_HOME="$cache" "$NS" run)
        local store=$cache/ns

        # First use: imported into the default store, then run with the
        # config's Entrypoint and Cmd.
        run first "${RUN[@]}" --image "$BUSYBOX"
        is "$RC" 0 "$who: ns run --image <docker-save archive> exits 0"
        is "$(cat "$OUT")" "hello from the image" "$who:   ... runs the image's Entrypoint and Cmd"
        ((RC == 0)) || diag_file "$ERR"
        check "$who:   ... in the store under \$XDG_CACHE_HOME/ns" test -d "$store/layers/sha256"
        is "$(stat -c %u "$store")" "$uid" "$who:   ... which is the caller's"

        # The image's files, not the host's.
        run files "${RUN[@]}" --image "$BUSYBOX" \
                'cat /etc/layer2-marker; ls /etc; test -e /etc/hostname && echo host-hostname; cat /etc/passwd | wc -l'
        is "$(sed -n 1p "$OUT")" "layer2" "$who: the top layer's file is there"
        is "$(sed -n '2,$p' "$OUT" | tr '\n' ' ')" "group layer2-marker passwd 3 " \
                "$who:   ... /etc is the image's: the file layer 2 deletes (whiteout) is absent, no host file"
        run opaque "${RUN[@]}" --image "$BUSYBOX" 'ls -A /opt/replaced'
        is "$(tr '\n' ' ' <"$OUT")" "new-file " "$who: the directory layer 2 replaces (opaque) holds only its files"

        # Env, WorkingDir, User of the config.
        run env "${RUN[@]}" --image "$BUSYBOX" env
        is "$(grep -c '^NS_IMAGE_TEST=1$' "$OUT")" 1 "$who: the image's Env is set"
        check "$who:   ... a value with a blank whole" grep -qx 'GREETING=hello world' "$OUT"
        check "$who:   ... PATH is the image's" grep -qx 'PATH=/bin' "$OUT"
        check "$who:   ... TERM is the caller's" grep -qx 'TERM=xterm-ns-test' "$OUT"
        is "$(grep -c '^NS_HOST_ONLY=' "$OUT")" 0 "$who:   ... and nothing else of the caller's environment"
        # (pid 1 is the command's own uid under the single map, which may
        # then read its environment; another one under a map of several)
        run env1 "${RUN[@]}" --image "$BUSYBOX" \
                'if tr "\0" "\n" </proc/1/environ >/tmp/e 2>/dev/null; then
                        if grep -q "^NS_HOST_ONLY=" /tmp/e; then echo leak
                        elif grep -qx NS_IMAGE_TEST=1 /tmp/e; then echo image
                        else echo other; fi
                else echo unreadable; fi'
        if [[ $(cat "$OUT") == image || $(cat "$OUT") == unreadable ]]; then
                ok "$who:   ... nor in ns' pid 1's environment, which the command may read ($(cat "$OUT"))"
        else
                not_ok "$who:   ... nor in ns' pid 1's environment, which the command may read"
                diag_file "$OUT"
        fi
        run cwd "${RUN[@]}" --image "$BUSYBOX" 'pwd; id -u; id -g; id -un; stat -c %u:%g /home/app/owned-by-app'
        is "$(tr '\n' ' ' <"$OUT")" "/home/app 1000 1000 app 1000:1000 " \
                "$who: WorkingDir and User of the config (uid, gid, name), the files the user's"

        # --root keeps the image's WorkingDir, /home/app (0750, the user's):
        # under a map of several ids closed to a uid 0 without
        # capabilities, and the message says how; under the single map
        # every file is the caller's, 0 inside
        run rootwd "${RUN[@]}" --root --image "$BUSYBOX" pwd
        if [[ $who == nobody ]]; then
                is "$RC:$(cat "$OUT")" "0:/home/app" "$who: --root in the image user's WorkingDir, its own under the single map"
        else
                is "$RC:$(cat "$ERR")" "1:ns: cannot change directory to '/home/app': permission denied (uid 0 inside has no capabilities: --cap-add dac_read_search lets it in)" \
                        "$who: --root in the image user's WorkingDir: refused, with the capability that opens it"
                run rootwd2 "${RUN[@]}" --root --cap-add dac_read_search --image "$BUSYBOX" pwd
                is "$RC:$(cat "$OUT")" "0:/home/app" "$who:   ... which does"
        fi

        # -e
        run e "${RUN[@]}" --image "$BUSYBOX" -e GREETING=bye -e NS_HOST_ONLY -e NS_UNSET_ANYWHERE \
                -e NEW=a=b 'echo "$GREETING|$NS_HOST_ONLY|${NS_UNSET_ANYWHERE-unset}|$NEW|$NS_IMAGE_TEST"'
        is "$(cat "$OUT")" "bye|from-the-host|unset|a=b|1" \
                "$who: -e K=V replaces the image's, -e K passes the caller's, an unset K stays unset"

        # Writes succeed, and are gone with the instance; the store is
        # not touched.
        store_listing "$store" >"$T_TMP/store.$who.before" || fatal "cannot list $store"
        # (as the image's root for the files root owns, as its user in its
        # home)
        run write "${RUN[@]}" --root -w / --image "$BUSYBOX" \
                'echo new >/etc/written && cat /etc/written && rm /etc/passwd && echo x >/bin/busybox-hardlink && mkdir -p /opt/replaced/d && echo done'
        is "$(tr '\n' ' ' <"$OUT")" "new done " "$who: the root is writable (write, remove, replace, mkdir)"
        ((RC == 0)) || diag_file "$ERR"
        run write2 "${RUN[@]}" --image "$BUSYBOX" 'echo mine >/home/app/written && cat /home/app/written'
        is "$(cat "$OUT")" "mine" "$who:   ... and the image's user writes in its home"
        run after "${RUN[@]}" --image "$BUSYBOX" \
                'test -e /etc/written && echo written; test -e /home/app/written && echo home; test -e /etc/passwd && echo passwd; ls -A /opt/replaced; /bin/busybox-hardlink true && echo busybox'
        is "$(tr '\n' ' ' <"$OUT")" "passwd new-file busybox " "$who:   ... and every write is gone after the instance"
        store_listing "$store" >"$T_TMP/store.$who.after"
        if cmp -s "$T_TMP/store.$who.before" "$T_TMP/store.$who.after"; then
                ok "$who:   ... nothing in the store changed"
        else
                not_ok "$who:   ... nothing in the store changed"
                diff "$T_TMP/store.$who.before" "$T_TMP/store.$who.after" | head -20 | sed 's/^/# /'
        fi
        is "$(find "$store" -name written | wc -l)" 0 "$who:   ... no written file anywhere in it"

        # --read-only
        run ro "${RUN[@]}" --read-only --image "$BUSYBOX" 'echo x >/etc/ro-test'
        check "$who: --read-only refuses a write to the root" test "$RC" != 0
        check "$who:   ... as a read-only file system" grep -q 'Read-only file system' "$ERR"
        run ro2 "${RUN[@]}" --read-only --image "$BUSYBOX" 'echo x >/tmp/t && cat /tmp/t && cat /etc/layer2-marker && pwd'
        is "$(tr '\n' ' ' <"$OUT")" "x layer2 /home/app " "$who:   ... while /tmp takes writes and the image reads as before"

        # A command replaces Cmd (after the Entrypoint); without an
        # Entrypoint, it is the whole command.
        run cmd "${RUN[@]}" --image "$BUSYBOX" 'echo replaced; echo $0'
        is "$(tr '\n' ' ' <"$OUT")" "replaced /bin/sh " "$who: a command replaces Cmd, after the Entrypoint"
        # --entrypoint replaces the Entrypoint and drops the Cmd; "" clears it
        run ep "${RUN[@]}" --entrypoint /bin/echo --image "$BUSYBOX"
        is "$RC:$(cat "$OUT")" "0:" "$who: --entrypoint replaces the Entrypoint and drops the image's Cmd"
        run ep2 "${RUN[@]}" --entrypoint /bin/echo --image "$BUSYBOX" one two
        is "$(cat "$OUT")" "one two" "$who:   ... the words after the options are its arguments"
        run ep3 "${RUN[@]}" --entrypoint '' --image "$BUSYBOX" echo whole
        is "$(cat "$OUT")" "whole" "$who:   ... an empty one: the words are the whole command"
        run second "${RUN[@]}" --image "$SECOND"
        is "$(cat "$OUT")" "second" "$who: an image without Entrypoint runs its Cmd"
        run second2 "${RUN[@]}" --image "$SECOND" id -u
        is "$RC:$(cat "$OUT")" "0:0" "$who:   ... a command replaces it whole, as the image's user (root, none given)"
        run exit "${RUN[@]}" --image "$SECOND" sh -c 'exit 7'
        is "$RC" 7 "$who: the command's exit status passes through"

        # ns ls: the image, and the name the image gives.
        spawn "${RUN[@]}" --image "$BUSYBOX" 'echo up; exec sleep 300'
        local pid=$SPAWNED_PID line
        if wait_for 10 "ns ls to show the busybox instance" has_instance busybox; then
                line=$(image_instance_line busybox)
                is "$line" "busybox $(realpath "$BUSYBOX")" \
                        "$who: ns ls shows the instance named after the image, with the image"
        else
                not_ok "$who: ns ls shows the instance named after the image, with the image"
                "$NS" ls -o NAME,RUNTIME,IMAGE,COMMAND 2>&1 | sed 's/^/# /'
                diag_file "$SPAWNED_LOG"
        fi
        # ns enter: the image's environment (pid 1's) and root, as the
        # leader (ns' pid 1), which is the caller's id inside: the User
        # under the single map, 0 under a map of several ids
        local enter_uid=0
        [[ $who == nobody ]] && enter_uid=1000
        # (--keep=cgroup: the instance is in the test's cgroup, root's)
        run enter "${AS[@]}" "$NS" enter --keep=cgroup busybox sh -c 'env; id -u; cat /etc/layer2-marker'
        if ((RC == 0)) && grep -qx NS_IMAGE_TEST=1 "$OUT" && ! grep -q '^NS_HOST_ONLY=' "$OUT" &&
                [[ $(tail -2 "$OUT" | tr '\n' ' ') == "$enter_uid layer2 " ]]; then
                ok "$who: ns enter runs in the image, as its leader, with the image's environment"
        else
                not_ok "$who: ns enter runs in the image, as its leader, with the image's environment"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        run lso "$NS" ls -n -o IMAGE,NAME
        check "$who:   ... in the IMAGE column of -o" grep -qE "^$(realpath "$BUSYBOX") +busybox *\$" "$OUT"
        kill -TERM "$pid" 2>/dev/null
        wait_for 10 "ns run to end on SIGTERM" gone "$pid" || not_ok "$who: the image's instance ends on SIGTERM"
        spawn "${RUN[@]}" --name "named-$who" --image "$SECOND" sleep 300
        if wait_for 10 "ns ls to show named-$who" has_instance "named-$who"; then
                is "$(image_instance_line "named-$who")" "named-$who $(realpath "$SECOND")" \
                        "$who:   ... --name replaces the image's name"
        else
                not_ok "$who:   ... --name replaces the image's name"
        fi
        kill -TERM "$SPAWNED_PID" 2>/dev/null

        # A missing image.
        run missing "${RUN[@]}" --image "$T_TMP/no-such-image.tar" true
        is "$RC" 1 "$who: a missing image exits 1"
        check "$who:   ... saying so" grep -qx "ns: cannot use image '$T_TMP/no-such-image.tar': no such file or directory" "$ERR" ||
                diag_file "$ERR"
        run notimg "${RUN[@]}" --image "$T_TMP" true
        is "$RC:$(tail -n1 "$ERR")" "1:ns: cannot use image '$T_TMP': a directory, but not an OCI image layout (no index.json) or an unpacked docker save (no manifest.json)" \
                "$who: a directory that is no image is said to be none"
}

# -e without --image: the caller's environment and the variables.
run plain "$NS" run -e NS_HOST_ONLY=changed -e NS_PLAIN=1 sh -c 'echo "$NS_HOST_ONLY $NS_PLAIN $TERM"'
is "$(cat "$OUT")" "changed 1 xterm-ns-test" "-e without --image: on top of the caller's environment"

# Usage errors.
run u1 "$NS" run --image "$BUSYBOX" --rootfs / true
is "$RC" 1 "--image with --rootfs is a usage error"
run u2 "$NS" run --read-only true
is "$RC" 1 "--read-only without --image is a usage error"
check "  ... that says so" grep -q "^ns: --read-only needs --image$" "$ERR"
run u3 "$NS" run --entrypoint /bin/true true
is "$RC:$(head -1 "$ERR")" "1:ns: --entrypoint needs --image" "--entrypoint without --image is a usage error"

suite root
# nobody with one id: the image's User is nobody's uid, every file its own
suite nobody
# nobody with a subordinate range: 0 is nobody, the image's ids 1 and up
# the range, as ns-image unpacked them; the command becomes the User
for f in subuid subgid; do
        echo "nobody:300000:65536" >"/etc/$f" || fatal "cannot write the test's /etc/$f"
done
suite nobody-range
run range "${AS_NOBODY[@]}" env XDG_CACHE_HOME="$T_TMP/cache-nobody-range" "$NS" run \
        --image "$BUSYBOX" 'cat /proc/self/uid_map; stat -c %u:%g /etc/passwd'
is "$(tr -s ' \n' ' ' <"$OUT")" " 0 65534 1 1 300000 65536 0:0 " \
        "nobody-range: the range is mapped, the image's root files are 0's"
check "  ... its files in the store owned by the range" \
        test "$(stat -c %u "$(find "$T_TMP/cache-nobody-range/ns/layers" -path '*/root/home/app/owned-by-app' | head -1)")" = 300999

done_testing
