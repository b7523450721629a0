// The shape of family knowledge. A family description says, for one netlink protocol (or one
// generic netlink family), which message types exist, which fixed header each carries, which
// attribute set follows, and how each attribute is typed and named. Descriptions are data:
// src/families/desc/*.yaml are written by hand without numbers, scripts/gen-families.mjs adds
// the numbers from the kernel's UAPI headers and writes src/families/generated/*.ts, and one
// generic codec (src/model/) decodes and encodes every family from them.

/** Integer types. `uint`/`sint` are NLA_UINT/NLA_SINT: 4 or 8 bytes. */
export type IntType = 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | 'uint' | 'sint';

/** Attribute payload types. */
export type AttrType =
  | IntType
  | 'string' // NUL-terminated text
  | 'binary' // bytes (optionally a struct, or shown through a display hint)
  | 'flag' // presence only
  | 'nest' // a nested attribute set
  | 'nest-array' // a nest whose members are all of one set, their types being indexes
  | 'bitfield32' // struct nla_bitfield32 { value, selector }
  | 'pad'; // alignment filler (IFLA_PAD and friends)

/**
 * How a value reads best for a human. On bytes: addresses, MACs, UUIDs, or hex (the default).
 * On an unsigned integer only `hex` applies: the value is the string "0x…" (marks and masks,
 * which iproute2 prints that way too), and the encoder takes it back in that form.
 */
export type DisplayHint = 'ipv4' | 'ipv6' | 'ip' | 'mac' | 'hex' | 'uuid';

/** One attribute of a set. */
export interface AttrSpec {
  /** Short snake_case name: the kernel constant without its prefix (IFLA_IFNAME → ifname). */
  name: string;
  /** The kernel constant, e.g. IFLA_IFNAME. */
  constant: string;
  type: AttrType;
  /** For nest / nest-array: the attribute set of the content. */
  nested?: string;
  /** For binary: decode the payload as this struct. */
  struct?: string;
  /**
   * For binary: the payload is an array of this scalar type (`u32`), or of this struct (by
   * name, e.g. `nexthop_grp`), elements back to back at sizeof() steps. Shown as a JSON array
   * whatever the count.
   */
  arrayOf?: IntType | string;
  /**
   * For arrayOf a struct: each element is the struct followed by attributes of this set, the
   * struct's {@link elementLength} field giving the element's whole length (struct rtnexthop
   * and its RTA_* attributes in RTA_MULTIPATH). Elements start on 4-byte boundaries.
   */
  elementAttrs?: string;
  /** With elementAttrs: the struct field that holds the element's length (struct and attributes). */
  elementLength?: string;
  /** Integer byte order when it is not the host's (nfnetlink uses big-endian). */
  byteOrder?: 'big' | 'little';
  /**
   * For addresses: the fixed-header field that holds the prefix length, so the encoder takes
   * the value as a human writes it, `192.0.2.1/24` (IFA_LOCAL → ifa_prefixlen, RTA_DST →
   * rtm_dst_len). Top-level attributes only.
   */
  prefixLength?: string;
  /**
   * The attribute carries NLA_F_NET_BYTEORDER (its value is big-endian): the kernel sets it and
   * wants it in requests (ipset). The encoder sets the flag.
   */
  netByteOrder?: boolean;
  display?: DisplayHint;
  /** Name of an enum whose names the value takes. */
  enum?: string;
  /** Name of a flag set whose bit names the value takes. */
  flags?: string;
  /**
   * The content's format depends on another value, e.g. IFLA_INFO_DATA on IFLA_INFO_KIND, or
   * INET_DIAG_INFO on the socket's protocol: see {@link SubMessage}.
   */
  subMessage?: SubMessage;
  /**
   * The attribute may appear more than once (a list of repeated attributes, such as
   * IFLA_ALT_IFNAME in IFLA_PROP_LIST): JSON shows it as an array even when it appears once,
   * so a jq filter works the same for one and for many.
   */
  multi?: boolean;
  /**
   * For nest-array: the members' types are meaningful (a command number, a policy index), not
   * a count from 1. JSON shows the nest as an object keyed by the index in decimal instead of
   * an array; the encoder writes each member under its key.
   */
  indexKeyed?: boolean;
  /** Named from the header but not typed by hand: shown as bytes. */
  undescribed?: boolean;
}

/**
 * How an attribute's content is chosen by a value found elsewhere. Keys of `sets` / `structs`
 * are the selecting value as the decoder shows it (an enum name such as `vxlan` or `tcp`, or a
 * number as text); a value with no entry leaves the content as bytes.
 */
export interface SubMessage {
  /**
   * Where the selecting value is read; with a list, the first place that has a value wins:
   *  - `NAME`: a sibling attribute (it may come after this one);
   *  - `header.FIELD`: a field of this message's fixed header;
   *  - `request.header.FIELD`, `request.attrs.NAME`: the request this message answers, when
   *    the decoder is given it (a dump's replies: nlctl dump and execute pass it).
   */
  selector: string | readonly string[];
  /** For nests: the attribute set of the content, by selecting value. */
  sets?: Record<string, string>;
  /** For binary attributes: the struct of the content, by selecting value. */
  structs?: Record<string, string>;
}

/** An attribute set: attributes by type number. */
export interface AttrSetSpec {
  name: string;
  attrs: Record<string, AttrSpec>;
  /**
   * Every member's type is an index (or an ID), and its content is this set: the second level
   * of a two-level table such as nlctrl's policies (policy index → attribute type → policy).
   * Like an indexKeyed nest-array, JSON shows the members keyed by index in decimal.
   */
  elements?: string;
}

/**
 * A field of a fixed-layout struct: an integer, padding (not shown, written as zeros), bytes,
 * a char[size] string (trailing NULs dropped when read, NUL-padded when written), or a region
 * holding another struct (`struct`: a nested struct, a union member chosen by `select`, or
 * the trailing data of a header such as struct cn_msg), shown as a nested object.
 */
export interface StructField {
  name: string;
  type: IntType | 'pad' | 'binary' | 'string' | 'struct';
  /**
   * Size in bytes for pad, binary, string and struct fields (a nested struct's sizeof). A
   * struct field without one is the rest of the data (or `lengthOf` bytes): it must be the last
   * field and does not count in the struct's size, like a C flexible array member.
   */
  size?: number;
  byteOrder?: 'big' | 'little';
  display?: DisplayHint;
  enum?: string;
  flags?: string;
  /** For struct fields: the struct this field is (when `select` names none; else bytes). */
  struct?: string;
  /** The region's struct (or a binary field's display) chosen by earlier fields' values. */
  select?: FieldSelect;
  /**
   * For integer fields: the value is the byte length of the named later field (cn_msg.len).
   * The decoder bounds that field by it; the encoder fills it in when it is not given.
   */
  lengthOf?: string;
  /**
   * For integer fields: C bit-fields packed in it, in declaration order. Each is shown as a
   * field of its own; bits no bit-field covers are shown under the field's name when not zero.
   */
  bits?: BitField[];
}

/** One C bit-field of an integer field (GCC's layout: from the low bit on little-endian hosts). */
export interface BitField {
  name: string;
  /** Width in bits. */
  width: number;
  enum?: string;
}

/**
 * A choice made by the values of earlier fields of the same struct (raw numbers, not names):
 * proc_event's union by `what`, cn_msg's data by its id, an address's form by the address
 * family. The first case whose `when` equals the `by` fields' values wins.
 */
export interface FieldSelect {
  /** Names of earlier integer fields. */
  by: string[];
  cases: FieldCase[];
}

/** One case of a {@link FieldSelect}. */
export interface FieldCase {
  /** One value per `by` field. */
  when: number[];
  /** For struct fields: the struct the region holds. */
  struct?: string;
  /** For binary fields: how the bytes read (`ipv4` on a longer field: its first 4 bytes). */
  display?: DisplayHint;
}

/** A fixed-layout struct: a family header or a binary attribute's content. */
export interface StructSpec {
  name: string;
  /** sizeof(), from the header. */
  size: number;
  fields: StructField[];
}

/** Names for values: an enum, or (flags) names for bits. */
export interface EnumSpec {
  name: string;
  /** True: values are bit masks; a value is shown as the names of its set bits. */
  flags?: boolean;
  /** Value → short name. */
  values: Record<string, string>;
}

/**
 * One message type. A type below 16 (NLMSG_DONE, …) is a control message unless the protocol's
 * description lists it: then it carries the protocol's own payload (every connector message is
 * an NLMSG_DONE) and is decoded as described.
 */
export interface MessageSpec {
  /** The kernel constant, e.g. RTM_NEWLINK (or CTRL_CMD_GETFAMILY for generic netlink). */
  constant: string;
  /** Short name: newlink. */
  name: string;
  /** Message type number (generic netlink: the command number). */
  value: number;
  /** Struct that follows nlmsghdr (and genlmsghdr), if any. */
  header?: string;
  /** Attribute set that follows the header, if any. */
  attrs?: string;
  /** What kind of request this is, for naming the context-dependent flags. */
  kind?: 'get' | 'new' | 'del' | 'other';
  /** What follows the header when it is not attributes: text (audit records). */
  payload?: 'text';
  /**
   * How the kernel answers a request of this type, when not as usual (answer, then the ACK
   * when asked for): `after-ack` — the ACK comes first and the answer follows it (audit's
   * queries, answered from another context); `none` — nothing is sent back to the requester,
   * not even an ACK (connector: its users answer by multicast, if at all).
   */
  reply?: 'after-ack' | 'none';
  /**
   * Which way this entry's numbering runs, for families that number each way apart (ethtool:
   * 13 is PRIVFLAGS_GET going in, FEATURES_NTF coming out; mptcp_pm: 1 is the ADD_ADDR command
   * and the CREATED event): `user` — requests (NLM_F_REQUEST set); `kernel` — what the kernel
   * sends, unicast or multicast; `multicast` — what arrives on a multicast group only. A
   * message takes the entry of its number that fits it best (see messageSpec); an entry
   * without `from` fits both ways.
   */
  from?: MessageFrom;
  /**
   * Layouts that replace header/attrs when they match: by direction (a request has
   * NLM_F_REQUEST) and by the payload's first byte (sock_diag: the address family). The first
   * match wins; header/attrs above apply when none does.
   */
  variants?: MessageVariant[];
}

/** Where a message comes from, as MessageSpec.from tells entries apart. */
export type MessageFrom = 'user' | 'kernel' | 'multicast';

/** One alternative layout of a message type. */
export interface MessageVariant {
  /** Matches requests (true) or replies (false) only. */
  request?: boolean;
  /** Matches dump requests (NLM_F_ROOT or NLM_F_MATCH set) only, or (false) only others. */
  dump?: boolean;
  /** Matches when the payload's first byte has this value. */
  firstByte?: number;
  header?: string;
  attrs?: string;
}

/** A multicast group. */
export interface GroupSpec {
  name: string;
  value: number;
  /** The kernel constant, e.g. RTNLGRP_LINK. */
  constant?: string;
}

/** Everything known about one family. */
export interface FamilySpec {
  /** Family name: route, generic, sock_diag, … or a generic netlink family name (nlctrl). */
  name: string;
  /** Netlink protocol number. */
  protocol: number;
  /** For generic netlink families: the fixed family ID if it has one (nlctrl: 16). */
  genlId?: number;
  messages: MessageSpec[];
  structs: Record<string, StructSpec>;
  sets: Record<string, AttrSetSpec>;
  enums: Record<string, EnumSpec>;
  groups: GroupSpec[];
  /**
   * The enum of the family's own error codes, above the errno range (ipset's IPSET_ERR_*): an
   * NLMSG_ERROR whose error is minus one of them is named by it.
   */
  errors?: string;
}
