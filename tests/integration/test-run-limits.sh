#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run --memory, --pids, --cpus: the cgroup leaf is made at spawn with the
# limits written, the instance runs in it, the limits hold, and the leaf is
# removed after a normal exit, a failure and a SIGKILL of ns. As root: on a
# cgroup v2 host in a leaf beside the test's cgroup, on a v1 (or hybrid)
# host in each controller's hierarchy. The v2 file handling is also unit
# tested on a fixture tree (tests/unit/test-cglimits.c).

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools setpriv perl

NOBODY_UID=65534

# The leaf directories of the instance whose payload is PID, from its
# /proc/PID/cgroup as the host sees it: "v2 DIR" or "v1 CONTROLLER DIR"
# lines.
leaves_of() {
        local pid=$1 line ctl path mnt
        while IFS= read -r line; do
                ctl=${line#*:}
                ctl=${ctl%%:*}
                path=${line#*:*:}
                [[ $path == */ns-run-* ]] || continue
                if [[ -z $ctl ]]; then
                        mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
                        echo "v2 - $mnt$path"
                else
                        local c
                        for c in ${ctl//,/ }; do
                                [[ $c == memory || $c == pids || $c == cpu ]] || continue
                                mnt=$(awk -v c="$c" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { print $5; exit }' /proc/self/mountinfo)
                                echo "v1 $c $mnt$path"
                        done
                fi
        done <"/proc/$pid/cgroup"
}

# value FILE: the first word of a cgroup file
value() {
        local v
        read -r v _ <"$1" 2>/dev/null && printf '%s' "$v"
}

V=$T_TMP/vol
mkdir "$V" && chmod 777 "$V"

# 1. the leaf and its limits, while the instance runs
spawn "$NS" run --memory 64M --pids 20 --cpus 0.5 --vol "$V" /tmp/v sh -c 'touch /tmp/v/ready; exec sleep 3581'
nspid=$SPAWNED_PID
wait_for 20 "the limited instance" test -e "$V/ready" && wait_tree "$nspid" sleep 1 ||
        { diag_file "$SPAWNED_LOG"; fatal "the limited instance did not start"; }
payload=${T_FOUND[0]}
mapfile -t leaves < <(leaves_of "$payload")
diag "leaves: ${leaves[*]}"
((${#leaves[@]} > 0)) && ok "the instance runs in an ns-run-* cgroup leaf" ||
        { not_ok "the instance runs in an ns-run-* cgroup leaf"; diag_file "/proc/$payload/cgroup"; }
declare -A got=()
for l in "${leaves[@]}"; do
        read -r kind ctl dir <<<"$l"
        if [[ $kind == v2 ]]; then
                got[memory]=$(value "$dir/memory.max")
                got[pids]=$(value "$dir/pids.max")
                got[cpu]=$(value "$dir/cpu.max")
        else
                case $ctl in
                memory) got[memory]=$(value "$dir/memory.limit_in_bytes") ;;
                pids) got[pids]=$(value "$dir/pids.max") ;;
                cpu) got[cpu]=$(value "$dir/cpu.cfs_quota_us") ;;
                esac
        fi
done
is "${got[memory]:-}" 67108864 "--memory 64M: the leaf's memory limit is 67108864"
is "${got[pids]:-}" 20 "--pids 20: the leaf's pids.max is 20"
is "${got[cpu]:-}" 50000 "--cpus 0.5: the leaf's CPU quota is 50000 us per 100000"
init=$(pgrep -P "$nspid" -x ns-init | head -1)
[[ -n $init ]] && grep -q ns-run- "/proc/$init/cgroup" && ok "pid 1 is in the leaf too" ||
        not_ok "pid 1 is in the leaf too"

# 2. normal exit: the leaf is gone when ns run returns
kill -TERM "$nspid"
wait "$nspid" 2>/dev/null
gone=1
for l in "${leaves[@]}"; do
        read -r _ _ dir <<<"$l"
        [[ -e $dir ]] && gone=0 && diag "still there: $dir"
done
((gone)) && ok "after ns run returns, the leaf is removed" || not_ok "after ns run returns, the leaf is removed"

# 3. SIGKILL of ns run: the instance dies and the leaf goes soon after
rm -f "$V/ready"
spawn "$NS" run --memory 64M --pids 20 --vol "$V" /tmp/v sh -c 'sleep 3582 & touch /tmp/v/ready; wait'
nspid=$SPAWNED_PID
if wait_for 20 "the limited instance" test -e "$V/ready" && wait_tree "$nspid" sleep 1; then
        payload=${T_FOUND[0]}
        mapfile -t leaves < <(leaves_of "$payload")
        { kill -KILL "$nspid" && wait "$nspid"; } 2>/dev/null
        all_gone() {
                local l dir
                kill -0 "$payload" 2>/dev/null && return 1
                for l in "${leaves[@]}"; do
                        read -r _ _ dir <<<"$l"
                        [[ -e $dir ]] && return 1
                done
                return 0
        }
        ((${#leaves[@]} > 0)) && wait_for 30 "the instance and its leaf to go" all_gone &&
                ok "after SIGKILL of ns run, the instance dies and its leaf is removed" ||
                not_ok "after SIGKILL of ns run, the instance dies and its leaf is removed"
        cleaner=$(pgrep -f "^$NS run --memory 64M --pids 20" | grep -vx "$nspid")
        wait_for 10 "the cleaner to leave" bash -c "! pgrep -f '^$NS run --memory 64M --pids 20' >/dev/null" &&
                ok "  ... and the helper that removed it is gone" ||
                not_ok "  ... and the helper that removed it is gone (pids $cleaner)"
else
        not_ok "after SIGKILL of ns run, the instance dies and its leaf is removed (did not start)"
        diag_file "$SPAWNED_LOG"
fi

# 3b. a kill -9 of ns run and of its cleaner leaves an empty leaf: the next
# ns run with limits sweeps it, and a leaf named for a pid that is now not
# ns (a reused pid); it keeps a live ns run's leaf, and one that holds a task.
rm -f "$V/ready"
spawn "$NS" run --memory 64M --pids 21 --vol "$V" /tmp/v sh -c 'sleep 3583 & touch /tmp/v/ready; wait'
nspid=$SPAWNED_PID
if wait_for 20 "the limited instance" test -e "$V/ready" && wait_tree "$nspid" sleep 1; then
        payload=${T_FOUND[0]}
        mapfile -t stale < <(leaves_of "$payload")
        cleaner=$(pgrep -f "^$NS run --memory 64M --pids 21" | grep -vx "$nspid")
        # the cleaner first, so that it never sees ns run go
        # shellcheck disable=SC2086
        { kill -KILL $cleaner "$nspid" && wait "$nspid"; } 2>/dev/null
        wait_for 20 "the instance to die" bash -c "! kill -0 $payload 2>/dev/null" ||
                fatal "the instance outlived ns run"
        left=0
        for l in "${stale[@]}"; do
                read -r _ _ dir <<<"$l"
                [[ -d $dir ]] && left=$((left + 1))
        done
        ((${#stale[@]} > 0 && left == ${#stale[@]})) &&
                ok "a kill -9 of ns run and its cleaner leaves its leaf behind" ||
                not_ok "a kill -9 of ns run and its cleaner leaves its leaf behind (${#stale[@]} leaves, $left left)"

        # A live ns run with limits, whose leaf must stay.
        rm -f "$V/ready"
        spawn "$NS" run --memory 64M --pids 22 --vol "$V" /tmp/v sh -c 'touch /tmp/v/ready; exec sleep 3584'
        livepid=$SPAWNED_PID
        wait_for 20 "the live instance" test -e "$V/ready" && wait_tree "$livepid" sleep 1 ||
                fatal "the live instance did not start"
        mapfile -t live < <(leaves_of "${T_FOUND[0]}")
        # A leaf named for a plain sleep (a pid reused by something else),
        # and one of a finished process that still holds a task.
        spawn sleep 3585
        reused=$SPAWNED_PID
        spawn sleep 3586
        holder=$SPAWNED_PID
        bash -c 'exit 0' &
        deadpid=$!
        wait "$deadpid"
        fakes=() busy=()
        # whatever the sweep leaves, the test does not (its tasks killed by then)
        on_cleanup 'for d in "${stale[@]}" "${fakes[@]}" "${busy[@]}"; do d=${d##* }; [[ -d $d ]] && rmdir "$d"; done'
        for l in "${stale[@]}"; do
                read -r _ _ dir <<<"$l"
                mkdir "${dir%/*}/ns-run-$reused" && fakes+=("${dir%/*}/ns-run-$reused")
                mkdir "${dir%/*}/ns-run-$deadpid" && busy+=("${dir%/*}/ns-run-$deadpid") &&
                        echo "$holder" >"${dir%/*}/ns-run-$deadpid/cgroup.procs"
        done

        run sweep "$NS" run --memory 64M --pids 20 true
        is "$RC" 0 "ns run --memory with stale leaves beside it: exit 0"
        left=()
        for l in "${stale[@]}"; do
                read -r _ _ dir <<<"$l"
                [[ -e $dir ]] && left+=("$dir")
        done
        for dir in "${fakes[@]}"; do
                [[ -e $dir ]] && left+=("$dir")
        done
        ((${#fakes[@]} > 0 && ${#left[@]} == 0)) &&
                ok "  ... it removed the killed ns run's leaf, and one of a reused pid" ||
                not_ok "  ... it removed the killed ns run's leaf, and one of a reused pid (left: ${left[*]})"
        kept=1
        for l in "${live[@]}"; do
                read -r _ _ dir <<<"$l"
                [[ -d $dir ]] || kept=0
        done
        ((${#live[@]} > 0 && kept)) && ok "  ... it kept the leaf of a live ns run" ||
                not_ok "  ... it kept the leaf of a live ns run"
        kept=1
        for dir in "${busy[@]}"; do
                [[ -d $dir ]] || kept=0
        done
        ((${#busy[@]} > 0 && kept)) && ok "  ... and a leaf that still holds a task" ||
                not_ok "  ... and a leaf that still holds a task"

        kill -TERM "$livepid" "$reused"
        kill -KILL "$holder"
        wait "$livepid" "$reused" "$holder" 2>/dev/null
        for dir in "${busy[@]}"; do
                wait_for 10 "the held leaf to empty" rmdir "$dir" 2>/dev/null || diag "cannot remove $dir"
        done
else
        not_ok "a kill -9 of ns run and its cleaner leaves its leaf behind (did not start)"
        diag_file "$SPAWNED_LOG"
fi

# 4. the limits hold
run pids "$NS" run --pids 6 sh -c 'i=0; while [ $i -lt 12 ]; do sleep 2 & i=$((i + 1)); done; wait'
grep -qi "fork" "$ERR" && ok "--pids 6: forking a twelfth process fails" ||
        { not_ok "--pids 6: forking a twelfth process fails"; diag_file "$ERR"; }
# (through a shell of its own, whose "Killed" goes to the log)
run mem bash -c '"$@"; exit $?' _ "$NS" run --memory 32M perl -e '$x = "a" x (256 << 20); print "survived\n"'
is "$RC" 137 "--memory 32M: a payload that takes 256M is killed (SIGKILL, 137)"

# 5. an error before the instance starts leaves nothing either
run err "$NS" run --memory 64M /nonexistent/cmd
is "$RC" 127 "--memory with a missing command: 127"
left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'ns-run-*' 2>/dev/null)
is "$left" "" "no ns-run-* cgroup is left anywhere"

# 6. an unprivileged user on a host without a delegated cgroup v2 subtree
if [[ $(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo) == /sys/fs/cgroup &&
        -n $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null) ]]; then
        diag "cgroup v2 host: the unprivileged case depends on delegation; not checked here"
else
        run nb setpriv --reuid=$NOBODY_UID --regid=$NOBODY_UID --clear-groups "$NS" run --memory 64M true
        if ((RC == 1)) && grep -q "cannot make a cgroup for the limits" "$ERR"; then
                ok "as nobody on a cgroup v1 host: a clear error, exit 1"
        else
                not_ok "as nobody on a cgroup v1 host: a clear error, exit 1"
                diag "status $RC"
                diag_file "$ERR"
        fi
fi

done_testing
