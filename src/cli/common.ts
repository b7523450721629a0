// What every command does the same way: pick the renderer, open the output, dial the socket.
import type { Conn } from '../netlink/conn.js';
import { loadRenderer } from '../render/load.js';
import { outputFormat, stdoutColor, type GlobalOptions } from './main.js';
import { Output } from './output.js';
import { netnsPath, type Target } from './resolve.js';

/** The stdout side for these global options (`target` names fixed-header fields in mnl-annotated). */
export async function openOutput(g: GlobalOptions, target?: Target): Promise<Output> {
  const renderer = await loadRenderer(outputFormat(g), {
    color: stdoutColor(g),
    pretty: g.pretty === true,
    lossless: g.lossless === true,
    width: process.stdout.isTTY ? process.stdout.columns : undefined,
    structLayout: (d) => {
      const fam = target?.protocol === 16 ? target.genlFamilies?.get(d.header.type) : target?.family;
      return d.fixed ? fam?.structs[d.fixed.name] : undefined;
    },
  });
  return new Output(renderer);
}

/** Dial the target's protocol in the chosen namespace (the socket code is loaded now). */
export async function openConn(target: Target, g: GlobalOptions, extra: { strict?: boolean; pid?: number; groups?: number } = {}): Promise<Conn> {
  const { dial } = await import('../netlink/conn.js');
  return dial(target.protocol, { netns: netnsPath(g.netns), strict: extra.strict ?? true, pid: extra.pid, groups: extra.groups });
}

/**
 * Run `body` with SIGINT/SIGTERM turned into an abort: the command finishes its current line,
 * closes its socket, and the signal is raised again afterwards so the shell sees it.
 */
export async function withSignals<T>(body: (signal: AbortSignal) => Promise<T>, out?: Output): Promise<T> {
  const ac = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const on = (sig: NodeJS.Signals) => () => {
    if (caught) process.exit(128 + (sig === 'SIGINT' ? 2 : 15)); // a second signal: leave now
    caught = sig;
    ac.abort(new Error(sig));
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await body(ac.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (caught) {
      const sig = caught;
      // Finish the output, let stdout drain, then die by the same signal.
      await out?.end();
      process.stdout.write('', () => process.kill(process.pid, sig));
    }
  }
}
