#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run --userns: an unprivileged user (nobody) with a subordinate range in
# /etc/subuid and /etc/subgid (added by the test, removed at its end) gets
# the whole range through newuidmap/newgidmap: inside it is root, the
# range's ids exist (both extents in uid_map and gid_map), chown to another
# user works on a tmpfs and the host sees the file owned by the range's id;
# the same with a network helper (pid 1 does not map then) and with the
# payload's own nested user namespace (--cap-add all). --userns=single and
# the default keep the single map; without a range, auto says what that
# limits and range refuses to start.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools setpriv newuidmap newgidmap stat pasta

require_nobody

# A range that collides with nothing a system allocates (useradd starts at
# 100000 and counts up by 65536).
START=3000000
COUNT=65536
ENTRY="nobody:$START:$COUNT"

for f in /etc/subuid /etc/subgid; do
        [[ -e $f ]] || { touch "$f" && on_cleanup "rm -f '$f'"; } || fatal "cannot make $f"
        grep -q '^nobody:\|^65534:' "$f" &&
                fatal "nobody has a range in $f already: another test running? (remove it)"
done
add_range() {
        echo "$ENTRY" >>/etc/subuid && echo "$ENTRY" >>/etc/subgid
}
remove_range() {
        sed -i "/^$ENTRY\$/d" /etc/subuid /etc/subgid
}
on_cleanup remove_range
add_range || fatal "cannot add $ENTRY to /etc/subuid and /etc/subgid"

# with_tun CMD...: CMD where /dev/net/tun is 0666 (a private mount
# namespace; the host's node is left as it is), as udev makes it.
with_tun() {
        unshare -m --propagation private bash -c '
                mount -t tmpfs -o mode=0755,size=16k ns-run-tun /dev/net &&
                        mknod -m 0666 /dev/net/tun c 10 200 || exit 99
                exec "$@"' with_tun "$@"
}

# The maps as "inside outside count" words, one extent a line.
squeeze() {
        awk '{ $1 = $1; print }'
}
RANGED=$(printf '0 %s 1\n1 %s %s' "$NOBODY_UID" "$START" "$COUNT")
NESTED=$(printf '0 0 1\n1 1 %s' "$COUNT")
SINGLE="$NOBODY_UID $NOBODY_UID 1"

# 1. the range, as nobody
for mode in auto range; do
        run maps "${AS_NOBODY[@]}" "$NS" run --userns=$mode sh -c \
                'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -g'
        got=$(squeeze <"$OUT" | tr '\n' '|')
        is "$RC:$got" "0:${RANGED//$'\n'/|}|--|${RANGED//$'\n'/|}|--|0|0|" \
                "--userns=$mode: uid_map and gid_map hold nobody as 0 and the range as 1..$COUNT; root inside"
        [[ -s $ERR ]] && diag_file "$ERR"
done

# 2. chown to another user works inside, and is the range's id outside
spawn "${AS_NOBODY[@]}" "$NS" run --userns=auto --cap-add chown sh -c \
        'touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f && exec sleep 3581'
nspid=$SPAWNED_PID
if wait_tree "$nspid" sleep 1; then
        payload=${T_FOUND[0]}
        wait_for 10 "the chown's output" grep -q . "$SPAWNED_LOG"
        is "$(cat "$SPAWNED_LOG")" "1000:1000" "chown 1000:1000 of a file on a tmpfs works; stat shows it"
        is "$(stat -c %u:%g "/proc/$payload/root/tmp/f")" "$((START + 999)):$((START + 999))" \
                "outside, the file belongs to the range's uid and gid $((START + 999))"
else
        not_ok "the instance that chowns a file runs"
        diag_file "$SPAWNED_LOG"
fi
kill "$nspid" 2>/dev/null
wait "$nspid" 2>/dev/null

# 3. a network helper joins once ns run has mapped the range (pid 1 does
# not map then), and the payload's own nested namespace maps it onto itself
run pasta with_tun "${AS_NOBODY[@]}" "$NS" run --userns=auto --net=pasta sh -c \
        'cat /proc/self/uid_map; ip -br -4 addr | grep -vc "^lo "'
got=$(squeeze <"$OUT" | tr '\n' '|')
is "$RC:$got" "0:${RANGED//$'\n'/|}|1|" "--net=pasta with the range: mapped, and an interface configured"
[[ $RC == 0 ]] || diag_file "$ERR"

run nest "${AS_NOBODY[@]}" "$NS" run --userns=auto --cap-add all sh -c \
        'cat /proc/self/uid_map; cat /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u /tmp/f'
got=$(squeeze <"$OUT" | tr '\n' '|')
is "$RC:$got" "0:${NESTED//$'\n'/|}|${NESTED//$'\n'/|}|1000|" \
        "--cap-add all: the payload's nested namespace maps 0 and 1..$COUNT onto themselves; chown works"
[[ $RC == 0 ]] || diag_file "$ERR"

# 4. the single map stays the default, and single is single
for opt in "" --userns=single; do
        run single "${AS_NOBODY[@]}" "$NS" run $opt --cap-add chown sh -c \
                'cat /proc/self/uid_map; touch /tmp/f; chown 1000:1000 /tmp/f 2>/dev/null && echo chowned; exit 0'
        is "$RC:$(squeeze <"$OUT")" "0:$SINGLE" "${opt:-the default}: nobody's own id only, and chown to 1000 fails"
        [[ -s $ERR ]] && diag_file "$ERR"
done

# 5. without a range: auto says what the single map limits, range refuses
remove_range
run norange "${AS_NOBODY[@]}" "$NS" run --userns=auto cat /proc/self/uid_map
is "$RC:$(squeeze <"$OUT")" "0:$SINGLE" "--userns=auto without a range: the single map"
if grep -q "^ns: warning: mapping only your own id: 'nobody' has no range in /etc/subuid and /etc/subgid" "$ERR" &&
        grep -q "chown or setuid to any other id fails" "$ERR" && grep -q "usermod" "$ERR"; then
        ok "--userns=auto without a range: a warning says what is missing, what it limits and the fix"
else
        not_ok "--userns=auto without a range: a warning says what is missing, what it limits and the fix"
        diag_file "$ERR"
fi
run refused "${AS_NOBODY[@]}" "$NS" run --userns=range echo ran
if [[ $RC == 1 && ! -s $OUT ]] &&
        grep -q "^ns: cannot map a subordinate id range: 'nobody' has no range in /etc/subuid" "$ERR"; then
        ok "--userns=range without a range: an error, and the command never ran"
else
        not_ok "--userns=range without a range: an error, and the command never ran"
        diag "status $RC, output '$(cat "$OUT")'"
        diag_file "$ERR"
fi

run badmode "$NS" run --userns=bogus true
if [[ $RC == 1 ]] && grep -q "unknown --userns mode 'bogus'" "$ERR"; then
        ok "an unknown --userns mode is a usage error"
else
        not_ok "an unknown --userns mode is a usage error"
        diag_file "$ERR"
fi

done_testing
