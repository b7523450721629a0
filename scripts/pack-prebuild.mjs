#!/usr/bin/env node
// npm `prepack` (npm pack / npm publish; not shipped): builds the native shim from source and
// puts it at prebuilds/<platform>-<arch>/nlctl_native.node, so that an install on a machine
// without a compiler works (scripts/build-native.mjs --if-missing picks it up). The addon uses
// Node-API (NAPI_VERSION=8), so one binary serves Node 20 and later.
//
// The build runs in a private staging copy of binding.gyp and native/, never in build/: other
// users of the work tree keep their build/Release addon while this runs. It also deletes
// outputs in dist/ whose source in src/ is gone, so a pack never ships stale modules (npm then
// runs `prepare`, which compiles dist/ afresh).
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ADDON_NAME, buildAddon, loadProblem, prebuiltPath, root } from './build-native.mjs';

const say = (msg) => console.error(`nlctl prepack: ${msg}`);

function buildPrebuilt() {
  const stage = mkdtempSync(join(tmpdir(), 'nlctl-prebuild-'));
  try {
    copyFileSync(join(root, 'binding.gyp'), join(stage, 'binding.gyp'));
    cpSync(join(root, 'native'), join(stage, 'native'), { recursive: true });
    // binding.gyp runs `node -p "require('node-addon-api').targets"` in the staging dir.
    const addonApi = dirname(createRequire(join(root, 'package.json')).resolve('node-addon-api/package.json'));
    const env = { ...process.env, NODE_PATH: dirname(addonApi) };
    // Keep stdout clean for npm pack --json: node-gyp's chatter goes to stderr.
    if (!buildAddon(stage, { stdio: ['ignore', 2, 2], env })) process.exit(1);
    const built = join(stage, 'build', 'Release', ADDON_NAME);
    spawnSync('strip', ['--strip-unneeded', built], { stdio: 'ignore' }); // optional: smaller tarball
    const problem = loadProblem(built);
    if (problem !== undefined) {
      say(`the freshly built addon does not load: ${problem}`);
      process.exit(1);
    }
    mkdirSync(dirname(prebuiltPath), { recursive: true });
    const tmp = `${prebuiltPath}.${process.pid}.tmp`;
    copyFileSync(built, tmp);
    renameSync(tmp, prebuiltPath); // atomic: a concurrent loader sees the old or the new file
    say(`wrote ${relative(root, prebuiltPath)}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Delete dist/**\/X.js, X.d.ts, X.js.map when src/**\/X.ts no longer exists. */
function pruneDist() {
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return;
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const m = /^(.*?)(\.d\.ts|\.js\.map|\.js)$/.exec(entry.name);
    if (!m) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const src = join(root, 'src', relative(dist, dirname(file)), `${m[1]}.ts`);
    if (!existsSync(src)) {
      unlinkSync(file);
      say(`removed stale ${relative(root, file)}`);
    }
  }
}

buildPrebuilt();
pruneDist();
