// A copy of the built package that any user can read, for tests that run nlctl as an ordinary
// user (setpriv --reuid=nobody): the work tree itself may sit under a directory only root can
// enter (mktemp -d makes 0700 directories). Made once per test file; call removePublicCopy() in
// afterAll (vitest may end its workers without running exit handlers).
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
let copy: string | undefined;

/** The copy's root: package.json, bin/, dist/, the built shim and the runtime dependencies. */
export function publicCopy(): string {
  if (copy) return copy;
  const dir = mkdtempSync(join(tmpdir(), 'nlctl-public-'));
  chmodSync(dir, 0o755);
  for (const part of ['package.json', 'bin', 'dist', join('build', 'Release', 'nlctl_native.node')]) {
    cpSync(join(root, part), join(dir, part), { recursive: true });
  }
  // Runtime dependencies only (what `npm ls --omit=dev` lists), not the test tooling.
  const prod = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((p) => p.startsWith(join(root, 'node_modules')));
  for (const p of prod) cpSync(p, join(dir, relative(root, p)), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  copy = dir;
  return dir;
}

/** Remove the copy, if one was made. */
export function removePublicCopy(): void {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
}
