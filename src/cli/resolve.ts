// Turning what a user typed into numbers: families (protocol names and numbers, generic netlink
// family names), message types, flags, multicast groups, namespaces, durations and sizes.
import { PROTOCOLS, loadFamily, familyForProtocol } from '../families/index.js';
import type { FamilySpec, MessageSpec } from '../families/schema.js';
import { getFamily, listFamilies, GENL_ID_CTRL, type GenlFamily } from '../netlink/genl.js';
import { NetlinkError } from '../netlink/errors.js';
import type { Conn } from '../netlink/conn.js';
import { flagsFromNames } from '../model/encode.js';
import { messageSpec } from '../model/decode.js';

/** A usage or input problem: exit status 1, one line on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_NLCTL_USAGE';
}

/** What -f resolved to. */
export interface Target {
  /** Netlink protocol number. */
  protocol: number;
  /** Protocol name (route, generic, …) or the number as text. */
  protocolName: string;
  /** The description of the family messages are built and decoded with. */
  family?: FamilySpec;
  /** Generic netlink: the family addressed (its ID is the message type) and its live record. */
  genl?: { id: number; live: GenlFamily };
  /** Generic netlink: every live family by ID, for decoding whatever arrives. */
  genlFamilies?: Map<number, FamilySpec>;
}

const ALIASES: Record<string, string> = {
  rtnetlink: 'route',
  rtnl: 'route',
  genetlink: 'generic',
  genl: 'generic',
  nfnetlink: 'netfilter',
  nf: 'netfilter',
  uevent: 'kobject_uevent',
  diag: 'sock_diag',
  inet_diag: 'sock_diag',
};

/** The protocol name for a number (or the number as text). */
export function protocolName(n: number): string {
  return Object.entries(PROTOCOLS).find(([, v]) => v === n)?.[0] ?? String(n);
}

/** Path of a namespace argument: NAME (/run/netns/NAME), a path, or a PID (/proc/PID/ns/net). */
export function netnsPath(arg: string | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (/^\d+$/.test(arg)) return `/proc/${arg}/ns/net`;
  if (arg.includes('/')) return arg;
  if (!/^[A-Za-z0-9_.-]+$/.test(arg)) throw new UsageError(`bad namespace name ${JSON.stringify(arg)}`);
  return `/run/netns/${arg}`;
}

/**
 * A generic netlink socket, and what turns the kernel's family list into descriptions: loaded
 * only when a family is looked up in the kernel (decode and the routing protocols never are).
 */
async function genlLookup(netns: string | undefined): Promise<{ conn: Conn } & Pick<typeof import('../model/genl.js'), 'genlFamilyMap' | 'runtimeFamily'>> {
  const [{ dial }, { genlFamilyMap, runtimeFamily }] = await Promise.all([import('../netlink/conn.js'), import('../model/genl.js')]);
  return { conn: dial(16, { netns }), genlFamilyMap, runtimeFamily };
}

async function genlTarget(name: string, netns: string | undefined): Promise<Target> {
  const { conn, genlFamilyMap, runtimeFamily } = await genlLookup(netns);
  try {
    let live: GenlFamily;
    try {
      live = await getFamily(conn, name, { timeout: 5000 });
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') {
        throw new UsageError(
          `unknown family "${name}": not a netlink protocol, and the kernel has no generic netlink family of that name (see: nlctl dump -f nlctrl -t getfamily)`,
        );
      }
      throw err;
    }
    const all = await listFamilies(conn, { timeout: 5000 });
    const genlFamilies = await genlFamilyMap(all, loadFamily);
    const family = runtimeFamily(live, await loadFamily(live.name));
    genlFamilies.set(live.id, family);
    return { protocol: 16, protocolName: 'generic', family, genl: { id: live.id, live }, genlFamilies };
  } finally {
    conn.close();
  }
}

/**
 * Resolve -f: a protocol name (route, generic, …, with a few aliases), a number, or a generic
 * netlink family name (nlctrl, ethtool, …) looked up in the kernel of `netns`.
 */
export async function resolveTarget(arg: string, netns: string | undefined, opts: { offline?: boolean } = {}): Promise<Target> {
  const key = arg.toLowerCase();
  const name = ALIASES[key] ?? key;
  let protocol: number | undefined;
  if (/^\d+$/.test(arg)) protocol = Number(arg);
  else if (name in PROTOCOLS) protocol = PROTOCOLS[name];
  if (protocol !== undefined) {
    if (protocol > 0x7fffffff) throw new UsageError(`protocol number ${arg} is out of range`);
    const family = await familyForProtocol(protocol);
    const t: Target = { protocol, protocolName: protocolName(protocol), family };
    if (protocol === 16) {
      const ctrl = await loadFamily('nlctrl');
      t.genlFamilies = new Map(ctrl ? [[GENL_ID_CTRL, ctrl]] : []);
      if (!opts.offline) {
        const { conn, genlFamilyMap } = await genlLookup(netns);
        try {
          t.genlFamilies = await genlFamilyMap(await listFamilies(conn, { timeout: 5000 }), loadFamily);
        } finally {
          conn.close();
        }
      }
    }
    return t;
  }
  if (opts.offline) {
    const family = await loadFamily(arg);
    if (!family) throw new UsageError(`unknown family "${arg}"`);
    if (family.protocol !== 16) return { protocol: family.protocol, protocolName: protocolName(family.protocol), family };
    const id = family.genlId;
    return { protocol: 16, protocolName: 'generic', family, genlFamilies: new Map(id !== undefined ? [[id, family]] : []) };
  }
  return genlTarget(arg, netns);
}

/** Resolve -t: a constant (RTM_GETLINK), a short name (getlink), or a number. */
export function resolveType(target: Target, arg: string): { value: number; spec?: MessageSpec } {
  const fam = target.family;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(arg)) {
    const value = Number(arg);
    if (value > 0xffff) throw new UsageError(`message type ${arg} does not fit in 16 bits`);
    return { value, spec: messageSpec(fam, value, 'user') ?? fam?.messages.find((m) => m.value === value) };
  }
  const want = arg.toLowerCase();
  const spec = fam?.messages.find((m) => m.name === want || m.constant.toLowerCase() === want);
  if (!spec) {
    const known = fam?.messages.map((m) => m.name).slice(0, 12).join(', ');
    throw new UsageError(
      `unknown message type "${arg}" for ${fam?.name ?? target.protocolName}` + (known ? ` (known: ${known}${fam!.messages.length > 12 ? ', …' : ''})` : ''),
    );
  }
  return { value: spec.value, spec };
}

/** Resolve -F: flag names or a number. */
export function resolveFlags(arg: string): number {
  try {
    return flagsFromNames(arg);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Resolve -g: a bitmask (0x5: groups 1 and 3), group numbers (1,2,40), or names of the
 * family's groups (link,ipv4-route). Returns group numbers.
 */
export function resolveGroups(target: Target, arg: string): number[] {
  const out = new Set<number>();
  const trimmed = arg.trim();
  if (/^0x[0-9a-f]+$/i.test(trimmed)) {
    const mask = BigInt(trimmed);
    for (let bit = 0; bit < 64; bit++) if (mask & (1n << BigInt(bit))) out.add(bit + 1);
    if (out.size === 0) throw new UsageError(`group mask ${arg} selects no group`);
    return [...out];
  }
  const groups = target.family?.groups ?? [];
  for (const part of trimmed.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (/^\d+$/.test(p)) {
      const n = Number(p);
      if (n < 1 || n > 0xffffffff) throw new UsageError(`group number ${p} is out of range`);
      out.add(n);
      continue;
    }
    // ipv4_route, ipv4-route and RTNLGRP_IPV4_ROUTE name one group; the kernel's own names
    // (mptcp_pm_events) keep their underscores: compare both sides the same way.
    const norm = (name: string) => name.toLowerCase().replace(/_/g, '-').replace(/^rtnlgrp-/, '');
    const want = norm(p);
    const g = groups.find((x) => norm(x.name) === want || x.constant?.toLowerCase() === p.toLowerCase());
    if (!g) {
      const known = groups.map((x) => x.name).join(', ');
      throw new UsageError(`unknown group "${p}" for ${target.family?.name ?? target.protocolName}` + (known ? ` (known: ${known})` : ''));
    }
    out.add(g.value);
  }
  if (out.size === 0) throw new UsageError('no group given');
  return [...out];
}

/** The name of group `n` in the family, if it has one. */
export function groupName(target: Target, n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  return target.family?.groups.find((g) => g.value === n)?.name;
}

/** Parse a duration: 500ms, 10s, 2m, 1h, or plain seconds. Milliseconds out. */
export function parseDuration(arg: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(arg.trim());
  if (!m) throw new UsageError(`bad duration "${arg}" (examples: 500ms, 10s, 2m)`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Math.round(Number(m[1]) * scale);
}

/** Parse a size: 4194304, 4M, 512k. Bytes out. */
export function parseSize(arg: string): number {
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(arg.trim());
  if (!m) throw new UsageError(`bad size "${arg}" (examples: 212992, 4M, 512k)`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  const n = Number(m[1]) * scale;
  if (n > 0x7fffffff) throw new UsageError(`size ${arg} is too large`);
  return n;
}

/** Parse a non-negative integer option. */
export function parseCount(arg: string, what: string): number {
  if (!/^\d+$/.test(arg)) throw new UsageError(`${what} must be a whole number, got "${arg}"`);
  return Number(arg);
}

/**
 * The target of a command: -f, or a kernel YNL spec given with --spec (which then describes
 * the family; a generic netlink spec's ID is looked up in the kernel unless `offline`).
 */
export async function targetFromOptions(family: string | undefined, spec: string | undefined, netns: string | undefined, opts: { offline?: boolean } = {}): Promise<Target> {
  if (spec === undefined) {
    if (family === undefined) throw new UsageError('-f/--family is required (or --spec FILE.yaml)');
    return resolveTarget(family, netns, opts);
  }
  const { familyFromYnlFile, YnlSpecError } = await import('../model/ynl.js');
  let fam: FamilySpec;
  try {
    fam = await familyFromYnlFile(spec);
  } catch (err) {
    if (err instanceof YnlSpecError) throw new UsageError(err.message);
    throw new UsageError(`--spec ${spec}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (fam.protocol !== 16) return { protocol: fam.protocol, protocolName: protocolName(fam.protocol), family: fam };
  if (opts.offline) {
    const id = fam.genlId;
    return { protocol: 16, protocolName: 'generic', family: fam, genlFamilies: new Map(id !== undefined ? [[id, fam]] : []) };
  }
  const { conn, genlFamilyMap, runtimeFamily } = await genlLookup(netns);
  try {
    let live: GenlFamily;
    try {
      live = await getFamily(conn, family ?? fam.name, { timeout: 5000 });
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') throw new UsageError(`the kernel has no generic netlink family "${family ?? fam.name}" (from --spec ${spec})`);
      throw err;
    }
    const all = await listFamilies(conn, { timeout: 5000 });
    const genlFamilies = await genlFamilyMap(all, loadFamily);
    const merged = runtimeFamily(live, fam);
    genlFamilies.set(live.id, merged);
    return { protocol: 16, protocolName: 'generic', family: merged, genl: { id: live.id, live }, genlFamilies };
  } finally {
    conn.close();
  }
}
