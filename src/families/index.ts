// The family registry: which descriptions exist and how to load them. Descriptions are loaded
// on first use (dynamic import), so a command pays only for the families it touches.
import type { FamilySpec } from './schema.js';

export type { FamilySpec } from './schema.js';
export { PROTOCOLS, fixedHeaderSize } from './protocols.js';

/** Loaders of the generated descriptions, by family name (generic netlink: the kernel's name). */
const LOADERS: Readonly<Record<string, () => Promise<{ family: FamilySpec }>>> = {
  route: () => import('./generated/route.js'),
  nlctrl: () => import('./generated/generic.js'),
  sock_diag: () => import('./generated/sock_diag.js'),
  netfilter: () => import('./generated/netfilter.js'),
  audit: () => import('./generated/audit.js'),
  xfrm: () => import('./generated/xfrm.js'),
  selinux: () => import('./generated/selinux.js'),
  connector: () => import('./generated/connector.js'),
  ethtool: () => import('./generated/ethtool.js'),
  devlink: () => import('./generated/devlink.js'),
  TASKSTATS: () => import('./generated/taskstats.js'),
  tcp_metrics: () => import('./generated/tcp_metrics.js'),
  mptcp_pm: () => import('./generated/mptcp_pm.js'),
  wireguard: () => import('./generated/wireguard.js'),
};

/** The description that covers a whole protocol (route for 0, …), by protocol number. */
const BY_PROTOCOL: Readonly<Record<number, string>> = {
  0: 'route',
  4: 'sock_diag',
  6: 'xfrm',
  7: 'selinux',
  9: 'audit',
  11: 'connector',
  12: 'netfilter',
};

/** Names of the families that have a description. */
export function describedFamilies(): string[] {
  return Object.keys(LOADERS);
}

/** Load the description of family `name` (e.g. "route", "nlctrl"), or undefined when there is none. */
export async function loadFamily(name: string): Promise<FamilySpec | undefined> {
  const load = LOADERS[name] ?? LOADERS[Object.keys(LOADERS).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''];
  return load ? (await load()).family : undefined;
}

/** The description of protocol `protocol`'s messages, when one covers the whole protocol. */
export async function familyForProtocol(protocol: number): Promise<FamilySpec | undefined> {
  const name = BY_PROTOCOL[protocol];
  return name ? loadFamily(name) : undefined;
}
