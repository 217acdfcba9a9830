#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run, as root and as an unprivileged user (nobody): every "must show"
# of the launch that needs no terminal and no cgroup. The payload cannot see
# host processes, cannot write the host file system outside --vol, has no
# capabilities, gains nothing from a setuid binary, sees only its own /dev;
# --map, --vol, --tmpfs and --rootfs (a busybox root built here) work; exit
# codes and signals pass through; nothing is left behind after a SIGKILL
# of ns; ns run nests; the instance is named in ns ls; a kernel that
# refuses user namespaces gets a message naming the sysctl.

# The checks that nothing is left in /tmp need a /tmp of the test's own
# (other programs come and go in the host's): the whole test runs in a
# private mount namespace with a fresh tmpfs there, unless the test itself
# lives below /tmp (then the host's /tmp is compared before and after).
# The ns binary is copied first to a work directory on the root file
# system (not below /tmp, which an instance never sees), so that nobody and
# nested instances can run it wherever the build directory is.
src=$(realpath "${NS_SOURCE_ROOT:-${0%/*}/../..}")
# shellcheck source=tests/integration/var-tmp.sh
. "$src/tests/integration/var-tmp.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/var-tmp.sh\n'
        exit 1
}
VAR_TMP_RUNNER=()
if [[ -z ${NS_RUN_TEST_W:-} && $(realpath "$0") != /tmp/* && $src != /tmp/* ]]; then
        export NS_RUN_TEST_TMP=1
        VAR_TMP_RUNNER=(unshare -m --propagation private
                bash -c 'mount -t tmpfs -o mode=1777 ns-run-test /tmp && exec "$@"' ns-run-test)
fi
var_tmp_reexec NS_RUN_TEST_W ns-run-test "$0" "$@"

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools setpriv unshare jq busybox stat findmnt ip pasta slirp4netns

NOBODY_UID=65534
AS_NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups)

# The work directory: visible (read-only) inside an instance through the
# root, unlike anything below /tmp.
W=$NS_RUN_TEST_W
N=$W/ns

require_userns_for "$NOBODY_UID"

# A small busybox root file system for --rootfs.
R=$W/rootfs
busybox_root "$R" sh ls cat echo id mount touch ps hostname grep wc sleep

# A setuid copy of id(1) on the root file system: owned by root for the
# unprivileged run, by nobody for root's own run.
mkdir "$W/suid" && cp /usr/bin/id "$W/suid/id-root" && cp /usr/bin/id "$W/suid/id-nobody" ||
        fatal "cannot copy id"
chown root "$W/suid/id-root" && chown "$NOBODY_UID" "$W/suid/id-nobody" &&
        chmod 4755 "$W/suid/id-root" "$W/suid/id-nobody" || fatal "cannot make setuid copies"

mounts_snapshot() {
        # what the host has mounted (mount ids differ each time: compare
        # mount points and sources)
        awk '{ print $5, $4, $9, $10 }' /proc/self/mountinfo | sort
}
tmp_snapshot() {
        ls -A /tmp | grep -v "^${T_TMP#/tmp/}\$" | sort
}
# The test's /tmp is told by what it is, not by being the only mount there
# (the host's /tmp may be a tmpfs too): what is written in it is not in the
# host's /tmp (pid 1's), and it is another file system.
own_tmp() {
        local m
        m=$(mktemp /tmp/ns-run-test-own.XXXXXX) || return 1
        [[ ! -e /proc/1/root$m && $(stat -c %d /tmp) != $(stat -c %d /proc/1/root/tmp) &&
                $(stat -f -c %T /tmp) == tmpfs ]]
        local rc=$?
        rm -f "$m"
        return $rc
}
if [[ -n ${NS_RUN_TEST_TMP:-} ]]; then
        own_tmp || fatal "/tmp is not the test's own tmpfs"
else
        diag "the test lives below /tmp: /tmp is the host's, compared before and after"
fi
# with_tun CMD...: CMD in a mount namespace of its own where /dev/net/tun
# is a 0666 node (on a tmpfs of its own), as udev makes it: on a host
# without udev the node is 0600 and pasta or slirp4netns may not open it
# as nobody. The host's node is not changed.
with_tun() {
        unshare -m --propagation private bash -c '
                mount -t tmpfs -o mode=0755,size=16k ns-run-tun /dev/net &&
                        mknod -m 0666 /dev/net/tun c 10 200 || exit 99
                exec "$@"' with_tun "$@"
}

mounts_snapshot >"$T_TMP/mounts.before"
tmp_snapshot >"$T_TMP/tmp.before"

# ------------------------------------------------------------------------
suite() {
        local who=$1 uid
        local -a AS=() TUN=()
        if [[ $who == nobody ]]; then
                AS=("${AS_NOBODY[@]}")
                TUN=(with_tun)
                uid=$NOBODY_UID
        else
                uid=0
        fi
        local D=$W/$who
        mkdir -p "$D/vol" "$D/ro" "$D/hostdir" && chown -R "$uid" "$D" || fatal "mkdir $D"
        echo "read-only data" >"$D/ro/file"

        # exit codes pass through, as a shell's would
        run x0 "${AS[@]}" "$N" run true
        is "$RC" 0 "$who: ns run true exits 0"
        run x1 "${AS[@]}" "$N" run false
        is "$RC" 1 "$who: ns run false exits 1"
        run x42 "${AS[@]}" "$N" run sh -c 'exit 42'
        is "$RC" 42 "$who: exit 42 passes through"
        run x127 "${AS[@]}" "$N" run /nonexistent/cmd
        is "$RC" 127 "$who: a command that does not exist gives 127"
        grep -q "^ns: cannot run '/nonexistent/cmd': no such file or directory$" "$ERR" &&
                ok "$who:   ... with a message" || { not_ok "$who:   ... with a message"; diag_file "$ERR"; }
        run x127b "${AS[@]}" "$N" run no-such-command-anywhere
        is "$RC" 127 "$who: a command not in \$PATH gives 127"
        run x126 "${AS[@]}" "$N" run /etc/passwd
        is "$RC" 126 "$who: a file that is not executable gives 126"
        # (through a shell of its own, whose "Terminated" goes to the log)
        run xsig bash -c '"$@"; exit $?' _ "${AS[@]}" "$N" run sh -c 'kill -TERM $$'
        is "$RC" 143 "$who: a payload killed by SIGTERM gives 128+15 (the signal is re-raised)"
        run xsig9 bash -c '"$@"; exit $?' _ "${AS[@]}" "$N" run sh -c 'kill -KILL $$'
        is "$RC" 137 "$who: a payload killed by SIGKILL gives 128+9"

        # pid namespace: no host process visible, pid 1 is ns' reaper
        spawn sleep 3571
        local host_sleep=$SPAWNED_PID
        run pids "${AS[@]}" "$N" run sh -c 'cd /proc && for p in [0-9]*; do echo "$p $(cat $p/comm)"; done'
        if ((RC == 0)) && [[ $(wc -l <"$OUT") -le 4 ]] && ! grep -q sleep "$OUT" &&
                grep -q '^1 ns-init$' "$OUT"; then
                ok "$who: the payload sees only the instance's processes, pid 1 is ns-init"
        else
                not_ok "$who: the payload sees only the instance's processes, pid 1 is ns-init"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        run kill "${AS[@]}" "$N" run kill -0 "$host_sleep"
        [[ $RC != 0 ]] && ok "$who: the payload cannot signal a host process" ||
                not_ok "$who: the payload cannot signal a host process"
        kill "$host_sleep" 2>/dev/null

        # the host file system: read-only everywhere but --vol
        chmod 777 "$D/hostdir"
        run rofs "${AS[@]}" "$N" run sh -c "touch '$D/hostdir/x' 2>&1; touch /etc/ns-run-x 2>&1; echo done"
        if [[ ! -e $D/hostdir/x && ! -e /etc/ns-run-x ]] && grep -q 'Read-only file system' "$OUT"; then
                ok "$who: the host file system is read-only inside (even a world-writable directory)"
        else
                not_ok "$who: the host file system is read-only inside (even a world-writable directory)"
                diag_file "$OUT"
        fi
        rm -f "$D/hostdir/x" /etc/ns-run-x
        run tmpw "${AS[@]}" "$N" run sh -c 'ls -A /tmp | wc -l; echo hello >/tmp/inside && cat /tmp/inside'
        is "$(tr '\n' ' ' <"$OUT")" "0 hello " "$who: /tmp is an empty, writable tmpfs of the instance's own"
        [[ ! -e /tmp/inside ]] && ok "$who:   ... what is written there never reaches the host's /tmp" ||
                not_ok "$who:   ... what is written there never reaches the host's /tmp"
        run vol "${AS[@]}" "$N" run --vol "$D/vol" /tmp/data --map "$D/ro" /mnt \
                sh -c 'echo written >/tmp/data/out && cat /mnt/file && { echo x >/mnt/file; } 2>/dev/null || echo ro-refused'
        if [[ $(cat "$D/vol/out" 2>/dev/null) == written ]] && grep -q '^read-only data$' "$OUT" &&
                grep -q '^ro-refused$' "$OUT" && [[ $(cat "$D/ro/file") == "read-only data" ]]; then
                ok "$who: --vol is writable (the host sees the file), --map is readable and read-only"
        else
                not_ok "$who: --vol is writable (the host sees the file), --map is readable and read-only"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        run tmpfs "${AS[@]}" "$N" run --tmpfs /mnt sh -c 'echo t >/mnt/f && cat /mnt/f && findmnt -no FSTYPE /mnt'
        is "$(tr '\n' ' ' <"$OUT")" "t tmpfs " "$who: --tmpfs mounts an empty writable tmpfs"
        # sources relative to the caller's directory (pid 1 works in /)
        run volrel bash -c 'cd "$1" && shift && exec "$@"' volrel "$D" "${AS[@]}" "$N" run \
                --vol vol /tmp/v --map ./ro /mnt sh -c 'cat /tmp/v/out /mnt/file'
        is "$(tr '\n' ' ' <"$OUT")" "written read-only data " \
                "$who: relative --vol and --map sources are the caller's directory's" || diag_file "$ERR"
        run volnew "${AS[@]}" "$N" run --vol "$D/vol" /tmp/deep/data cat /tmp/deep/data/out
        is "$(cat "$OUT")" "written" "$who: a --vol target below /tmp is made on the tmpfs"
        run volmissing "${AS[@]}" "$N" run --vol "$D/vol" /no-such-dir true
        if ((RC == 1)) && grep -q "cannot mount on '/no-such-dir'" "$ERR"; then
                ok "$who: a --vol target missing from the read-only root is an error, not created on disk"
        else
                not_ok "$who: a --vol target missing from the read-only root is an error, not created on disk"
                diag_file "$ERR"
        fi
        [[ ! -e /no-such-dir ]] || not_ok "$who: /no-such-dir was created on the host"

        # capabilities, no_new_privs, seccomp. Root inside holds CAP_SETFCAP
        # (not in effect until it execs as root: ns run needs it to nest),
        # but not the host's root, whose instance may not nest.
        local none=0000000000000000 fcap=0000000080000000 want held
        run caps "${AS[@]}" "$N" run grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status
        want=$(printf '%s\n' CapInh:$none CapPrm:$none CapEff:$none CapBnd:$none CapAmb:$none NoNewPrivs:1 Seccomp:2)
        is "$(tr -d ' \t' <"$OUT")" "$want" "$who: no capabilities, no_new_privs, seccomp"
        if [[ $who == nobody ]]; then
                run capsroot "${AS[@]}" "$N" run --root grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
                want=$(printf '%s\n' CapPrm:$fcap CapEff:$fcap CapBnd:$fcap)
                is "$(tr -d ' \t' <"$OUT")" "$want" "$who: --root: no capabilities but CAP_SETFCAP, to nest"
        fi
        run capsvol "${AS[@]}" "$N" run --vol "$D/vol" /tmp/v grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
        want=$(printf '%s\n' CapPrm:$none CapEff:$none CapBnd:$none)
        is "$(tr -d ' \t' <"$OUT")" "$want" "$who: with --vol, no capabilities at all"
        run capadd "${AS[@]}" "$N" run --vol "$D/vol" /tmp/v --cap-add net_raw,CAP_SYS_CHROOT grep -E '^Cap(Eff|Bnd):' /proc/self/status
        want=$(printf '%s\n' CapEff:0000000000042000 CapBnd:0000000000042000)
        is "$(tr -d ' \t' <"$OUT")" "$want" "$who: --cap-add keeps just those (in the instance's own user namespace)"
        run hostsysctl "${AS[@]}" "$N" run sh -c 'cat /proc/sys/kernel/core_pattern >/dev/null && { echo core >/proc/sys/kernel/core_pattern; } 2>&1 || echo refused'
        grep -q refused "$OUT" && ok "$who: a host sysctl (kernel.core_pattern) cannot be written" ||
                { not_ok "$who: a host sysctl (kernel.core_pattern) cannot be written"; diag_file "$OUT"; }
        if [[ $who == nobody ]]; then
                run hostcap "${AS[@]}" "$N" run --cap-add all sh -c '{ echo core >/proc/sys/kernel/core_pattern; } 2>/dev/null || echo refused'
                grep -q refused "$OUT" && ok "$who:   ... not even with --cap-add all" ||
                        { not_ok "$who:   ... not even with --cap-add all"; diag_file "$OUT"; }
        fi

        # setuid: the baseline shows the copy works outside, then inside
        local suid owner_uid
        if [[ $who == nobody ]]; then
                suid=$W/suid/id-root owner_uid=0
        else
                suid=$W/suid/id-nobody owner_uid=$NOBODY_UID
        fi
        local base
        base=$("${AS[@]}" "$suid" -u)
        if [[ $base == "$owner_uid" ]]; then
                run suid "${AS[@]}" "$N" run "$suid" -u
                is "$(cat "$OUT")" "$uid" "$who: a setuid binary gives no other uid inside (outside it gives $owner_uid)"
        else
                not_ok "$who: the setuid baseline: $suid -u outside gives '$base', not $owner_uid (cannot test)"
        fi

        # /dev: its own minimal set of nodes, its own ptys
        run dev "${AS[@]}" "$N" run sh -c 'ls -A /dev | tr "\n" " "; ls -A /dev/pts | tr "\n" " "'
        is "$(cat "$OUT")" "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ptmx " \
                "$who: /dev holds only null zero full random urandom tty, its own pts and shm"
        run devw "${AS[@]}" "$N" run sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && touch /dev/new 2>&1'
        if grep -q '^4$' "$OUT" && grep -q 'Read-only file system' "$OUT"; then
                ok "$who: the nodes work, /dev itself is read-only"
        else
                not_ok "$who: the nodes work, /dev itself is read-only"
                diag_file "$OUT"
        fi

        # identity, hostname, network
        run ids "${AS[@]}" "$N" run sh -c 'id -u; id -g'
        is "$(tr '\n' ' ' <"$OUT")" "$uid $uid " "$who: runs as the invoking uid and gid"
        run rootmap "${AS[@]}" "$N" run --root sh -c 'id -u; cat /proc/self/uid_map'
        is "$(tr -s ' \n' ' ' <"$OUT")" "0 0 $uid 1 " "$who: --root maps the invoking uid to 0"
        run host "${AS[@]}" "$N" run --name web-$who hostname
        is "$(cat "$OUT")" "web-$who" "$who: --name sets the hostname"
        run net "${AS[@]}" "$N" run sh -c 'ls /sys/class/net >/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'
        is "$(cat "$OUT")" "lo" "$who: the network namespace has only loopback"
        run nethost "${AS[@]}" "$N" run --net=host readlink /proc/self/ns/net
        is "$(cat "$OUT")" "$(readlink /proc/self/ns/net)" "$who: --net=host keeps the host's network"

        # outbound network through pasta or slirp4netns, which go with the
        # instance (nobody's with a usable /dev/net/tun: see with_tun)
        run slirp "${TUN[@]}" "${AS[@]}" "$N" run --net=slirp4netns sh -c 'ip -br -4 addr show tap0; ip route show default'
        if ((RC == 0)) && grep -q '10.0.2.100/24' "$OUT" && grep -q 'default via 10.0.2.2' "$OUT"; then
                ok "$who: --net=slirp4netns configures tap0 (10.0.2.100) and a default route"
        else
                not_ok "$who: --net=slirp4netns configures tap0 (10.0.2.100) and a default route"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        run pasta "${TUN[@]}" "${AS[@]}" "$N" run --net=pasta sh -c 'ip -br -4 addr | grep -v "^lo "; ip route show default'
        if ((RC == 0)) && grep -q 'UP\|UNKNOWN' "$OUT" && grep -q '^default via' "$OUT"; then
                ok "$who: --net=pasta configures an interface and a default route"
        else
                not_ok "$who: --net=pasta configures an interface and a default route"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        # (pasta's process name is passt or passt.avx2: match its arguments;
        # a zombie of init's does not count)
        wait_for 10 "pasta and slirp4netns to leave" bash -c \
                '! pgrep -r RSD -f "^pasta --foreground" && ! pgrep -r RSD -x slirp4netns' &&
                ok "$who:   ... and neither helper is left afterwards" ||
                not_ok "$who:   ... and neither helper is left afterwards"

        # --rootfs: the busybox root
        run rootfs "${AS[@]}" "$N" run --rootfs "$R" sh -c 'cat /etc/marker; ls /; touch /x 2>&1; echo pid=$$'
        if ((RC == 0)) && grep -q '^busybox-root$' "$OUT" && grep -q '^pid=2$' "$OUT" &&
                grep -q 'Read-only file system' "$OUT" && ! grep -q '^usr$' "$OUT"; then
                ok "$who: --rootfs runs the busybox root, read-only, in its own pid namespace"
        else
                not_ok "$who: --rootfs runs the busybox root, read-only, in its own pid namespace"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        run rootfsmap "${AS[@]}" "$N" run --rootfs "$R" --vol "$D/vol" /mnt cat /mnt/out
        is "$(cat "$OUT")" "written" "$who: --vol works with --rootfs (the source is a host path)"
        run build "${AS[@]}" "$N" run --rootfs "$D/buildroot" true
        is "$RC" 1 "$who: --rootfs of a missing directory is an error"
        cp -a "$R" "$D/buildroot" && chown -R "$uid" "$D/buildroot"
        run build "${AS[@]}" "$N" run --build --rootfs "$D/buildroot" sh -c 'echo built >/etc/built'
        is "$(cat "$D/buildroot/etc/built" 2>/dev/null)" "built" "$who: --build makes the root writable"

        # signals: one sent to ns run reaches the payload
        rm -f "$D/vol/ready"
        spawn "${AS[@]}" "$N" run --vol "$D/vol" /tmp/v sh -c \
                'trap "echo got-term >/tmp/v/sig; exit 7" TERM; touch /tmp/v/ready; while :; do sleep 0.05; done'
        local nspid=$SPAWNED_PID
        if wait_for 20 "the payload's trap" test -e "$D/vol/ready"; then
                kill -TERM "$nspid"
                wait "$nspid"
                local rc=$?
                is "$rc:$(cat "$D/vol/sig" 2>/dev/null)" "7:got-term" "$who: SIGTERM to ns run reaches the payload; its exit status comes back"
        else
                not_ok "$who: SIGTERM to ns run reaches the payload"
                diag_file "$SPAWNED_LOG"
        fi

        # SIGKILL of ns run: the whole instance goes, nothing is left
        rm -f "$D/vol/ready"
        spawn "${AS[@]}" "$N" run --name kill-$who --vol "$D/vol" /tmp/v --tmpfs /mnt sh -c \
                'sleep 3572 & touch /tmp/v/ready; wait'
        nspid=$SPAWNED_PID
        if wait_for 20 "the instance to start" test -e "$D/vol/ready" && wait_tree "$nspid" sleep 1; then
                local victim=${T_FOUND[0]} init
                init=$(pgrep -P "$nspid" | head -1)
                { kill -KILL "$nspid" && wait "$nspid"; } 2>/dev/null
                if wait_for 10 "the instance's processes to go" \
                        bash -c "! kill -0 $victim 2>/dev/null && ! kill -0 $init 2>/dev/null"; then
                        ok "$who: SIGKILL of ns run kills pid 1 and the payload"
                else
                        not_ok "$who: SIGKILL of ns run kills pid 1 and the payload"
                fi
        else
                not_ok "$who: SIGKILL of ns run kills pid 1 and the payload (did not start)"
                diag_file "$SPAWNED_LOG"
        fi
        wait "$nspid" 2>/dev/null

        # The same with --share=pid, where no pid namespace ends with pid 1:
        # the command was left running, orphaned, and then (pid 1 killed
        # along) what the command had started and left.
        spawn "${AS[@]}" "$N" run --share=pid sh -c 'sleep 3577 & sleep 3578'
        nspid=$SPAWNED_PID
        if wait_tree "$nspid" sleep 2; then
                local victims=("${T_FOUND[@]}")
                { kill -KILL "$nspid" && wait "$nspid"; } 2>/dev/null
                if wait_for 10 "the command and its child to go" \
                        bash -c "! kill -0 ${victims[0]} 2>/dev/null && ! kill -0 ${victims[1]} 2>/dev/null"; then
                        ok "$who: --share=pid: SIGKILL of ns run kills the command and what it started"
                else
                        not_ok "$who: --share=pid: SIGKILL of ns run kills the command and what it started"
                        kill -KILL "${victims[@]}" 2>/dev/null
                fi
        else
                not_ok "$who: --share=pid: SIGKILL of ns run kills the command and what it started (did not start)"
                diag_file "$SPAWNED_LOG"
        fi
        wait "$nspid" 2>/dev/null

        # naming: ns ls sees the instance as runtime ns, with its name
        rm -f "$D/vol/ready"
        spawn "${AS[@]}" "$N" run --name named-$who --vol "$D/vol" /tmp/v sh -c 'touch /tmp/v/ready; exec sleep 3573'
        nspid=$SPAWNED_PID
        if wait_for 20 "the named instance" test -e "$D/vol/ready" && wait_tree "$nspid" sleep 1; then
                "${AS[@]}" "$N" ls -J -o NAME,RUNTIME,PID,NPROCS >"$T_TMP/ls.json" 2>"$T_TMP/ls.err"
                local line
                line=$(jq -r --arg n "named-$who" '.instances[] | recurse(.children[]?) |
                        select(.name == $n) | "\(.runtime) \(.nprocs)"' "$T_TMP/ls.json" 2>/dev/null)
                is "$line" "ns 2" "$who: ns ls shows the instance named 'named-$who', runtime ns, pid 1 and the payload"
        else
                not_ok "$who: ns ls shows the named instance (did not start)"
                diag_file "$SPAWNED_LOG"
        fi
        kill "$nspid" 2>/dev/null
        wait "$nspid" 2>/dev/null

        # nesting: eight levels of ns run in ns run; the innermost sleep's
        # pids, read from the host, count the pid namespaces. An instance
        # of the host's root makes no user namespace (test-run-security).
        if [[ $who == root ]]; then
                run nestroot "$N" run "$N" run true
                is "$RC" 1 "$who: ns run does not nest in an instance of the host's root"
                return
        fi
        local cmd="sleep 3574" i
        for i in 1 2 3 4 5 6 7 8; do
                cmd="$N run $cmd"
        done
        spawn "${AS[@]}" $cmd
        nspid=$SPAWNED_PID
        if wait_tree "$nspid" sleep 1; then
                local nspids
                nspids=$(awk '/^NSpid:/ { print NF - 1 }' "/proc/${T_FOUND[0]}/status")
                is "$nspids" 9 "$who: ns run nests 8 levels deep (the payload is in 9 pid namespaces)"
                kill -TERM "$nspid"
                wait "$nspid"
                is "$?" 143 "$who:   ... and SIGTERM to the outermost ns run goes down all 8 levels"
        else
                not_ok "$who: ns run nests 8 levels deep"
                diag_file "$SPAWNED_LOG"
        fi
}

suite root
suite nobody

# the kernel refuses user namespaces: a message that names the fix. Set
# in a user namespace of the test's own, whose limits are its own.
run nouserns unshare -Ur sh -c "echo 0 >/proc/sys/user/max_user_namespaces && exec '$N' run true"
if ((RC == 1)) && grep -q 'user.max_user_namespaces' "$ERR" && grep -q 'sysctl -w' "$ERR"; then
        ok "user namespaces disabled: exit 1, the message names user.max_user_namespaces and the fix"
else
        not_ok "user namespaces disabled: exit 1, the message names user.max_user_namespaces and the fix"
        diag "status $RC"
        diag_file "$ERR"
fi

# usage errors
run u1 "$N" run --no-such-option true
if ((RC == 1)) && grep -q "^ns: unknown option '--no-such-option'$" "$ERR" && grep -q "^Try 'ns run --help'.$" "$ERR"; then
        ok "an unknown option is a usage error (exit 1, Try 'ns run --help')"
else
        not_ok "an unknown option is a usage error"
        diag_file "$ERR"
fi
run u2 "$N" run --map /etc
is "$RC" 1 "--map with one argument is a usage error"
run u3 "$N" run --net=carrier-pigeon true
is "$RC" 1 "an unknown --net mode is a usage error"
run u4 "$N" run --help
if ((RC == 0)) && grep -q '^ ns run \[options\]' "$OUT" && grep -q 'See ns-run(1).' "$OUT"; then
        ok "--help prints the usage on stdout and exits 0"
else
        not_ok "--help prints the usage on stdout and exits 0"
fi

# nothing left behind by all of the above: no mount, no file in /tmp
mounts_snapshot >"$T_TMP/mounts.after"
if cmp -s "$T_TMP/mounts.before" "$T_TMP/mounts.after"; then
        ok "no mount is left on the host"
else
        not_ok "no mount is left on the host"
        diff "$T_TMP/mounts.before" "$T_TMP/mounts.after" | sed 's/^/# /'
fi
tmp_snapshot >"$T_TMP/tmp.after"
if cmp -s "$T_TMP/tmp.before" "$T_TMP/tmp.after"; then
        ok "no file is left in /tmp"
else
        not_ok "no file is left in /tmp"
        diff "$T_TMP/tmp.before" "$T_TMP/tmp.after" | sed 's/^/# /'
fi
left=$(for p in $(pgrep -x ns-init); do tr '\0' ' ' </proc/$p/cmdline; echo; done | grep -E '(kill|named|web)-(root|nobody)')
is "$left" "" "no ns-init process of this test is left"

done_testing
