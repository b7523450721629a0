#!/usr/bin/env node
// Generate src/families/generated/<family>.ts from the hand-written descriptions in
// src/families/desc/<family>.yaml and the kernel's UAPI headers (/usr/include/linux, Debian's
// linux-libc-dev). The descriptions name kernel constants and say how values are typed; every
// number — constant values, enum members, struct sizes — comes from the headers, through a
// small C program compiled and run here, so the result is exactly what the C compiler sees.
//
//   node scripts/gen-families.mjs            all descriptions
//   node scripts/gen-families.mjs route      one
//   node scripts/gen-families.mjs --check    write nothing; exit 1 when a committed file differs
//
// Re-run it after a header update and commit the output. Needs cc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const descDir = join(root, 'src', 'families', 'desc');
const outDir = join(root, 'src', 'families', 'generated');
const INCLUDE = process.env.NLCTL_UAPI_INCLUDE ?? '/usr/include';

const INT_TYPES = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'uint', 'sint']);
const ATTR_TYPES = new Set([...INT_TYPES, 'string', 'binary', 'flag', 'nest', 'nest-array', 'bitfield32', 'pad']);
const INT_SIZE = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

function fail(msg) {
  console.error(`gen-families: ${msg}`);
  process.exit(1);
}

/** Header text with comments removed. */
function headerText(include) {
  const text = readFileSync(join(INCLUDE, include), 'utf8');
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** Members of the C enum that contains `anchor`, in order (skipping __X and X_MAX helpers). */
function enumMembers(includes, anchor) {
  for (const inc of includes) {
    const text = headerText(inc);
    const re = /enum\s*\w*\s*\{([^}]*)\}/g;
    let m;
    while ((m = re.exec(text))) {
      // Drop preprocessor lines, backslash continuations included (devlink's aliases).
      const body = m[1].replace(/^[ \t]*#(?:[^\n]*\\\n)*[^\n]*$/gm, ' ');
      const items = body
        .split(',')
        .map((item) => item.trim().match(/^([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(.*))?$/s))
        .filter(Boolean);
      const names = items.map((m) => m[1]);
      // Skip the bookkeeping members (__IFLA_MAX, IFLA_MAX = __IFLA_MAX - 1) but keep real
      // attributes whose names happen to end in _MAX (IFLA_BR_MCAST_HASH_MAX).
      if (names.includes(anchor)) return items.filter((m) => !m[1].startsWith('__') && !(m[2] ?? '').includes('__')).map((m) => m[1]);
    }
  }
  fail(`no enum containing ${anchor} in ${includes.join(', ')}`);
}

/** #define names starting with `prefix` in the includes (object-like macros with a value). */
function defineNames(includes, prefix) {
  const out = [];
  for (const inc of includes) {
    const re = new RegExp(`^\\s*#\\s*define\\s+(${prefix}[A-Za-z0-9_]*)\\s+\\S`, 'gm');
    let m;
    const text = headerText(inc);
    while ((m = re.exec(text))) if (!out.includes(m[1]) && !/_MAX$/.test(m[1])) out.push(m[1]);
  }
  return out;
}

/** Ask the C compiler for the values of `exprs` (constant names or sizeof expressions). */
function evaluate(includes, exprs) {
  const dir = mkdtempSync(join(tmpdir(), 'nlctl-gen-'));
  try {
    const lines = [
      '#include <stdio.h>',
      '#include <sys/socket.h>',
      '#include <net/if.h>',
      ...includes.map((i) => `#include <${i}>`),
      'int main(void) {',
      ...exprs.map((e) => `  printf("%lld\\n", (long long)(${e}));`),
      '  return 0;',
      '}',
    ];
    writeFileSync(join(dir, 'v.c'), lines.join('\n') + '\n');
    execFileSync('cc', ['-w', '-o', join(dir, 'v'), join(dir, 'v.c')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const out = execFileSync(join(dir, 'v'), { encoding: 'utf8' }).trim().split('\n').map(Number);
    if (out.length !== exprs.length) fail('value program printed the wrong number of lines');
    return new Map(exprs.map((e, i) => [e, out[i]]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** IFLA_IFNAME → ifname with prefix IFLA_. */
function shortName(constant, prefix) {
  const s = prefix && constant.startsWith(prefix) ? constant.slice(prefix.length) : constant;
  return s.toLowerCase();
}

function normAttr(spec) {
  return typeof spec === 'string' ? { type: spec } : { ...spec };
}

/** `display: hex` on an integer: unsigned, and not also an enum or flags (they show names). */
function checkIntDisplay(where, spec) {
  if (!INT_TYPES.has(spec.type) || spec.display === undefined) return;
  if (spec.display !== 'hex') fail(`${where}: display ${spec.display} does not apply to an integer`);
  if (!spec.type.startsWith('u')) fail(`${where}: display hex needs an unsigned type, not ${spec.type}`);
  if (spec.enum || spec.flags) fail(`${where}: display hex and enum/flags exclude each other`);
}

/** arrayOf names a scalar type or a struct; elementAttrs/elementLength describe struct elements. */
function checkArray(file, family, a) {
  const where = `${file}: ${a.constant}`;
  if (a.elementAttrs !== undefined || a.elementLength !== undefined) {
    const st = family.structs[a.arrayOf];
    if (!st) fail(`${where}: elementAttrs needs arrayOf a struct`);
    if (!family.sets[a.elementAttrs]) fail(`${where}: unknown element attribute set ${a.elementAttrs}`);
    const len = st.fields.find((f) => f.name === a.elementLength);
    if (!len || !INT_SIZE[len.type]) fail(`${where}: elementLength must name an integer field of struct ${st.name}`);
    if (st.fields.some((f) => f.name === 'attrs')) fail(`${where}: struct ${st.name} has a field named attrs, the key of the element's attributes`);
  }
  if (a.arrayOf === undefined) return;
  if (a.type !== 'binary') fail(`${where}: arrayOf needs type binary`);
  if (!INT_SIZE[a.arrayOf] && !family.structs[a.arrayOf]) fail(`${where}: arrayOf ${a.arrayOf} is neither a fixed-size integer type nor a struct`);
  if (a.struct) fail(`${where}: struct and arrayOf exclude each other`);
}

function generate(file) {
  const desc = parse(readFileSync(join(descDir, file), 'utf8'));
  const includes = desc.includes ?? [];
  const wanted = new Set();
  const want = (e) => (wanted.add(e), e);

  // Enums and flag sets.
  const enumPlans = {};
  for (const [name, e] of Object.entries(desc.enums ?? {})) {
    let constants = e.constants ?? [];
    if (e.enum) constants = enumMembers(includes, e.enum);
    if (e.defines) constants = defineNames(e.defineIncludes ?? includes, e.defines);
    constants = constants.filter((c) => !(e.exclude ?? []).includes(c));
    constants.forEach(want);
    enumPlans[name] = { ...e, constants };
  }

  // Attribute sets: every member of the anchor enum is named; described ones are typed.
  const setPlans = {};
  for (const [name, s] of Object.entries(desc.sets ?? {})) {
    // `exclude` drops enum members that are markers rather than attributes (IPSET_ATTR_CADT_MAX).
    const members = (s.enum ? enumMembers(includes, s.enum) : Object.keys(s.attrs ?? {})).filter((c) => !(s.exclude ?? []).includes(c));
    for (const c of Object.keys(s.attrs ?? {})) if (!members.includes(c)) members.push(c);
    members.forEach(want);
    setPlans[name] = { ...s, members };
  }

  // Messages.
  const msgPlans = [];
  for (const group of desc.messages ?? []) {
    for (const c of group.constants) {
      // valueExpr turns a per-subsystem constant into the wire type, e.g. "(NFNL_SUBSYS_CTNETLINK << 8) | {}".
      const expr = group.valueExpr ? group.valueExpr.replaceAll('{}', c) : c;
      msgPlans.push({ ...group, constant: c, value: want(expr), expr });
    }
    for (const variant of group.variants ?? []) if (variant.firstByte) want(variant.firstByte);
  }

  // Structs: sizeof checks the described layout. Field sizes and selector values may be C
  // expressions too (sizeof of a union member, enum constants).
  for (const [name, st] of Object.entries(desc.structs ?? {})) {
    want(st.sizeof ?? `sizeof(struct ${name})`);
    for (const f of st.fields) {
      const s = normAttr(Object.values(f)[0]);
      if (typeof s.size === 'string') want(s.size);
      for (const c of s.select?.cases ?? []) for (const w of c.when ?? []) if (typeof w === 'string') want(w);
    }
  }
  if (desc.groups?.enum) enumMembers(includes, desc.groups.enum).forEach(want);
  if (desc.groups?.defines) defineNames(includes, desc.groups.defines).forEach(want);
  if (typeof desc.protocol === 'string') want(desc.protocol);
  if (typeof desc.genlId === 'string') want(desc.genlId);
  // Groups without a constant of their own (nlctrl's "notify"): a name and a value expression.
  for (const g of desc.groups?.list ?? []) want(String(g.value));

  const values = evaluate(includes, [...wanted]);
  const v = (e) => values.get(e);

  const family = {
    name: desc.family,
    protocol: typeof desc.protocol === 'string' ? v(desc.protocol) : desc.protocol,
    ...(desc.genlId !== undefined ? { genlId: typeof desc.genlId === 'string' ? v(desc.genlId) : desc.genlId } : {}),
    messages: [],
    structs: {},
    sets: {},
    enums: {},
    groups: [],
  };

  for (const [name, e] of Object.entries(enumPlans)) {
    const vals = {};
    for (const c of e.constants) {
      const key = String(v(c));
      if (!(key in vals)) vals[key] = shortName(c, e.prefix);
    }
    family.enums[name] = { name, ...(e.flags ? { flags: true } : {}), values: vals };
  }

  const structSize = (name) => v(desc.structs[name].sizeof ?? `sizeof(struct ${name})`);
  for (const [name, st] of Object.entries(desc.structs ?? {})) {
    const size = structSize(name);
    const fields = st.fields.map((f, i) => {
      const [fname, spec] = Object.entries(f)[0];
      const s = normAttr(spec);
      const where = `${file}: struct ${name}.${fname}`;
      if (!INT_SIZE[s.type] && !['pad', 'binary', 'string', 'struct'].includes(s.type)) fail(`${where}: bad type ${s.type}`);
      if (typeof s.size === 'string') s.size = v(s.size);
      if ((s.type === 'pad' || s.type === 'binary' || s.type === 'string') && !(s.size > 0)) fail(`${where}: a ${s.type} field needs a size`);
      if (s.type === 'struct' && s.struct !== undefined) {
        if (!desc.structs?.[s.struct]) fail(`${where}: unknown struct ${s.struct}`);
        if (s.struct === name) fail(`${where}: a struct cannot contain itself`);
        // A nested struct's field carries its sizeof, so layouts are read without a lookup.
        s.size ??= structSize(s.struct);
      }
      // A region without a size (its struct chosen by select) is the rest of the data: a
      // flexible array member.
      if (s.type === 'struct' && s.size === undefined && i !== st.fields.length - 1) fail(`${where}: only the last field may have no size`);
      if (s.select) {
        s.select = {
          by: s.select.by,
          cases: s.select.cases.map((c) => {
            if (c.when?.length !== s.select.by.length) fail(`${where}: a case needs one value per selector field`);
            return { ...c, when: c.when.map((w) => (typeof w === 'string' ? v(w) : w)) };
          }),
        };
      }
      checkIntDisplay(where, s);
      // bits: [{ name: width }] or [{ name: { width, enum } }].
      if (s.bits) s.bits = s.bits.map((b) => Object.entries(b).map(([bn, w]) => ({ name: bn, ...(typeof w === 'number' ? { width: w } : w) }))[0]);
      return { name: fname, ...s };
    });
    const fieldSize = (f) => INT_SIZE[f.type] ?? f.size ?? 0; // an open region counts nothing
    const described = fields.reduce((n, f) => n + fieldSize(f), 0);
    if (described !== size) fail(`${file}: struct ${name} describes ${described} bytes, sizeof is ${size}`);
    const names = fields.filter((f) => f.type !== 'pad').map((f) => f.name);
    if (new Set(names).size !== names.length) fail(`${file}: struct ${name} names a field twice`);
    family.structs[name] = { name, size, fields };
  }

  for (const [name, s] of Object.entries(setPlans)) {
    const attrs = {};
    for (const c of s.members) {
      const num = v(c);
      const spec = s.attrs?.[c] ? normAttr(s.attrs[c]) : { type: 'binary' };
      if (!ATTR_TYPES.has(spec.type)) fail(`${file}: ${c}: unknown type ${spec.type}`);
      if ((spec.type === 'nest' || spec.type === 'nest-array') && !spec.nested && !spec.subMessage) fail(`${file}: ${c}: nest without nested set`);
      checkIntDisplay(`${file}: ${c}`, spec);
      if (spec.indexKeyed && spec.type !== 'nest-array') fail(`${file}: ${c}: indexKeyed applies to nest-array only`);
      const entry = { name: spec.name ?? shortName(c, s.prefix), constant: c, ...spec };
      if (!s.attrs?.[c]) entry.undescribed = true;
      if (String(num) in attrs && !attrs[String(num)].undescribed) continue; // aliases: keep the first described
      attrs[String(num)] = entry;
    }
    family.sets[name] = { name, attrs, ...(s.elements ? { elements: s.elements } : {}) };
  }

  for (const m of msgPlans) {
    const entry = { constant: m.constant, name: shortName(m.constant, m.prefix), value: v(m.expr) };
    if (m.header) entry.header = m.header;
    if (m.attrs) entry.attrs = m.attrs;
    if (m.payload) entry.payload = m.payload;
    if (m.reply) entry.reply = m.reply;
    if (m.from) {
      if (!['user', 'kernel', 'multicast'].includes(m.from)) fail(`${file}: ${m.constant}: from must be user, kernel or multicast`);
      entry.from = m.from;
    }
    if (m.variants) {
      entry.variants = m.variants.map((x) => {
        const out = {};
        if (x.request !== undefined) out.request = x.request;
        if (x.dump !== undefined) out.dump = x.dump;
        if (x.firstByte !== undefined) out.firstByte = v(x.firstByte);
        if (x.header) out.header = x.header;
        if (x.attrs) out.attrs = x.attrs;
        return out;
      });
    }
    const kind = m.kinds?.[m.constant] ?? (/_(NEW|ADD)/.test(m.constant) ? 'new' : /_DEL/.test(m.constant) ? 'del' : /_GET/.test(m.constant) ? 'get' : 'other');
    entry.kind = kind;
    family.messages.push(entry);
  }

  if (desc.errors) {
    if (!family.enums[desc.errors]) fail(`${file}: errors: no enum ${desc.errors}`);
    family.errors = desc.errors;
  }
  for (const g of desc.groups?.list ?? []) family.groups.push({ name: g.name, value: v(String(g.value)) });
  if (desc.groups?.enum || desc.groups?.defines) {
    const gs = (desc.groups.enum ? enumMembers(includes, desc.groups.enum) : defineNames(includes, desc.groups.defines)).filter(
      (c) => !(desc.groups.exclude ?? []).includes(c),
    );
    for (const c of gs) {
      const val = v(c);
      if (val === 0) continue;
      family.groups.push({ name: shortName(c, desc.groups.prefix).replace(/_/g, '-'), value: val, constant: c });
    }
  }

  // Cross-references must resolve.
  for (const set of Object.values(family.sets)) {
    if (set.elements && !family.sets[set.elements]) fail(`${file}: set ${set.name}: unknown element set ${set.elements}`);
    for (const a of Object.values(set.attrs)) {
      if (a.nested && !family.sets[a.nested]) fail(`${file}: ${a.constant}: unknown set ${a.nested}`);
      if (a.struct && !family.structs[a.struct]) fail(`${file}: ${a.constant}: unknown struct ${a.struct}`);
      checkArray(file, family, a);
      if (a.enum && !family.enums[a.enum]) fail(`${file}: ${a.constant}: unknown enum ${a.enum}`);
      if (a.flags && !family.enums[a.flags]) fail(`${file}: ${a.constant}: unknown flags ${a.flags}`);
      for (const target of Object.values(a.subMessage?.sets ?? {})) if (!family.sets[target]) fail(`${file}: ${a.constant}: unknown set ${target}`);
      for (const target of Object.values(a.subMessage?.structs ?? {})) if (!family.structs[target]) fail(`${file}: ${a.constant}: unknown struct ${target}`);
    }
  }
  for (const st of Object.values(family.structs)) {
    st.fields.forEach((f, i) => {
      const where = `${file}: struct ${st.name}.${f.name}`;
      for (const e of [f.enum, ...(f.bits ?? []).map((b) => b.enum)]) if (e && !family.enums[e]) fail(`${where}: unknown enum ${e}`);
      if (f.flags && !family.enums[f.flags]) fail(`${where}: unknown flags ${f.flags}`);
      for (const target of [f.struct, ...(f.select?.cases ?? []).map((c) => c.struct)].filter(Boolean)) {
        const inner = family.structs[target];
        if (!inner) fail(`${where}: unknown struct ${target}`);
        if (f.size !== undefined && inner.size > f.size) fail(`${where}: struct ${target} (${inner.size} bytes) does not fit in ${f.size}`);
      }
      // A selector is an integer field of this struct (before or after: the decoder reads them
      // all first), or of a struct this one is a field of (xfrm_id in an SA, by its family).
      const intField = (s2, by) => s2.fields.some((e) => e.name === by && INT_SIZE[e.type]);
      const holders = Object.values(family.structs).filter((s2) => s2.fields.some((e) => e.type === 'struct' && e.struct === st.name));
      for (const by of f.select?.by ?? []) {
        if (!intField(st, by) && !holders.some((h) => intField(h, by))) fail(`${where}: selector ${by} is not an integer field of ${st.name} or of a struct holding it`);
      }
      if (f.lengthOf && (!INT_SIZE[f.type] || !st.fields.slice(i + 1).some((l) => l.name === f.lengthOf))) fail(`${where}: lengthOf ${f.lengthOf} is not a later field`);
      if (f.bits && (!INT_SIZE[f.type] || f.bits.reduce((n, b) => n + b.width, 0) > INT_SIZE[f.type] * 8)) fail(`${where}: bit-fields do not fit`);
    });
  }
  for (const m of family.messages) {
    for (const x of [m, ...(m.variants ?? [])]) {
      if (x.header && !family.structs[x.header]) fail(`${file}: ${m.constant}: unknown struct ${x.header}`);
      if (x.attrs && !family.sets[x.attrs]) fail(`${file}: ${m.constant}: unknown set ${x.attrs}`);
    }
  }

  if (!check) mkdirSync(outDir, { recursive: true });
  const target = join(outDir, `${basename(file, '.yaml')}.ts`);
  const body = [
    `// Generated by scripts/gen-families.mjs from src/families/desc/${file} and the UAPI headers; do not edit.`,
    "import type { FamilySpec } from '../schema.js';",
    '',
    `/** The ${family.name} family. */`,
    `export const family: FamilySpec = ${JSON.stringify(family, null, 1)};`,
    '',
  ];
  const text = body.join('\n');
  if (check) {
    // --check: the committed file must be what the description and these headers give.
    let old = '';
    try {
      old = readFileSync(target, 'utf8');
    } catch {
      // missing: reported below
    }
    if (old !== text) {
      console.error(`gen-families: ${basename(target)} differs from what ${file} and the headers give (run node scripts/gen-families.mjs)`);
      drift++;
    }
    return;
  }
  writeFileSync(target, text);
  console.error(`gen-families: ${basename(target)}: ${family.messages.length} messages, ${Object.keys(family.sets).length} attribute sets, ${Object.keys(family.structs).length} structs`);
}

const args = process.argv.slice(2);
const check = args.includes('--check');
let drift = 0;
const only = args.filter((a) => a !== '--check');
const files = readdirSync(descDir).filter((f) => f.endsWith('.yaml') && (only.length === 0 || only.includes(basename(f, '.yaml'))));
if (files.length === 0) fail('no descriptions found');
for (const f of files) generate(f);
if (check && drift) process.exit(1);
