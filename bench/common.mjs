// What bench/route-dump.mjs and bench/cli.mjs share: argument parsing, messages, preconditions,
// scratch network namespaces (always deleted), adding routes with `ip -batch`, statistics and
// the load average. Importing this module has no side effects; every message carries the
// benchmark's own name (`route-dump: …`, `cli-bench: …`), passed in by the script.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Routes are 10.0.0.1/32 upwards: 10.0.0.0/8 holds 2^24 − 1 of them.
const MAX_ROUTES = 0xffffff;

// ---------------------------------------------------------------------------------------------
// Messages

/** `log(msg)` writes `name: msg` to stderr; `fatal(msg)` does the same and exits 1. */
export function logger(name) {
  const log = (msg) => process.stderr.write(`${name}: ${msg}\n`);
  const fatal = (msg) => {
    log(msg);
    process.exit(1);
  };
  return { log, fatal };
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** Print `text` (stdout for code 0, stderr otherwise) and exit with `code`. */
function usage(text, code) {
  (code ? process.stderr : process.stdout).write(text);
  process.exit(code);
}

/**
 * Parse `argv` into a copy of `defaults`. `integers` maps each flag that takes a positive
 * integer (`--flag N` or `--flag=N`) to its key in the result; `--json` sets `json`, `--help`/`-h`
 * prints `usageText` and exits 0; anything else, a missing or bad integer, or a `--routes`
 * above 16777215 is reported as `name: …` and exits 2.
 */
export function parseArgs(argv, { name, usageText, defaults, integers }) {
  const { log } = logger(name);
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (Object.hasOwn(integers, flag)) {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 1) {
        log(`${flag} needs a positive integer, got ${v ?? 'nothing'}`);
        usage(usageText, 2);
      }
      opts[integers[flag]] = n;
    } else if (flag === '--json') opts.json = true;
    else if (flag === '--help' || flag === '-h') usage(usageText, 0);
    else {
      log(`unknown argument ${a}`);
      usage(usageText, 2);
    }
  }
  if (opts.routes > MAX_ROUTES) {
    log(`--routes is at most ${MAX_ROUTES}`);
    process.exit(2);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Preconditions

const TOOL_HINTS = { ip: ' (apt-get install iproute2)', cc: ': install a C compiler (apt-get install gcc)' };

/**
 * Exit (via `name: …`, status 1) unless this is Linux, we are root, every path in `files`
 * exists (they come from `npm run build`) and every command in `tools` (`ip`, `cc`) is on the
 * PATH. `asRoot` says why root is needed and how to get it.
 */
export function checkPreconditions({ name, asRoot: { why, command }, files, tools }) {
  const { fatal } = logger(name);
  if (process.platform !== 'linux') fatal('netlink needs Linux');
  if (process.getuid?.() !== 0) fatal(`must run as root (${why}): ${command}`);
  for (const p of files) if (!existsSync(p)) fatal(`${p} is missing: run \`npm run build\` first`);
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) fatal(`\`${tool}\` not found${TOOL_HINTS[tool]}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes

/**
 * spawnSync `cmd args` (stdin from `input` if given; stdout captured as UTF-8 with `capture`,
 * else discarded); throws with the first lines of stderr when it fails, unless `allowFail`.
 * A child that runs for `timeout` ms (10 minutes) is killed.
 */
export function run(cmd, args, { input, capture = false, allowFail = false, timeout = 600000 } = {}) {
  const r = spawnSync(cmd, args, {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', capture ? 'pipe' : 'ignore', 'pipe'],
    maxBuffer: 1 << 30,
    encoding: capture ? 'utf8' : undefined,
    timeout,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) {
    const err = String(r.stderr ?? '').trim().split('\n').slice(0, 5).join('\n');
    throw new Error(`${cmd} ${args.slice(0, 6).join(' ')} failed (exit ${r.status ?? r.signal}): ${err}`);
  }
  return r;
}

/**
 * One event-loop turn. Signal handlers run only on a turn, and neither spawnSync nor a dump
 * whose data is always ready (it lives on microtasks) takes one; so give one between runs.
 */
export const turn = () => new Promise((r) => setImmediate(r));

// ---------------------------------------------------------------------------------------------
// Scratch namespaces

/** Log a note on namespaces whose names start with `prefix` (from earlier runs, or another one). */
export function noteLeftoverNamespaces(name, prefix) {
  const stale = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
  if (stale.length) logger(name).log(`note: leftover namespaces from earlier runs: ${stale.join(', ')} (ip netns del NAME)`);
}

/**
 * The network namespaces this process creates; only these are ever deleted. `create(ns)` adds
 * one with lo up and a veth pair, both ends up, 172.16.0.1/24 on veth0: every route of
 * `routeBatch` goes via 172.16.0.2 on it, so each message carries RTA_TABLE, RTA_DST,
 * RTA_GATEWAY and RTA_OIF like real routes do. `delete(ns)` and `deleteAll()` say
 * `name: could not delete namespace …` when `ip netns del` fails.
 */
export function scratchNamespaces(name) {
  const { log } = logger(name);
  const names = new Set();
  const del = (ns) => {
    if (!names.delete(ns)) return;
    const r = spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    if (r.status !== 0) log(`could not delete namespace ${ns}; remove it with: ip netns del ${ns}`);
  };
  return {
    create(ns) {
      run('ip', ['netns', 'add', ns]);
      names.add(ns);
      for (const cmd of ['link set lo up', 'link add veth0 type veth peer name veth1', 'addr add 172.16.0.1/24 dev veth0', 'link set veth0 up', 'link set veth1 up']) {
        run('ip', ['-n', ns, ...cmd.split(' ')]);
      }
    },
    delete: del,
    deleteAll() {
      for (const ns of [...names]) del(ns);
    },
  };
}

/**
 * Run `main`; if it throws, say `name: <stack>` and set exit status 1; `cleanup` in any case.
 */
export async function runMain(name, main, cleanup) {
  try {
    await main();
  } catch (err) {
    logger(name).log(err?.stack ?? err);
    process.exitCode = 1;
  } finally {
    cleanup();
  }
}

/**
 * Run `cleanup` at exit, and on SIGINT, SIGTERM and SIGHUP after `name: SIG, note` on stderr
 * (then exit 128 + the signal's number). `cleanup` may run more than once.
 */
export function cleanUpOnExit(name, note, cleanup) {
  for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.on(sig, () => {
      logger(name).log(`${sig}, ${note}`);
      cleanup();
      process.exit(128 + num);
    });
  }
  process.on('exit', cleanup); // last resort (process.exit from anywhere)
}

/** The lines of one `ip -batch` that adds `n` routes: 10.0.0.1/32 upwards, via 172.16.0.2 on veth0. */
export function routeBatch(n) {
  const lines = new Array(n);
  for (let i = 1; i <= n; i++) lines[i - 1] = `route add 10.${i >>> 16}.${(i >>> 8) & 255}.${i & 255}/32 via 172.16.0.2 dev veth0\n`;
  return lines.join('');
}

/** `ip -n NS -batch -` of `text` (see routeBatch); returns the seconds it took. */
export function addRoutes(ns, text) {
  const t0 = process.hrtime.bigint();
  run('ip', ['-n', ns, '-batch', '-'], { input: text });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// ---------------------------------------------------------------------------------------------
// Statistics and the machine

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The best (smallest) of `xs`. */
export const best = (xs) => Math.min(...xs);

/** A contender's timings as the JSON results give them: label, median, best and every run's seconds. */
export const timings = (label, times) => ({ label, medianSeconds: median(times), minSeconds: best(times), times });

/** The CPU model, for the report. */
export const cpuModel = () => cpus()[0]?.model?.trim() ?? 'unknown CPU';

/** Whether a load average (as os.loadavg()) means a busy machine: 1-min load above half the CPUs. */
export const isBusy = (load) => load[0] > 0.5 * cpus().length;

/**
 * The machine lines at the end of a report, from a result's node, cpus, cpuModel, loadAtStart,
 * loadAverage and busy: `node V[, extra], N× CPU, load average … at the start, … at the end`; when
 * busy, also `WARNING: the machine was busy (1-min load L on N CPUs)` + `warning[0]`, then the
 * line `warning[1]` (each script says in its own words what that does to its numbers).
 */
export function machineLines(r, { extra, warning }) {
  const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
  const out = [`node ${r.node}, ${extra === undefined ? '' : `${extra}, `}${r.cpus}× ${r.cpuModel}, load average ${la(r.loadAtStart)} at the start, ${la(r.loadAverage)} at the end`];
  if (r.busy) out.push(`WARNING: the machine was busy (1-min load ${r.loadAtStart[0].toFixed(2)} on ${r.cpus} CPUs)${warning[0]}`, warning[1]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables

/** A text table: the header row, a dashed rule, the rows; first column left-aligned, the rest right. */
export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}
