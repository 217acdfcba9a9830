#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The command line of `ns`, `ns ls` and `ns ps`: help and version on
# stdout with exit 0; usage errors as one line plus "Try 'ns ... --help'."
# on stderr with exit 1; -o / -H / -r / -n / -J / --output-all /
# --runtime behave; JSON output is valid and typed.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_tools jq unshare

# One instance of our own, so the listings are not empty.
spawn unshare -Urpf --mount-proc sleep 1501
p=$SPAWNED_PID
wait_tree "$p" sleep 1 || fatal "unshare -Urpf sleep did not start"
child=${T_FOUND[0]}

# succeeds LABEL CMD...: exit 0, something on stdout, nothing on stderr but
# the count of processes it may not read (PID 1 of some VMs, even for root)
succeeds() {
        local label=$1
        shift
        run s "$@"
        if ((RC == 0)) && [[ -s $OUT ]] && ! grep -Evq '^ns: [0-9]+ process(es)? not shown: ' "$ERR"; then
                ok "$label: exit 0, output on stdout only"
        else
                not_ok "$label: exit 0, output on stdout only"
                diag "status $RC, stdout $(wc -c <"$OUT") bytes, stderr:"
                diag_file "$ERR"
        fi
}

# usage_fails LABEL TRY CMD...: exit 1, nothing on stdout, stderr is one
# error line and then TRY. Error lines that do not come from "ns" (getopt
# prints argv[0], which is the command's name) are collected in
# T_FOREIGN and checked once at the end.
T_FOREIGN=()
usage_fails() {
        local label=$1 try=$2
        shift 2
        run u "$@"
        local first last n
        n=$(wc -l <"$ERR")
        first=$(head -n1 "$ERR")
        last=$(tail -n1 "$ERR")
        if ((RC == 1)) && [[ ! -s $OUT && $n == 2 && $last == "$try" ]]; then
                ok "$label: exit 1, one error line and \"$try\""
        else
                not_ok "$label: exit 1, one error line and \"$try\""
                diag "status $RC, stdout $(wc -c <"$OUT") bytes, stderr:"
                diag_file "$ERR"
        fi
        [[ $first == "ns: "* || $first == "ns "* ]] || T_FOREIGN+=("${*/#$NS/ns}: $first")
}

# ---- help and version
succeeds "ns --help" "$NS" --help
grep -q '^Usage:' "$OUT" && grep -q ' ls ' "$OUT" && grep -q ' ps ' "$OUT"
check "  ... shows the usage and the commands ls and ps" test $? = 0
succeeds "ns -h" "$NS" -h
succeeds "ns --version" "$NS" --version
version=$(sed -n "s/^[[:space:]]*version: '\([^']*\)'.*/\1/p" "${NS_SOURCE_ROOT:-$(dirname "$0")/../..}/meson.build" | head -n1)
is "$(cat "$OUT")" "ns $version" "ns --version prints 'ns <the meson project version>'"
succeeds "ns -V" "$NS" -V
# Every command starts without relocating the libraries only some use:
# they are loaded with dlopen() (see meson.build). A static ns (meson
# option static) runs ls and ps in ns-tables, its dynamic twin.
tables=$(dirname "$NS")/ns-tables
if [[ $(ldd "$NS" 2>&1) == *"statically linked"* ]]; then
        check "a static ns has ns-tables next to it" test -x "$tables"
        is "$(ldd "$tables" | grep -Eo 'lib(smartcols|cap|proc2)\.so[^ ]*' | tr '\n' ' ')" "" \
                "ns-tables links none of libsmartcols, libcap, libproc2"
        mkdir -p "$T_TMP/alone"
        cp "$NS" "$T_TMP/alone/ns"
        run a "$T_TMP/alone/ns" run true
        is "$RC" 0 "a static ns alone runs ns run true"
        run a "$T_TMP/alone/ns" ls
        # unless this machine has one installed
        if ((RC != 0)); then
                check "a static ns alone: ns ls says that ns-tables is missing" \
                        grep -qx "ns: cannot run 'ns ls': ns-tables is not installed (looked next to ns and in '.*')" "$ERR"
        fi
else
        is "$(ldd "$NS" | grep -Eo 'lib(smartcols|cap|proc2)\.so[^ ]*' | tr '\n' ' ')" "" \
                "ns links none of libsmartcols, libcap, libproc2"
fi
succeeds "ns help" "$NS" help

succeeds "ns ls --help" "$NS" ls --help
cp "$OUT" "$T_TMP/ls-help"
check "  ... starts with 'Usage:' and names ns ls" grep -q '^ ns ls' "$T_TMP/ls-help"
for opt in --all --json --raw --noheadings --output --output-all --tree --runtime --list-columns --help; do
        grep -q -- "$opt" "$T_TMP/ls-help" || { missing_opt=$opt; break; }
done
check "  ... documents every option${missing_opt:+ (missing $missing_opt)}" test -z "${missing_opt:-}"
succeeds "ns ls -h" "$NS" ls -h
succeeds "ns help ls" "$NS" help ls
check "  ... is the same text as ns ls --help" cmp -s "$OUT" "$T_TMP/ls-help"
succeeds "ns ps --help" "$NS" ps --help
cp "$OUT" "$T_TMP/ps-help"
succeeds "ns help ps" "$NS" help ps
check "  ... is the same text as ns ps --help" cmp -s "$OUT" "$T_TMP/ps-help"

# ---- usage errors
usage_fails "ns bogus" "Try 'ns --help'." "$NS" bogus
usage_fails "ns --bogus" "Try 'ns --help'." "$NS" --bogus
usage_fails "ns help bogus" "Try 'ns --help'." "$NS" help bogus
usage_fails "ns ls --bogus" "Try 'ns ls --help'." "$NS" ls --bogus
usage_fails "ns ls -Z" "Try 'ns ls --help'." "$NS" ls -Z
usage_fails "ns ls extra" "Try 'ns ls --help'." "$NS" ls extra
usage_fails "ns ls -o (no argument)" "Try 'ns ls --help'." "$NS" ls -o
usage_fails "ns ls --runtime bogus" "Try 'ns ls --help'." "$NS" ls --runtime bogus
usage_fails "ns ps (no id)" "Try 'ns ps --help'." "$NS" ps
usage_fails "ns ps --bogus x" "Try 'ns ps --help'." "$NS" ps --bogus x
usage_fails "ns ps a b" "Try 'ns ps --help'." "$NS" ps a b

if ((${#T_FOREIGN[@]} == 0)); then
        ok "every usage error line starts with 'ns'"
else
        not_ok "every usage error line starts with 'ns'"
        diag "${T_FOREIGN[@]}"
fi

run noargs "$NS"
is "$RC" 1 "ns without a command exits 1"
check "  ... with the usage on stderr, nothing on stdout" test -s "$ERR" -a ! -s "$OUT"

run bogus "$NS" ls -o BOGUS
is "$RC" 1 "ns ls -o BOGUS exits 1"
check "  ... naming the column" grep -q "BOGUS" "$ERR"
check "  ... and printing nothing on stdout" test ! -s "$OUT"
run bogus "$NS" ls -o ID,BOGUS,PID
is "$RC" 1 "ns ls -o ID,BOGUS,PID exits 1"
run bogus "$NS" ps -o BOGUS "$child"
is "$RC" 1 "ns ps -o BOGUS exits 1"

# ---- -H
ALL_COLS=(ID NAME RUNTIME PID NPROCS USER NS COMMAND RUNTIME_ID IMAGE PPID UID PARENT PRIVATE SHARED
        USERNS MNTNS PIDNS NETNS UTSNS IPCNS CGROUPNS TIMENS HEALTH K8SNS)
succeeds "ns ls -H" "$NS" ls -H
missing=()
for c in "${ALL_COLS[@]}"; do
        awk '{ print $1 }' "$OUT" | grep -qx "$c" || missing+=("$c")
done
is "${missing[*]}" "" "ns ls -H lists all ${#ALL_COLS[@]} columns"
is "$(wc -l <"$OUT")" "${#ALL_COLS[@]}" "  ... one a line"
run hj "$NS" ls -H -J
check "ns ls -H -J is valid JSON with the columns" \
        jq -e --argjson n ${#ALL_COLS[@]} '.columns | length == $n' "$OUT"
PS_COLS=(PID NSPID USER STATE CPU RSS COMMAND PPID UID THREADS COMM TIME)
succeeds "ns ps -H" "$NS" ps -H
missing=()
for c in "${PS_COLS[@]}"; do
        awk '{ print $1 }' "$OUT" | grep -qx "$c" || missing+=("$c")
done
is "${missing[*]}" "" "ns ps -H lists all ${#PS_COLS[@]} columns"
run pj "$NS" ps -H -J
check "ns ps -H -J is valid JSON with the columns" \
        jq -e --argjson n ${#PS_COLS[@]} '.columns | length == $n and all(.[]; .name and .description)' "$OUT"

# ---- default table, -r, -n, -o
succeeds "ns ls" "$NS" ls
is "$(head -n1 "$OUT" | tr -s ' ' | sed 's/ $//')" "ID NAME RUNTIME PID NPROCS USER NS COMMAND" \
        "ns ls has the default columns"
id=$(awk -F"$US" -v k="$(ns_key "$child")" '$1 == k { print $2 }' <(ns_snapshot snap >/dev/null; cat "$T_TMP/snap.tsv"))
[[ -n $id ]] || fatal "ns ls -J does not list the test's instance"
check "  ... and lists the test's instance" grep -q "^$id " "$OUT"

succeeds "ns ls -r -o ID,PID,NS" "$NS" ls -r -o ID,PID,NS
is "$(head -n1 "$OUT")" "ID PID NS" "  ... the heading is single-spaced"
is "$(grep "^$id " "$OUT")" "$id $child **p-----" "  ... a row is single-spaced: ID PID NS"
odd=$(awk 'NR > 1 && NF != 3' "$OUT")
is "$odd" "" "  ... every row has three fields"

succeeds "ns ls -a -n -o ID" "$NS" ls -a -n -o ID
odd=$(grep -Ev '^[0-9a-f]{12}$' "$OUT")
is "$odd" "" "  ... no heading: every line is an ID"

succeeds "ns ls -a -r -n -o PID,NPROCS" "$NS" ls -a -r -n -o PID,NPROCS
odd=$(grep -Ev '^[0-9]+ [0-9]+$' "$OUT")
is "$odd" "" "  ... every line is two numbers"

succeeds "ns ls -o id,pid (any case)" "$NS" ls -r -n -o id,pid
check "  ... lists the instance" grep -qx "$id $child" "$OUT"

# ---- JSON
succeeds "ns ls -J" "$NS" ls -J
check "  ... is valid JSON" jq -e . "$OUT"
is "$(jq -c '[.instances[0] | keys_unsorted[]]' "$OUT")" \
        '["id","name","runtime","pid","nprocs","user","ns","command"]' "  ... with the default keys in order"
check "  ... typed: id 12 hex, pid and nprocs numbers, ns 8 letters" jq -e 'all(.instances[];
        (.id | test("^[0-9a-f]{12}$")) and (.pid | type) == "number" and (.nprocs | type) == "number"
        and (.ns | test("^[-UmpnuiCT*?]{8}$")) and (.name | type) == "string"
        and (.runtime | type) == "string" and (.command | type) == "string")' "$OUT"
check "  ... no host instance without -a" jq -e 'all(.instances[]; .ns != "--------" and .runtime != "host")' "$OUT"

succeeds "ns ls -a -J" "$NS" ls -a -J
check "  ... lists one host instance, runtime host, NS --------" \
        jq -e '[.instances[] | select(.runtime == "host")] | length == 1 and .[0].ns == "--------"' "$OUT"

succeeds "ns ls -J -o +PPID" "$NS" ls -J -o +PPID
is "$(jq -c '[.instances[0] | keys_unsorted[]]' "$OUT")" \
        '["id","name","runtime","pid","nprocs","user","ns","command","ppid"]' "  ... extends the default columns"
is "$(jq -r --arg id "$id" '.instances[] | select(.id == $id) | .ppid' "$OUT")" "$p" \
        "  ... PPID of the instance is its leader's parent"

succeeds "ns ls -a -J --output-all" "$NS" ls -a -J --output-all
is "$(jq -c '[.instances[0] | keys_unsorted[]]' "$OUT")" \
        '["id","name","runtime","pid","nprocs","user","ns","command","runtime_id","image","ppid","uid","parent","private","shared","userns","mntns","pidns","netns","utsns","ipcns","cgroupns","timens","health","k8sns"]' \
        "  ... has every column, lowercase keys"
check "  ... inode columns are numbers" jq -e 'all(.instances[]; all(.userns, .mntns, .pidns, .netns,
        .utsns, .ipcns, .cgroupns, .timens; type == "number"))' "$OUT"
row=$(jq -c --arg id "$id" '.instances[] | select(.id == $id)' "$OUT")
is "$(jq -r '"\(.pid) \(.nprocs) \(.uid) \(.private) \(.shared) \(.pidns)"' <<<"$row")" \
        "$child 1 0 pid user,mnt $(ns_ino "$child" pid)" "  ... the test's instance: PID NPROCS UID PRIVATE SHARED PIDNS"

succeeds "ns ls -T -J" "$NS" ls -T -J
check "  ... is valid JSON" jq -e . "$OUT"
succeeds "ns ls -T" "$NS" ls -T

succeeds "ns ps -J <id>" "$NS" ps -J "$id"
is "$(jq -c '[.processes[0] | keys_unsorted[]]' "$OUT")" \
        '["pid","nspid","user","state","cpu","rss","command"]' "  ... with the default keys in order"
is "$(jq -r '.processes[] | "\(.pid) \(.nspid) \(.state)"' "$OUT")" "$child 1 S" "  ... the sleep, NSPID 1, sleeping"
succeeds "ns ps -J --output-all <id>" "$NS" ps -J --output-all "$id"
is "$(jq -c '[.processes[0] | keys_unsorted[]]' "$OUT")" \
        '["pid","nspid","user","state","cpu","rss","command","ppid","uid","threads","comm","time"]' \
        "  ... has every column"
succeeds "ns ps <id>" "$NS" ps "$id"
is "$(head -n1 "$OUT" | tr -s ' ' | sed 's/^ //; s/ $//')" "PID NSPID USER STATE CPU RSS COMMAND" \
        "  ... has the default columns"

# ---- --runtime
succeeds "ns ls -a -J --runtime host" "$NS" ls -a -J --runtime host
check "  ... lists only the host instance" jq -e '(.instances | length) == 1 and .instances[0].runtime == "host"' "$OUT"
run rt "$NS" ls -J --runtime host
is "$RC" 0 "ns ls --runtime host (no -a) succeeds"
check "  ... and lists nothing: the host is hidden" jq -e '(.instances | length) == 0' "$OUT"

# ---- --list-runtimes: the runtime table, which ns-ls(1) must describe whole
succeeds "ns ls --list-runtimes" "$NS" ls --list-runtimes
listed=$(awk 'NF { print $1 }' "$OUT" | LC_ALL=C sort)
# "	- *runc*, *crun*: runc or crun..." in the RUNTIME column's description
documented=$(sed -n '/^\*RUNTIME\*$/,/^\*PID\*$/p' "$NS_SOURCE_ROOT/man/ns-ls.1.scd" |
        grep -E '^[[:space:]]+- \*' | sed 's/:.*//' | grep -oE '\*[^*]+\*' | tr -d '*' | LC_ALL=C sort)
is "$(tr '\n' ' ' <<<"$listed")" "$(tr '\n' ' ' <<<"$documented")" \
        "  ... the runtimes ns-ls(1) documents, no more, no fewer"
bad=
for r in $listed; do
        "$NS" ls --runtime "$r" -n -o ID >/dev/null 2>&1 || bad+=" $r"
done
is "$bad" "" "  ... each one taken by --runtime"
run lr "$NS" ls --list-runtimes -J
check "ns ls --list-runtimes -J is valid JSON with every runtime" \
        jq -e --argjson n "$(wc -l <<<"$listed")" \
        '.runtimes | length == $n and all(.[]; .name and .description)' "$OUT"

done_testing
