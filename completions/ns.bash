# bash completion for ns(1)                                -*- shell-script -*-
#
# Completes the commands, their options, the values of --runtime, comma
# lists of column names for -o/--output, and for commands that take an <id>
# the IDs and names of the instances that exist now, read from
# `ns ls -n -o ID,NAME`: one instance a line, the ID, blanks, then the name
# (which may be empty and, rarely, may hold blanks).
#
# Self-contained: it needs bash 4.2 or later, not the bash-completion
# package's helpers.

_ns_commands='ls ps enter run top kill freeze thaw inspect images help'

# The runtimes --runtime takes, one a line, from the ns binary $1: `ns ls
# --list-runtimes` prints each name (right-aligned) and what it is, from
# ns' own runtime table, so a new runtime needs no edit here.
_ns_runtimes()
{
        command "$1" ls --list-runtimes 2>/dev/null | awk '{ print $1 }'
}

# The columns of a command, the default ones first, as one word a line.
_ns_columns()
{
        case $1 in
        ls)
                printf '%s\n' ID NAME RUNTIME PID NPROCS USER NS COMMAND \
                        RUNTIME_ID IMAGE PPID UID PARENT PRIVATE SHARED \
                        USERNS MNTNS PIDNS NETNS UTSNS IPCNS CGROUPNS TIMENS HEALTH K8SNS
                ;;
        ps)
                printf '%s\n' PID NSPID USER STATE CPU RSS COMMAND \
                        PPID UID THREADS COMM TIME
                ;;
        esac
}

_ns_defaults()
{
        case $1 in
        ls) printf '%s\n' ID NAME RUNTIME PID NPROCS USER NS COMMAND ;;
        ps) printf '%s\n' PID NSPID USER STATE CPU RSS COMMAND ;;
        esac
}

_ns_options()
{
        case $1 in
        ls)
                printf '%s\n' -a --all -J --json -r --raw -n --noheadings \
                        -o --output --output-all -H --list-columns -T --tree \
                        --runtime -N --namespace --list-runtimes -h --help
                ;;
        ps)
                printf '%s\n' -J --json -r --raw -n --noheadings -o --output \
                        --output-all -H --list-columns -N --namespace -h --help
                ;;
        esac
}

# Complete the comma list $2 of columns of command $3. $1 is what stands
# before the list in the word bash replaces ("-o", "--output=" or nothing).
_ns_complete_columns()
{
        local pre=$1 list=$2 cmd=$3 head='' last col
        local -A used=()
        local -a cols

        if [[ $list == *,* ]]; then
                head=${list%,*},
                last=${list##*,}
        else
                last=$list
        fi
        if [[ $list == +* ]]; then
                # "+LIST" adds to the defaults: do not offer them again
                [[ -z $head ]] && head=+ last=${last#+}
                mapfile -t cols < <(_ns_defaults "$cmd")
                for col in "${cols[@]}"; do
                        used[$col]=1
                done
        fi
        IFS=, read -r -a cols <<<"${head#+}"
        for col in "${cols[@]}"; do
                [[ -n $col ]] && used[${col^^}]=1
        done

        mapfile -t cols < <(_ns_columns "$cmd")
        for col in "${cols[@]}"; do
                [[ -n ${used[$col]:-} ]] && continue
                # column names are matched in any case, as ns does
                [[ $col == "${last^^}"* ]] && COMPREPLY+=("$pre$head$col")
        done
        # leave the cursor after the name, where a comma may follow
        compopt -o nospace 2>/dev/null
}

# Complete instance IDs and names matching $2, asking the ns binary $1.
_ns_complete_instances()
{
        local ns=$1 cur=$2 line id name quoted

        while IFS= read -r line; do
                line=${line#"${line%%[![:space:]]*}"}
                id=${line%%[[:space:]]*}
                [[ -z $id ]] && continue
                name=${line:${#id}}
                name=${name#"${name%%[![:space:]]*}"}
                name=${name%"${name##*[![:space:]]}"}
                [[ $id == "$cur"* ]] && COMPREPLY+=("$id")
                [[ -z $name || $name == - ]] && continue
                # the name goes on the command line as it is: quote it
                printf -v quoted '%q' "$name"
                if [[ $name == "$cur"* || $quoted == "$cur"* ]]; then
                        COMPREPLY+=("$quoted")
                fi
        done < <(command "$ns" ls -n -o ID,NAME 2>/dev/null)
}

# ns images [ls|import|pull|rm|prune] [options] [args]: rm takes the images
# ns images ls lists, import and pull a path (or a reference).
_ns_complete_images()
{
        local ns=$1 cur=${COMP_WORDS[COMP_CWORD]} word sub= line
        local -i i

        for ((i = 2; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                case $word in
                --image-cache) i+=1 ;;
                -*) ;;
                *) [[ -z $sub ]] && sub=$word ;;
                esac
        done
        if [[ ${COMP_WORDS[COMP_CWORD - 1]} == --image-cache ]]; then
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return 0
        fi
        if [[ $cur == -* && $sub != pull ]]; then
                mapfile -t COMPREPLY < <(compgen -W '--image-cache -J --json -r --raw -n --noheadings -b --bytes -h --help -V --version' -- "$cur")
                return 0
        fi
        case $sub in
        '')
                mapfile -t COMPREPLY < <(compgen -W 'ls import pull rm prune' -- "$cur")
                ;;
        pull)
                # the registry client's options, else a path (a reference is the user's to type)
                _ns_complete_images_pull
                if [[ ${#COMPREPLY[@]} -eq 0 && $cur != -* && ${COMP_WORDS[COMP_CWORD - 1]} != --platform ]]; then
                        compopt -o filenames 2>/dev/null
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                ;;
        import)
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                ;;
        rm | remove)
                # the first field of the raw listing, which escapes blanks as \x20
                while read -r line _; do
                        line=${line//\\x20/ }
                        [[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
                done < <(command "$ns" images ls -r -n 2>/dev/null)
                ;;
        esac
        return 0
}

# ns images pull [--insecure-registry] [--platform os/arch[/variant]] <ref>:
# the options; a reference is the user's to type.
_ns_complete_images_pull()
{
        local cur=${COMP_WORDS[COMP_CWORD]}

        case ${COMP_WORDS[COMP_CWORD - 1]} in
        --platform)
                mapfile -t COMPREPLY < <(compgen -W 'linux/amd64 linux/arm64 linux/arm/v7 linux/386 linux/ppc64le linux/s390x linux/riscv64' -- "$cur")
                return 0
                ;;
        esac
        [[ $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W '--insecure-registry --platform --help' -- "$cur")
        return 0
}

# ns inspect [options] <id>: -w and -n take a number, then one <id>.
_ns_complete_inspect()
{
        local ns=$1 cur=${COMP_WORDS[COMP_CWORD]} word
        local -i i npos=0

        for ((i = 2; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                case $word in
                -w | --watch | -n | --iterations) i+=1 ;;
                -*) ;;
                *) npos+=1 ;;
                esac
        done
        case ${COMP_WORDS[COMP_CWORD - 1]} in
        -w | --watch | -n | --iterations) return 0 ;;
        esac
        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W '-J --json -w --watch -n --iterations -h --help' -- "$cur")
        elif ((npos == 0)); then
                _ns_complete_instances "$ns" "$cur"
        fi
}

# ns run [options] [--] command [argument...]: the options and their values,
# then a command and its arguments, as for sudo.
_ns_run_opts='--image --read-only --image-cache --entrypoint -e --env --rootfs --map --vol --tmpfs --build -r --root -n --name --hostname -w --workdir --userns --time --net -p --publish --share --cap-add --memory --pids --cpus -h --help'
_ns_run_caps='all chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf checkpoint_restore'

_ns_complete_run()
{
        local cur=${COMP_WORDS[COMP_CWORD]} word opt='' list head
        local -i i runat=0 left=0 cmdat=0

        for ((i = 1; i < COMP_CWORD; i++)); do
                [[ ${COMP_WORDS[i]} == run ]] && runat=i && break
        done
        for ((i = runat + 1; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                # "--net=host" is three words when "=" breaks words
                [[ $word == = ]] && continue
                if ((left > 0)); then
                        left=left-1
                        continue
                fi
                opt=
                case $word in
                --)
                        cmdat=i+1
                        break
                        ;;
                --map | --vol)
                        opt=$word left=2
                        ;;
                --rootfs | --tmpfs | -n | --name | --hostname | -w | --workdir | --userns | --net | \
                        -p | --publish | --share | --cap-add | --memory | --pids | --cpus | --image | --image-cache | --entrypoint | -e | --env)
                        opt=$word left=1
                        ;;
                -*) ;;
                *)
                        cmdat=i
                        break
                        ;;
                esac
        done
        [[ $cur == = ]] && cur=

        if ((cmdat > 0)); then
                if ((COMP_CWORD == cmdat)); then
                        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                return 0
        fi
        if ((left > 0)); then
                case $opt in
                --map | --vol)
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                        ;;
                --rootfs | --tmpfs | -w | --workdir | --image-cache)
                        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                        ;;
                --image)
                        # an archive or an OCI layout; a registry reference is typed
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                        ;;
                --net)
                        mapfile -t COMPREPLY < <(compgen -W 'none host pasta slirp4netns' -- "$cur")
                        ;;
                --userns)
                        mapfile -t COMPREPLY < <(compgen -W 'single auto range' -- "$cur")
                        ;;
                --share | --cap-add)
                        # a comma list: complete its last item
                        head=
                        [[ $cur == *,* ]] && head=${cur%,*},
                        if [[ $opt == --share ]]; then
                                list='user mnt pid net uts ipc cgroup'
                        else
                                list=$_ns_run_caps
                        fi
                        mapfile -t COMPREPLY < <(compgen -P "$head" -W "$list" -- "${cur##*,}")
                        compopt -o nospace 2>/dev/null
                        ;;
                esac
                return 0
        fi
        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$_ns_run_opts" -- "$cur")
        else
                mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        fi
        return 0
}

# ns enter [options] <id> [command [argument...]]: options (stopping at the
# id, as ns does), the instance IDs and names, then a command.
_ns_enter_opts='-u --user -w --workdir -e --env --keep --tools --at -f --force -h --help'

_ns_complete_enter()
{
        local ns=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} word
        local -i i start=0 idpos=0

        for ((i = 1; i < COMP_CWORD; i++)); do
                [[ ${COMP_WORDS[i]} == enter ]] && { start=$((i + 1)); break; }
        done
        # find the id: the first word that is not an option or its value
        for ((i = start; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                case $word in
                -u | --user | -w | --workdir | -e | --env | --keep | --at) i+=1 ;;
                -*) ;;
                *) idpos=$i; break ;;
                esac
        done
        if ((idpos > 0)); then
                # the command and its arguments
                if ((COMP_CWORD == idpos + 1)); then
                        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                return 0
        fi
        case $prev in
        --keep)
                local head='' last=$cur k
                [[ $cur == *,* ]] && head=${cur%,*}, last=${cur##*,}
                for k in caps cgroup creds lsm env seccomp; do
                        [[ ,$head != *,$k,* && $k == "$last"* ]] && COMPREPLY+=("$head$k")
                done
                compopt -o nospace 2>/dev/null
                return 0
                ;;
        -w | --workdir | --at)
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                return 0
                ;;
        -u | --user | -e | --env)
                return 0
                ;;
        esac
        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$_ns_enter_opts" -- "$cur")
                return 0
        fi
        _ns_complete_instances "$ns" "$cur"
}

# ns top [options]: options, instances for -p, runtimes, sort columns.
_ns_top_opts='-d --delay -b --batch -n --iterations -J --json --format --output --listen -p --instance --runtime -N --namespace -a --all -s --sort -I --invert -h --help -V --version'
_ns_top_columns='ID NAME RUNTIME PID PIDS CPU% CPU%LIM MEM MEM% NETRX NETTX IORD IOWR HEALTH UPTIME COMMAND'

_ns_complete_top()
{
        local ns=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} pre='' c

        # "--sort=CPU%" is three words when "=" breaks words
        if [[ $cur == = ]]; then
                cur=
        elif [[ $prev == = ]]; then
                prev=${COMP_WORDS[COMP_CWORD - 2]}
        elif [[ $cur == --*=* ]]; then
                prev=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}
        fi
        case $prev in
        -p | --instance)
                _ns_complete_instances "$ns" "$cur"
                return 0
                ;;
        --runtime)
                local c
                while read -r c; do
                        [[ $c == "$cur"* ]] && COMPREPLY+=("$pre$c")
                done < <(_ns_runtimes "$ns")
                return 0
                ;;
        -s | --sort)
                for c in $_ns_top_columns; do
                        [[ $c == "${cur^^}"* ]] && COMPREPLY+=("$pre$c")
                done
                return 0
                ;;
        --format)
                for c in text json prometheus; do
                        [[ $c == "$cur"* ]] && COMPREPLY+=("$pre$c")
                done
                return 0
                ;;
        --output)
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return 0
                ;;
        -d | --delay | -n | --iterations | --listen)
                return 0
                ;;
        esac
        [[ -z $pre ]] && mapfile -t COMPREPLY < <(compgen -W "$_ns_top_opts" -- "$cur")
        return 0
}

# ns kill [options] <id>, ns kill -l [signal], ns freeze|thaw [options]
# <id>: the options, a signal name after -s (and -l), then one instance.
_ns_complete_act()
{
        local ns=$1 cmd=$2 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} word opts
        local -i i start=0 list=0

        for ((i = 1; i < COMP_CWORD; i++)); do
                [[ ${COMP_WORDS[i]} == "$cmd" ]] && { start=$((i + 1)); break; }
        done
        for ((i = start; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                case $word in
                -s | --signal | -t | --timeout) i+=1 ;;
                -l | --list) list=1 ;;
                -*) ;;
                *) return 0 ;; # the one id is there
                esac
        done
        if [[ $cmd == kill ]] && { [[ $prev == -s || $prev == --signal ]] || ((list)); }; then
                # the names as ns kill -l lists them, in the case typed
                local -a sigs
                mapfile -t sigs < <(command "$ns" kill -l 2>/dev/null | tr ' ' '\n')
                if [[ $cur == [a-z]* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "${sigs[*],,}" -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "${sigs[*]}" -- "$cur")
                fi
                return 0
        fi
        [[ $prev == -t || $prev == --timeout ]] && return 0
        if [[ $cur == -* ]]; then
                if [[ $cmd == kill ]]; then
                        opts='-s --signal --leader -f --force -v --verbose -l --list -h --help'
                else
                        opts='-t --timeout -h --help'
                fi
                mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
                return 0
        fi
        _ns_complete_instances "$ns" "$cur"
}

_ns()
{
        local cur=${COMP_WORDS[COMP_CWORD]} prev='' prev2=''
        local ns=${COMP_WORDS[0]} cmd='' word opt='' val='' pre=''
        local -i i npos=0 optsdone=0
        # short options that take no argument, which may come before o in "-rno"
        local flags='[aJrnTHh]*'

        COMPREPLY=()
        ((COMP_CWORD >= 1)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
        ((COMP_CWORD >= 2)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}

        # Run the binary that is being completed ("./build/ns ps <TAB>") when
        # it was given by a path, else the ns found in PATH.
        [[ $ns == */* && -x $ns && ! -d $ns ]] || ns=ns

        # The command is the first word that is not an option; count the
        # arguments after it, stepping over the values of options.
        for ((i = 1; i < COMP_CWORD; i++)); do
                word=${COMP_WORDS[i]}
                if [[ -z $cmd ]]; then
                        # the global --host-root takes a directory
                        if [[ $word == --host-root ]]; then
                                i+=1
                        elif [[ $word != -* ]]; then
                                cmd=$word
                        fi
                        continue
                fi
                if ((optsdone)); then
                        npos+=1
                        continue
                fi
                case $word in
                --)
                        optsdone=1
                        ;;
                --output | --runtime | --namespace)
                        # "--output=LIST" is three words when "=" breaks words
                        if [[ ${COMP_WORDS[i + 1]:-} == = ]]; then
                                i+=2
                        else
                                i+=1
                        fi
                        ;;
                -*)
                        [[ $word =~ ^-${flags}[oN]$ ]] && i+=1
                        ;;
                *)
                        npos+=1
                        ;;
                esac
        done

        if [[ -z $cmd ]]; then
                if [[ ${COMP_WORDS[COMP_CWORD - 1]} == --host-root ]]; then
                        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                elif [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W '--host-root -h --help -V --version' -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "$_ns_commands" -- "$cur")
                fi
                return 0
        fi

        case $cmd in
        help)
                ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W 'ls ps enter run top kill freeze thaw inspect images' -- "$cur")
                return 0
                ;;
        ls | ps) ;;
        run)
                _ns_complete_run
                return 0
                ;;
        enter)
                _ns_complete_enter "$ns"
                return 0
                ;;
        top)
                _ns_complete_top "$ns"
                return 0
                ;;
        kill | freeze | thaw)
                _ns_complete_act "$ns" "$cmd"
                return 0
                ;;
        inspect)
                _ns_complete_inspect "$ns"
                return 0
                ;;
        images)
                _ns_complete_images "$ns"
                return 0
                ;;
        *)
                return 0
                ;;
        esac

        # The value of an option, in each way it can be written.
        if ((!optsdone)); then
                if [[ $cur == = && ($prev == --output || $prev == --runtime) ]]; then
                        opt=$prev val=
                elif [[ $prev == = && ($prev2 == --output || $prev2 == --runtime) ]]; then
                        opt=$prev2 val=$cur
                elif [[ $cur == --output=* || $cur == --runtime=* ]]; then
                        opt=${cur%%=*} val=${cur#*=} pre=${cur%%=*}=
                elif [[ $cur =~ ^(-${flags}o)(.+)$ ]]; then
                        opt=-o val=${BASH_REMATCH[2]} pre=${BASH_REMATCH[1]}
                elif [[ $prev == --output || $prev == --runtime || $prev =~ ^-${flags}o$ ]]; then
                        opt=$prev val=$cur
                fi
        fi
        case $opt in
        '') ;;
        --runtime)
                [[ $cmd == ls ]] || return 0
                local r
                local -a runtimes
                mapfile -t runtimes < <(_ns_runtimes "$ns")
                for r in "${runtimes[@]}"; do
                        [[ $r == "$val"* ]] && COMPREPLY+=("$pre$r")
                done
                return 0
                ;;
        *)
                _ns_complete_columns "$pre" "$val" "$cmd"
                return 0
                ;;
        esac

        if [[ $cur == -* ]] && ((!optsdone)); then
                mapfile -t COMPREPLY < <(compgen -W "$(_ns_options "$cmd")" -- "$cur")
                return 0
        fi

        if [[ $cmd == ps ]] && ((npos == 0)); then
                _ns_complete_instances "$ns" "$cur"
        fi
        return 0
}

complete -F _ns ns
