// Generic netlink families at run time: the kernel says which families exist, their IDs and
// multicast groups; descriptions (when we have one for that name) say how their messages look.
// A family without a description is still named, with its commands shown as numbers.
import type { FamilySpec } from '../families/schema.js';
import type { GenlFamily } from '../netlink/genl.js';

/**
 * A FamilySpec for a live family: its description with the kernel's group IDs, or — for a
 * family nlctl does not describe — a spec that knows only its name and groups.
 */
export function runtimeFamily(live: GenlFamily, described: FamilySpec | undefined): FamilySpec {
  const groups = live.groups.map((g) => ({ name: g.name, value: g.id }));
  if (described) return { ...described, genlId: live.id, groups };
  return { name: live.name, protocol: 16, genlId: live.id, messages: [], structs: {}, sets: {}, enums: {}, groups };
}

/**
 * Map family IDs to specs for the decoder (DecodeContext.genlFamilies), from the controller's
 * list of live families and a loader of descriptions by family name.
 */
export async function genlFamilyMap(
  live: readonly GenlFamily[],
  load: (name: string) => Promise<FamilySpec | undefined>,
): Promise<Map<number, FamilySpec>> {
  const out = new Map<number, FamilySpec>();
  for (const f of live) out.set(f.id, runtimeFamily(f, await load(f.name)));
  return out;
}
