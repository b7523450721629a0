#!/usr/bin/env node
// The floor for the CLI targets: how fast can *any* Node process turn the benchmark's route dump
// into nlctl's NDJSON? This program knows the answer in advance. It reads a raw dump on stdin
// and, for every RTM_NEWROUTE whose rtmsg equals the first one's and whose attributes are
// exactly RTA_TABLE, RTA_DST, RTA_GATEWAY and RTA_OIF (the benchmark's 100k routes), writes the
// line `nlctl decode -j` writes for it, from text prepared once; anything else is skipped. No
// family description, no records, no general cases: only the bytes that must be written.
// bench/cli.mjs runs it next to nlctl and checks that its lines are nlctl's, byte for byte.
import { readFileSync, writeSync } from 'node:fs';

const raw = readFileSync(0);
const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
const LE = true; // the benchmark runs on x86-64
const RTM_NEWROUTE = 24;
const [RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE] = [1, 4, 5, 15];
const enc = (s) => Buffer.from(s, 'latin1');

// What nlctl prints for the benchmark's routes (the route family's names for these values).
const head = (seq, pid) =>
  enc(`{"record":"message","protocol":0,"family":"route","type":"RTM_NEWROUTE","type_num":24,"flags":["multi","dump_filtered"],"seq":${seq},"pid":${pid},"len":`);
const HEADER = enc(',"header":{"family":"inet","dst_len":32,"src_len":0,"tos":0,"table":"main","protocol":"boot","scope":"universe","type":"unicast","flags":[]},"attrs":{"table":"main","dst":"');
const GATEWAY = enc('","gateway":"');
const OIF = enc('","oif":');
const END = enc('}}\n');
// rtmsg of those routes: AF_INET, /32, table main, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST.
const RTMSG = [2, 32, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0];
const FLAGS = 0x2 | 0x20; // NLM_F_MULTI | NLM_F_DUMP_FILTERED

let out = Buffer.allocUnsafe(1 << 17);
let pos = 0;
const flush = () => {
  writeSync(1, out, 0, pos);
  pos = 0;
};
const put = (b) => {
  out.set(b, pos);
  pos += b.length;
};
const digits = (n) => {
  const s = String(n);
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
};
const octets = (off) => {
  for (let i = 0; i < 4; i++) {
    if (i) out[pos++] = 0x2e;
    digits(raw[off + i]);
  }
};

let prefix;
let prefixSeq = -1;
let prefixPid = -1;
outer: for (let off = 0; off + 16 <= raw.length; ) {
  const len = view.getUint32(off, LE);
  if (len < 16 || off + len > raw.length) break;
  const next = off + ((len + 3) & ~3);
  const type = view.getUint16(off + 4, LE);
  const flags = view.getUint16(off + 6, LE);
  if (type !== RTM_NEWROUTE || flags !== FLAGS || len !== 16 + 12 + 8 + 8 + 8 + 8) {
    off = next;
    continue;
  }
  for (let i = 0; i < 12; i++) {
    if (raw[off + 16 + i] !== RTMSG[i]) {
      off = next;
      continue outer;
    }
  }
  // The four attributes, 8 bytes each, in the kernel's order (which nlctl keeps).
  const at = (i, type) => view.getUint16(off + 28 + 8 * i, LE) === 8 && view.getUint16(off + 30 + 8 * i, LE) === type;
  if (!at(0, RTA_TABLE) || !at(1, RTA_DST) || !at(2, RTA_GATEWAY) || !at(3, RTA_OIF) || view.getUint32(off + 32, LE) !== 254) {
    off = next;
    continue;
  }
  const seq = view.getUint32(off + 8, LE);
  const pid = view.getUint32(off + 12, LE);
  if (seq !== prefixSeq || pid !== prefixPid) {
    prefix = head(seq, pid);
    prefixSeq = seq;
    prefixPid = pid;
  }
  if (pos + 512 > out.length) flush();
  put(prefix);
  digits(len);
  put(HEADER);
  octets(off + 40);
  put(GATEWAY);
  octets(off + 48);
  put(OIF);
  digits(view.getUint32(off + 56, LE));
  put(END);
  off = next;
}
flush();
