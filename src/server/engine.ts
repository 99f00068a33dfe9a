// The protocol engine: (decoded request, context) -> (reply, lease changes, log lines). Pure: the
// daemon owns sockets, files and timers, writes every change (fsync) before it sends the reply, and
// hands the engine its clock. RFC 2131 with ISC dhcpd's choices (server/dhcp.c).

import { lookupParameter, type Scope, subnetFor } from '../conf/scope-tree.js';
import {
  BOOTREQUEST,
  DHCPDECLINE,
  DHCPDISCOVER,
  DHCPINFORM,
  DHCPRELEASE,
  DHCPREQUEST,
  type DhcpMessage,
  getMessageType,
  hardwareAddress,
  ipToString,
  macToString,
  messageLabel,
  messageTypeName,
} from '../wire/index.js';
import { stashedAgentOptions } from './agent-options.js';
import { ABANDONED, ACTIVE, type Allocator, NO_SLOT } from './allocator.js';
import { billLease } from './class-billing.js';
import { planCommitDdns, planStaticDdns } from './ddns-plan.js';
import { ABANDON_LEASE_TIME, handleBootp, handleDecline, handleInform, handleRelease } from './engine-other.js';
import { capLeaseTime, failoverRole, keepFound, mayOffer, peerHoldsFree, requestGate } from './failover-engine.js';
import type { Found } from './find-lease.js';
import { commitEvents, expireWithEvents } from './lease-events.js';
import { lookUp, reuse } from './lease-lookup.js';
import { leaseEnds, leaseReply, nakReply, planLease } from './lease-reply.js';
import { findHost, subnetInNetwork } from './locate.js';
import { clientLabel, discoverLine, nakLine, networkName, poolLine, replyLine, requestLine, viaLabel } from './log.js';
import {
  admittedPools,
  allowDeny,
  authoritativeFor,
  chainFor,
  gatherFacts,
  type RequestFacts,
} from './request-facts.js';
import type { EngineContext, HandleResult, LeaseChange, Probe } from './types.js';

export type { EngineContext, HandleResult, LeaseChange, Probe, Reply, ReplyDestination } from './types.js';

/**
 * Lease expiry between packets (the daemon's timer): leases that ended by `now` become free; the
 * returned records are to be written. handle() does the same before each request.
 */
export function expireLeases(leases: Allocator, now: number, out?: HandleResult): LeaseChange[] {
  // `on expiry` bodies run as the leases end (their log lines and programs go to `out`).
  const expired = expireWithEvents(leases, now, out ?? { changes: [], log: [] });
  return expired.map((lease) => ({ reason: 'expire', lease }));
}

/** ISC's pool status lines, one per pool with addresses (logged at start and on demand). */
export function poolReport(leases: Allocator): string[] {
  const out: string[] = [];
  leases.pools.forEach((pool, i) => {
    const stats = leases.stats(i);
    if (stats.total > 0) out.push(poolLine(i + 1, pool.sharedNetwork, stats));
  });
  return out;
}

/** ISC holds an offered address for two minutes. */
const OFFER_HOLD = 120;

export function handle(request: DhcpMessage, ctx: EngineContext): HandleResult {
  const out: HandleResult = { changes: [], log: [] };
  // Leases that ended since the last packet are written as free before anything is decided.
  out.changes.push(...expireLeases(ctx.leases, ctx.now, out));
  if (request.op !== BOOTREQUEST) return out;
  try {
    serve(request, ctx, out);
  } catch (e) {
    // A bug must cost one reply, never the server: changes already made stay listed (they are in
    // the allocator and must reach the lease file); the reply, perhaps half-built, is dropped.
    out.reply = undefined;
    const who = `${messageLabel(request)} from ${clientLabel(request)} via ${viaLabel(request, ctx.interface.name)}`;
    out.log.push(`${who}: internal error: ${(e as Error).message}`);
  }
  return out;
}

function serve(request: DhcpMessage, ctx: EngineContext, out: HandleResult): void {
  const type = getMessageType(request.options);
  const f = gatherFacts(request, ctx, out);
  if (type === undefined) {
    handleBootp(f);
    return;
  }
  if (f.loc === undefined && type !== DHCPREQUEST && type !== DHCPINFORM) {
    const client = request.htype !== 0 ? macToString(hardwareAddress(request)) : '<no identifier>';
    out.log.push(`${messageTypeName(type)} from ${client} via ${f.who.via}: unknown network segment`);
    return;
  }
  dispatch(f, type);
}

function dispatch(f: RequestFacts, type: number): void {
  switch (type) {
    case DHCPDISCOVER:
      discover(f);
      break;
    case DHCPREQUEST:
      dhcpRequest(f);
      break;
    case DHCPRELEASE:
      handleRelease(f);
      break;
    case DHCPDECLINE:
      handleDecline(f);
      break;
    case DHCPINFORM:
      handleInform(f);
      break;
    default:
      break; // server-to-server and lease query messages are not served here
  }
}

/** ISC dhcpdiscover: the lease find_lease names, else a new one from allocate_lease. */
function discover(f: RequestFacts): void {
  const { ctx, out } = f;
  const loc = f.loc!;
  const leases = ctx.leases;
  const found = lookUp(f, loc.network, 'discover', f.host);
  // A failover pool's lease found for the client is offered only if it is, or was, the client's, or ours to give.
  const own = found.slot !== NO_SLOT && ctx.failover !== undefined && !keepFound(f, found.slot) ? NO_SLOT : found.slot;
  const msg = discoverLine(f.who, own === NO_SLOT ? undefined : leases.hostnameOf(own));
  if (refused(f, msg)) return;
  const fixed = found.fixed;
  if (fixed !== undefined) {
    out.reply = leaseReply(f, 'offer', fixed.address, planLease(f, undefined, fixed.subnet, fixed.address));
    out.log.push(msg, replyLine('DHCPOFFER', f.who, fixed.address, f.hostname));
    return;
  }
  let slot = own;
  let peerHasLeases = false;
  if (slot === NO_SLOT) {
    const pools = admittedPools(f, false);
    const role = failoverRole(f, pools);
    if (role === undefined) slot = leases.allocate(pools, false, ctx.now);
    else {
      slot = leases.allocateFailover(pools, role === 'secondary', ctx.now);
      peerHasLeases = leases.peerHasLeases;
    }
    if (slot === NO_SLOT) {
      out.log.push(
        peerHasLeases
          ? `${msg}: peer holds all free leases`
          : `${msg}: network ${networkName(loc.network)}: no free leases`,
      );
      return;
    }
    if (leases.stateOf(slot) === ABANDONED)
      out.log.push(`Reclaiming abandoned lease ${ipToString(leases.address[slot]!)}.`);
    else if (leases.isOffered(slot, ctx.now))
      out.log.push(`Reclaiming offered lease ${ipToString(leases.address[slot]!)}: no free leases.`);
  }
  if (ctx.failover !== undefined) {
    if (own !== NO_SLOT) peerHasLeases = peerHoldsFree(f, admittedPools(f, false));
    if (!mayOffer(f, slot, msg, peerHasLeases)) return;
  }
  const address = leases.address[slot]!;
  const pool = leases.poolOfSlot(slot);
  const subnet = subnetInNetwork(loc.network, address) ?? pool.subnet ?? loc.subnet;
  const plan = planLease(f, pool, subnet, address);
  if (ctx.failover !== undefined) capLeaseTime(f, slot, plan, false);
  const minSecs = lookupParameter(plan.chain, 'min-secs')?.value;
  if (typeof minSecs === 'number' && f.request.secs < minSecs) {
    // Let another server answer first (ISC ack_lease): no offer, nothing held.
    out.log.push(
      `${msg}: configured min-secs value (${minSecs}) is greater than secs field (${f.request.secs}).  message dropped.`,
    );
    return;
  }
  if (!billLease(f, slot, 'offer', msg)) return;
  const reused = reuse(f, slot, plan, 'offer');
  const probe = probeFor(f, slot, plan.chain);
  const reply = leaseReply(f, 'offer', address, plan);
  if (probe !== undefined) out.probe = probe;
  if (!reused) {
    const activeEnds = leases.stateOf(slot) === ACTIVE ? leases.endsOf(slot) : 0;
    leases.offer(slot, f.id, f.hostname, ctx.now, Math.max(ctx.now + (ctx.offerHold ?? OFFER_HOLD), activeEnds));
  }
  out.log.push(msg, replyLine('DHCPOFFER', f.who, address, f.hostname ?? leases.hostnameOf(slot)));
  out.reply = reply;
}

/**
 * ISC do_ping_check: probe an address before offering it unless it is the client's active lease, or
 * the same client had it less than ping-cltt-secs ago. ping-check is on unless configured off.
 */
function probeFor(f: RequestFacts, slot: number, chain: readonly Scope[]): Probe | undefined {
  const leases = f.ctx.leases;
  if (lookupParameter(chain, 'ping-check')?.value === false) return undefined;
  const state = leases.stateOf(slot);
  if (state === ACTIVE) return undefined;
  const cltt = leases.clttOf(slot);
  if (state !== ABANDONED && cltt > 0 && leases.belongsTo(slot, f.id)) {
    const threshold = numberParameter(chain, 'ping-cltt-secs') ?? 60;
    if (f.ctx.now - cltt < threshold) return undefined;
  }
  const ms = numberParameter(chain, 'ping-timeout-ms');
  const secs = numberParameter(chain, 'ping-timeout') ?? 1;
  return { address: leases.address[slot]!, timeoutMs: ms !== undefined && ms > 0 ? ms : secs * 1000 };
}

function numberParameter(chain: readonly Scope[], name: string): number | undefined {
  const v = lookupParameter(chain, name)?.value;
  return typeof v === 'number' ? v : undefined;
}

/**
 * Something answered the probe of an offered address: it is in use by a host we do not know. ISC
 * abandons it ("pinged before offer") and sends no offer; the client's next DISCOVER gets another.
 */
export function probeAnswered(
  leases: Allocator,
  address: number,
  now: number,
  abandonTime = ABANDON_LEASE_TIME,
): HandleResult {
  const out: HandleResult = { changes: [], log: [] };
  const slot = leases.slotOf(address);
  if (slot === NO_SLOT || leases.stateOf(slot) === ACTIVE || leases.stateOf(slot) === ABANDONED) return out;
  out.changes.push({ reason: 'conflict', lease: leases.abandon(slot, now, abandonTime) });
  out.log.push(`Abandoning IP address ${ipToString(address)}: pinged before offer`);
  return out;
}

/** `deny unknown-clients` / `deny booting` in the client's scopes (ISC ack_lease): log and drop. */
function refused(f: RequestFacts, msg: string): boolean {
  const subnet = f.loc?.subnet;
  if (subnet === undefined) return false;
  const chain = chainFor(f, undefined, subnet);
  if (f.host === undefined && allowDeny(chain, 'unknown-clients') !== 'allow') {
    f.out.log.push(`${msg}: unknown client`);
    return true;
  }
  if (allowDeny(chain, 'booting') !== 'allow') {
    f.out.log.push(`${msg}: booting disallowed`);
    return true;
  }
  return false;
}

function nak(f: RequestFacts, msg: string, reason: string, cip: number, subnet = f.loc?.subnet): void {
  f.out.log.push(`${msg}: ${reason}`, nakLine(f.who, cip));
  // ISC's option 56 is the text its last lease lookup left (dhcp_message), not the logged reason.
  f.out.reply = nakReply(f, subnet, f.ctx.leases.nakMessage);
}

/** ISC dhcprequest: the lease at the address asked for, checked against where the client is. */
function dhcpRequest(f: RequestFacts): void {
  const { ctx, out, request } = f;
  const leases = ctx.leases;
  const cip = f.requestedAddress ?? request.ciaddr;
  const claimed = subnetFor(ctx.tree, cip);
  // ISC looks the lease up on the network of the address asked for (a RENEWING client's unicast may
  // come through a router, not from the link it is on).
  const net = claimed?.sharedNetwork;
  const host = net !== undefined && net !== f.loc?.network ? findHost(f.id, net, ctx) : f.host;
  const found: Found | undefined = claimed === undefined ? undefined : lookUp(f, net, 'request', host);
  const slot = found?.slot ?? NO_SLOT;
  const msg = requestLine(f.who, cip, f.serverIdOption, slot === NO_SLOT ? undefined : leases.hostnameOf(slot));
  const loc = f.loc;
  // Where the client is must agree with what it asks for: a requested address (INIT-REBOOT,
  // SELECTING) or a relayed renewal is checked against the network it came from.
  if (
    loc === undefined ||
    (request.ciaddr !== 0 && request.giaddr !== 0) ||
    (f.requestedAddress !== undefined && request.ciaddr === 0)
  ) {
    if (loc === undefined) {
      if (claimed !== undefined && authoritativeFor(claimed)) nak(f, msg, 'wrong network.', cip, claimed);
      else out.log.push(`${msg}: ignored (${claimed !== undefined ? 'not authoritative' : 'unknown subnet'}).`);
      return;
    }
    if (subnetInNetwork(loc.network, cip) === undefined) {
      if (authoritativeFor(loc.subnet)) nak(f, msg, 'wrong network.', cip);
      else out.log.push(`${msg}: ignored (not authoritative).`);
      return;
    }
  }
  const fixed = found?.fixed;
  if (slot === NO_SLOT && fixed === undefined) {
    if (found?.ours === true) nak(f, msg, `lease ${ipToString(cip)} unavailable.`, cip, claimed);
    else out.log.push(`${msg}: unknown lease ${ipToString(cip)}.`);
    return;
  }
  if (ctx.failover !== undefined && fixed === undefined) {
    const gate = requestGate(f, slot);
    if (gate.action === 'ignore') {
      out.log.push(`${msg}: ${gate.reason}`);
      return;
    }
    if (gate.action === 'nak') {
      nak(f, msg, gate.reason, cip, claimed);
      return;
    }
  }
  if (refused(f, msg)) return;
  if (fixed !== undefined) {
    // A fixed address is static: nothing to write, ISC does not record it either.
    const plan = planLease(f, undefined, fixed.subnet, cip);
    const fqdn = planStaticDdns(f, plan.chain, cip, leaseEnds(ctx.now, plan.times));
    if (fqdn !== undefined) plan.fqdn = fqdn;
    out.reply = leaseReply(f, 'ack', cip, plan);
    out.log.push(msg, replyLine('DHCPACK', f.who, cip, f.hostname));
    return;
  }
  if (found?.reclaimedAbandoned === true) out.log.push(`Reclaiming REQUESTed abandoned IP address ${ipToString(cip)}.`);
  commitAck(f, slot, msg);
}

function commitAck(f: RequestFacts, slot: number, msg: string): void {
  const { ctx, out } = f;
  const leases = ctx.leases;
  const address = leases.address[slot]!;
  const pool = leases.poolOfSlot(slot);
  const subnet = subnetFor(ctx.tree, address) ?? pool.subnet;
  if (subnet === undefined) return; // a range outside every subnet: the configuration check refuses it
  const plan = planLease(f, pool, subnet, address);
  const tstp = ctx.failover === undefined ? undefined : capLeaseTime(f, slot, plan, true);
  if (lookupParameter(plan.chain, 'one-lease-per-client')?.value === true) {
    for (const other of leases.clientSlots(f.id)) {
      if (other !== slot && leases.stateOf(other) === ACTIVE) {
        out.changes.push({ reason: 'one-lease-per-client', lease: leases.release(other, ctx.now) });
      }
    }
  }
  if (!billLease(f, slot, 'ack', msg)) return;
  const dnsVars = leases.endsOf(slot) >= ctx.now ? leases.leaseScopeOf(slot)?.variables : undefined;
  const fqdn = planCommitDdns(f, plan.chain, address, leaseEnds(ctx.now, plan.times), dnsVars);
  const ddnsStarted = out.ddnsStarted === true;
  commitEvents(f, plan.chain, slot, leaseEnds(ctx.now, plan.times));
  if (!reuse(f, slot, plan, 'ack', ddnsStarted)) {
    const agent = stashedAgentOptions(f.request, plan.chain, ctx.tree.catalogue);
    const lease = leases.commit(
      slot,
      f.id,
      f.hostname,
      ctx.now,
      leaseEnds(ctx.now, plan.times),
      false,
      agent,
      tstp === undefined ? undefined : { tstp },
    );
    out.changes.push({ reason: 'commit', lease });
  }
  if (fqdn !== undefined) plan.fqdn = fqdn;
  const reply = leaseReply(f, 'ack', address, plan);
  // The lease's host name as it now is: the request's, the one a reuse kept, or none.
  out.log.push(msg, replyLine('DHCPACK', f.who, address, leases.hostnameOf(slot)));
  out.reply = reply;
}
