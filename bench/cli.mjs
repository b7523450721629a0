#!/usr/bin/env node
// CLI benchmark: the nlctl command line as whole processes, next to iproute2, on the same
// routes in the same run. Four targets from the performance issue:
//
//   1. `nlctl dump -f route -t getroute -j > file` over 100k routes: wall time ≤ `ip -j route
//      show > file`, and peak RSS ≤ 120 MiB (streamed, memory flat).
//   2. `nlctl listen -f route -g ipv4-route -j > file` while `ip -batch` adds 100k routes: every
//      event captured and no overrun, as `ip monitor route` does.
//   3. `nlctl decode --input raw -f route -j < dump.raw > file` of the saved dump: ≤ `ip -j route
//      show` as well.
//   4. `nlctl --version` start-up ≤ 1.5 × `node -e 0`.
//
//   npm run build && npm run bench:cli        (needs root and iproute2; /usr/bin/time if present)
//   node bench/cli.mjs [--routes N] [--runs N] [--startup-runs N] [--listen-runs N] [--json]
//
// Progress goes to stderr; the result table (or with --json one JSON object) to stdout. It
// always exits 0 after a complete run, PASS or FAIL (it is a benchmark, not a test); it exits 1
// when it cannot run or when the outputs disagree. See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  addRoutes, best, checkPreconditions, cleanUpOnExit, cpuModel, isBusy, logger, machineLines, median,
  noteLeftoverNamespaces, parseArgs, root, routeBatch, run, runMain, scratchNamespaces, textTable, timings, turn,
} from './common.mjs';

const NAME = 'cli-bench';
const NLCTL = join(root, 'bin', 'nlctl');
const FLOOR = join(root, 'bench', 'floor.mjs');

// The targets.
const LIMIT = {
  dumpVsIp: 1.0, // nlctl dump wall time / ip -j route show wall time
  dumpRssMiB: 120, // peak RSS of the nlctl dump process
  decodeVsIp: 1.0, // nlctl decode wall time / ip -j route show wall time
  startupVsNode: 1.5, // nlctl --version / node -e 0
};

// ---------------------------------------------------------------------------------------------
// Arguments

const opts = parseArgs(process.argv.slice(2), {
  name: NAME,
  usageText:
    'usage: node bench/cli.mjs [--routes N] [--runs N] [--startup-runs N] [--listen-runs N] [--json]\n' +
    '  --routes N        IPv4 routes in the dump namespace and in each listen burst (default 100000)\n' +
    '  --runs N          timed runs of dump, decode and ip -j route show; the median is reported (default 5)\n' +
    '  --startup-runs N  timed runs of nlctl --version and node -e 0 (default 20)\n' +
    '  --listen-runs N   bursts per listener (nlctl listen, ip monitor); PASS needs all complete (default 1)\n' +
    '  --json            print the results as one JSON object instead of a table\n',
  defaults: { routes: 100000, runs: 5, startupRuns: 20, listenRuns: 1, json: false },
  integers: { '--routes': 'routes', '--runs': 'runs', '--startup-runs': 'startupRuns', '--listen-runs': 'listenRuns' },
});
const loadAtStart = loadavg();
const { log } = logger(NAME);

// ---------------------------------------------------------------------------------------------
// Preconditions

checkPreconditions({
  name: NAME,
  asRoot: { why: 'it creates network namespaces and 100k routes', command: 'sudo npm run bench:cli' },
  files: [join(root, 'build', 'Release', 'nlctl_native.node'), join(root, 'dist', 'cli', 'main.js')],
  tools: ['ip'],
});
// GNU time gives the peak RSS of a child (wait4's ru_maxrss) without touching the child. Without
// it, nlctl runs under `node --import <hook>` that records process.resourceUsage().maxRSS at
// exit: the same number for the nlctl process, but ip's peak RSS is then not known.
const GNU_TIME = spawnSync('/usr/bin/time', ['-f', '%M', '-o', '/dev/null', 'true'], { stdio: 'ignore' }).status === 0 ? '/usr/bin/time' : undefined;

// ---------------------------------------------------------------------------------------------
// Scratch namespaces, temporary files and child processes: always cleaned up

const NS_PREFIX = `nlctl-clibench-${process.pid}`;
const scratch = scratchNamespaces(NAME);
const children = new Set(); // ChildProcess objects still running
const tmp = mkdtempSync(join(tmpdir(), 'nlctl-clibench-'));
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  scratch.deleteAll();
  try {
    rmSync(tmp, { recursive: true, force: true });
  } catch {
    log(`could not remove ${tmp}`);
  }
}

cleanUpOnExit(NAME, 'cleaning up', cleanup);

// ---------------------------------------------------------------------------------------------
// Timing whole processes

let rssHook; // fallback without GNU time: a module preloaded into nlctl that records its maxRSS

/**
 * Run `cmd args` with stdin from `stdinFile` (or nothing) and stdout to `stdoutFile`; returns
 * {seconds, rssKiB}. The wall time is taken around spawnSync (start-up, work, exit). When
 * `measureRss` is set, the child runs under /usr/bin/time -f %M (or, for nlctl without GNU time,
 * under node --import with an exit hook); the wrapper's own exec costs about a millisecond and
 * is paid by every contender alike.
 */
function timeProcess(cmd, args, { stdinFile, stdoutFile, measureRss = true, isNode = false } = {}) {
  const rssFile = join(tmp, 'rss.txt');
  rmSync(rssFile, { force: true });
  let argv = [cmd, ...args];
  if (measureRss && GNU_TIME) argv = [GNU_TIME, '-f', '%M', '-o', rssFile, '--', ...argv];
  else if (measureRss && isNode) {
    if (!rssHook) {
      rssHook = join(tmp, 'rss-hook.mjs');
      writeFileSync(rssHook, "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.NLCTL_BENCH_RSS, String(process.resourceUsage().maxRSS)));\n");
    }
    argv = ['node', '--import', rssHook, ...argv];
  }
  const fdIn = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const fdOut = openSync(stdoutFile ?? '/dev/null', 'w');
  let r, t0, t1;
  try {
    t0 = process.hrtime.bigint();
    r = spawnSync(argv[0], argv.slice(1), { stdio: [fdIn, fdOut, 'pipe'], env: { ...process.env, NLCTL_BENCH_RSS: rssFile }, timeout: 600000 });
    t1 = process.hrtime.bigint();
  } finally {
    if (typeof fdIn === 'number') closeSync(fdIn);
    closeSync(fdOut);
  }
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(' ')} failed (exit ${r.status ?? r.signal}): ${String(r.stderr).trim().split('\n').slice(0, 5).join('\n')}`);
  let rssKiB;
  if (measureRss && existsSync(rssFile)) {
    const v = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    if (Number.isFinite(v)) rssKiB = v;
  }
  return { seconds: Number(t1 - t0) / 1e9, rssKiB };
}

// ---------------------------------------------------------------------------------------------
// Reading the outputs

async function* lines(file) {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield line;
}

/**
 * Count the records of an nlctl NDJSON file: RTM_NEWROUTE messages (all, and IPv4 table main,
 * which is what `ip route show` prints), overrun records, other records; optionally collect
 * each message's `bytes` (from --lossless) into one raw buffer.
 */
async function countNlctl(file, { collectBytes = false, dstPrefix } = {}) {
  const c = { records: 0, newroute: 0, main4: 0, matching: 0, overruns: 0, other: 0, otherSample: [] };
  const chunks = [];
  for await (const line of lines(file)) {
    c.records++;
    const r = JSON.parse(line);
    if (r.record === 'overrun') c.overruns++;
    else if (r.record === 'message' && r.type === 'RTM_NEWROUTE') {
      c.newroute++;
      if (r.header?.family === 'inet' && (r.attrs?.table ?? r.header?.table) === 'main') c.main4++;
      if (dstPrefix && typeof r.attrs?.dst === 'string' && r.attrs.dst.startsWith(dstPrefix)) c.matching++;
    } else if (++c.other <= 3) c.otherSample.push(line.slice(0, 200));
    if (collectBytes && r.record === 'message') {
      if (typeof r.bytes !== 'string') throw new Error(`${file}: a message record without "bytes" (was --lossless given?)`);
      chunks.push(Buffer.from(r.bytes, 'hex'));
    }
  }
  if (collectBytes) c.raw = Buffer.concat(chunks);
  return c;
}

function countIpJson(file) {
  return JSON.parse(readFileSync(file, 'utf8')).length;
}

/**
 * Whether every line bench/floor.mjs wrote is a line of decode's output, in the same order:
 * { lines, missing } (missing: floor lines not found in order).
 */
function floorInDecode(floorFile, decodeFile) {
  const floor = readFileSync(floorFile, 'utf8').split('\n').filter(Boolean);
  const decoded = readFileSync(decodeFile, 'utf8').split('\n');
  let i = 0;
  for (const line of decoded) if (i < floor.length && line === floor[i]) i++;
  return { lines: floor.length, missing: floor.length - i };
}

/**
 * Records of two NDJSON files compared one by one: `decode`'s output against the lossless dump
 * its input came from, without the lossless-only members (attr_list, header_bytes, bytes) and
 * the dump's closing summary record.
 */
async function sameRecords(lossless, decoded) {
  const norm = (l) => {
    if (l === undefined) return undefined;
    const r = JSON.parse(l);
    delete r.attr_list;
    delete r.header_bytes;
    delete r.bytes;
    return JSON.stringify(r);
  };
  // The dump ends with a summary record (totals of that run); decode prints none.
  async function* messages(file) {
    for await (const l of lines(file)) if (!l.startsWith('{"record":"summary"')) yield l;
  }
  const ia = messages(lossless)[Symbol.asyncIterator]();
  const ib = messages(decoded)[Symbol.asyncIterator]();
  let equal = 0, differ = 0, firstDiff;
  for (;;) {
    const [x, y] = await Promise.all([ia.next(), ib.next()]);
    if (x.done && y.done) break;
    const a = norm(x.value), b = norm(y.value);
    if (a !== undefined && a === b) equal++;
    else {
      differ++;
      firstDiff ??= { lossless: a?.slice(0, 300), decode: b?.slice(0, 300) };
    }
  }
  return { equal, differ, firstDiff };
}

// ---------------------------------------------------------------------------------------------
// Target 2: listeners

/** The netlink sockets of a namespace, from its /proc/net/netlink. */
function netlinkSockets(ns) {
  const r = run('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netlink'], { capture: true });
  return r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .map((f) => ({ protocol: Number(f[1]), portid: Number(f[2]), groups: parseInt(f[3], 16), rmem: Number(f[4]), drops: Number(f[8]) }));
}

const RTMGRP_IPV4_ROUTE = 0x40; // group 7 (RTNLGRP_IPV4_ROUTE) as a bit of the first 32

/** The route socket in `ns` that has joined the IPv4 route group (the listener), if any. */
function listenerSocket(ns) {
  return netlinkSockets(ns).find((s) => s.protocol === 0 && s.portid !== 0 && (s.groups & RTMGRP_IPV4_ROUTE) !== 0);
}

function fileSize(f) {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}

/**
 * One burst: a fresh namespace, the listener started with stdout to a file, waited for until
 * its socket has joined the group, then `ip -batch` adds the routes; when the listener's socket
 * queue is empty and its output has stopped growing, it gets SIGINT. Returns what it wrote.
 */
async function listenBurst(kind, index, text) {
  const ns = `${NS_PREFIX}-l${kind === 'nlctl' ? 'n' : 'i'}${index}`;
  scratch.create(ns);
  const outFile = join(tmp, `listen-${kind}-${index}.out`);
  const errFile = join(tmp, `listen-${kind}-${index}.err`);
  const fdOut = openSync(outFile, 'w');
  const fdErr = openSync(errFile, 'w');
  const argv = kind === 'nlctl' ? [NLCTL, '-n', ns, 'listen', '-f', 'route', '-g', 'ipv4-route', '-j'] : ['ip', '-n', ns, 'monitor', 'route'];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fdOut, fdErr] });
  closeSync(fdOut);
  closeSync(fdErr);
  children.add(child);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let exitInfo;
  exited.then((e) => (exitInfo = e));
  try {
    // Listening = its socket is in the namespace's /proc/net/netlink with the group joined.
    const t0 = Date.now();
    let sock;
    while (!(sock = listenerSocket(ns))) {
      if (exitInfo) throw new Error(`${argv.join(' ')} exited early (${JSON.stringify(exitInfo)}): ${readFileSync(errFile, 'utf8').trim()}`);
      if (Date.now() - t0 > 30000) throw new Error(`${argv.join(' ')} did not join the group within 30 s`);
      await sleep(20);
    }
    const readySeconds = (Date.now() - t0) / 1e3;
    await sleep(200);
    const batchSeconds = addRoutes(ns, text); // blocks this process only; the listener runs on
    const tBatchEnd = Date.now();
    // Drained = the socket's queue (Rmem) is empty and the output has not grown for 1 s.
    let size = fileSize(outFile);
    let lastGrowth = tBatchEnd;
    for (;;) {
      await sleep(100);
      const now = Date.now();
      const s = fileSize(outFile);
      if (s !== size) {
        size = s;
        lastGrowth = now;
      }
      const q = listenerSocket(ns);
      if (now - lastGrowth >= 1000 && (q?.rmem ?? 0) === 0) break;
      if (now - lastGrowth >= 5000) break; // stuck with data queued: give up waiting
      if (exitInfo) break;
    }
    const last = listenerSocket(ns);
    const drainSeconds = (lastGrowth - tBatchEnd) / 1e3;
    if (!exitInfo) process.kill(child.pid, 'SIGINT');
    const timer = setTimeout(() => exitInfo || process.kill(child.pid, 'SIGKILL'), 10000);
    const ex = await exited;
    clearTimeout(timer);
    children.delete(child);
    const stderr = readFileSync(errFile, 'utf8');
    let counts;
    if (kind === 'nlctl') {
      const c = await countNlctl(outFile, { dstPrefix: '10.' });
      counts = { events: c.matching, newroute: c.newroute, overruns: c.overruns, otherRecords: c.other, otherSample: c.otherSample };
    } else {
      // ip monitor route: "10.0.0.1 via 172.16.0.2 dev veth0 …" per new route, "Deleted …" per
      // removal; a lost-messages error is printed on stderr as "netlink receive error … (105)".
      let events = 0, otherLines = 0;
      const otherSample = [];
      for await (const line of lines(outFile)) {
        if (/^10\.\d+\.\d+\.\d+ via 172\.16\.0\.2 /.test(line)) events++;
        else if (++otherLines <= 3) otherSample.push(line.slice(0, 200));
      }
      const overruns = (stderr.match(/No buffer space available|ENOBUFS/g) ?? []).length;
      counts = { events, overruns, otherLines, otherSample };
    }
    return {
      kind,
      namespace: ns,
      expected: opts.routes,
      ...counts,
      kernelDrops: last?.drops ?? null,
      rmemAtStop: last?.rmem ?? null,
      readySeconds,
      batchSeconds,
      drainSeconds,
      exit: ex.signal ?? ex.code,
      outputBytes: fileSize(outFile),
      stderr: stderr.trim().split('\n').filter(Boolean).slice(0, 5),
    };
  } finally {
    if (!exitInfo && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    children.delete(child);
    scratch.delete(ns);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  noteLeftoverNamespaces(NAME, 'nlctl-clibench-');
  const text = routeBatch(opts.routes);
  const NS = `${NS_PREFIX}-dump`;
  log(`creating namespace ${NS} with ${opts.routes} routes`);
  scratch.create(NS);
  const setupSeconds = addRoutes(NS, text);
  log(`routes added in ${setupSeconds.toFixed(2)} s; files in ${tmp}`);
  if (!GNU_TIME) log('note: /usr/bin/time (GNU time, apt-get install time) is missing: nlctl\'s peak RSS comes from a node --import exit hook; ip\'s is not measured');

  const f = (name) => join(tmp, name);
  const contenders = {
    ip: {
      label: 'ip -j route show > file',
      run: () => timeProcess('ip', ['-n', NS, '-j', 'route', 'show'], { stdoutFile: f('ip.json') }),
    },
    dump: {
      label: 'nlctl dump -j > file',
      run: () => timeProcess(NLCTL, ['-n', NS, 'dump', '-f', 'route', '-t', 'getroute', '-j'], { stdoutFile: f('dump.ndjson'), isNode: true }),
    },
    decode: {
      label: 'nlctl decode --input raw -j',
      run: () => timeProcess(NLCTL, ['decode', '--input', 'raw', '-f', 'route', '-j'], { stdinFile: f('dump.raw'), stdoutFile: f('decode.ndjson'), isNode: true }),
    },
    // Not a target: what a Node process that knows the answer in advance needs (bench/floor.mjs).
    floor: {
      label: 'floor: bench/floor.mjs',
      run: () => timeProcess('node', [FLOOR], { stdinFile: f('dump.raw'), stdoutFile: f('floor.ndjson'), isNode: true }),
    },
  };
  for (const c of Object.values(contenders)) Object.assign(c, { times: [], rss: [] });

  // Warm-up (untimed): page cache for node, dist/ and ip; the outputs double as the checks.
  log('warm-up and checks: ip -j route show, nlctl dump -j, nlctl dump -j --lossless (raw bytes), nlctl decode');
  const firstIp = contenders.ip.run();
  const firstDump = contenders.dump.run();
  const ipRoutes = countIpJson(f('ip.json'));
  const dumpCount = await countNlctl(f('dump.ndjson'));
  const lossless = timeProcess(NLCTL, ['-n', NS, 'dump', '-f', 'route', '-t', 'getroute', '-j', '--lossless'], { stdoutFile: f('dump-lossless.ndjson'), isNode: true });
  const losslessCount = await countNlctl(f('dump-lossless.ndjson'), { collectBytes: true });
  writeFileSync(f('dump.raw'), losslessCount.raw);
  const firstDecode = contenders.decode.run();
  const decodeCount = await countNlctl(f('decode.ndjson'));
  const decodeSame = await sameRecords(f('dump-lossless.ndjson'), f('decode.ndjson'));
  contenders.floor.run();
  const floorLines = floorInDecode(f('floor.ndjson'), f('decode.ndjson'));
  rmSync(f('dump-lossless.ndjson'));
  const expected = opts.routes + 1; // + the connected 172.16.0.0/24
  const checks = {
    ipRoutes,
    nlctlRoutesIPv4Main: dumpCount.main4,
    nlctlNewroute: dumpCount.newroute,
    nlctlRecords: dumpCount.records,
    losslessNewroute: losslessCount.newroute,
    rawBytes: losslessCount.raw.length,
    decodeNewroute: decodeCount.newroute,
    decodeRoutesIPv4Main: decodeCount.main4,
    decodeRecordsEqualToLosslessDump: decodeSame.equal,
    decodeRecordsDiffering: decodeSame.differ,
    floorLinesEqualToDecode: floorLines.lines - floorLines.missing,
  };
  if (ipRoutes !== dumpCount.main4) throw new Error(`ip and nlctl disagree on the IPv4 routes in table main: ${JSON.stringify(checks)}`);
  // The IPv4 routes in table main are ours and fixed; the AF_UNSPEC dump also carries IPv6 and
  // local-table routes of a young namespace, which may still come and go between two dumps.
  if (losslessCount.main4 !== dumpCount.main4 || decodeCount.main4 !== dumpCount.main4) {
    throw new Error(`dump, lossless dump and decode disagree on the IPv4 routes in table main: ${JSON.stringify(checks)}`);
  }
  if (floorLines.missing || floorLines.lines !== opts.routes) {
    throw new Error(`bench/floor.mjs wrote ${floorLines.lines} lines (expected ${opts.routes}), ${floorLines.missing} of them not as nlctl decode writes them`);
  }
  if (decodeSame.differ) {
    throw new Error(`decode of the saved dump differs from the dump itself in ${decodeSame.differ} records; first: ${JSON.stringify(decodeSame.firstDiff)}`);
  }
  if (ipRoutes !== expected) log(`warning: expected ${expected} routes in table main, found ${ipRoutes}`);
  log(`ip and nlctl both print ${ipRoutes} IPv4 routes in table main (nlctl's AF_UNSPEC dump has ${dumpCount.newroute} RTM_NEWROUTE in all, ${dumpCount.records} records); raw dump ${losslessCount.raw.length} bytes; decode of it prints ${decodeCount.newroute} RTM_NEWROUTE, all ${decodeSame.equal} records equal to the lossless dump's (attr_list, header_bytes and bytes aside)`);

  // Timed runs, interleaved so drift (thermal, other tenants) hits every contender alike.
  for (let i = 0; i < opts.runs; i++) {
    log(`run ${i + 1}/${opts.runs}: ip, dump, decode, floor`);
    for (const c of Object.values(contenders)) {
      await turn();
      const r = c.run();
      c.times.push(r.seconds);
      if (r.rssKiB !== undefined) c.rss.push(r.rssKiB);
    }
  }
  scratch.delete(NS);

  // Target 2: a burst per listener, each in its own fresh namespace, one listener at a time.
  const bursts = { nlctl: [], ip: [] };
  for (let i = 1; i <= opts.listenRuns; i++) {
    for (const kind of ['nlctl', 'ip']) {
      await turn();
      log(`listen ${i}/${opts.listenRuns}: ${kind === 'nlctl' ? 'nlctl listen -j' : 'ip monitor route'} during a ${opts.routes}-route ip -batch`);
      const b = await listenBurst(kind, i, text);
      log(`  ${b.events}/${b.expected} events, ${b.overruns} overrun reports, kernel drops ${b.kernelDrops}; batch ${b.batchSeconds.toFixed(2)} s, output still growing ${b.drainSeconds.toFixed(2)} s after it`);
      bursts[kind].push(b);
    }
  }

  // Target 4: start-up.
  log(`start-up: ${opts.startupRuns} runs each of node -e 0 and nlctl --version (interleaved, after 3 warm-ups)`);
  const startup = { node: [], nlctl: [] };
  const startupRun = { node: () => timeProcess('node', ['-e', '0'], { measureRss: false }), nlctl: () => timeProcess(NLCTL, ['--version'], { measureRss: false }) };
  for (let i = 0; i < 3; i++) for (const k of ['node', 'nlctl']) startupRun[k]();
  for (let i = 0; i < opts.startupRuns; i++) {
    if (i % 5 === 0) await turn();
    for (const k of ['node', 'nlctl']) startup[k].push(startupRun[k]().seconds);
  }

  // Verdicts.
  const med = Object.fromEntries(Object.entries(contenders).map(([k, c]) => [k, median(c.times)]));
  const maxRss = (k) => (contenders[k].rss.length ? Math.max(...contenders[k].rss) : undefined);
  const dumpRssMiB = maxRss('dump') !== undefined ? maxRss('dump') / 1024 : undefined;
  const startupMed = { node: median(startup.node), nlctl: median(startup.nlctl) };
  const listenOk = (b) => b.events === b.expected && b.overruns === 0 && (b.kernelDrops ?? 0) === 0;
  const targets = {
    dumpTime: { ratio: med.dump / med.ip, limit: LIMIT.dumpVsIp, pass: med.dump / med.ip <= LIMIT.dumpVsIp },
    dumpRss: { peakMiB: dumpRssMiB, limitMiB: LIMIT.dumpRssMiB, ratio: dumpRssMiB / LIMIT.dumpRssMiB, pass: dumpRssMiB !== undefined && dumpRssMiB <= LIMIT.dumpRssMiB },
    listen: {
      nlctl: { captured: bursts.nlctl.map((b) => b.events), overruns: bursts.nlctl.map((b) => b.overruns), ratio: Math.min(...bursts.nlctl.map((b) => b.events / b.expected)), pass: bursts.nlctl.every(listenOk) },
      ipMonitor: { captured: bursts.ip.map((b) => b.events), overruns: bursts.ip.map((b) => b.overruns), ratio: Math.min(...bursts.ip.map((b) => b.events / b.expected)), complete: bursts.ip.every(listenOk) },
      pass: bursts.nlctl.every(listenOk),
    },
    decodeTime: { ratio: med.decode / med.ip, limit: LIMIT.decodeVsIp, pass: med.decode / med.ip <= LIMIT.decodeVsIp },
    startup: { ratio: startupMed.nlctl / startupMed.node, limit: LIMIT.startupVsNode, pass: startupMed.nlctl / startupMed.node <= LIMIT.startupVsNode },
  };
  const result = {
    routes: opts.routes,
    routesInTableMain: ipRoutes,
    runs: opts.runs,
    setupSeconds,
    checks,
    rssSource: GNU_TIME ? '/usr/bin/time -f %M (wait4 ru_maxrss)' : 'node --import exit hook (process.resourceUsage().maxRSS)',
    contenders: Object.fromEntries(
      Object.entries(contenders).map(([k, c]) => [
        k,
        {
          ...timings(c.label, c.times),
          ratioVsIp: med[k] / med.ip,
          peakRssKiB: maxRss(k) ?? null,
          rssKiB: c.rss,
        },
      ]),
    ),
    warmup: { ipSeconds: firstIp.seconds, dumpSeconds: firstDump.seconds, dumpLosslessSeconds: lossless.seconds, dumpLosslessRssKiB: lossless.rssKiB ?? null, decodeSeconds: firstDecode.seconds },
    listen: bursts,
    startup: { runs: opts.startupRuns, medianSeconds: startupMed, minSeconds: { node: best(startup.node), nlctl: best(startup.nlctl) }, times: startup },
    targets,
    node: process.version,
    ip: run('ip', ['-V'], { capture: true }).stdout.trim(),
    cpus: cpus().length,
    cpuModel: cpuModel(),
    loadAtStart,
    loadAverage: loadavg(),
    busy: isBusy(loadAtStart),
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printTable(result);
}

function printTable(r) {
  const s = (v) => `${v.toFixed(4)} s`;
  const ms = (v) => `${(v * 1e3).toFixed(1)} ms`;
  const mib = (k) => (k === null || k === undefined ? '' : `${(k / 1024).toFixed(1)} MiB`);
  const x = (v) => `${v.toFixed(2)}×`;
  const word = (ok) => (ok ? 'PASS' : 'FAIL');
  const out = [];
  const c = r.contenders;
  out.push(`nlctl CLI: ${r.routesInTableMain} IPv4 routes in table main (${r.routes} added + 1 connected); whole processes, stdout to files in ${tmpdir()}; median of ${r.runs} runs after a warm-up`);
  out.push(
    ...textTable([
      ['contender', 'median', 'best', 'vs ip -j', 'peak RSS'],
      ...Object.values(c).map((v) => [v.label, s(v.medianSeconds), s(v.minSeconds), x(v.ratioVsIp), mib(v.peakRssKiB)]),
    ]),
  );
  out.push(`(peak RSS: the largest of the runs, from ${r.rssSource}; raw dump for decode: ${r.checks.rawBytes} bytes, from \`dump -j --lossless\`'s "bytes")`);
  out.push('');
  out.push(`listen during \`ip -batch\` of ${r.routes} routes, each listener alone in a fresh namespace, stopped with SIGINT when drained:`);
  out.push(
    ...textTable([
      ['listener', 'events', 'overruns', 'kernel drops', 'batch', 'drained after', 'output'],
      ...[...r.listen.nlctl, ...r.listen.ip].map((b) => [
        b.kind === 'nlctl' ? 'nlctl listen -j > file' : 'ip monitor route > file',
        `${b.events}/${b.expected}`,
        String(b.overruns),
        String(b.kernelDrops ?? '?'),
        s(b.batchSeconds),
        s(b.drainSeconds),
        `${(b.outputBytes / 1048576).toFixed(1)} MiB`,
      ]),
    ]),
  );
  out.push('("overruns": overrun records in nlctl\'s output, ENOBUFS errors on ip\'s stderr; "kernel drops": the socket\'s Drops in /proc/net/netlink)');
  out.push('');
  out.push(`start-up, median of ${r.startup.runs}: node -e 0 ${ms(r.startup.medianSeconds.node)} (best ${ms(r.startup.minSeconds.node)}), nlctl --version ${ms(r.startup.medianSeconds.nlctl)} (best ${ms(r.startup.minSeconds.nlctl)})`);
  out.push('');
  const t = r.targets;
  out.push('targets:');
  out.push(`  1. dump -j wall time / ip -j route show = ${s(c.dump.medianSeconds)} / ${s(c.ip.medianSeconds)} = ${t.dumpTime.ratio.toFixed(2)} ≤ ${LIMIT.dumpVsIp.toFixed(2)}  → ${word(t.dumpTime.pass)}`);
  out.push(`     dump -j peak RSS = ${t.dumpRss.peakMiB?.toFixed(1) ?? '?'} MiB ≤ ${LIMIT.dumpRssMiB} MiB (ratio ${t.dumpRss.ratio?.toFixed(2) ?? '?'})  → ${word(t.dumpRss.pass)}`);
  const l = t.listen;
  out.push(`  2. listen captured ${l.nlctl.captured.join(', ')} of ${r.routes} (ratio ${l.nlctl.ratio.toFixed(4)}), overrun records ${l.nlctl.overruns.join(', ')}  → ${word(l.pass)}`);
  out.push(`     (ip monitor route: ${l.ipMonitor.captured.join(', ')} of ${r.routes}, ENOBUFS ${l.ipMonitor.overruns.join(', ')}: ${l.ipMonitor.complete ? 'complete' : 'INCOMPLETE'})`);
  out.push(`  3. decode raw → NDJSON / ip -j route show = ${s(c.decode.medianSeconds)} / ${s(c.ip.medianSeconds)} = ${t.decodeTime.ratio.toFixed(2)} ≤ ${LIMIT.decodeVsIp.toFixed(2)}  → ${word(t.decodeTime.pass)}`);
  out.push(`     (the floor — bench/floor.mjs, a Node program that writes only these routes' lines, byte for byte as decode does, from text prepared in advance — takes ${x(c.floor.ratioVsIp)} ip's time: decode is ${x(c.decode.medianSeconds / c.floor.medianSeconds)} of it)`);
  out.push(`  4. nlctl --version / node -e 0 = ${ms(r.startup.medianSeconds.nlctl)} / ${ms(r.startup.medianSeconds.node)} = ${t.startup.ratio.toFixed(2)} ≤ ${LIMIT.startupVsNode.toFixed(2)}  → ${word(t.startup.pass)}`);
  out.push('');
  out.push(`TARGETS: dump time ${word(t.dumpTime.pass)}, dump RSS ${word(t.dumpRss.pass)}, listen ${word(l.pass)}, decode ${word(t.decodeTime.pass)}, start-up ${word(t.startup.pass)}`);
  out.push(
    ...machineLines(r, {
      extra: r.ip,
      warning: [': every median is inflated and the', 'ratios are less reliable; a listener on a busy machine also falls behind more easily. Re-run on an idle machine.'],
    }),
  );
  out.push(`routes added in ${r.setupSeconds.toFixed(2)} s (the dump namespace)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

await runMain(NAME, main, cleanup);
