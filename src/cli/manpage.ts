// The man page, nlctl(1), in roff (man macros): hand-written prose around sections generated
// from the commander program the parser uses (SYNOPSIS, COMMANDS, OPTIONS) and from the
// examples each command's --help shows (EXAMPLES). scripts/gen-docs.mjs writes man/nlctl.1.
// Checked with `groff -man -ww -z` and `mandoc -Tlint`, which must both stay silent.
import type { Command } from 'commander';
import { describeCli, type ArgumentSpec, type CommandSpec, type OptionSpec } from './completion.js';
import { EXAMPLES } from './main.js';

/** What goes on the title line besides the program. */
export interface ManPageOptions {
  /** The date on the title line, YYYY-MM-DD. */
  date: string;
  /** The version on the title line. */
  version: string;
}

// --- roff ------------------------------------------------------------------------------------

/** Text for a roff text line: backslashes, hyphens (typed as they are), non-ASCII, control lines. */
export function roffText(text: string): string {
  const s = text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/[^\x20-\x7e\n]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  // A line that starts with . or ' would be a request; \& in front makes it text.
  return s
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

const B = (s: string) => `\\fB${roffText(s)}\\fR`;
const I = (s: string) => `\\fI${roffText(s)}\\fR`;

/** A description as a sentence: capital first letter, full stop at the end. */
function sentence(s: string): string {
  const t = s.trim();
  if (t === '') return t;
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** `-o, --output format` with fonts. */
function optionTerm(o: OptionSpec): string {
  const names = [o.short, o.long].filter((x): x is string => x !== undefined).map(B).join(', ');
  if (o.value === 'none') return names;
  const v = I(o.valueName ?? 'value');
  return o.value === 'optional' ? `${names} [${v}]` : `${names} ${v}`;
}

/** The paragraph under an option: its description, choices, default and whether it is required. */
function optionBody(o: OptionSpec): string {
  let text = roffText(sentence(o.description));
  if (o.kind === 'choices') text += ` One of ${o.choices.map(B).join(', ')}.`;
  if (o.kind === 'flags') text += ` Flag names: ${o.choices.map(B).join(', ')}.`;
  if (o.defaultValue !== undefined) text += ` Default: ${B(o.defaultValue)}.`;
  if (o.preset !== undefined) text += ` Given without a value: ${B(o.preset)}.`;
  if (o.mandatory) text += ' Required.';
  return text;
}

function optionList(opts: readonly OptionSpec[]): string[] {
  return opts.flatMap((o) => ['.TP', optionTerm(o), optionBody(o)]);
}

/** One synopsis (.SY … .YS) of a command. */
function synopsis(c: CommandSpec | undefined): string[] {
  const out = ['.SY nlctl', '.RI [ options ]'];
  if (!c) return [...out, '.I command', '.RI [ command-options ]', '.YS'];
  out.push(`.B ${roffText(c.name)}`);
  for (const o of c.options) {
    if (o.long === '--help') continue;
    const name = roffText(o.short ?? o.long!);
    const value = o.value === 'none' ? '' : o.kind === 'choices' ? o.choices.map(roffText).join('|') : roffText(o.valueName ?? 'value');
    if (o.mandatory) out.push(`.B ${name}`, ...(value ? [`.I ${value}`] : []));
    else out.push(`.OP ${name}${value ? ` ${value}` : ''}`);
  }
  for (const a of c.args) out.push(argumentSynopsis(a));
  out.push('.YS');
  return out;
}

function argumentSynopsis(a: ArgumentSpec): string {
  const name = a.kind === 'choices' ? a.choices.map(roffText).join('|') : roffText(a.name);
  const more = a.variadic ? ' \\&...' : '';
  return a.required ? `.I ${name}${more}` : `.RI [ ${name}${more} ]`;
}

// --- prose -----------------------------------------------------------------------------------

// Written by hand; `\fB…\fR` and friends are roff, the rest goes through roffText at build time
// only where a function says so. Keep lines short and one sentence per line.
const DESCRIPTION = String.raw`
.B nlctl
shows what the Linux kernel says over netlink.
It sends requests
.RB ( dump ,
.BR execute ),
joins multicast groups
.RB ( listen )
or reads captured bytes
.RB ( decode ),
and prints every message with the names and types of the families it describes:
rtnetlink (\fBroute\fR), generic netlink (\fBnlctrl\fR, \fBethtool\fR, \fBdevlink\fR, \fBwireguard\fR, \fBmptcp_pm\fR, \fBtcp_metrics\fR, \fBTASKSTATS\fR),
\fBsock_diag\fR, \fBnetfilter\fR, \fBxfrm\fR, \fBaudit\fR, \fBselinux\fR, \fBconnector\fR and \fBkobject_uevent\fR.
What it does not know it still shows, as bytes under type numbers; nothing is dropped.
Output is a table, NDJSON for
.BR jq (1),
one line per message, or the layout of libmnl's
.BR mnl_nlmsg_fprintf (),
plain or annotated (see
.BR "OUTPUT FORMATS" ).
.PP
Options of the program (see
.BR OPTIONS )
may be given before or after the command; each command has options of its own (see
.BR COMMANDS ).
.SS Naming things
.TP
.B Families \fR(\fB\-f\fR)
A netlink protocol by name (\fBroute\fR, \fBgeneric\fR, \fBsock_diag\fR, \fBnetfilter\fR, \fBkobject_uevent\fR, \fBaudit\fR, \fBxfrm\fR, \fBconnector\fR, ...;
also \fBrtnl\fR, \fBgenl\fR, \fBnf\fR, \fBdiag\fR, \fBuevent\fR) or number (0 to 31),
or the name of a generic netlink family (\fBnlctrl\fR, \fBethtool\fR, \fBTASKSTATS\fR, ...), which is looked up in the kernel.
With \fB\-\-spec\fR, a kernel YNL spec (Documentation/netlink/specs/*.yaml) describes the family.
.TP
.B Message types \fR(\fB\-t\fR)
The kernel's constant (\fBRTM_GETLINK\fR), its short name (\fBgetlink\fR) or a number;
for generic netlink, the command (\fBgetfamily\fR).
.TP
.B Groups \fR(\fB\-g\fR)
A bit mask (\fB0x1\fR: groups 1 to 64), group numbers (\fB1,2,40\fR), or the family's group names (\fBlink,ipv4\-route\fR; \fBRTNLGRP_LINK\fR works too).
.TP
.B Flags \fR(\fB\-F\fR)
Names joined by commas or bars (\fBrequest,ack,create,excl\fR; the \fBNLM_F_\fR prefix may be left out), or a number.
.TP
.B Namespaces \fR(\fB\-n\fR)
A name given to
.BR "ip netns" ,
that is \fI/run/netns/NAME\fR; a path to a namespace file; or a process ID (\fI/proc/PID/ns/net\fR).
.TP
.B Attributes \fR(\fB\-a\fR, \fB\-\-attrs\fR, \fB\-\-header\fR)
\fINAME\fB=\fIVALUE\fR, with dots for nests (\fBlinkinfo.kind=veth\fR), or \fITYPE\fB:\fIKIND\fB=\fIVALUE\fR for a type number
(kinds \fBu8\fR to \fBu64\fR, \fBs8\fR to \fBs64\fR, \fBbe16\fR to \fBbe64\fR, \fBstring\fR, \fBhex\fR, \fBflag\fR, \fBip\fR, \fBmac\fR).
\fB\-\-attrs\fR takes a JSON object of the shape \fB\-j\fR prints as \fBattrs\fR;
\fB\-\-header\fR sets the family header's fields by name, with dots for a struct inside it (\fBdata.op=listen\fR);
a length field left out is filled in, and a field the header does not have is an error.
Values are written as people write them: enum and flag names (\fBup\fR, \fBinet6\fR), addresses (\fB192.0.2.1\fR, \fB2001:db8::1\fR),
MACs (\fB02:00:00:00:00:09\fR), hex for bytes; an address with a prefix (\fB\-a local=192.0.2.1/24\fR, \fB\-a dst=198.51.100.0/24\fR)
also sets the header's prefix length field (\fBprefixlen\fR, \fBdst_len\fR), so the header must then be given by field.
A header given by field is padded to 4 bytes as iproute2 pads it; \fB\-\-header\-hex\fR is sent as given, padded only when attributes follow.
.TP
.B Durations and sizes
\fB500ms\fR, \fB10s\fR, \fB2m\fR, \fB1h\fR (plain numbers are seconds); \fB212992\fR, \fB512k\fR, \fB4M\fR.
`;

/** More about a command than its one-line description. */
const DETAILS: Readonly<Record<string, string>> = {
  dial: String.raw`
Opens a socket as every other command does and reports what the kernel granted:
the port ID, the groups joined (with their names), the receive and send buffer sizes (as the kernel set them),
and which socket options are on.
For a generic netlink family it also shows the family's ID and version.
Extended ACKs and strict checking (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK) are turned on, and their failure is an error, unless \fB\-\-no\-strict\fR.
`,
  dump: String.raw`
Sends one request, flagged NLM_F_REQUEST|NLM_F_DUMP unless \fB\-F\fR says otherwise,
and prints each reply as its datagram arrives, up to and including NLMSG_DONE; memory stays flat however large the dump.
When the kernel marks the dump inconsistent (NLM_F_DUMP_INTR), \fB\-\-on\-intr\fR decides:
\fBwarn\fR prints it as it came, then a warning and a \fBdump_interrupted\fR record (as
.BR ip (8)
does);
\fBfail\fR does the same and exits with status 2;
\fBretry\fR holds the replies back and dumps again, up to 5 times, printing only a consistent dump (or the last one, with a warning).
`,
  execute: String.raw`
Sends one request, flagged NLM_F_REQUEST|NLM_F_ACK unless \fB\-F\fR says otherwise, and prints every reply, the ACK included.
When the kernel says no, its NLMSG_ERROR reply is printed decoded, with the extended ACK's message and the offending attribute named from the request,
and the exit status is 2.
When the extended ACK points into the request, the table, text and hex views first print the request (marked \fBsent\fR)
with that attribute marked \fB<\-\- the kernel rejected this:\fR and the kernel's message;
JSON prints only the reply, whose \fBerror\fR carries \fBoffset\fR and \fBbad_attr\fR.
Replies are decoded knowing the request (for \fBsock_diag\fR, which protocol's sockets were asked for).
How long to wait is the family's to say:
\fBaudit\fR answers its queries (\fBget\fR, \fBlist_rules\fR, ...) after the ACK, so both are waited for;
\fBconnector\fR never answers a request, so it is sent, printed, and nothing is waited for.
\fB\-\-dry\-run\fR prints the request as it would be sent, and sends nothing.
`,
  listen: String.raw`
Joins the groups and prints every notification with the time it arrived, its group and (with \fB\-\-all\-nsid\fR) the ID of the namespace it came from,
until Ctrl\-C, \fB\-\-count\fR messages or \fB\-\-timeout\fR.
The receive buffer is 64 MiB unless \fB\-\-rcvbuf\fR says otherwise; when the kernel still has to drop messages (ENOBUFS),
an \fBoverrun\fR record is printed and listening goes on.
While stdout is slow to take output, reading pauses and the kernel's queue absorbs the burst.
\fBkobject_uevent\fR groups (1: the kernel, 2: udev) print \fBuevent\fR records.
\fB\-\-send\fR \fITYPE\fR sends one message, built from the request options as for \fBexecute\fR, from the listening socket once it has joined the groups,
for subscriptions made by a message:
process events (\fBconnector\fR group \fBproc\fR) start with a \fBPROC_CN_MCAST_LISTEN\fR, which the kernel acknowledges with a \fBnone\fR event.
The kernel counts these subscriptions and forgets one only when its socket sends \fBdata.op=ignore\fR, not when the socket closes
(seen on Linux 6.18), so after \fBnlctl listen\fR ends the kernel goes on producing events for no one, which costs little.
`,
  decode: String.raw`
Reads netlink messages from files, or from standard input when there is none or one is \fB\-\fR, and opens no socket.
It reads raw bytes as sent and received; hex as people paste it
(\fBxxd\fR, \fBhexdump \-C\fR, \fBod\fR, \fBstrace\fR escapes, libmnl dumps, C and other language literals);
and pcap or pcapng captures from an \fBnlmon\fR device, whose packets say their protocol.
\fB\-\-input\fR overrides the guess; \fB\-f\fR names the family when the input does not.
A reply is decoded knowing the request of its sequence number when the input holds it (as \fBdump\fR and \fBexecute\fR do):
an error's offending attribute is named, and \fBsock_diag\fR's INET_DIAG_INFO is read as the asked protocol's struct.
Malformed input is shown as far as it goes and annotated, and the exit status is then 1.
`,
  completion: String.raw`
Prints the completion script for the shell: the files \fIcompletions/nlctl.bash\fR, \fIcompletions/_nlctl\fR and \fIcompletions/nlctl.fish\fR of the source.
The scripts complete commands, options and their fixed values;
for families, the message types and groups of the family given with \fB\-f\fR, they ask the \fBnlctl\fR being completed (a hidden \fB__complete\fR command),
and namespace names come from \fI/run/netns\fR.
`,
  help: String.raw`
Prints the help of \fIcommand\fR, with examples, or of
.B nlctl
itself.
\fB\-h\fR and \fB\-\-help\fR after a command do the same.
`,
};

/** The JSON records, field by field: [record, what it is, [field, meaning][]]. */
const JSON_RECORDS: readonly (readonly [string, string, readonly (readonly [string, string])[]])[] = [
  [
    'message',
    'One netlink message: received, or sent (\\fBexecute \\-\\-dry\\-run\\fR).',
    [
      ['time', 'When it was received, ISO 8601 (\\fBlisten\\fR; \\fBdecode\\fR of a capture).'],
      ['group', 'The multicast group it arrived on (\\fBlisten\\fR).'],
      ['group_name', "The group's name, when the family names it."],
      ['nsid', 'The ID of the namespace it came from (\\fBlisten \\-\\-all\\-nsid\\fR).'],
      ['protocol', 'The netlink protocol number (0 for route, 16 for generic, ...).'],
      ['family', 'The described family (\\fBroute\\fR, \\fBnlctrl\\fR, ...), when there is one.'],
      ['type', 'The message type: its constant (\\fBRTM_NEWLINK\\fR, \\fBNLMSG_DONE\\fR, \\fBNLMSG_ERROR\\fR, \\fBCTRL_CMD_NEWFAMILY\\fR), or its number when unknown.'],
      ['type_num', 'The message type as a number.'],
      ['flags', 'The set flags as an array of names, named in the context of the message type (\\fBmulti\\fR, \\fBack\\fR, \\fBdump_filtered\\fR, \\fBcreate\\fR, ...); unknown bits as one hex string.'],
      ['seq', 'The sequence number.'],
      ['pid', 'The port ID.'],
      ['len', 'The length from the message header, in bytes.'],
      ['genl', 'Generic netlink: the genlmsghdr, \\fB{"cmd": ..., "version": ...}\\fR.'],
      ['header', "The family's fixed header (\\fBifinfomsg\\fR, \\fBrtmsg\\fR, ...) by field, valued as attributes are (see \\fBJSON values\\fR): a nested struct is an object (\\fBsel.daddr\\fR), a char array text; \\fB_extra\\fR holds, as hex, bytes beyond the described struct."],
      [
        'error',
        'NLMSG_ERROR and NLMSG_DONE: \\fBerrno\\fR (0 for an ACK, else negative), \\fBname\\fR (\\fBOK\\fR, \\fBENODEV\\fR, ...) and \\fBtext\\fR; from the extended ACK, \\fBmsg\\fR, \\fBoffset\\fR (into the request), \\fBbad_attr\\fR (the attribute at that offset, as a dotted path), \\fBcookie\\fR (hex), \\fBpolicy\\fR (the policy the attribute failed, named as nlctrl\'s policy tables name it: \\fBtype\\fR by name, \\fBmax_length\\fR, ...), \\fBmiss_type\\fR and \\fBmiss_nest\\fR.',
      ],
      [
        'attrs',
        'The attributes by short name (\\fBifname\\fR, \\fBmtu\\fR): numbers, strings, addresses and MAC addresses as text, enums as names, flags as arrays of names, nests as objects, repeated attributes as arrays (see \\fBJSON values\\fR). An attribute of an unknown type is \\fBunknown_\\fR\\fIN\\fR with its bytes as hex.',
      ],
      [
        'attr_list',
        'With \\fB\\-\\-lossless\\fR: every attribute in wire order, as objects with \\fBtype\\fR (number), \\fBname\\fR, \\fBconstant\\fR, \\fBflags\\fR (\\fBnested\\fR, \\fBnet_byteorder\\fR), \\fBlen\\fR, \\fBoffset\\fR (from the start of the message), \\fBbytes\\fR (hex), \\fBpad\\fR (hex: the padding after the payload, only when it is not the usual zeros \\(em other content, or cut short where the message ends), then \\fBvalue\\fR or nested \\fBattrs\\fR, \\fBraw\\fR (the number behind an enum or flags value) and \\fBmalformed\\fR.',
      ],
      ['header_bytes', "With \\fB\\-\\-lossless\\fR: the fixed header as hex, exactly as received (padding and alignment included), as \\fB\\-\\-header\\-hex\\fR takes it; the library's encoder uses it instead of \\fBheader\\fR."],
      ['bytes', 'With \\fB\\-\\-lossless\\fR: the whole message as hex.'],
      ['payload', 'Bytes not decoded as a header or attributes, as hex.'],
      ['text', 'A text payload (audit records).'],
      ['malformed', 'What did not decode, as an array of strings; everything else is still shown.'],
    ],
  ],
  ['overrun', 'The kernel dropped notifications: the receive queue overflowed (ENOBUFS).', [
    ['time', 'When, ISO 8601.'],
    ['received', 'Messages received before it.'],
    ['rcvbuf', 'The receive buffer size, in bytes.'],
  ]],
  ['dump_interrupted', 'A dump ended with NLM_F_DUMP_INTR set (see \\fB\\-\\-on\\-intr\\fR).', [
    ['action', '\\fBwarn\\fR, \\fBretry\\fR or \\fBfail\\fR.'],
    ['attempt', 'Which attempt it was, from 1.'],
  ]],
  ['summary', 'The last line of \\fBdump\\fR and \\fBlisten\\fR (however listen ended: count, timeout, Ctrl-C): totals.', [
    ['messages', 'Messages (and uevents) printed.'],
    ['errors', 'Of those, error replies (NLMSG_ERROR with a negative error).'],
    ['overruns', 'Overrun records (listen; 0 for dump).'],
    ['elapsed', 'Seconds from start to end.'],
  ]],
  ['uevent', 'A kobject uevent (\\fBkobject_uevent\\fR): text, not a netlink message.', [
    ['time', 'When it was received, ISO 8601.'],
    ['group', '1 from the kernel, 2 from udev.'],
    ['source', '\\fBkernel\\fR or \\fBudev\\fR.'],
    ['action', 'ACTION (\\fBadd\\fR, \\fBremove\\fR, \\fBchange\\fR, \\fBbind\\fR, ...).'],
    ['devpath', 'DEVPATH.'],
    ['env', 'Every KEY=VALUE pair, as an object.'],
    ['malformed', 'What did not parse, as an array of strings.'],
  ]],
  ['dial', 'What \\fBdial\\fR reports.', [
    ['protocol', 'The protocol number; \\fBprotocol_name\\fR its name.'],
    ['genl_family', 'For a generic netlink family: its name, with \\fBgenl_id\\fR and \\fBgenl_version\\fR.'],
    ['pid', 'The port ID.'],
    ['netns', 'The namespace as given with \\fB\\-n\\fR, or null.'],
    ['groups', 'The groups joined, as \\fB{"id": ..., "name": ...}\\fR objects.'],
    ['rcvbuf', 'The receive buffer size; \\fBsndbuf\\fR the send buffer size, in bytes.'],
    ['options', 'Socket options by name (\\fBExtendedAcknowledge\\fR, \\fBGetStrictCheck\\fR, ...), each true or false.'],
  ]],
  ['render_error', 'A record that could not be printed (a bug; please report it), still one parseable line.', [['error', 'What went wrong.']]],
];

const OUTPUT_FORMATS = String.raw`
Chosen with \fB\-o\fR (or \fB\-j\fR); every format streams, message by message.
.TP
.B table
The default.
Per message, a heading (type, flags, sequence number, port ID, length), the fixed header's fields,
and a table of attributes with name, type, length and value; nests are indented.
.TP
.B json
NDJSON: one JSON object per line, written as it arrives, so
.BR jq (1)
can read a dump or a \fBlisten\fR stream as it happens.
\fB\-p\fR indents each object; \fB\-\-lossless\fR adds every attribute's bytes.
Never coloured.
.TP
.B text
One line per message, as
.BR strace (1)
shows structures: type, flags, sequence number, port ID, length, the fixed header in braces, then the attributes as \fIname\fB=\fIvalue\fR.
.TP
.B mnl
The layout of libmnl's
.BR mnl_nlmsg_fprintf (),
byte for byte: boxes for the message header, the family's header (the "extra header"), attribute headers (\fB|len|flags|type|\fR) and 4\-byte rows of data.
.TP
.B mnl\-annotated
The same layout, with every row annotated: header fields by name, attribute constants, and decoded values.
.SS JSON records
Every object has a \fBrecord\fR field that says what it is; fields that do not apply are left out.
Integers are exact, 64\-bit ones included (\fBjq\fR 1.6 rounds those above 2^53).
`;

/** How attribute and header values look in JSON, and what the way back keeps. */
const JSON_VALUES = String.raw`
.SS JSON values
The shape of a value comes from the family's description, never from the data, so a
.BR jq (1)
filter works on every message of a type; \fB\-\-attrs\fR takes the same shapes back.
.TP
.B Numbers
Integers, 64\-bit ones exact.
Marks, masks, SPIs and interface IDs that the family's own tools print in hex
(\fBfwmark\fR and \fBfwmask\fR of rules, xfrm \fBmark\fR, \fBspi\fR, \fBif_id\fR, sock_diag \fBmark\fR) are strings such as \fB"0x10"\fR;
either form is accepted back.
.TP
.B Text and bytes
Strings; a fixed\-size char array in a struct too (\fBalg_name\fR, \fBcomm\fR), trailing NULs dropped.
Addresses and MAC addresses as text, other bytes as hex.
.TP
.B Enums and flags
Enums by name (a number the description does not know stays a number); flags as an array of names, unknown bits as one hex string.
.TP
.B Structs
Objects by field; a struct inside a struct is a nested object (\fB.header.sel.daddr\fR).
An attribute whose payload is shorter than its struct shows the fields it holds and is marked malformed.
.TP
.B Arrays
An attribute that appears more than once is an array of its values, in order.
One the description says can repeat (\fBprop_list.alt_ifname\fR, ethtool's \fBbits.bit\fR, devlink's \fBinfo_version_*\fR, ...) is an array even when it appears once.
An array of structs is an array of objects, whatever the count: \fBgroup\fR of a nexthop (struct nexthop_grp), \fBtmpl\fR of an xfrm policy (struct xfrm_user_tmpl).
\fBmultipath\fR of a route is one object per hop: the fields of struct rtnexthop (\fBflags\fR, \fBhops\fR, \fBifindex\fR; rtnh_len is left out, as it is computed) and \fBattrs\fR, the hop's own attributes (\fBgateway\fR).
.TP
.B Nests
Objects, by attribute name.
A nest whose members are numbered from 1 (nlctrl's \fBops\fR and \fBmcast_groups\fR) is an array.
Where the numbers mean something, the nest is an object keyed by the number in decimal, in ascending order:
nlctrl's \fBop_policy\fR by command and \fBpolicy\fR by policy index, then by attribute type (\fB.attrs.policy["0"]["1"].type\fR);
a number that appears twice holds an array.
.TP
.B The way back
The JSON of a message encodes back to the same bytes, except for what it does not record:
the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits (the encoder sets NLA_F_NESTED on every nest, as strict kernels want in requests, and never NLA_F_NET_BYTEORDER),
the place of a repeated attribute among others (its values are grouped), padding content, lengths longer than their content, and bytes that are not UTF\-8 in text.
With \fB\-\-lossless\fR, \fBattr_list\fR (with \fBpad\fR) and \fBheader_bytes\fR give back every byte.
`;

const EXIT_STATUS = String.raw`
.TP
.B 0
Success; also when \fB\-\-count\fR or \fB\-\-timeout\fR ends \fBlisten\fR, and when the reader of the output goes away (a broken pipe, as in \fBnlctl dump ... | head\fR), which ends nlctl quietly.
.TP
.B 1
A usage error or invalid input: an unknown option, command, family, message type or group, a bad value, or malformed input to \fBdecode\fR.
.TP
.B 2
The kernel returned an error (NLMSG_ERROR), a system call failed (socket, bind, setns, ...), the kernel did not answer in time, or a dump was interrupted with \fB\-\-on\-intr fail\fR.
.PP
SIGINT (Ctrl\-C) and SIGTERM end \fBlisten\fR and \fBdump\fR cleanly: nlctl finishes the line it is writing, closes the socket,
and then dies by the same signal, so the shell sees the interrupt (status 130 or 143).
A second signal ends it at once.
`;

const ENVIRONMENT = String.raw`
.TP
.B NLDEBUG
Print every netlink message sent and received on standard error:
\fB1\fR, or \fBlevel=\fIN\fR (0 off, 1 messages, 2 also datagram details),
\fBformat=mnl\fR (the default) or \fBformat=text\fR, and \fBcolor=auto\fR|\fBalways\fR|\fBnever\fR, joined by commas.
.TP
.B NO_COLOR
When set and not empty: no colour, unless \fB\-\-color always\fR.
.TP
.B FORCE_COLOR
Colour even when the output is not a terminal; \fB0\fR or \fBfalse\fR: no colour.
Read after \fBNO_COLOR\fR.
.TP
.B CLICOLOR_FORCE
When set and not \fB0\fR: colour even when the output is not a terminal.
\fBCLICOLOR=0\fR turns colour off.
Otherwise output is coloured when it goes to a terminal whose \fBTERM\fR is not \fBdumb\fR.
The same rule, with the same \fB\-\-color\fR flag, colours tables, text, hex dumps, help and
error lines, each decided for the stream it goes to (standard output or standard error);
JSON is never coloured.
.TP
.B NLCTL_DEBUG
\fB1\fR: report internal errors with their stack trace, as \fB\-v\fR does.
.TP
.B NLCTL_NATIVE
The compiled socket shim (\fInlctl_native.node\fR) to load instead of the package's own.
.TP
.B NLCTL_BUILD_FROM_SOURCE
\fB1\fR at install time: build the socket shim from source even when a prebuilt one for this
platform is shipped.
.TP
.B NLCTL_BUNDLE
\fB0\fR: run the CLI from the package's separate modules instead of its single start-up file
(\fIdist/cli/nlctl.cjs\fR, compiled with a V8 code cache made when the package was built);
\fBtrace\fR: say on standard error which was used and whether the code cache was.
A code cache made by another Node.js version is of no use; the first run that finds it so
writes one for the next runs when the package directory is writable (not under \fBNODE_OPTIONS\fR
or other Node.js flags, whose cache would fit only runs with them).
The output is the same either way and only start-up time differs, except that the stack trace of
an internal error (\fB\-v\fR) points into that file: set \fB0\fR for a bug report.
In a source checkout, when \fIdist/cli/main.js\fR is newer than that file (the TypeScript was compiled again on its own), the modules are used.
`;

const SEE_ALSO = String.raw`
.BR ip (8),
.BR genl (8),
.BR ss (8),
.BR netlink (7),
.BR rtnetlink (7),
.BR jq (1)
`;

// --- the page --------------------------------------------------------------------------------

/** An ellipsis or "e.g." that ends up at the end of a line must not end a sentence there. */
function protectPeriods(line: string): string {
  return line.replace(/(\.\.\.|\be\.g\.)(?!\\&)/g, '$1\\&');
}

/** Index of the last place at or before `max` where a line may break (a space), or -1. */
function breakAt(line: string, max: number): number {
  for (let i = Math.min(max, line.length - 1); i > 0; i--) if (line[i] === ' ') return i;
  return -1;
}

/**
 * Keep input lines within 80 bytes (mandoc's style check): text lines are broken at spaces,
 * which is the same in fill mode; lines of examples (no-fill) are continued with a trailing
 * backslash, which joins them back exactly.
 */
function wrapLines(lines: readonly string[], max = 80): string[] {
  const out: string[] = [];
  let noFill = false;
  const text = (l: string) => (/^[.']/.test(l) ? `\\&${l}` : l);
  for (let line of lines) {
    if (line.startsWith('.EX')) noFill = true;
    if (line.startsWith('.EE')) noFill = false;
    if (line.startsWith('.') || line.length <= max) {
      out.push(noFill || line.startsWith('.') ? line : protectPeriods(line));
      continue;
    }
    if (!noFill) line = protectPeriods(line);
    let rest = line;
    if (noFill) {
      while (rest.length > max) {
        // break before a space (kept on the next line), never inside an escape
        let i = breakAt(rest, max - 2);
        while (i > 0 && rest[i - 1] === '\\') i = breakAt(rest, i - 1);
        if (i <= 0) break;
        out.push(rest.slice(0, i) + '\\');
        rest = rest.slice(i);
      }
      out.push(rest);
      continue;
    }
    while (rest.length > max) {
      let i = breakAt(rest, max);
      while (i > 0 && rest[i - 1] === '\\') i = breakAt(rest, i - 1);
      if (i <= 0) break;
      out.push(text(rest.slice(0, i)));
      rest = rest.slice(i + 1);
    }
    out.push(text(rest));
  }
  return out;
}

/** nlctl(1) in roff, from the program (its commands and options) and the prose above. */
export function manPage(program: Command, options: ManPageOptions): string {
  const cli = describeCli(program);
  const out: string[] = [];
  const raw = (s: string) => out.push(...s.trim().split('\n'));
  out.push(
    ".\\\" nlctl(1). Generated by scripts/gen-docs.mjs from nlctl's command definitions",
    '.\\" (src/cli/main.ts) and the prose in src/cli/manpage.ts; do not edit.',
    `.TH NLCTL 1 ${options.date} "nlctl ${roffText(options.version)}" "User Commands"`,
    '.SH NAME',
    `nlctl \\- ${roffText(cli.description.replace(/\.$/, '').replace(/^See/, 'see'))}`,
    '.SH SYNOPSIS',
  );
  out.push(...synopsis(undefined));
  for (const c of cli.commands) out.push(...synopsis(c));
  out.push('.SH DESCRIPTION');
  raw(DESCRIPTION);

  out.push('.SH COMMANDS');
  for (const c of cli.commands) {
    out.push(`.SS ${roffText(c.name)}`, roffText(sentence(c.description)));
    const details = DETAILS[c.name];
    if (details) out.push('.PP'), raw(details);
    for (const a of c.args) if (a.description) out.push('.TP', I(a.name + (a.variadic ? ' ...' : '')), roffText(sentence(a.description)));
    out.push(...optionList(c.options));
  }

  out.push('.SH OPTIONS', 'These apply to every command, before or after it.');
  out.push(...optionList(cli.global));

  out.push('.SH "OUTPUT FORMATS"');
  raw(OUTPUT_FORMATS);
  for (const [name, what, fields] of JSON_RECORDS) {
    out.push('.TP', `\\fB"record": "${roffText(name)}"\\fR`, what, '.RS');
    for (const [field, meaning] of fields) out.push('.TP', B(field), meaning);
    out.push('.RE');
  }
  raw(JSON_VALUES);

  out.push('.SH "EXIT STATUS"');
  raw(EXIT_STATUS);
  out.push('.SH ENVIRONMENT');
  raw(ENVIRONMENT);
  out.push('.SH FILES', '.TP', '.I /run/netns/NAME', 'The network namespaces named by', '.BR "ip netns" ,', 'for \\fB\\-n\\fR \\fINAME\\fR.');

  out.push('.SH EXAMPLES');
  const seen = new Set<string>();
  let first = true;
  for (const name of ['nlctl', ...cli.commands.map((c) => c.name)]) {
    for (const [what, line] of EXAMPLES[name] ?? []) {
      if (seen.has(line)) continue;
      seen.add(line);
      if (!first) out.push('.PP');
      first = false;
      out.push(roffText(sentence(what).replace(/\.$/, ':')), '.PP', '.in +4n', '.EX', roffText(line), '.EE', '.in');
    }
  }
  out.push('.SH "SEE ALSO"');
  raw(SEE_ALSO);
  return wrapLines(out).join('\n') + '\n';
}
