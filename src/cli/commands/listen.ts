// nlctl listen: join groups and print every notification with its time and group until Ctrl-C,
// --count or --timeout. The receive buffer is large by default; an overrun is printed as a
// record and listening goes on. Output back-pressure pauses reading (the kernel queue absorbs).
// --send sends one request from the listening socket once it has joined: some subscriptions are
// per socket (connector's process events are switched on by a message from the listener).
import { timeoutSignal } from '../../netlink/conn.js';
import { isSystemError } from '../../netlink/errors.js';
import { listen as openListener } from '../../netlink/notify.js';
import { decodeUevent } from '../../model/uevent.js';
import { openOutput, withSignals } from '../common.js';
import { outputFormat, type GlobalOptions } from '../main.js';
import { messageRecord, statusWriter } from '../output.js';
import { buildRequest, type RequestOptions } from '../request.js';
import { HeaderFlags } from '../../netlink/message.js';
import { groupName, netnsPath, parseCount, parseDuration, parseSize, resolveGroups, resolveType, targetFromOptions, UsageError } from '../resolve.js';

/** Options of the listen command. */
export interface ListenOptions extends RequestOptions {
  /** Message type to send from the listening socket once it has joined the groups. */
  send?: string;
  family?: string;
  groups: string;
  count?: string;
  timeout?: string;
  allNsid?: boolean;
  rcvbuf?: string;
}

/** Run `nlctl listen`. */
export async function listen(o: ListenOptions, g: GlobalOptions): Promise<void> {
  const netns = netnsPath(g.netns);
  const target = await targetFromOptions(o.family, g.spec, netns);
  const groups = resolveGroups(target, o.groups);
  const count = o.count !== undefined ? parseCount(o.count, '--count') : undefined;
  const timeout = o.timeout !== undefined ? parseDuration(o.timeout) : undefined;
  const given = o.header?.length || o.headerHex !== undefined || o.attr?.length || o.attrs !== undefined || o.payload !== undefined;
  if (given && o.send === undefined) throw new UsageError('request options (--header, -a, --attrs, --payload) need --send TYPE');
  // Built before the socket opens, so a mistake in it costs nothing.
  const request = o.send !== undefined ? buildRequest(target, resolveType(target, o.send).value, HeaderFlags.Request, o) : undefined;
  const listener = openListener(target.protocol, {
    groups,
    netns,
    allNamespaces: o.allNsid === true,
    readBuffer: o.rcvbuf !== undefined ? parseSize(o.rcvbuf) : undefined,
  });
  if (request) {
    try {
      listener.conn.send(request);
    } catch (err) {
      listener.close();
      throw err;
    }
  }
  const out = await openOutput(g, target);
  const status = statusWriter(g.quiet === true);
  const names = groups.map((n) => groupName(target, n) ?? String(n)).join(', ');
  status(`nlctl: listening to ${target.family?.name ?? target.protocolName} groups ${names}; Ctrl-C to stop`);
  const started = Date.now();
  let overruns = 0;
  try {
    await withSignals(async (signal) => {
      const stops = [signal, out.signal];
      if (timeout !== undefined) stops.push(timeoutSignal(timeout));
      const stop = AbortSignal.any(stops);
      try {
        // -c 0 listens to nothing, but the stream still ends with its summary.
        if (count !== 0) for await (const ev of listener.events({ signal: stop })) {
          if (ev.kind === 'overrun') {
            overruns++;
            await out.write({ record: 'overrun', time: ev.time, received: out.messages, rcvbuf: listener.conn.readBuffer() });
            status('nlctl: receive queue overrun: the kernel dropped messages (try --rcvbuf)');
            continue;
          }
          if (ev.kind === 'raw') {
            await out.write({ record: 'uevent', time: ev.time, group: ev.group, event: decodeUevent(ev.data) });
          } else {
            await out.write(
              messageRecord(target, ev.message, 'received', {
                time: ev.time,
                group: ev.group,
                groupName: groupName(target, ev.group),
                nsid: ev.nsid,
                portid: ev.portid,
              }),
            );
          }
          if (count !== undefined && out.messages >= count) break;
        }
      } catch (err) {
        if (!(stop.aborted && !isSystemError(err))) throw err;
      }
      // The NDJSON stream ends with what the stderr status says on a terminal (also after
      // Ctrl-C: withSignals ends the output only after this).
      if (outputFormat(g) === 'json') await out.write(out.summary(started, overruns));
    }, out);
  } finally {
    listener.close();
    await out.end();
    status(`nlctl: ${out.messages} messages, ${overruns} overruns in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
