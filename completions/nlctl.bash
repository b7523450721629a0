# bash completion for nlctl.
# Generated from nlctl's command definitions (src/cli/main.ts) by scripts/gen-docs.mjs; do not edit.
# Families, message types and group names come from `nlctl __complete`, so they follow -f.
# Install: copy to /usr/share/bash-completion/completions/nlctl, or run
#   source <(nlctl completion bash)

# The kind of value option $2 of command $1 takes (in REPLY): flag (none), choice:WORDS,
# optional:WORDS (the value may be left out), list:WORDS (comma-separated), families, types,
# groups, netns, file, yaml, text; empty for an unknown option.
_nlctl_kind()
{
    case $1:$2 in
        dial:-f|dial:--family) REPLY='families' ;;
        dial:-g|dial:--groups) REPLY='groups' ;;
        dial:--pid) REPLY='text' ;;
        dial:--rcvbuf) REPLY='text' ;;
        dial:--no-strict) REPLY='flag' ;;
        dial:-h|dial:--help) REPLY='flag' ;;
        dump:-f|dump:--family) REPLY='families' ;;
        dump:-t|dump:--type) REPLY='types' ;;
        dump:-F|dump:--flags) REPLY='list:request multi ack echo dump_intr dump_filtered root match atomic dump replace excl create append nonrec bulk capped ack_tlvs' ;;
        dump:--on-intr) REPLY='choice:retry warn fail' ;;
        dump:--header) REPLY='text' ;;
        dump:--header-hex) REPLY='text' ;;
        dump:-a|dump:--attr) REPLY='text' ;;
        dump:--attrs) REPLY='text' ;;
        dump:--payload) REPLY='text' ;;
        dump:-h|dump:--help) REPLY='flag' ;;
        execute:-f|execute:--family) REPLY='families' ;;
        execute:-t|execute:--type) REPLY='types' ;;
        execute:-F|execute:--flags) REPLY='list:request multi ack echo dump_intr dump_filtered root match atomic dump replace excl create append nonrec bulk capped ack_tlvs' ;;
        execute:--dry-run) REPLY='flag' ;;
        execute:--header) REPLY='text' ;;
        execute:--header-hex) REPLY='text' ;;
        execute:-a|execute:--attr) REPLY='text' ;;
        execute:--attrs) REPLY='text' ;;
        execute:--payload) REPLY='text' ;;
        execute:-h|execute:--help) REPLY='flag' ;;
        listen:-f|listen:--family) REPLY='families' ;;
        listen:-g|listen:--groups) REPLY='groups' ;;
        listen:-c|listen:--count) REPLY='text' ;;
        listen:--timeout) REPLY='text' ;;
        listen:--all-nsid) REPLY='flag' ;;
        listen:--rcvbuf) REPLY='text' ;;
        listen:--send) REPLY='text' ;;
        listen:--header) REPLY='text' ;;
        listen:--header-hex) REPLY='text' ;;
        listen:-a|listen:--attr) REPLY='text' ;;
        listen:--attrs) REPLY='text' ;;
        listen:--payload) REPLY='text' ;;
        listen:-h|listen:--help) REPLY='flag' ;;
        decode:-f|decode:--family) REPLY='families' ;;
        decode:--input) REPLY='choice:auto raw hex pcap' ;;
        decode:--extra-header) REPLY='text' ;;
        decode:-h|decode:--help) REPLY='flag' ;;
        completion:-h|completion:--help) REPLY='flag' ;;
        *:-o|*:--output) REPLY='choice:table json text mnl mnl-annotated' ;;
        *:-j|*:--json) REPLY='flag' ;;
        *:-p|*:--pretty) REPLY='flag' ;;
        *:--lossless) REPLY='flag' ;;
        *:--color) REPLY='optional:auto always never' ;;
        *:-n|*:--netns) REPLY='netns' ;;
        *:--spec) REPLY='yaml' ;;
        *:-q|*:--quiet) REPLY='flag' ;;
        *:-v|*:--verbose) REPLY='flag' ;;
        *:-V|*:--version) REPLY='flag' ;;
        *:-h|*:--help) REPLY='flag' ;;
        *) REPLY= ;;
    esac
}

# The options of command $1, the program's included (in REPLY).
_nlctl_options()
{
    case $1 in
        dial) REPLY='-f --family -g --groups --pid --rcvbuf --no-strict -h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        dump) REPLY='-f --family -t --type -F --flags --on-intr --header --header-hex -a --attr --attrs --payload -h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        execute) REPLY='-f --family -t --type -F --flags --dry-run --header --header-hex -a --attr --attrs --payload -h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        listen) REPLY='-f --family -g --groups -c --count --timeout --all-nsid --rcvbuf --send --header --header-hex -a --attr --attrs --payload -h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        decode) REPLY='-f --family --input --extra-header -h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        completion) REPLY='-h --help -o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version' ;;
        help) REPLY='-o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version -h --help' ;;
        *) REPLY='-o --output -j --json -p --pretty --lossless --color -n --netns --spec -q --quiet -v --verbose -V --version -h --help' ;;
    esac
}

# How the positional arguments of command $1 complete (in REPLY): one/KIND or many/KIND.
_nlctl_args()
{
    case $1 in
        decode) REPLY='many/file' ;;
        completion) REPLY='one/choice:bash zsh fish' ;;
        help) REPLY='one/commands' ;;
        *) REPLY= ;;
    esac
}

# Ask nlctl (the one being completed) for values: nlctl __complete WHAT ARGS. Quiet.
_nlctl_query()
{
    local bin=${COMP_WORDS[0]} value rest
    [[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
    NLDEBUG= NO_COLOR=1 "$bin" __complete "$@" 2>/dev/null </dev/null |
        while IFS=$'\t' read -r value rest; do printf '%s\n' "$value"; done
}

# Add the words in $1 that start with $2 to COMPREPLY, each prefixed by $3.
_nlctl_add()
{
    local IFS=$' \t\n' w
    for w in $1; do
        [[ $w == "$2"* ]] && COMPREPLY+=("$3$w")
    done
}

# File names starting with $1: directories, and files (only those ending in .EXT when $2 is a
# list of extensions, yaml|yml); $3 is what to prefix. bash-completion's _filedir when loaded.
_nlctl_files()
{
    if declare -F _filedir >/dev/null && [[ -z $3 ]]; then
        if [[ -n $2 ]]; then _filedir "@($2)"; else _filedir; fi
        return
    fi
    compopt -o filenames 2>/dev/null
    local f IFS=$'\n'
    for f in $(compgen -f -- "$1"); do
        [[ -d $f || -z $2 || $f == *.@($2) ]] && COMPREPLY+=("$3$f")
    done
}

# Complete the value $2 of an option whose kind is $1; $3 is what to prefix (--opt=).
_nlctl_value()
{
    local kind=$1 cur=$2 pre=$3 head=
    case $kind in
        choice:* | optional:*) _nlctl_add "${kind#*:}" "$cur" "$pre" ;;
        list:* | groups)
            # comma-separated: complete the last item
            [[ $cur == *,* ]] && head=${cur%,*}, && cur=${cur##*,}
            if [[ $kind == groups ]]; then
                [[ -n $_nlctl_family ]] && _nlctl_add "$(_nlctl_query groups "$_nlctl_family")" "$cur" "$pre$head"
            else
                _nlctl_add "${kind#*:}" "$cur" "$pre$head"
            fi
            compopt -o nospace 2>/dev/null
            ;;
        families) _nlctl_add "$(_nlctl_query families)" "$cur" "$pre" ;;
        types) [[ -n $_nlctl_family ]] && _nlctl_add "$(_nlctl_query types "$_nlctl_family")" "$cur" "$pre" ;;
        netns)
            if [[ $cur == */* ]]; then
                _nlctl_files "$cur" '' "$pre"
            else
                local names=
                [[ -d /run/netns ]] && names=$(command ls -1 /run/netns 2>/dev/null)
                _nlctl_add "$names" "$cur" "$pre"
            fi
            ;;
        file) _nlctl_files "$cur" '' "$pre" ;;
        yaml) _nlctl_files "$cur" 'yaml|yml' "$pre" ;;
    esac
}

_nlctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} cmd= opt= pre= REPLY i w c kind
    local _nlctl_family=
    COMPREPLY=()

    # Walk the words before the cursor: find the command and the value of -f/--family.
    local -a ws=("${COMP_WORDS[@]:0:COMP_CWORD}")
    for ((i = 1; i < ${#ws[@]}; i++)); do
        w=${ws[i]}
        case $w in
            --) break ;;
            --*)
                local name=${w%%=*} val=
                _nlctl_kind "$cmd" "$name"
                if [[ $w == *=* ]]; then
                    val=${w#*=}
                elif [[ ${ws[i+1]} == = ]]; then
                    val=${ws[i+2]}
                    ((i += 2))
                elif [[ $REPLY == optional:* ]]; then
                    [[ " ${REPLY#*:} " == *" ${ws[i+1]} "* ]] && val=${ws[i+1]} && ((i++))
                elif [[ -n $REPLY && $REPLY != flag ]]; then
                    val=${ws[i+1]}
                    ((i++))
                fi
                [[ $name == --family ]] && _nlctl_family=$val
                ;;
            -?*)
                # a short option, or several (-jp), the last of which may take a value (-ft route, -froute)
                for ((c = 1; c < ${#w}; c++)); do
                    _nlctl_kind "$cmd" "-${w:c:1}"
                    [[ $REPLY == flag || -z $REPLY ]] && continue
                    local val=${w:c+1}
                    if [[ -z $val ]]; then
                        val=${ws[i+1]}
                        ((i++))
                    fi
                    [[ ${w:c:1} == f ]] && _nlctl_family=$val
                    break
                done
                ;;
            *) [[ -z $cmd ]] && cmd=$w ;;
        esac
    done

    # The value of an option: after "-o", "--output", "--output=" (= may be a word of its own).
    if [[ $cur == = && $COMP_CWORD -ge 2 ]]; then
        opt=${COMP_WORDS[COMP_CWORD-1]} cur=
    elif [[ ${COMP_WORDS[COMP_CWORD-1]} == = && $COMP_CWORD -ge 3 ]]; then
        opt=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $cur == --*=* ]]; then
        opt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}
    elif [[ $cur == -[!-]?* ]]; then
        # an attached short value: -troute, -jfrou
        for ((c = 1; c < ${#cur}; c++)); do
            _nlctl_kind "$cmd" "-${cur:c:1}"
            [[ $REPLY == flag ]] && continue
            [[ -n $REPLY ]] && opt=-${cur:c:1} pre=${cur:0:c+1} cur=${cur:c+1}
            break
        done
    elif ((COMP_CWORD > 1)); then
        w=${COMP_WORDS[COMP_CWORD-1]}
        if [[ $w == --* ]]; then
            opt=$w
        elif [[ $w == -?* ]]; then
            # the last of a group of short options takes the value: -jf <TAB>
            opt=-${w: -1}
        fi
    fi
    if [[ -n $opt ]]; then
        _nlctl_kind "$cmd" "$opt"
        if [[ -n $REPLY && $REPLY != flag ]]; then
            _nlctl_value "$REPLY" "$cur" "$pre"
            return 0
        fi
    fi

    if [[ $cur == -* ]]; then
        _nlctl_options "$cmd"
        _nlctl_add "$REPLY" "$cur" ''
        return 0
    fi
    if [[ -z $cmd ]]; then
        _nlctl_add 'dial dump execute listen decode completion help' "$cur" ''
        return 0
    fi
    _nlctl_args "$cmd"
    case $REPLY in
        one/*)
            # only the first positional argument
            local n=0
            for ((i = 1; i < COMP_CWORD; i++)); do [[ ${COMP_WORDS[i]} == "$cmd" ]] && n=$i && break; done
            ((COMP_CWORD == n + 1)) || return 0
            ;;
    esac
    case ${REPLY#*/} in
        commands) _nlctl_add 'dial dump execute listen decode completion help' "$cur" '' ;;
        choice:*) _nlctl_add "${REPLY#*/choice:}" "$cur" '' ;;
        file) _nlctl_files "$cur" '' '' ;;
    esac
    return 0
}

complete -F _nlctl nlctl
