#!/usr/bin/env node
// Builds the native socket shim with node-gyp against the headers of the Node that runs this
// script. The headers directory is passed explicitly so the build never tries to download
// anything and does not depend on a user's npmrc.
//
//   node scripts/build-native.mjs              rebuild
//   node scripts/build-native.mjs --if-missing build only when no addon is there yet (npm install)
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build', 'Release', 'nlctl_native.node');

if (process.argv.includes('--if-missing') && existsSync(addon)) process.exit(0);

// Node installed under PREFIX keeps its headers in PREFIX/include/node (common.gypi marks them).
function nodeDir() {
  if (process.env.NLCTL_NODEDIR) return process.env.NLCTL_NODEDIR;
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) return prefix;
  return undefined;
}

const dir = nodeDir();
if (!dir) {
  console.error('nlctl: cannot find the Node headers (PREFIX/include/node/common.gypi); set NLCTL_NODEDIR');
  process.exit(1);
}

const require = createRequire(import.meta.url);
let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  console.error('nlctl: node-gyp is not installed; run npm install first');
  process.exit(1);
}

const args = [gyp, 'rebuild', `--nodedir=${dir}`, '--jobs=max'];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('nlctl: building the native shim failed (a C++ compiler, make and python3 are needed)');
  process.exit(r.status ?? 1);
}
