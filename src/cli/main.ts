// nlctl's command line: one commander program is the single source of truth for commands and
// options (help, completions and the man page's OPTIONS are generated from it). Commands are
// loaded when they run, so `nlctl --version` pays for none of them.
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import { ansi, colorModeFromArgv, normalizeColorFlag, useColor, type ColorMode } from './color.js';

/** Options every command understands. */
export interface GlobalOptions {
  output: 'table' | 'json' | 'text' | 'mnl' | 'mnl-annotated';
  json?: boolean;
  pretty?: boolean;
  lossless?: boolean;
  color: ColorMode;
  netns?: string;
  spec?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** The output format after -j. */
export function outputFormat(g: GlobalOptions): GlobalOptions['output'] {
  return g.json ? 'json' : g.output;
}

/** Whether stdout output is coloured (never for JSON). */
export function stdoutColor(g: GlobalOptions): boolean {
  if (outputFormat(g) === 'json') return false;
  return useColor(g.color, { env: process.env, isTTY: process.stdout.isTTY === true });
}

/** The package version, read from package.json next to dist/ or src/. */
export function version(): string {
  // Two levels up from dist/cli (this module, or the bundle beside it) or src/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Examples by command ('nlctl' for the program): [what it shows, the command line]. Each
 * command's --help ends with its own; the man page's EXAMPLES lists them all.
 */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  nlctl: [
    ['list the network links as a table', 'nlctl dump -f route -t getlink'],
    ['the MTU of lo, with jq', `nlctl dump -f route -t getlink -j | jq -r 'select(.attrs.ifname=="lo") | .attrs.mtu'`],
    ['watch links and IPv4 routes change until Ctrl-C', 'nlctl listen -f route -g link,ipv4-route'],
    ['decode a capture from an nlmon device', 'nlctl decode capture.pcap'],
  ],
  dial: [
    ['what a route socket that joins the link group is granted', 'nlctl dial -f route -g link'],
    ['the same in namespace blue, as JSON', 'nlctl -n blue dial -f route -g link -j'],
    ['a generic netlink socket for ethtool: the family ID and version the kernel gives', 'nlctl dial -f ethtool'],
  ],
  dump: [
    ['every link, as a table', 'nlctl dump -f route -t getlink'],
    ['the MTU of lo, with jq', `nlctl dump -f route -t getlink -j | jq -r 'select(.attrs.ifname=="lo") | .attrs.mtu'`],
    ['IPv4 routes of the main table in namespace blue, one line each', `nlctl -n blue dump -f route -t getroute --header family=inet -o text | grep 'table=main'`],
    ['every generic netlink family with its ID, with jq', `nlctl dump -f nlctrl -t getfamily -j | jq -r 'select(.attrs.family_id) | "\\(.attrs.family_id) \\(.attrs.family_name)"'`],
  ],
  execute: [
    ['create a veth pair, nl0 and a peer the kernel names; fail if nl0 exists', 'nlctl execute -f route -t newlink -F request,ack,create,excl -a ifname=nl0 -a linkinfo.kind=veth'],
    ['show a request byte by byte without sending it', 'nlctl execute -f route -t newlink -a ifname=nl0 -a mtu=1400 --dry-run -o mnl-annotated'],
    ['why the kernel said no: the error and its extended ACK (exit status 2)', 'nlctl execute -f route -t getlink -a ifname=nosuch -j | jq .error'],
  ],
  listen: [
    ['link and IPv4 route changes until Ctrl-C', 'nlctl listen -f route -g link,ipv4-route'],
    ['interface names as links come and go, with jq', `nlctl listen -f route -g link -j | jq --unbuffered -r 'select(.record=="message") | "\\(.type) \\(.attrs.ifname)"'`],
    ['the next 5 link changes in any namespace that has an nsid', 'nlctl listen -f route -g link --all-nsid -c 5 -j'],
    ['kernel uevents for 10 seconds', 'nlctl listen -f kobject_uevent -g 1 --timeout 10s'],
    [
      'process events (fork, exec, exit, …): subscribe from the listening socket, in the initial namespace',
      'nlctl listen -f connector -g proc --send done --header id_idx=proc --header id_val=1 --header data.op=listen',
    ],
  ],
  decode: [
    ['a capture from an nlmon device (pcap or pcapng)', 'nlctl decode capture.pcap'],
    ['hex pasted from strace, xxd or a libmnl dump, read from stdin', 'nlctl decode -f route'],
    ['raw messages saved to a file, attributes only, with jq', 'nlctl decode -f route --input raw msgs.bin -j | jq -c .attrs'],
  ],
  completion: [
    ['turn on completion in the running bash', 'source <(nlctl completion bash)'],
    ['install it for zsh (a directory in $fpath)', 'nlctl completion zsh > ~/.zfunc/_nlctl'],
    ['install it for fish', 'nlctl completion fish > ~/.config/fish/completions/nlctl.fish'],
  ],
};

/** The help text after a command's options: its examples (and, for the program, exit status). */
function helpAfter(name: string): string {
  let text = '\nExamples:\n' + (EXAMPLES[name] ?? []).map(([what, line]) => `  # ${what}\n  $ ${line}\n`).join('');
  if (name === 'nlctl') {
    text +=
      '\nExit status: 0 success; 1 usage or invalid input; 2 the kernel returned an error or a system call failed.\n' +
      'A broken pipe ends quietly with 0; Ctrl-C ends listen and dump cleanly.\n' +
      'Run "nlctl help <command>" for a command\'s options and examples, "man nlctl" for the whole manual.\n';
  }
  return text;
}

function requestOptions(cmd: Command): Command {
  return cmd
    .option('--header <field=value>', "the family header by field, e.g. family=inet (repeatable)", collect)
    .option('--header-hex <hex>', 'the family header as hex bytes (padded to 4 when attributes follow)')
    .option('-a, --attr <name=value>', 'an attribute: NAME=VALUE (dotted for nests, e.g. linkinfo.kind=veth) or TYPE:KIND=VALUE (kinds: u8…u64, s8…s64, be16…be64, string, hex, flag, ip, mac); repeatable', collect)
    .option('--attrs <json>', 'attributes as a JSON object, the shape -j prints as "attrs"')
    .option('--payload <hex>', 'the whole payload after nlmsghdr as hex (overrides header and attributes)');
}

// Help is written with colour; commander strips it when the stream gets none (see main()).
const HELP_STYLE = {
  styleTitle: ansi.bold,
  styleCommandText: ansi.bold,
  styleSubcommandText: ansi.cyan,
  styleOptionText: ansi.green,
  styleArgumentText: ansi.yellow,
};

/** Build the program. Exported for completions, the man page and tests. */
export function buildProgram(): Command {
  const program = new Command('nlctl')
    .description('See what the kernel really said over netlink: dump, execute, listen and decode netlink messages.')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'text', 'mnl', 'mnl-annotated']).default('table'))
    .option('-j, --json', 'same as -o json: NDJSON, one JSON object per line, written as it arrives')
    .option('-p, --pretty', 'indent JSON')
    .option('--lossless', 'JSON: also list every attribute with its type number, flags and bytes (attr_list)')
    .addOption(new Option('--color [when]', 'colour: auto, always or never').choices(['auto', 'always', 'never']).default('auto').preset('always'))
    .option('-n, --netns <ns>', 'network namespace: NAME (as ip -n: /run/netns/NAME), a PATH, or a PID')
    .option('--spec <file>', "describe the family with a kernel YNL spec (Documentation/netlink/specs/*.yaml)")
    .option('-q, --quiet', 'no status messages on stderr')
    .option('-v, --verbose', 'more detail in error messages')
    .version(version(), '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, ...HELP_STYLE })
    .addHelpText('after', helpAfter('nlctl'));

  program
    .command('dial')
    .description('open a socket and report what the kernel granted: port ID, groups, buffer sizes, options')
    .option('-f, --family <family>', 'netlink protocol (route, generic, … or 0–31) or generic netlink family name')
    .option('-g, --groups <groups>', 'groups to join: a bitmask (0x1), numbers (1,2,40) or names (link,ipv4-route)')
    .option('--pid <n>', 'port ID to bind (default: the kernel picks)')
    .option('--rcvbuf <bytes>', 'receive buffer size (e.g. 4M)')
    .option('--no-strict', 'do not turn on NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK')
    .addHelpText('after', helpAfter('dial'))
    .action(async (opts, cmd) => (await import('./commands/dial.js')).dial(opts, cmd.optsWithGlobals()));

  requestOptions(
    program
      .command('dump')
      .description('send an NLM_F_DUMP request and stream every reply as it arrives')
      .option('-f, --family <family>', 'netlink protocol or generic netlink family name (or use --spec)')
      .requiredOption('-t, --type <type>', 'message type: RTM_GETLINK, getlink, or a number (genl: the command)')
      .option('-F, --flags <flags>', 'flags instead of request|dump (names or a number)')
      .addOption(new Option('--on-intr <action>', 'when the dump is interrupted (NLM_F_DUMP_INTR)').choices(['retry', 'warn', 'fail']).default('warn')),
  )
    .addHelpText('after', helpAfter('dump'))
    .action(async (opts, cmd) => (await import('./commands/dump.js')).dump(opts, cmd.optsWithGlobals()));

  requestOptions(
    program
      .command('execute')
      .description('send one request (ACK asked by default) and print every reply, ACK included')
      .option('-f, --family <family>', 'netlink protocol or generic netlink family name (or use --spec)')
      .requiredOption('-t, --type <type>', 'message type: RTM_NEWLINK, newlink, or a number (genl: the command)')
      .option('-F, --flags <flags>', 'flags: names (request, ack, create, excl, replace, append, dump, …) or a number', 'request|ack')
      .option('--dry-run', 'print the request instead of sending it'),
  )
    .addHelpText('after', helpAfter('execute'))
    .action(async (opts, cmd) => (await import('./commands/execute.js')).execute(opts, cmd.optsWithGlobals()));

  requestOptions(
    program
      .command('listen')
      .description('join multicast groups and print every notification until Ctrl-C, --count or --timeout')
      .option('-f, --family <family>', 'netlink protocol or generic netlink family name (or use --spec)')
      .requiredOption('-g, --groups <groups>', 'groups: a bitmask (0x1), numbers (1,2,40) or names (link,ipv4-route)')
      .option('-c, --count <n>', 'stop after this many messages')
      .option('--timeout <duration>', 'stop after this long (500ms, 10s, 2m)')
      .option('--all-nsid', 'also receive from every peer namespace with an nsid (NETLINK_LISTEN_ALL_NSID)')
      .option('--rcvbuf <bytes>', 'receive buffer size (default 64M)')
      .option('--send <type>', 'once the groups are joined, send a message of this type from the listening socket, built from the request options (for subscriptions such as connector\'s PROC_CN_MCAST_LISTEN)'),
  )
    .addHelpText('after', helpAfter('listen'))
    .action(async (opts, cmd) => (await import('./commands/listen.js')).listen(opts, cmd.optsWithGlobals()));

  program
    .command('decode')
    .description('decode netlink bytes from files or stdin: raw, hex as people paste it, or pcap/pcapng')
    .argument('[files...]', 'files to read; - or none for stdin')
    .option('-f, --family <family>', 'netlink protocol or family of the messages (default: what the input says)')
    .addOption(new Option('--input <format>', 'input format').choices(['auto', 'raw', 'hex', 'pcap']).default('auto'))
    .option('--extra-header <n>', 'family header size for -o mnl (default: chosen per family and message type)')
    .addHelpText('after', helpAfter('decode'))
    .action(async (files, opts, cmd) => (await import('./commands/decode.js')).decode(files, opts, cmd.optsWithGlobals()));

  program
    .command('completion')
    .description('print the completion script for bash, zsh or fish (the files under completions/)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', helpAfter('completion'))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => (await import('./completion.js')).printCompletion(shell, program));

  // For the completion scripts: values that depend on the system or on -f (families, message
  // types, groups), one per line as VALUE<TAB>DESCRIPTION. Quiet and exit 0 whatever happens.
  program
    .command('__complete', { hidden: true })
    .argument('[what]')
    .argument('[args...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (what: string | undefined, args: string[]) => (await import('./completion.js')).complete(what ?? '', args));

  return program;
}

/** Run nlctl with `argv` (process.argv form). Resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  // Help, version and completion scripts go to stdout too: `nlctl help | head -1` ends quietly.
  // (Commands that stream records handle the broken pipe themselves, in Output.)
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.exitCode = 2;
  });
  // Help and usage errors are printed while parsing, before the options are known: read the
  // --color flag from argv, and decide with the same function as every other output.
  const mode = colorModeFromArgv(argv.slice(2));
  const errColor = useColor(mode, { env: process.env, isTTY: process.stderr.isTTY === true });
  const output = {
    getOutHasColors: () => useColor(mode, { env: process.env, isTTY: process.stdout.isTTY === true }),
    getErrHasColors: () => errColor,
    outputError: (str: string, write: (s: string) => void) => write(errColor ? str.replace(/^error:/, ansi.redBold('error:')) : str),
  };
  // Subcommands copied the program's settings when they were made: configure each of them.
  const configure = (cmd: Command): void => {
    cmd.configureOutput(output);
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(normalizeColorFlag(argv));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every usage mistake exits 1 (commander printed the message).
      return err.exitCode === 0 ? 0 : 1;
    }
    // stdout's reader went away (| head) while a command was waiting: the quiet stop Output
    // makes of it everywhere else.
    const e = err as NodeJS.ErrnoException;
    if (e instanceof Error && e.code === 'EPIPE' && e.syscall === 'write') return 0;
    const verbose = argv.includes('-v') || argv.includes('--verbose') || process.env.NLCTL_DEBUG === '1';
    // Loaded only when something failed: it knows every error nlctl can meet.
    const { message, status } = await import('./errors.js').then(
      (m) => m.describeError(err, verbose),
      () => ({ message: err instanceof Error ? err.message : String(err), status: 2 }),
    );
    process.stderr.write(`${errColor ? ansi.redBold('nlctl:') : 'nlctl:'} ${message}\n`);
    return status;
  }
}
