// Behaving in a shell: the colour decision and what an ordinary user gets.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { ansi, colorModeFromArgv, normalizeColorFlag, useColor } from '../src/cli/color.js';
import { createNetns } from './helpers/netns.js';
import { publicCopy, removePublicCopy } from './helpers/public-copy.js';
import { join } from 'node:path';

const BIN = fileURLToPath(new URL('../bin/nlctl', import.meta.url));
const ESC = '\x1b[';
const ns = createNetns('nlctl-citizen');
afterAll(() => {
  ns.destroy();
  removePublicCopy();
});

/** Run nlctl with exactly these colour variables (the rest of the environment minus colour ones). */
function run(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NO_COLOR|FORCE_COLOR|CLICOLOR|CLICOLOR_FORCE|TERM)$/.test(k)));
  return spawnSync(process.execPath, [BIN, '-n', ns.name, ...args], { encoding: 'utf8', env: { ...base, ...env } });
}

describe('the colour decision', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    ['--color always wins over NO_COLOR', 'always', { NO_COLOR: '1' }, pipe, true],
    ['--color never wins over FORCE_COLOR', 'never', { FORCE_COLOR: '1' }, tty, false],
    ['NO_COLOR turns it off on a terminal', 'auto', { NO_COLOR: '1' }, tty, false],
    ['an empty NO_COLOR does nothing', 'auto', { NO_COLOR: '' }, tty, true],
    ['NO_COLOR is read before FORCE_COLOR', 'auto', { NO_COLOR: '1', FORCE_COLOR: '1' }, pipe, false],
    ['FORCE_COLOR turns it on in a pipe', 'auto', { FORCE_COLOR: '1' }, pipe, true],
    ['FORCE_COLOR=0 turns it off on a terminal', 'auto', { FORCE_COLOR: '0' }, tty, false],
    ['FORCE_COLOR=false turns it off', 'auto', { FORCE_COLOR: 'false' }, tty, false],
    ['CLICOLOR_FORCE turns it on in a pipe', 'auto', { CLICOLOR_FORCE: '1' }, pipe, true],
    ['CLICOLOR=0 turns it off on a terminal', 'auto', { CLICOLOR: '0' }, tty, false],
    ['a terminal gets colour', 'auto', {}, tty, true],
    ['TERM=dumb gets none', 'auto', { TERM: 'dumb' }, tty, false],
    ['a pipe gets none', 'auto', {}, pipe, false],
  ] as const)('%s', (_name, mode, env, where, want) => {
    expect(useColor(mode, { env, isTTY: where.isTTY })).toBe(want);
  });

  it('applies to text, table and hex output, never to JSON', () => {
    expect(run(['-o', 'text', 'dump', '-f', 'route', '-t', 'getlink']).stdout).not.toContain(ESC);
    expect(run(['-o', 'text', 'dump', '-f', 'route', '-t', 'getlink'], { FORCE_COLOR: '1' }).stdout).toContain(ESC);
    expect(run(['dump', '-f', 'route', '-t', 'getlink'], { CLICOLOR_FORCE: '1' }).stdout).toContain(ESC);
    expect(run(['-o', 'text', 'dump', '-f', 'route', '-t', 'getlink'], { NO_COLOR: '1', FORCE_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(run(['--color', 'always', '-o', 'mnl', 'dump', '-f', 'route', '-t', 'getlink'], { NO_COLOR: '1' }).stdout).toContain(`|${ESC}1;31m`);
    expect(run(['--color', 'never', '-o', 'mnl', 'dump', '-f', 'route', '-t', 'getlink'], { FORCE_COLOR: '1' }).stdout).not.toContain(ESC);
    const json = run(['--color', 'always', '-j', 'dump', '-f', 'route', '-t', 'getlink'], { FORCE_COLOR: '1' });
    expect(json.stdout).not.toContain(ESC);
    expect(() => json.stdout.trim().split('\n').map((l) => JSON.parse(l))).not.toThrow();
  });
});

describe('help and error styles', () => {
  it('are the codes chalk writes at level 1, for empty text and line breaks too', () => {
    const chalk = new Chalk({ level: 1 });
    const pairs: [(s: string) => string, (s: string) => string][] = [
      [ansi.bold, chalk.bold],
      [ansi.cyan, chalk.cyan],
      [ansi.green, chalk.green],
      [ansi.yellow, chalk.yellow],
      [ansi.redBold, chalk.red.bold],
    ];
    for (const [ours, theirs] of pairs) {
      for (const text of ['Usage:', '', '-f, --family <name>', 'two\nlines', 'crlf\r\nend', '\n']) expect(ours(text)).toBe(theirs(text));
    }
  });
});

describe('help and errors follow the same decision', () => {
  it.each([
    [['--color'], 'always'],
    [['--color', 'never', 'dump'], 'never'],
    [['--color=never'], 'never'],
    [['--color', 'dump'], 'always'],
    [['--color', 'never', '--color=always'], 'always'],
    [['dump', '--', '--color', 'never'], 'auto'],
    [[], 'auto'],
  ] as const)('reads %j from the command line as %s', (argv, want) => {
    expect(colorModeFromArgv(argv)).toBe(want);
  });

  it('takes a bare --color before the command as always (the command is not its value)', () => {
    expect(normalizeColorFlag(['--color', 'dump', '-f', 'route'])).toEqual(['--color=always', 'dump', '-f', 'route']);
    expect(normalizeColorFlag(['--color', 'never', 'dump'])).toEqual(['--color', 'never', 'dump']);
    expect(normalizeColorFlag(['--color', '-o', 'text'])).toEqual(['--color', '-o', 'text']);
    const r = run(['--color', '-o', 'text', 'dump', '-f', 'route', '-t', 'getlink']);
    expect(r.status, r.stderr).toBe(0);
    const bare = run(['--color', 'dump', '-f', 'route', '-t', 'getlink', '-o', 'text']);
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.stdout).toContain(ESC);
  });

  it('colours help when asked, on a pipe too, and never under --color never or NO_COLOR', () => {
    const always = run(['--color', 'always', 'dump', '--help'], { NO_COLOR: '1' });
    expect(always.status).toBe(0);
    expect(always.stdout).toContain(`${ESC}1mUsage:`);
    expect(run(['help', 'listen'], { FORCE_COLOR: '1' }).stdout).toContain(`${ESC}1mUsage:`);
    for (const [args, env] of [[['help', 'dump'], {}], [['--color', 'never', 'dump', '--help'], { FORCE_COLOR: '1' }], [['help'], { NO_COLOR: '1', CLICOLOR_FORCE: '1' }]] as const) {
      const r = run([...args], env);
      expect(r.stdout).toContain('Usage: nlctl');
      expect(r.stdout).not.toContain(ESC);
    }
  });

  it('colours the error line of a usage mistake and of a failed command on stderr', () => {
    const usage = run(['--color', 'always', 'dump', '-f', 'route']);
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain(`${ESC}31m${ESC}1merror:`);
    const failed = run(['dump', '-f', 'nosuchfamily', '-t', 'get'], { FORCE_COLOR: '1' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^\x1b\[31m\x1b\[1mnlctl:\x1b\[22m\x1b\[39m unknown family "nosuchfamily"/);
    for (const r of [run(['dump', '-f', 'route']), run(['--color', 'never', 'dump', '-f', 'nosuchfamily', '-t', 'get'], { FORCE_COLOR: '1' })]) {
      expect(r.stderr).toMatch(/^(error|nlctl):/);
      expect(r.stderr).not.toContain(ESC);
    }
  });

  it('ends help quietly with 0 when the reader has gone (| true, | head)', () => {
    for (const args of [['help'], ['dump', '--help'], ['completion', 'bash']]) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${args.join(' ')} | true; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('status=0');
    }
  });
});

describe('an ordinary user', () => {
  // Run from a copy nobody can read: the work tree may be under a directory only root can enter.
  const nobody = (args: string[], timeout = 15_000) =>
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(publicCopy(), 'bin', 'nlctl'), ...args], {
      encoding: 'utf8',
      timeout,
      cwd: publicCopy(),
    });

  it('can dump routes and links, as the kernel allows', () => {
    const r = nobody(['dump', '-f', 'route', '-t', 'getlink', '-j']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"ifname":"lo"');
  });

  it('can listen to route groups', () => {
    const r = nobody(['listen', '-f', 'route', '-g', 'link', '--timeout', '300ms', '-j']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it("is told which capability joining audit's log group takes (exit 2)", () => {
    const r = nobody(['listen', '-f', 'audit', '-g', '1', '--timeout', '300ms', '-j']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('nlctl: joining group 1 needs CAP_AUDIT_READ — run as root\n');
  });

  it('is told in one line that changing things needs privileges (exit 2)', () => {
    const r = nobody(['execute', '-f', 'route', '-t', 'newlink', '-F', 'request,ack,create,excl', '-a', 'ifname=nlp0', '-a', 'linkinfo.kind=veth', '-j']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^nlctl: the kernel said EPERM .*needs privileges.*run as root\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is told that entering a namespace needs privileges (exit 2)', () => {
    const r = nobody(['-n', ns.name, 'dump', '-f', 'route', '-t', 'getlink']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^nlctl: setns failed: EPERM .*run as root\n$/);
  });
});
