# fish completion for nlctl.
# Generated from nlctl's command definitions (src/cli/main.ts) by scripts/gen-docs.mjs; do not edit.
# Families, message types and group names come from `nlctl __complete`, so they follow -f.
# Install: copy to /usr/share/fish/vendor_completions.d/nlctl.fish (or ~/.config/fish/completions/), or
#   nlctl completion fish | source

# Walk the words typed so far (program name excluded) and print the command (the first word that
# is neither an option nor an option's value), then the value of -f/--family if given, as
# "command<TAB>family". Options that take a value: --output --netns --spec --family --groups --pid --rcvbuf --type --flags --on-intr --header --header-hex --attr --attrs --payload --count --timeout --send --input --extra-header,
# short ones -o -n -f -g -t -F -a -c; optional values: --color.
function __nlctl_parse
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l command
    set -l family
    set -l next
    set -l maybe
    for t in $tokens
        if test -n "$next"
            test "$next" = family; and set family $t
            set next
            continue
        end
        if set -q maybe[1]
            set -l was $maybe
            set maybe
            contains -- $t $was; and continue
        end
        switch $t
            case --
                break
            case --family
                set next family
            case '--family=*'
                set family (string replace -- --family= '' $t)
            case --output --netns --spec --groups --pid --rcvbuf --type --flags --on-intr --header --header-hex --attr --attrs --payload --count --timeout --send --input --extra-header
                set next skip
            case --color
                set maybe auto always never
            case '--*'
            case '-?*'
                # one or more short options; the first that takes a value ends the group
                set -l letters (string split '' -- (string sub -s 2 -- $t))
                for i in (seq (count $letters))
                    if contains -- $letters[$i] o n f g t F a c
                        set -l rest (string sub -s (math $i + 2) -- $t)
                        if test -z "$rest"
                            set next skip
                            test $letters[$i] = f; and set next family
                        else if test $letters[$i] = f
                            set family $rest
                        end
                        break
                    end
                end
            case '*'
                test -z "$command"; and set command $t
        end
    end
    printf '%s\t%s\n' "$command" "$family"
end

function __nlctl_command
    set -l c (string split \t -- (__nlctl_parse))[1]
    test -n "$c"; and echo $c
end

function __nlctl_family
    set -l f (string split \t -- (__nlctl_parse))[2]
    test -n "$f"; and echo $f
end

function __nlctl_command_is
    set -l c (__nlctl_command); or return 1
    contains -- $c $argv
end

# True when the command has no positional argument yet.
function __nlctl_no_args
    set -l tokens (commandline -opc)
    set -l i (contains -i -- (__nlctl_command) $tokens)
    test (count $tokens) -eq "$i"
end

# Ask nlctl (the one being completed) for values: nlctl __complete WHAT ARGS. Quiet.
function __nlctl_query
    set -l bin (commandline -opc)[1]
    test -n "$bin"; or set bin nlctl
    set bin (string replace -r '^~/' "$HOME/" -- $bin)
    NLDEBUG= NO_COLOR=1 $bin __complete $argv 2>/dev/null </dev/null
end

function __nlctl_types
    set -l family (__nlctl_family); or return 0
    __nlctl_query types $family
end

function __nlctl_groups
    set -l family (__nlctl_family); or return 0
    __nlctl_query groups $family
end

function __nlctl_flag_names
    printf '%s\n' request multi ack echo dump_intr dump_filtered root match atomic dump replace excl create append nonrec bulk capped ack_tlvs
end

function __nlctl_netns
    set -l token (commandline -ct)
    if string match -q -- '*/*' $token
        __fish_complete_path $token
    else if test -d /run/netns
        for f in /run/netns/*
            printf '%s\tnetwork namespace\n' (string replace /run/netns/ '' -- $f)
        end
    end
end

# No file names unless an argument takes them.
complete -c nlctl -f

# Commands
complete -c nlctl -n 'not __nlctl_command' -a dial -d 'open a socket and report what the kernel granted: port ID, groups, buffer sizes, options'
complete -c nlctl -n 'not __nlctl_command' -a dump -d 'send an NLM_F_DUMP request and stream every reply as it arrives'
complete -c nlctl -n 'not __nlctl_command' -a execute -d 'send one request (ACK asked by default) and print every reply, ACK included'
complete -c nlctl -n 'not __nlctl_command' -a listen -d 'join multicast groups and print every notification until Ctrl-C, --count or --timeout'
complete -c nlctl -n 'not __nlctl_command' -a decode -d 'decode netlink bytes from files or stdin: raw, hex as people paste it, or pcap/pcapng'
complete -c nlctl -n 'not __nlctl_command' -a completion -d 'print the completion script for bash, zsh or fish (the files under completions/)'
complete -c nlctl -n 'not __nlctl_command' -a help -d 'display help for command'

# Options of the program (before or after the command)
complete -c nlctl -s o -l output -x -a 'table json text mnl mnl-annotated' -d 'output format'
complete -c nlctl -s j -l json -d 'same as -o json: NDJSON, one JSON object per line, written as it arrives'
complete -c nlctl -s p -l pretty -d 'indent JSON'
complete -c nlctl -l lossless -d 'JSON: also list every attribute with its type number, flags and bytes (attr_list)'
complete -c nlctl -l color -x -a 'auto always never' -d 'colour: auto, always or never'
complete -c nlctl -s n -l netns -x -a '(__nlctl_netns)' -d 'network namespace: NAME (as ip -n: /run/netns/NAME), a PATH, or a PID'
complete -c nlctl -l spec -x -a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)' -d 'describe the family with a kernel YNL spec (Documentation/netlink/specs/*.yaml)'
complete -c nlctl -s q -l quiet -d 'no status messages on stderr'
complete -c nlctl -s v -l verbose -d 'more detail in error messages'
complete -c nlctl -s V -l version -d 'print the version'
complete -c nlctl -s h -l help -d 'display help for command'

# nlctl dial
complete -c nlctl -n '__nlctl_command_is dial' -s f -l family -x -a '(__nlctl_query families)' -d 'netlink protocol (route, generic, … or 0–31) or generic netlink family name'
complete -c nlctl -n '__nlctl_command_is dial' -s g -l groups -x -a '(__fish_complete_list , __nlctl_groups)' -d 'groups to join: a bitmask (0x1), numbers (1,2,40) or names (link,ipv4-route)'
complete -c nlctl -n '__nlctl_command_is dial' -l pid -x -d 'port ID to bind (default: the kernel picks)'
complete -c nlctl -n '__nlctl_command_is dial' -l rcvbuf -x -d 'receive buffer size (e.g. 4M)'
complete -c nlctl -n '__nlctl_command_is dial' -l no-strict -d 'do not turn on NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK'

# nlctl dump
complete -c nlctl -n '__nlctl_command_is dump' -s f -l family -x -a '(__nlctl_query families)' -d 'netlink protocol or generic netlink family name (or use --spec)'
complete -c nlctl -n '__nlctl_command_is dump' -s t -l type -x -a '(__nlctl_types)' -d 'message type: RTM_GETLINK, getlink, or a number (genl: the command)'
complete -c nlctl -n '__nlctl_command_is dump' -s F -l flags -x -a '(__fish_complete_list , __nlctl_flag_names)' -d 'flags instead of request|dump (names or a number)'
complete -c nlctl -n '__nlctl_command_is dump' -l on-intr -x -a 'retry warn fail' -d 'when the dump is interrupted (NLM_F_DUMP_INTR)'
complete -c nlctl -n '__nlctl_command_is dump' -l header -x -d 'the family header by field, e.g. family=inet (repeatable)'
complete -c nlctl -n '__nlctl_command_is dump' -l header-hex -x -d 'the family header as hex bytes (padded to 4 when attributes follow)'
complete -c nlctl -n '__nlctl_command_is dump' -s a -l attr -x -d 'an attribute: NAME=VALUE (dotted for nests, e.g. linkinfo.kind=veth) or TYPE:KIND=VALUE (kinds: u8…u64, s8…s64, be16…be64, string, hex, flag, ip, mac); repeatable'
complete -c nlctl -n '__nlctl_command_is dump' -l attrs -x -d 'attributes as a JSON object, the shape -j prints as "attrs"'
complete -c nlctl -n '__nlctl_command_is dump' -l payload -x -d 'the whole payload after nlmsghdr as hex (overrides header and attributes)'

# nlctl execute
complete -c nlctl -n '__nlctl_command_is execute' -s f -l family -x -a '(__nlctl_query families)' -d 'netlink protocol or generic netlink family name (or use --spec)'
complete -c nlctl -n '__nlctl_command_is execute' -s t -l type -x -a '(__nlctl_types)' -d 'message type: RTM_NEWLINK, newlink, or a number (genl: the command)'
complete -c nlctl -n '__nlctl_command_is execute' -s F -l flags -x -a '(__fish_complete_list , __nlctl_flag_names)' -d 'flags: names (request, ack, create, excl, replace, append, dump, …) or a number'
complete -c nlctl -n '__nlctl_command_is execute' -l dry-run -d 'print the request instead of sending it'
complete -c nlctl -n '__nlctl_command_is execute' -l header -x -d 'the family header by field, e.g. family=inet (repeatable)'
complete -c nlctl -n '__nlctl_command_is execute' -l header-hex -x -d 'the family header as hex bytes (padded to 4 when attributes follow)'
complete -c nlctl -n '__nlctl_command_is execute' -s a -l attr -x -d 'an attribute: NAME=VALUE (dotted for nests, e.g. linkinfo.kind=veth) or TYPE:KIND=VALUE (kinds: u8…u64, s8…s64, be16…be64, string, hex, flag, ip, mac); repeatable'
complete -c nlctl -n '__nlctl_command_is execute' -l attrs -x -d 'attributes as a JSON object, the shape -j prints as "attrs"'
complete -c nlctl -n '__nlctl_command_is execute' -l payload -x -d 'the whole payload after nlmsghdr as hex (overrides header and attributes)'

# nlctl listen
complete -c nlctl -n '__nlctl_command_is listen' -s f -l family -x -a '(__nlctl_query families)' -d 'netlink protocol or generic netlink family name (or use --spec)'
complete -c nlctl -n '__nlctl_command_is listen' -s g -l groups -x -a '(__fish_complete_list , __nlctl_groups)' -d 'groups: a bitmask (0x1), numbers (1,2,40) or names (link,ipv4-route)'
complete -c nlctl -n '__nlctl_command_is listen' -s c -l count -x -d 'stop after this many messages'
complete -c nlctl -n '__nlctl_command_is listen' -l timeout -x -d 'stop after this long (500ms, 10s, 2m)'
complete -c nlctl -n '__nlctl_command_is listen' -l all-nsid -d 'also receive from every peer namespace with an nsid (NETLINK_LISTEN_ALL_NSID)'
complete -c nlctl -n '__nlctl_command_is listen' -l rcvbuf -x -d 'receive buffer size (default 64M)'
complete -c nlctl -n '__nlctl_command_is listen' -l send -x -d 'once the groups are joined, send a message of this type from the listening socket, built from the request options (for subscriptions such as connector\'s PROC_CN_MCAST_LISTEN)'
complete -c nlctl -n '__nlctl_command_is listen' -l header -x -d 'the family header by field, e.g. family=inet (repeatable)'
complete -c nlctl -n '__nlctl_command_is listen' -l header-hex -x -d 'the family header as hex bytes (padded to 4 when attributes follow)'
complete -c nlctl -n '__nlctl_command_is listen' -s a -l attr -x -d 'an attribute: NAME=VALUE (dotted for nests, e.g. linkinfo.kind=veth) or TYPE:KIND=VALUE (kinds: u8…u64, s8…s64, be16…be64, string, hex, flag, ip, mac); repeatable'
complete -c nlctl -n '__nlctl_command_is listen' -l attrs -x -d 'attributes as a JSON object, the shape -j prints as "attrs"'
complete -c nlctl -n '__nlctl_command_is listen' -l payload -x -d 'the whole payload after nlmsghdr as hex (overrides header and attributes)'

# nlctl decode
complete -c nlctl -n '__nlctl_command_is decode' -s f -l family -x -a '(__nlctl_query families)' -d 'netlink protocol or family of the messages (default: what the input says)'
complete -c nlctl -n '__nlctl_command_is decode' -l input -x -a 'auto raw hex pcap' -d 'input format'
complete -c nlctl -n '__nlctl_command_is decode' -l extra-header -x -d 'family header size for -o mnl (default: chosen per family and message type)'
complete -c nlctl -n '__nlctl_command_is decode' -F

# nlctl completion
complete -c nlctl -n '__nlctl_command_is completion; and __nlctl_no_args' -a 'bash zsh fish'

# nlctl help
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a dial -d 'open a socket and report what the kernel granted: port ID, groups, buffer sizes, options'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a dump -d 'send an NLM_F_DUMP request and stream every reply as it arrives'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a execute -d 'send one request (ACK asked by default) and print every reply, ACK included'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a listen -d 'join multicast groups and print every notification until Ctrl-C, --count or --timeout'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a decode -d 'decode netlink bytes from files or stdin: raw, hex as people paste it, or pcap/pcapng'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a completion -d 'print the completion script for bash, zsh or fish (the files under completions/)'
complete -c nlctl -n '__nlctl_command_is help; and __nlctl_no_args' -a help -d 'display help for command'
