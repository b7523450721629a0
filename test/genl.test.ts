// Generic netlink family lookup through the controller, checked against `genl ctrl list`.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GENL_ID_CTRL, NetlinkError, dial, genlHeader, getFamily, listFamilies } from '../src/index.js';
import { decodeMessage } from '../src/model/decode.js';
import { genlFamilyMap } from '../src/model/genl.js';

interface GenlText {
  name: string;
  id: number;
  version: number;
  groups: { name: string; id: number }[];
}

/** Parse `genl ctrl list` (iproute2's text output). */
function genlCtrlList(): GenlText[] {
  const out: GenlText[] = [];
  for (const line of execFileSync('genl', ['ctrl', 'list'], { encoding: 'utf8' }).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^Name: (\S+)/.exec(line))) out.push({ name: m[1]!, id: 0, version: 0, groups: [] });
    else if ((m = /^\s+ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)/.exec(line))) {
      out.at(-1)!.id = parseInt(m[1]!, 16);
      out.at(-1)!.version = parseInt(m[2]!, 16);
    } else if ((m = /^\s+#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)/.exec(line))) out.at(-1)!.groups.push({ id: parseInt(m[1]!, 16), name: m[2]! });
  }
  return out;
}

describe('generic netlink controller', () => {
  it('lists the same families, IDs, versions and groups as genl ctrl list', async () => {
    const c = dial(16);
    try {
      const ours = await listFamilies(c, { timeout: 5000 });
      const theirs = genlCtrlList();
      expect(ours.map((f) => ({ name: f.name, id: f.id, version: f.version, groups: f.groups })).sort((a, b) => a.id - b.id)).toEqual(
        theirs.sort((a, b) => a.id - b.id),
      );
    } finally {
      c.close();
    }
  });

  it('finds one family by name, and says ENOENT for an unknown one', async () => {
    const c = dial(16);
    try {
      const ctrl = await getFamily(c, 'nlctrl', { timeout: 5000 });
      expect(ctrl).toMatchObject({ id: GENL_ID_CTRL, name: 'nlctrl' });
      expect(ctrl.ops.map((o) => o.id)).toContain(3);
      expect(ctrl.groups).toEqual([{ name: 'notify', id: 16 }]);
      const err = await getFamily(c, 'no-such-fam', { timeout: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(err.code).toBe('ENOENT');
      // The connection is clean afterwards (no stray replies).
      expect((await getFamily(c, 'nlctrl', { timeout: 5000 })).id).toBe(GENL_ID_CTRL);
    } finally {
      c.close();
    }
  });

  it('names families without a description from the live kernel', async () => {
    const c = dial(16);
    try {
      const live = await listFamilies(c, { timeout: 5000 });
      const map = await genlFamilyMap(live, async () => undefined);
      const thermal = live.find((f) => f.name === 'thermal') ?? live.find((f) => f.id !== GENL_ID_CTRL)!;
      const msg = { header: { length: 20, type: thermal.id, flags: 0, sequence: 0, pid: 0 }, data: genlHeader(1, 2) };
      const d = decodeMessage(msg, { protocol: 16, genlFamilies: map });
      expect(d.family).toBe(thermal.name);
      expect(d.type.name).toBe(thermal.name);
      expect(d.genl).toEqual({ cmd: 1, version: 2, reserved: 0 });
      expect(map.get(thermal.id)!.groups.map((g) => g.name)).toEqual(thermal.groups.map((g) => g.name));
    } finally {
      c.close();
    }
  });
});
