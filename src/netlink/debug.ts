// NLDEBUG: print every message a Conn sends and receives to stderr.
//
//   NLDEBUG=1                      level 1, format mnl
//   NLDEBUG=level=2,format=text    comma-separated key=value pairs
//   keys: level=N (0 off, 1 messages, 2 also datagram senders, control data and notes)
//         format=mnl|text          libmnl's mnl_nlmsg_fprintf layout, or one line per message
//         color=auto|always|never  colour of mnl attribute headers (auto: stderr is a terminal)
//
// The environment is read when a Conn is dialed, never at import, and each Conn has its own
// debugger. Nothing here throws: bad settings are ignored and printing errors are swallowed,
// because a debugging aid must never break the program it watches.
import { formatMnl } from '../render/mnl.js';
import { fixedHeaderSize } from '../families/protocols.js';
import type { Message } from './message.js';
import { HeaderFlags, controlFlagContext, flagNames } from './message.js';

/** Debugger settings (the parsed form of NLDEBUG). */
export interface DebugOptions {
  /** 0 silent, 1 messages, 2 messages plus datagram details and notes. */
  level?: number;
  /** Output layout. Default mnl. */
  format?: 'mnl' | 'text';
  /** Colour: true/false, or 'auto' (the stream is a terminal and NO_COLOR is unset). */
  color?: boolean | 'auto';
  /** Where to write; default process.stderr. */
  write?: (text: string) => void;
}

/** What a Conn reports to its debugger. */
export interface Debugger {
  send(messages: readonly Message[], bytes: Uint8Array): void;
  recv(datagram: { data: Uint8Array; messages: readonly Message[]; portid: number; groups: number; group?: number; nsid?: number }): void;
  error(op: string, err: unknown): void;
  note(text: string): void;
}

const SILENT: Debugger = { send() {}, recv() {}, error() {}, note() {} };

/** Parse an NLDEBUG value. Unknown keys and bad values are ignored; "1" alone means level 1. */
export function parseDebugEnv(value: string | undefined): DebugOptions | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === '0') return undefined;
  const opts: DebugOptions = { level: 1 };
  for (const piece of value.split(',')) {
    const [key, val, ...rest] = piece.split('=');
    if (val === undefined || rest.length) continue;
    const k = key!.trim();
    const v = val.trim();
    if (k === 'level' && /^-?\d+$/.test(v)) opts.level = Number(v);
    else if (k === 'format' && (v === 'mnl' || v === 'text')) opts.format = v;
    else if (k === 'color' || k === 'colour') {
      if (v === 'always') opts.color = true;
      else if (v === 'never') opts.color = false;
      else if (v === 'auto') opts.color = 'auto';
    }
  }
  return opts;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function textLine(dir: string, m: Message): string {
  const h = m.header;
  return (
    `nl: ${dir}: {len=${h.length} type=${h.type} flags=${flagNames(h.flags, controlFlagContext(h.type)).join('|') || '0'} seq=${h.sequence} pid=${h.pid}}` +
    (m.data.length ? ` ${hex(m.data)}` : '') +
    '\n'
  );
}

function stderrIsColourTerminal(): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.TERM === 'dumb') return false;
  return process.stderr.isTTY === true;
}

/**
 * Build the debugger for a Conn of protocol `family` from options or an NLDEBUG string.
 * Returns a silent debugger when debugging is off.
 */
export function createDebugger(setting: DebugOptions | string | undefined, family: number): Debugger {
  const opts = typeof setting === 'string' ? parseDebugEnv(setting) : setting;
  const level = opts?.level ?? 0;
  if (!opts || level <= 0) return SILENT;
  const format = opts.format ?? 'mnl';
  const color = opts.color === undefined || opts.color === 'auto' ? stderrIsColourTerminal() : opts.color;
  const write =
    opts.write ??
    ((text: string) => {
      process.stderr.write(text);
    });
  const safe = (fn: () => string) => {
    try {
      const text = fn();
      if (text) write(text);
    } catch {
      // A debugging aid must not break the program it watches.
    }
  };
  const mnl = (bytes: Uint8Array, request: boolean) =>
    formatMnl(bytes, {
      color,
      extraHeaderSize: (h: { type: number; flags: number }, payload: Uint8Array) =>
        fixedHeaderSize(family, h.type, request && (h.flags & HeaderFlags.Request) !== 0, payload[0]),
    });
  return {
    send(messages, bytes) {
      safe(() => (format === 'mnl' ? mnl(bytes, true) : messages.map((m) => textLine('send', m)).join('')));
    },
    recv(d) {
      safe(() => {
        let out = '';
        if (level >= 2) {
          out += `nl: recv datagram: ${d.data.length} bytes from pid ${d.portid} groups 0x${d.groups.toString(16)}`;
          if (d.group !== undefined) out += ` group ${d.group}`;
          if (d.nsid !== undefined) out += ` nsid ${d.nsid}`;
          out += '\n';
        }
        out += format === 'mnl' ? mnl(d.data, false) : d.messages.map((m) => textLine('recv', m)).join('');
        return out;
      });
    },
    error(op, err) {
      safe(() => `nl: ${op}: err: ${err instanceof Error ? err.message : String(err)}\n`);
    },
    note(text) {
      if (level >= 2) safe(() => `nl: ${text}\n`);
    },
  };
}
