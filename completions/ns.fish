# fish completion for ns(1): commands, options, --runtime values, comma
# lists of columns for -o/--output, and for commands that take an <id> the
# IDs and names of the instances that exist now, from `ns ls -n -o ID,NAME`
# (one instance a line: the ID, blanks, then the name, which may be empty
# and, rarely, may hold blanks).

# The command (ls, ps, help) on the command line, stepping over the values
# of options; nothing when none is typed yet.
function __ns_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case -o --output --runtime -s --signal -t --timeout --host-root
                set skip 1
            case '-*'
            case '*'
                echo $t
                return 0
        end
    end
    return 1
end

# How many arguments follow the command (the <id> of ps, the command of
# help), not counting options and their values.
function __ns_nargs
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l seen 0
    set -l optsdone 0
    set -l n 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
        else if test $optsdone -eq 1
            set n (math $n + 1)
        else if test "$seen" = 0
            if test "$t" = --host-root
                set skip 1
            else
                string match -q -- '-*' $t; or set seen $t
            end
        else
            switch $t
                case --
                    set optsdone 1
                case -o --output --runtime -s --signal -t --timeout -w --watch --iterations -N --namespace
                    set skip 1
                case -n
                    # inspect's -n takes a count; ls's and ps's is a flag
                    test "$seen" = inspect; and set skip 1
                case '-*'
                case '*'
                    set n (math $n + 1)
            end
        end
    end
    echo $n
end

function __ns_is
    set -l cmd (__ns_command)
    test "$cmd" = "$argv[1]"
end

# The ns binary: the one being completed when it was given by a path
# ("./build/ns ps <TAB>"), else the ns found in PATH.
function __ns_bin
    set -l tokens (commandline -opc)
    if string match -q -- '*/*' $tokens[1]; and test -x $tokens[1] -a ! -d $tokens[1]
        echo $tokens[1]
    else
        echo ns
    end
end

function __ns_instances
    set -l bin (__ns_bin)
    command $bin ls -n -o ID,NAME 2>/dev/null | while read -l line
        set -l fields (string match -r -- '^\s*(\S+)\s*(.*?)\s*$' $line)
        or continue
        set -l id $fields[2]
        set -l name $fields[3]
        if test -n "$name" -a "$name" != -
            printf '%s\t%s\n' $id $name $name $id
        else
            printf '%s\n' $id
        end
    end
end

# Column names for -o/--output of command $argv[1], continuing the comma
# list typed so far; a list that starts with "+" adds to the defaults.
function __ns_columns
    set -l cols
    switch $argv[1]
        case ls
            set cols \
                ID\t'instance ID' \
                NAME\t'container or sandbox name' \
                RUNTIME\t'what made the instance' \
                PID\t"leader's host PID" \
                NPROCS\t'number of processes' \
                USER\t"leader's owner" \
                NS\t'which namespaces are private or shared' \
                COMMAND\t"leader's command line" \
                RUNTIME_ID\t"the runtime's container ID" \
                IMAGE\t'the image it runs (ns run --image)' \
                PPID\t"leader's parent PID" \
                UID\t"leader's owner UID" \
                PARENT\t'ID of the parent instance' \
                PRIVATE\t'private namespace types' \
                SHARED\t'types shared with another instance' \
                USERNS\t'user namespace inode' \
                MNTNS\t'mount namespace inode' \
                PIDNS\t'pid namespace inode' \
                NETNS\t'network namespace inode' \
                UTSNS\t'UTS namespace inode' \
                IPCNS\t'IPC namespace inode' \
                CGROUPNS\t'cgroup namespace inode' \
                TIMENS\t'time namespace inode' \
                HEALTH\t'frozen, D-state and zombie tasks, OOM kills, refused forks' \
                K8SNS\t"Kubernetes namespace of a pod's instance"
        case ps
            set cols \
                PID\t'host PID' \
                NSPID\t'PID inside the instance' \
                USER\t'effective user' \
                STATE\t'process state' \
                CPU\t'CPU use since start, percent' \
                RSS\t'resident memory' \
                COMMAND\t'command line' \
                PPID\t"parent's host PID" \
                UID\t'effective UID' \
                THREADS\t'number of threads' \
                COMM\t'command name' \
                TIME\t'CPU time, seconds'
    end

    # The part of the current token that is the list: after "--output=" or
    # the "-o" of a cluster such as "-rno".
    set -l list (commandline -ct)
    set list (string replace -r -- '^--output=' '' $list)
    set list (string replace -r -- '^-[aJrnTHh]*o' '' $list)
    set -l head (string match -r -- '^.*,' $list)
    if test -z "$head"; and string match -q -- '+*' $list
        set head +
    end
    set -l used (string split , -- (string upper -- (string trim -l -c + -- $head)))
    for c in $cols
        set -l name (string split -f1 \t -- $c)
        contains -- $name $used; and continue
        printf '%s%s\n' $head $c
    end
end

# The runtimes --runtime takes and what each is, from ns' own runtime
# table: `ns ls --list-runtimes` prints a name (right-aligned) and its
# description, a line.
function __ns_runtimes
    set -l bin (__ns_bin)
    command $bin ls --list-runtimes 2>/dev/null | string replace -r -- '^\s*(\S+)\s+' '$1\t'
end

complete -c ns -f

# before the command
complete -c ns -n 'not __ns_command' -s h -l help -d 'Display help'
complete -c ns -n 'not __ns_command' -s V -l version -d 'Display version'
complete -c ns -n 'not __ns_command' -l host-root -x -a '(__fish_complete_directories)' -d "Read the host's files below this directory"
complete -c ns -n 'not __ns_command' -a ls -d 'List every instance on the host'
complete -c ns -n 'not __ns_command' -a ps -d 'List the processes of one instance'
complete -c ns -n 'not __ns_command' -a enter -d 'Run a shell or command inside an instance'
complete -c ns -n 'not __ns_command' -a run -d 'Start a fresh stateless sandbox'
complete -c ns -n 'not __ns_command' -a top -d 'Every instance live, with resource use and health'
complete -c ns -n 'not __ns_command' -a kill -d 'Send a signal to the processes of an instance'
complete -c ns -n 'not __ns_command' -a freeze -d 'Freeze every process of an instance'
complete -c ns -n 'not __ns_command' -a thaw -d 'Thaw a frozen instance'
complete -c ns -n 'not __ns_command' -a inspect -d 'Explain why an instance is stuck'
complete -c ns -n 'not __ns_command' -a images -d 'List, add and remove the images of ns run --image'
complete -c ns -n 'not __ns_command' -a help -d 'Show the help of a command'

# ns help <command>
complete -c ns -n '__ns_is help; and test (__ns_nargs) -eq 0' -a 'ls ps enter run top kill freeze thaw inspect images'

# ns images [ls|import|pull|rm|prune]
complete -c ns -n '__ns_is images; and test (__ns_nargs) -eq 0' -x -a 'ls import pull rm prune'
complete -c ns -n '__ns_is images; and contains -- rm (commandline -opc)' -x -a '(ns images ls -r -n 2>/dev/null | string split -f1 " " | string replace -a "\\x20" " ")'
complete -c ns -n '__ns_is images; and contains -- import (commandline -opc)' -F
complete -c ns -n '__ns_is images; and contains -- pull (commandline -opc)' -F
complete -c ns -n '__ns_is images; and contains -- pull (commandline -opc)' -l insecure-registry -d 'Plain HTTP to a registry off loopback'
complete -c ns -n '__ns_is images; and contains -- pull (commandline -opc)' -l platform -x -a 'linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64' -d 'The platform to take from an index'
complete -c ns -n '__ns_is images' -l image-cache -x -a '(__fish_complete_directories)' -d 'The image store'
complete -c ns -n '__ns_is images' -s J -l json -d 'Use JSON output'
complete -c ns -n '__ns_is images' -s r -l raw -d 'Use raw output'
complete -c ns -n '__ns_is images' -s n -l noheadings -d "Don't print headings"
complete -c ns -n '__ns_is images' -s b -l bytes -d 'Print sizes in bytes'
complete -c ns -n '__ns_is images' -s h -l help -d 'Display help'

# the table options of ls and ps
for cmd in ls ps
    set -l cond "__ns_is $cmd"
    complete -c ns -n $cond -s J -l json -d 'Use JSON output'
    complete -c ns -n $cond -s r -l raw -d 'Use raw output'
    complete -c ns -n $cond -s n -l noheadings -d "Don't print headings"
    complete -c ns -n $cond -s o -l output -x -a "(__ns_columns $cmd)" -d 'Columns to print'
    complete -c ns -n $cond -l output-all -d 'Print all columns'
    complete -c ns -n $cond -s H -l list-columns -d 'List the available columns and exit'
    complete -c ns -n $cond -s h -l help -d 'Display help'
end

# ns ls
complete -c ns -n '__ns_is ls' -s a -l all -d 'Include the host instance'
complete -c ns -n '__ns_is ls' -s T -l tree -d 'Show nested instances as a tree'
complete -c ns -n '__ns_is ls' -l runtime -x -d 'Only instances made by this runtime' \
    -a '(__ns_runtimes)'
complete -c ns -n '__ns_is ls' -s N -l namespace -x -d 'Only the pods of this Kubernetes namespace'
complete -c ns -n '__ns_is ls' -l list-runtimes -d 'List the runtimes --runtime takes and exit'

# ns ps <id>
complete -c ns -n '__ns_is ps; and test (__ns_nargs) -eq 0' -a '(__ns_instances)'
complete -c ns -n '__ns_is ps' -s N -l namespace -x -d 'The id among the pods of this Kubernetes namespace'

# ns top
function __ns_top_columns
    printf '%s\n' ID NAME RUNTIME PID PIDS CPU% CPU%LIM MEM MEM% NETRX NETTX IORD IOWR HEALTH UPTIME COMMAND
end
complete -c ns -n '__ns_is top' -s d -l delay -x -d 'Seconds between refreshes'
complete -c ns -n '__ns_is top' -s b -l batch -d 'Write frames as text, no screen'
complete -c ns -n '__ns_is top' -s n -l iterations -x -d 'With -b: frames to write'
complete -c ns -n '__ns_is top' -s J -l json -d 'With -b: one JSON document per frame'
complete -c ns -n '__ns_is top' -l format -x -a 'text json prometheus' -d 'With -b: the format of each frame'
complete -c ns -n '__ns_is top' -l output -r -F -d 'With -b: write each frame to this file'
complete -c ns -n '__ns_is top' -l listen -x -d 'Serve the prometheus format on /metrics at [address:]port'
complete -c ns -n '__ns_is top' -s p -l instance -x -a '(__ns_instances)' -d 'Show only this instance'
complete -c ns -n '__ns_is top' -l runtime -x -a '(__ns_runtimes)' -d 'Only instances made by this runtime'
complete -c ns -n '__ns_is top' -s N -l namespace -x -d 'Only the pods of this Kubernetes namespace'
complete -c ns -n '__ns_is top' -s a -l all -d 'Include the host instance'
complete -c ns -n '__ns_is top' -s s -l sort -x -a '(__ns_top_columns)' -d 'Sort by this column'
complete -c ns -n '__ns_is top' -s I -l invert -d 'Invert the sort order'
complete -c ns -n '__ns_is top' -s h -l help -d 'Display help'
complete -c ns -n '__ns_is top' -s V -l version -d 'Display version'

# ns inspect [options] <id>
complete -c ns -n '__ns_is inspect' -s J -l json -d 'Use JSON output'
complete -c ns -n '__ns_is inspect' -s w -l watch -x -d 'Sample again every SECS and show what changed'
complete -c ns -n '__ns_is inspect' -s n -l iterations -x -d 'With --watch: stop after N samples'
complete -c ns -n '__ns_is inspect' -s h -l help -d 'Display help'
complete -c ns -n '__ns_is inspect; and test (__ns_nargs) -eq 0' -a '(__ns_instances)'

# ns run [options] [--] command [argument...]: where the command line is,
# after "run": "opts" (options), "cmd" (the command word) or "args".
function __ns_run_state
    set -l tokens (commandline -opc)
    set -l i (contains -i -- run $tokens)
    or return 1
    set -l left 0
    for t in $tokens[(math $i + 1)..-1]
        if test $left -gt 0
            set left (math $left - 1)
            continue
        end
        switch $t
            case --
                # the command is the word after "--"
                if test (count $tokens) -gt (math (contains -i -- -- $tokens))
                    echo args
                else
                    echo cmd-next
                end
                return 0
            case --map --vol
                set left 2
            case --rootfs --tmpfs -n --name --hostname -w --workdir --userns --net -p --publish --share --cap-add --memory --pids --cpus --image --image-cache --entrypoint -e --env
                set left 1
            case '-*'
            case '*'
                echo args
                return 0
        end
    end
    if test $left -gt 0
        echo value
    else
        echo opts
    end
end

function __ns_run_is
    test (__ns_run_state) = $argv[1]
end

# the options, and their values (fish completes an option's value from the
# option's own entry: so these hold until the command starts)
set -l run_opts '__ns_is run; and not __ns_run_is args; and not __ns_run_is cmd-next'
complete -c ns -n $run_opts -l rootfs -x -a '(__fish_complete_directories)' -d 'Use a directory as the root'
complete -c ns -n $run_opts -l image -r -F -d 'Run a container image (archive, OCI layout, reference)'
complete -c ns -n $run_opts -l read-only -d 'With --image: refuse writes to the root'
complete -c ns -n $run_opts -l image-cache -x -a '(__fish_complete_directories)' -d 'The image store'
complete -c ns -n $run_opts -l entrypoint -x -d 'Run this instead of the image\'s entrypoint'
complete -c ns -n $run_opts -s e -l env -x -d 'Set a variable: VAR[=VALUE]'
complete -c ns -n $run_opts -l map -r -F -d 'Bind a host path read-only: SRC DST'
complete -c ns -n $run_opts -l vol -r -F -d 'Bind a host path writable: SRC DST'
complete -c ns -n $run_opts -l tmpfs -x -a '(__fish_complete_directories)' -d 'Mount an empty tmpfs'
complete -c ns -n $run_opts -l build -d 'Make the root writable'
complete -c ns -n $run_opts -s r -l root -d 'Be uid 0 inside'
complete -c ns -n $run_opts -s n -l name -x -d 'Name the instance'
complete -c ns -n $run_opts -l hostname -x -d 'Set the hostname'
complete -c ns -n $run_opts -s w -l workdir -x -a '(__fish_complete_directories)' -d 'Working directory inside'
complete -c ns -n $run_opts -l userns -x -a 'single auto range' -d 'How user ids are mapped'
complete -c ns -n $run_opts -l time -d 'Own clocks, from zero'
complete -c ns -n $run_opts -l net -x -a 'none host pasta slirp4netns' -d 'The network'
complete -c ns -n $run_opts -s p -l publish -x -d 'Publish a port: [IP:]HOSTPORT:PORT[/tcp|/udp]'
complete -c ns -n $run_opts -l share -x -a 'user mnt pid net uts ipc cgroup' -d 'Keep these namespaces of the caller'
complete -c ns -n $run_opts -l cap-add -x -a 'all chown dac_override fowner kill setgid setuid net_bind_service net_admin net_raw sys_chroot sys_ptrace sys_admin sys_nice sys_resource mknod setfcap' -d 'Keep these capabilities'
complete -c ns -n $run_opts -l memory -x -d 'Limit memory (e.g. 512M)'
complete -c ns -n $run_opts -l pids -x -d 'Limit the number of processes'
complete -c ns -n $run_opts -l cpus -x -d 'Limit CPU time (e.g. 0.5)'
complete -c ns -n $run_opts -s h -l help -d 'Display help'
complete -c ns -n '__ns_is run; and __ns_run_is opts' -a '(__fish_complete_command)'
complete -c ns -n '__ns_is run; and __ns_run_is value' -F
complete -c ns -n '__ns_is run; and __ns_run_is cmd-next' -a '(__fish_complete_command)'
complete -c ns -n '__ns_is run; and __ns_run_is args' -F

# ns enter [options] <id> [command [argument...]]: options stop at the id.
function __ns_enter_state
    set -l tokens (commandline -opc)
    set -l i (contains -i -- enter $tokens)
    set -l n (count $tokens)
    set -l j (math $i + 1)
    while test $j -le $n
        switch $tokens[$j]
            case -u --user -w --workdir -e --env --keep --at
                set j (math $j + 1)
            case '-*'
            case '*'
                if test $j -eq $n
                    echo cmd-next
                else
                    echo args
                end
                return
        end
        set j (math $j + 1)
    end
    echo opts
end

set -l enter_opts '__ns_is enter; and test (__ns_enter_state) = opts'
complete -c ns -n $enter_opts -s u -l user -x -d 'Run as this user of the instance'
complete -c ns -n $enter_opts -s w -l workdir -x -d 'Working directory inside'
complete -c ns -n $enter_opts -s e -l env -x -d 'Set a variable: VAR[=VALUE]'
complete -c ns -n $enter_opts -l keep -x -a 'caps cgroup creds lsm env seccomp' -d "Keep ns' own"
complete -c ns -n $enter_opts -l tools -d 'Host tools against the instance'
complete -c ns -n $enter_opts -l at -x -a '(__fish_complete_directories)' -d 'Where --tools mounts its root'
complete -c ns -n $enter_opts -s f -l force -d 'Enter a frozen instance'
complete -c ns -n $enter_opts -s h -l help -d 'Display help'
complete -c ns -n $enter_opts -a '(__ns_instances)'
complete -c ns -n '__ns_is enter; and test (__ns_enter_state) = cmd-next' -a '(__fish_complete_command)'
complete -c ns -n '__ns_is enter; and test (__ns_enter_state) = args' -F

# ns kill [options] <id>, ns kill -l [signal], ns freeze|thaw [options] <id>
function __ns_signals
    set -l bin (__ns_bin)
    command $bin kill -l 2>/dev/null | string split ' '
end
set -l kill_opts '__ns_is kill; and test (__ns_nargs) -eq 0'
complete -c ns -n $kill_opts -s s -l signal -x -a '(__ns_signals)' -d 'The signal to send'
complete -c ns -n $kill_opts -l leader -d 'Signal the leader alone'
complete -c ns -n $kill_opts -s f -l force -d 'Allow the host instance'
complete -c ns -n $kill_opts -s v -l verbose -d 'Say what was signalled'
complete -c ns -n $kill_opts -s l -l list -d 'List the signal names'
complete -c ns -n $kill_opts -s h -l help -d 'Display help'
complete -c ns -n "$kill_opts; and not __fish_seen_argument -s l -l list" -a '(__ns_instances)'
complete -c ns -n "$kill_opts; and __fish_seen_argument -s l -l list" -x -a '(__ns_signals)'
for cmd in freeze thaw
    set -l cond "__ns_is $cmd; and test (__ns_nargs) -eq 0"
    complete -c ns -n $cond -s t -l timeout -x -d 'How long to wait, in seconds'
    complete -c ns -n $cond -s h -l help -d 'Display help'
    complete -c ns -n $cond -a '(__ns_instances)'
end
