#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns top -b with known load: instances made here that spin a core, hold
# 200 MB, receive traffic on a veth, hold zombies, are frozen, hit their
# pids limit and their memory limit, whose leader's memory lock a task in
# D state holds, each watched with
# `ns top -b -J -p ID` polled until it shows what it must (with a
# deadline, never a fixed sleep). Then the batch mode itself: an unknown
# -p, exactly N JSON lines, a closed pipe, an unprivileged user, and
# `ns top` running ns-top.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools jq ip perl unshare setpriv
NS_TOP=${NS%/*}/ns-top
[[ -x $NS_TOP ]] || fatal "no ns-top next to NS='$NS'"
[[ -n $T_CG ]] || fatal "no cgroup v2 of the test's own: the freezer check needs one"
[[ -e $T_CG/cgroup.freeze ]] || fatal "cgroup v2 here has no cgroup.freeze (Linux 5.2)"

# top_frame ID DELAY N: the last of N frames of `ns top -b -J -p ID`, in
# $T_TMP/top.out (the whole output) and $T_TMP/top.last.
top_frame() {
        run top "$NS" top -b -J -d "$2" -n "$3" -p "$1"
        ((RC == 0)) || return 1
        tail -n 1 "$OUT" >"$T_TMP/top.last"
}

# shows ID EXPR [DELAY]: the instance's object in one frame satisfies the jq EXPR.
shows() {
        top_frame "$1" "${3:-0.5}" 1 || return 1
        jq -e ".instances[0] | $2" "$T_TMP/top.last" >/dev/null
}

# until_shows SECS DESC ID EXPR [DELAY]: poll ns top until it shows it.
until_shows() {
        local secs=$1 desc=$2 id=$3 expr=$4 delay=${5:-0.5}
        if wait_for "$secs" "$desc" shows "$id" "$expr" "$delay"; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "jq: .instances[0] | $expr"
                diag_file "$T_TMP/top.last"
                diag_file "$T_TMP/top.err"
        fi
}

# started ROOT COMM: the pid of the one COMM process below ROOT, once it runs.
started() {
        wait_tree "$1" "$2" 1 || {
                diag_file "$SPAWNED_LOG"
                fatal "'$2' did not start below pid $1"
        }
        STARTED=${T_FOUND[0]}
}

# first_below ROOT COMM: some COMM process runs below ROOT; the oldest in STARTED.
first_below() {
        local p best=
        descendants "$1"
        for p in "${T_DESC[@]}"; do
                [[ $(proc_comm "$p") == "$2" ]] || continue
                [[ -z $best ]] || (($(proc_start "$p") < $(proc_start "$best"))) && best=$p
        done
        STARTED=$best
        [[ -n $best ]]
}
proc_start() {
        local s
        read -r s <"/proc/$1/stat" 2>/dev/null || { echo 0; return; }
        s=${s##*) }
        # shellcheck disable=SC2086 # the fields of stat
        set -- $s
        echo "${20}"
}

# 1. one core spinning: about 100% (one core), from the cgroup of ns run
#    --cpus (cpuacct, v1 here) and from the members of a plain unshare
spawn "$NS" run --cpus 1.5 sh -c 'while :; do :; done'
started "$SPAWNED_PID" sh
spin=$STARTED
until_shows 30 "a spinning ns run --cpus 1.5 instance shows about 100% CPU" "$spin" \
        '.cpu_pct >= 60 and .cpu_pct <= 140' 1
until_shows 10 "  ... and about 67% of its limit of 1.5 CPUs" "$spin" \
        '.cpu_limit == 1.5 and .cpu_limit_pct >= 40 and .cpu_limit_pct <= 93 and .cgroup != null' 1
kill -KILL "$spin"

spawn unshare -Upf --mount-proc sh -c 'while :; do :; done'
started "$SPAWNED_PID" sh
spin=$STARTED
until_shows 30 "a spinning unshare instance (no cgroup of its own) shows about 100% CPU" "$spin" \
        '.cpu_pct >= 60 and .cpu_pct <= 140 and .cgroup == null and .cpu_limit == null' 1
kill -KILL "$spin"

# 2. 200 MB held, against a limit of 512 MB
spawn "$NS" run --memory 512M perl -e '$x = "a" x (200 << 20); sleep 3600'
started "$SPAWNED_PID" perl
mem=$STARTED
until_shows 30 "an instance holding 200 MB shows MEM >= 200 MB and MEM% of its 512 MB limit" "$mem" \
        '.mem_bytes >= 209715200 and .mem_limit == 536870912 and .mem_pct >= 39 and .mem_pct < 100'
run text "$NS" top -b -d 0.2 -n 1 -p "$mem"
if ((RC == 0)) && awk '$1 == "ID" { for (i = 1; i <= NF; i++) col[$i] = i; next }
        col["MEM"] && $col["MEM"] ~ /^[0-9.]+[MG]$/ && $col["MEM%"] ~ /^[0-9.]+$/ { found = 1 }
        END { exit !found }' "$OUT"; then
        ok "  ... and the text frame shows its MEM and MEM%"
else
        not_ok "  ... and the text frame shows its MEM and MEM%"
        diag_file "$OUT"
fi
kill -KILL "$mem"

# 2b. an instance in a memory cgroup that a host process, no instance's,
#     holds 200 MB in too: its leader's parent is init (setsid -f), so only
#     the cgroup's processes tell that it is not the instance's own
if [[ -d /sys/fs/cgroup/memory ]] && mountpoint -q /sys/fs/cgroup/memory; then
        memroot=/sys/fs/cgroup/memory
else
        memroot=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
        grep -qw memory "$memroot/cgroup.subtree_control" 2>/dev/null ||
                fatal "no memory cgroup hierarchy to make a shared cgroup in"
fi
SHARED=$memroot/ns-itest-shared-$$
mkdir "$SHARED" || fatal "cannot make $SHARED"
on_cleanup "pkill -KILL -f '^sleep 1437$$\$'; for i in \$(seq 100); do rmdir $SHARED 2>/dev/null && break; sleep 0.05; done"
spawn bash -c "echo \$BASHPID >$SHARED/cgroup.procs && exec perl -e '\$x = \"a\" x (200 << 20); sleep 3600'"
hog=$SPAWNED_PID
wait_for 20 "the host process to hold 200 MB" bash -c \
        "(( \$(awk '/^VmRSS:/ { print \$2 }' /proc/$hog/status) >= 204800 ))" || fatal "the hog did not grow"
bash -c "echo \$BASHPID >$SHARED/cgroup.procs && exec setsid -f unshare -Ur sleep 1437$$"
wait_for 10 "the setsid instance" pgrep -f "^sleep 1437$$\$" >/dev/null || fatal "the setsid instance did not start"
orphan=$(pgrep -f "^sleep 1437$$\$")
until_shows 30 "an instance sharing its memory cgroup with a host process shows its own memory, not the cgroup's" \
        "$orphan" '.mem_bytes < 104857600 and .cgroup == null'
kill -KILL "$hog" "$orphan"

# 3. traffic into a network namespace through a veth (not loopback);
#    a second instance in the same namespace does not count it again
NETNS=nstop$$
VA=nst${$}a
VB=nst${$}b
NET=10.$((200 + $$ % 50)).$(($$ % 250)).0
on_cleanup "ip netns del $NETNS; ip link del $VA"
ip netns add "$NETNS" || fatal "ip netns add $NETNS"
ip link add "$VA" type veth peer name "$VB" || fatal "ip link add $VA type veth"
ip link set "$VB" netns "$NETNS" &&
        ip addr add "${NET%.0}.1/30" dev "$VA" && ip link set "$VA" up &&
        ip -n "$NETNS" addr add "${NET%.0}.2/30" dev "$VB" && ip -n "$NETNS" link set "$VB" up ||
        fatal "cannot set up the veth pair"
spawn ip netns exec "$NETNS" sleep 3601
started "$SPAWNED_PID" sleep
netpid=$STARTED
spawn ip netns exec "$NETNS" unshare -u sleep 3602
started "$SPAWNED_PID" sleep
netpid2=$STARTED
spawn bash -c "while :; do echo hello >/dev/udp/${NET%.0}.2/9; sleep 0.02; done"
net_once() {
        run top "$NS" top -b -J -d 0.5 -n 1 -p "$netpid" -p "$netpid2"
        ((RC == 0)) && tail -n 1 "$OUT" >"$T_TMP/top.last" &&
                jq -e '(.instances | length) == 2 and
                        ([.instances[] | select(.net_rx_bytes != null)] | length) == 1 and
                        ([.instances[] | select(.net_rx_bps != null and .net_rx_bps > 0)] | length) == 1' \
                        "$T_TMP/top.last" >/dev/null
}
if wait_for 30 "RX in the veth's namespace" net_once; then
        ok "an instance whose network namespace receives traffic shows RX > 0, once per namespace"
else
        not_ok "an instance whose network namespace receives traffic shows RX > 0, once per namespace"
        diag_file "$T_TMP/top.last"
fi

# 4. zombies: pid 1 of the namespace became sleep, which reaps nothing
spawn unshare -Upf --mount-proc sh -c 'true & true & true & exec sleep 3603'
started "$SPAWNED_PID" sleep
zpid=$STARTED
until_shows 20 "an instance with 3 zombies shows them" "$zpid" '.health.zombies == 3 and .pids == 4'
run text "$NS" top -b -d 0.2 -n 1 -p "$zpid"
grep -q " 3Z " "$OUT" && ok "  ... as 3Z in HEALTH" || { not_ok "  ... as 3Z in HEALTH"; diag_file "$OUT"; }

# 4b. a thread in D state while its process's main thread sleeps: the
# stat of the process shows S; HEALTH counts tasks (the second thread waits
# in vfork for its child, which stopped itself)
spawn unshare -Upf --mount-proc "$VFORK_STOP" thread
wait_tree "$SPAWNED_PID" vfork-stop 2 || fatal "the vfork helper did not start"
dpid=${T_FOUND[0]}
until_shows 20 "a thread in D state counts in HEALTH, though its process sleeps" "$dpid" \
        '.health.dstate == 1 and .health.stopped == 1'
run text "$NS" top -b -d 0.2 -n 1 -p "$dpid"
grep -q " 1D " "$OUT" && ok "  ... as 1D in HEALTH" || { not_ok "  ... as 1D in HEALTH"; diag_file "$OUT"; }

# 5. frozen, in a cgroup v2 of its own below the test's, then thawed
spawn unshare -Upf --mount-proc sleep 3604
started "$SPAWNED_PID" sleep
fpid=$STARTED
FCG=$T_CG/frozen
mkdir "$FCG" && echo "$fpid" >"$FCG/cgroup.procs" || fatal "cannot move $fpid to $FCG"
on_cleanup "echo 0 >'$FCG/cgroup.freeze'"
echo 1 >"$FCG/cgroup.freeze"
wait_for 10 "the cgroup to freeze" grep -qx "frozen 1" "$FCG/cgroup.events" || fatal "$FCG does not freeze"
until_shows 20 "a frozen instance shows frozen" "$fpid" '.health.frozen == true'
run text "$NS" top -b -d 0.2 -n 1 -p "$fpid"
grep -q " frozen " "$OUT" && ok "  ... as 'frozen' in HEALTH" || { not_ok "  ... as 'frozen' in HEALTH"; diag_file "$OUT"; }
echo 0 >"$FCG/cgroup.freeze"
until_shows 20 "  ... and not once thawed" "$fpid" '.health.frozen == false'

# 6. forks refused at the pids limit while ns top watches: a delta
spawn "$NS" run --pids 5 perl -e 'while (1) { my $p = fork; if (defined $p && $p == 0) { sleep 3600; exit 0 } select(undef, undef, undef, 0.05) }'
wait_for 20 "the forking perl" first_below "$SPAWNED_PID" perl || fatal "the forking perl did not start"
until_shows 30 "an instance at its pids limit shows refused forks as a delta" "$STARTED" \
        '.health.pids_refused > 0 and .pids_limit == 5'
run text "$NS" top -b -d 1 -n 1 -p "$STARTED"
grep -Eq " \+[0-9]+ forks " "$OUT" && ok "  ... as '+N forks' in HEALTH" ||
        { not_ok "  ... as '+N forks' in HEALTH"; diag_file "$OUT"; }
# PIDS is the pids controller's count of the cgroup (v1 here), full at the limit
pcg=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$STARTED/cgroup")
pcur=$(cat "/sys/fs/cgroup/pids$pcg/pids.current" 2>/dev/null)
[[ $pcur == 5 ]] || diag "pids.current of $pcg: '$pcur'"
until_shows 10 "  ... and PIDS is its cgroup's pids.current ($pcg: $pcur)" "$STARTED" \
        ".pids_current == ${pcur:-5} and .tasks == ${pcur:-5}"
run text "$NS" top -b -d 0.2 -n 1 -p "$STARTED"
pids_col=$(awk 'f { print $4; exit } /^ID +NAME +RUNTIME +PIDS/ { f = 1 }' "$OUT")
[[ $pids_col == "$pcur" ]] && ok "  ... and in the PIDS column of the text frame ($pids_col)" ||
        { not_ok "  ... and in the PIDS column of the text frame"; diag_file "$OUT"; }

# 7. OOM kills while ns top watches: a delta too
spawn "$NS" run --memory 64M sh -c 'while :; do perl -e "\$x = \"a\" x (256 << 20)"; sleep 0.1; done'
started "$SPAWNED_PID" sh
until_shows 30 "an instance whose payload is OOM-killed shows the kills as a delta" "$STARTED" \
        '.health.oom_kills > 0'
kill -KILL "$STARTED"

# 7b. a leader whose mmap_lock a task in D state holds (tests/helpers/stuck-mm:
# a read of a FUSE page that the server answers only after 20 s, and an
# mmap() queued behind it): reading its command line blocks, and ns top
# must not wait for it.
[[ -x ${STUCK_MM:-} ]] || fatal "STUCK_MM is not set (the stuck-mm helper)"
spawn unshare -m --propagation private --uts --ipc "$STUCK_MM" "$T_TMP/stuck.ready" 20
stuck_ready() { [[ -s $T_TMP/stuck.ready ]]; }
wait_for 10 "the stuck-mm helper" stuck_ready || { diag_file "$SPAWNED_LOG"; fatal "stuck-mm did not get stuck"; }
read -r sp <"$T_TMP/stuck.ready"
dtasks=0
for t in /proc/"$sp"/task/*; do
        read -r st <"$t/stat" && st=${st##*) } && [[ ${st%% *} == D ]] && dtasks=$((dtasks + 1))
done
t0=$(now_us)
timeout 1 cat "/proc/$sp/cmdline" >/dev/null 2>&1
rc=$?
((rc == 124 && dtasks == 2)) && ok "a plain read of the command line of pid $sp blocks behind its 2 tasks in D state" ||
        not_ok "a plain read of the command line of pid $sp blocks behind its 2 tasks in D state (status $rc, $dtasks in D)"
t0=$(now_us)
run stuck "$NS" top -b -J -d 0.2 -n 1 -p "$sp"
ms=$((($(now_us) - t0) / 1000))
tail -n 1 "$OUT" >"$T_TMP/stuck.last"
((RC == 0 && ms < 3000)) && jq -e '.instances[0] | .command == "stuck-mm (blocked)"' \
        "$T_TMP/stuck.last" >/dev/null &&
        ok "ns top does not wait for it: a frame in $ms ms, COMMAND 'stuck-mm (blocked)'" ||
        { not_ok "ns top does not wait for it (a frame in $ms ms, status $RC)"; diag_file "$T_TMP/stuck.last"; diag_file "$ERR"; }
# the server's end of /dev/fuse closes with it: the kernel aborts the
# connection and the stuck tasks go on, and die
read -r kids <"/proc/$sp/task/$sp/children"
kill -KILL $kids "$sp" 2>/dev/null
gone() { [[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]; }
wait_for 10 "stuck-mm to end" gone "$sp" || not_ok "the stuck-mm helper ends when killed"

# 8. the batch mode itself
run unknown "$NS" top -b -J -n 1 -d 0.2 -p nosuchinstance$$
if ((RC == 1)) && grep -q "^ns top: no instance 'nosuchinstance$$'" "$ERR" && [[ ! -s $OUT ]]; then
        ok "an unknown -p id is a clear error, exit 1"
else
        not_ok "an unknown -p id is a clear error, exit 1"
        diag "status $RC"
        diag_file "$ERR"
fi

run two "$NS" top -b -J -d 0.2 -n 2
if ((RC == 0)) && [[ $(wc -l <"$OUT") == 2 ]] && jq -e -s 'length == 2 and all(.[]; .host.cpus > 0 and (.instances | type) == "array")' "$OUT" >/dev/null; then
        ok "-b -J -n 2 writes exactly 2 JSON lines"
else
        not_ok "-b -J -n 2 writes exactly 2 JSON lines"
        diag_file "$OUT"
fi

run bad "$NS" top -J
((RC == 1)) && grep -q "^ns top: option '-J' needs '-b'" "$ERR" && grep -q "^Try 'ns top --help'." "$ERR" &&
        ok "-J without -b: a usage error" || { not_ok "-J without -b: a usage error"; diag_file "$ERR"; }
run bad "$NS" top -b -d 0
((RC == 1)) && grep -q "^ns top: invalid delay '0'" "$ERR" && ok "-d 0: a usage error" ||
        { not_ok "-d 0: a usage error"; diag_file "$ERR"; }

"$NS" top -b -d 0.1 -n 50 2>"$T_TMP/pipe.err" | head -n 1 >/dev/null
rcs=("${PIPESTATUS[@]}")
if [[ ${rcs[0]} == 0 && ! -s $T_TMP/pipe.err ]]; then
        ok "a closed pipe ends ns top -b quietly, exit 0"
else
        not_ok "a closed pipe ends ns top -b quietly, exit 0"
        diag "status ${rcs[0]}"
        diag_file "$T_TMP/pipe.err"
fi

# 9. as nobody: what it may read, and how much it could not
mkdir -p "$T_TMP/bin" && chmod 755 "$T_TMP/bin" && copy_ns "$T_TMP/bin" && cp "$NS_TOP" "$T_TMP/bin/" &&
        chmod 755 "$T_TMP/bin/ns" "$T_TMP/bin/ns-top" || fatal "cannot copy ns and ns-top for nobody"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run nobody "${NOBODY[@]}" "$T_TMP/bin/ns" top -b -d 0.2 -n 1 -a
if ((RC == 0)) && grep -Eq "^not readable: [0-9]+ processes \(run as root to see them\)$" "$OUT" &&
        grep -q "^ID " "$OUT"; then
        ok "ns top -b as nobody works and says how many processes it could not read"
else
        not_ok "ns top -b as nobody works and says how many processes it could not read"
        diag "status $RC"
        diag_file "$OUT"
        diag_file "$ERR"
fi
run nobodyj "${NOBODY[@]}" "$T_TMP/bin/ns" top -b -J -d 0.2 -n 1
((RC == 0)) && jq -e '.host.unreadable_processes > 0' "$OUT" >/dev/null &&
        ok "  ... and its JSON counts them" || { not_ok "  ... and its JSON counts them"; diag_file "$OUT"; }

# 10. ns top is ns-top
run help "$NS" top --help
"$NS_TOP" --help >"$T_TMP/direct.out" 2>&1
if ((RC == 0)) && grep -q "^ ns top \[options\]$" "$OUT" && cmp -s "$OUT" "$T_TMP/direct.out"; then
        ok "ns top --help is ns-top's help"
else
        not_ok "ns top --help is ns-top's help"
        diag_file "$OUT"
fi
mkdir -p "$T_TMP/alone" && cp "$NS" "$T_TMP/alone/ns"
run alone "$T_TMP/alone/ns" top -b -n 1
((RC == 1)) && grep -q "^ns: cannot run 'ns top': ns-top is not installed" "$ERR" &&
        ok "without ns-top anywhere, ns top says so, exit 1" ||
        { not_ok "without ns-top anywhere, ns top says so, exit 1"; diag_file "$ERR"; }

done_testing
