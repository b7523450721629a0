// The input readers of `nlctl decode`: raw netlink bytes, hex text in the forms people paste,
// and pcap/pcapng captures of nlmon devices. Start with readInput; the other exports are its
// parts, for callers that know what they have.
export { InputError, type InputErrorDetails } from './errors.js';
export type { InputFormat, InputPacket, ReadFormat, ReadResult } from './packet.js';
export { readInput, asText, type ReadOptions } from './read.js';
export { parseHexText, detectHexStyle, type HexParseOptions, type HexParseResult, type HexStyle, type TextPacket } from './text.js';
export { readPcap, captureFormat, linkTypeName, type PcapOptions } from './pcap.js';
