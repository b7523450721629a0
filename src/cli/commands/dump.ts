// nlctl dump: one NLM_F_DUMP request; replies are rendered as each datagram arrives, so memory
// stays flat however large the dump. NLM_F_DUMP_INTR is handled by --on-intr: warn (as
// iproute2 does), fail, or retry (which holds the dump back until one is consistent).
import type { DecodedMessage } from '../../model/decode.js';
import { NetlinkError } from '../../netlink/errors.js';
import { HeaderFlags, type Message } from '../../netlink/message.js';
import { openConn, openOutput, withSignals } from '../common.js';
import { outputFormat, type GlobalOptions } from '../main.js';
import { messageRecord, statusWriter } from '../output.js';
import { buildRequest, type RequestOptions } from '../request.js';
import { netnsPath, resolveFlags, targetFromOptions, resolveType } from '../resolve.js';

/** Options of the dump command. */
export interface DumpOptions extends RequestOptions {
  family?: string;
  type: string;
  flags?: string;
  onIntr: 'retry' | 'warn' | 'fail';
}

const RETRIES = 5;

/** Run `nlctl dump`. */
export async function dump(o: DumpOptions, g: GlobalOptions): Promise<void> {
  const target = await targetFromOptions(o.family, g.spec, netnsPath(g.netns));
  const { value } = resolveType(target, o.type);
  const flags = o.flags !== undefined ? resolveFlags(o.flags) : HeaderFlags.Request | HeaderFlags.Dump;
  const request = buildRequest(target, value, flags, o);
  const out = await openOutput(g, target);
  const status = statusWriter(g.quiet === true);
  const conn = await openConn(target, g);
  const started = Date.now();
  try {
    await withSignals(async (signal) => {
      const stop = AbortSignal.any([signal, out.signal]);
      // What ends every JSON dump, however it ends: Ctrl-C, a kernel error, or its DONE.
      const finish = async (): Promise<void> => {
        status(`nlctl: ${out.messages} messages`);
        if (outputFormat(g) === 'json') await out.write(out.summary(started));
      };
      let sent: DecodedMessage | undefined;
      try {
        await attempts();
      } catch (err) {
        // Ctrl-C or a closed stdout while waiting for the kernel: a stop, not a failure (the
        // wait rejects with the signal's reason); finish() still runs.
        if (stop.aborted && err === stop.reason) {
          await finish();
          return;
        }
        // The kernel refused the dump: its error is a record like any reply (as execute shows it).
        if (err instanceof NetlinkError && err.reply) {
          const rec = messageRecord(target, err.reply, 'received', {}, sent);
          await out.write(rec);
          const path = rec.decoded.ack?.badAttr;
          if (path) Object.assign(err, { badAttr: path });
          await finish();
        }
        throw err;
      }
      await finish();

      async function attempts(): Promise<void> {
        for (let attempt = 1; ; attempt++) {
          // Replies are decoded in the request's context (which protocol a sock_diag dump asked for).
          sent = messageRecord(target, conn.send(request), 'sent').decoded;
          let interrupted = false;
          const held: Message[] = [];
          for await (const batch of conn.receiveBatches({ signal: stop, dumpInterrupted: 'ignore' })) {
            for (const m of batch) {
              if (m.header.flags & HeaderFlags.DumpInterrupted) interrupted = true;
              if (o.onIntr === 'retry') held.push(m);
              else {
                const wait = out.write(messageRecord(target, m, 'received', {}, sent));
                if (wait) await wait;
              }
            }
            if (stop.aborted) return; // Ctrl-C or a closed stdout: finish() still runs
          }
          if (!interrupted) {
            for (const m of held) await out.write(messageRecord(target, m, 'received', {}, sent));
            break;
          }
          if (o.onIntr === 'retry' && attempt < RETRIES) {
            status(`nlctl: dump interrupted (attempt ${attempt}), retrying`);
            await out.write({ record: 'dump_interrupted', action: 'retry', attempt });
            continue;
          }
          if (o.onIntr === 'retry') for (const m of held) await out.write(messageRecord(target, m, 'received', {}, sent));
          const action = o.onIntr === 'fail' ? 'fail' : 'warn';
          await out.write({ record: 'dump_interrupted', action, attempt });
          process.stderr.write('nlctl: Dump was interrupted and may be inconsistent.\n');
          if (action === 'fail') process.exitCode = 2;
          break;
        }
      }
    }, out);
  } finally {
    conn.close();
    await out.end();
  }
}
