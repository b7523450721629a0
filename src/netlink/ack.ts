// Payloads of NLMSG_ERROR (errors and ACKs) and NLMSG_DONE, with their extended-ACK TLVs.
//
// NLMSG_ERROR: s32 errno (0 = ACK), the echoed request header, then — unless the reply is
// capped — the rest of the request, then the TLVs when NLM_F_ACK_TLVS is set. TLVs start at
// 4 + 16 when capped (NLM_F_CAPPED, and every success ACK), otherwise at
// 4 + NLMSG_ALIGN(echoed nlmsg_len). The echoed length always states the original request's
// length, even when capped, which is why the Capped flag must be consulted (the Go package does
// not, and loses the TLVs or the errno when CAP_ACK and EXT_ACK are both on).
//
// NLMSG_DONE: an optional s32 errno (a dump that failed reports here), then TLVs at offset 4.
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN, nlmsgAlign } from './align.js';
import { AttributeDecoder } from './attribute.js';
import { DecodeError, DumpInterruptedError, NetlinkError, type ExtAck, type ExtAckPolicy } from './errors.js';
import { HeaderFlags, HeaderType, readHeader, type Header, type Message } from './message.js';

/** NLMSGERR_ATTR_* TLV types. */
export const ExtAckAttr = {
  Msg: 1,
  Offset: 2,
  Cookie: 3,
  Policy: 4,
  MissingType: 5,
  MissingNest: 6,
} as const;

/** NL_POLICY_TYPE_ATTR_* types inside NLMSGERR_ATTR_POLICY. */
export const PolicyAttr = {
  Type: 1,
  MinValueSigned: 2,
  MaxValueSigned: 3,
  MinValueUnsigned: 4,
  MaxValueUnsigned: 5,
  MinLength: 6,
  MaxLength: 7,
  PolicyIndex: 8,
  PolicyMaxType: 9,
  Bitfield32Mask: 10,
  Pad: 11,
  Mask: 12,
} as const;

/** What an NLMSG_ERROR or NLMSG_DONE message says. */
export interface AckPayload {
  /** 0 for success, else a negative errno. */
  errno: number;
  /** The echoed request header (NLMSG_ERROR only, when present). */
  request?: Header;
  /** The echoed request payload (uncapped NLMSG_ERROR only). */
  requestData?: Uint8Array;
  /** Extended-ACK TLVs; an empty object when there are none. */
  extAck: ExtAck;
  /** Offset of the TLV area within the message payload, when TLVs are present. */
  tlvOffset?: number;
  /** Set when the payload is too short or inconsistent; what could be read is kept. */
  malformed?: string;
}

/** Store a TLV's value only when it decoded: a wrong-sized TLV must not read as a 0 value. */
function set<T>(ad: AttributeDecoder, value: T, store: (v: T) => void): void {
  if (!ad.err()) store(value);
}

function parsePolicy(ad: AttributeDecoder): ExtAckPolicy {
  const p: ExtAckPolicy = {};
  ad.nested((n) => {
    while (n.next()) {
      switch (n.type()) {
        case PolicyAttr.Type: set(n, n.uint32(), (v) => (p.type = v)); break;
        case PolicyAttr.MinValueSigned: set(n, n.int64(), (v) => (p.minValueSigned = v)); break;
        case PolicyAttr.MaxValueSigned: set(n, n.int64(), (v) => (p.maxValueSigned = v)); break;
        case PolicyAttr.MinValueUnsigned: set(n, n.uint64(), (v) => (p.minValueUnsigned = v)); break;
        case PolicyAttr.MaxValueUnsigned: set(n, n.uint64(), (v) => (p.maxValueUnsigned = v)); break;
        case PolicyAttr.MinLength: set(n, n.uint32(), (v) => (p.minLength = v)); break;
        case PolicyAttr.MaxLength: set(n, n.uint32(), (v) => (p.maxLength = v)); break;
        case PolicyAttr.PolicyIndex: set(n, n.uint32(), (v) => (p.policyIndex = v)); break;
        case PolicyAttr.PolicyMaxType: set(n, n.uint32(), (v) => (p.policyMaxType = v)); break;
        case PolicyAttr.Bitfield32Mask: set(n, n.uint32(), (v) => (p.bitfield32Mask = v)); break;
        case PolicyAttr.Mask: set(n, n.uint64(), (v) => (p.mask = v)); break;
      }
    }
  });
  return p;
}

/** Decode extended-ACK TLVs. Never throws: a framing problem is recorded in `malformed`. */
export function parseExtAck(tlvs: Uint8Array, baseOffset = 0): ExtAck {
  const ack: ExtAck = {};
  const ad = new AttributeDecoder(tlvs, { baseOffset });
  while (ad.next()) {
    switch (ad.type()) {
      case ExtAckAttr.Msg: ack.message = ad.string(); break;
      case ExtAckAttr.Offset: set(ad, ad.uint32(), (v) => (ack.offset = v)); break;
      case ExtAckAttr.Cookie: ack.cookie = ad.bytes().slice(); break;
      case ExtAckAttr.Policy: ack.policy = parsePolicy(ad); break;
      case ExtAckAttr.MissingType: set(ad, ad.uint32(), (v) => (ack.missingType = v)); break;
      case ExtAckAttr.MissingNest: set(ad, ad.uint32(), (v) => (ack.missingNest = v)); break;
      default:
        (ack.unknown ??= []).push({ type: ad.type(), data: ad.bytes().slice() });
    }
  }
  const err = ad.err();
  if (err) ack.malformed = err.message;
  return ack;
}

/**
 * Decode the payload of an NLMSG_ERROR or NLMSG_DONE message. Never throws: anything short or
 * inconsistent is reported in `malformed`. Other message types give errno 0 and no TLVs.
 */
export function parseAck(m: Message): AckPayload {
  const { data, header } = m;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tlvFlag = (header.flags & HeaderFlags.AcknowledgeTLVs) !== 0;

  if (header.type === HeaderType.Done) {
    if (data.length === 0) return { errno: 0, extAck: {} };
    if (data.length < 4) return { errno: 0, extAck: {}, malformed: `DONE payload of ${data.length} bytes is too short for an errno` };
    const errno = view.getInt32(0, HOST_LITTLE_ENDIAN);
    if (!tlvFlag || data.length === 4) return { errno, extAck: {} };
    return { errno, extAck: parseExtAck(data.subarray(4), NLMSG_HDRLEN + 4), tlvOffset: 4 };
  }
  if (header.type !== HeaderType.Error) return { errno: 0, extAck: {} };

  if (data.length < 4) return { errno: 0, extAck: {}, malformed: `error payload of ${data.length} bytes is too short for an errno` };
  const errno = view.getInt32(0, HOST_LITTLE_ENDIAN);
  if (data.length < 4 + NLMSG_HDRLEN) {
    return { errno, extAck: {}, malformed: `error payload of ${data.length} bytes is too short for the echoed request header` };
  }
  const request = readHeader(view, 4);
  // Success ACKs never echo the payload, with or without NLM_F_CAPPED (older kernels).
  const capped = (header.flags & HeaderFlags.Capped) !== 0 || errno === 0;
  let requestData: Uint8Array | undefined;
  let tlvStart = 4 + NLMSG_HDRLEN;
  if (!capped) {
    const echoed = Math.max(request.length, NLMSG_HDRLEN);
    const end = 4 + nlmsgAlign(echoed);
    if (4 + echoed > data.length) {
      return {
        errno,
        request,
        extAck: {},
        malformed: `echoed request claims ${request.length} bytes but only ${data.length - 4} are present`,
      };
    }
    requestData = data.subarray(4 + NLMSG_HDRLEN, 4 + echoed);
    tlvStart = Math.min(end, data.length);
  }
  if (!tlvFlag || tlvStart >= data.length) return { errno, request, requestData, extAck: {} };
  return {
    errno,
    request,
    requestData,
    extAck: parseExtAck(data.subarray(tlvStart), NLMSG_HDRLEN + tlvStart),
    tlvOffset: tlvStart,
  };
}

/**
 * The failure a message reports, or undefined: a NetlinkError for an NLMSG_ERROR or DONE with a
 * negative errno; a DecodeError for an NLMSG_ERROR or DONE too short or inconsistent to tell
 * success from failure (never taken for an ACK). Data messages and clean ACKs give undefined.
 */
export function messageError(m: Message, sent?: Message): NetlinkError | DecodeError | undefined {
  if (m.header.type !== HeaderType.Error && m.header.type !== HeaderType.Done) return undefined;
  const ack = parseAck(m);
  if (ack.errno >= 0) {
    if (!ack.malformed) return undefined;
    const what = m.header.type === HeaderType.Error ? 'NLMSG_ERROR' : 'NLMSG_DONE';
    return new DecodeError(`malformed ${what} (seq ${m.header.sequence}): ${ack.malformed}`, NLMSG_HDRLEN);
  }
  const extAck = ack.malformed && !ack.extAck.malformed ? { ...ack.extAck, malformed: ack.malformed } : ack.extAck;
  return new NetlinkError({ errno: ack.errno, extAck, request: ack.request, reply: m, sent });
}

/** True when the message has NLM_F_DUMP_INTR set (data messages and DONE alike). */
export function isDumpInterrupted(m: Message): boolean {
  return (m.header.flags & HeaderFlags.DumpInterrupted) !== 0;
}

/** Throw DumpInterruptedError when any message of a reply has NLM_F_DUMP_INTR. */
export function checkDumpConsistent(messages: Message[]): void {
  if (messages.some(isDumpInterrupted)) throw new DumpInterruptedError(messages);
}
