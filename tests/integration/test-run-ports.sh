#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ns run -p [IP:]HOSTPORT:PORT[/tcp|/udp]: a server inside (busybox httpd
# on port 80, below 1024 without a capability) is reached from the host on
# 127.0.0.1:<a free port>, through pasta (the default with -p) and through
# slirp4netns, as root and as nobody; the port is free again once the
# instance has exited. A taken host port is an error before the payload
# runs, found by ns run's own probe and, when the port is taken between the
# probe and the helper's bind, from pasta's failure. UDP and a given host
# address reach pasta; what -p cannot go with is a usage error.

# shellcheck source=tests/integration/lib.sh
. "${NS_SOURCE_ROOT:-${0%/*}/../..}/tests/integration/lib.sh" || {
        printf '1..1\nnot ok 1 - cannot read tests/integration/lib.sh\n'
        exit 1
}

require_ns
ns_for_nobody
require_root
require_tools setpriv busybox pasta slirp4netns timeout

require_nobody

# "${WITH_TUN[@]}" CMD...: CMD where /dev/net/tun is 0666 (a private mount
# namespace; the host's node is left as it is), as udev makes it. An
# array, not a function: spawn execs it.
WITH_TUN=(unshare -m --propagation private bash -c '
        mount -t tmpfs -o mode=0755,size=16k ns-run-tun /dev/net &&
                mknod -m 0666 /dev/net/tun c 10 200 || exit 99
        exec "$@"' with_tun)

# Sockets of the host's network namespace, from /proc/net: the local
# address column ends in ":PORT" in hex; state 0A is LISTEN.
port_hex() {
        printf '%04X' "$1"
}
tcp_listening() {
        awk -v p=":$(port_hex "$1")\$" -v a="${2:-}" '$2 ~ p && $4 == "0A" && (a == "" || $2 == a ":" substr(p, 2, 4))' \
                /proc/net/tcp /proc/net/tcp6 | grep -q .
}
tcp_free() {
        ! tcp_listening "$1"
}
udp_bound() {
        awk -v p=":$(port_hex "$1")\$" '$2 ~ p' /proc/net/udp /proc/net/udp6 | grep -q .
}
port_used() {
        awk -v p=":$(port_hex "$1")\$" '$2 ~ p' /proc/net/tcp /proc/net/tcp6 /proc/net/udp \
                /proc/net/udp6 | grep -q .
}
# A port no socket of the host uses now, from the range no service claims.
free_port() {
        local p _
        for _ in $(seq 100); do
                p=$((20000 + RANDOM % 30000))
                port_used "$p" || { echo "$p"; return 0; }
        done
        fatal "no free port found"
}

# served PORT TEXT: an HTTP GET of 127.0.0.1:PORT reads TEXT. Before the
# server inside listens, the helper accepts and resets: nothing is read.
# The request is written in a subshell: a write to a reset connection
# raises SIGPIPE, which would end the test shell itself, untrapped.
served() {
        local body
        { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
        body=$({ printf 'GET / HTTP/1.0\r\n\r\n' >&3 && timeout 3 cat <&3; } 2>/dev/null)
        exec 3>&-
        [[ ${body##*$'\r\n\r\n'} == "$2" ]]
}

# 1. a server inside (busybox httpd on port 80), reached from the host;
# the port freed after
for who in root nobody; do
        for net in pasta slirp4netns; do
                as=()
                [[ $who == nobody ]] && as=("${WITH_TUN[@]}" "${AS_NOBODY[@]}")
                netopt=()
                [[ $net == slirp4netns ]] && netopt=(--net=slirp4netns)
                port=$(free_port)
                text="hello-$who-$net"
                spawn "${as[@]}" "$NS" run "${netopt[@]}" -p "$port:80" sh -c \
                        "mkdir /tmp/www && echo $text >/tmp/www/index.html && exec busybox httpd -f -p 80 -h /tmp/www"
                nspid=$SPAWNED_PID
                if wait_for 20 "127.0.0.1:$port to serve '$text'" served "$port" "$text"; then
                        ok "$who, $net: a server on port 80 inside is reached on 127.0.0.1:$port"
                else
                        not_ok "$who, $net: a server on port 80 inside is reached on 127.0.0.1:$port"
                        diag_file "$SPAWNED_LOG"
                fi
                # SIGTERM to ns run reaches the server; ns run dies of it
                kill "$nspid"
                wait "$nspid"
                is "$?" 143 "$who, $net: the instance ends with its server"
                check "$who, $net: 127.0.0.1:$port is free again after the instance" \
                        wait_for 10 "port $port to be free" tcp_free "$port"
        done
done

# 2. a taken port: the error, before the payload runs
port=$(free_port)
spawn busybox nc -l -p "$port"
holder=$SPAWNED_PID
wait_for 10 "the holder of port $port" tcp_listening "$port" || fatal "cannot hold port $port"
for net in pasta slirp4netns; do
        run taken "$NS" run --net=$net -p "$port:80" echo ran
        if [[ $RC == 1 && ! -s $OUT ]] &&
                grep -q "^ns: cannot publish port '127.0.0.1:$port/tcp': address already in use" "$ERR"; then
                ok "$net: a taken host port is a clear error, and the command never ran"
        else
                not_ok "$net: a taken host port is a clear error, and the command never ran"
                diag "status $RC, output '$(cat "$OUT")'"
                diag_file "$ERR"
        fi
done
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# 3. taken between ns run's probe and pasta's bind: a pasta that takes the
# port itself just before the real one starts. pasta exits; ns run finds
# the port taken and says so.
mkdir -p "$T_TMP/bin" || fatal "mkdir $T_TMP/bin"
cat >"$T_TMP/bin/pasta" <<EOF || fatal "cannot write the pasta wrapper"
#!/bin/bash
for a; do [[ \$a =~ ^127\.0\.0\.1/([0-9]+): ]] && port=\${BASH_REMATCH[1]}; done
busybox nc -l -p "\$port" </dev/null >/dev/null 2>&1 &
echo \$! >"$T_TMP/holder.pid"
hex=\$(printf ':%04X\$' "\$port")
for _ in \$(seq 500); do
        awk -v p="\$hex" '\$2 ~ p && \$4 == "0A"' /proc/net/tcp | grep -q . && break
        sleep 0.01
done
exec $(command -v pasta) "\$@"
EOF
chmod 755 "$T_TMP/bin/pasta"
port=$(free_port)
run race env PATH="$T_TMP/bin:$PATH" "$NS" run -p "$port:80" echo ran
[[ -s $T_TMP/holder.pid ]] && on_cleanup "kill $(cat "$T_TMP/holder.pid")"
if [[ $RC == 1 && ! -s $OUT ]] &&
        grep -q "^ns: cannot publish port '127.0.0.1:$port/tcp': address already in use" "$ERR"; then
        ok "pasta failing to bind a port taken after the probe: the same error, the command never ran"
else
        not_ok "pasta failing to bind a port taken after the probe: the same error, the command never ran"
        diag "status $RC, output '$(cat "$OUT")'"
        diag_file "$ERR"
fi
[[ -s $T_TMP/holder.pid ]] && kill "$(cat "$T_TMP/holder.pid")" 2>/dev/null

# pasta_args NSPID: the command line of ns run's pasta (it runs as
# passt.avx2 or passt, its argv kept) into args.
pasta_args() {
        local p
        args=
        for p in $(pgrep -P "$1"); do
                args=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
                [[ $args == *" --config-net "* ]] && return 0
        done
        args=
        return 1
}

# 4. UDP and a host address reach pasta; nothing else is published
port=$(free_port)
uport=$(free_port)
spawn "$NS" run -p "127.0.0.2:$port:80" -p "$uport:53/udp" sleep 3581
nspid=$SPAWNED_PID
check "-p 127.0.0.2:$port:80: pasta listens on 127.0.0.2 only" \
        wait_for 20 "a listener on 127.0.0.2:$port" tcp_listening "$port" 0200007F
check "-p $uport:53/udp: pasta binds UDP port $uport" wait_for 20 "UDP port $uport" udp_bound "$uport"
pasta_args "$nspid"
if [[ $args == *" -T none -U none "* && $args != *" -t none"* && $args != *" -u none"* ]]; then
        ok "pasta gets the published ports only (-T none -U none: no host loopback)"
else
        not_ok "pasta gets the published ports only (-T none -U none: no host loopback)"
        diag "pasta: $args"
fi
kill "$nspid"
wait "$nspid" 2>/dev/null
check "the ports are free again after the instance" wait_for 10 "port $port to be free" tcp_free "$port"

spawn "$NS" run --net=pasta sleep 3581
nspid=$SPAWNED_PID
wait_for 20 "pasta" pasta_args "$nspid"
if [[ $args == *" -t none -u none -T none -U none "* ]]; then
        ok "--net=pasta without -p publishes nothing (-t none -u none, not pasta's default 'auto')"
else
        not_ok "--net=pasta without -p publishes nothing (-t none -u none, not pasta's default 'auto')"
        diag "pasta: $args"
fi
kill "$nspid"
wait "$nspid" 2>/dev/null

# 5. what -p cannot go with
for bad in 80 0:80 80:70000 1.2.3:80:80 80:80/sctp "[::1:80:80" a:b; do
        run badspec "$NS" run -p "$bad" true
        if [[ $RC == 1 ]] && grep -qF "ns: invalid port '$bad' (give [IP:]HOSTPORT:PORT[/tcp|/udp])" "$ERR"; then
                ok "-p '$bad' is a usage error"
        else
                not_ok "-p '$bad' is a usage error"
                diag_file "$ERR"
        fi
done
for net in none host; do
        run badnet "$NS" run --net=$net -p 8080:80 true
        if [[ $RC == 1 ]] && grep -q "^ns: cannot publish ports with --net=$net" "$ERR"; then
                ok "-p with --net=$net is a usage error"
        else
                not_ok "-p with --net=$net is a usage error"
                diag_file "$ERR"
        fi
done
run v6 "$NS" run --net=slirp4netns -p "[::1]:8080:80" true
if [[ $RC == 1 ]] && grep -q "^ns: cannot publish on '::1' with --net=slirp4netns" "$ERR"; then
        ok "an IPv6 host address with slirp4netns is a usage error"
else
        not_ok "an IPv6 host address with slirp4netns is a usage error"
        diag_file "$ERR"
fi

done_testing
