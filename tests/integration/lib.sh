# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2034 # NS_TYPES, OUT, ERR, RC are for the tests
#
# Shared helpers of the integration tests, sourced by each
# tests/integration/test-<name>.sh:
#
#   - TAP output: ok / not_ok / check / is / diag, and done_testing, which
#     prints the plan ("1..N") last and sets the exit status;
#   - spawn: start a fleet process in the background, in the test's own
#     cgroup when one can be made, and kill it (and everything below it) on
#     exit, whatever way the test ends;
#   - polling waits with a deadline instead of fixed sleeps;
#   - an independent oracle: the instances of the test's own processes,
#     computed here from readlink /proc/PID/ns/*, to compare with `ns ls`.
#
# A test that cannot get what it needs (a tool, a permission, a working
# user namespace) fails through `fatal`: it never skips.

set -u
set -o pipefail

T_N=0          # checks so far
T_FAIL=0       # failed checks
T_DONE=0       # done_testing ran
T_SPAWNED=()   # pids started by spawn
T_CLEANUPS=()  # shell commands run at exit, after every process is gone
T_CG=""        # the test's cgroup (v2), when one could be made
T_NSPAWN=0
T_TMP=$(mktemp -d /tmp/ns-itest.XXXXXX) || { echo "1..1"; echo "not ok 1 - mktemp"; exit 1; }
# Readable by the unprivileged user of test-unprivileged.sh.
chmod 755 "$T_TMP"

# The eight namespace types, in ns' display order, with their NS letters.
NS_TYPES=(user mnt pid net uts ipc cgroup time)

# The field separator of the oracle's and ns_ls_tsv's lines.
US=$'\x1f'

# ---------------------------------------------------------------- TAP

diag() {
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/# /'
        done
}

# Print a file (or part of it) as diagnostics.
diag_file() {
        local f=$1 max=${2:-40}
        [[ -s $f ]] || { diag "($f is empty)"; return; }
        head -n "$max" "$f" | sed 's/^/#   /'
        local n
        n=$(wc -l <"$f")
        ((n > max)) && diag "  ... ($((n - max)) more lines)"
        return 0
}

ok() {
        T_N=$((T_N + 1))
        printf 'ok %d - %s\n' "$T_N" "$*"
}

not_ok() {
        T_N=$((T_N + 1))
        T_FAIL=$((T_FAIL + 1))
        printf 'not ok %d - %s\n' "$T_N" "$*"
}

# check DESC CMD... : one check that passes when CMD succeeds. CMD's own
# output is dropped (it would break the TAP stream).
check() {
        local desc=$1
        shift
        if "$@" >/dev/null 2>&1; then
                ok "$desc"
        else
                not_ok "$desc"
                diag "command failed: $*"
        fi
}

# is GOT EXPECTED DESC
is() {
        if [[ "$1" == "$2" ]]; then
                ok "$3"
        else
                not_ok "$3"
                diag "expected: '$2'" "     got: '$1'"
        fi
}

# A failure that ends the test: something it needs is missing.
fatal() {
        not_ok "$*"
        exit 1
}

require_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null 2>&1 || fatal "required tool '$t' is not installed"
        done
}

require_root() {
        [[ $(id -u) == 0 ]] || fatal "this test must run as root (it is uid $(id -u))"
}

require_ns() {
        [[ -n ${NS:-} ]] || fatal "NS is not set (the path of the ns binary to test)"
        [[ -x $NS ]] || fatal "NS='$NS' is not an executable file"
}

# var_tmp_ns NAME: NS copied to a directory of its own below /var/tmp,
# which an ns run instance sees (var-tmp.sh).
# shellcheck source=tests/integration/var-tmp.sh
. "${BASH_SOURCE[0]%/*}/var-tmp.sh" || fatal "cannot read tests/integration/var-tmp.sh"

# ns_for_nobody: point NS at a copy of itself in the test's own 0755
# directory, which an unprivileged user may run: the build directory may be
# below a home that it may not search (a checkout under /root, 0700). The
# binary needs only system libraries, the sanitizers' included.
ns_for_nobody() {
        local d=$T_TMP/ns-bin
        mkdir -p "$d" && chmod 755 "$d" && copy_ns "$d" ||
                fatal "cannot copy NS='$NS' to $d for an unprivileged user"
        NS=$d/ns
}

# require_userns_for UID: fail, with unshare's reason, unless UID can make
# a user namespace (the rootless runs of ns run need one).
require_userns_for() {
        setpriv --reuid="$1" --regid="$1" --clear-groups unshare -Ur true 2>"$T_TMP/userns.err" || {
                diag_file "$T_TMP/userns.err"
                fatal "uid $1 cannot make a user namespace (unprivileged user namespaces disabled?)"
        }
}

# require_nobody: AS_NOBODY (an array) runs a command as nobody, uid
# NOBODY_UID (65534), who must be able to make a user namespace.
require_nobody() {
        NOBODY_UID=65534
        AS_NOBODY=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups)
        require_userns_for "$NOBODY_UID"
}

# busybox_root DIR APPLET...: a small root file system for ns run --rootfs
# in DIR: a static busybox with links for the applets, an etc/marker that
# reads "busybox-root", and the mount points an instance needs; readable
# by all.
busybox_root() {
        local r=$1 a
        shift
        mkdir -p "$r"/{bin,proc,dev,tmp,etc,mnt} || fatal "mkdir $r"
        cp "$(command -v busybox)" "$r/bin/busybox" || fatal "cannot copy busybox"
        grep -q 'not a dynamic executable' <<<"$(ldd "$r/bin/busybox" 2>&1)" ||
                fatal "busybox is dynamically linked: install busybox-static"
        for a in "$@"; do
                ln -s busybox "$r/bin/$a" || fatal "cannot link $a to busybox"
        done
        echo "busybox-root" >"$r/etc/marker" && chmod -R a+rX "$r" || fatal "cannot fill $r"
}

# --------------------------------------------------------- processes

# The ppid of every process, into the associative array T_PPID.
proc_ppid_map() {
        declare -gA T_PPID=()
        local d s f
        for d in /proc/[0-9]*; do
                s=
                { read -r s <"$d/stat"; } 2>/dev/null || continue
                [[ -n $s ]] || continue
                s=${s##*) }
                # shellcheck disable=SC2206 # numbers and a state letter
                f=($s)
                T_PPID[${d#/proc/}]=${f[1]}
        done
}

# descendants ROOT... : ROOTs and every process below them, into the
# array T_DESC (no subshell, so the caller's own helpers are not in it).
descendants() {
        proc_ppid_map
        declare -gA T_KIDS=()
        local p q
        for p in "${!T_PPID[@]}"; do
                q=${T_PPID[$p]}
                T_KIDS[$q]+=" $p"
        done
        T_DESC=()
        local -a queue=("$@")
        declare -A seen=()
        while ((${#queue[@]})); do
                p=${queue[0]}
                queue=("${queue[@]:1}")
                [[ -n ${seen[$p]:-} ]] && continue
                seen[$p]=1
                [[ -n ${T_PPID[$p]:-} ]] && T_DESC+=("$p")
                for q in ${T_KIDS[$p]:-}; do
                        queue+=("$q")
                done
        done
}

proc_comm() {
        local c=
        { read -r c <"/proc/$1/comm"; } 2>/dev/null
        printf '%s' "$c"
}

proc_state() {
        local s=
        { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
        s=${s##*) }
        printf '%s' "${s%% *}"
}

# alive PID: the process exists and is not a zombie.
alive() {
        local st
        st=$(proc_state "$1") || return 1
        [[ $st != Z && $st != X ]]
}

# ns_ino PID TYPE: the inode number of one namespace link.
ns_ino() {
        local l
        l=$(readlink "/proc/$1/ns/$2" 2>/dev/null) || return 1
        l=${l##*[}
        printf '%s' "${l%]}"
}

# The tuple of PID as "u:m:p:n:u:i:c:t" inode numbers, display order.
ns_key() {
        ns_key_fast "$1" || return 1
        printf '%s' "$T_KEY"
}

# The same into T_KEY, with one readlink for the eight links.
ns_key_fast() {
        local out l
        T_KEY=
        out=$(readlink "/proc/$1/ns/user" "/proc/$1/ns/mnt" "/proc/$1/ns/pid" \
                "/proc/$1/ns/net" "/proc/$1/ns/uts" "/proc/$1/ns/ipc" \
                "/proc/$1/ns/cgroup" "/proc/$1/ns/time" 2>/dev/null) || return 1
        for l in $out; do
                l=${l##*[}
                T_KEY+=${T_KEY:+:}${l%]}
        done
        [[ $T_KEY =~ ^[0-9]+(:[0-9]+){7}$ ]]
}

# The host's tuple: ns takes PID 1's, or its own when it may not read PID
# 1; the test runs in the host's namespaces, so its own shell's is that.
host_key() {
        ns_key $$
}

# ----------------------------------------------------------- cleanup

# Make a cgroup v2 leaf for the fleet when we may: cgroup.kill then ends
# every process of the test at once, even one that escaped the tree.
cgroup_setup() {
        local mnt cur
        mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
        [[ -n $mnt ]] || return 0
        cur=$(sed -n 's/^0:://p' /proc/self/cgroup)
        [[ -n $cur ]] || return 0
        local cg="$mnt${cur%/}/ns-itest-$$"
        if mkdir "$cg" 2>/dev/null; then
                T_CG=$cg
        fi
        return 0
}

# Stop, then kill, every descendant of the test shell, every spawned pid
# and everything in the test's cgroup. Stopping first keeps a parent from
# forking a child that would escape once the parent is killed.
kill_everything() {
        local _ grown p
        declare -A victims=()
        for _ in 1 2 3 4 5 6 7 8 9 10; do
                grown=0
                descendants $$ "${T_SPAWNED[@]}"
                for p in "${T_DESC[@]}"; do
                        [[ $p == "$$" || $p == "$BASHPID" ]] && continue
                        [[ -n ${victims[$p]:-} ]] && continue
                        victims[$p]=1
                        grown=1
                done
                if [[ -n $T_CG && -r $T_CG/cgroup.procs ]]; then
                        while read -r p; do
                                [[ -n ${victims[$p]:-} ]] && continue
                                victims[$p]=1
                                grown=1
                        done <"$T_CG/cgroup.procs"
                fi
                ((${#victims[@]})) && kill -STOP "${!victims[@]}" 2>/dev/null
                ((grown)) || break
        done
        if [[ -n $T_CG && -e $T_CG/cgroup.kill ]]; then
                echo 1 >"$T_CG/cgroup.kill" 2>/dev/null
        fi
        ((${#victims[@]})) && kill -KILL "${!victims[@]}" 2>/dev/null
        # Reap our own children; the rest are reaped by their parents,
        # which were killed too, or by init.
        wait 2>/dev/null

        local deadline=$((${EPOCHREALTIME/./} + 10000000)) left
        while :; do
                left=()
                for p in "${!victims[@]}"; do
                        alive "$p" && left+=("$p")
                done
                if [[ -n $T_CG && -r $T_CG/cgroup.procs ]] && [[ -s $T_CG/cgroup.procs ]]; then
                        mapfile -t -O "${#left[@]}" left <"$T_CG/cgroup.procs"
                fi
                ((${#left[@]} == 0)) && break
                if ((${EPOCHREALTIME/./} > deadline)); then
                        T_LEFTOVER="${left[*]}"
                        return 1
                fi
                kill -KILL "${left[@]}" 2>/dev/null
                sleep 0.05
        done
        # An `ns run --memory/--pids/--cpus` killed here with SIGKILL had no
        # chance to remove the cgroup leaf it made (ns-run-PID, v1 or v2):
        # remove those of our own victims, so that the next test's "nothing
        # left behind" checks see only what it made.
        local leaf
        while read -r leaf; do
                [[ -n ${victims[${leaf##*/ns-run-}]:-} ]] && rmdir "$leaf" 2>/dev/null
        done < <(find /sys/fs/cgroup -maxdepth 6 -type d -name 'ns-run-*' 2>/dev/null)
        if [[ -n $T_CG ]]; then
                deadline=$((${EPOCHREALTIME/./} + 5000000))
                # children first: tests make sub-cgroups (a frozen one, a target)
                until find "$T_CG" -depth -type d -execdir rmdir {} + 2>/dev/null && [[ ! -e $T_CG ]]; do
                        ((${EPOCHREALTIME/./} > deadline)) && break
                        sleep 0.05
                done
                if [[ -e $T_CG ]]; then
                        T_LEFTOVER="cgroup $T_CG"
                        return 1
                fi
        fi
        return 0
}

# Run at exit: kill the fleet, run the registered cleanups, and check that
# nothing is left. Idempotent.
T_CLEANED=0
cleanup() {
        ((T_CLEANED)) && return 0
        T_CLEANED=1
        # bash reports each killed background job on stderr: noise here
        exec 2>/dev/null
        local c rc=0
        T_LEFTOVER=""
        kill_everything || rc=1
        for c in "${T_CLEANUPS[@]}"; do
                eval "$c" >/dev/null 2>&1
        done
        rm -rf "$T_TMP"
        return $rc
}

on_cleanup() {
        T_CLEANUPS+=("$*")
}

# Print the plan and exit: non-zero when any check failed.
done_testing() {
        if cleanup; then
                ok "every process the test started is gone"
        else
                not_ok "every process the test started is gone"
                diag "left behind: $T_LEFTOVER"
        fi
        T_DONE=1
        printf '1..%d\n' "$T_N"
        ((T_FAIL == 0)) && exit 0
        diag "$T_FAIL of $T_N checks failed"
        exit 1
}

# The exit trap for a test that ends early (fatal, a signal, a bug).
t_on_exit() {
        local rc=$?
        ((T_DONE)) && return
        if ! cleanup; then
                not_ok "every process the test started is gone"
                diag "left behind: $T_LEFTOVER"
        fi
        not_ok "test script ended early (status $rc)"
        printf '1..%d\n' "$T_N"
        exit 1
}
trap t_on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

cgroup_setup

# spawn CMD... : start CMD in the background (stdin /dev/null, output to a
# log), in the test's cgroup. Sets SPAWNED_PID and SPAWNED_LOG.
spawn() {
        T_NSPAWN=$((T_NSPAWN + 1))
        SPAWNED_LOG=$T_TMP/spawn.$T_NSPAWN.log
        (
                if [[ -n $T_CG ]]; then
                        echo "$BASHPID" >"$T_CG/cgroup.procs" 2>/dev/null
                fi
                trap - EXIT HUP INT TERM
                exec "$@"
        ) </dev/null >"$SPAWNED_LOG" 2>&1 &
        SPAWNED_PID=$!
        T_SPAWNED+=("$SPAWNED_PID")
}

# ----------------------------------------------------------- polling

now_us() {
        printf '%s' "${EPOCHREALTIME/./}"
}

# wait_for SECONDS DESC CMD... : poll CMD until it succeeds; on timeout
# print a diagnostic and return 1.
wait_for() {
        local secs=$1 desc=$2
        shift 2
        local deadline=$(($(now_us) + secs * 1000000))
        while :; do
                "$@" && return 0
                if (($(now_us) > deadline)); then
                        diag "timed out after ${secs}s waiting for $desc"
                        return 1
                fi
                sleep 0.02
        done
}

# True when exactly N processes at or below ROOT have comm COMM; their
# pids, in pid order, are left in T_FOUND.
tree_has_comm() {
        local root=$1 comm=$2 n=$3 p
        descendants "$root"
        T_FOUND=()
        for p in "${T_DESC[@]}"; do
                [[ $(proc_comm "$p") == "$comm" ]] && T_FOUND+=("$p")
        done
        mapfile -t T_FOUND < <(printf '%s\n' "${T_FOUND[@]}" | sort -n | sed '/^$/d')
        ((${#T_FOUND[@]} == n))
}

# wait_tree ROOT COMM N [SECONDS]: until exactly N processes at or below
# ROOT run COMM (they have exec'd: their namespaces are final).
wait_tree() {
        wait_for "${4:-20}" "$3 '$2' process(es) below pid $1" tree_has_comm "$1" "$2" "$3"
}

comm_is() {
        [[ $(proc_comm "$1") == "$2" ]]
}

# wait_exec PID COMM: until PID has exec'd COMM.
wait_exec() {
        wait_for "${3:-20}" "pid $1 to run '$2'" comm_is "$1" "$2"
}

ns_differs() {
        local a
        a=$(ns_ino "$1" "$2") || return 1
        [[ $a != "$(ns_ino $$ "$2")" ]]
}

# wait_ns PID TYPE: until PID's namespace of TYPE is not the host's.
wait_ns() {
        wait_for "${3:-20}" "pid $1 to leave the host's $2 namespace" ns_differs "$1" "$2"
}

# ------------------------------------------------------------ oracle

# fleet_oracle OUT: the instances of the test's own processes, from
# /proc alone. One line per non-host instance, fields separated by $US:
#   key  nprocs  leader  ns-letters  private  shared  members(comma)
# "shared" counts every instance holding the inode among the test's
# processes; the namespaces a test makes are held by nothing else.
fleet_oracle() {
        local out=$1 p host
        host=$(host_key)
        descendants $$
        : >"$out.raw"
        for p in "${T_DESC[@]}"; do
                [[ $p == "$$" ]] && continue
                ns_key_fast "$p" || continue # gone, or a zombie
                alive "$p" || continue
                printf '%s %s %s\n' "$p" "${T_PPID[$p]}" "$T_KEY" >>"$out.raw"
        done
        sort -n "$out.raw" | awk -v host="$host" '
        BEGIN {
                split("U m p n u i C T", L, " ")
                split("user mnt pid net uts ipc cgroup time", N, " ")
                split(host, H, ":")
        }
        {
                pid[++np] = $1; par[$1] = $2; tup[$1] = $3
        }
        END {
                for (j = 1; j <= np; j++) {
                        p = pid[j]; k = tup[p]
                        if (!(k in cnt)) keys[++nk] = k
                        cnt[k]++
                        mem[k] = mem[k] (mem[k] == "" ? "" : ",") p
                        if (!(k in leader)) {
                                pp = par[p]
                                if (!(pp in tup) || tup[pp] != k) leader[k] = p
                        }
                }
                for (i = 1; i <= nk; i++) {
                        split(keys[i], I, ":")
                        for (t = 1; t <= 8; t++) held[t, I[t]]++
                }
                for (i = 1; i <= nk; i++) {
                        k = keys[i]
                        if (k == host) continue
                        if (!(k in leader)) { split(mem[k], M, ","); leader[k] = M[1] }
                        split(k, I, ":")
                        s = ""; priv = ""; shr = ""
                        for (t = 1; t <= 8; t++) {
                                if (I[t] == H[t]) s = s "-"
                                else if (held[t, I[t]] > 1) { s = s "*"; shr = shr (shr == "" ? "" : ",") N[t] }
                                else { s = s L[t]; priv = priv (priv == "" ? "" : ",") N[t] }
                        }
                        printf "%s\037%d\037%d\037%s\037%s\037%s\037%s\n", k, cnt[k], leader[k], s, priv, shr, mem[k]
                }
        }' >"$out"
}

# ns_ls_tsv JSON OUT: flatten `ns ls -J --output-all` (tree or not) to lines
# of fields separated by $US (0x1f: tabs would merge empty fields):
#   key id pid nprocs ns private shared parent runtime name
ns_ls_tsv() {
        jq -r '.instances[] | recurse(.children[]?) |
                [([.userns, .mntns, .pidns, .netns, .utsns, .ipcns, .cgroupns, .timens]
                  | map(tostring) | join(":")),
                 .id, .pid, .nprocs, .ns, (.private // ""), (.shared // ""),
                 (.parent // ""), .runtime, (.name // "")] | map(tostring) | join("\u001f")' \
                "$1" >"$2"
}

# run NAME CMD... : run CMD, stdout to $T_TMP/NAME.out, stderr to
# $T_TMP/NAME.err; the status is in RC.
run() {
        local name=$1
        shift
        "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
        RC=$?
        OUT=$T_TMP/$name.out
        ERR=$T_TMP/$name.err
}

# ns_snapshot NAME [ns ls args]: `ns ls -a -J --output-all ARGS` into
# $T_TMP/NAME.out and its TSV into $T_TMP/NAME.tsv. Returns ns' status,
# or 99 when its output is not valid JSON.
ns_snapshot() {
        local name=$1
        shift
        run "$name" "$NS" ls -a -J --output-all "$@"
        ((RC == 0)) || return $RC
        jq -e . "$OUT" >/dev/null 2>&1 || return 99
        ns_ls_tsv "$OUT" "$T_TMP/$name.tsv"
}

# snapshot_fleet NAME: an oracle and an ns snapshot taken while the fleet
# is still, retried until the oracle reads the same before and after ns.
# Leaves $T_TMP/NAME.oracle and $T_TMP/NAME.tsv.
snapshot_fleet() {
        local name=$1 _
        for _ in 1 2 3 4 5; do
                fleet_oracle "$T_TMP/$name.oracle"
                ns_snapshot "$name" || {
                        not_ok "ns ls -a -J --output-all succeeds (status $RC)"
                        diag_file "$T_TMP/$name.err"
                        return 1
                }
                fleet_oracle "$T_TMP/$name.oracle2"
                cmp -s "$T_TMP/$name.oracle" "$T_TMP/$name.oracle2" && return 0
        done
        not_ok "the test's processes keep changing; cannot compare"
        return 1
}

# tsv_field FILE KEY COL: the COLth field of the line whose first is KEY.
tsv_field() {
        awk -F"$US" -v k="$2" -v c="$3" '$1 == k { print $c; exit }' "$1"
}

# compare_oracle NAME LABEL...: every non-host instance of the test's
# processes, as ns reports it, against the oracle: NPROCS, leader PID, NS
# letters, PRIVATE and SHARED. One check per instance.
compare_oracle() {
        local name=$1 key nprocs leader letters priv shr mem line desc
        local o=$T_TMP/$name.oracle t=$T_TMP/$name.tsv
        while IFS=$US read -r key nprocs leader letters priv shr mem; do
                line=$(awk -F"$US" -v k="$key" '$1 == k' "$t")
                desc="instance of pid $leader ($(proc_comm "$leader"), $letters) agrees with /proc"
                if [[ -z $line ]]; then
                        not_ok "$desc"
                        diag "ns ls does not list the tuple $key (members $mem)"
                        continue
                fi
                local id gpid gnprocs gns gpriv gshr bad=()
                IFS=$US read -r _ id gpid gnprocs gns gpriv gshr _ <<<"$line"
                [[ $gnprocs == "$nprocs" ]] || bad+=("NPROCS $gnprocs, expected $nprocs (members $mem)")
                [[ $gpid == "$leader" ]] || bad+=("PID $gpid, expected leader $leader")
                [[ $gns == "$letters" ]] || bad+=("NS '$gns', expected '$letters'")
                [[ $gpriv == "$priv" ]] || bad+=("PRIVATE '$gpriv', expected '$priv'")
                [[ $gshr == "$shr" ]] || bad+=("SHARED '$gshr', expected '$shr'")
                if ((${#bad[@]} == 0)); then
                        ok "$desc"
                else
                        not_ok "$desc"
                        diag "instance $id:" "${bad[@]}"
                fi
        done <"$o"
}

# expect NAME LABEL PID LETTERS NPROCS LEADER: the instance holding PID,
# as ns reported it in snapshot NAME, has these NS letters, NPROCS and
# leader: expectations written down by hand, next to the oracle's.
expect() {
        local name=$1 label=$2 pid=$3 letters=$4 nprocs=$5 leader=$6 key line bad=()
        key=$(ns_key "$pid") || {
                not_ok "$label: pid $pid is alive"
                return
        }
        line=$(awk -F"$US" -v k="$key" '$1 == k' "$T_TMP/$name.tsv")
        if [[ -z $line ]]; then
                not_ok "$label: listed"
                diag "no instance with the namespaces of pid $pid ($key)"
                return
        fi
        local id gpid gnprocs gns
        IFS=$US read -r _ id gpid gnprocs gns _ <<<"$line"
        [[ $gns == "$letters" ]] || bad+=("NS '$gns', expected '$letters'")
        [[ $gnprocs == "$nprocs" ]] || bad+=("NPROCS $gnprocs, expected $nprocs")
        [[ $gpid == "$leader" ]] || bad+=("PID $gpid, expected $leader")
        if ((${#bad[@]} == 0)); then
                ok "$label: NS $letters, NPROCS $nprocs, leader $leader"
        else
                not_ok "$label: NS $letters, NPROCS $nprocs, leader $leader"
                diag "instance $id:" "${bad[@]}"
        fi
}

# id_of NAME PID: the ID ns gave the instance of PID in snapshot NAME.
id_of() {
        local key
        key=$(ns_key "$2") || return 1
        tsv_field "$T_TMP/$1.tsv" "$key" 2
}
