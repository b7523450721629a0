// The family registry: which descriptions exist and how to load them. Descriptions are loaded
// on first use (dynamic import), so a command pays only for the families it touches.
import type { FamilySpec } from './schema.js';

export type { FamilySpec } from './schema.js';
export { PROTOCOLS, fixedHeaderSize } from './protocols.js';

/** Loaders of the generated descriptions, by family name. */
const LOADERS: Readonly<Record<string, () => Promise<{ family: FamilySpec }>>> = {
  route: () => import('./generated/route.js'),
};

/** Names of the families that have a description. */
export function describedFamilies(): string[] {
  return Object.keys(LOADERS);
}

/** Load the description of family `name` (e.g. "route"), or undefined when there is none. */
export async function loadFamily(name: string): Promise<FamilySpec | undefined> {
  const load = LOADERS[name];
  return load ? (await load()).family : undefined;
}
