// nlctl dial: open the socket and report what a user needs to know about it.
import { ConnOption } from '../../netlink/socket.js';
import { openConn } from '../common.js';
import { outputFormat, type GlobalOptions } from '../main.js';
import { writeJsonLine } from '../../render/json.js';
import { groupName, netnsPath, parseCount, parseSize, resolveGroups, targetFromOptions, type Target } from '../resolve.js';

/** Options of the dial command. */
export interface DialOptions {
  family?: string;
  groups?: string;
  pid?: string;
  rcvbuf?: string;
  strict: boolean;
}

/** Run `nlctl dial`. */
export async function dial(o: DialOptions, g: GlobalOptions): Promise<void> {
  const target: Target = await targetFromOptions(o.family, g.spec, netnsPath(g.netns));
  const groups = o.groups ? resolveGroups(target, o.groups) : [];
  const conn = await openConn(target, g, { strict: o.strict, pid: o.pid !== undefined ? parseCount(o.pid, '--pid') : undefined });
  try {
    if (o.rcvbuf) conn.setReadBuffer(parseSize(o.rcvbuf));
    for (const n of groups) conn.joinGroup(n);
    const options: Record<string, boolean> = {};
    for (const [name, opt] of Object.entries(ConnOption)) {
      try {
        options[name] = conn.getOption(opt);
      } catch {
        // An option this kernel does not know is simply not listed.
      }
    }
    const info = {
      record: 'dial',
      protocol: target.protocol,
      protocol_name: target.protocolName,
      ...(target.genl ? { genl_family: target.genl.live.name, genl_id: target.genl.id, genl_version: target.genl.live.version } : {}),
      pid: conn.pid,
      netns: g.netns ?? null,
      groups: conn.groups().map((n) => ({ id: n, name: groupName(target, n) ?? null })),
      rcvbuf: conn.readBuffer(),
      sndbuf: conn.writeBuffer(),
      options,
    };
    if (outputFormat(g) === 'json') {
      process.stdout.write(writeJsonLine(info, g.pretty === true));
      return;
    }
    const lines = [
      `protocol   ${target.protocolName} (${target.protocol})`,
      ...(target.genl ? [`family     ${target.genl.live.name} (id ${target.genl.id}, version ${target.genl.live.version})`] : []),
      `port id    ${conn.pid}`,
      `namespace  ${g.netns ?? '(current)'}`,
      `groups     ${info.groups.map((x) => (x.name ? `${x.name} (${x.id})` : String(x.id))).join(', ') || '(none)'}`,
      `rcvbuf     ${info.rcvbuf} bytes`,
      `sndbuf     ${info.sndbuf} bytes`,
      `options    ${Object.entries(options).map(([k, v]) => `${k}=${v ? 'on' : 'off'}`).join(' ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    conn.close();
  }
}
