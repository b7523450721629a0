// The generated family data is what the descriptions and this machine's UAPI headers give: the
// generator runs (no crash on any description) and reproduces every committed file exactly.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/gen-families.mjs', import.meta.url));

describe('scripts/gen-families.mjs --check', () => {
  it('regenerates every family from src/families/desc and /usr/include, identical to the committed files', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 130_000);
});
