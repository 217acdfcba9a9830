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
            case -o --output --runtime
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
        else if test $seen -eq 0
            string match -q -- '-*' $t; or set seen 1
        else
            switch $t
                case --
                    set optsdone 1
                case -o --output --runtime
                    set skip 1
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
                TIMENS\t'time namespace inode'
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

function __ns_runtimes
    printf '%s\t%s\n' \
        docker Docker \
        podman Podman \
        containerd containerd \
        cri-o CRI-O \
        kubernetes 'Kubernetes, runtime unknown' \
        lxc 'LXC, LXD or Incus' \
        nspawn systemd-nspawn \
        runc 'runc on its own' \
        crun 'crun on its own' \
        flatpak Flatpak \
        snap snap \
        firejail firejail \
        bwrap 'bubblewrap on its own' \
        ns 'started by ns' \
        unshare 'unshare(1)' \
        netns 'ip netns exec' \
        garden 'Garden (Cloud Foundry)' \
        host 'the host instance' \
        - unknown
end

complete -c ns -f

# before the command
complete -c ns -n 'not __ns_command' -s h -l help -d 'Display help'
complete -c ns -n 'not __ns_command' -s V -l version -d 'Display version'
complete -c ns -n 'not __ns_command' -a ls -d 'List every instance on the host'
complete -c ns -n 'not __ns_command' -a ps -d 'List the processes of one instance'
complete -c ns -n 'not __ns_command' -a help -d 'Show the help of a command'

# ns help <command>
complete -c ns -n '__ns_is help; and test (__ns_nargs) -eq 0' -a 'ls ps'

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

# ns ps <id>
complete -c ns -n '__ns_is ps; and test (__ns_nargs) -eq 0' -a '(__ns_instances)'
