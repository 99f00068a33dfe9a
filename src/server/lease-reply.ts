// Builds the replies: OFFER/ACK/BOOTREPLY for an address (the settings chain of the address's pool
// and subnet, lease time, options, header and destination), the NAK, and the answer to an INFORM.

import type { OptionStatement } from '../conf/ast.js';
import { lookupParameter, type Pool, type Scope, type Subnet } from '../conf/scope-tree.js';
import { DHCPACK, DHCPNAK, DHCPOFFER, getMessageType, parseIpv4 } from '../wire/index.js';
import { ACTIVE, NO_SLOT } from './allocator.js';
import { bindingsOf, emitChainEffects } from './lease-events.js';
import { INFINITE, type LeaseTimes, leaseTimes, offeredLeaseTime } from './lease-times.js';
import { buildReply } from './reply-build.js';
import { assembleOptions, configuredOptions, OPT_FQDN, OPT_HOST_NAME } from './reply-options.js';
import { type ChainLease, chainFor, type RequestFacts, serverIdFor } from './request-facts.js';
import { leaseFacts } from './scope-eval.js';
import type { Reply } from './types.js';

/** The absolute end of a lease of `times` starting now. */
export function leaseEnds(now: number, times: LeaseTimes): number {
  return times.leaseTime >= INFINITE ? Number.POSITIVE_INFINITY : now + times.leaseTime;
}

/** What applies to an address for this client: its settings chain, configured options, lease times. */
export interface LeasePlan {
  chain: Scope[];
  configured: Map<number, OptionStatement>;
  /**
   * `times.leaseTime` is what option 51 carries (after ISC's conversion of an infinite lease, see
   * offeredLeaseTime): set it before leaseReply (e.g. to the remaining time of a reused lease); T1/T2
   * are checked against it when the reply is built.
   */
  times: LeaseTimes;
  pool: Pool | undefined;
  subnet: Subnet;
  /** Option 81 for an ACK, from the dynamic DNS decision (ddns-plan.ts). */
  fqdn?: Uint8Array;
}

/**
 * Computed once per reply: the allocator commits with these times and the reply carries them. A
 * dynamic lease (`pool` set) takes no settings from a host declaration that has a fixed-address (ISC
 * ack_lease and bootp.c look only for hosts without one); a fixed-address lease takes its host's.
 */
export function planLease(f: RequestFacts, pool: Pool | undefined, subnet: Subnet, address?: number): LeasePlan {
  const hostApplies = pool === undefined || f.host === undefined || f.host.host.fixedAddresses.length === 0;
  const chain = chainFor(
    hostApplies ? f : { ...f, host: undefined },
    pool,
    subnet,
    chainLease(f, address, pool, hostApplies),
  );
  const configured = configuredOptions(chain);
  // The statements ran as ISC's ack_lease runs them, first: their log lines come before anything it logs.
  emitChainEffects(f, chain);
  return { chain, configured, times: leaseTimes(chain, f.request.options), pool, subnet };
}

/**
 * The lease the statements see (ISC ack_lease runs them on the lease): its address, its current end,
 * the host declaration, and its variables when it is this client's.
 */
function chainLease(
  f: RequestFacts,
  address: number | undefined,
  pool: Pool | undefined,
  hostApplies: boolean,
): ChainLease | undefined {
  if (address === undefined) return undefined;
  const leases = f.ctx.leases;
  const slot = pool === undefined ? NO_SLOT : leases.slotOf(address);
  const host = hostApplies ? f.host?.host.name : undefined;
  if (slot === NO_SLOT) return { facts: leaseFacts(address, undefined, host, pool === undefined) };
  const active = leases.stateOf(slot) === ACTIVE;
  // ISC drops an expired lease's bindings before it offers the lease again.
  const vars = leases.endsOf(slot) >= f.ctx.now ? leases.leaseScopeOf(slot)?.variables : undefined;
  return {
    facts: leaseFacts(address, active ? leases.endsOf(slot) : undefined, host),
    ...(vars !== undefined ? { bindings: bindingsOf(vars) } : {}),
  };
}

/** echo-client-id (RFC 6842) in scope. */
function echoClientId(chain: readonly Scope[]): boolean {
  return lookupParameter(chain, 'echo-client-id')?.value === true;
}

export function leaseReply(f: RequestFacts, kind: 'offer' | 'ack' | 'bootp', address: number, plan: LeasePlan): Reply {
  const { chain, times } = plan;
  const dhcp = kind !== 'bootp';
  // ISC bootp.c serves a fixed-address host itself; a dynamic BOOTP lease goes through ack_lease.
  const staticBootp = !dhcp && f.host?.fixed !== undefined && f.host.fixed.address === address;
  const serverId = dhcp ? serverIdFor(f, chain) : undefined;
  const { options, lastCode } = assembleOptions({
    kind,
    staticBootp,
    requestOptions: f.request.options,
    requestType: getMessageType(f.request.options),
    messageType: kind === 'offer' ? DHCPOFFER : kind === 'ack' ? DHCPACK : undefined,
    serverId,
    leaseTime: dhcp ? offeredLeaseTime(times.leaseTime, f.ctx.now) : undefined,
    subnetMask: plan.subnet.mask,
    chain,
    defaults: hostNameDefault(f, plan),
    catalogue: f.ctx.tree.catalogue,
    resolve: f.ctx.resolveHost,
    echoClientId: !staticBootp && echoClientId(chain),
  });
  return buildReply(
    {
      kind,
      request: f.request,
      yiaddr: address,
      chain,
      options,
      lastCode,
      gotServerId: f.serverIdOption !== undefined,
      staticBootp,
      leaseNetwork: plan.subnet.sharedNetwork,
      source: serverId ?? f.ctx.interface.addresses[0],
    },
    f.ctx,
  );
}

/** `use-host-decl-names`: the lease's host declaration's name as option 12 when none is configured (ISC). */
function hostNameDefault(f: RequestFacts, plan: LeasePlan): Map<number, Uint8Array> | undefined {
  if (plan.fqdn !== undefined) {
    const m = hostNameOnly(f, plan) ?? new Map<number, Uint8Array>();
    m.set(OPT_FQDN, plan.fqdn);
    return m;
  }
  return hostNameOnly(f, plan);
}

function hostNameOnly(f: RequestFacts, plan: LeasePlan): Map<number, Uint8Array> | undefined {
  const host = f.host?.host;
  if (host === undefined || (plan.pool !== undefined && host.fixedAddresses.length > 0)) return undefined;
  if (lookupParameter(plan.chain, 'use-host-decl-names')?.value !== true) return undefined;
  return new Map([[OPT_HOST_NAME, new Uint8Array(Buffer.from(host.name, 'latin1'))]]);
}

/**
 * DHCPNAK (ISC nak_lease): message type, server identifier, option 56 with `message` - ISC's
 * dhcp_message, verbatim (undefined or empty: no option 56) - the client identifier when
 * echo-client-id is on, and option 82 back to the relay. Broadcast bit set, ciaddr 0.
 */
export function nakReply(f: RequestFacts, subnet: Subnet | undefined, message: string | undefined): Reply {
  const chain = chainFor(f, undefined, subnet);
  const serverId = serverIdFor(f, chain);
  const { options, lastCode } = assembleOptions({
    kind: 'nak',
    requestOptions: f.request.options,
    requestType: getMessageType(f.request.options),
    messageType: DHCPNAK,
    serverId,
    leaseTime: undefined,
    subnetMask: undefined,
    chain,
    catalogue: f.ctx.tree.catalogue,
    resolve: undefined,
    message,
    echoClientId: echoClientId(chain),
  });
  return buildReply(
    { kind: 'nak', request: f.request, yiaddr: 0, chain, options, lastCode, gotServerId: true, source: serverId },
    f.ctx,
  );
}

/**
 * ISC dhcpinform applies a host declaration whose fixed-address is the client's address, or one
 * without fixed-address; a host fixed elsewhere lends the INFORM answer nothing (the chain is then
 * built without it).
 */
export function informHostApplies(f: RequestFacts, cip: number): boolean {
  const host = f.host?.host;
  if (host === undefined || host.fixedAddresses.length === 0) return true;
  return host.fixedAddresses.some((a) => parseIpv4(a) === cip || f.ctx.resolveHost?.(a)?.includes(cip) === true);
}

/**
 * The DHCPACK answering a DHCPINFORM (ISC dhcpinform): the options of `chain` (subnet, the pool of
 * the client's address, classes, host), no lease times; to `clientAddress` (ciaddr, else the IP
 * source) by routing, or through the relay when ciaddr is 0.
 */
export function informReply(f: RequestFacts, chain: readonly Scope[], subnet: Subnet, clientAddress: number): Reply {
  emitChainEffects(f, chain);
  const { options, lastCode } = assembleOptions({
    kind: 'inform',
    requestOptions: f.request.options,
    requestType: getMessageType(f.request.options),
    messageType: DHCPACK,
    serverId: serverIdFor(f, chain),
    leaseTime: undefined,
    subnetMask: subnet.mask,
    chain,
    catalogue: f.ctx.tree.catalogue,
    resolve: f.ctx.resolveHost,
  });
  return buildReply(
    { kind: 'inform', request: f.request, yiaddr: 0, chain, options, lastCode, gotServerId: false, clientAddress },
    f.ctx,
  );
}
