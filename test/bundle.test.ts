// The start-up bundle (scripts/bundle-cli.mjs → dist/cli/nlctl.cjs and its V8 code cache) and
// how bin/nlctl loads it: the same behaviour as the ES modules it is made from, its cache used
// when it belongs to it, and a stale cache, a damaged cache or a damaged bundle never in the way.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns } from './helpers/netns.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(REPO, 'dist', 'cli', 'nlctl.cjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function nlctl(args: string[], opts: { bundle?: string; input?: string | Buffer; root?: string; nodeOptions?: string } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NLCTL_BUNDLE;
  delete env.NODE_OPTIONS;
  if (opts.bundle !== undefined) env.NLCTL_BUNDLE = opts.bundle;
  if (opts.nodeOptions !== undefined) env.NODE_OPTIONS = opts.nodeOptions;
  const r = spawnSync(process.execPath, [join(opts.root ?? REPO, 'bin', 'nlctl'), ...args], { encoding: 'utf8', input: opts.input, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** RTM_NEWROUTE for 10.1.2.3/32 via 172.16.0.2 dev 3 in table main, then NLMSG_DONE, as hex. */
const ROUTE_HEX =
  '3c000000180022000100000092100000' +
  '022000' + '00fe030001000000' + '00' +
  '08000f00fe000000' + '080001000a010203' + '08000500ac100002' + '0800040003000000' +
  '14000000030002000100000092100000' + '00000000';

const traceLine = (r: Run) => r.stderr.split('\n').find((l) => l.startsWith('nlctl: bundle '));

describe('the bundle the build made', () => {
  it('is one ASCII file named by its first line, and its code cache names the same bundle', () => {
    const text = readFileSync(BUNDLE, 'latin1');
    const id = /^\/\/ nlctl ([0-9a-f]{32})\n/.exec(text)?.[1];
    expect(id).toBeDefined();
    expect(/[^\x00-\x7f]/.test(text)).toBe(false);
    // Strict, as the modules it is made of.
    expect(text.split('\n')[1]).toBe('"use strict";');
    const cache = readFileSync(`${BUNDLE}.cache`);
    expect(cache.toString('latin1', 0, 33)).toBe(`${id}\n`);
    // Every module of the CLI and its dependencies is in it: it requires Node's builtins only.
    const required = [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((r) => !builtinModules.includes(r.replace(/^node:/, '')))).toEqual([]);
  });

  it('is what bin/nlctl runs, with the code cache', () => {
    const r = nlctl(['decode', '-f', 'route', '-j'], { bundle: 'trace', input: ROUTE_HEX });
    expect(traceLine(r)).toBe(`nlctl: bundle ${BUNDLE}: code cache used`);
    expect(r.status).toBe(0);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as { type: string; attrs: Record<string, unknown> };
    expect(first.type).toBe('RTM_NEWROUTE');
    expect(first.attrs).toEqual({ table: 'main', dst: '10.1.2.3', gateway: '172.16.0.2', oif: 3 });
  });

  it('prints, byte for byte, what the ES modules print: every format, help, usage and input errors', () => {
    const cases: { args: string[]; input?: string }[] = [
      { args: ['decode', '-f', 'route', '-j'], input: ROUTE_HEX },
      { args: ['decode', '-f', 'route', '-j', '--lossless'], input: ROUTE_HEX },
      { args: ['decode', '-f', 'route', '-p'], input: ROUTE_HEX },
      { args: ['--color', 'always', 'decode', '-f', 'route'], input: ROUTE_HEX },
      { args: ['--color', 'always', '-o', 'text', 'decode', '-f', 'route'], input: ROUTE_HEX },
      { args: ['--color', 'always', '-o', 'mnl', 'decode', '-f', 'route'], input: ROUTE_HEX },
      { args: ['-o', 'mnl-annotated', 'decode', '-f', 'route'], input: ROUTE_HEX },
      { args: ['decode'], input: ROUTE_HEX },
      { args: ['decode', '-f', 'route', '-j'], input: ROUTE_HEX.slice(0, 50) },
      { args: ['decode'], input: 'zz not hex' },
      { args: ['decode'], input: '' },
      { args: ['decode', '-f', 'no-such-family'], input: ROUTE_HEX },
      { args: ['execute', '-f', 'route', '-t', 'newlink', '-a', 'ifname=x0', '--dry-run', '-j'] },
      { args: ['--help'] },
      { args: ['dump', '--help'] },
      { args: ['--color', 'always', 'listen', '--help'] },
      { args: ['no-such-command'] },
      { args: ['completion', 'zsh'] },
    ];
    for (const c of cases) {
      const modules = nlctl(c.args, { bundle: '0', input: c.input });
      const bundle = nlctl(c.args, { input: c.input });
      expect(bundle, c.args.join(' ')).toEqual(modules);
    }
  });

  it('opens sockets and finds the native shim from inside the bundle', () => {
    const ns = createNetns('nlctl-bundle');
    try {
      const r = nlctl(['-n', ns.name, 'dump', '-f', 'route', '-t', 'getlink', '-j'], { bundle: 'trace' });
      expect(traceLine(r)).toContain('code cache used');
      expect(r.status).toBe(0);
      const lo = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { attrs?: { ifname?: string; mtu?: number } }).filter((m) => m.attrs?.ifname === 'lo');
      expect(lo.map((m) => m.attrs!.mtu)).toEqual([65536]);
    } finally {
      ns.destroy();
    }
  });
});

describe('a bundle or cache that does not fit', () => {
  // A copy of the package's run-time files, to damage at will.
  let root = '';
  let bundle = '';
  let cacheFile = '';
  let goodCache = Buffer.alloc(0);
  let expected = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nlctl-bundle-test-'));
    cpSync(join(REPO, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(REPO, 'dist'), join(root, 'dist'), { recursive: true, preserveTimestamps: true });
    cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    bundle = join(root, 'dist', 'cli', 'nlctl.cjs');
    cacheFile = `${bundle}.cache`;
    goodCache = readFileSync(cacheFile);
    expected = nlctl(['decode', '-f', 'route', '-j'], { input: ROUTE_HEX, bundle: '0' }).stdout;
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  const decodeIn = (bundleMode?: string) => nlctl(['decode', '-f', 'route', '-j'], { input: ROUTE_HEX, root, bundle: bundleMode });

  it('runs the copy as the original runs', () => {
    const r = decodeIn('trace');
    expect(traceLine(r)).toBe(`nlctl: bundle ${bundle}: code cache used`);
    expect(r.stdout).toBe(expected);
  });

  it('compiles from source when the cache belongs to another bundle, is missing, or V8 rejects it, and makes one for the next run', () => {
    const traces = (r: Run) => r.stderr.split('\n').filter((l) => l.startsWith(`nlctl: bundle ${bundle}: `)).map((l) => l.slice(`nlctl: bundle ${bundle}: `.length));
    // Each degraded run leaves a cache this Node takes; the one after it uses it.
    const healed = () => {
      const r = decodeIn('trace');
      expect(traces(r)).toEqual(['code cache used']);
      expect(r.stdout).toBe(expected);
      expect(readFileSync(cacheFile).subarray(0, 33)).toEqual(goodCache.subarray(0, 33));
    };
    try {
      writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${'0'.repeat(32)}\n`), goodCache.subarray(33)]));
      let r = decodeIn('trace');
      expect(traces(r)).toEqual(['no code cache', 'code cache written for the next run']);
      expect(r.stdout).toBe(expected);
      healed();

      // The right name over bytes V8 cannot use (as from another Node version): V8 says no.
      writeFileSync(cacheFile, Buffer.concat([goodCache.subarray(0, 33), Buffer.alloc(4096, 0x5a)]));
      r = decodeIn('trace');
      expect(traces(r)).toEqual(['code cache rejected', 'code cache written for the next run']);
      expect(r.stdout).toBe(expected);
      healed();

      rmSync(cacheFile);
      r = decodeIn('trace');
      expect(traces(r)).toEqual(['no code cache', 'code cache written for the next run']);
      expect(r.stdout).toBe(expected);
      healed();

      // Not under extra Node or V8 flags: such a cache would fit only runs with them.
      rmSync(cacheFile);
      r = nlctl(['decode', '-f', 'route', '-j'], { input: ROUTE_HEX, root, bundle: 'trace', nodeOptions: '--max-old-space-size=200' });
      expect(traces(r)).toEqual(['no code cache']);
      expect(r.stdout).toBe(expected);
      expect(existsSync(cacheFile)).toBe(false);
      expect(readdirSync(join(root, 'dist', 'cli')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      writeFileSync(cacheFile, goodCache);
    }
  });

  it('falls back to the ES modules when the bundle is missing, does not load, or NLCTL_BUNDLE=0', () => {
    const good = readFileSync(bundle);
    try {
      let r = decodeIn('0');
      expect(traceLine(r)).toBeUndefined();
      expect(r.stdout).toBe(expected);

      writeFileSync(bundle, `${good.toString('latin1', 0, 42)}this is not JavaScript (\n`);
      r = decodeIn('trace');
      expect(traceLine(r)).toMatch(new RegExp(`^nlctl: bundle ${bundle}: does not load \\(.+\\), running the ES modules$`));
      expect(r.stdout).toBe(expected);

      // It compiles and runs, but is not the CLI.
      writeFileSync(bundle, `${good.toString('latin1', 0, 42)}exports.notMain = 1;\n`);
      r = decodeIn('trace');
      expect(traceLine(r)).toBe(`nlctl: bundle ${bundle}: does not load (no main()), running the ES modules`);
      expect(r.stdout).toBe(expected);

      rmSync(bundle);
      r = decodeIn('trace');
      expect(traceLine(r)).toBe(`nlctl: bundle ${bundle}: not read (ENOENT), running the ES modules`);
      expect(r.stdout).toBe(expected);
      expect(r.status).toBe(0);
    } finally {
      writeFileSync(bundle, good);
    }
  });

  it('in a checkout, runs the ES modules when they are newer than the bundle (tsc ran on its own since)', () => {
    const main = join(root, 'dist', 'cli', 'main.js');
    const { mtime } = statSync(bundle);
    try {
      utimesSync(main, new Date(), new Date(mtime.getTime() + 60_000));
      // An installed package (no tsconfig.json) goes by the bundle: extraction sets the times.
      expect(traceLine(decodeIn('trace'))).toBe(`nlctl: bundle ${bundle}: code cache used`);
      writeFileSync(join(root, 'tsconfig.json'), '{}\n');
      const r = decodeIn('trace');
      expect(traceLine(r)).toBe(`nlctl: bundle ${bundle}: older than dist/cli/main.js, running the ES modules`);
      expect(r.stdout).toBe(expected);
    } finally {
      rmSync(join(root, 'tsconfig.json'), { force: true });
      utimesSync(main, new Date(), new Date(mtime.getTime() - 60_000));
    }
    expect(traceLine(decodeIn('trace'))).toBe(`nlctl: bundle ${bundle}: code cache used`);
  });
});
