// What an operator asks a running server, answered from its state as the engine keeps it: leases (filtered,
// paged by a cursor), a lease by address, the pools' counts, hosts. Pure: the HTTP API (src/http/) calls these
// and decides when; nothing here copies the lease table - a listing walks at most the slots its caller allows
// (`budget`) and says where to go on, so a million leases are never walked in one turn.
//
// Slots are in address order (address-table.ts sorts its ranges), so a cursor is the address to go on from: it
// stays valid across a reload, which replaces the allocator and renumbers the slots.

import type { Host, Pool, ScopeTree } from '../conf/scope-tree.js';
import { ipv4ToString } from '../leases/lease.js';
import { colonHex, hardwareTypeName } from '../leases/text.js';
import type { Catalogue } from '../options/catalogue.js';
import { formatOptionValue } from '../options/format.js';
import { parseIpv4 } from '../wire/ip.js';
import { STATE_NAMES } from './address-table.js';
import { type Allocator, FREE, NO_SLOT } from './allocator.js';
import type { DynamicHosts } from './dynamic-hosts.js';
import { networkName } from './log.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface LeaseJson {
  ip: string;
  state: string;
  /** Colon hex; prefixed by the hardware type's name when it is not ethernet ("token-ring 0:1:..."). */
  hardware: string | null;
  /** Colon hex of the client identifier. */
  clientId: string | null;
  hostname: string | null;
  starts: string | null;
  ends: string | null;
  /** The client's last transaction. */
  cltt: string | null;
  pool: string | null;
}

/** ISO 8601 in UTC, whole seconds; null for no time, 0 and "never". */
export function isoTime(seconds: number | undefined): string | null {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A pool's name in the API: its first range ("192.0.2.100-192.0.2.199"), else its place ("pool-3"). */
export function poolName(pool: Pool, index: number): string {
  const r = pool.ranges[0];
  return r === undefined ? `pool-${index + 1}` : `${ipv4ToString(r.low)}-${ipv4ToString(r.high)}`;
}

function hardwareText(type: number, address: Uint8Array): string {
  return type === 1 ? colonHex(address) : `${hardwareTypeName(type)} ${colonHex(address)}`;
}

/** Whether the slot has ever held a lease (the listing leaves out addresses never handed out). */
export function hasLease(alloc: Allocator, slot: number): boolean {
  if (alloc.isFixed(slot)) return false;
  return alloc.stateOf(slot) !== FREE || alloc.clttOf(slot) > 0 || alloc.endsOf(slot) > 0;
}

export function leaseJson(alloc: Allocator, slot: number): LeaseJson {
  const r = alloc.record(slot);
  const pool = alloc.poolOfSlot(slot);
  return {
    ip: ipv4ToString(r.address),
    state: r.bindingState ?? 'free',
    hardware: r.hardware !== undefined ? hardwareText(r.hardware.type, r.hardware.address) : null,
    clientId: r.uid !== undefined && r.uid.length > 0 ? colonHex(r.uid) : null,
    hostname: r.clientHostname ?? null,
    starts: isoTime(r.starts),
    ends: isoTime(r.ends),
    cltt: isoTime(r.cltt),
    pool: pool === undefined ? null : poolName(pool, alloc.poolIndexOf(pool)),
  };
}

/** The lease of an address: undefined when no pool holds it; an error for a malformed one. */
export function leaseByIp(alloc: Allocator, text: string): LeaseJson | undefined | { error: string } {
  const a = parseIpv4(text);
  if (a === undefined) return { error: `${JSON.stringify(text)} is not an IPv4 address` };
  const slot = alloc.slotOf(a);
  return slot === NO_SLOT ? undefined : leaseJson(alloc, slot);
}

// ---- listing

/** The query's filters as they were given (strings), before they are compiled against an allocator. */
export interface LeaseQuery {
  state?: string | undefined;
  pool?: string | undefined;
  mac?: string | undefined;
  hostname?: string | undefined;
  ip?: string | undefined;
}

export interface LeaseFilter {
  /** Bit per binding state. */
  states: number;
  /** Pool indexes admitted; undefined for all. */
  pools: ReadonlySet<number> | undefined;
  mac: Uint8Array | undefined;
  hostname: string | undefined;
  /** Addresses from..to (CIDR), or a textual prefix of the dotted quad. */
  low: number;
  high: number;
  prefix: string | undefined;
}

/** A colon- (or dash-) separated hardware address, 1 to 16 octets. */
export function parseHex(text: string): Uint8Array | undefined {
  const parts = text.trim().split(/[:-]/);
  if (parts.length < 1 || parts.length > 16 || !parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** Compiles the filters for one allocator (pool names are resolved against its configuration). */
export function compileFilter(q: LeaseQuery, alloc: Allocator): LeaseFilter | { error: string } {
  let states = (1 << STATE_NAMES.length) - 1;
  if (q.state !== undefined && q.state !== '') {
    states = 0;
    for (const s of q.state.split(',')) {
      const i = STATE_NAMES.indexOf(s.trim().toLowerCase() as (typeof STATE_NAMES)[number]);
      if (i < 0) return { error: `unknown state ${JSON.stringify(s)} (one of ${STATE_NAMES.join(', ')})` };
      states |= 1 << i;
    }
  }
  let pools: Set<number> | undefined;
  if (q.pool !== undefined && q.pool !== '') {
    pools = new Set();
    alloc.pools.forEach((p, i) => {
      if (poolName(p, i) === q.pool || networkName(p.sharedNetwork) === q.pool) pools!.add(i);
    });
    if (pools.size === 0) return { error: `no pool or network is named ${JSON.stringify(q.pool)}` };
  }
  let mac: Uint8Array | undefined;
  if (q.mac !== undefined && q.mac !== '') {
    mac = parseHex(q.mac);
    if (mac === undefined) return { error: `${JSON.stringify(q.mac)} is not a hardware address (aa:bb:cc:dd:ee:ff)` };
  }
  let low = 0;
  let high = 0xffffffff;
  let prefix: string | undefined;
  if (q.ip !== undefined && q.ip !== '') {
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(q.ip);
    if (cidr !== null) {
      const base = parseIpv4(cidr[1]!);
      const len = Number(cidr[2]);
      if (base === undefined || len > 32) return { error: `${JSON.stringify(q.ip)} is not an address prefix` };
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      low = (base & mask) >>> 0;
      high = (low | (~mask >>> 0)) >>> 0;
    } else if (/^[0-9.]+$/.test(q.ip)) prefix = q.ip;
    else return { error: `${JSON.stringify(q.ip)} is not an address prefix (192.0.2. or 192.0.2.0/24)` };
  }
  const hostname = q.hostname !== undefined && q.hostname !== '' ? q.hostname.toLowerCase() : undefined;
  return { states, pools, mac, hostname, low, high, prefix };
}

function matches(alloc: Allocator, slot: number, f: LeaseFilter): boolean {
  if (!hasLease(alloc, slot)) return false;
  if (!(f.states & (1 << alloc.stateOf(slot)))) return false;
  const a = alloc.address[slot]!;
  if (a < f.low || a > f.high) return false;
  if (f.pools !== undefined && !f.pools.has(alloc.poolIndexOf(alloc.poolOfSlot(slot)))) return false;
  if (f.prefix !== undefined && !ipv4ToString(a).startsWith(f.prefix)) return false;
  if (f.hostname !== undefined && !(alloc.hostnameOf(slot)?.toLowerCase().includes(f.hostname) ?? false)) {
    return false;
  }
  return true;
}

/** The first slot whose address is `address` or above (slotCount when none). */
export function slotAtOrAfter(alloc: Allocator, address: number): number {
  let lo = 0;
  let hi = alloc.slotCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (alloc.address[mid]! < address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface LeaseScan {
  items: LeaseJson[];
  /**
   * Where to go on: the address of the next match when the page is full, or of the next slot to look at
   * when the budget ran out; undefined when nothing is left.
   */
  next: number | undefined;
  /** True when the page is full (or nothing is left); false when only the budget stopped the walk. */
  complete: boolean;
}

/**
 * Up to `limit` leases matching `f` from `from` (an address) on, looking at no more than `budget` slots.
 * With a hardware address the client's own chain is read instead of the table.
 */
export function scanLeases(alloc: Allocator, f: LeaseFilter, from: number, limit: number, budget: number): LeaseScan {
  const items: LeaseJson[] = [];
  if (f.mac !== undefined) {
    const slots = alloc
      .hwSlots({ type: 1, address: f.mac })
      .filter((s) => alloc.address[s]! >= from && matches(alloc, s, f))
      .sort((a, b) => a - b);
    for (const s of slots) {
      if (items.length === limit) return { items, next: alloc.address[s], complete: true };
      items.push(leaseJson(alloc, s));
    }
    return { items, next: undefined, complete: true };
  }
  let slot = slotAtOrAfter(alloc, Math.max(from, f.low));
  for (let seen = 0; slot < alloc.slotCount; slot++, seen++) {
    if (alloc.address[slot]! > f.high) break;
    if (seen === budget) return { items, next: alloc.address[slot], complete: false };
    if (!matches(alloc, slot, f)) continue;
    if (items.length === limit) return { items, next: alloc.address[slot], complete: true };
    items.push(leaseJson(alloc, slot));
  }
  return { items, next: undefined, complete: true };
}

/** An opaque cursor: the address to go on from. */
export function encodeCursor(address: number): string {
  return Buffer.from(`a${address.toString(16)}`).toString('base64url');
}

export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  if (!/^a[0-9a-f]{1,8}$/.test(text)) return undefined;
  return Number.parseInt(text.slice(1), 16);
}

// ---- pools

/** Leases per pool and binding state: counts[pool * STATE_COUNT + state]. */
export const STATE_COUNT = STATE_NAMES.length;

/** Adds the states of slots from..to-1 to `counts` (a census is split into such pieces across turns). */
export function countStates(alloc: Allocator, from: number, to: number, counts: Float64Array): void {
  let pool = alloc.slotCount > 0 && from < alloc.slotCount ? alloc.poolOfSlot(from) : undefined;
  let base = pool === undefined ? 0 : alloc.poolIndexOf(pool) * STATE_COUNT;
  const end = Math.min(to, alloc.slotCount);
  for (let slot = from; slot < end; slot++) {
    const p = alloc.poolOfSlot(slot);
    if (p !== pool) {
      pool = p;
      base = alloc.poolIndexOf(p) * STATE_COUNT;
    }
    if (alloc.isFixed(slot)) continue;
    counts[base + alloc.stateOf(slot)]!++;
  }
}

export interface PoolJson {
  name: string;
  network: string;
  ranges: string[];
  failoverPeer: string | null;
  total: number;
  free: number;
  backup: number;
  active: number;
  abandoned: number;
  /** active / total (0 for an empty pool). */
  utilization: number;
}

/** Each pool's counts: total, free, backup and abandoned from the allocator's lists, active from a census. */
export function poolsJson(alloc: Allocator, counts: Float64Array): PoolJson[] {
  return alloc.pools.map((pool, i) => {
    const s = alloc.stats(i);
    const active = counts[i * STATE_COUNT + STATE_NAMES.indexOf('active')] ?? 0;
    return {
      name: poolName(pool, i),
      network: networkName(pool.sharedNetwork),
      ranges: pool.ranges.map((r) => `${ipv4ToString(r.low)}-${ipv4ToString(r.high)}`),
      failoverPeer: pool.failoverPeer ?? null,
      total: s.total,
      free: s.free,
      backup: s.backup,
      active,
      abandoned: s.abandoned,
      utilization: s.total > 0 ? active / s.total : 0,
    };
  });
}

// ---- hosts

export interface HostJson {
  name: string;
  /** Colon hex; prefixed by the hardware type's name when it is not ethernet. */
  hardware: string | null;
  fixedAddress: string | null;
  /** Colon hex of the client identifier. */
  clientId: string | null;
  /** Option name (`space.name` outside the dhcp space) -> value: text as it is, others as dhcpd.conf writes them. */
  options: Record<string, string>;
  /** Created at run time (OMAPI, the API); false for a host of dhcpd.conf. */
  dynamic: boolean;
}

export function hostJson(host: Host, dynamic: boolean, catalogue: Catalogue): HostJson {
  const options: Record<string, string> = {};
  for (const st of host.scope.options.values()) {
    if (st.value === undefined) continue; // `option x = expression;`: no constant to show
    const key = st.option.space === 'dhcp' ? st.option.name : `${st.option.space}.${st.option.name}`;
    try {
      const t = st.option.type;
      options[key] = t.kind === 'text' ? String(st.value) : formatOptionValue(t, st.value, catalogue, 'conf');
    } catch {
      // a value the formatter cannot print is left out rather than shown wrong
    }
  }
  const hw = host.hardware;
  return {
    name: host.name,
    hardware:
      hw === undefined ? null : hw.type === 'ethernet' ? colonHex(hw.address) : `${hw.type} ${colonHex(hw.address)}`,
    fixedAddress: host.fixedAddresses[0] ?? null,
    clientId: host.uid !== undefined && host.uid.length > 0 ? colonHex(host.uid) : null,
    options,
    dynamic,
  };
}

/** Every host the server serves: dynamic ones, and those of dhcpd.conf neither removed nor replaced. */
function* liveHosts(tree: ScopeTree, hosts: DynamicHosts): IterableIterator<{ host: Host; dynamic: boolean }> {
  const seen = new Set<string>();
  for (const h of tree.hosts) {
    if (seen.has(h.name)) continue; // the first of a name is the one OMAPI finds
    seen.add(h.name);
    if (!hosts.masked.has(h) && hosts.get(h.name) === undefined) yield { host: h, dynamic: false };
  }
  for (const d of hosts.values()) yield { host: d.host, dynamic: true };
}

export function hostByName(tree: ScopeTree, hosts: DynamicHosts, name: string): HostJson | undefined {
  const dyn = hosts.get(name);
  if (dyn !== undefined) return hostJson(dyn.host, true, catalogueOf(tree));
  const conf = tree.hosts.find((h) => h.name === name);
  return conf === undefined || hosts.masked.has(conf) ? undefined : hostJson(conf, false, catalogueOf(tree));
}

export interface HostQuery {
  /** Substring of the name, any case. */
  name?: string | undefined;
  mac?: Uint8Array | undefined;
}

/** Hosts by name, `limit` after the name `after`; `next` is the last name given when more follow. */
export function hostsPage(
  tree: ScopeTree,
  hosts: DynamicHosts,
  q: HostQuery,
  after: string | undefined,
  limit: number,
): { items: HostJson[]; next: string | undefined } {
  const name = q.name?.toLowerCase();
  const mac = q.mac === undefined ? undefined : colonHex(q.mac);
  const found: { host: Host; dynamic: boolean }[] = [];
  for (const e of liveHosts(tree, hosts)) {
    if (after !== undefined && e.host.name <= after) continue;
    if (name !== undefined && !e.host.name.toLowerCase().includes(name)) continue;
    if (mac !== undefined && (e.host.hardware === undefined || colonHex(e.host.hardware.address) !== mac)) continue;
    found.push(e);
  }
  found.sort((a, b) => (a.host.name < b.host.name ? -1 : a.host.name > b.host.name ? 1 : 0));
  const page = found.slice(0, limit);
  const cat = catalogueOf(tree);
  return {
    items: page.map((e) => hostJson(e.host, e.dynamic, cat)),
    next: found.length > limit ? page.at(-1)?.host.name : undefined,
  };
}

/** The tree's catalogue as the option formatter takes it. */
export function catalogueOf(tree: ScopeTree): Catalogue {
  return tree.catalogue as unknown as Catalogue;
}
