// Scratch network namespaces for tests that need a real kernel but must not touch the host's
// interfaces: everything a test creates (veths, addresses, routes) lives in a namespace that
// disappears with destroy().
//
//   const ns = createNetns('nlctl-link');     // ip netns add nlctl-link-<pid>-<random>
//   ns.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
//   native.open(0, ns.path);                  // a netlink socket inside it
//   ns.destroy();                             // ip netns del (idempotent)
//
// Needs root (CAP_SYS_ADMIN) and iproute2. `ip netns add` writes a bind mount under /run/netns
// on the host, so always call destroy() (in afterAll, or in a finally). As a safety net, every
// namespace still alive when the test process exits is deleted by an 'exit' handler.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  /** The name given to `ip netns`, e.g. `nlctl-native-4242-9f3a1c`. */
  readonly name: string;
  /** The namespace file, `/run/netns/<name>`: usable with setns(2) or open(protocol, path). */
  readonly path: string;
  /** Run `ip -n <name> ...args` (no shell) and return its stdout. Throws on a non-zero exit. */
  ip(...args: string[]): string;
  /**
   * Run a shell command inside the namespace (`ip netns exec <name> sh -c <cmd>`) and return its
   * stdout. Throws on a non-zero exit, with the command's stderr in the message.
   */
  exec(cmd: string): string;
  /** Delete the namespace (its interfaces go with it). Safe to call more than once. */
  destroy(): void;
}

const live = new Set<string>();
let exitHookInstalled = false;

function run(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

function deleteNamespace(name: string): void {
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    // Already gone (or never created): nothing to clean up.
  }
  live.delete(name);
}

/**
 * A fresh network namespace named `<prefix>-<pid>-<random hex>`, so parallel test files and
 * repeated runs never collide. It starts with only a `lo` interface (down). It is created when
 * first used (name, path, ip, exec), not here: a file whose tests a filter skips entirely runs
 * none of its hooks, so a namespace made at load time would outlive it.
 */
export function createNetns(prefix: string): Netns {
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new Error(`createNetns: bad prefix ${JSON.stringify(prefix)}`);
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  let state: 'new' | 'live' | 'gone' = 'new';
  const made = (): string => {
    if (state === 'gone') throw new Error(`createNetns: ${name} was destroyed`);
    if (state === 'new') {
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', () => {
          for (const n of [...live]) deleteNamespace(n);
        });
      }
      run('ip', ['netns', 'add', name]);
      live.add(name);
      state = 'live';
    }
    return name;
  };
  return {
    get name() {
      return made();
    },
    get path() {
      return `/run/netns/${made()}`;
    },
    ip: (...args: string[]) => run('ip', ['-n', made(), ...args]),
    exec: (cmd: string) => run('ip', ['netns', 'exec', made(), 'sh', '-c', cmd]),
    destroy: () => {
      if (state === 'live') deleteNamespace(name);
      state = 'gone';
    },
  };
}

/** True when this process may create namespaces (root, or CAP_SYS_ADMIN and iproute2 present). */
export function canCreateNetns(): boolean {
  try {
    createNetns('nlctl-probe').destroy();
    return true;
  } catch {
    return false;
  }
}
