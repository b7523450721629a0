// A small family description of the tests' own that uses every schema feature of issue 3:
// arrays of structs, structs followed by attributes (the RTA_MULTIPATH shape), nested struct and
// char[N] fields, hex integers, multi attributes, index-keyed nest-arrays and an `elements` set.
// Numbers are arbitrary. Used by schema-features.test.ts and the fuzz tests.
import type { FamilySpec } from '../../src/families/schema.js';

/** The family: message 16 (header hdr) and 17 (header outer), both with attribute set top. */
export const fam: FamilySpec = {
  name: 'feat',
  protocol: 99,
  messages: [
    { constant: 'F_NEW', name: 'new', value: 16, header: 'hdr', attrs: 'top', kind: 'new' },
    { constant: 'F_OUTER', name: 'outer', value: 17, header: 'outer', attrs: 'top', kind: 'other' },
  ],
  structs: {
    hdr: { name: 'hdr', size: 4, fields: [{ name: 'x', type: 'u32' }] },
    pair: {
      name: 'pair',
      size: 8,
      fields: [
        { name: 'id', type: 'u32' },
        { name: 'weight', type: 'u8' },
        { name: 'flags', type: 'u8', display: 'hex' },
        { name: 'tag', type: 'u16' },
      ],
    },
    hop: {
      name: 'hop',
      size: 8,
      fields: [
        { name: 'len', type: 'u16' },
        { name: 'flags', type: 'u8', flags: 'hopflags' },
        { name: 'hops', type: 'u8' },
        { name: 'ifindex', type: 's32' },
      ],
    },
    inner: {
      name: 'inner',
      size: 8,
      fields: [
        { name: 'addr', type: 'binary', size: 4, display: 'ipv4' },
        { name: 'port', type: 'u16', byteOrder: 'big' },
        { name: 'pad', type: 'pad', size: 2 },
      ],
    },
    outer: {
      name: 'outer',
      size: 24,
      fields: [
        { name: 'name', type: 'string', size: 8 },
        { name: 'in', type: 'struct', struct: 'inner', size: 8 },
        { name: 'mark', type: 'u32', display: 'hex' },
        { name: 'kind', type: 'u8', enum: 'kind' },
        { name: 'pad', type: 'pad', size: 3 },
      ],
    },
  },
  sets: {
    top: {
      name: 'top',
      attrs: {
        1: { name: 'mtu', constant: 'F_MTU', type: 'u32' },
        2: { name: 'name', constant: 'F_NAME', type: 'string' },
        3: { name: 'pairs', constant: 'F_PAIRS', type: 'binary', arrayOf: 'pair' },
        4: { name: 'hops', constant: 'F_HOPS', type: 'binary', arrayOf: 'hop', elementAttrs: 'top', elementLength: 'len' },
        5: { name: 'outer', constant: 'F_OUTER', type: 'binary', struct: 'outer' },
        6: { name: 'mark', constant: 'F_MARK', type: 'u32', display: 'hex' },
        7: { name: 'alt', constant: 'F_ALT', type: 'string', multi: true },
        8: { name: 'table', constant: 'F_TABLE', type: 'nest-array', nested: 'entry', indexKeyed: true },
        9: { name: 'list', constant: 'F_LIST', type: 'nest-array', nested: 'entry' },
        10: { name: 'tables', constant: 'F_TABLES', type: 'nest', nested: 'by_idx' },
        11: { name: 'words', constant: 'F_WORDS', type: 'binary', arrayOf: 'u16', multi: true },
        12: { name: 'gw', constant: 'F_GW', type: 'binary', display: 'ipv4' },
        13: { name: 'grid', constant: 'F_GRID', type: 'nest-array', nested: 'by_idx', indexKeyed: true },
      },
    },
    entry: {
      name: 'entry',
      attrs: {
        1: { name: 'a', constant: 'F_E_A', type: 'u32' },
        2: { name: 'b', constant: 'F_E_B', type: 'string' },
      },
    },
    by_idx: { name: 'by_idx', attrs: {}, elements: 'entry' },
  },
  enums: {
    kind: { name: 'kind', values: { 1: 'one', 2: 'two' } },
    hopflags: { name: 'hopflags', flags: true, values: { 1: 'dead', 4: 'onlink' } },
  },
  groups: [],
};
