#!/usr/bin/env node
// Builds the native socket shim with node-gyp against the headers of the Node that runs this
// script. The headers directory is passed explicitly so the build never tries to download
// anything and does not depend on a user's npmrc.
//
//   node scripts/build-native.mjs              rebuild build/Release (npm run build:native)
//   node scripts/build-native.mjs --if-missing the npm `install` hook:
//       1. an addon in build/Release already: keep it (a local build wins);
//       2. prebuilds/<platform>-<arch>/nlctl_native.node loads in a child process: use it;
//       3. otherwise build from source; if that fails but a prebuilt is there, warn and succeed
//          (the loader still tries it), else fail.
//     NLCTL_BUILD_FROM_SOURCE=1 (or `npm_config_build_from_source=true`) skips step 2.
//
// scripts/pack-prebuild.mjs (npm prepack, not shipped) imports buildAddon() from here.
import { existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ADDON_NAME = 'nlctl_native.node';
export const platformTag = `${process.platform}-${process.arch}`;
export const addonPath = join(root, 'build', 'Release', ADDON_NAME);
export const prebuiltPath = join(root, 'prebuilds', platformTag, ADDON_NAME);

const say = (msg) => console.error(`nlctl: ${msg}`);

/** The Node headers prefix: NLCTL_NODEDIR, else PREFIX of the running node if it has include/node/common.gypi. */
export function nodeDir() {
  if (process.env.NLCTL_NODEDIR) return process.env.NLCTL_NODEDIR;
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  return undefined;
}

/** node-gyp's entry script: our dependency, else the copy npm bundles (npm exports npm_config_node_gyp to scripts). */
function nodeGypScript() {
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    return bundled && existsSync(bundled) ? bundled : undefined;
  }
}

/**
 * `node-gyp rebuild` in `cwd` (a directory holding binding.gyp and native/) with an explicit
 * nodedir. Returns true on success; says why on failure. Output goes to stderr/stdout as given.
 */
export function buildAddon(cwd = root, { stdio = 'inherit', env = process.env } = {}) {
  const dir = nodeDir();
  if (!dir) {
    say('cannot find the Node headers (PREFIX/include/node/common.gypi); set NLCTL_NODEDIR');
    return false;
  }
  const gyp = nodeGypScript();
  if (!gyp) {
    say('node-gyp is not installed; run npm install first');
    return false;
  }
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${dir}`, '--jobs=max'], { cwd, stdio, env });
  if (r.status !== 0) {
    say('building the native shim failed (a C++ compiler, make and python3 are needed)');
    return false;
  }
  return true;
}

/** Load `path` in a child node process; returns undefined when it loads, else a one-line reason. */
export function loadProblem(path) {
  const probe =
    'const a = require(process.argv[1]);' +
    "if (typeof a.open !== 'function' || typeof a.constants !== 'object') throw new Error('not the nlctl shim');";
  const r = spawnSync(process.execPath, ['-e', probe, path], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status === 0) return undefined;
  const lines = (r.stderr ?? '').split('\n').map((l) => l.trim());
  return lines.find((l) => /^(Error|TypeError)\b|^\w*Error:/.test(l)) ?? lines.find((l) => l !== '') ?? `exit status ${r.status}`;
}

function truthy(v) {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function installHook() {
  const shown = relative(root, prebuiltPath);
  if (existsSync(addonPath)) {
    say(`using the local build ${relative(root, addonPath)}`);
    return 0;
  }
  const hasPrebuilt = existsSync(prebuiltPath);
  const fromSource = truthy(process.env.NLCTL_BUILD_FROM_SOURCE) || truthy(process.env.npm_config_build_from_source);
  if (hasPrebuilt && !fromSource) {
    const problem = loadProblem(prebuiltPath);
    if (problem === undefined) {
      say(`using the prebuilt native addon ${shown}`);
      return 0;
    }
    say(`the prebuilt ${shown} does not load here (${problem}); building from source`);
  } else if (hasPrebuilt) {
    say('building the native addon from source (asked for by NLCTL_BUILD_FROM_SOURCE / --build-from-source)');
  } else {
    say(`no prebuilt native addon for ${platformTag}; building from source`);
  }
  if (buildAddon()) {
    say(`built ${relative(root, addonPath)}`);
    return 0;
  }
  if (hasPrebuilt) {
    say(`the source build failed; falling back to the prebuilt ${shown}`);
    return 0;
  }
  return 1;
}

// Run as a script (not imported). Compare real paths: npm may run it through a symlinked package dir.
function isMain() {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (process.argv[1] && isMain()) {
  if (process.argv.includes('--if-missing')) process.exit(installHook());
  process.exit(buildAddon() ? 0 : 1);
}
