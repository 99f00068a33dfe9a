// Builds OFFER/ACK/NAK/BOOTREPLY replies for an address: the settings chain of the address's pool
// and subnet, lease times, options, header fields and destination.

import type { OptionStatement } from '../conf/ast.js';
import { lookupParameter, type Pool, type Scope, type Subnet } from '../conf/scope-tree.js';
import { DHCPACK, DHCPNAK, DHCPOFFER, OPT_RELAY_AGENT_INFO } from '../wire/index.js';
import { INFINITE, type LeaseTimes, leaseTimes } from './lease-times.js';
import { buildReply, type ReplyKind } from './reply-build.js';
import { assembleOptions, configuredOptions, OPT_HOST_NAME, OPT_PRL } from './reply-options.js';
import { chainFor, type RequestFacts, serverIdFor } from './request-facts.js';
import type { Reply } from './types.js';

/** The absolute end of a lease of `times` starting now. */
export function leaseEnds(now: number, times: LeaseTimes): number {
  return times.leaseTime >= INFINITE ? Number.POSITIVE_INFINITY : now + times.leaseTime;
}

/** What applies to an address for this client: its settings chain, configured options, lease times. */
export interface LeasePlan {
  chain: Scope[];
  configured: Map<number, OptionStatement>;
  times: LeaseTimes;
  pool: Pool | undefined;
  subnet: Subnet;
}

/** Computed once per reply: the allocator commits with these times and the reply carries them. */
export function planLease(f: RequestFacts, pool: Pool | undefined, subnet: Subnet): LeasePlan {
  const chain = chainFor(f, pool, subnet);
  const configured = configuredOptions(chain);
  return { chain, configured, times: leaseTimes(chain, f.request.options, configured), pool, subnet };
}

export function leaseReply(
  f: RequestFacts,
  kind: Extract<ReplyKind, 'offer' | 'ack' | 'bootp'>,
  address: number,
  plan: LeasePlan,
): Reply {
  const { chain, configured, times } = plan;
  const dhcp = kind !== 'bootp';
  const options = assembleOptions({
    messageType: kind === 'offer' ? DHCPOFFER : kind === 'ack' ? DHCPACK : undefined,
    serverId: dhcp ? serverIdFor(f, chain) : undefined,
    leaseTime: dhcp ? times.leaseTime : undefined,
    renewalTime: dhcp ? times.renewalTime : undefined,
    rebindingTime: dhcp ? times.rebindingTime : undefined,
    subnetMask: plan.subnet.mask,
    prl: dhcp ? f.request.options.get(OPT_PRL) : undefined,
    alwaysMask: true,
    configured,
    defaults: hostNameDefault(f, chain),
    catalogue: f.ctx.tree.catalogue,
    resolve: f.ctx.resolveHost,
    relayAgent: f.request.options.get(OPT_RELAY_AGENT_INFO),
    message: undefined,
  });
  return buildReply(
    { kind, request: f.request, yiaddr: address, chain, options, gotServerId: f.serverIdOption !== undefined },
    f.ctx,
  );
}

/** `use-host-decl-names`: the host declaration's name as option 12 when none is configured (ISC). */
function hostNameDefault(f: RequestFacts, chain: readonly Scope[]): Map<number, Uint8Array> | undefined {
  const host = f.host?.host;
  if (host === undefined || lookupParameter(chain, 'use-host-decl-names')?.value !== true) return undefined;
  return new Map([[OPT_HOST_NAME, new Uint8Array(Buffer.from(host.name, 'latin1'))]]);
}

/** DHCPNAK: message type, server identifier, a reason, and option 82 back to the relay. */
export function nakReply(f: RequestFacts, subnet: Subnet | undefined, reason: string): Reply {
  const chain = chainFor(f, undefined, subnet);
  const options = assembleOptions({
    messageType: DHCPNAK,
    serverId: serverIdFor(f, chain),
    leaseTime: undefined,
    renewalTime: undefined,
    rebindingTime: undefined,
    subnetMask: undefined,
    prl: undefined,
    alwaysMask: false,
    configured: new Map(),
    catalogue: f.ctx.tree.catalogue,
    resolve: undefined,
    relayAgent: f.request.options.get(OPT_RELAY_AGENT_INFO),
    message: reason,
  });
  return buildReply({ kind: 'nak', request: f.request, yiaddr: 0, chain, options, gotServerId: true }, f.ctx);
}
