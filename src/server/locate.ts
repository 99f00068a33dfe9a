// Where a request comes from and who sent it: the subnet/shared network that serves it (RFC 3527 link
// selection, else giaddr, else the receiving interface), the host declaration that knows the client,
// and the pools its permits let it use (dhcpd.conf(5) "pool permits").

import type { Host, Pool, SharedNetwork, Subnet } from '../conf/scope-tree.js';
import { subnetFor } from '../conf/scope-tree.js';
import {
  type DhcpMessage,
  decodeRelayAgentInfo,
  inSubnet,
  linkSelection,
  macToString,
  OPT_RELAY_AGENT_INFO,
  parseIpv4,
  readIpv4,
} from '../wire/index.js';
import type { ClientIdentity } from './client-id.js';
import type { EngineContext } from './types.js';

/** RFC 3011 subnet selection option. */
const OPT_SUBNET_SELECTION = 118;

export interface Location {
  subnet: Subnet;
  network: SharedNetwork;
}

/** The address that names the client's link: link selection, subnet selection, giaddr, interface. */
export function linkAddress(request: DhcpMessage, ctx: EngineContext): number | undefined {
  const rai = request.options.get(OPT_RELAY_AGENT_INFO);
  if (rai !== undefined) {
    const decoded = decodeRelayAgentInfo(rai);
    const link = decoded.ok ? linkSelection(decoded.subOptions) : undefined;
    if (link !== undefined) return link;
  }
  const sel = request.options.get(OPT_SUBNET_SELECTION);
  if (sel?.length === 4) return readIpv4(sel, 0);
  if (request.giaddr !== 0) return request.giaddr;
  for (const a of ctx.interface.addresses) if (subnetFor(ctx.tree, a) !== undefined) return a;
  return undefined;
}

export function locate(request: DhcpMessage, ctx: EngineContext): Location | undefined {
  const link = linkAddress(request, ctx);
  if (link === undefined) return undefined;
  const subnet = subnetFor(ctx.tree, link);
  return subnet === undefined ? undefined : { subnet, network: subnet.sharedNetwork };
}

/** The subnet of `network` that holds `address` (ISC find_grouped_subnet). */
export function subnetInNetwork(network: SharedNetwork, address: number): Subnet | undefined {
  let best: Subnet | undefined;
  for (const s of network.subnets) {
    if (inSubnet(address, s.network, s.mask) && (best === undefined || s.prefixLength > best.prefixLength)) best = s;
  }
  return best;
}

export interface HostMatch {
  host: Host;
  /** The host's fixed address on this network, when it has one there. */
  fixed?: { address: number; subnet: Subnet };
}

function fixedAddresses(host: Host, ctx: EngineContext): number[] {
  const out: number[] = [];
  for (const text of host.fixedAddresses) {
    const ip = parseIpv4(text);
    if (ip !== undefined) out.push(ip);
    else out.push(...(ctx.resolveHost?.(text) ?? []));
  }
  return out;
}

/**
 * The host declaration for this client (by client identifier, then hardware address), preferring one
 * whose fixed address lies on the client's network, as ISC find_host_for_network does.
 */
export function findHost(
  id: ClientIdentity,
  network: SharedNetwork | undefined,
  ctx: EngineContext,
): HostMatch | undefined {
  const tree = ctx.tree;
  const dyn = ctx.dynamicHosts;
  // Most requests meet an empty table (dynamic clients): no key text is built for them.
  if (tree.hostsByUid.size === 0 && tree.hostsByHardware.size === 0 && (dyn === undefined || dyn.size === 0)) {
    return undefined;
  }
  // ISC find_lease: the hosts of the client identifier; only when there are none, those of the
  // hardware address. Hosts made through OMAPI come after the configuration's (ISC enter_host appends them).
  let candidates: readonly Host[] = id.uid !== undefined ? hostsOf(tree.hostsByUid, dyn?.byUid, id.uidKey ?? '') : [];
  if (candidates.length === 0 && (tree.hostsByHardware.size > 0 || (dyn !== undefined && dyn.byHardware.size > 0))) {
    const mac = macToString(id.hardware.address);
    candidates = hostsOf(tree.hostsByHardware, dyn?.byHardware, mac).filter((h) =>
      hardwareTypeMatches(h, id.hardware.type),
    );
  }
  if (dyn !== undefined && dyn.masked.size > 0) candidates = candidates.filter((h) => !dyn.masked.has(h));
  let known: Host | undefined;
  for (const host of candidates) {
    known ??= host;
    if (network === undefined) continue;
    for (const address of fixedAddresses(host, ctx)) {
      const subnet = subnetInNetwork(network, address);
      if (subnet !== undefined) return { host, fixed: { address, subnet } };
    }
  }
  return known === undefined ? undefined : { host: known };
}

/** The configuration's hosts of `key`, then the dynamic ones (a new array only when both have some). */
function hostsOf(
  conf: ReadonlyMap<string, readonly Host[]>,
  dyn: ReadonlyMap<string, readonly Host[]> | undefined,
  key: string,
): readonly Host[] {
  const a = conf.size > 0 ? conf.get(key) : undefined;
  const b = dyn !== undefined && dyn.size > 0 ? dyn.get(key) : undefined;
  if (b === undefined) return a ?? [];
  return a === undefined ? b : [...a, ...b];
}

const HW_TYPES: Record<string, number> = { ethernet: 1, 'token-ring': 6, fddi: 8, infiniband: 32 };

function hardwareTypeMatches(host: Host, htype: number): boolean {
  const t = host.hardware?.type;
  return t === undefined || (HW_TYPES[t] ?? htype) === htype;
}

export interface PermitFacts {
  known: boolean;
  bootp: boolean;
  classes: ReadonlySet<string>;
  now: number;
}

/** ISC permitted(): true when one permit of the list (allows or denies) matches the client. */
function anyPermit(permits: Pool['permits'], allow: boolean, facts: PermitFacts): boolean {
  for (const p of permits) {
    if (p.allow !== allow) continue;
    const permit = p.permit;
    switch (permit.type) {
      case 'all-clients':
        return true;
      case 'known-clients':
        if (facts.known) return true;
        break;
      case 'unknown-clients':
        if (!facts.known) return true;
        break;
      case 'unauthenticated-clients':
        return true; // no client is ever authenticated (ISC never implemented it either)
      case 'authenticated-clients':
        break;
      case 'dynamic-bootp-clients':
        if (facts.bootp) return true;
        break;
      case 'members-of':
        if (facts.classes.has(permit.className)) return true;
        break;
      case 'after':
        if (facts.now > permit.time) return true;
        break;
    }
  }
  return false;
}

/** A pool admits the client when no deny matches and, if it has allows, one of them matches. */
export function poolAdmits(pool: Pool, facts: PermitFacts): boolean {
  let allows = 0;
  for (const p of pool.permits) if (p.allow) allows++;
  if (allows < pool.permits.length && anyPermit(pool.permits, false, facts)) return false;
  if (allows > 0 && !anyPermit(pool.permits, true, facts)) return false;
  return true;
}
