#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run against a payload that tries to get out, as root and as an
# unprivileged user (nobody), each attack done for real: through pid 1's
# working directory (/proc/1/cwd), with and without --rootfs; with
# --cap-add sys_admin, remounting the root writable and unmounting what
# covers host files (/tmp, /proc/sys). Then the bad inputs that must get a
# clear error rather than a silent surprise: mount points that would be
# made in a host directory, --tmpfs or --vol on /, a --memory too small to
# start, --rootfs given as a symbolic link, pasta and slirp4netns without
# access to /dev/net/tun, --cap-add with --share=user.

# The ns binary and the busybox root go to a work directory on the root
# file system (not below /tmp, which an instance does not see), that
# nobody may search.
# shellcheck source=tests/integration/var-tmp.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/var-tmp.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/var-tmp.sh\n'
        exit 1
}
var_tmp_reexec NS_SEC_TEST_W ns-run-security "$0" "$@"

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools setpriv unshare busybox stat mknod pasta slirp4netns jq

NOBODY_UID=65534
AS_NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups)
W=$NS_SEC_TEST_W
N=$W/ns

require_userns_for "$NOBODY_UID"
[[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] || fatal "/dev/shm is not a tmpfs (the host tmpfs of the --vol check)"

R=$W/rootfs
busybox_root "$R" sh cat echo touch mount umount readlink ls
ln -s rootfs "$W/rootfs-link"

# expect_error DESC PATTERN: the last run exited 1 and said PATTERN
expect_error() {
        local desc=$1 pattern=$2
        if ((RC == 1)) && grep -Eq -- "$pattern" "$ERR"; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "status $RC, expected 1 and a message matching: $pattern"
                diag_file "$ERR"
                diag_file "$OUT"
        fi
}

# with_tun MODE CMD...: CMD in a mount namespace of its own where
# /dev/net/tun is a node of that mode on a tmpfs of its own: the host's is
# not changed, whatever it is.
with_tun() {
        local mode=$1
        shift
        unshare -m --propagation private bash -c '
                mount -t tmpfs -o mode=0755,size=16k ns-run-tun /dev/net &&
                        mknod -m "$0" /dev/net/tun c 10 200 || exit 99
                exec "$@"' "$mode" "$@"
}

suite() {
        local who=$1 uid
        local -a AS=()
        if [[ $who == nobody ]]; then
                AS=("${AS_NOBODY[@]}")
                uid=$NOBODY_UID
        else
                uid=0
        fi
        local D=$W/$who
        mkdir -p "$D/cwd" "$D/open" "$D/disk" && chown -R "$uid" "$D" && chmod 777 "$D/open" ||
                fatal "mkdir $D"

        # --- pid 1's working directory -----------------------------------
        # With --rootfs, pid 1 kept the caller's directory in the old root,
        # detached but writable, and the payload reached it.
        echo "host secret" >"$D/cwd/secret"
        run cwdroot bash -c 'cd "$1" && shift && exec "$@"' _ "$D/cwd" "${AS[@]}" "$N" run --cap-add sys_ptrace --rootfs "$R" \
                sh -c 'echo out >/proc/1/cwd/escaped; cat /proc/1/cwd/secret; readlink /proc/1/cwd; readlink /proc/1/root'
        if [[ ! -e $D/cwd/escaped ]] && ! grep -q secret "$OUT" && [[ $(tr '\n' ' ' <"$OUT") == "/ / " ]]; then
                ok "$who: --rootfs: pid 1's cwd and root are the instance's /, the host directory is out of reach"
        else
                not_ok "$who: --rootfs: pid 1's cwd and root are the instance's /, the host directory is out of reach"
                [[ -e $D/cwd/escaped ]] && diag "the payload wrote $D/cwd/escaped on the host"
                diag_file "$OUT"
                diag_file "$ERR"
        fi
        rm -f "$D/cwd/escaped"

        # Without --rootfs, from a directory below the host's /tmp, which
        # the instance's own /tmp hides.
        local H=$T_TMP/hidden-$who
        mkdir -p "$H" && echo "hidden secret" >"$H/secret" && chown -R "$uid" "$H" && chmod 700 "$H"
        run cwdtmp bash -c 'cd "$1" && shift && exec "$@"' _ "$H" "${AS[@]}" "$N" run --cap-add sys_ptrace \
                sh -c 'cat /proc/1/cwd/secret; readlink /proc/1/cwd /proc/1/root; cat /tmp/hidden-*/secret'
        if ! grep -q secret "$OUT" && [[ $(tr '\n' ' ' <"$OUT") == "/ / " ]]; then
                ok "$who: pid 1 does not keep the caller's directory below the host's /tmp"
        else
                not_ok "$who: pid 1 does not keep the caller's directory below the host's /tmp"
                diag_file "$OUT"
        fi

        # --- --cap-add sys_admin ------------------------------------------
        # The read-only root, remounted writable.
        run rw "${AS[@]}" "$N" run --cap-add sys_admin sh -c \
                "mount -o remount,rw,bind / 2>&1; mount -o remount,rw / 2>&1; touch '$D/open/escaped' 2>&1; true"
        if [[ ! -e $D/open/escaped ]]; then
                ok "$who: --cap-add sys_admin cannot remount the root writable"
        else
                not_ok "$who: --cap-add sys_admin cannot remount the root writable"
                diag "the payload wrote $D/open/escaped on the host"
        fi
        rm -f "$D/open/escaped"
        # (a root of the user's own, which it could write outside)
        cp -a "$R" "$D/rootfs" && chown -R "$uid" "$D/rootfs" || fatal "cannot copy $R"
        run rwrootfs "${AS[@]}" "$N" run --cap-add all --rootfs "$D/rootfs" sh -c \
                "mount -o remount,rw,bind / 2>&1; touch /escaped 2>&1; true"
        [[ ! -e $D/rootfs/escaped ]] && ok "$who: --cap-add all cannot remount a --rootfs writable" ||
                not_ok "$who: --cap-add all cannot remount a --rootfs writable"
        rm -f "$D/rootfs/escaped"

        # --- --cap-add sys_ptrace -----------------------------------------
        # pid 1 and the payload share memory until the payload's exec, and
        # pid 1 resumes as that exec begins: what a payload with the power
        # to ptrace finds of pid 1 once it runs. No capability, no fd but
        # the status pipe, not the caller's command line (here with a
        # variable's value on it), and readable again by the payload, as
        # by the caller's ns ls: dumpable.
        run ptrace "${AS[@]}" "$N" run --cap-add sys_ptrace --name "ptrace-$who" -e NS_SEC_MARK=caller-only sh -c \
                'grep CapEff /proc/1/status; ls /proc/1/fd | wc -l; tr -s "\0" " " </proc/1/cmdline; echo
                 grep -c caller-only /proc/1/cmdline; cat /proc/1/environ >/dev/null && echo environ read'
        is "$(tr '\t' ' ' <"$OUT")" "CapEff: 0000000000000000
1
ns-init ptrace-$who 
0
environ read" "$who: --cap-add sys_ptrace: pid 1 holds no capability, one fd and its title, and is readable"
        # Without it, pid 1 is out of the payload's reach, although the
        # same uid and dumpable again (so that the caller's ns ls reads
        # it): a payload that could ptrace it would clear its
        # PR_SET_PDEATHSIG and outlive a SIGKILLed ns run, or write on its
        # status pipe for it.
        run noptrace "${AS[@]}" "$N" run sh -c \
                'cat /proc/1/environ >/dev/null 2>&1 && echo environ; head -c1 /proc/1/mem >/dev/null 2>&1 && echo mem
                 for f in /proc/1/fd/*; do readlink "$f" >/dev/null 2>&1 && echo fd; done
                 readlink /proc/1/cwd /proc/1/root /proc/1/ns/pid >/dev/null 2>&1 && echo links; echo checked'
        is "$(tr '\n' ' ' <"$OUT")" "checked " "$who: without --cap-add sys_ptrace the payload reads nothing of pid 1 (environ, mem, fds, cwd, root, namespaces)"

        # The instance's /tmp covers the host's: unmounted, host files show.
        echo "tmp secret" >"$T_TMP/tmp-secret-$who" && chmod 644 "$T_TMP/tmp-secret-$who"
        run umtmp "${AS[@]}" "$N" run --cap-add sys_admin sh -c \
                "umount /tmp 2>&1; umount -l /tmp 2>&1; cat '$T_TMP/tmp-secret-$who' 2>&1; true"
        if ! grep -q 'tmp secret' "$OUT"; then
                ok "$who: --cap-add sys_admin cannot unmount /tmp to read the host's"
        else
                not_ok "$who: --cap-add sys_admin cannot unmount /tmp to read the host's"
                diag_file "$OUT"
        fi

        if [[ $who == root ]]; then
                # A user namespace of the payload's own, with a pid namespace
                # and a fresh /proc where nothing is covered: the host's uid
                # 0 wrote kernel.core_pattern there (its only check is the
                # owner's uid). Written back with its own value, so that
                # the host never changes. Plain and nesting (--cap-add
                # sys_admin), directly and through a nested ns run.
                for opt in "" "--cap-add sys_admin"; do
                        # shellcheck disable=SC2086 # no option, or one with its value
                        run nestproc "$N" run $opt sh -c \
                                'unshare -Urpf --mount-proc sh -c "cat /proc/sys/kernel/core_pattern >/proc/sys/kernel/core_pattern && echo WROTE" 2>&1
                                 unshare -U true 2>&1 || echo refused'
                        if ! grep -q WROTE "$OUT" && grep -q "^refused" "$OUT" &&
                                grep -q "No space left on device" "$OUT"; then
                                ok "$who: ${opt:-no option}: no user namespace of the payload's own, so no fresh /proc to write kernel.core_pattern"
                        else
                                not_ok "$who: ${opt:-no option}: no user namespace of the payload's own, so no fresh /proc to write kernel.core_pattern"
                                diag_file "$OUT"
                        fi
                done
                run nestns "$N" run "$N" run true
                expect_error "$who: a nested ns run is refused, saying why" \
                        "this user namespace allows no more .*user.max_user_namespaces"
                # /proc/sys is covered read-only for the host's root; written
                # back with its own value, so that the host never changes.
                run umsys "$N" run --cap-add sys_admin sh -c \
                        'umount /proc/sys 2>&1; umount -l /proc/sys 2>&1;
                         cat /proc/sys/kernel/core_pattern >/proc/sys/kernel/core_pattern 2>/dev/null && echo WROTE; true'
                if ! grep -q WROTE "$OUT"; then
                        ok "$who: --cap-add sys_admin cannot unmask /proc/sys to write kernel.core_pattern"
                else
                        not_ok "$who: --cap-add sys_admin cannot unmask /proc/sys to write kernel.core_pattern"
                        diag_file "$OUT"
                fi
        fi

        # What the capability is for still works inside: its own mounts,
        # the hostname, ns run nested; pid 1 is a member of the instance.
        run inside "${AS[@]}" "$N" run --cap-add sys_admin sh -c \
                "mount -t tmpfs x /mnt && touch /mnt/f && hostname box && hostname && $N run true && echo nested"
        # (an instance of the host's root makes no user namespace: above)
        local nested="nested "
        [[ $who == root ]] && nested=""
        is "$(tr '\n' ' ' <"$OUT")" "box $nested" "$who: --cap-add sys_admin still mounts a tmpfs, sets the hostname${nested:+, nests ns run}"
        run same "${AS[@]}" "$N" run --cap-add sys_admin,sys_ptrace sh -c \
                'for t in user mnt net uts ipc pid; do [ "$(readlink /proc/1/ns/$t)" = "$(readlink /proc/self/ns/$t)" ] || echo "$t differs"; done; echo checked'
        is "$(cat "$OUT")" "checked" "$who:   ... and pid 1 shares every namespace of the payload's"

        # --- mount points in host directories -------------------------------
        local S=/dev/shm/ns-run-security-$who
        rm -rf "$S" && mkdir "$S" && chown "$uid" "$S" || fatal "mkdir $S"
        on_cleanup "rm -rf '$S'"
        run shm "${AS[@]}" "$N" run --vol "$S" /mnt --tmpfs /mnt/a/b true
        if [[ -z $(ls -A "$S") ]]; then
                ok "$who: a --tmpfs below a --vol of a host tmpfs makes no directory on the host"
        else
                not_ok "$who: a --tmpfs below a --vol of a host tmpfs makes no directory on the host"
                diag "left in $S: $(ls -A "$S")"
        fi
        expect_error "$who:   ... and says why" "^ns: cannot mount on '/mnt/a/b': .*bound there by --vol.*make it on the host first"
        run disk "${AS[@]}" "$N" run --vol "$D/disk" /mnt --tmpfs /mnt/a true
        expect_error "$who: the same on a disk: refused, for that reason" "^ns: cannot mount on '/mnt/a': .*bound there by --vol.*make it on the host first"
        [[ -z $(ls -A "$D/disk") ]] || not_ok "$who: a directory was made in $D/disk"

        # --- inputs that did nothing, or failed without saying why ----------
        run tmpfsroot "${AS[@]}" "$N" run --tmpfs / true
        expect_error "$who: --tmpfs / is refused, naming --rootfs" "^ns: cannot run with --tmpfs '/': .*--rootfs"
        run volroot "${AS[@]}" "$N" run --vol "$D/disk" / true
        expect_error "$who: --vol DIR / is refused, naming --rootfs" "^ns: cannot run with --vol .*--rootfs '$D/disk' --build"
        run maproot "${AS[@]}" "$N" run --map "$D/disk" //. true
        expect_error "$who: --map DIR //. is refused too" "^ns: cannot run with --map .*--rootfs"
        run mem "${AS[@]}" "$N" run --memory 1.5K true
        expect_error "$who: --memory 1.5K is refused with the minimum" "^ns: cannot run with --memory '1.5K': .*at least 1M"
        run pids1 "${AS[@]}" "$N" run --pids 1 true
        expect_error "$who: --pids 1 is refused with the minimum" "^ns: cannot run with --pids '1': .*at least 2"
        run link "${AS[@]}" "$N" run --rootfs "$W/rootfs-link" cat /etc/marker
        if ((RC == 0)) && [[ $(cat "$OUT") == busybox-root ]]; then
                ok "$who: --rootfs given as a symbolic link runs in the directory it names"
        else
                not_ok "$who: --rootfs given as a symbolic link runs in the directory it names"
                diag "status $RC"
                diag_file "$ERR"
        fi
}

suite root
suite nobody

# pasta and slirp4netns need /dev/net/tun: where nobody may not open it,
# the message names it and the fix.
for helper in slirp4netns pasta; do
        run tun with_tun 0600 "${AS_NOBODY[@]}" "$N" run --net=$helper true
        expect_error "nobody: --net=$helper with /dev/net/tun 0600: names the device and the fix" \
                "^ns: cannot run with --net=$helper: cannot open '/dev/net/tun': permission denied .*chmod 0666 /dev/net/tun"
        run tunok with_tun 0666 "${AS_NOBODY[@]}" "$N" run --net=$helper --cap-add sys_admin \
                sh -c 'ip -br link | grep -v "^lo " | grep -q UP && echo up'
        is "$RC:$(cat "$OUT")" "0:up" "nobody: --net=$helper with a 0666 /dev/net/tun works, with --cap-add sys_admin too"
done
wait_for 10 "pasta and slirp4netns to leave" bash -c \
        '! pgrep -r RSD -f "^pasta --foreground" && ! pgrep -r RSD -x slirp4netns' ||
        not_ok "a network helper is left"

# --share=user as root: the command is the host's uid 0, in the host's user
# namespace. In a user namespace of its own, with a pid namespace and a
# fresh /proc, it would write kernel.core_pattern (written back with its
# own value, so that the host never changes): the filter refuses unshare
# and clone with CLONE_NEWUSER (EPERM), and clone3 (ENOSYS, glibc's cue to
# use clone), in what ns run starts and in what ns enter runs there.
# shellcheck disable=SC2016 # perl's, not ours; no single quote in it
CLONE3_NEWUSER='use POSIX;
        # struct clone_args: flags CLONE_NEWUSER, exit_signal SIGCHLD, the rest 0
        my $a = pack("Q11", 0x10000000, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0);
        my $r = syscall(435, $a, length($a));
        POSIX::_exit(0) if $r == 0;
        if ($r > 0) { waitpid($r, 0); print "clone3: made\n" }
        else { print "clone3: ", ($!{ENOSYS} ? "ENOSYS" : "$!"), "\n" }'
# (Without -r: mapping uid 0 needs CAP_SETFCAP, but unmapped it is still
# the host's uid 0 to the sysctl.)
userns_attack='unshare -Upf --mount-proc sh -c "cat /proc/sys/kernel/core_pattern >/proc/sys/kernel/core_pattern && echo WROTE" 2>&1
        unshare -U true 2>&1 || echo refused'
userns_attack+=$'\n'"perl -e '$CLONE3_NEWUSER'"
if [[ $(uname -m) == x86_64 ]]; then
        run shareuserns "$N" run --share=user sh -c "$userns_attack"
        if ((RC == 0)) && ! grep -q WROTE "$OUT" && grep -q "^refused" "$OUT" &&
                grep -q "Operation not permitted" "$OUT" && grep -qx "clone3: ENOSYS" "$OUT"; then
                ok "root, --share=user: no user namespace (unshare, clone3), so no fresh /proc to write kernel.core_pattern"
        else
                not_ok "root, --share=user: no user namespace (unshare, clone3), so no fresh /proc to write kernel.core_pattern"
                diag "status $RC"
                diag_file "$OUT"
        fi
        # what runs in it does fork
        run shareuserfork "$N" run --share=user sh -c '(echo forked) | cat'
        is "$RC:$(cat "$OUT")" "0:forked" "root, --share=user: processes are still made"
        spawn "$N" run --share=user --name "itest-shareuser-$$" sleep 2701
        if wait_tree "$SPAWNED_PID" sleep 1; then
                run shareuserenter "$N" enter "itest-shareuser-$$" sh -c "$userns_attack"
                if ! grep -q WROTE "$OUT" && grep -q "^refused" "$OUT" && grep -qx "clone3: ENOSYS" "$OUT"; then
                        ok "root, --share=user: ns enter gives the command the same filter"
                else
                        not_ok "root, --share=user: ns enter gives the command the same filter"
                        diag "status $RC"
                        diag_file "$OUT"
                fi
        else
                not_ok "root, --share=user: the instance to enter did not start"
        fi
        kill "$SPAWNED_PID" 2>/dev/null
else
        not_ok "the clone3 attack is written for x86_64 (syscall 435, CLONE_NEWUSER), not $(uname -m)"
fi

# --share=user keeps the host's user namespace: a capability there is the
# host's.
run shareuser "$N" run --share=user --cap-add sys_admin true
expect_error "--cap-add with --share=user is refused" "^ns: cannot run with --cap-add and --share=user"

# Bad paths are said in the one form of every message.
run relmap "$N" run --map /etc mnt true
expect_error "--map to a relative target is refused" "^ns: the target of --map needs an absolute path, not 'mnt'$"
run norootfs "$N" run --rootfs "$W/no-such-root" true
expect_error "--rootfs that does not exist is refused" "^ns: cannot run with --rootfs '$W/no-such-root': no such file or directory$"
run fileroot "$N" run --rootfs "$R/etc/marker" true
expect_error "--rootfs on a file is refused" "^ns: cannot run with --rootfs '$R/etc/marker': not a directory$"

done_testing
