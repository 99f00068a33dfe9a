// RELEASE, DECLINE, INFORM and BOOTP (ISC server/dhcp.c dhcprelease, dhcpdecline, dhcpinform and
// server/bootp.c).

import { type ScopeTree, subnetFor } from '../conf/scope-tree.js';
import { ipToString } from '../wire/index.js';
import { stashedAgentOptions } from './agent-options.js';
import { ACTIVE, NO_SLOT } from './allocator.js';
import { planCommitDdns, planRemovalDdns } from './ddns-plan.js';
import { ignoresRelease } from './failover-engine.js';
import { commitEvents, releaseEvents } from './lease-events.js';
import { lookUp, reuse } from './lease-lookup.js';
import { informHostApplies, informReply, leaseReply, planLease } from './lease-reply.js';
import { bootpLeaseEnds } from './lease-times.js';
import { subnetInNetwork } from './locate.js';
import { bootReplyLine, bootRequestLine, declineLine, informAckLine, informLine, releaseLine } from './log.js';
import { admittedPools, allowDeny, authoritativeFor, chainFor, type RequestFacts } from './request-facts.js';

/** ISC abandon-lease-time default: a declined address rests a day before it may be reclaimed. */
export const ABANDON_LEASE_TIME = 86400;

/** `abandon-lease-time` (global only, as ISC reads it once at start-up), else a day. */
export function abandonLeaseTime(tree: ScopeTree): number {
  const v = tree.global.parameters.get('abandon-lease-time')?.value;
  return typeof v === 'number' && v > 0 ? v : ABANDON_LEASE_TIME;
}

export function handleRelease(f: RequestFacts): void {
  const { ctx, out, request } = f;
  const leases = ctx.leases;
  const ciaddr = request.ciaddr;
  // ISC dhcprelease: the client identifier's lease at ciaddr, else the lease at ciaddr; either way
  // the hardware address recorded on it must be the sender's.
  let slot = leases.uidSlots(f.id.uid).find((s) => leases.address[s] === ciaddr) ?? leases.slotOf(ciaddr);
  if (slot !== NO_SLOT && !leases.hwIs(slot, f.id.hardware)) slot = NO_SLOT;
  const found = slot !== NO_SLOT;
  const line = releaseLine(f.who, ciaddr, found, found ? leases.hostnameOf(slot) : undefined);
  if (found && ctx.failover !== undefined && ignoresRelease(f, slot)) return;
  if (found && leases.stateOf(slot) === ACTIVE && leases.endsOf(slot) > ctx.now) {
    releaseEvents(f, slot);
    planRemovalDdns(out, ciaddr, leases.leaseScopeOf(slot)?.variables);
    out.changes.push({ reason: 'release', lease: leases.release(slot, ctx.now) });
  }
  out.log.push(line);
}

export function handleDecline(f: RequestFacts): void {
  const { ctx, out } = f;
  const leases = ctx.leases;
  const cip = f.requestedAddress;
  if (cip === undefined) return; // a DECLINE must name the address (ISC drops it silently)
  const slot = leases.slotOf(cip);
  const line = declineLine(f.who, cip, slot === NO_SLOT ? undefined : leases.hostnameOf(slot));
  const subnet = subnetFor(ctx.tree, cip);
  const policy = allowDeny(chainFor(f, slot === NO_SLOT ? undefined : leases.poolOfSlot(slot), subnet), 'declines');
  if (policy === 'ignore') return;
  if (policy === 'deny') {
    out.log.push(`${line}: ignored`);
    return;
  }
  if (slot === NO_SLOT) {
    out.log.push(`${line}: not found`);
    return;
  }
  if (ctx.failover !== undefined && ignoresRelease(f, slot)) return;
  // Departure (README): ISC abandons the address whoever declines it. An address leased, and not
  // yet expired, to another client is that client's: a DECLINE from elsewhere (a stale offer, or a
  // forged packet) must not take it away from it. Anything else is abandoned, as ISC does.
  if (leases.stateOf(slot) === ACTIVE && leases.endsOf(slot) > ctx.now && !leases.belongsTo(slot, f.id)) {
    out.log.push(`${line}: not abandoned: leased to another client`);
    return;
  }
  out.changes.push({ reason: 'decline', lease: leases.abandon(slot, ctx.now, abandonLeaseTime(ctx.tree)) });
  out.log.push(`Abandoning IP address ${ipToString(cip)}: declined.`, `${line}: abandoned`);
}

export function handleInform(f: RequestFacts): void {
  const { ctx, out, request } = f;
  const cip = request.ciaddr !== 0 ? request.ciaddr : (ctx.sourceAddress ?? 0);
  const msg = informLine(cip, f.who.via);
  if (cip === 0) {
    out.log.push(`${msg}: ignored (null source address).`);
    return;
  }
  // The client's subnet: its address, or the relay's when it gave none (ISC dhcpinform).
  const where = request.ciaddr === 0 && request.giaddr !== 0 ? request.giaddr : cip;
  const subnet = subnetFor(ctx.tree, where);
  if (subnet === undefined) {
    out.log.push(
      `${msg}: unknown subnet for ${request.ciaddr !== 0 ? 'client' : request.giaddr !== 0 ? 'relay' : 'source'} address ${ipToString(where)}`,
    );
    return;
  }
  if (!authoritativeFor(subnet)) {
    out.log.push(`${msg}: not authoritative for subnet ${ipToString(subnet.network)}`);
    return;
  }
  const slot = ctx.leases.slotOf(cip);
  const facts = informHostApplies(f, cip) ? f : { ...f, host: undefined };
  const chain = chainFor(facts, slot === NO_SLOT ? undefined : ctx.leases.poolOfSlot(slot), subnet);
  out.log.push(msg);
  out.reply = informReply(f, chain, subnet, cip);
  out.log.push(
    informAckLine(cip, f.who.client, request.ciaddr === 0 && request.giaddr !== 0 ? f.who.via : ctx.interface.name),
  );
}

export function handleBootp(f: RequestFacts): void {
  const { ctx, out } = f;
  const leases = ctx.leases;
  const msg = bootRequestLine(f.who);
  const loc = f.loc;
  if (loc === undefined) {
    out.log.push(`${msg}: network unknown`);
    return;
  }
  const netChain = chainFor(f, undefined, loc.subnet);
  if (allowDeny(netChain, 'bootp') === 'deny') {
    out.log.push(`${msg}: bootp disallowed`);
    return;
  }
  if (allowDeny(netChain, 'booting') === 'deny') {
    out.log.push(`${msg}: booting disallowed`);
    return;
  }
  const fixed = f.host?.fixed;
  if (fixed !== undefined) {
    out.reply = leaseReply(f, 'bootp', fixed.address, planLease(f, undefined, fixed.subnet, fixed.address));
    out.log.push(msg, bootReplyLine(f.who, fixed.address, f.host?.host.name));
    return;
  }
  const found = lookUp(f, loc.network, 'bootp', f.host);
  let slot = found.slot;
  if (slot === NO_SLOT) slot = leases.allocate(admittedPools(f, true), true, ctx.now);
  if (slot === NO_SLOT) {
    out.log.push(`${msg}: BOOTP from dynamic client and no dynamic leases`);
    return;
  }
  const address = leases.address[slot]!;
  const pool = leases.poolOfSlot(slot);
  const subnet = subnetInNetwork(loc.network, address) ?? loc.subnet;
  const plan = planLease(f, pool, subnet, address);
  const ends = bootpLeaseEnds(plan.chain, ctx.now);
  const dnsVars = leases.endsOf(slot) >= ctx.now ? leases.leaseScopeOf(slot)?.variables : undefined;
  planCommitDdns(f, plan.chain, address, ends, dnsVars);
  const ddnsStarted = out.ddnsStarted === true;
  commitEvents(f, plan.chain, slot, ends);
  if (!reuse(f, slot, plan, 'ack', ddnsStarted)) {
    const agent = stashedAgentOptions(f.request, plan.chain, ctx.tree.catalogue);
    const lease = leases.commit(slot, f.id, f.hostname, ctx.now, ends, true, agent);
    out.changes.push({ reason: 'commit', lease });
  }
  out.reply = leaseReply(f, 'bootp', address, plan);
  out.log.push(msg, bootReplyLine(f.who, address, undefined));
}
