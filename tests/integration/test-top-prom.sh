#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns top's metrics for Prometheus: `ns top -b --format=prometheus` passes
# `promtool check metrics` (Debian's prometheus package) and comes without
# a baseline wait; `--listen` serves /metrics on a port the test found
# free, where an instance made here shows a CPU counter that grows while
# it spins (polled, with a deadline), 404 elsewhere, a clear error for a
# taken port, IPv6 in brackets, a quiet end at SIGTERM; ns-top does not
# link libmicrohttpd (loaded for --listen only) and says so clearly when it
# cannot load it; `--output` replaces its file whole, which a reader checks
# while ns top rewrites it quickly.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
require_root
require_tools promtool curl unshare ss ldd ldconfig mount
NS_TOP=${NS%/*}/ns-top
[[ -x $NS_TOP ]] || fatal "no ns-top next to NS='$NS'"

# promtool_ok FILE: promtool accepts the exposition in FILE, lint included.
promtool_ok() {
        promtool check metrics <"$1" >"$T_TMP/promtool.out" 2>&1
}

# value_of FILE FAMILY ID: the value of FAMILY's sample for instance ID.
value_of() {
        awk -v fam="$2" -v id="$3" 'index($0, fam "{id=\"" id "\",") == 1 { print $NF; exit }' "$1"
}

# 1. one sample, at once, that promtool accepts
spawn unshare -Upf --mount-proc sh -c 'while :; do :; done'
wait_tree "$SPAWNED_PID" sh 1 || fatal "the spinning sh did not start"
spin=${T_FOUND[0]}
# a delay of 30 s that must not be waited for: counters need no baseline
start=$(now_us)
run once timeout 20 "$NS" top -b --format=prometheus -d 30 -n 1 -a
took=$((($(now_us) - start) / 1000))
FIRST=$OUT
if ((RC == 0)) && ((took < 15000)) && grep -q '^# TYPE ns_instance_cpu_seconds_total counter$' "$OUT"; then
        ok "-b --format=prometheus -n 1 writes its exposition at once (${took} ms, -d 30)"
else
        not_ok "-b --format=prometheus -n 1 writes its exposition at once (${took} ms, -d 30)"
        diag "status $RC"
        diag_file "$ERR"
fi
if promtool_ok "$OUT"; then
        ok "promtool check metrics accepts the exposition"
else
        not_ok "promtool check metrics accepts the exposition"
        diag_file "$T_TMP/promtool.out"
        diag_file "$OUT"
fi
# every family is announced, and the host and the spinning instance are both there
run types awk '/^# TYPE / { t[$3] = $4; next } /^#/ { next }
        { n = $0; sub(/\{.*/, "", n); if (!(n in t)) { print "no TYPE: " n; bad = 1 } }
        END { exit bad }' "$FIRST"
((RC == 0)) && ok "  ... every sample after the TYPE of its family" ||
        { not_ok "  ... every sample after the TYPE of its family"; diag_file "$OUT"; }
grep -q '^ns_instance_pids{id="[0-9a-f]*",name="[^"]*",runtime="host",' "$FIRST" &&
        ok "  ... with -a, the host too" || { not_ok "  ... with -a, the host too"; diag_file "$FIRST"; }

# the spinning instance's id, from an exposition limited to it (-p PID)
run one "$NS" top -b --format=prometheus -n 1 -p "$spin"
id=$(sed -n 's/^ns_instance_pids{id="\([0-9a-f]*\)",.*/\1/p' "$OUT")
if ((RC == 0)) && [[ $id =~ ^[0-9a-f]{12}$ ]] && [[ $(grep -c '^ns_instance_pids{' "$OUT") == 1 ]] &&
        grep -q "^ns_instance_pids{id=\"$id\",name=\"[^\"]*\",runtime=\"unshare\",runtime_id=\"\",pod=\"\",namespace=\"\"} 1$" "$OUT"; then
        ok "-p PID: one instance, labelled id, name, runtime, runtime_id, pod, namespace"
else
        not_ok "-p PID: one instance, labelled id, name, runtime, runtime_id, pod, namespace"
        diag_file "$OUT"
        diag_file "$ERR"
        fatal "cannot tell the spinning instance's id"
fi

# 2. --listen on a free port of 127.0.0.1
port_free() {
        [[ -z $(ss -Htln "sport = :$1") ]]
}
# serve ADDR-FORMAT: start ns-top --listen on a free port (ADDR-FORMAT has
# %d for it), retried on another port if one was taken in between; sets
# PORT and SERVER.
serve() {
        local try
        for try in 1 2 3 4 5; do
                PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
                port_free "$PORT" || continue
                # shellcheck disable=SC2059 # the format is ours
                spawn "$NS" top --listen "$(printf "$1" "$PORT")" -d 0.2
                SERVER=$SPAWNED_PID
                SERVER_LOG=$SPAWNED_LOG
                wait_for 20 "ns top to listen on $PORT, or to end" listening_or_ended || return 1
                alive "$SERVER" && return 0
                # taken in between by another process: try another one
                grep -q "address already in use" "$SERVER_LOG" || return 1
        done
        return 1
}
listening_or_ended() {
        ! alive "$SERVER" || ! port_free "$PORT"
}
serve 127.0.0.1:%d || { diag_file "$SERVER_LOG"; fatal "ns top --listen did not start"; }
URL=http://127.0.0.1:$PORT

scrape() {
        curl -sf --max-time 10 -D "$T_TMP/headers" -o "$T_TMP/scrape" "$URL/metrics"
}
if scrape && promtool_ok "$T_TMP/scrape"; then
        ok "GET /metrics: an exposition promtool accepts"
else
        not_ok "GET /metrics: an exposition promtool accepts"
        diag_file "$T_TMP/promtool.out"
        diag_file "$SERVER_LOG"
fi
grep -qi '^content-type: text/plain; version=0.0.4' "$T_TMP/headers" &&
        ok "  ... as text/plain; version=0.0.4" ||
        { not_ok "  ... as text/plain; version=0.0.4"; diag_file "$T_TMP/headers"; }

cpu0=$(value_of "$T_TMP/scrape" ns_instance_cpu_seconds_total "$id")
grows() {
        scrape || return 1
        cpu1=$(value_of "$T_TMP/scrape" ns_instance_cpu_seconds_total "$id")
        [[ -n $cpu1 ]] && awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { exit !(b > a + 0.2) }'
}
if [[ $cpu0 =~ ^[0-9]+\.[0-9]{6}$ ]] && wait_for 20 "the CPU counter of $id to grow" grows; then
        ok "the spinning instance's CPU counter grows between scrapes ($cpu0 s, then $cpu1 s)"
else
        not_ok "the spinning instance's CPU counter grows between scrapes"
        diag "first: '$cpu0', last: '${cpu1:-}'"
        diag_file "$T_TMP/scrape"
fi
kill -KILL "$spin"
gone() {
        scrape && ! grep -q "{id=\"$id\"," "$T_TMP/scrape"
}
wait_for 20 "$id to leave the scrape" gone && ok "  ... and its series end once it exited" ||
        { not_ok "  ... and its series end once it exited"; diag_file "$T_TMP/scrape"; }

code=$(curl -s --max-time 10 -o "$T_TMP/404" -w '%{http_code}' "$URL/")
is "$code" 404 "GET / is 404"
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$URL/metrics/x")
is "$code" 404 "GET /metrics/x is 404"
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")
is "$code" 405 "POST /metrics is 405"

run taken "$NS" top --listen "127.0.0.1:$PORT"
if ((RC == 1)) && grep -qx "ns top: cannot listen on '127.0.0.1:$PORT': address already in use (choose another port)" "$ERR"; then
        ok "a port that is taken: a clear error, exit 1"
else
        not_ok "a port that is taken: a clear error, exit 1"
        diag "status $RC"
        diag_file "$ERR"
fi

# the library, loaded for --listen only: not among what every start loads
run ldd ldd "$NS_TOP"
if ((RC == 0)) && ! grep -Eq 'libmicrohttpd|libgnutls' "$OUT"; then
        ok "ns-top links neither libmicrohttpd nor gnutls"
else
        not_ok "ns-top links neither libmicrohttpd nor gnutls"
        diag_file "$OUT"
fi
# Hidden (/dev/null mounted over it in a mount namespace of its own), it
# is said before anything else: on the server's port, the taken port would
# be the error if the port came first.
MHD_LIB=$(ldconfig -p | awk '$1 == "libmicrohttpd.so.12" { print $NF; exit }')
[[ -n $MHD_LIB ]] || fatal "ldconfig knows no libmicrohttpd.so.12"
run nomhd unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$MHD_LIB" \
        "$NS" top --listen "127.0.0.1:$PORT"
if ((RC == 1)) && [[ $(wc -l <"$ERR") == 1 ]] &&
        grep -q "^ns top: --listen needs libmicrohttpd (libmicrohttpd12): .*libmicrohttpd\.so\.12" "$ERR"; then
        ok "without libmicrohttpd: a clear error, exit 1, before the port"
else
        not_ok "without libmicrohttpd: a clear error, exit 1, before the port"
        diag "status $RC"
        diag_file "$ERR"
fi

kill -TERM "$SERVER"
wait "$SERVER"
rc=$?
if ((rc == 0)) && port_free "$PORT" && [[ ! -s $SERVER_LOG ]]; then
        ok "SIGTERM ends the server quietly, exit 0, the port released"
else
        not_ok "SIGTERM ends the server quietly, exit 0, the port released"
        diag "status $rc"
        diag_file "$SERVER_LOG"
fi

# a bare port is loopback only; IPv6 in brackets
serve %d || { diag_file "$SERVER_LOG"; fatal "ns top --listen PORT did not start"; }
ss -Htln "sport = :$PORT" >"$T_TMP/ss"
if [[ $(awk '{ print $4 }' "$T_TMP/ss") == "127.0.0.1:$PORT" ]]; then
        ok "--listen PORT listens on 127.0.0.1 only"
else
        not_ok "--listen PORT listens on 127.0.0.1 only"
        diag_file "$T_TMP/ss"
fi
kill -TERM "$SERVER"
wait "$SERVER"
ip -6 addr show dev lo | grep -q 'inet6 ::1/128' || fatal "no ::1 on loopback: the IPv6 check needs it"
serve '[::1]:%d' || { diag_file "$SERVER_LOG"; fatal "ns top --listen [::1]:PORT did not start"; }
URL="http://[::1]:$PORT"
if curl -sfg --max-time 10 -o "$T_TMP/scrape6" "$URL/metrics" && promtool_ok "$T_TMP/scrape6"; then
        ok "--listen [::1]:PORT serves /metrics on IPv6"
else
        not_ok "--listen [::1]:PORT serves /metrics on IPv6"
        diag_file "$SERVER_LOG"
fi
kill -TERM "$SERVER"
wait "$SERVER"

# 3. --output: the file is always whole while ns top rewrites it every 20 ms
OUTDIR=$T_TMP/textfile
mkdir "$OUTDIR" || fatal "mkdir $OUTDIR"
PROM=$OUTDIR/ns.prom
(umask 022 && exec "$NS" top -b --format=prometheus -d 0.02 -n 150 --output "$PROM") \
        2>"$T_TMP/writer.err" &
writer=$!
T_SPAWNED+=("$writer")
reads=0 torn=0 changes=0 last=
while alive "$writer"; do
        # a new file is a new inode or time (an inode may be used again)
        ino=$(stat -c '%i %y' "$PROM" 2>/dev/null) || continue
        content=$(cat "$PROM" 2>/dev/null; printf x) || continue
        content=${content%x}
        reads=$((reads + 1))
        [[ $ino != "$last" ]] && changes=$((changes + 1))
        last=$ino
        # whole: from the first family to the last, which every row has, ending in a newline
        if [[ $content != "# HELP ns_instance_cpu_seconds_total "* ||
                $content != *$'\n'"# TYPE ns_instance_tasks_stopped gauge"$'\n'* ||
                $content != *$'\n' ]]; then
                torn=$((torn + 1))
                printf '%s' "$content" >"$T_TMP/torn"
        fi
done
wait "$writer"
wrc=$?
if ((wrc == 0 && reads > 0 && torn == 0 && changes >= 20)); then
        ok "--output: $reads reads of $PROM, $changes rewrites seen, every read whole"
else
        not_ok "--output: every read whole while it is rewritten"
        diag "writer status $wrc, $reads reads, $torn torn, $changes rewrites seen"
        diag_file "$T_TMP/writer.err"
        [[ -e $T_TMP/torn ]] && diag_file "$T_TMP/torn"
fi
left=$(ls -A "$OUTDIR")
is "$left" "ns.prom" "  ... and no temporary file is left next to it"
is "$(stat -c %a "$PROM")" 644 "  ... readable by all, as umask 022 makes it (the collector's user)"
promtool_ok "$PROM" && ok "  ... and promtool accepts it" ||
        { not_ok "  ... and promtool accepts it"; diag_file "$T_TMP/promtool.out"; }
run nodir "$NS" top -b --format=prometheus -n 1 --output "$T_TMP/nosuchdir/ns.prom"
((RC == 1)) && grep -q "^ns top: cannot write '$T_TMP/nosuchdir/ns.prom': no such file or directory$" "$ERR" &&
        ok "--output into a missing directory: a clear error, exit 1" ||
        { not_ok "--output into a missing directory: a clear error, exit 1"; diag_file "$ERR"; }

# 4. usage errors
usage() {
        local desc=$1 msg=$2
        shift 2
        run usage "$NS" top "$@"
        if ((RC == 1)) && grep -qxF "ns top: $msg" "$ERR" && grep -qx "Try 'ns top --help'." "$ERR"; then
                ok "$desc: a usage error"
        else
                not_ok "$desc: a usage error"
                diag "status $RC"
                diag_file "$ERR"
        fi
}
usage "--format xml" "unknown format 'xml': text, json or prometheus" -b --format xml
usage "--format without -b" "option '--format' needs '-b'" --format prometheus
usage "--output without -b" "option '--output' needs '-b'" --output "$T_TMP/x.prom"
usage "-J with --format=prometheus" "option '-J' conflicts with '--format=prometheus'" -b -J --format prometheus
usage "--listen with -n" "option '-n' does not go with '--listen'" --listen 9 -n 1
usage "--listen with --format=json" "option '--listen' serves the prometheus format only" --listen 9 --format json
for bad in :9810 9810x 0 65536 ::1:9810 '[::1]' '[::1]9810' ''; do
        usage "--listen '$bad'" "invalid address '$bad': [address:]port, an IPv6 address in brackets" --listen "$bad"
done

done_testing
