// nlctl execute: send one request and print every reply, the ACK included. A kernel error
// prints its errno, text and extended-ACK message, names the offending attribute by path, and
// ends with exit status 2. --dry-run prints the request instead of sending it. How long to wait
// is the family's to say: audit answers after its ACK (reply: after-ack), connector answers
// nothing at all (reply: none: the request is sent and printed).
import { NetlinkError } from '../../netlink/errors.js';
import type { Message } from '../../netlink/message.js';
import { openConn, openOutput } from '../common.js';
import { attrAt } from '../../model/decode.js';
import { outputFormat, type GlobalOptions } from '../main.js';
import { messageRecord, statusWriter } from '../output.js';
import { buildRequest, type RequestOptions } from '../request.js';
import { netnsPath, resolveFlags, targetFromOptions, resolveType } from '../resolve.js';

/** Options of the execute command. */
export interface ExecuteOptions extends RequestOptions {
  family?: string;
  type: string;
  flags: string;
  dryRun?: boolean;
}

/** Run `nlctl execute`. */
export async function execute(o: ExecuteOptions, g: GlobalOptions): Promise<void> {
  const target = await targetFromOptions(o.family, g.spec, netnsPath(g.netns));
  const { value, spec } = resolveType(target, o.type);
  const request = buildRequest(target, value, resolveFlags(o.flags), o);
  const out = await openOutput(g, target);
  // The request as a message, for --dry-run and as the context replies are decoded in.
  const asSent: Message = {
    header: { length: 16 + (request.data?.length ?? 0), type: request.header!.type!, flags: request.header!.flags!, sequence: 0, pid: 0 },
    data: request.data ?? new Uint8Array(0),
  };
  try {
    if (o.dryRun) {
      await out.write(messageRecord(target, asSent, 'sent'));
      return;
    }
    const conn = await openConn(target, g);
    try {
      if (spec?.reply === 'none') {
        // Nothing will come back to this socket; show what went out.
        await out.write(messageRecord(target, conn.send(request), 'sent'));
        statusWriter(g.quiet === true)(`nlctl: sent; ${target.family?.name ?? target.protocolName} sends no reply to ${spec.constant}`);
        return;
      }
      const sentRecord = messageRecord(target, asSent, 'sent');
      let replies: Message[];
      try {
        replies = await conn.execute(request, { timeout: 30_000, signal: out.signal, replyAfterAck: spec?.reply === 'after-ack' });
      } catch (err) {
        if (!(err instanceof NetlinkError) || !err.reply) throw err;
        // Show the error reply, decoded against the request so the bad attribute has a name.
        const failed = err.sent ? messageRecord(target, err.sent, 'sent') : sentRecord;
        const rec = messageRecord(target, err.reply, 'received', {}, failed.decoded);
        // The human views show the request first, the attribute the kernel pointed at marked.
        // (JSON keeps one record per reply: the error carries offset and bad_attr.)
        const offset = err.extAck.offset;
        const bad = offset !== undefined ? attrAt(failed.decoded, offset) : undefined;
        if (bad && outputFormat(g) !== 'json') {
          failed.mark = { attr: bad, note: `the kernel rejected this${err.extAck.message ? `: ${err.extAck.message}` : ''}` };
          await out.write(failed);
        }
        await out.write(rec);
        const path = rec.decoded.ack?.badAttr;
        if (path) Object.assign(err, { badAttr: path });
        // The family's own name for its own error codes (IPSET_ERR_PROTOCOL, not E4097).
        if (rec.decoded.ack && rec.decoded.ack.name !== err.code) Object.assign(err, { familyCode: rec.decoded.ack.name });
        throw err;
      }
      for (const m of replies) await out.write(messageRecord(target, m, 'received', {}, sentRecord.decoded));
    } finally {
      conn.close();
    }
  } finally {
    await out.end();
  }
}
