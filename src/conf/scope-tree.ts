// The semantic pass: turns a parsed dhcpd.conf (ast.ts) into the typed scope tree the server
// engine reads — global > shared-network > subnet > pool, with groups, hosts and classes — plus
// indexes (subnets by address, hosts by hardware address / client identifier / name). The result
// is immutable: a reload builds a new tree and swaps it between two packets.
//
// Each scope holds only its own settings; `settingsChain` gives the order in which a request's
// scopes apply (ISC evaluates outermost first, inner scopes override).

import type { Catalogue } from '../options/catalogue.js';
import { encodeOptionValue } from '../options/codec.js';
import type {
  ClassDecl,
  ConfFile,
  Executable,
  FailoverPeerDecl,
  HostDecl,
  KeyDecl,
  OptionStatement,
  ParameterStatement,
  Permit,
  Pos,
  Statement,
  ZoneDecl,
} from './ast.js';
import type { CatalogueLike } from './catalogue.js';

export type ScopeKind = 'global' | 'shared-network' | 'subnet' | 'pool' | 'group' | 'host' | 'class' | 'subclass';

/** One scope: its own option and parameter statements, and everything else executable in order. */
export interface Scope {
  readonly kind: ScopeKind;
  readonly pos: Pos;
  readonly parent: Scope | undefined;
  /** `space.name` -> the last option statement for it in this scope. */
  readonly options: ReadonlyMap<string, OptionStatement>;
  /** Parameter name -> the last statement setting it in this scope. */
  readonly parameters: ReadonlyMap<string, ParameterStatement>;
  /** `authoritative;` / `not authoritative;` in this scope. */
  readonly authoritative: boolean | undefined;
  /** allow/deny/ignore of bootp, booting, unknown-clients, duplicates, declines, ... in this scope. */
  readonly allowDeny: ReadonlyMap<string, 'allow' | 'deny' | 'ignore'>;
  /** Conditional and event statements (if, on commit, log, execute, set, ...) in source order. */
  readonly statements: readonly Executable[];
  /**
   * Every executable statement of this scope — options, parameters, allow/deny and the conditional
   * ones — in source order, for evaluators that must reproduce ISC's order within one scope.
   */
  readonly ordered: readonly Executable[];
}

export interface AddressRange {
  readonly low: number;
  readonly high: number;
  readonly dynamicBootp: boolean;
  readonly pos: Pos;
}

export interface Pool {
  readonly scope: Scope;
  readonly ranges: readonly AddressRange[];
  readonly permits: readonly { allow: boolean; permit: Permit }[];
  /**
   * The failover peer whose pool this is (ISC pool->failover_peer): the pool's own `failover peer
   * "NAME";`, else the one its shared-network named before the pool was declared (confpars.c
   * parse_pool_statement inherits it then); `no failover peer` drops it. The pools ISC makes for
   * ranges outside any `pool` have none.
   */
  readonly failoverPeer: string | undefined;
  readonly subnet: Subnet | undefined;
  readonly sharedNetwork: SharedNetwork;
  /**
   * The pool ISC makes for ranges declared outside any `pool`: BOOTP clients may use only its
   * `range dynamic-bootp` addresses (an explicit pool admits them unless its permits deny them).
   */
  readonly implicit?: boolean;
}

export interface Subnet {
  readonly scope: Scope;
  readonly network: number;
  readonly mask: number;
  readonly prefixLength: number;
  readonly sharedNetwork: SharedNetwork;
  /** Ranges declared directly in the subnet: ISC gives them an implicit pool of their own. */
  readonly pools: readonly Pool[];
}

export interface SharedNetwork {
  readonly name: string;
  /** True for the network ISC creates around a subnet declared outside any shared-network. */
  readonly implicit: boolean;
  readonly scope: Scope;
  readonly subnets: readonly Subnet[];
  readonly pools: readonly Pool[];
}

export interface Host {
  readonly name: string;
  readonly scope: Scope;
  readonly hardware: { type: string; address: Uint8Array } | undefined;
  readonly uid: Uint8Array | undefined;
  /** Fixed addresses as written (dotted quads or host names to resolve). */
  readonly fixedAddresses: readonly string[];
  readonly decl: HostDecl;
}

export interface ClassDef {
  readonly name: string;
  readonly scope: Scope;
  readonly decl: ClassDecl;
  /** Subclasses by selector (hex of the selector bytes). */
  readonly subclasses: ReadonlyMap<string, { scope: Scope; decl: ClassDecl }>;
}

export interface ScopeTree {
  readonly global: Scope;
  readonly sharedNetworks: readonly SharedNetwork[];
  /** Every subnet, most specific (longest prefix) first, so the first match wins. */
  readonly subnets: readonly Subnet[];
  readonly pools: readonly Pool[];
  readonly hosts: readonly Host[];
  /** Lower-case colon hex of the hardware address -> hosts. */
  readonly hostsByHardware: ReadonlyMap<string, readonly Host[]>;
  /** Hex of the client identifier -> hosts. */
  readonly hostsByUid: ReadonlyMap<string, readonly Host[]>;
  readonly classes: ReadonlyMap<string, ClassDef>;
  readonly failoverPeers: ReadonlyMap<string, FailoverPeerDecl>;
  readonly keys: ReadonlyMap<string, KeyDecl>;
  readonly zones: readonly ZoneDecl[];
  readonly catalogue: CatalogueLike;
}

export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function hexKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function macKey(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

function prefixOf(mask: number): number {
  let n = 0;
  for (let bit = 31; bit >= 0 && (mask >>> bit) & 1; bit--) n++;
  return n;
}

interface MutableScope extends Scope {
  options: Map<string, OptionStatement>;
  parameters: Map<string, ParameterStatement>;
  authoritative: boolean | undefined;
  allowDeny: Map<string, 'allow' | 'deny' | 'ignore'>;
  statements: Executable[];
  ordered: Executable[];
}

function newScope(kind: ScopeKind, pos: Pos, parent: Scope | undefined): MutableScope {
  return {
    kind,
    pos,
    parent,
    options: new Map(),
    parameters: new Map(),
    authoritative: undefined,
    allowDeny: new Map(),
    statements: [],
    ordered: [],
  };
}

class Builder {
  readonly sharedNetworks: SharedNetwork[] = [];
  readonly subnets: Subnet[] = [];
  readonly pools: Pool[] = [];
  readonly hosts: Host[] = [];
  readonly classes = new Map<string, ClassDef>();
  readonly failoverPeers = new Map<string, FailoverPeerDecl>();
  readonly keys = new Map<string, KeyDecl>();
  readonly zones: ZoneDecl[] = [];
  /** The failover peer each shared-network has named so far (`failover peer "NAME";` in its body). */
  private readonly netPeer = new Map<SharedNetworkDraft, string>();

  /**
   * Fill `scope` from `body`. `net` is the shared network the statements belong to (for
   * subnets and pools), `subnet` the enclosing subnet.
   */
  fill(
    scope: MutableScope,
    body: readonly Statement[],
    ctx: { net?: SharedNetworkDraft; subnet?: SubnetDraft; pool?: PoolDraft },
  ): void {
    for (const st of body) {
      switch (st.kind) {
        case 'include':
          this.fill(scope, st.body, ctx);
          break;
        case 'option':
          scope.options.set(`${st.option.space}.${st.option.name}`, st);
          scope.ordered.push(st);
          break;
        case 'parameter':
          scope.parameters.set(st.name, st);
          scope.ordered.push(st);
          break;
        case 'authoritative':
          scope.authoritative = st.value;
          break;
        case 'allow-deny':
          scope.allowDeny.set(st.what, st.flag);
          scope.ordered.push(st);
          break;
        case 'shared-network': {
          const net: SharedNetworkDraft = {
            name: st.name,
            implicit: false,
            scope: newScope('shared-network', st.pos, scope),
            subnets: [],
            pools: [],
          };
          this.fill(net.scope, st.body, { net });
          this.sharedNetworks.push(net);
          break;
        }
        case 'subnet':
          this.subnet(scope, st, ctx.net);
          break;
        case 'pool': {
          const net = ctx.net;
          const pool: PoolDraft = {
            scope: newScope('pool', st.pos, scope),
            ranges: [],
            permits: [],
            failoverPeer: net === undefined ? undefined : this.netPeer.get(net),
            subnet: ctx.subnet,
            sharedNetwork: net as SharedNetwork,
          };
          this.fill(pool.scope, st.body, { ...ctx, pool });
          net?.pools.push(pool);
          ctx.subnet?.pools.push(pool);
          this.pools.push(pool);
          break;
        }
        case 'range': {
          const low = parseIpv4(st.low);
          const high = parseIpv4(st.high);
          if (low === undefined || high === undefined) break;
          const range = {
            low: Math.min(low, high),
            high: Math.max(low, high),
            dynamicBootp: st.dynamicBootp,
            pos: st.pos,
          };
          if (ctx.pool) ctx.pool.ranges.push(range);
          else if (ctx.subnet) ctx.subnet.implicitPool(scope, st.pos).ranges.push(range);
          break;
        }
        case 'permit':
          ctx.pool?.permits.push({ allow: st.allow, permit: st.permit });
          break;
        case 'failover-ref':
          if (ctx.pool) ctx.pool.failoverPeer = st.peer;
          else if (ctx.net) this.netPeer.set(ctx.net, st.peer);
          break;
        case 'no-failover':
          if (ctx.pool) ctx.pool.failoverPeer = undefined;
          break;
        case 'group': {
          const g = newScope('group', st.pos, scope);
          this.fill(g, st.body, ctx);
          break;
        }
        case 'host':
          this.host(scope, st);
          break;
        case 'class':
        case 'subclass':
          this.klass(scope, st);
          break;
        case 'vendor-class':
        case 'user-class':
          // ISC keeps these obsolete declarations in hash tables of their own and never matches
          // packets against them; they must not shadow a `class` of the same name.
          break;
        case 'failover-peer':
          this.failoverPeers.set(st.name, st);
          break;
        case 'key':
          this.keys.set(st.name, st);
          break;
        case 'zone':
          this.zones.push(st);
          break;
        case 'if':
        case 'on':
        case 'switch':
        case 'case':
        case 'default':
        case 'set':
        case 'define':
        case 'define-function':
        case 'unset':
        case 'eval':
        case 'execute':
        case 'log':
        case 'return':
        case 'add':
        case 'break':
        case 'parse-vendor-option':
          scope.statements.push(st);
          scope.ordered.push(st);
          break;
        default:
          // Option definitions and spaces already live in the catalogue; failover state, db-time-format,
          // server-duid and the dhclient-only statements have no scope meaning for the server.
          break;
      }
    }
  }

  subnet(parent: MutableScope, st: Extract<Statement, { kind: 'subnet' }>, net: SharedNetworkDraft | undefined): void {
    const network = parseIpv4(st.network) ?? 0;
    const mask = parseIpv4(st.netmask) ?? 0;
    const scope = newScope('subnet', st.pos, parent);
    let home = net;
    if (home === undefined) {
      // ISC wraps a lone subnet in a shared network of its own, named after the subnet number.
      home = { name: st.network, implicit: true, scope: parent, subnets: [], pools: [] };
      this.sharedNetworks.push(home);
    }
    const draft: SubnetDraft = {
      scope,
      network,
      mask,
      prefixLength: prefixOf(mask),
      sharedNetwork: home as SharedNetwork,
      pools: [],
      implicit: undefined,
      implicitPool: (s, pos) => {
        if (draft.implicit === undefined) {
          draft.implicit = {
            scope: newScope('pool', pos, s as MutableScope),
            ranges: [],
            permits: [],
            failoverPeer: undefined,
            subnet: draft,
            sharedNetwork: home as SharedNetwork,
            implicit: true,
          };
          draft.pools.push(draft.implicit);
          home!.pools.push(draft.implicit);
          this.pools.push(draft.implicit);
        }
        return draft.implicit;
      },
    };
    home.subnets.push(draft);
    this.subnets.push(draft);
    this.fill(scope, st.body, { net: home, subnet: draft });
  }

  host(parent: MutableScope, st: HostDecl): void {
    const scope = newScope('host', st.pos, parent);
    this.fill(scope, st.body, {});
    let hardware: Host['hardware'];
    const fixedAddresses: string[] = [];
    for (const s of st.body) {
      if (s.kind === 'hardware') hardware = { type: s.hwType, address: s.address };
      if (s.kind === 'fixed-address') fixedAddresses.push(...s.addresses);
    }
    this.hosts.push({ name: st.name, scope, hardware, uid: st.uid, fixedAddresses, decl: st });
  }

  klass(parent: MutableScope, st: ClassDecl): void {
    if (st.kind === 'subclass') {
      const cls = this.classes.get(st.name);
      if (cls === undefined) return; // the parser already reported an unknown class
      const scope = newScope('subclass', st.pos, cls.scope);
      this.fill(scope, st.body, {});
      (cls.subclasses as Map<string, { scope: Scope; decl: ClassDecl }>).set(hexKey(st.selector ?? new Uint8Array()), {
        scope,
        decl: st,
      });
      return;
    }
    const scope = newScope('class', st.pos, parent);
    this.fill(scope, st.body, {});
    this.classes.set(st.name, { name: st.name, scope, decl: st, subclasses: new Map() });
  }
}

interface PoolDraft extends Pool {
  scope: MutableScope;
  ranges: AddressRange[];
  permits: { allow: boolean; permit: Permit }[];
  failoverPeer: string | undefined;
}
interface SubnetDraft extends Subnet {
  scope: MutableScope;
  pools: Pool[];
  implicit: PoolDraft | undefined;
  implicitPool: (scope: MutableScope, pos: Pos) => PoolDraft;
}
interface SharedNetworkDraft extends SharedNetwork {
  scope: MutableScope;
  subnets: Subnet[];
  pools: Pool[];
}

/** Build the scope tree of a parsed (and already checked) dhcpd.conf. */
export function buildScopeTree(conf: ConfFile, catalogue: CatalogueLike): ScopeTree {
  const b = new Builder();
  const global = newScope('global', { file: conf.file, line: 0, col: 0 }, undefined);
  b.fill(global, conf.statements, {});
  const hostsByHardware = new Map<string, Host[]>();
  const hostsByUid = new Map<string, Host[]>();
  for (const h of b.hosts) {
    if (h.hardware) pushTo(hostsByHardware, macKey(h.hardware.address), h);
    const uid = h.uid ?? clientIdentifierOption(h, catalogue);
    if (uid) pushTo(hostsByUid, hexKey(uid), h);
  }
  const subnets = [...b.subnets].sort((x, y) => y.prefixLength - x.prefixLength);
  return {
    global,
    sharedNetworks: b.sharedNetworks,
    subnets,
    pools: b.pools,
    hosts: b.hosts,
    hostsByHardware,
    hostsByUid,
    classes: b.classes,
    failoverPeers: b.failoverPeers,
    keys: b.keys,
    zones: b.zones,
    catalogue,
  };
}

/**
 * ISC enter_host: a host without `uid` is known by the `option dhcp-client-identifier` set in its
 * declaration, as if it were its uid.
 */
function clientIdentifierOption(h: Host, catalogue: CatalogueLike): Uint8Array | undefined {
  const st = h.scope.options.get('dhcp.dhcp-client-identifier');
  if (st?.value === undefined) return undefined;
  try {
    const bytes = encodeOptionValue(st.option.type, st.value, catalogue as unknown as Catalogue);
    return bytes.length > 0 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The subnet that contains `address` (longest prefix wins), if any. */
export function subnetFor(tree: ScopeTree, address: number): Subnet | undefined {
  for (const s of tree.subnets) if ((address & s.mask) >>> 0 === s.network) return s;
  return undefined;
}

/** A scope and its ancestors, innermost first. */
export function ancestry(scope: Scope | undefined): Scope[] {
  const out: Scope[] = [];
  for (let s = scope; s !== undefined; s = s.parent) out.push(s);
  return out;
}

/**
 * The scopes that apply to a client, innermost (highest priority) first: host > classes > pool >
 * subnet > shared-network > groups > global. Each scope appears once even when reached twice
 * (a host's group chain and the subnet's share the global scope).
 */
export function settingsChain(parts: {
  host?: Host;
  classes?: readonly Scope[];
  pool?: Pool;
  subnet?: Subnet;
}): Scope[] {
  const out: Scope[] = [];
  const seen = new Set<Scope>();
  const add = (list: Scope[]) => {
    for (const s of list) {
      if (seen.has(s)) continue;
      seen.add(s);
      out.push(s);
    }
  };
  // The host's own scope and the groups it sits in, but not the shared tail (global) yet.
  if (parts.host) add(ancestry(parts.host.scope).filter((s) => s.kind !== 'global'));
  // A subclass's settings inherit its class's (ISC clones the class's group for the subclass).
  for (const c of parts.classes ?? []) add(c.kind === 'subclass' && c.parent !== undefined ? [c, c.parent] : [c]);
  if (parts.pool && parts.subnet && !ancestry(parts.pool.scope).includes(parts.subnet.scope)) {
    // A pool declared at shared-network level: its own scope first, then the subnet the address
    // lies in, then the shared network and above.
    const subnetLine = ancestry(parts.subnet.scope);
    add(ancestry(parts.pool.scope).filter((s) => !subnetLine.includes(s) && s.kind === 'pool'));
    add(subnetLine);
  } else {
    const net = parts.pool?.scope ?? parts.subnet?.scope;
    if (net) add(ancestry(net));
  }
  if (parts.host) add(ancestry(parts.host.scope));
  return out;
}

/** The first value of option `space.name` along a chain (innermost first). */
export function lookupOption(chain: readonly Scope[], key: string): OptionStatement | undefined {
  for (const s of chain) {
    const o = s.options.get(key);
    if (o !== undefined) return o;
  }
  return undefined;
}

/** The first value of a parameter along a chain (innermost first). */
export function lookupParameter(chain: readonly Scope[], name: string): ParameterStatement | undefined {
  for (const s of chain) {
    const p = s.parameters.get(name);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** `authoritative` as it applies along a chain: the innermost explicit setting, else false. */
export function isAuthoritative(chain: readonly Scope[]): boolean {
  for (const s of chain) if (s.authoritative !== undefined) return s.authoritative;
  return false;
}
