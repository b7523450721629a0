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
import { DumpInterruptedError, NetlinkError, type ExtAck, type ExtAckPolicy } from './errors.js';
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

function parsePolicy(ad: AttributeDecoder): ExtAckPolicy {
  const p: ExtAckPolicy = {};
  ad.nested((n) => {
    while (n.next()) {
      switch (n.type()) {
        case PolicyAttr.Type: p.type = n.uint32(); break;
        case PolicyAttr.MinValueSigned: p.minValueSigned = n.int64(); break;
        case PolicyAttr.MaxValueSigned: p.maxValueSigned = n.int64(); break;
        case PolicyAttr.MinValueUnsigned: p.minValueUnsigned = n.uint64(); break;
        case PolicyAttr.MaxValueUnsigned: p.maxValueUnsigned = n.uint64(); break;
        case PolicyAttr.MinLength: p.minLength = n.uint32(); break;
        case PolicyAttr.MaxLength: p.maxLength = n.uint32(); break;
        case PolicyAttr.PolicyIndex: p.policyIndex = n.uint32(); break;
        case PolicyAttr.PolicyMaxType: p.policyMaxType = n.uint32(); break;
        case PolicyAttr.Bitfield32Mask: p.bitfield32Mask = n.uint32(); break;
        case PolicyAttr.Mask: p.mask = n.uint64(); break;
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
      case ExtAckAttr.Offset: ack.offset = ad.uint32(); break;
      case ExtAckAttr.Cookie: ack.cookie = ad.bytes().slice(); break;
      case ExtAckAttr.Policy: ack.policy = parsePolicy(ad); break;
      case ExtAckAttr.MissingType: ack.missingType = ad.uint32(); break;
      case ExtAckAttr.MissingNest: ack.missingNest = ad.uint32(); break;
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
 * The kernel error a message carries, or undefined: an NLMSG_ERROR with a negative errno, or a
 * DONE whose errno is negative. ACKs (errno 0) and data messages give undefined.
 */
export function messageError(m: Message, sent?: Message): NetlinkError | undefined {
  if (m.header.type !== HeaderType.Error && m.header.type !== HeaderType.Done) return undefined;
  const ack = parseAck(m);
  if (ack.errno >= 0) return undefined;
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
