// Building a request from the command line: the fixed header by field (--header family=inet)
// or as hex, attributes by name (-a mtu=1400, -a linkinfo.kind=veth), by number with a kind
// (-a 3:string=lo), as a JSON object (--attrs, the shape -j prints), or the whole payload as hex.
import { messageSpec } from '../model/decode.js';
import { attribute, concat, EncodeError, encodeBody, layoutFor, toBigInt, writeInt } from '../model/encode.js';
import type { FamilySpec, IntType, MessageSpec } from '../families/schema.js';
import type { JsonValue } from '../model/json.js';
import { fromHex, parseIP, parseMac } from '../model/values.js';
import { genlHeader } from '../netlink/genl.js';
import type { MessageInit } from '../netlink/message.js';
import { UsageError, type Target } from './resolve.js';

/** The request options of execute and dump. */
export interface RequestOptions {
  header?: string[];
  headerHex?: string;
  attr?: string[];
  attrs?: string;
  payload?: string;
}

function hexArg(what: string, text: string): Uint8Array {
  const b = fromHex(text);
  if (!b) throw new UsageError(`${what}: "${text}" is not hex`);
  return b;
}

/** Set obj[a][b][c] = value for the dotted path a.b.c (`option` names the option for errors). */
function setPath(obj: Record<string, JsonValue>, path: string, value: JsonValue, option = '-a'): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (next === undefined) o = o[k] = {} as Record<string, JsonValue>;
    else if (next && typeof next === 'object' && !Array.isArray(next)) o = next as Record<string, JsonValue>;
    else throw new UsageError(`${option} ${path}: ${k} is not a ${option === '-a' ? 'nest' : 'struct'}`);
  }
  const last = keys[keys.length - 1]!;
  const prev = o[last];
  // Giving the same attribute twice repeats it.
  o[last] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}

const RAW_KINDS = ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'be16', 'be32', 'be64', 'string', 'strz', 'hex', 'flag', 'ip', 'mac'] as const;

/** -a TYPE:KIND=VALUE: an attribute by number, for any family. */
function rawAttribute(spec: string): Uint8Array {
  const m = /^(\d+)(?::([a-z0-9]+))?=(.*)$/s.exec(spec);
  if (!m) throw new UsageError(`-a ${spec}: expected NAME=VALUE or TYPE:KIND=VALUE`);
  const type = Number(m[1]);
  if (type > 0xffff) throw new UsageError(`-a ${spec}: type ${type} does not fit in 16 bits`);
  const kind = (m[2] ?? 'hex') as (typeof RAW_KINDS)[number];
  const v = m[3]!;
  const where = `-a ${spec}`;
  const int = (type: IntType, order: 'host' | 'big'): Uint8Array => writeInt(where, type, toBigInt(where, v), order);
  let payload: Uint8Array;
  switch (kind) {
    case 'u8': case 'u16': case 'u32': case 'u64': case 's8': case 's16': case 's32': case 's64':
      payload = int(kind, 'host');
      break;
    case 'be16': case 'be32': case 'be64':
      payload = int(kind.replace('be', 'u') as IntType, 'big');
      break;
    case 'string': case 'strz': payload = new Uint8Array([...Buffer.from(v, 'utf8'), 0]); break;
    case 'hex': payload = hexArg(`-a ${spec}`, v); break;
    case 'flag': payload = new Uint8Array(0); break;
    case 'ip': payload = parseIP(v) ?? (() => { throw new UsageError(`-a ${spec}: "${v}" is not an IP address`); })(); break;
    case 'mac': payload = parseMac(v) ?? (() => { throw new UsageError(`-a ${spec}: "${v}" is not a MAC address`); })(); break;
    default: throw new UsageError(`-a ${spec}: unknown kind "${kind}" (one of ${RAW_KINDS.join(', ')})`);
  }
  return attribute(type, payload);
}

/**
 * Why --header fields fit no layout: the message has no fixed header at all, or (sock_diag:
 * one header per address family) none of its headers has these fields; the line lists each
 * header's fields.
 */
function noHeaderMessage(fam: FamilySpec, spec: MessageSpec, given: Record<string, JsonValue>): string {
  const names = [...new Set((spec.variants ?? []).filter((v) => v.request !== false).map((v) => v.header).filter((h): h is string => h !== undefined && fam.structs[h] !== undefined))];
  if (names.length === 0) return `--header: ${spec.constant} has no fixed header`;
  const layouts = names.map((n) => `${n}: ${fam.structs[n]!.fields.filter((f) => f.type !== 'pad').map((f) => f.name).join(', ')}`);
  return `--header ${Object.keys(given).join(', ')}: no header of ${spec.constant} takes these fields (${layouts.join('; ')})`;
}

/**
 * The request message for `type` with `flags`, built from the options and the family's
 * description. Sequence and port ID are left 0 for the connection to fill in.
 */
export function buildRequest(target: Target, type: number, flags: number, o: RequestOptions): MessageInit {
  const fam = target.family;
  const genl = target.genl;
  const msgType = genl ? genl.id : type;
  const lead = genl ? genlHeader(type, genl.live.version || 1) : new Uint8Array(0);
  if (o.payload !== undefined) {
    return { header: { type: msgType, flags }, data: concat([lead, hexArg('--payload', o.payload)]) };
  }
  // The request's own entry where a family numbers each way apart (ethtool).
  const spec = messageSpec(fam, type, 'user') ?? fam?.messages.find((m) => m.value === type);
  const headerObj: Record<string, JsonValue> = {};
  const seen = new Set<string>();
  for (const h of o.header ?? []) {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header ${h}: expected FIELD=VALUE`);
    // Dotted for a field of a nested struct: data.op=listen.
    const field = h.slice(0, eq);
    if (seen.has(field)) throw new UsageError(`--header ${field}: given twice`);
    seen.add(field);
    setPath(headerObj, field, h.slice(eq + 1), '--header');
  }
  const named: Record<string, JsonValue> = {};
  const raw: Uint8Array[] = [];
  for (const a of o.attr ?? []) {
    if (/^\d+(:[a-z0-9]+)?=/.test(a)) {
      try {
        raw.push(rawAttribute(a));
      } catch (err) {
        throw err instanceof EncodeError ? new UsageError(err.message) : err;
      }
    } else {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new UsageError(`-a ${a}: expected NAME=VALUE`);
      setPath(named, a.slice(0, eq), a.slice(eq + 1));
    }
  }
  if (o.attrs !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(o.attrs);
    } catch (err) {
      throw new UsageError(`--attrs: not JSON: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--attrs: expected a JSON object');
    Object.assign(named, parsed as Record<string, JsonValue>);
  }
  try {
    let body: Uint8Array;
    if (o.header?.length && o.headerHex !== undefined) throw new UsageError('--header and --header-hex both give the family header: use one');
    if (fam && spec) {
      const headerBytes = o.headerHex !== undefined ? hexArg('--header-hex', o.headerHex) : undefined;
      if (o.header?.length && !layoutFor(fam, spec, flags, headerObj).header) throw new UsageError(noHeaderMessage(fam, spec, headerObj));
      // The model's rules: a prefix (-a local=192.0.2.1/24) goes to the header field the
      // description names, a short header is padded to 4 as iproute2 sends it.
      body = encodeBody(fam, spec, flags, {
        header: headerObj,
        headerBytes,
        headerBytesName: '--header-hex',
        attrs: Object.keys(named).length ? named : undefined,
        raw,
      });
    } else {
      if (Object.keys(named).length) throw new UsageError(`attributes by name need a described message type; use -a TYPE:KIND=VALUE or --payload`);
      if (o.header?.length) throw new UsageError('--header by field needs a described message type; use --header-hex');
      const header = o.headerHex !== undefined ? hexArg('--header-hex', o.headerHex) : new Uint8Array(0);
      const pad = header.length % 4 ? new Uint8Array(4 - (header.length % 4)) : new Uint8Array(0);
      body = concat([header, raw.length ? pad : new Uint8Array(0), ...raw]);
    }
    return { header: { type: msgType, flags }, data: concat([lead, body]) };
  } catch (err) {
    if (err instanceof EncodeError) throw new UsageError(err.message);
    throw err;
  }
}
