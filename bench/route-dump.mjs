#!/usr/bin/env node
// Route-dump benchmark: dump N IPv4 routes from a scratch network namespace through the
// library and walk every attribute, timed in-process, next to a plain libmnl C loop
// (bench/mnl_route_dump.c) and `ip -j route show`, all on the same routes in the same run.
//
//   npm run build && npm run bench            (needs root and libmnl-dev)
//   node bench/route-dump.mjs [--routes N] [--runs N] [--json]
//
// Progress goes to stderr; the result table (or with --json one JSON object) to stdout.
// See bench/README.md.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  addRoutes, best, checkPreconditions, cleanUpOnExit, cpuModel, isBusy, logger, machineLines, median,
  noteLeftoverNamespaces, parseArgs, root, routeBatch, run, runMain, scratchNamespaces, textTable, timings, turn,
} from './common.mjs';

const NAME = 'route-dump';

// The reference numbers, measured on "this kind of machine".
const REF = { libmnl: 0.053, go: 0.148, ipJson: 0.26 };
const TARGET_VS_LIBMNL = 4.0; // library / libmnl
const TARGET_VS_GO = 1.5; // library / scaled Go reference

// ---------------------------------------------------------------------------------------------
// Arguments

const opts = parseArgs(process.argv.slice(2), {
  name: NAME,
  usageText:
    'usage: node bench/route-dump.mjs [--routes N] [--runs N] [--json]\n' +
    '  --routes N  IPv4 routes to install in the scratch namespace (default 100000)\n' +
    '  --runs N    timed runs per contender; the median is reported (default 5)\n' +
    '  --json      print the results as one JSON object instead of a table\n',
  defaults: { routes: 100000, runs: 5, json: false },
  integers: { '--routes': 'routes', '--runs': 'runs' },
});
const loadAtStart = loadavg();
const { log } = logger(NAME);

// ---------------------------------------------------------------------------------------------
// Preconditions

const distPath = join(root, 'dist', 'index.js');
checkPreconditions({
  name: NAME,
  asRoot: { why: 'it creates a network namespace and 100k routes', command: 'sudo npm run bench' },
  files: [join(root, 'build', 'Release', 'nlctl_native.node'), distPath],
  tools: ['ip', 'cc'],
});

const { dial, AttributeDecoder } = await import(pathToFileURL(distPath).href);

// No forced gc() between runs: a full GC throws away the optimised code of the walk and of
// receiveIter ("weak objects" deopts), so every timed run would pay for recompiling it. GC work
// triggered by a run's own allocations is part of what is measured, as in any real program.

// ---------------------------------------------------------------------------------------------
// Scratch namespace, always deleted

const NS = `nlctl-bench-${process.pid}`;
const scratch = scratchNamespaces(NAME);
cleanUpOnExit(NAME, `removing ${NS}`, () => scratch.deleteAll());

// ---------------------------------------------------------------------------------------------
// The library contender: dump + walk

const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const NLMSG_DONE = 3;
const NLM_F_REQUEST_DUMP = 0x301;
const AF_INET = 2;
const RT_TABLE_MAIN = 254;
// rtattr types (linux/rtnetlink.h)
const RTA_IIF = 3, RTA_OIF = 4, RTA_PRIORITY = 6, RTA_METRICS = 8, RTA_MULTIPATH = 9, RTA_FLOW = 11,
  RTA_TABLE = 15, RTA_MARK = 16, RTA_PREF = 20, RTA_EXPIRES = 23, RTA_UID = 25,
  RTA_TTL_PROPAGATE = 26, RTA_IP_PROTO = 27;
const RTAX_CC_ALGO = 16;
const RTMSG_LEN = 12;
const RTNH_LEN = 8;

// struct rtmsg with rtm_family = AF_INET, everything else zero: the request all contenders send.
const request = new Uint8Array(RTMSG_LEN);
request[0] = AF_INET;

/** Running totals of a walk; the C program keeps the same ones, so they must agree. */
function newAcc() {
  return { routes: 0, messages: 0, u32sum: 0, bytes: 0, bytesum: 0 };
}

function takeBytes(ad, acc) {
  const b = ad.bytes();
  acc.bytes += b.length;
  if (b.length > 0) acc.bytesum += b[0];
}

function walkMetrics(n, acc) {
  while (n.next()) {
    if (n.type() === RTAX_CC_ALGO) takeBytes(n, acc);
    else acc.u32sum = (acc.u32sum + n.uint32()) >>> 0;
  }
}

// Walk route attributes; returns the RTA_TABLE value seen, or `table` when there is none.
function walkRouteAttrs(ad, acc, table) {
  while (ad.next()) {
    switch (ad.type()) {
      case RTA_TABLE: {
        table = ad.uint32();
        acc.u32sum = (acc.u32sum + table) >>> 0;
        break;
      }
      case RTA_IIF:
      case RTA_OIF:
      case RTA_PRIORITY:
      case RTA_FLOW:
      case RTA_MARK:
      case RTA_EXPIRES:
      case RTA_UID:
        acc.u32sum = (acc.u32sum + ad.uint32()) >>> 0;
        break;
      case RTA_PREF:
      case RTA_TTL_PROPAGATE:
      case RTA_IP_PROTO:
        acc.u32sum = (acc.u32sum + ad.uint8()) >>> 0;
        break;
      case RTA_METRICS:
        ad.nested((n) => walkMetrics(n, acc));
        break;
      case RTA_MULTIPATH:
        ad.do((p) => walkMultipath(p, acc));
        break;
      default: // RTA_DST, RTA_GATEWAY, RTA_PREFSRC, RTA_CACHEINFO, …
        takeBytes(ad, acc);
    }
  }
  return table;
}

// RTA_MULTIPATH: struct rtnexthop {u16 len; u8 flags; u8 hops; s32 ifindex} + attributes, each.
function walkMultipath(p, acc) {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let off = 0;
  while (p.length - off >= RTNH_LEN) {
    const len = view.getUint16(off, true);
    if (len < RTNH_LEN || len > p.length - off) return new Error(`bad rtnexthop length ${len}`);
    acc.u32sum = (acc.u32sum + view.getUint32(off + 4, true)) >>> 0;
    const ad = new AttributeDecoder(p.subarray(off + RTNH_LEN, off + len));
    walkRouteAttrs(ad, acc, 0);
    const err = ad.err();
    if (err) return err;
    off += (len + 3) & ~3;
  }
}

function walkMessage(m, acc) {
  acc.messages++;
  if (m.header.type !== RTM_NEWROUTE) return;
  const d = m.data;
  const ad = new AttributeDecoder(d.subarray(RTMSG_LEN));
  const table = walkRouteAttrs(ad, acc, d[4] /* rtm_table */);
  const err = ad.err();
  if (err) throw err;
  if (table === RT_TABLE_MAIN) acc.routes++;
}

/** Dump with send + receiveIter (streaming). Returns {seconds, secondsWithDial, acc}. */
async function libraryStream() {
  const acc = newAcc();
  const t0 = performance.now();
  const conn = dial(0, { netns: NS });
  let t1, t2;
  try {
    t1 = performance.now();
    conn.send({ header: { type: RTM_GETROUTE, flags: NLM_F_REQUEST_DUMP }, data: request });
    for await (const m of conn.receiveIter()) walkMessage(m, acc); // ends after DONE
    t2 = performance.now();
  } finally {
    conn.close();
  }
  const t3 = performance.now();
  return { seconds: (t2 - t1) / 1e3, secondsWithDial: (t3 - t0) / 1e3, acc };
}

/** Dump with execute (whole reply as an array, then walk). */
async function libraryExecute() {
  const acc = newAcc();
  const t0 = performance.now();
  const conn = dial(0, { netns: NS });
  let t1, t2;
  try {
    t1 = performance.now();
    const ms = await conn.execute({ header: { type: RTM_GETROUTE, flags: NLM_F_REQUEST_DUMP }, data: request });
    for (const m of ms) walkMessage(m, acc);
    t2 = performance.now();
  } finally {
    conn.close();
  }
  const t3 = performance.now();
  return { seconds: (t2 - t1) / 1e3, secondsWithDial: (t3 - t0) / 1e3, acc };
}

// ---------------------------------------------------------------------------------------------
// The other contenders

const mnlBinary = join(root, 'build', 'bench', 'mnl_route_dump');

function buildMnl() {
  mkdirSync(dirname(mnlBinary), { recursive: true });
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', mnlBinary, join(root, 'bench', 'mnl_route_dump.c'), '-lmnl'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) {
    const hint = /libmnl\.h|-lmnl/.test(r.stderr) ? '\nlibmnl is missing: apt-get install -y libmnl-dev' : '';
    throw new Error(`compiling bench/mnl_route_dump.c failed:\n${r.stderr.trim()}${hint}`);
  }
}

function libmnlRun() {
  const r = run('ip', ['netns', 'exec', NS, mnlBinary], { capture: true });
  return JSON.parse(r.stdout);
}

let devNull;
function ipJsonRun() {
  devNull ??= openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('ip', ['-n', NS, '-j', 'route', 'show'], { stdio: ['ignore', devNull, 'pipe'] });
  const t1 = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`ip -j route show failed: ${String(r.stderr).trim()}`);
  return { seconds: Number(t1 - t0) / 1e9 };
}

function ipJsonCount() {
  const r = run('ip', ['-n', NS, '-j', 'route', 'show'], { capture: true });
  return JSON.parse(r.stdout).length;
}

// ---------------------------------------------------------------------------------------------
// Main

function setup() {
  noteLeftoverNamespaces(NAME, 'nlctl-bench-');
  scratch.create(NS);
  return addRoutes(NS, routeBatch(opts.routes));
}

async function main() {
  log(`compiling ${join('bench', 'mnl_route_dump.c')} → ${mnlBinary}`);
  buildMnl();
  log(`creating namespace ${NS} with ${opts.routes} routes`);
  const setupSeconds = setup();
  log(`routes added in ${setupSeconds.toFixed(2)} s`);

  const contenders = {
    libmnl: { label: 'libmnl C loop (in-process)', run: libmnlRun, times: [] },
    stream: { label: 'nlctl receiveIter + walk', run: libraryStream, times: [], withDial: [] },
    execute: { label: 'nlctl execute + walk', run: libraryExecute, times: [], withDial: [] },
    ip: { label: 'ip -j route show (wall)', run: ipJsonRun, times: [] },
  };

  // Warm-up (not timed): page cache for the binaries, JIT for the library. The library's code
  // (the async generator path especially) needs a few hundred thousand messages to reach its
  // optimised steady state, so small dumps get several warm-up runs. The first results double
  // as the consistency check; the library's very first (cold) run is reported too.
  const libWarmups = Math.min(50, Math.max(2, Math.ceil(300000 / opts.routes)));
  log(`warm-up: 1 run of libmnl and ip, ${libWarmups} of each library variant`);
  const first = {};
  for (const [k, c] of Object.entries(contenders)) {
    await turn();
    first[k] = await c.run();
    if (c.withDial) for (let i = 1; i < libWarmups; i++) await turn().then(c.run);
  }
  const ipRoutes = ipJsonCount();
  const counts = { libmnl: first.libmnl.routes, stream: first.stream.acc.routes, execute: first.execute.acc.routes, ip: ipRoutes };
  const expected = opts.routes + 1; // + the connected route 172.16.0.0/24
  const sameCount = new Set(Object.values(counts)).size === 1;
  if (!sameCount) throw new Error(`contenders disagree on the route count: ${JSON.stringify(counts)}`);
  if (counts.ip !== expected) log(`warning: expected ${expected} routes in table main, found ${counts.ip}`);
  for (const k of ['stream', 'execute']) {
    const a = first[k].acc;
    const c = first.libmnl;
    if (a.messages !== c.messages || a.u32sum !== c.u32sum || a.bytes !== c.bytes || a.bytesum !== c.bytesum) {
      throw new Error(
        `library walk (${k}) disagrees with the libmnl walk: ${JSON.stringify(a)} vs ${JSON.stringify(c)}`,
      );
    }
  }
  log(`all contenders see ${counts.ip} routes in table main; library and libmnl walks agree (${first.libmnl.messages} messages, u32sum ${first.libmnl.u32sum}, ${first.libmnl.bytes} opaque bytes)`);

  // Timed runs, interleaved so drift (thermal, other tenants) hits every contender alike.
  for (let i = 0; i < opts.runs; i++) {
    log(`run ${i + 1}/${opts.runs}`);
    for (const c of Object.values(contenders)) {
      await turn();
      const r = await c.run();
      c.times.push(r.seconds);
      if (c.withDial) c.withDial.push(r.secondsWithDial);
    }
  }

  const med = Object.fromEntries(Object.entries(contenders).map(([k, c]) => [k, median(c.times)]));
  const goScaled = REF.go * (med.libmnl / REF.libmnl);
  const bestOf = Object.fromEntries(Object.entries(contenders).map(([k, c]) => [k, best(c.times)]));
  const verdict = (k) => {
    const vsMnl = med[k] / med.libmnl;
    const vsGo = med[k] / goScaled;
    return {
      vsLibmnl: vsMnl,
      vsGoScaled: vsGo,
      passLibmnl: vsMnl <= TARGET_VS_LIBMNL,
      passGo: vsGo <= TARGET_VS_GO,
      bestVsBestLibmnl: bestOf[k] / bestOf.libmnl,
    };
  };
  const result = {
    namespace: NS,
    routes: opts.routes,
    routesInTableMain: counts.ip,
    runs: opts.runs,
    setupSeconds,
    datagrams: first.libmnl.datagrams,
    messages: first.libmnl.messages,
    contenders: Object.fromEntries(
      Object.entries(contenders).map(([k, c]) => [
        k,
        {
          ...timings(c.label, c.times),
          routes: counts[k],
          ratioVsLibmnl: med[k] / med.libmnl,
          ratioVsIpJson: med[k] / med.ip,
          ...(c.withDial ? { medianSecondsWithDial: median(c.withDial), firstRunSeconds: first[k].seconds } : {}),
        },
      ]),
    ),
    reference: { ...REF, goScaledToThisMachine: goScaled, libmnlScale: med.libmnl / REF.libmnl },
    target: { libraryOverLibmnlMax: TARGET_VS_LIBMNL, libraryOverGoScaledMax: TARGET_VS_GO, stream: verdict('stream'), execute: verdict('execute') },
    pass: Object.fromEntries(['stream', 'execute'].map((k) => [k, verdict(k).passLibmnl && verdict(k).passGo])),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpuModel(),
    loadAverage: loadavg(),
    loadAtStart,
    busy: isBusy(loadAtStart),
    maxRSSKiB: process.resourceUsage().maxRSS,
  };

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  printTable(result, contenders);
}

function printTable(r, contenders) {
  const fmt = (s) => `${s.toFixed(4)} s`;
  const x = (v) => `${v.toFixed(2)}×`;
  const rows = [['contender', 'median', 'best', 'routes', 'vs libmnl', 'vs ip -j', 'incl. dial']];
  for (const c of Object.values(r.contenders)) {
    rows.push([c.label, fmt(c.medianSeconds), fmt(c.minSeconds), String(c.routes), x(c.ratioVsLibmnl), x(c.ratioVsIpJson), c.medianSecondsWithDial ? fmt(c.medianSecondsWithDial) : '']);
  }
  const out = [];
  out.push(`route dump: ${r.routesInTableMain} IPv4 routes in table main (${r.routes} added + 1 connected), ${r.messages} messages in ${r.datagrams} datagrams; median of ${r.runs} runs after warm-up`);
  out.push(...textTable(rows));
  out.push('');
  out.push('libmnl and library: dump + walk of every attribute, timed in-process (socket setup excluded; "incl. dial" adds');
  out.push('dial + close); ip -j: wall time of the whole process (startup, dump, JSON to /dev/null).');
  out.push(`Library's very first run in this process (cold JIT): receiveIter ${fmt(r.contenders.stream.firstRunSeconds)}, execute ${fmt(r.contenders.execute.firstRunSeconds)}.`);
  out.push(`Issue's reference machine: libmnl ${REF.libmnl} s, Go mdlayher/netlink ${REF.go} s, ip -j ${REF.ipJson} s.`);
  out.push(`libmnl took ${r.reference.libmnlScale.toFixed(2)}× the reference's time here, so Go's figure is scaled alike: ${REF.go} × ${r.contenders.libmnl.medianSeconds.toFixed(4)}/${REF.libmnl} = ${r.reference.goScaledToThisMachine.toFixed(4)} s.`);
  if (r.routes !== 100000) out.push(`(The references are for 100000 routes; with ${r.routes} this assumes Go scales with route count like libmnl.)`);
  out.push('');
  for (const k of ['stream', 'execute']) {
    const v = r.target[k];
    const name = contenders[k].label;
    out.push(`${name}:`);
    out.push(`  library / libmnl = ${v.vsLibmnl.toFixed(2)} ≤ ${TARGET_VS_LIBMNL.toFixed(1)}  → ${v.passLibmnl ? 'PASS' : 'FAIL'}   (best run / best run: ${v.bestVsBestLibmnl.toFixed(2)})`);
    out.push(`  library / Go ref scaled (${r.reference.goScaledToThisMachine.toFixed(4)} s) = ${v.vsGoScaled.toFixed(2)} ≤ ${TARGET_VS_GO}  → ${v.passGo ? 'PASS' : 'FAIL'}`);
  }
  out.push('');
  const word = (ok) => (ok ? 'PASS' : 'FAIL');
  out.push(`TARGET: receiveIter ${word(r.pass.stream)}, execute ${word(r.pass.execute)}  (ratios are of medians; "best" is the fastest run)`);
  out.push(...machineLines(r, { warning: ['; contention inflates every', "median, libmnl's included, so the ratios are unreliable. Re-run on an idle machine."] }));
  out.push(`peak RSS of this process ${(r.maxRSSKiB / 1024).toFixed(1)} MiB, routes added in ${r.setupSeconds.toFixed(2)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

await runMain(NAME, main, () => {
  if (devNull !== undefined) closeSync(devNull);
  scratch.deleteAll();
});
