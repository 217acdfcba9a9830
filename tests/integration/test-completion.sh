#!/bin/bash
# The shell completions in completions/. Loads the bash completion, sets
# COMP_WORDS/COMP_CWORD as bash does, calls the completion function and checks
# COMPREPLY; instance IDs and names come from a stub ns printing fixed lines,
# then from the real binary against an instance this test makes.
#
# Environment: NS, the ns binary under test (the checks that need it fail
# when it is set but unusable, and are skipped when it is unset);
# NS_SOURCE_ROOT, the source tree (default: two levels above this script).
# Also checks the zsh and fish completions when those shells are installed.
# Output: TAP. Exit status 1 when a check fails.

set -u

srcdir=${NS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NS=${NS:-}
n=0
failed=0
tmp=$(mktemp -d)
sleeper=

cleanup()
{
        [[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT

ok()
{
        n=$((n + 1))
        echo "ok $n - $1"
}

not_ok()
{
        n=$((n + 1))
        failed=$((failed + 1))
        echo "not ok $n - $1"
        shift
        local line
        for line in "$@"; do
                printf '#   %s\n' "$line"
        done
}

# What a test cannot get is a failure, never a silent pass.
skip()
{
        n=$((n + 1))
        failed=$((failed + 1))
        echo "not ok $n - $1 (cannot run: $2)"
}

# comp WORD...: complete the last word, as bash would with the cursor at the
# end of the line; the candidates land in $got, sorted, one a line.
comp()
{
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _ns 2>/dev/null
        got=$(printf '%s\n' ${COMPREPLY[@]+"${COMPREPLY[@]}"} | LC_ALL=C sort -u | sed '/^$/d')
}

# sorted A|B|C as lines
lines()
{
        tr '|' '\n' <<<"$1" | LC_ALL=C sort -u | sed '/^$/d'
}

# expect DESC 'A|B|C' WORD...: the candidates are exactly A, B and C.
expect()
{
        local desc=$1 want
        want=$(lines "$2")
        shift 2
        comp "$@"
        if [[ $got == "$want" ]]; then
                ok "$desc"
        else
                not_ok "$desc" "words: $*" "want: ${want//$'\n'/ }" "got:  ${got//$'\n'/ }"
        fi
}

# expect_has DESC 'A|B' WORD...: the candidates include A and B.
expect_has()
{
        local desc=$1 want missing=''
        want=$(lines "$2")
        shift 2
        comp "$@"
        missing=$(LC_ALL=C comm -23 <(echo "$want") <(echo "$got"))
        if [[ -z $missing ]]; then
                ok "$desc"
        else
                not_ok "$desc" "words: $*" "missing: ${missing//$'\n'/ }" "got: ${got//$'\n'/ }"
        fi
}

# same_set DESC 'list 1' 'list 2' (newline-separated)
same_set()
{
        local a b
        a=$(LC_ALL=C sort -u <<<"$2" | sed '/^$/d')
        b=$(LC_ALL=C sort -u <<<"$3" | sed '/^$/d')
        if [[ $a == "$b" ]]; then
                ok "$1"
        else
                not_ok "$1" "only in ns: $(LC_ALL=C comm -23 <(echo "$a") <(echo "$b") | tr '\n' ' ')" \
                        "only in the completion: $(LC_ALL=C comm -13 <(echo "$a") <(echo "$b") | tr '\n' ' ')"
        fi
}

ls_cols='ID|NAME|RUNTIME|PID|NPROCS|USER|NS|COMMAND|RUNTIME_ID|IMAGE|PPID|UID|PARENT|PRIVATE|SHARED|USERNS|MNTNS|PIDNS|NETNS|UTSNS|IPCNS|CGROUPNS|TIMENS|HEALTH|K8SNS'
ps_cols='PID|NSPID|USER|STATE|CPU|RSS|COMMAND|PPID|UID|THREADS|COMM|TIME'
ls_opts='-a|--all|-J|--json|-r|--raw|-n|--noheadings|-o|--output|--output-all|-H|--list-columns|-T|--tree|--runtime|-N|--namespace|--list-runtimes|-h|--help'
ps_opts='-J|--json|-r|--raw|-n|--noheadings|-o|--output|--output-all|-H|--list-columns|-N|--namespace|-h|--help'
runtimes='docker|podman|containerd|cri-o|kubernetes|lxc|nspawn|runc|crun|flatpak|snap|firejail|bwrap|ns|unshare|netns|garden|kernel|host|-'

# A stub ns first in PATH: `ns ls -n -o ID,NAME` prints fixed lines (a name
# with a blank, an instance without a name, one named "-", trailing blanks);
# `ns ls --list-runtimes` the runtimes as ns prints them, a name
# right-aligned and what it is.
mkdir -p "$tmp/bin" "$tmp/other"
cat >"$tmp/bin/ns" <<EOF
#!/bin/sh
case "\$*" in
"kill -l")
        echo 'HUP INT KILL USR1 SEGV USR2 TERM' ;;
"ls -n -o ID,NAME")
        printf '%s\\n' '3f9a1c07d2e4 db' '8b21e6f0a913 proxy  ' '5e0b7d4a9c21 my box' 'a7d1f03c6e92' '3f00aa11bb22 -' ;;
"images ls -r -n")
        printf '%s\\n' '/srv/img/busybox.tar sha256:3c645933f9f7 2 1982675 24' 'docker.io/library/alpine:3.19 sha256:1c188d35ba19 1 7000000 7000000' '/srv/my\\x20img sha256:0000 1 1 1' ;;
"ls --list-runtimes")
        for r in ${runtimes//|/ }; do printf '%10s %s\\n' "\$r" "made by \$r"; done ;;
*)
        exit 1 ;;
esac
EOF
cat >"$tmp/other/ns" <<'EOF'
#!/bin/sh
[ "$*" = "ls -n -o ID,NAME" ] || exit 1
echo 'c0ffee123456 elsewhere'
EOF
cat >"$tmp/other/broken" <<'EOF'
#!/bin/sh
echo 'ns: cannot read /proc' >&2
exit 1
EOF
chmod +x "$tmp/bin/ns" "$tmp/other/ns" "$tmp/other/broken"

# shellcheck source=completions/ns.bash disable=SC1091
if ! source "$srcdir/completions/ns.bash"; then
        not_ok "completions/ns.bash loads"
        echo "1..$n"
        exit 1
fi
if [[ $(complete -p ns 2>/dev/null) == "complete -F _ns ns" ]]; then
        ok "ns.bash registers _ns for ns"
else
        not_ok "ns.bash registers _ns for ns" "$(complete -p ns 2>&1)"
fi

PATH=$tmp/bin:$PATH

# commands and global options
expect "commands" 'ls|ps|enter|run|top|kill|freeze|thaw|inspect|images|help' ns ''
expect "command prefix" 'ls' ns l
expect "global options" '--host-root|-h|--help|-V|--version' ns -
expect "the command after --host-root DIR" 'ls' ns --host-root / l
expect "a command's options after --host-root DIR" "$ls_opts" ns --host-root / ls -
expect "help <command>" 'ls|ps|enter|run|top|kill|freeze|thaw|inspect|images' ns help ''
expect "help takes one command" '' ns help ls ''
expect "nothing after an unknown command" '' ns bogus ''

# ns inspect: options (-w and -n take a number), then one <id>
expect "inspect options" '-J|--json|-w|--watch|-n|--iterations|-h|--help' ns inspect -
expect "inspect: no completion for --watch's seconds" '' ns inspect --watch ''
expect_has "inspect <id>" 'db' ns inspect -w 2 -n 3 d
expect_has "ps <id> after -N's namespace" 'db' ns ps -N shop d
expect "inspect takes one <id>" '' ns inspect db ''

# ns images: subcommands, options, the store's images for rm
expect "images subcommands" 'ls|import|pull|rm|prune' ns images ''
expect "images options" '--image-cache|-J|--json|-r|--raw|-n|--noheadings|-b|--bytes|-h|--help|-V|--version' ns images -
expect "images rm <image>" '/srv/img/busybox.tar' ns images rm /srv/i
expect "images rm: a blank in a path, quoted" '/srv/my\ img' ns images rm /srv/m
expect "images rm: references too" 'docker.io/library/alpine:3.19' ns images rm d
expect "images pull options" '--insecure-registry|--platform|--help' ns images pull -
expect "images pull --platform values" 'linux/arm64|linux/arm/v7' ns images pull --platform linux/ar

# ns run: options, their values, then a command as for sudo
run_opts='--image|--read-only|--image-cache|--entrypoint|-e|--env|--rootfs|--map|--vol|--tmpfs|--build|-r|--root|-n|--name|--hostname|-w|--workdir|--userns|--time|--net|-p|--publish|--share|--cap-add|--memory|--pids|--cpus|-h|--help'
expect "run options" "$run_opts" ns run -
expect "run --net values" 'none|host|pasta|slirp4netns' ns run --net ''
expect "run --net=, '=' breaking words" 'host' ns run --net = h
expect "run --userns values" 'single|auto|range' ns run --userns ''
expect_has "run: after -p SPEC, the command" 'true' ns run -p 8080:80 tru
expect "run --share, a comma list" 'pid,uts|pid,user' ns run --share pid,u
expect_has "run: the command is a command" 'true' ns run -r tru
expect_has "run: after --map SRC DST, the command" 'true' ns run --map /etc /mnt tru
expect "run: no options after the command" '' ns run true --bogus-no-such-file
expect "run: no command completion for -e's variable" '' ns run -e FOO=b

# ns top: options, -p instances, --runtime and --sort values
top_opts='-d|--delay|-b|--batch|-n|--iterations|-J|--json|--format|--output|--listen|-p|--instance|--runtime|-N|--namespace|-a|--all|-s|--sort|-I|--invert|-h|--help|-V|--version'
expect "top options" "$top_opts" ns top -
expect "top --sort values, any case" 'MEM|MEM%' ns top --sort me
expect "top --sort=, '=' breaking words" 'UPTIME' ns top --sort = UP
expect "top --runtime values" 'cri-o|crun' ns top --runtime cr
expect "top -p: instances" '3f9a1c07d2e4|3f00aa11bb22' ns top -p 3f
expect "top: nothing after -d" '' ns top -d ''
expect "top --format values" 'prometheus' ns top --format p
expect "top --format=, '=' breaking words" 'json' ns top --format = j
expect "top: nothing after --listen" '' ns top --listen ''

# ns kill, ns freeze, ns thaw: options, signal names, then one <id>
kill_opts='-s|--signal|--leader|-f|--force|-v|--verbose|-l|--list|-h|--help'
expect "kill options" "$kill_opts" ns kill -
expect "kill -s, signal names" 'USR1|USR2' ns kill -s US
expect "kill --signal, in the case typed" 'usr1|usr2' ns kill --signal us
expect "kill -l, signal names" 'KILL' ns kill -l K
expect "kill: ids after -s SIG" '3f9a1c07d2e4|3f00aa11bb22' ns kill -s TERM 3f
expect "kill: one id only" '' ns kill db ''
expect "freeze options" '-t|--timeout|-h|--help' ns freeze -
expect "thaw: ids after -t SECS" 'db' ns thaw -t 5 d
expect "freeze -t takes a number" '' ns freeze -t ''

# ns enter: options up to the <id>, --keep values, then a command
enter_opts='-u|--user|-w|--workdir|-e|--env|--keep|--tools|--at|-f|--force|-h|--help'
expect "enter options" "$enter_opts" ns enter -
expect "enter --keep, a comma list" 'caps,cgroup|caps,creds' ns enter --keep caps,c
expect "enter --keep, seccomp" 'caps,seccomp' ns enter --keep caps,s
expect_has "enter: after the id, a command" 'true' ns enter 3f9a1c07d2e4 tru

# options of each command
expect "ls options" "$ls_opts" ns ls -
expect "ps options" "$ps_opts" ns ps -
expect "long option prefix" '--output|--output-all' ns ps --o
expect "options after the id" "$ps_opts" ns ps db -
expect "ls takes no argument" '' ns ls ''

# --runtime values
expect "--runtime values" "$runtimes" ns ls --runtime ''
expect "--runtime after -a" "$runtimes" ns ls -a --runtime ''
expect "--runtime prefix" 'cri-o|crun' ns ls --runtime cr
expect "--runtime=, '=' breaking words" 'cri-o|crun' ns ls --runtime = cr
expect "--runtime=, '=' not breaking words" '--runtime=cri-o|--runtime=crun' ns ls --runtime=cr
expect "--runtime value '-'" '-' ns ls --runtime -
expect "ps has no --runtime" '' ns ps --runtime ''

# -o column lists
expect "ls columns" "$ls_cols" ns ls -o ''
expect "ps columns" "$ps_cols" ns ps --output ''
expect "column after a comma" 'ID,NAME|ID,NETNS|ID,NPROCS|ID,NS' ns ls -o ID,N
expect "columns in any case" 'id,NAME' ns ls -o id,na
expect "no column twice" 'NAME,ID,PID|NAME,ID,PIDNS' ns ls -o NAME,ID,PI
expect "+LIST leaves out the defaults" '+THREADS|+TIME' ns ps -o +T
expect "+LIST after a comma" '+PPID,PARENT|+PPID,PIDNS|+PPID,PRIVATE' ns ls -o +PPID,P
expect "-oLIST in one word" '-oID,NAME' ns ls -oID,NA
expect "-o at the end of a cluster" '-rnoID,NAME' ns ls -rnoID,NA
expect "value after a cluster ending in o" 'NSPID' ns ps -rno NS
expect "--output=, '=' breaking words" 'ID,PID|ID,PIDNS' ns ls --output = ID,PI
expect "--output= with nothing typed" "$ls_cols" ns ls --output =
expect "--output=, '=' not breaking words" '--output=ID,PID|--output=ID,PIDNS' ns ls --output=ID,PI

# instance IDs and names (stub)
expect "ids and names" '3f9a1c07d2e4|db|8b21e6f0a913|proxy|5e0b7d4a9c21|my\ box|a7d1f03c6e92|3f00aa11bb22' ns ps ''
expect "id prefix" '3f9a1c07d2e4|3f00aa11bb22' ns ps 3f
expect "name with a blank, quoted" 'my\ box' ns ps my
expect "name with a blank, typed quoted" 'my\ box' ns ps 'my\ b'
expect "after option values" 'db' ns ps -J -o PID,RSS --noheadings d
expect "after --output=LIST" 'db' ns ps --output = PID d
expect "after --" 'db' ns ps -- d
expect "one id only" '' ns ps db ''
expect "the binary given by path" 'c0ffee123456|elsewhere' "$tmp/other/ns" ps ''
expect "a failing binary gives nothing" '' "$tmp/other/broken" ps ''

# Against the real binary.
if [[ -z $NS ]]; then
        for what in "ns --help lists the completed commands" \
                "ns top --help lists the completed options" "ns top --help lists the completed sort columns" \
                "ns ls --help lists the completed options" "ns ps --help lists the completed options" \
                "ns ls -H lists the completed columns" "ns ps -H lists the completed columns" \
                "ns ls --list-runtimes are the completed runtimes" \
                "ns ls accepts every completed runtime" "live instance IDs and names"; do
                skip "$what" "NS is not set"
        done
elif [[ ! -x $NS ]]; then
        not_ok "NS='$NS' is an executable"
else
        # "Commands:" section of ns --help: " ls   summary"
        same_set "ns --help lists the completed commands" \
                "$("$NS" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }')" \
                "$(lines 'ls|ps|enter|run|top|kill|freeze|thaw|inspect|images|help')"
        for cmd in kill freeze thaw; do
                comp ns "$cmd" -
                same_set "ns $cmd --help lists the completed options" \
                        "$("$NS" "$cmd" --help | grep -oE -- '(^|[ ,])-(-[a-z][a-z-]*|[a-zA-Z])' | sed 's/^[ ,]//')" \
                        "$got"
        done
        comp ns top -
        same_set "ns top --help lists the completed options" \
                "$("$NS" top --help | grep -oE -- '(^|[ ,])-(-[a-z][a-z-]*|[a-zA-Z])' | sed 's/^[ ,]//')" \
                "$got"
        comp ns top --sort ''
        same_set "ns top --help lists the completed sort columns" \
                "$("$NS" top --help | awk '/^Columns:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }')" \
                "$got"
        for cmd in ls ps; do
                comp ns "$cmd" -
                same_set "ns $cmd --help lists the completed options" \
                        "$("$NS" "$cmd" --help | grep -oE -- '(^|[ ,])-(-[a-z][a-z-]*|[a-zA-Z])' | sed 's/^[ ,]//')" \
                        "$got"
                comp ns "$cmd" -o ''
                same_set "ns $cmd -H lists the completed columns" \
                        "$("$NS" "$cmd" -H | awk 'NF { print $1 }')" "$got"
        done

        # the runtimes come from ns' own table, through --list-runtimes
        comp "$NS" ls --runtime ''
        same_set "ns ls --list-runtimes are the completed runtimes" \
                "$("$NS" ls --list-runtimes | awk 'NF { print $1 }')" "$got"
        bad=
        for r in $got; do
                "$NS" ls --runtime "$r" -n -o ID >/dev/null 2>&1 || bad+=" $r"
        done
        [[ -n $got ]] || bad=" (none completed)"
        if [[ -z $bad ]]; then
                ok "ns ls accepts every completed runtime"
        else
                not_ok "ns ls accepts every completed runtime" "refused:$bad"
        fi

        # An instance of our own: a sleep in its own net and uts namespaces
        # (and user namespace when not root, so no privilege is needed).
        if ((EUID == 0)); then
                unshare --net --uts sleep 300 &
        else
                unshare --user --map-root-user --net --uts sleep 300 &
        fi
        sleeper=$!
        mine=$(readlink /proc/self/ns/net)
        for ((i = 0; i < 500; i++)); do
                theirs=$(readlink "/proc/$sleeper/ns/net" 2>/dev/null) || break
                [[ $theirs != "$mine" && $(readlink "/proc/$sleeper/exe" 2>/dev/null) == */sleep ]] && break
                sleep 0.01
        done
        id=$("$NS" ls -rn -o ID,PID 2>/dev/null | awk -v pid="$sleeper" '$2 == pid { print $1 }')
        if [[ -z $id ]]; then
                not_ok "live instance IDs and names" "ns ls does not show the instance of pid $sleeper" \
                        "$("$NS" ls -rn -o ID,PID 2>&1 | head -20)"
        else
                # our instance's ID and name, as the completion should quote it
                # (only ours: other instances may come and go between scans)
                want=$("$NS" ls -n -o ID,NAME 2>/dev/null | while read -r i name; do
                        [[ $i == "$id" ]] || continue
                        echo "$i"
                        [[ -n $name && $name != - ]] && printf '%q\n' "$name"
                done)
                comp "$NS" ps ''
                missing=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u <<<"$want") <(echo "$got"))
                if [[ -n $want && -z $missing ]]; then
                        ok "live instance IDs and names"
                else
                        not_ok "live instance IDs and names" "instance $id" \
                                "missing: ${missing//$'\n'/ }" "got: ${got//$'\n'/ }"
                fi
                expect "live instance by ID prefix" "$id" "$NS" ps "${id:0:8}"
        fi
        kill "$sleeper" 2>/dev/null
        wait "$sleeper" 2>/dev/null
        sleeper=
fi

# zsh and fish
if command -v zsh >/dev/null; then
        if out=$(zsh -n "$srcdir/completions/_ns" 2>&1); then
                ok "zsh -n completions/_ns"
        else
                not_ok "zsh -n completions/_ns" "$out"
        fi
else
        skip "zsh -n completions/_ns" "zsh is not installed"
fi

if command -v fish >/dev/null; then
        if out=$(fish -n "$srcdir/completions/ns.fish" 2>&1); then
                ok "fish -n completions/ns.fish"
        else
                not_ok "fish -n completions/ns.fish" "$out"
        fi
        # fish_complete LINE: what fish offers for LINE, candidates only
        fish_complete()
        {
                fish --no-config -c "source '$srcdir/completions/ns.fish'; complete -C'$1'" 2>&1 |
                        cut -f1 | LC_ALL=C sort -u
        }
        for t in "ns |$(lines 'ls|ps|enter|run|top|kill|freeze|thaw|inspect|images|help')" \
                "ns ps |$(lines '3f9a1c07d2e4|db|8b21e6f0a913|proxy|5e0b7d4a9c21|my box|a7d1f03c6e92|3f00aa11bb22')" \
                "ns ps db |" \
                "ns ls --runtime cr|$(lines 'cri-o|crun')" \
                "ns ps -o PID,NS|PID,NSPID" \
                "ns ps -o +T|$(lines '+THREADS|+TIME')" \
                "ns ls -o ID,NAME,PI|$(lines 'ID,NAME,PID|ID,NAME,PIDNS')" \
                "ns help |$(lines 'ls|ps|enter|run|top|kill|freeze|thaw|inspect|images')" \
                "ns kill -s US|$(lines 'USR1|USR2')" \
                "ns kill -l K|KILL" \
                "ns kill --le|--leader" \
                "ns kill -s TERM |$(lines '3f9a1c07d2e4|db|8b21e6f0a913|proxy|5e0b7d4a9c21|my box|a7d1f03c6e92|3f00aa11bb22')" \
                "ns kill db |" \
                "ns thaw d|db" \
                "ns top --so|--sort" \
                "ns top --sort ME|$(lines 'MEM|MEM%')" \
                "ns top --format |$(lines 'text|json|prometheus')" \
                "ns inspect -n 3 |$(lines '3f9a1c07d2e4|db|8b21e6f0a913|proxy|5e0b7d4a9c21|my box|a7d1f03c6e92|3f00aa11bb22')" \
                "ns inspect db |" \
                "ns images |$(lines 'ls|import|pull|rm|prune')" \
                "ns images rm |$(lines '/srv/img/busybox.tar|docker.io/library/alpine:3.19|/srv/my img')" \
                "ns images pull --in|--insecure-registry" \
                "ns images pull --platform linux/ar|$(lines 'linux/arm/v7|linux/arm64')" \
                "ns run --net |$(lines 'none|host|pasta|slirp4netns')" \
                "ns run --pi|--pids" \
                "ns run --map /etc /mnt truncat|truncate"; do
                line=${t%%|*}
                want=${t#*|}
                got=$(fish_complete "$line")
                if [[ $got == "$want" ]]; then
                        ok "fish: '$line'"
                else
                        not_ok "fish: '$line'" "want: ${want//$'\n'/ }" "got:  ${got//$'\n'/ }"
                fi
        done
else
        skip "fish completions" "fish is not installed"
fi

echo "1..$n"
((failed == 0))
