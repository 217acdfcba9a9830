# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# A work directory below /var/tmp, for the tests whose files an ns run
# instance must see (its /tmp is a tmpfs of its own; /var/tmp is on the
# root file system, read-only inside) and an unprivileged user must reach
# (a build below /root is not). Sourced by lib.sh, and before it by the
# tests that run themselves again with their work directory made.

# copy_ns DIR: NS into DIR as DIR/ns, 0755, with ns-tables when it is next
# to NS (a static ns runs ns ls and ns ps there, src/meson.build).
copy_ns() {
        local tables=${NS:?}
        tables=${tables%/*}/ns-tables
        cp "$NS" "$1/ns" && chmod 755 "$1/ns" || return 1
        [[ ! -e $tables ]] || { cp "$tables" "$1/ns-tables" && chmod 755 "$1/ns-tables"; }
}

# var_tmp_ns NAME: a new directory /var/tmp/NAME.XXXXXX, 0755, into VAR_TMP,
# with a 0755 copy of $NS in it (copy_ns), at which NS then points. Prints nothing;
# returns 1, leaving nothing behind, when it cannot.
var_tmp_ns() {
        VAR_TMP=$(mktemp -d "/var/tmp/$1.XXXXXX") || return 1
        if ! chmod 755 "$VAR_TMP" || ! copy_ns "$VAR_TMP"; then
                rm -rf "$VAR_TMP"
                return 1
        fi
        NS=$VAR_TMP/ns
}

# var_tmp_reexec VAR NAME SCRIPT [ARG...]: when VAR is not set, make the
# var_tmp_ns directory, export it as VAR (with NS and an absolute
# NS_SOURCE_ROOT), run the script again as
# "${VAR_TMP_RUNNER[@]}" bash SCRIPT ARG... and exit with its status once
# the directory is removed. When VAR is set (the second run), returns.
var_tmp_reexec() {
        local var=$1 name=$2 self
        [[ -z ${!var:-} ]] || return 0
        self=$(realpath "$3")
        shift 3
        export NS_SOURCE_ROOT
        NS_SOURCE_ROOT=$(realpath "${NS_SOURCE_ROOT:-${self%/*}/../..}")
        var_tmp_ns "$name" || {
                printf '1..1\nnot ok 1 - cannot copy ns to /var/tmp\n'
                exit 1
        }
        export "$var=$VAR_TMP" NS
        # (not exec: the work directory goes however the test ends)
        # shellcheck disable=SC2064 # the directory is known now
        trap "rm -rf '$VAR_TMP'" EXIT
        trap 'exit 143' TERM
        trap 'exit 130' INT
        "${VAR_TMP_RUNNER[@]}" bash "$self" "$@"
        exit
}
