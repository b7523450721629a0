#!/usr/bin/env node
// Build the CLI's start-up bundle: dist/cli/nlctl.cjs and its V8 code cache, nlctl.cjs.cache.
//
// Why: Node 20's ES module loader resolves, reads and compiles every module of a command on every
// run (34–39 modules for a dump or decode), and has no compile cache; that was 60–80 ms of each
// run. bin/nlctl instead compiles this one CommonJS file of the whole CLI with V8's code cache
// (see bin/nlctl), which skips parsing and compiling what the cache holds. Modules that a
// command loads lazily stay lazy inside the bundle (each is initialised on first import).
//
// The cache is made by running the bundled CLI once on a few thousand route messages (the
// NDJSON path that large dumps take) and taking V8's cache after that run, so the functions
// that run compiled then are in it too. Its first line is the bundle's identity (a hash of the
// bundle's text), which bin/nlctl compares before handing the cache to V8: V8 itself checks
// only the source length, its version and its flags. A cache made by another Node version is
// rejected by V8 and the bundle is compiled from source: slower, never wrong. (Both files are
// build output: a bundle edited by hand keeps its first line, so run this script again.)
// bin/nlctl runs the ES modules instead when dist/cli/main.js is newer than the bundle (tsc
// ran on its own since).
//
//   node scripts/bundle-cli.mjs          (run by `npm run build` after tsc)
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
// In dist/cli, next to main.js: paths the code computes from its own location
// (package.json, the native shim) are the same in the bundle as in the modules.
const out = `${root}dist/cli/nlctl.cjs`;
const cacheFile = `${out}.cache`;

rmSync(cacheFile, { force: true });
// In a bundle every builtin any module imports is required at start, on every run. Two that
// nlctl never needs are left out:
// - chalk's colour detection: nlctl decides whether to colour (src/cli/color.ts) and gives
//   chalk its level, and the detection would load node:tty (and with it node:net);
// - commander's node:child_process (with node:net and node:dgram), used only to run
//   subcommands that are programs of their own, which nlctl has none of: loaded if ever used.
const SUPPORTS_COLOR = '\0nlctl-supports-color';
const CHILD_PROCESS = '\0nlctl-lazy-child-process';
const leaveOut = {
  name: 'nlctl-leave-out',
  resolveId(id, importer) {
    if (id === '#supports-color' && importer?.includes('/node_modules/chalk/')) return SUPPORTS_COLOR;
    if (id === 'node:child_process' && importer?.includes('/node_modules/commander/')) return CHILD_PROCESS;
    return null;
  },
  load(id) {
    if (id === SUPPORTS_COLOR) return 'export default { stdout: false, stderr: false };';
    if (id === CHILD_PROCESS) return "module.exports = new Proxy({}, { get: (_, k) => process.getBuiltinModule('node:child_process')[k] });";
    return null;
  },
};
const bundle = await rolldown({
  input: `${root}dist/cli/main.js`,
  platform: 'node',
  // The shim is loaded by path at run time; builtins are Node's.
  external: [/\.node$/],
  plugins: [leaveOut],
  logLevel: 'warn',
});
// Strict, as the ES modules it is made of are.
const { output } = await bundle.generate({ format: 'cjs', codeSplitting: false, minify: false, comments: false, strict: true });
await bundle.close();
if (output.length !== 1 || output[0].type !== 'chunk') throw new Error(`expected one chunk, got ${output.map((o) => o.fileName).join(', ')}`);

// Pure ASCII, so bin/nlctl reads it as latin1 (a one-byte string, no UTF-8 decoding). Outside
// comments, which are stripped, the only non-ASCII characters are in string, template and
// regular-expression literals, where \uXXXX means the same character.
const source = output[0].code;
if (!/^(\/\/[^\n]*\n|\s)*(['"])use strict\2/.test(source)) throw new Error('the bundle is not strict');
const builtins = [...source.matchAll(/^let \w+ = require\("(node:[\w/]+)"\);$/gm)].map((m) => m[1]);
const EXPECTED = ['node:fs', 'node:path', 'node:process', 'node:module', 'node:url'];
if (builtins.some((b) => !EXPECTED.includes(b))) throw new Error(`the bundle loads ${builtins.join(', ')} at start: load the others where they are used (process.getBuiltinModule)`);
// Everything else it requires must be a builtin too (the bundle is self-contained), and it
// must not import(): under vm.Script that throws (no dynamic-import callback).
const required = [...source.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
const notBuiltin = required.filter((r) => !builtinModules.includes(r.replace(/^node:/, '')));
if (notBuiltin.length) throw new Error(`the bundle requires ${notBuiltin.join(', ')}: only builtins may stay outside it`);
if (/\bimport\s*\(/.test(source)) throw new Error('the bundle has a dynamic import(), which vm.Script cannot run');
const code = source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (/String\.raw/.test(code)) throw new Error('String.raw in the bundle: \\u escapes would change its text');
const id = createHash('sha256').update(code).digest('hex').slice(0, 32);
const text = `// nlctl ${id}\n${code}`;
writeFileSync(`${out}.tmp`, text, 'latin1');
renameSync(`${out}.tmp`, out);

// Warm-up input: RTM_NEWROUTE messages as a route dump carries them (rtmsg; table, dst,
// gateway, oif), then NLMSG_DONE.
const ROUTES = 4000;
const msgs = Buffer.alloc(ROUTES * 60 + 20);
for (let i = 0; i < ROUTES; i++) {
  const o = i * 60;
  msgs.writeUInt32LE(60, o);
  msgs.writeUInt16LE(24, o + 4); // RTM_NEWROUTE
  msgs.writeUInt16LE(0x22, o + 6); // NLM_F_MULTI | NLM_F_DUMP_FILTERED
  msgs.writeUInt32LE(1, o + 8);
  msgs.writeUInt32LE(4242, o + 12);
  msgs.set([2, 32, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0], o + 16); // AF_INET /32, main, boot, universe, unicast
  const attr = (at, type, value, bigEndian = false) => {
    msgs.writeUInt16LE(8, o + at);
    msgs.writeUInt16LE(type, o + at + 2);
    if (bigEndian) msgs.writeUInt32BE(value, o + at + 4);
    else msgs.writeUInt32LE(value, o + at + 4);
  };
  attr(28, 15, 254); // RTA_TABLE
  attr(36, 1, 0x0a000000 + i, true); // RTA_DST 10.0.x.y
  attr(44, 5, 0xac100002, true); // RTA_GATEWAY 172.16.0.2
  attr(52, 4, 3); // RTA_OIF
}
msgs.writeUInt32LE(20, ROUTES * 60);
msgs.writeUInt16LE(3, ROUTES * 60 + 4); // NLMSG_DONE
msgs.writeUInt16LE(0x2, ROUTES * 60 + 6);

// The same flags as a user's run (V8 rejects a cache made under other flags): no NODE_OPTIONS;
// and the bundle, whatever NLCTL_BUNDLE says in this environment. bin/nlctl writes the cache
// file itself, in the form it reads.
const env = { ...process.env, NLCTL_BUNDLE: '1', NLCTL_BUNDLE_CACHE_OUT: cacheFile };
delete env.NODE_OPTIONS;
const run = spawnSync(process.execPath, [`${root}bin/nlctl`, 'decode', '--input', 'raw', '-f', 'route', '-j'], { input: msgs, env, maxBuffer: 64 << 20 });
if (run.status !== 0) throw new Error(`warm-up run failed (${run.status}): ${run.stderr}`);
if (!run.stdout.toString().includes('"dst":"10.0.15.159"')) throw new Error('warm-up run printed something unexpected');
if (!existsSync(cacheFile)) throw new Error(`warm-up run did not run the bundle (no code cache written): ${run.stderr}`);
const cache = readFileSync(cacheFile);
if (cache.toString('latin1', 0, id.length + 1) !== `${id}\n`) throw new Error('the code cache names another bundle');
console.error(`bundle-cli: ${out} (${(text.length / 1024).toFixed(0)} KiB), code cache ${(cache.length / 1024).toFixed(0)} KiB`);
