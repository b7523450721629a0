// The packed artefact, not the work tree: `npm pack` of this repository, then what a user does
// with the tarball — a global install (with a compiler, and without one), a source build that
// never downloads headers, and a TypeScript project that imports the library.
//
// The pack runs in a temporary copy of the work tree (the files git tracks or would track, plus
// a node_modules symlink), so its `prepack` (the prebuilt addon) and `prepare` (tsc into dist/)
// never rewrite files that other test files are using at the same time. The copy holds the same
// package.json, scripts and sources, so the tarball is the one `npm pack` here would make.
//
// npm runs with a clean environment: no npm_* variables from an outer `npm test`, and the
// user's npmrc minus `nodedir`, so the build must find the Node headers by itself (as on a
// fresh machine). The npm cache is the default one (the registry is reachable; a warm cache
// only makes it faster).
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns } from './helpers/netns.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const TAG = `${process.platform}-${process.arch}`;
const PREBUILT = `prebuilds/${TAG}/nlctl_native.node`;
const NODE_DIR = dirname(process.execPath);
const NPM_CLI = join(NODE_DIR, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--ignore-scripts=false', '--foreground-scripts'];

const tmp = mkdtempSync(join(tmpdir(), 'nlctl-package-test-'));
let tarball = '';
let entries: string[] = [];

/** process.env without npm's lifecycle variables and anything that picks a compiler or Python. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || ['INIT_CWD', 'NODE_OPTIONS', 'NODE_PATH', 'NLCTL_NATIVE', 'NLCTL_NODEDIR', 'NLCTL_BUILD_FROM_SOURCE'].includes(k)) continue;
    env[k] = v;
  }
  env.npm_config_userconfig = join(tmp, 'npmrc');
  env.npm_config_update_notifier = 'false';
  env.NO_COLOR = '1';
  return { ...env, ...extra };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: opts.cwd ?? tmp, env: opts.env ?? cleanEnv(), timeout: opts.timeout ?? 120_000, maxBuffer: 64 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: unknown }).code as number | null) ?? 1 : 0, stdout, stderr }),
    );
  });
}

/** Like run, but a non-zero exit fails the test with everything the command printed. */
async function ok(file: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<Run> {
  const r = await run(file, args, opts);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** Which .node files a Node process has loaded after the package's loadNative() (in `pkgDir`). */
async function loadedAddons(pkgDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const url = pathToFileURL(join(pkgDir, 'dist', 'netlink', 'native.js')).href;
  const probe = `
    const { loadNative } = await import(${JSON.stringify(url)});
    const { createRequire } = await import('node:module');
    const addon = loadNative();
    if (typeof addon.open !== 'function') throw new Error('no open()');
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.endsWith('.node'))));`;
  const r = await ok(process.execPath, ['--input-type=module', '-e', probe], { env });
  return JSON.parse(r.stdout) as string[];
}

/** Files git tracks or would track (untracked but not ignored), as they are in the work tree. */
function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && existsSync(join(REPO, f)));
}

beforeAll(async () => {
  // The user's npmrc without nodedir (registry, proxy and CA settings stay).
  const userrc = process.env.npm_config_userconfig ?? join(homedir(), '.npmrc');
  const rc = existsSync(userrc) ? readFileSync(userrc, 'utf8') : '';
  writeFileSync(join(tmp, 'npmrc'), rc.split('\n').filter((l) => !/^\s*nodedir\s*=/.test(l)).join('\n'));

  const copy = join(tmp, 'repo');
  for (const f of sourceFiles()) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(REPO, f), join(copy, f));
  }
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
  const out = join(tmp, 'pack');
  mkdirSync(out);
  const r = await ok(process.execPath, [NPM_CLI, 'pack', '--json', '--pack-destination', out], { cwd: copy });
  const [info] = JSON.parse(r.stdout) as { filename: string }[];
  tarball = join(out, info!.filename);
  entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships the CLI, the compiled library with types, the prebuilt addon and the sources to rebuild it', () => {
    expect(tarball).toMatch(new RegExp(`nlctl-${VERSION.replace(/\./g, '\\.')}\\.tgz$`));
    for (const f of [
      'package.json',
      'README.md',
      'bin/nlctl',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/cli/nlctl.cjs',
      'dist/cli/nlctl.cjs.cache',
      'bin/package.json',
      'dist/model/index.d.ts',
      'dist/netlink/native.js',
      PREBUILT,
      'binding.gyp',
      'native/addon.cc',
      'scripts/build-native.mjs',
      'completions/nlctl.bash',
      'man/nlctl.1',
      'src/families/desc/route.yaml',
    ]) {
      expect(entries, f).toContain(`package/${f}`);
    }
  });

  it('ships nothing test-only, built in place, or big', () => {
    const bad = entries.filter((e) =>
      /^package\/(test|node_modules|\.ci|build|bench|\.git)\//.test(e) ||
      /\.(map|tgz)$/.test(e) ||
      /^package\/src\/.*\.ts$/.test(e) ||
      e === 'package/scripts/pack-prebuild.mjs',
    );
    expect(bad).toEqual([]);
    expect(readFileSync(tarball).length).toBeLessThan(1_000_000);
  });
});

describe('npm install -g of the tarball', () => {
  const prefix = join(tmp, 'global');
  const pkgDir = join(prefix, 'lib', 'node_modules', 'nlctl');
  const nlctl = join(prefix, 'bin', 'nlctl');

  it('puts nlctl on PATH; the install keeps the prebuilt addon and builds nothing', async () => {
    const r = await ok(process.execPath, [NPM_CLI, 'install', '-g', '--prefix', prefix, ...NPM_FLAGS, tarball]);
    expect(r.stdout + r.stderr).toContain(`nlctl: using the prebuilt native addon ${PREBUILT}`);
    expect(existsSync(join(pkgDir, 'build'))).toBe(false);
    const env = cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` });
    expect((await ok('nlctl', ['--version'], { env })).stdout).toBe(`${VERSION}\n`);
    // The start-up bundle, with the code cache made when it was packed (by this same Node).
    const traced = await ok('nlctl', ['--help'], { env: { ...env, NLCTL_BUNDLE: 'trace' } });
    expect(traced.stderr).toContain(`nlctl: bundle ${join(pkgDir, 'dist', 'cli', 'nlctl.cjs')}: code cache used`);
    expect(await loadedAddons(pkgDir, env)).toEqual([join(pkgDir, PREBUILT)]);
  }, 120_000);

  it('dumps the links of a namespace: lo has mtu 65536', async () => {
    const ns = createNetns('nlctl-pkg');
    try {
      const r = await ok(nlctl, ['-n', ns.name, 'dump', '-f', 'route', '-t', 'getlink', '-j']);
      const msgs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { attrs?: { ifname?: string; mtu?: number } });
      const lo = msgs.filter((m) => m.attrs?.ifname === 'lo');
      expect(lo).toHaveLength(1);
      expect(lo[0]!.attrs!.mtu).toBe(65536);
    } finally {
      ns.destroy();
    }
  }, 30_000);

  it('behaves in a shell as installed: completion, man page, colour, exit codes, a closed pipe, Ctrl-C, an ordinary user', async () => {
    const path = `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`;
    const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
      const e = cleanEnv({ PATH: path, ...extra });
      for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR', 'CLICOLOR_FORCE']) if (!(k in extra)) delete e[k];
      return e;
    };
    const sh = (script: string, extra: Record<string, string> = {}) => spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env: env(extra), cwd: tmp });
    const ns = createNetns('nlctl-pkg-shell');
    try {
      // The completion script the installed nlctl prints completes message types by asking it.
      const comp = sh(`source <(nlctl completion bash); COMP_WORDS=(nlctl dump -f route -t getl); COMP_CWORD=5; COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}; _nlctl; printf '%s\\n' "\${COMPREPLY[@]}"`);
      expect(comp.stderr).toBe('');
      expect(comp.stdout.split('\n')).toContain('getlink');
      // The man page ships and lints clean.
      const man = join(pkgDir, 'man', 'nlctl.1');
      expect(readFileSync(man, 'utf8')).toBe(readFileSync(join(REPO, 'man', 'nlctl.1'), 'utf8'));
      const lint = sh(`groff -man -ww -z "${man}" && mandoc -Tlint "${man}"`);
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
      // Colour by the one decision; never in JSON.
      const dumpText = `nlctl -n ${ns.name} -o text dump -f route -t getlink`;
      expect(sh(dumpText, { FORCE_COLOR: '1' }).stdout).toContain('\x1b[');
      expect(sh(dumpText, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
      expect(sh(`nlctl -n ${ns.name} --color always -j dump -f route -t getlink`).stdout).not.toContain('\x1b[');
      // Exit status: 1 for usage, 2 when the kernel says no; one line, no stack trace.
      const usage = sh(`nlctl -n ${ns.name} dump -f nosuch -t x`);
      expect(usage.status).toBe(1);
      const kernel = sh(`nlctl -n ${ns.name} execute -f route -t getlink -a ifname=nosuch`);
      expect(kernel.status).toBe(2);
      for (const r of [usage, kernel]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      // A reader that goes away: quiet, status 0.
      const piped = sh(`${dumpText} | head -c 1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`);
      expect(piped.stderr).toBe('');
      expect(piped.stdout.trim()).toBe('status=0');
      // Ctrl-C ends listen; the shell sees the signal.
      const child = spawn(join(prefix, 'bin', 'nlctl'), ['-n', ns.name, 'listen', '-f', 'route', '-g', 'link', '-j'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise((r) => setTimeout(r, 700));
      child.kill('SIGINT');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, sg) => resolve([c, sg])));
      expect([code, signal]).toEqual([null, 'SIGINT']);
      // An ordinary user runs the installed nlctl for what the kernel allows (its own namespace).
      chmodSync(tmp, 0o755);
      const nobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', join(prefix, 'bin', 'nlctl'), 'dump', '-f', 'route', '-t', 'getlink', '-j'], { encoding: 'utf8', env: env(), cwd: '/' });
      expect(nobody.status, nobody.stderr).toBe(0);
      expect(nobody.stdout).toContain('"ifname":"lo"');
    } finally {
      ns.destroy();
    }
  }, 60_000);

  it('builds from source offline on request (npm rebuild), and the local build then wins', async () => {
    const devdir = join(tmp, 'node-gyp-devdir');
    // Any download would go to an unreachable proxy and land in devdir: neither may happen.
    const env = cleanEnv({
      NLCTL_BUILD_FROM_SOURCE: '1',
      npm_config_devdir: devdir,
      https_proxy: 'http://127.0.0.1:9',
      http_proxy: 'http://127.0.0.1:9',
      npm_config_offline: 'true',
    });
    const r = await ok(process.execPath, [NPM_CLI, 'rebuild', '-g', '--prefix', prefix, ...NPM_FLAGS, 'nlctl'], { env });
    expect(r.stdout + r.stderr).toContain('nlctl: built build/Release/nlctl_native.node');
    expect(existsSync(devdir)).toBe(false);
    const addon = join(pkgDir, 'build', 'Release', 'nlctl_native.node');
    expect(existsSync(addon)).toBe(true);
    expect(await loadedAddons(pkgDir, cleanEnv())).toEqual([addon]);
    expect((await ok(nlctl, ['dump', '-f', 'route', '-t', 'getlink', '-j'])).stdout).toContain('"ifname":"lo"');
  }, 120_000);
});

describe('npm install -g on a machine without a compiler', () => {
  // PATH holds node, npm and sh only: no cc, c++, g++, make or python3.
  const bin = join(tmp, 'no-compiler-bin');
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const e = cleanEnv({ PATH: bin, ...extra });
    for (const k of ['CC', 'CXX', 'LINK', 'PYTHON']) delete e[k];
    return e;
  };

  beforeAll(() => {
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(NPM_CLI, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
  });

  it('has no compiler on that PATH', async () => {
    const r = await run('/bin/sh', ['-c', 'for c in cc c++ gcc g++ make python3 python; do command -v $c; done; true'], { env: env() });
    expect(r.stdout).toBe('');
  });

  // The plain install, and one that asks for a source build (which must fail here and fall
  // back to the prebuilt).
  it.each([
    ['plainly', {}, `nlctl: using the prebuilt native addon ${PREBUILT}`],
    [
      'with NLCTL_BUILD_FROM_SOURCE=1',
      { NLCTL_BUILD_FROM_SOURCE: '1' },
      `nlctl: the source build failed; falling back to the prebuilt ${PREBUILT}`,
    ],
  ] as const)('installs %s and nlctl works with the prebuilt addon', async (name, extra, message) => {
    const prefix = join(tmp, `global-no-compiler-${name === 'plainly' ? 'plain' : 'source'}`);
    const pkgDir = join(prefix, 'lib', 'node_modules', 'nlctl');
    const r = await ok('npm', ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, tarball], { env: env(extra) });
    expect(r.stdout + r.stderr).toContain(message);
    expect(existsSync(join(pkgDir, 'build', 'Release', 'nlctl_native.node'))).toBe(false);
    const nlctl = join(prefix, 'bin', 'nlctl');
    expect((await ok(nlctl, ['--version'], { env: env() })).stdout).toBe(`${VERSION}\n`);
    const dump = await ok(nlctl, ['dump', '-f', 'route', '-t', 'getlink', '-j'], { env: env() });
    expect(dump.stdout).toContain('"ifname":"lo"');
    expect(await loadedAddons(pkgDir, env())).toEqual([join(pkgDir, PREBUILT)]);
  }, 120_000);
  it('says in one line how to build the shim when no prebuilt fits (exit 2, no stack trace)', async () => {
    const prefix = join(tmp, 'global-no-shim');
    const pkgDir = join(prefix, 'lib', 'node_modules', 'nlctl');
    await ok('npm', ['install', '-g', '--prefix', prefix, ...NPM_FLAGS, tarball], { env: env() });
    // As on an architecture the tarball has no prebuilt for.
    rmSync(join(pkgDir, 'prebuilds'), { recursive: true, force: true });
    const r = await run(join(prefix, 'bin', 'nlctl'), ['dump', '-f', 'route', '-t', 'getlink'], { env: env() });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nlctl: the native socket shim is not built for linux-x64: .*`npm rebuild nlctl --allow-scripts=nlctl` \(add -g for a global install/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 120_000);
});

describe('a TypeScript project depending on the tarball', () => {
  const dir = join(tmp, 'consumer');

  it('type-checks against the shipped declarations, compiles and pings generic netlink', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nlctl-consumer', version: '1.0.0', private: true, type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          skipLibCheck: false, // check nlctl's .d.ts files too
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules', '@types')],
          rootDir: '.',
          outDir: 'out',
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(dir, 'main.ts'),
      `import { dial, HeaderFlags, type Message } from 'nlctl';
import { decodeMessage, type DecodedMessage } from 'nlctl/model';

// Never called: proves the declarations are real types, not any.
export function wrong(): void {
  // @ts-expect-error: the family is a number
  dial('generic');
}

const conn = dial(16); // NETLINK_GENERIC
try {
  const replies: Message[] = await conn.execute({ header: { type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge } });
  const decoded: DecodedMessage[] = replies.map((m) => decodeMessage(m, { protocol: 16 }));
  console.log(JSON.stringify({ count: replies.length, type: replies[0]?.header.type, errno: decoded[0]?.ack?.errno }));
} finally {
  conn.close();
}
`,
    );
    await ok(process.execPath, [NPM_CLI, 'install', ...NPM_FLAGS, tarball], { cwd: dir });
    const deps = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    expect(Object.keys(deps)).toEqual(['nlctl']);

    const tsc = await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const r = await ok(process.execPath, [join(dir, 'out', 'main.js')], { cwd: dir });
    // One reply: NLMSG_ERROR (2) with errno 0, i.e. the ACK.
    expect(JSON.parse(r.stdout)).toEqual({ count: 1, type: 2, errno: 0 });
  }, 120_000);
});

describe("README's first command, in a fresh clone", () => {
  it('sets up and runs the main job: npm install && npx nlctl dump -f route -t getlink', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('npm install &&'));
    expect(line).toBeDefined();
    const command = line!.replace(/\s+#.*$/, '');
    expect(command).toBe('npm install && npx nlctl dump -f route -t getlink');
    // What is committed, as a user clones it (in CI the work tree is itself a clean clone).
    const dir = join(tmp, 'readme-clone');
    await ok('git', ['clone', '--quiet', REPO, dir]);
    const r = await run('bash', ['-c', command], { cwd: dir, env: cleanEnv({ npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }), timeout: 300_000 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/^RTM_NEWLINK /m);
    expect(r.stdout).toMatch(/ifname +string +\d+ +"lo"/);
  }, 320_000);
});
