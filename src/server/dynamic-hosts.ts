// Host declarations made at run time through OMAPI (ISC: `host NAME { dynamic; ... }` in the lease file),
// beside the configuration's hosts. The configuration snapshot (ScopeTree) stays immutable: findHost
// (locate.ts) consults this table after the tree's own indexes, as ISC's enter_host appends a dynamic host
// to the chain of the hardware address / client identifier after the hosts declared in dhcpd.conf.
//
// A host is entered from its lease-file record (HostRecord): the record the lease file holds, read back at
// start-up, and the one OMAPI writes are the same text, parsed by the same parser, so what the server
// uses after a restart is what it used before. Configuration hosts removed through OMAPI (ISC:
// `host NAME { deleted; }`) are masked here, never taken out of the tree.
//
// An empty table costs findHost one property read (`size`), so servers without OMAPI hosts see no change.

import type { ConfFile } from '../conf/ast.js';
import { buildScopeTree, type Host, type Scope, type ScopeTree } from '../conf/scope-tree.js';
import type { HostRecord } from '../leases/lease.js';

export interface DynamicHost {
  readonly host: Host;
  readonly record: HostRecord;
  /** findHost's index keys: colon hex of the hardware address, hex of the client identifier. */
  readonly hw: string | undefined;
  readonly uid: string | undefined;
}

export class DynamicHosts {
  private readonly byName = new Map<string, DynamicHost>();
  /** Lower-case colon hex of the hardware address -> hosts, in the order they were entered. */
  readonly byHardware = new Map<string, Host[]>();
  /** Hex of the client identifier -> hosts. */
  readonly byUid = new Map<string, Host[]>();
  /** Configuration hosts removed through OMAPI: findHost skips them. */
  readonly masked = new Set<Host>();

  constructor(private tree: ScopeTree) {}

  /**
   * A reload's new configuration: every dynamic host is hung under its global scope again, and the
   * configuration hosts masked (removed through OMAPI) are looked up by name in it.
   */
  retarget(tree: ScopeTree): void {
    this.tree = tree;
    const records = [...this.byName.values()].map((h) => h.record);
    const masked = [...this.masked].map((h) => h.name);
    this.byName.clear();
    this.byHardware.clear();
    this.byUid.clear();
    this.masked.clear();
    for (const r of records) this.enter(r);
    for (const name of masked) {
      const h = tree.hosts.find((x) => x.name === name);
      if (h !== undefined) this.masked.add(h);
    }
  }

  /** Hosts entered plus configuration hosts masked: 0 means findHost needs to look no further than the tree. */
  get size(): number {
    return this.byName.size + this.masked.size;
  }

  get count(): number {
    return this.byName.size;
  }

  get(name: string): DynamicHost | undefined {
    return this.byName.get(name);
  }

  values(): IterableIterator<DynamicHost> {
    return this.byName.values();
  }

  /** Enters (or replaces) the host of a record that is not `deleted`. */
  enter(record: HostRecord): DynamicHost {
    this.remove(record.name);
    const entry: DynamicHost = { ...hostOfRecord(record, this.tree), record };
    this.byName.set(record.name, entry);
    if (entry.hw !== undefined) push(this.byHardware, entry.hw, entry.host);
    if (entry.uid !== undefined) push(this.byUid, entry.uid, entry.host);
    return entry;
  }

  /** Takes a dynamic host out; true when there was one. */
  remove(name: string): boolean {
    const old = this.byName.get(name);
    if (old === undefined) return false;
    this.byName.delete(name);
    if (old.hw !== undefined) pull(this.byHardware, old.hw, old.host);
    if (old.uid !== undefined) pull(this.byUid, old.uid, old.host);
    return true;
  }

  /** Applies a lease-file host record as ISC's lease file reader does (a deleted one removes or masks). */
  apply(record: HostRecord, configHosts: ReadonlyMap<string, Host>): void {
    if (!record.deleted) {
      this.enter(record);
      return;
    }
    if (!this.remove(record.name) && !record.dynamic) {
      const conf = configHosts.get(record.name);
      if (conf !== undefined) this.masked.add(conf);
    }
  }
}

function push(map: Map<string, Host[]>, key: string, host: Host): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [host]);
  else list.push(host);
}

function pull(map: Map<string, Host[]>, key: string, host: Host): void {
  const list = map.get(key);
  if (list === undefined) return;
  const rest = list.filter((h) => h !== host);
  if (rest.length === 0) map.delete(key);
  else map.set(key, rest);
}

/**
 * The Host of a record and its index keys: the declaration goes through the configuration's own semantic
 * pass (a one-host tree, which also gives the keys buildScopeTree would: uid, else `option
 * dhcp-client-identifier`), and its scope is then hung under the configuration's global scope, where ISC
 * puts a dynamic host.
 */
export function hostOfRecord(
  record: HostRecord,
  tree: ScopeTree,
): { host: Host; hw: string | undefined; uid: string | undefined } {
  const conf: ConfFile = { file: record.decl.pos.file, statements: [record.decl] };
  const one = buildScopeTree(conf, tree.catalogue);
  const h = one.hosts[0];
  if (h === undefined) throw new Error(`host ${record.name}: not a host declaration`);
  const scope: Scope = { ...h.scope, parent: tree.global };
  let hw: string | undefined;
  let uid: string | undefined;
  for (const k of one.hostsByHardware.keys()) hw = k;
  for (const k of one.hostsByUid.keys()) uid = k;
  return { host: { ...h, scope }, hw, uid };
}
