// Shell completion, generated from the commander program the parser uses (buildProgram), so
// the scripts cannot drift from the options: bash, zsh and fish scripts with the commands,
// options and fixed choices baked in, plus `nlctl __complete`, which the scripts call for
// values that depend on the system or on -f (families, message types, group names).
// scripts/gen-docs.mjs writes the scripts to completions/; `nlctl completion SHELL` prints them.
import { Help, type Argument, type Command, type Option } from 'commander';
import { flagNames, type FlagContext } from '../netlink/message.js';

/** What an option's value (or a positional argument) is completed with. */
export type ValueKind =
  | 'none' // the option takes no value
  | 'choices' // a fixed list (choices)
  | 'families' // netlink protocols and generic netlink families (nlctl __complete families)
  | 'types' // message types of the family given with -f (nlctl __complete types FAMILY)
  | 'groups' // comma-separated multicast groups of that family (nlctl __complete groups FAMILY)
  | 'flags' // comma-separated nlmsg_flags names (choices)
  | 'netns' // network namespace names from /run/netns (or a path)
  | 'file' // any file
  | 'yaml' // a YAML file
  | 'commands' // a command name (help)
  | 'text'; // free text: nothing to offer

/** One option, as the completion scripts and the man page need it. */
export interface OptionSpec {
  /** `-o` (or undefined). */
  short?: string;
  /** `--output` (or undefined). */
  long?: string;
  /** The flags as commander shows them: `-o, --output <format>`. */
  flags: string;
  description: string;
  /** Whether it takes a value, and whether the value may be left out (`--color [when]`). */
  value: 'none' | 'required' | 'optional';
  /** The value's name in the synopsis (`format`). */
  valueName?: string;
  kind: ValueKind;
  /** The words offered for kinds choices and flags. */
  choices: string[];
  /** Default and preset (the value of a bare optional option), as shown in help. */
  defaultValue?: string;
  preset?: string;
  /** Given with requiredOption(): the command needs it. */
  mandatory: boolean;
  /** May be given more than once (its description says "repeatable"). */
  repeatable: boolean;
}

/** A positional argument. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  kind: ValueKind;
  choices: string[];
}

/** One command: its own options (the program's options apply to every command too). */
export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  args: ArgumentSpec[];
}

/** The whole command line. */
export interface CliSpec {
  name: string;
  description: string;
  /** The program's options: valid before and after the command. */
  global: OptionSpec[];
  /** Visible commands in definition order, help included. */
  commands: CommandSpec[];
}

/** Values that follow from an option's meaning, by its attribute name (-f → family). */
const KIND_BY_ATTRIBUTE: Readonly<Record<string, ValueKind>> = {
  family: 'families',
  type: 'types',
  groups: 'groups',
  flags: 'flags',
  netns: 'netns',
  spec: 'yaml',
};

/** Every nlmsg_flags name -F accepts, from the names the decoder gives bits in each context. */
export function flagWords(): string[] {
  const out = new Set<string>();
  const contexts: FlagContext[] = [undefined, 'get', 'new', 'del', 'ack'];
  for (const ctx of contexts) {
    for (let bit = 0; bit < 12; bit++) for (const n of flagNames(1 << bit, ctx)) if (!n.startsWith('0x')) out.add(n);
    for (const n of flagNames(0x300, ctx)) if (!n.startsWith('0x')) out.add(n); // "dump" (root|match)
  }
  return [...out];
}

function optionSpec(o: Option): OptionSpec {
  const value = o.required ? 'required' : o.optional ? 'optional' : 'none';
  const choices = o.argChoices ? [...o.argChoices] : [];
  let kind: ValueKind = value === 'none' ? 'none' : choices.length ? 'choices' : KIND_BY_ATTRIBUTE[o.attributeName()] ?? 'text';
  if (kind === 'flags') choices.push(...flagWords());
  const show = (v: unknown) => (v === undefined || typeof v === 'boolean' ? undefined : Array.isArray(v) ? undefined : String(v));
  return {
    short: o.short,
    long: o.long,
    flags: o.flags,
    description: o.description,
    value,
    valueName: /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1],
    kind,
    choices,
    defaultValue: show(o.defaultValue),
    preset: show(o.presetArg),
    mandatory: o.mandatory,
    repeatable: /\brepeatable\b/.test(o.description),
  };
}

function argumentSpec(a: Argument, command: string): ArgumentSpec {
  const choices = a.argChoices ? [...a.argChoices] : [];
  const kind: ValueKind = choices.length ? 'choices' : command === 'help' ? 'commands' : command === 'decode' ? 'file' : 'text';
  // commander's own help command gives its argument no description
  const description = a.description || (command === 'help' ? 'the command to describe' : '');
  return { name: a.name(), description, required: a.required, variadic: a.variadic, kind, choices };
}

/** The command line as data: what the completion scripts and the man page are made from. */
export function describeCli(program: Command): CliSpec {
  const help: Help = program.createHelp();
  const commands = help.visibleCommands(program).map((cmd) => ({
    name: cmd.name(),
    description: cmd.description(),
    options: help.visibleOptions(cmd).map(optionSpec),
    args: cmd.registeredArguments.map((a) => argumentSpec(a, cmd.name())),
  }));
  return {
    name: program.name(),
    description: program.description(),
    global: help.visibleOptions(program).map(optionSpec),
    commands,
  };
}

// ---------------------------------------------------------------------------------------------
// The dynamic half: `nlctl __complete WHAT [ARGS]`.

/**
 * Print completion values for the scripts, one per line as VALUE<TAB>DESCRIPTION:
 *   families       netlink protocols, described families and the kernel's generic netlink families
 *   types FAMILY   message types of FAMILY (getlink …)
 *   groups FAMILY  multicast groups of FAMILY (link, ipv4-route …; the kernel's for generic netlink)
 *   flags          nlmsg_flags names
 * Never prints an error and always exits 0: an unknown question or family gets no lines.
 */
export async function complete(what: string, args: string[], write: (text: string) => void = (t) => void process.stdout.write(t)): Promise<void> {
  // A debugging aid must not write into the user's command line while they press TAB.
  delete process.env.NLDEBUG;
  let lines: string[] = [];
  try {
    if (what === 'families') lines = await familyLines();
    else if (what === 'types' && args[0]) lines = await typeLines(args[0]);
    else if (what === 'groups' && args[0]) lines = await groupLines(args[0]);
    else if (what === 'flags') lines = flagWords();
  } catch {
    lines = [];
  }
  process.exitCode = 0;
  if (lines.length) write(lines.join('\n') + '\n');
}

async function familyLines(): Promise<string[]> {
  const { PROTOCOLS, describedFamilies, loadFamily } = await import('../families/index.js');
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (name: string, what: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push(`${name}\t${what}`);
  };
  for (const [name, n] of Object.entries(PROTOCOLS)) if (name !== 'unused') add(name, `netlink protocol ${n}`);
  for (const name of describedFamilies()) if ((await loadFamily(name))?.protocol === 16) add(name, 'generic netlink family');
  for (const name of await liveGenlFamilies()) add(name, 'generic netlink family');
  return out;
}

/** Names of the kernel's generic netlink families, or none when it cannot be asked quickly. */
async function liveGenlFamilies(): Promise<string[]> {
  try {
    const { dial } = await import('../netlink/conn.js');
    const { listFamilies } = await import('../netlink/genl.js');
    const conn = dial(16, { strict: false });
    try {
      return (await listFamilies(conn, { timeout: 1000 })).map((f) => f.name);
    } finally {
      conn.close();
    }
  } catch {
    return [];
  }
}

async function typeLines(family: string): Promise<string[]> {
  const { resolveTarget } = await import('./resolve.js');
  const t = await resolveTarget(family, undefined, { offline: true });
  return (t.family?.messages ?? []).map((m) => `${m.name}\t${m.constant}`);
}

async function groupLines(family: string): Promise<string[]> {
  const { resolveTarget } = await import('./resolve.js');
  const offline = await resolveTarget(family, undefined, { offline: true }).catch(() => undefined);
  let groups = offline?.family?.groups ?? [];
  // A generic netlink family's groups are the kernel's (IDs are given out at run time).
  const isGenlFamily = offline === undefined || (offline.protocol === 16 && offline.family !== undefined);
  if (isGenlFamily) {
    try {
      groups = (await resolveTarget(family, undefined)).family?.groups ?? groups;
    } catch {
      // no kernel to ask: what the description says
    }
  }
  return groups.map((g) => `${g.name}\t${g.constant ?? `group ${g.value}`}`);
}

// ---------------------------------------------------------------------------------------------
// The static half: the scripts.

/** The completion script for `shell`. */
export function completionScript(shell: 'bash' | 'zsh' | 'fish', program: Command): string {
  const cli = describeCli(program);
  if (shell === 'bash') return bashScript(cli);
  if (shell === 'zsh') return zshScript(cli);
  return fishScript(cli);
}

/** `nlctl completion SHELL`: print the script (a closed pipe ends quietly). */
export function printCompletion(shell: 'bash' | 'zsh' | 'fish', program: Command): void {
  process.stdout.on('error', () => {});
  process.stdout.write(completionScript(shell, program));
}

const HEADER = (shell: string, install: string[]) =>
  [
    `# ${shell} completion for nlctl.`,
    "# Generated from nlctl's command definitions (src/cli/main.ts) by scripts/gen-docs.mjs; do not edit.",
    "# Families, message types and group names come from `nlctl __complete`, so they follow -f.",
    ...install.map((l) => `# ${l}`),
  ].join('\n');

/** All option words of a list. */
function words(opts: readonly OptionSpec[]): string[] {
  return opts.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined));
}

/** The program's options that a command does not define itself (its own -h wins). */
function inherited(c: CommandSpec, cli: CliSpec): OptionSpec[] {
  const own = new Set(words(c.options));
  return cli.global.filter((o) => !words([o]).some((w) => own.has(w)));
}

/** Every option word valid after command `c`: its own, then the program's. */
function commandWords(c: CommandSpec, cli: CliSpec): string[] {
  return [...words(c.options), ...words(inherited(c, cli))];
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// --- bash ------------------------------------------------------------------------------------

function bashKind(o: OptionSpec): string {
  if (o.value === 'none') return 'flag';
  if (o.kind === 'choices') return `${o.value === 'optional' ? 'optional' : 'choice'}:${o.choices.join(' ')}`;
  if (o.kind === 'flags') return `list:${o.choices.join(' ')}`;
  return o.kind;
}

function bashScript(cli: CliSpec): string {
  const kindCases: string[] = [];
  const pattern = (cmd: string, o: OptionSpec) => words([o]).map((w) => `${cmd}:${w}`).join('|');
  for (const c of cli.commands) for (const o of c.options) kindCases.push(`        ${pattern(c.name, o)}) REPLY=${shq(bashKind(o))} ;;`);
  for (const o of cli.global) kindCases.push(`        ${pattern('*', o)}) REPLY=${shq(bashKind(o))} ;;`);
  const optionCases = cli.commands.map((c) => `        ${c.name}) REPLY=${shq(commandWords(c, cli).join(' '))} ;;`);
  const argCases = cli.commands
    .filter((c) => c.args.length)
    .map((c) => {
      const a = c.args[0]!;
      const value = a.kind === 'choices' ? `choice:${a.choices.join(' ')}` : a.kind;
      return `        ${c.name}) REPLY=${shq(`${a.variadic ? 'many' : 'one'}/${value}`)} ;;`;
    });
  const commands = cli.commands.map((c) => c.name).join(' ');
  return `${HEADER('bash', ['Install: copy to /usr/share/bash-completion/completions/nlctl, or run', '  source <(nlctl completion bash)'])}

# The kind of value option $2 of command $1 takes (in REPLY): flag (none), choice:WORDS,
# optional:WORDS (the value may be left out), list:WORDS (comma-separated), families, types,
# groups, netns, file, yaml, text; empty for an unknown option.
_nlctl_kind()
{
    case $1:$2 in
${kindCases.join('\n')}
        *) REPLY= ;;
    esac
}

# The options of command $1, the program's included (in REPLY).
_nlctl_options()
{
    case $1 in
${optionCases.join('\n')}
        *) REPLY=${shq(words(cli.global).join(' '))} ;;
    esac
}

# How the positional arguments of command $1 complete (in REPLY): one/KIND or many/KIND.
_nlctl_args()
{
    case $1 in
${argCases.join('\n')}
        *) REPLY= ;;
    esac
}

# Ask nlctl (the one being completed) for values: nlctl __complete WHAT ARGS. Quiet.
_nlctl_query()
{
    local bin=\${COMP_WORDS[0]} value rest
    [[ $bin == "~/"* ]] && bin=$HOME/\${bin#"~/"}
    NLDEBUG= NO_COLOR=1 "$bin" __complete "$@" 2>/dev/null </dev/null |
        while IFS=$'\\t' read -r value rest; do printf '%s\\n' "$value"; done
}

# Add the words in $1 that start with $2 to COMPREPLY, each prefixed by $3.
_nlctl_add()
{
    local IFS=$' \\t\\n' w
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
    local f IFS=$'\\n'
    for f in $(compgen -f -- "$1"); do
        [[ -d $f || -z $2 || $f == *.@($2) ]] && COMPREPLY+=("$3$f")
    done
}

# Complete the value $2 of an option whose kind is $1; $3 is what to prefix (--opt=).
_nlctl_value()
{
    local kind=$1 cur=$2 pre=$3 head=
    case $kind in
        choice:* | optional:*) _nlctl_add "\${kind#*:}" "$cur" "$pre" ;;
        list:* | groups)
            # comma-separated: complete the last item
            [[ $cur == *,* ]] && head=\${cur%,*}, && cur=\${cur##*,}
            if [[ $kind == groups ]]; then
                [[ -n $_nlctl_family ]] && _nlctl_add "$(_nlctl_query groups "$_nlctl_family")" "$cur" "$pre$head"
            else
                _nlctl_add "\${kind#*:}" "$cur" "$pre$head"
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
    local cur=\${COMP_WORDS[COMP_CWORD]} cmd= opt= pre= REPLY i w c kind
    local _nlctl_family=
    COMPREPLY=()

    # Walk the words before the cursor: find the command and the value of -f/--family.
    local -a ws=("\${COMP_WORDS[@]:0:COMP_CWORD}")
    for ((i = 1; i < \${#ws[@]}; i++)); do
        w=\${ws[i]}
        case $w in
            --) break ;;
            --*)
                local name=\${w%%=*} val=
                _nlctl_kind "$cmd" "$name"
                if [[ $w == *=* ]]; then
                    val=\${w#*=}
                elif [[ \${ws[i+1]} == = ]]; then
                    val=\${ws[i+2]}
                    ((i += 2))
                elif [[ $REPLY == optional:* ]]; then
                    [[ " \${REPLY#*:} " == *" \${ws[i+1]} "* ]] && val=\${ws[i+1]} && ((i++))
                elif [[ -n $REPLY && $REPLY != flag ]]; then
                    val=\${ws[i+1]}
                    ((i++))
                fi
                [[ $name == --family ]] && _nlctl_family=$val
                ;;
            -?*)
                # a short option, or several (-jp), the last of which may take a value (-ft route, -froute)
                for ((c = 1; c < \${#w}; c++)); do
                    _nlctl_kind "$cmd" "-\${w:c:1}"
                    [[ $REPLY == flag || -z $REPLY ]] && continue
                    local val=\${w:c+1}
                    if [[ -z $val ]]; then
                        val=\${ws[i+1]}
                        ((i++))
                    fi
                    [[ \${w:c:1} == f ]] && _nlctl_family=$val
                    break
                done
                ;;
            *) [[ -z $cmd ]] && cmd=$w ;;
        esac
    done

    # The value of an option: after "-o", "--output", "--output=" (= may be a word of its own).
    if [[ $cur == = && $COMP_CWORD -ge 2 ]]; then
        opt=\${COMP_WORDS[COMP_CWORD-1]} cur=
    elif [[ \${COMP_WORDS[COMP_CWORD-1]} == = && $COMP_CWORD -ge 3 ]]; then
        opt=\${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $cur == --*=* ]]; then
        opt=\${cur%%=*} pre=\${cur%%=*}= cur=\${cur#*=}
    elif [[ $cur == -[!-]?* ]]; then
        # an attached short value: -troute, -jfrou
        for ((c = 1; c < \${#cur}; c++)); do
            _nlctl_kind "$cmd" "-\${cur:c:1}"
            [[ $REPLY == flag ]] && continue
            [[ -n $REPLY ]] && opt=-\${cur:c:1} pre=\${cur:0:c+1} cur=\${cur:c+1}
            break
        done
    elif ((COMP_CWORD > 1)); then
        w=\${COMP_WORDS[COMP_CWORD-1]}
        if [[ $w == --* ]]; then
            opt=$w
        elif [[ $w == -?* ]]; then
            # the last of a group of short options takes the value: -jf <TAB>
            opt=-\${w: -1}
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
        _nlctl_add ${shq(commands)} "$cur" ''
        return 0
    fi
    _nlctl_args "$cmd"
    case $REPLY in
        one/*)
            # only the first positional argument
            local n=0
            for ((i = 1; i < COMP_CWORD; i++)); do [[ \${COMP_WORDS[i]} == "$cmd" ]] && n=$i && break; done
            ((COMP_CWORD == n + 1)) || return 0
            ;;
    esac
    case \${REPLY#*/} in
        commands) _nlctl_add ${shq(commands)} "$cur" '' ;;
        choice:*) _nlctl_add "\${REPLY#*/choice:}" "$cur" '' ;;
        file) _nlctl_files "$cur" '' '' ;;
    esac
    return 0
}

complete -F _nlctl nlctl
`;
}

// --- zsh -------------------------------------------------------------------------------------

/** Text inside an _arguments explanation ([…]) or a _describe description. */
const zdesc = (s: string) => s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');

function zshAction(kind: ValueKind, choices: readonly string[]): string {
  switch (kind) {
    case 'choices':
      return `(${choices.join(' ')})`;
    case 'flags':
      return `_values -s , flag ${choices.join(' ')}`;
    case 'families':
      return '_nlctl_families';
    case 'types':
      return '_nlctl_types';
    case 'groups':
      return '_nlctl_groups';
    case 'netns':
      return '_nlctl_netns';
    case 'file':
      return '_files';
    case 'yaml':
      return "_files -g '*.(yaml|yml)'";
    case 'commands':
      return '_nlctl_commands';
    default:
      return ' ';
  }
}

function zshOption(o: OptionSpec): string {
  const names = words([o]);
  const exclusive = names.length > 1 ? `(${names.join(' ')})` : '';
  const prefix = o.repeatable ? '*' : exclusive;
  const arg =
    o.value === 'none'
      ? ''
      : // an optional value (--color [when]) is completed like a required one: commander takes
        // the next word as the value anyway
        `:${zdesc(o.valueName ?? 'value')}:${zshAction(o.kind, o.choices)}`;
  const suffix = (n: string) => (o.value === 'none' ? '' : n.startsWith('--') ? '=' : '+');
  const desc = `[${zdesc(o.description)}]`;
  const body = (n: string) => `${n}${suffix(n)}${desc}${arg}`;
  if (names.length === 1) return shq(`${prefix}${body(names[0]!)}`);
  // '(-o --output)'{-o+,--output=}'[…]:format:(…)' — brace expansion gives one spec per name
  return `${shq(prefix)}{${names.map((n) => `${n}${suffix(n)}`).join(',')}}${shq(desc + arg)}`;
}

function zshScript(cli: CliSpec): string {
  const cmdList = cli.commands.map((c) => `        ${shq(`${c.name}:${zdesc(c.description)}`)}`).join('\n');
  const global = cli.global.map((o) => `        ${zshOption(o)}`).join('\n');
  const own = new Set(cli.commands.flatMap((c) => words(c.options)));
  const common = cli.global.filter((o) => !words([o]).some((w) => own.has(w))).map((o) => `        ${zshOption(o)}`).join('\n');
  const cases = cli.commands
    .map((c) => {
      const specs = c.options.map((o) => `                ${zshOption(o)}`);
      for (const a of c.args) {
        const spec = `${a.variadic ? '*' : a.required ? '' : ':'}:${zdesc(a.name)}:${zshAction(a.kind, a.choices)}`;
        specs.push(`                ${shq(spec)}`);
      }
      // the program's options this command does not redefine but some other command does
      const ownByAny = (o: OptionSpec) => words([o]).some((w) => own.has(w));
      for (const o of inherited(c, cli).filter(ownByAny)) specs.unshift(`                ${zshOption(o)}`);
      return `        (${c.name})\n            _arguments -s -S $common \\\n${specs.join(' \\\n')} && ret=0\n            ;;`;
    })
    .join('\n');
  return `#compdef nlctl
${HEADER('zsh', ['Install: copy to a directory in $fpath as _nlctl (e.g. /usr/share/zsh/vendor-completions), or', '  source <(nlctl completion zsh)   (after compinit)'])}

# Ask nlctl (the one being completed) for values: nlctl __complete WHAT ARGS. Quiet.
_nlctl_query() {
    local bin=\${_nlctl_bin:-nlctl}
    NLDEBUG= NO_COLOR=1 $bin __complete "$@" 2>/dev/null </dev/null
}

# VALUE<TAB>DESCRIPTION lines from _nlctl_query as _describe items.
_nlctl_items() {
    local line
    reply=()
    for line in \${(f)"$(_nlctl_query "$@")"}; do
        reply+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    done
}

_nlctl_family() {
    REPLY=\${opt_args[-f]:-\${opt_args[--family]}}
}

_nlctl_families() {
    local -a reply
    _nlctl_items families
    _describe -t families 'netlink family' reply
}

_nlctl_types() {
    local REPLY; local -a reply
    _nlctl_family
    [[ -n $REPLY ]] || { _message 'message type (give -f FAMILY first)'; return 1; }
    _nlctl_items types $REPLY
    _describe -t types 'message type' reply
}

_nlctl_groups() {
    local REPLY line; local -a reply groups
    _nlctl_family
    [[ -n $REPLY ]] || { _message 'groups (give -f FAMILY first)'; return 1; }
    for line in \${(f)"$(_nlctl_query groups $REPLY)"}; do
        groups+=("\${line%%$'\\t'*}[\${line#*$'\\t'}]")
    done
    (( $#groups )) || { _message 'group numbers or a bitmask'; return 1; }
    _values -s , group $groups
}

_nlctl_netns() {
    local -a names
    if [[ $PREFIX == */* ]]; then
        _files
    else
        names=(/run/netns/*(N:t))
        _describe -t namespaces 'network namespace' names
    fi
}

_nlctl_commands() {
    local -a commands
    commands=(
${cmdList}
    )
    _describe -t commands 'nlctl command' commands
}

_nlctl() {
    local curcontext=$curcontext state state_descr line ret=1
    local _nlctl_bin=\${words[1]/#\\~/$HOME}
    local -A opt_args
    local -a global common
    global=(
${global}
    )
    # the program's options that no command redefines (every command has its own -h)
    common=(
${common}
    )
    _arguments -C -s -S $global ': :_nlctl_commands' '*:: :->command' && ret=0
    if [[ $state == command ]]; then
        curcontext=\${curcontext%:*:*}:nlctl-$words[1]:
        case $words[1] in
${cases}
        esac
    fi
    return ret
}

if [[ $funcstack[1] == _nlctl ]]; then
    _nlctl "$@"
else
    compdef _nlctl nlctl
fi
`;
}

// --- fish ------------------------------------------------------------------------------------

const fishq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishAction(kind: ValueKind, choices: readonly string[]): string {
  switch (kind) {
    case 'choices':
      return `-a ${fishq(choices.join(' '))}`;
    case 'flags':
      return `-a '(__fish_complete_list , __nlctl_flag_names)'`;
    case 'families':
      return `-a '(__nlctl_query families)'`;
    case 'types':
      return `-a '(__nlctl_types)'`;
    case 'groups':
      return `-a '(__fish_complete_list , __nlctl_groups)'`;
    case 'netns':
      return `-a '(__nlctl_netns)'`;
    case 'yaml':
      return `-a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)'`;
    default:
      return '';
  }
}

function fishOption(o: OptionSpec, condition: string): string {
  const parts = ['complete -c nlctl'];
  if (condition) parts.push(`-n ${fishq(condition)}`);
  if (o.short) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long) parts.push(`-l ${o.long.slice(2)}`);
  if (o.value !== 'none') {
    // An optional value (--color [when]) is completed like a required one: commander takes the
    // next word as the value anyway.
    parts.push(o.kind === 'file' ? '-r -F' : '-x');
    const action = fishAction(o.kind, o.choices);
    if (action) parts.push(action);
  }
  parts.push(`-d ${fishq(o.description)}`);
  return parts.join(' ');
}

function fishScript(cli: CliSpec): string {
  const all = [...cli.global, ...cli.commands.flatMap((c) => c.options)];
  const longRequired = [...new Set(all.filter((o) => o.value === 'required' && o.long).map((o) => o.long!))];
  const shortRequired = [...new Set(all.filter((o) => o.value === 'required' && o.short).map((o) => o.short!.slice(1)))];
  const optional = all.filter((o) => o.value === 'optional');
  const flagNamesList = [...new Set(all.filter((o) => o.kind === 'flags').flatMap((o) => o.choices))];
  const optionalCases = optional
    .map((o) => `            case ${words([o]).join(' ')}\n                set maybe ${o.choices.join(' ')}`)
    .join('\n');
  const lines: string[] = [];
  lines.push('# Commands');
  for (const c of cli.commands) lines.push(`complete -c nlctl -n 'not __nlctl_command' -a ${c.name} -d ${fishq(c.description)}`);
  lines.push('', '# Options of the program (before or after the command)');
  for (const o of cli.global) lines.push(fishOption(o, ''));
  const globalWords = new Set(words(cli.global));
  for (const c of cli.commands) {
    lines.push('', `# nlctl ${c.name}`);
    for (const o of c.options) if (!words([o]).every((w) => globalWords.has(w))) lines.push(fishOption(o, `__nlctl_command_is ${c.name}`));
    const a = c.args[0];
    if (a) {
      const cond = a.variadic ? `__nlctl_command_is ${c.name}` : `__nlctl_command_is ${c.name}; and __nlctl_no_args`;
      if (a.kind === 'commands') {
        for (const x of cli.commands) lines.push(`complete -c nlctl -n ${fishq(cond)} -a ${x.name} -d ${fishq(x.description)}`);
      } else if (a.kind === 'file') {
        lines.push(`complete -c nlctl -n ${fishq(cond)} -F`);
      } else if (a.kind === 'choices') {
        lines.push(`complete -c nlctl -n ${fishq(cond)} -a ${fishq(a.choices.join(' '))}`);
      }
    }
  }
  return `${HEADER('fish', ['Install: copy to /usr/share/fish/vendor_completions.d/nlctl.fish (or ~/.config/fish/completions/), or', '  nlctl completion fish | source'])}

# Walk the words typed so far (program name excluded) and print the command (the first word that
# is neither an option nor an option's value), then the value of -f/--family if given, as
# "command<TAB>family". Options that take a value: ${[...longRequired].join(' ')},
# short ones ${shortRequired.map((x) => '-' + x).join(' ')}; optional values: ${words(optional).join(' ')}.
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
            case ${longRequired.filter((l) => l !== '--family').join(' ')}
                set next skip
${optionalCases}
            case '--*'
            case '-?*'
                # one or more short options; the first that takes a value ends the group
                set -l letters (string split '' -- (string sub -s 2 -- $t))
                for i in (seq (count $letters))
                    if contains -- $letters[$i] ${shortRequired.join(' ')}
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
    printf '%s\\t%s\\n' "$command" "$family"
end

function __nlctl_command
    set -l c (string split \\t -- (__nlctl_parse))[1]
    test -n "$c"; and echo $c
end

function __nlctl_family
    set -l f (string split \\t -- (__nlctl_parse))[2]
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
    printf '%s\\n' ${flagNamesList.join(' ')}
end

function __nlctl_netns
    set -l token (commandline -ct)
    if string match -q -- '*/*' $token
        __fish_complete_path $token
    else if test -d /run/netns
        for f in /run/netns/*
            printf '%s\\tnetwork namespace\\n' (string replace /run/netns/ '' -- $f)
        end
    end
end

# No file names unless an argument takes them.
complete -c nlctl -f

${lines.join('\n')}
`;
}
