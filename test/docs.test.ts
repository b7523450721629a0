// Shell completions and the man page: generated from the same commander program the parser
// uses, committed, and checked here — no drift, every option present, the scripts really
// complete in bash, zsh and fish (driven as the shells drive them), the man page lints clean,
// and --help carries the examples. Needs dist/ (npx tsc -p tsconfig.json), bash, zsh, fish,
// bash-completion, groff and mandoc, jq, and root for the namespace.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, EXAMPLES } from '../src/cli/main.js';
import { describeCli, type OptionSpec } from '../src/cli/completion.js';
import { roffText } from '../src/cli/manpage.js';
import { createNetns, type Netns } from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'nlctl');
const BASH = join(ROOT, 'completions', 'nlctl.bash');
const ZSH = join(ROOT, 'completions', '_nlctl');
const FISH = join(ROOT, 'completions', 'nlctl.fish');
const MAN = join(ROOT, 'man', 'nlctl.1');

const cli = describeCli(buildProgram());
const allOptions: OptionSpec[] = [...cli.global, ...cli.commands.flatMap((c) => c.options)];
const optionWords = [...new Set(allOptions.flatMap((o) => [o.short, o.long].filter((x): x is string => x !== undefined)))];

let work: string;
let files: string;
let env: NodeJS.ProcessEnv;
let ns: Netns;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'nlctl-docs-'));
  // `nlctl` on PATH, as installed: the scripts call the nlctl being completed.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, 'nlctl'));
  env = { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`, NO_COLOR: '1', HOME: work };
  delete env.NLDEBUG;
  // Files for decode <TAB>.
  files = join(work, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'capture.pcap'), '');
  writeFileSync(join(files, 'dump.hex'), '');
  writeFileSync(join(files, 'spec.yaml'), '');
  mkdirSync(join(files, 'sub'));
  ns = createNetns('nlctl-comp');
  // Made now (createNetns makes it on first use): the completion lists /run/netns.
  void ns.path;
});

afterAll(() => {
  ns?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(file: string, args: string[], opts: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(file, args, { encoding: 'utf8', env, cwd: opts.cwd ?? ROOT, input: opts.input, timeout: 60_000 });
}

function nlctl(args: string[]): SpawnSyncReturns<string> {
  return run(process.execPath, [BIN, ...args]);
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('generated files', () => {
  it('regenerating them gives no diff (gen-docs --check)', () => {
    const r = run(process.execPath, [join(ROOT, 'scripts', 'gen-docs.mjs'), '--check']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['bash', BASH],
    ['zsh', ZSH],
    ['fish', FISH],
  ])('nlctl completion %s prints the committed script', (shell, file) => {
    const r = nlctl(['completion', shell]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(file, 'utf8'));
  });

  it('nlctl completion rejects an unknown shell with status 1', () => {
    const r = nlctl(['completion', 'tcsh']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('tcsh');
  });

  it('a closed pipe ends nlctl completion quietly with 0', () => {
    const r = run('bash', ['-c', `"${process.execPath}" "${BIN}" completion zsh | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).toBe('');
  });

  it('every option of buildProgram() is in the man page and in every script', () => {
    expect(optionWords.length).toBeGreaterThan(30);
    const man = readFileSync(MAN, 'utf8');
    const bash = readFileSync(BASH, 'utf8');
    const zsh = readFileSync(ZSH, 'utf8');
    const fish = readFileSync(FISH, 'utf8');
    for (const w of optionWords) {
      expect(man, w).toContain(`\\fB${roffText(w)}\\fR`);
      expect(bash, w).toMatch(new RegExp(`[ |'*:]${w.replace(/[-]/g, '\\-')}[ |')]`));
      expect(zsh, w).toMatch(new RegExp(`[{,'(*]${w.replace(/[-]/g, '\\-')}[+=,}'\\[]`));
      expect(fish, w).toContain(w.startsWith('--') ? ` -l ${w.slice(2)} ` : ` -s ${w.slice(1)} `);
    }
    for (const c of cli.commands) {
      expect(man).toContain(`.SS ${c.name}`);
      expect(bash).toContain(` ${c.name}`);
      expect(zsh).toContain(`'${c.name}:`);
      expect(fish).toContain(`-a ${c.name} `);
    }
    // the hidden helper is no command to offer
    for (const text of [man, bash, zsh, fish]) expect(text).not.toMatch(/-a __complete|'__complete:|\.SS __complete/);
  });
});

describe('nlctl __complete', () => {
  it('lists families: protocols, described and live generic netlink families', () => {
    const r = nlctl(['__complete', 'families']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const names = lines(r.stdout).map((l) => l.split('\t')[0]);
    expect(names).toEqual(expect.arrayContaining(['route', 'generic', 'sock_diag', 'netfilter', 'kobject_uevent', 'nlctrl', 'ethtool']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists message types and groups of a family, with their constants', () => {
    const types = lines(nlctl(['__complete', 'types', 'route']).stdout);
    expect(types).toContain('getlink\tRTM_GETLINK');
    expect(types).toContain('getroute\tRTM_GETROUTE');
    expect(lines(nlctl(['__complete', 'types', 'rtnl']).stdout)).toEqual(types);
    const groups = lines(nlctl(['__complete', 'groups', 'route']).stdout);
    expect(groups).toContain('link\tRTNLGRP_LINK');
    expect(groups).toContain('ipv4-route\tRTNLGRP_IPV4_ROUTE');
    // generic netlink: the kernel's group names
    expect(lines(nlctl(['__complete', 'groups', 'nlctrl']).stdout).map((l) => l.split('\t')[0])).toEqual(['notify']);
  });

  it('is quiet and exits 0 whatever it is asked, NLDEBUG or not', () => {
    for (const args of [[], ['types'], ['types', 'nosuch'], ['groups', 'nosuch'], ['nonsense', '--x', '-y'], ['types', 'generic']]) {
      const r = spawnSync(process.execPath, [BIN, '__complete', ...args], { encoding: 'utf8', env: { ...env, NLDEBUG: '1' } });
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout, args.join(' ')).toBe('');
    }
    const r = spawnSync(process.execPath, [BIN, '__complete', 'families'], { encoding: 'utf8', env: { ...env, NLDEBUG: 'level=2' } });
    expect(r.stderr).toBe('');
  });

  it('is fast enough for TAB', () => {
    const start = Date.now();
    for (const q of [['families'], ['types', 'route'], ['groups', 'ethtool']]) expect(nlctl(['__complete', ...q]).status).toBe(0);
    expect((Date.now() - start) / 3).toBeLessThan(2000);
  });
});

describe('bash', () => {
  /** Drive _nlctl as bash's programmable completion does; COMPREPLY one per line. */
  function complete(words: string[], opts: { cwd?: string; bashCompletion?: boolean } = {}): string[] {
    const load = opts.bashCompletion ? 'source /usr/share/bash-completion/bash_completion; ' : '';
    const script = `${load}source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}; _nlctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = run('bash', ['--norc', '--noprofile', '-c', script, 'bash', BASH, ...words], { cwd: opts.cwd });
    expect(r.stderr, words.join(' ')).toBe('');
    expect(r.status, words.join(' ')).toBe(0);
    return lines(r.stdout);
  }

  it('passes bash -n', () => {
    const r = run('bash', ['-n', BASH]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('completes commands', () => {
    expect(complete(['nlctl', ''])).toEqual(cli.commands.map((c) => c.name));
    expect(complete(['nlctl', 'd'])).toEqual(['dial', 'dump', 'decode']);
    expect(complete(['nlctl', '-j', '--color', 'never', 'l'])).toEqual(['listen']);
    expect(complete(['nlctl', 'help', 'e'])).toEqual(['execute']);
    expect(complete(['nlctl', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('completes options: the program\'s, and the command\'s after it', () => {
    expect(complete(['nlctl', '--'])).toEqual(cli.global.map((o) => o.long));
    const dump = complete(['nlctl', 'dump', '-']);
    const spec = cli.commands.find((c) => c.name === 'dump')!;
    for (const o of [...spec.options, ...cli.global]) for (const w of [o.short, o.long]) if (w) expect(dump).toContain(w);
    expect(complete(['nlctl', 'dump', '--f'])).toEqual(['--family', '--flags']);
    expect(complete(['nlctl', 'listen', '--a'])).toEqual(['--all-nsid', '--attr', '--attrs']);
  });

  it('completes -o, --color and other fixed choices', () => {
    expect(complete(['nlctl', '-o', ''])).toEqual(['table', 'json', 'text', 'mnl', 'mnl-annotated']);
    expect(complete(['nlctl', 'dump', '--output', 'mnl'])).toEqual(['mnl', 'mnl-annotated']);
    expect(complete(['nlctl', '--output', '=', 'j'])).toEqual(['json']);
    expect(complete(['nlctl', '--color', ''])).toEqual(['auto', 'always', 'never']);
    expect(complete(['nlctl', 'dump', '--on-intr', ''])).toEqual(['retry', 'warn', 'fail']);
    expect(complete(['nlctl', 'decode', '--input', ''])).toEqual(['auto', 'raw', 'hex', 'pcap']);
    expect(complete(['nlctl', 'execute', '-F', 'request,ac'])).toEqual(['request,ack', 'request,ack_tlvs']);
  });

  it('completes -f with families', () => {
    const families = complete(['nlctl', 'dump', '-f', '']);
    expect(families).toEqual(expect.arrayContaining(['route', 'generic', 'nlctrl', 'sock_diag', 'netfilter', 'kobject_uevent', 'ethtool']));
    expect(complete(['nlctl', 'listen', '--family', 'rou'])).toEqual(['route']);
    expect(complete(['nlctl', 'dump', '-jf', 'nlc'])).toEqual(['nlctrl']);
  });

  it('completes -t with the message types of the family given with -f', () => {
    const types = complete(['nlctl', 'dump', '-f', 'route', '-t', '']);
    expect(types).toEqual(expect.arrayContaining(['getlink', 'getroute', 'getaddr', 'newlink']));
    expect(complete(['nlctl', 'dump', '-f', 'route', '-t', 'getr'])).toEqual(['getroute', 'getrule']);
    expect(complete(['nlctl', '-j', 'dump', '--family=route', '--type', 'getl'])).toEqual(['getlink', 'getlinkprop']);
    expect(complete(['nlctl', 'dump', '--family', '=', 'route', '-t', 'getl'])).toEqual(['getlink', 'getlinkprop']);
    expect(complete(['nlctl', 'dump', '-froute', '-tgetl'])).toEqual(['-tgetlink', '-tgetlinkprop']);
    expect(complete(['nlctl', 'execute', '-f', 'nlctrl', '-t', 'getf'])).toEqual(['getfamily']);
    expect(complete(['nlctl', 'dump', '-t', ''])).toEqual([]); // no -f yet: nothing to offer
    expect(complete(['nlctl', 'dump', '-f', 'nosuch', '-t', ''])).toEqual([]);
  });

  it('completes -g with the groups of the family, item by item', () => {
    const groups = complete(['nlctl', 'listen', '-f', 'route', '-g', '']);
    expect(groups).toEqual(expect.arrayContaining(['link', 'ipv4-route', 'ipv6-route', 'neigh']));
    expect(complete(['nlctl', 'listen', '-f', 'route', '-g', 'link,ipv4-r'])).toEqual(['link,ipv4-route', 'link,ipv4-rule']);
    expect(complete(['nlctl', 'dial', '-f', 'nlctrl', '-g', ''])).toEqual(['notify']);
  });

  it('completes -n with the namespaces in /run/netns', () => {
    expect(complete(['nlctl', '-n', ''])).toContain(ns.name);
    expect(complete(['nlctl', 'dump', '--netns', ns.name.slice(0, -2)])).toContain(ns.name);
  });

  it('completes decode arguments and --spec with file names', () => {
    expect(complete(['nlctl', 'decode', ''], { cwd: files }).sort()).toEqual(['capture.pcap', 'dump.hex', 'spec.yaml', 'sub']);
    expect(complete(['nlctl', 'decode', '-f', 'route', 'cap'], { cwd: files })).toEqual(['capture.pcap']);
    expect(complete(['nlctl', '--spec', ''], { cwd: files }).sort()).toEqual(['spec.yaml', 'sub']);
    expect(complete(['nlctl', 'dump', ''], { cwd: files })).toEqual([]);
  });

  it('works the same with bash-completion loaded', () => {
    expect(complete(['nlctl', 'decode', ''], { cwd: files, bashCompletion: true }).sort()).toEqual(['capture.pcap', 'dump.hex', 'spec.yaml', 'sub']);
    expect(complete(['nlctl', '--spec', ''], { cwd: files, bashCompletion: true }).sort()).toEqual(['spec.yaml', 'sub']);
    expect(complete(['nlctl', 'dump', '-f', 'route', '-t', 'getr'], { bashCompletion: true })).toEqual(['getroute', 'getrule']);
  });
});

describe('zsh', () => {
  // An interactive zsh in a pseudo-terminal (zpty) with compinit and the completion file on
  // $fpath: the line is typed, TAB pressed, and every match zsh would offer is printed.
  const CAPTURE = String.raw`
zmodload zsh/zpty
local dir=$1 line=$2 setup=$3
cat > $setup <<SETUP
PS1= PROMPT= RPROMPT=
fpath=($dir \$fpath)
autoload -U compinit; compinit -u -D
bindkey '^I' complete-word
null-line() { echo -E - \$'\\\\0' }
compprefuncs=(null-line)
comppostfuncs=(null-line exit)
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "\$@"; return \$?; fi
  local -a __hits
  builtin compadd -A __hits "\$@"
  local -A apre hpre
  zparseopts -E P:=apre p:=hpre 2>/dev/null
  local h
  for h in \$__hits; do echo -E - "<<\$IPREFIX\${apre[-P]}\${hpre[-p]}\$h>>"; done
}
SETUP
zpty z zsh -f -i
zpty -w z "source $setup"
zpty -w z "$line"$'\t'
integer n=0
local out
while zpty -r z out; do
  [[ $out == *$'\0'* ]] && (( ++n )) && (( n == 2 )) && break
  [[ $out == *'<<'*'>>'* ]] && print -r -- "${'$'}{${'$'}{out#*<<}%>>*}"
done
zpty -d z
`;

  function complete(line: string, cwd?: string): string[] {
    const harness = join(work, 'capture.zsh');
    writeFileSync(harness, CAPTURE);
    const r = run('zsh', ['-f', harness, dirname(ZSH), line, join(work, 'setup.zsh')], { cwd });
    expect(r.status, line).toBe(0);
    return lines(r.stdout);
  }

  it('passes zsh -n', () => {
    const r = run('zsh', ['-n', ZSH]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('loads with compinit and registers _nlctl for nlctl', () => {
    const r = run('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -D; source ${ZSH}; print -r -- $_comps[nlctl]; whence -w _nlctl_families _nlctl_query`]);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['_nlctl', '_nlctl_families: function', '_nlctl_query: function']);
  });

  it('completes commands, choices, families, message types, groups and namespaces', () => {
    expect(complete('nlctl ')).toEqual(cli.commands.map((c) => c.name));
    expect(complete('nlctl -o ')).toEqual(['table', 'json', 'text', 'mnl', 'mnl-annotated']);
    expect(complete('nlctl --color ')).toEqual(['auto', 'always', 'never']);
    expect(complete('nlctl dump -f ')).toEqual(expect.arrayContaining(['route', 'generic', 'nlctrl']));
    expect(complete('nlctl dump -f route -t getr')).toEqual(['getroute', 'getrule']);
    expect(complete('nlctl -j dump --family route -t getl')).toEqual(['getlink', 'getlinkprop']);
    expect(complete('nlctl listen -f route -g link,ipv4-r')).toEqual(['link,ipv4-route', 'link,ipv4-rule']);
    expect(complete('nlctl -n ')).toContain(ns.name);
    expect(complete('nlctl decode cap', files)).toEqual(['capture.pcap']);
    expect(complete('nlctl dump --on-')).toEqual(['--on-intr']);
  });
});

describe('fish', () => {
  function complete(line: string, cwd?: string): string[] {
    const r = run('fish', ['--no-config', '-c', `source ${FISH}; complete -C${JSON.stringify(line)}`], { cwd });
    expect(r.stderr, line).toBe('');
    expect(r.status, line).toBe(0);
    return lines(r.stdout).map((l) => l.split('\t')[0]!);
  }

  it('passes fish -n', () => {
    const r = run('fish', ['--no-config', '-n', FISH]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('completes commands, choices, families, message types, groups, namespaces and files', () => {
    expect(complete('nlctl ').sort()).toEqual(cli.commands.map((c) => c.name).sort());
    expect(complete('nlctl -o ').sort()).toEqual(['json', 'mnl', 'mnl-annotated', 'table', 'text']);
    expect(complete('nlctl --color ').sort()).toEqual(['always', 'auto', 'never']);
    expect(complete('nlctl dump -f ')).toEqual(expect.arrayContaining(['route', 'generic', 'nlctrl']));
    expect(complete('nlctl dump -f route -t getr')).toEqual(['getroute', 'getrule']);
    expect(complete('nlctl -j dump -froute -t getl')).toEqual(['getlink', 'getlinkprop']);
    expect(complete('nlctl listen -jf route -g link,ipv4-r')).toEqual(['link,ipv4-route', 'link,ipv4-rule']);
    expect(complete('nlctl -n ')).toContain(ns.name);
    expect(complete('nlctl decode cap', files)).toEqual(['capture.pcap']);
    expect(complete('nlctl dump cap', files)).toEqual([]);
    expect(complete('nlctl dump --on-')).toEqual(['--on-intr']);
    expect(complete('nlctl completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('man page', () => {
  const man = () => readFileSync(MAN, 'utf8');

  it('groff -man -ww -z and mandoc -Tlint report nothing', () => {
    const groff = run('groff', ['-man', '-ww', '-z', MAN]);
    expect(groff.stdout + groff.stderr).toBe('');
    expect(groff.status).toBe(0);
    const mandoc = run('mandoc', ['-Tlint', MAN]);
    expect(mandoc.stdout + mandoc.stderr).toBe('');
    expect(mandoc.status).toBe(0);
  });

  it('has the sections, in order, and renders', () => {
    const sections = [...man().matchAll(/^\.SH (.*)$/gm)].map((m) => m[1]!.replace(/"/g, ''));
    expect(sections).toEqual(['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'OUTPUT FORMATS', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES', 'SEE ALSO']);
    expect(man()).toMatch(/^\.TH NLCTL 1 \d{4}-\d{2}-\d{2} "nlctl \d+\.\d+\.\d+" "User Commands"$/m);
    const text = run('groff', ['-man', '-Tascii', '-P-cbou', MAN]).stdout.replace(/ +/g, ' ');
    expect(text).toContain('nlctl - see what the kernel really said over netlink');
    for (const v of ['NLDEBUG', 'NO_COLOR', 'FORCE_COLOR', 'CLICOLOR_FORCE', 'NLCTL_DEBUG']) expect(text).toContain(v);
    for (const ref of ['ip(8)', 'genl(8)', 'ss(8)', 'netlink(7)']) expect(text).toContain(ref);
    expect(text).toMatch(/\n 0 Success/);
    expect(text).toMatch(/\n 2 The kernel returned an error/);
  });

  it('lists every example of every command', () => {
    const text = run('groff', ['-man', '-Tascii', '-P-cbou', MAN]).stdout.replace(/\s+/g, ' ');
    for (const examples of Object.values(EXAMPLES)) for (const [, line] of examples) expect(text).toContain(line);
    expect(text).toContain('| jq');
  });

  it('documents every field nlctl prints as JSON', () => {
    const documented = new Set([...man().matchAll(/^\\fB([a-z_]+)\\fR$/gm)].map((m) => m[1]));
    const records = new Set([...man().matchAll(/\\fB"record": "([a-z_]+)"\\fR/g)].map((m) => m[1]));
    const outputs = [
      nlctl(['--lossless', 'dump', '-f', 'route', '-t', 'getaddr', '-j']),
      nlctl(['dump', '-f', 'nlctrl', '-t', 'getfamily', '-j']),
      nlctl(['execute', '-f', 'route', '-t', 'getlink', '-a', 'ifname=nosuch', '-j']),
      nlctl(['dial', '-f', 'route', '-g', 'link', '-j']),
      nlctl(['dial', '-f', 'nlctrl', '-j']),
    ];
    let seen = 0;
    for (const r of outputs) {
      for (const l of lines(r.stdout)) {
        const o = JSON.parse(l) as Record<string, unknown>;
        expect(records).toContain(o.record);
        for (const key of Object.keys(o)) {
          // dial's paired fields are described together (protocol_name with protocol, …)
          if (['record', 'protocol_name', 'genl_id', 'genl_version', 'sndbuf'].includes(key)) continue;
          expect(documented, `${String(o.record)}.${key}`).toContain(key);
          seen++;
        }
      }
    }
    expect(seen).toBeGreaterThan(20);
    const text = man();
    for (const key of ['protocol_name', 'genl_id', 'genl_version', 'sndbuf']) expect(text).toContain(`\\fB${key}\\fR`);
  });
});

describe('--help', () => {
  it.each(cli.commands.filter((c) => EXAMPLES[c.name]).map((c) => c.name))('nlctl help %s and nlctl %s --help show the examples', (name) => {
    const a = nlctl(['help', name]);
    const b = nlctl([name, '--help']);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('Examples:');
    for (const [what, line] of EXAMPLES[name]!) {
      expect(a.stdout).toContain(`# ${what}`);
      expect(a.stdout).toContain(`$ ${line}`);
    }
  });

  it('nlctl --help shows examples and the exit status', () => {
    const r = nlctl(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    for (const [, line] of EXAMPLES.nlctl!) expect(r.stdout).toContain(line);
    expect(r.stdout).toMatch(/Exit status: 0 success; 1 usage or invalid input; 2 /);
    expect(r.stdout).not.toContain('__complete');
  });
});
