// The libmnl oracle: test/oracle/mnl_dump.c linked against the system libmnl (Debian 12 ships
// 1.0.4, which colours attribute headers unconditionally). Compiled once into test/.bin and
// rebuilt when the C source is newer than the binary. Without libmnl-dev the oracle cannot be
// built and callers get an Error saying how to install it: the comparison tests must fail, not
// skip.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(testDir, 'oracle', 'mnl_dump.c');
const binDir = join(testDir, '.bin');
const binary = join(binDir, 'mnl_dump');
const libmnlHeader = '/usr/include/libmnl/libmnl.h';

/** One input to mnl_nlmsg_fprintf. */
export interface OracleCase {
  /** extra_header_size, a non-negative integer. */
  ehs: number;
  /** The buffer; the oracle pads it with 4 zero bytes that are not part of datalen. */
  bytes: Uint8Array;
}

/** Marker printed instead of a dump whose walk would make libmnl read out of bounds. */
export const ORACLE_UNDEFINED = '@@nlctl-oracle-undefined@@\n';

let built: string | undefined;

/** Path of the compiled oracle, building it first when missing or stale. Throws with advice. */
export function oracleBinary(): string {
  if (built !== undefined) return built;
  if (!existsSync(libmnlHeader)) {
    throw new Error(
      `libmnl-dev is not installed (${libmnlHeader} is missing), so the libmnl oracle cannot be ` +
        'built. Install it with: apt-get install -y libmnl-dev',
    );
  }
  const stale = !existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs;
  if (stale) {
    mkdirSync(binDir, { recursive: true });
    // Build under a private name, then rename: parallel test workers never see a half binary.
    const tmp = `${binary}.${process.pid}.tmp`;
    try {
      execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', tmp, source, '-lmnl'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      renameSync(tmp, binary);
    } catch (err) {
      rmSync(tmp, { force: true });
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
      throw new Error(
        `cannot build the libmnl oracle (${source}); is libmnl-dev installed? ` +
          `(apt-get install -y libmnl-dev)\n${stderr}`,
      );
    }
  }
  built = binary;
  return binary;
}

/**
 * Run every case through libmnl in one process and return each case's output, in order, exactly
 * as mnl_nlmsg_fprintf printed it (coloured), or {@link ORACLE_UNDEFINED}.
 */
export function runOracle(cases: readonly OracleCase[]): string[] {
  if (cases.length === 0) return [];
  const bin = oracleBinary();
  const input = cases
    .map((c) => {
      if (!Number.isSafeInteger(c.ehs) || c.ehs < 0) throw new RangeError(`oracle ehs ${c.ehs}`);
      return `${c.ehs} ${Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength).toString('hex')}\n`;
    })
    .join('');
  const result = spawnSync(bin, [], { input, maxBuffer: 1 << 30, encoding: 'latin1' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`libmnl oracle exited with ${result.status ?? result.signal}: ${result.stderr}`);
  }
  const outputs: string[] = [];
  const marker = /^@@nlctl-oracle-end (\d+)@@\n/gm;
  let from = 0;
  for (let m = marker.exec(result.stdout); m !== null; m = marker.exec(result.stdout)) {
    if (Number(m[1]) !== outputs.length) throw new Error(`oracle output out of step at case ${m[1]}`);
    outputs.push(result.stdout.slice(from, m.index));
    from = m.index + m[0].length;
  }
  if (outputs.length !== cases.length || from !== result.stdout.length) {
    throw new Error(`oracle answered ${outputs.length} of ${cases.length} cases`);
  }
  return outputs;
}

/** Remove ANSI SGR sequences: libmnl 1.0.4's coloured output becomes the plain form. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
