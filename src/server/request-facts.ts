// What the engine learns about one request before deciding: the client's identity, its link
// (subnet / shared network), its host declaration, its classes, the pools it may use, and the
// settings chain of a candidate address. Computed once per request.

import type { Bindings, LeaseFacts } from '../conf/eval.js';
import type { Pool, Scope, Subnet } from '../conf/scope-tree.js';
import { isAuthoritative, settingsChain } from '../conf/scope-tree.js';
import {
  DHCPREQUEST,
  type DhcpMessage,
  getMessageType,
  OPT_MESSAGE_TYPE,
  OPT_RELAY_AGENT_INFO,
  RAI_SERVER_ID_OVERRIDE,
  readIpv4,
} from '../wire/index.js';
import { withStashedAgentOptions } from './agent-options.js';
import { ACTIVE, NO_SLOT } from './allocator.js';
import { evalClassifier } from './classify.js';
import { type ClientIdentity, clientIdentity } from './client-id.js';
import { findHost, type HostMatch, type Location, locate, poolAdmits } from './locate.js';
import { clientLabel, viaLabel, type Who } from './log.js';
import { OPT_HOST_NAME, OPT_REQUESTED_ADDRESS, OPT_SERVER_ID, optionData } from './reply-options.js';
import {
  type ChainEffects,
  type ChainInputs,
  type EvaluatedChain,
  evaluateChain,
  isDynamicChain,
} from './scope-eval.js';
import type { ClassMatch, EngineContext, HandleResult } from './types.js';

export interface RequestFacts {
  request: DhcpMessage;
  ctx: EngineContext;
  out: HandleResult;
  id: ClientIdentity;
  who: Who;
  loc: Location | undefined;
  host: HostMatch | undefined;
  classes: readonly ClassMatch[];
  classNames: ReadonlySet<string>;
  /** Option 12 as the client sent it (latin1). */
  hostname: string | undefined;
  requestedAddress: number | undefined;
  serverIdOption: number | undefined;
  /** RFC 5107: the relay asked that replies name this address as the server identifier. */
  serverIdOverride: number | undefined;
}

const NO_CLASSES: readonly ClassMatch[] = [];

export function gatherFacts(request: DhcpMessage, ctx: EngineContext, out: HandleResult): RequestFacts {
  const id = clientIdentity(request);
  const loc = locate(request, ctx);
  // ISC classifies DHCP messages only (dhcp.c classify_client): a BOOTP request belongs to no class.
  const classes = request.options.has(OPT_MESSAGE_TYPE)
    ? (ctx.classify ?? evalClassifier)(stashed(request, id, ctx), ctx.tree)
    : NO_CLASSES;
  const name = request.options.get(OPT_HOST_NAME);
  const req = request.options.get(OPT_REQUESTED_ADDRESS);
  const sid = request.options.get(OPT_SERVER_ID);
  return {
    request,
    ctx,
    out,
    id,
    who: { client: clientLabel(request, id.uid), via: viaLabel(request, ctx.interface.name) },
    loc,
    host: findHost(id, loc?.network, ctx),
    classes,
    classNames: new Set(classes.map((c) => c.name)),
    hostname:
      name !== undefined && name.length > 0 ? Buffer.from(name).toString('latin1').replace(/\0+$/, '') : undefined,
    requestedAddress: req?.length === 4 ? readIpv4(req, 0) : undefined,
    serverIdOption: sid?.length === 4 ? readIpv4(sid, 0) : undefined,
    serverIdOverride: overrideOf(request),
  };
}

/** RFC 5107's sub-option 11 of option 82, read in place (every relayed request asks; few carry it). */
function overrideOf(request: DhcpMessage): number | undefined {
  const rai = request.options.get(OPT_RELAY_AGENT_INFO);
  if (rai === undefined) return undefined;
  for (let i = 0; i + 1 < rai.length; i += 2 + rai[i + 1]!) {
    if (rai[i] === RAI_SERVER_ID_OVERRIDE && rai[i + 1] === 4 && i + 6 <= rai.length) return readIpv4(rai, i + 2);
  }
  return undefined;
}

/** The request as classes see it: a relayed client's direct renewal gets its lease's agent options. */
function stashed(request: DhcpMessage, id: ClientIdentity, ctx: EngineContext): DhcpMessage {
  if (request.ciaddr === 0 || request.giaddr !== 0 || request.options.has(OPT_RELAY_AGENT_INFO)) return request;
  if (ctx.tree.classes.size === 0 || getMessageType(request.options) !== DHCPREQUEST) return request;
  const leases = ctx.leases;
  const slot = leases.slotOf(request.ciaddr);
  if (slot === NO_SLOT || leases.stateOf(slot) !== ACTIVE || leases.endsOf(slot) < ctx.now) return request;
  if (!leases.belongsTo(slot, id)) return request;
  return withStashedAgentOptions(request, leases.agentOptionsOf(slot), ctx.tree.catalogue);
}

/** The pools of the client's network (or `network`) its permits admit, as allocator pool indexes. */
export function admittedPools(f: RequestFacts, bootp: boolean, network = f.loc?.network): number[] {
  const out: number[] = [];
  if (network === undefined) return out;
  const facts = { known: f.host !== undefined, bootp, classes: f.classNames, now: f.ctx.now };
  for (const pool of network.pools) {
    if (!poolAdmits(pool, facts)) continue;
    const i = f.ctx.leases.poolIndexOf(pool);
    if (i >= 0) out.push(i);
  }
  return out;
}

/** Chains of clients without host or class, by the pool (or subnet) they apply to: the snapshot is immutable. */
const plainChains = new WeakMap<object, Scope[]>();

/** The lease a chain is run for: what `leased-address` and friends see, and its variables. */
export interface ChainLease {
  facts: LeaseFacts;
  bindings?: Bindings | undefined;
}

/** Chains run for a request, by request and what they were run for (a request may ask twice). */
const evaluations = new WeakMap<DhcpMessage, Map<string, EvaluatedChain>>();
const effectsByChain = new WeakMap<readonly Scope[], ChainEffects>();

/**
 * The settings that apply to the client at an address of `pool`/`subnet`. A chain of constants is
 * returned as it is; one with statements is run for this request (scope-eval.ts) and its result
 * returned, the effects kept for effectsOf.
 */
export function chainFor(
  f: RequestFacts,
  pool: Pool | undefined,
  subnet: Subnet | undefined,
  lease?: ChainLease,
): Scope[] {
  const chain = staticChain(f, pool, subnet);
  if (!isDynamicChain(chain)) return chain;
  let memo = evaluations.get(f.request);
  if (memo === undefined) {
    memo = new Map();
    evaluations.set(f.request, memo);
  }
  const poolKey = pool === undefined ? -1 : f.ctx.leases.poolIndexOf(pool);
  const addr = lease?.facts.address;
  const key = `${f.host === undefined ? '' : f.host.host.name}|${poolKey}|${subnet?.network ?? -1}|${addr === undefined ? '' : addr.join('.')}`;
  let ev = memo.get(key);
  if (ev === undefined) {
    ev = evaluateChain(chain, chainInputs(f, lease?.facts, lease?.bindings));
    memo.set(key, ev);
    effectsByChain.set(ev.chain, ev.effects);
  }
  return ev.chain;
}

/** What the configuration's statements see of this request: the packet, host, classes, the lease. */
export function chainInputs(
  f: RequestFacts,
  lease: LeaseFacts | undefined,
  bindings: Bindings | undefined,
): ChainInputs {
  return {
    request: f.request,
    catalogue: f.ctx.tree.catalogue,
    known: f.host !== undefined,
    classes: f.classNames,
    now: f.ctx.now,
    lease,
    resolveHost: f.ctx.resolveHost,
    bindings,
  };
}

/** What running a chain's statements produced (log lines, programs, events, variables), if it ran. */
export function effectsOf(chain: readonly Scope[]): ChainEffects | undefined {
  return effectsByChain.get(chain);
}

/**
 * Chains of clients with a host or classes, by the pool (or subnet) they apply to and what else built
 * them: one array per combination, so what is derived from a chain (its options' hash order) is derived
 * once. Bounded: a configuration with very many hosts starts over rather than grow without end.
 */
const classedChains = new WeakMap<object, Map<string, Scope[]>>();
const CLASSED_CHAINS_MAX = 4096;
const ids = new WeakMap<object, number>();
let nextId = 1;

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

function staticChain(f: RequestFacts, pool: Pool | undefined, subnet: Subnet | undefined): Scope[] {
  const anchor = pool ?? subnet;
  const plain = f.host === undefined && f.classes.length === 0;
  const sameSubnet = pool === undefined || pool.subnet === subnet || subnet === undefined;
  if (plain && anchor !== undefined && sameSubnet) {
    const cached = plainChains.get(anchor);
    if (cached !== undefined) return cached;
  }
  let key: string | undefined;
  let byKey: Map<string, Scope[]> | undefined;
  if (!plain && anchor !== undefined) {
    key = sameSubnet ? '' : `s${idOf(subnet!)}`;
    if (f.host !== undefined) key += `h${idOf(f.host.host)}`;
    for (const c of f.classes) key += `c${idOf(c.scope)}`;
    byKey = classedChains.get(anchor);
    const cached = byKey?.get(key);
    if (cached !== undefined) return cached;
  }
  const chain = settingsChain({
    ...(f.host !== undefined ? { host: f.host.host } : {}),
    classes: f.classes.map((c) => c.scope),
    ...(pool !== undefined ? { pool } : {}),
    ...(subnet !== undefined ? { subnet } : {}),
  });
  if (plain && anchor !== undefined && sameSubnet) plainChains.set(anchor, chain);
  else if (key !== undefined && anchor !== undefined) {
    if (byKey === undefined) {
      byKey = new Map();
      classedChains.set(anchor, byKey);
    } else if (byKey.size >= CLASSED_CHAINS_MAX) byKey.clear();
    byKey.set(key, chain);
  }
  return chain;
}

/** allow/deny/ignore of a flag along a chain (innermost first), default allow. */
export function allowDeny(chain: readonly Scope[], what: string): 'allow' | 'deny' | 'ignore' {
  for (const s of chain) {
    const v = s.allowDeny.get(what);
    if (v !== undefined) return v;
  }
  return 'allow';
}

export function authoritativeFor(subnet: Subnet): boolean {
  return isAuthoritative(settingsChain({ subnet }));
}

/**
 * The server identifier the client sees: the relay's RFC 5107 override, else `server-identifier` in
 * scope, else the daemon's choice, else the receiving interface's primary address. (ISC dhcpd 4.4.3
 * ignores RFC 5107: README, departures.)
 */
export function serverIdFor(f: RequestFacts, chain: readonly Scope[]): number {
  if (f.serverIdOverride !== undefined) return f.serverIdOverride;
  for (const s of chain) {
    const st = s.options.get('dhcp.dhcp-server-identifier');
    if (st === undefined) continue;
    const d = optionData(st, f.ctx.tree.catalogue, f.ctx.resolveHost);
    if (d?.length === 4) return readIpv4(d, 0);
  }
  return f.ctx.serverId ?? f.ctx.interface.addresses[0] ?? 0;
}
