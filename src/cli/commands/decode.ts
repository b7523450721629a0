// nlctl decode: no socket. Reads netlink bytes from files or stdin — raw, hex as people paste
// it, or pcap/pcapng captures — and renders them like any other command's output. Malformed
// input is shown as far as it goes and annotated; the exit status is then 1.
import { fstatSync, readFileSync } from 'node:fs';
import { readInput, type InputFormat } from '../../input/index.js';
import { decodeUevent } from '../../model/uevent.js';
import type { DecodedMessage } from '../../model/decode.js';
import { HeaderFlags, MessageReader, type Message } from '../../netlink/message.js';
import type { MessageRecord } from '../../render/record.js';
import { openOutput } from '../common.js';
import type { GlobalOptions } from '../main.js';
import { messageRecord } from '../output.js';
import { netnsPath, parseCount, resolveTarget, targetFromOptions, UsageError, type Target } from '../resolve.js';

/** Options of the decode command. */
export interface DecodeOptions {
  family?: string;
  input: InputFormat;
  extraHeader?: string;
}

async function readAll(file: string): Promise<Uint8Array> {
  try {
    if (file !== '-') return new Uint8Array(readFileSync(file));
    // stdin redirected from a file is read at once; a pipe or terminal may be non-blocking,
    // where a synchronous read fails with EAGAIN, so those are read as a stream.
    if (fstatSync(0).isFile()) return new Uint8Array(readFileSync(0));
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${e.code ?? e.message}`);
  }
}

/** Requests remembered for pairing with their replies (the most recent ones). */
const MAX_REQUESTS = 256;

/** Run `nlctl decode`. */
export async function decode(files: string[], o: DecodeOptions, g: GlobalOptions): Promise<void> {
  const ehs = o.extraHeader !== undefined ? parseCount(o.extraHeader, '--extra-header') : undefined;
  let given: Target | undefined;
  if (o.family !== undefined || g.spec !== undefined) {
    try {
      given = await targetFromOptions(o.family, g.spec, netnsPath(g.netns));
    } catch (err) {
      // No kernel to ask (or not allowed to): fall back to what the descriptions alone know.
      if (err instanceof UsageError) throw err;
      given = await targetFromOptions(o.family, g.spec, undefined, { offline: true });
    }
  }
  const targets = new Map<number, Target>();
  const targetFor = async (protocol: number | undefined): Promise<Target> => {
    if (given) return given;
    if (protocol === undefined) return { protocol: -1, protocolName: 'unknown' };
    let t = targets.get(protocol);
    if (!t) {
      t = await resolveTarget(String(protocol), undefined, { offline: true });
      targets.set(protocol, t);
    }
    return t;
  };
  const out = await openOutput(g);
  let malformed = 0;
  // Requests seen, by protocol and sequence number: a reply further on is decoded knowing its
  // request, as dump and execute do (sock_diag's INET_DIAG_INFO by the protocol asked for, an
  // ext-ack offset named as an attribute). Bounded: a capture may hold any number.
  const requests = new Map<number, MessageRecord>();
  const requestKey = (protocol: number, m: Message): number => protocol * 0x100000000 + m.header.sequence;
  const requestFor = (protocol: number, m: Message): DecodedMessage | undefined =>
    requests.size !== 0 && m.header.sequence !== 0 && !(m.header.flags & HeaderFlags.Request) ? requests.get(requestKey(protocol, m))?.decoded : undefined;
  try {
    for (const file of files.length ? files : ['-']) {
      const { packets, warnings } = readInput(await readAll(file), o.input, { source: file === '-' ? 'stdin' : file });
      for (const w of warnings) process.stderr.write(`nlctl: ${file === '-' ? 'stdin' : file}: ${w}\n`);
      for (const p of packets) {
        const target = await targetFor(p.protocol);
        if (target.protocol === 15) {
          await out.write({ record: 'uevent', time: p.time, event: decodeUevent(p.data) });
          continue;
        }
        const reader = new MessageReader(p.data);
        for (let m = reader.next(); m; m = reader.next()) {
          const rec = messageRecord(target, m, 'received', { time: p.time }, requestFor(target.protocol, m), ehs ?? 'auto');
          if (ehs !== undefined) rec.extraHeaderSize = ehs;
          if (m.header.flags & HeaderFlags.Request && m.header.sequence !== 0) {
            // The newest request of a sequence number counts, and moves to the back of the queue.
            const key = requestKey(target.protocol, m);
            requests.delete(key);
            requests.set(key, rec);
            if (requests.size > MAX_REQUESTS) requests.delete(requests.keys().next().value!);
          }
          const wait = out.write(rec);
          if (wait) await wait;
          if (rec.malformed) malformed++;
          if (out.broken) return;
        }
        if (reader.malformed) {
          malformed++;
          process.stderr.write(`nlctl: ${p.where}: ${reader.malformed.message}\n`);
        }
      }
    }
  } finally {
    await out.end();
  }
  if (malformed) process.exitCode = 1;
}
