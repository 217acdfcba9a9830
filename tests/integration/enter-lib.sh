# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Helpers of the ns enter tests (test-enter*.sh), on top of lib.sh: find
# the leader and ID ns gives an instance, start a command through ns enter
# and find it on the host, and compare what the entered process has with
# what the leader has, as the host sees both.

# leader_of NAME PID: the instance of PID as `ns ls` reports it, into
# LEADER and ID (snapshot NAME).
leader_of() {
        local key
        ns_snapshot "$1" || return 1
        key=$(ns_key "$2") || return 1
        ID=$(tsv_field "$T_TMP/$1.tsv" "$key" 2)
        LEADER=$(tsv_field "$T_TMP/$1.tsv" "$key" 3)
        [[ -n $ID && -n $LEADER ]]
}

# entered DESC COMM ARGS...: spawn ARGS (an `ns enter` or `nsenter` command
# line that ends in running COMM) and wait until a process below it runs
# COMM; its host pid goes to E.
entered() {
        local desc=$1 comm=$2
        shift 2
        spawn "$@"
        ENTER_PID=$SPAWNED_PID
        if ! wait_tree "$ENTER_PID" "$comm" 1 20; then
                diag "$desc: nothing below pid $ENTER_PID runs $comm"
                diag_file "$SPAWNED_LOG"
                return 1
        fi
        E=${T_FOUND[0]}
}

status_field() {
        sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' ' | sed 's/ $//'
}

# same_as_leader LABEL E L [SKIP...]: one check each that E has L's 8
# namespaces, cgroups, ids, groups, CapEff, CapBnd, NoNewPrivs,
# environment, root and working directory, read from the host. SKIP names
# what is expected to differ (env, cwd).
same_as_leader() {
        local label=$1 e=$2 l=$3 t f got want
        shift 3
        local skip=" $* "
        local bad=()
        for t in "${NS_TYPES[@]}"; do
                got=$(readlink "/proc/$e/ns/$t") want=$(readlink "/proc/$l/ns/$t")
                [[ $got == "$want" ]] || bad+=("$t namespace: $got, the leader's $want")
        done
        if ((${#bad[@]} == 0)); then ok "$label: the 8 namespaces are the leader's"; else
                not_ok "$label: the 8 namespaces are the leader's"
                diag "${bad[@]}"
        fi
        is "$(cat "/proc/$e/cgroup")" "$(cat "/proc/$l/cgroup")" "$label: the cgroups are the leader's"
        for f in Uid Gid Groups CapEff CapBnd NoNewPrivs; do
                is "$(status_field "$e" $f)" "$(status_field "$l" $f)" "$label: $f is the leader's"
        done
        if [[ $skip != *" env "* ]]; then
                if cmp -s "/proc/$e/environ" "/proc/$l/environ"; then
                        ok "$label: the environment is the leader's"
                else
                        not_ok "$label: the environment is the leader's"
                        diag "entered:" "$(tr '\0' '\n' <"/proc/$e/environ" | sort | head -40)"
                        diag "leader:" "$(tr '\0' '\n' <"/proc/$l/environ" | sort | head -40)"
                fi
        fi
        is "$(readlink "/proc/$e/root")" "$(readlink "/proc/$l/root")" "$label: the root is the leader's"
        if [[ $skip != *" cwd "* ]]; then
                is "$(readlink "/proc/$e/cwd")" "$(readlink "/proc/$l/cwd")" \
                        "$label: the working directory is the leader's"
        fi
}

# same_namespaces A B [SKIP]: the namespaces of two processes are the
# same (but the type SKIP).
same_namespaces() {
        local a=$1 b=$2 skip=${3:-} t
        for t in "${NS_TYPES[@]}"; do
                [[ $t == "$skip" ]] && continue
                [[ $(readlink "/proc/$a/ns/$t") == "$(readlink "/proc/$b/ns/$t")" ]] || return 1
        done
}

# stop_entered: end the spawned ns enter (its command dies with it).
stop_entered() {
        kill -TERM "$ENTER_PID" 2>/dev/null
        wait "$ENTER_PID" 2>/dev/null
        return 0
}

# in_test_cg CMD...: run CMD in the test's cgroup, where spawn puts the
# instances: an unprivileged ns has no cgroup of root's to join then.
in_test_cg() {
        if [[ -n $T_CG ]]; then
                sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$T_CG" "$@"
        else
                "$@"
        fi
}

# nsenter_flags PID: nsenter's options for the namespaces of PID that are
# not ours (nsenter -a of util-linux 2.38 joins the others too, which an
# unprivileged user may not do for the host's own).
nsenter_flags() {
        local t flags=() letter
        for t in user mnt pid net uts ipc cgroup time; do
                case $t in
                user) letter=-U ;; mnt) letter=-m ;; pid) letter=-p ;; net) letter=-n ;;
                uts) letter=-u ;; ipc) letter=-i ;; cgroup) letter=-C ;; time) letter=-T ;;
                esac
                [[ $(readlink "/proc/$1/ns/$t") != "$(readlink /proc/self/ns/$t)" ]] && flags+=("$letter")
        done
        printf '%s\n' "${flags[@]}"
}
