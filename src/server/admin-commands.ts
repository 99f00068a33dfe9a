// The changes an operator makes to a running server, shared by OMAPI (omapi-objects.ts) and the HTTP API
// (src/http/): persistent hosts created, replaced and removed, a lease freed or abandoned, a lease's end moved.
// Each change is in the lease file before the caller answers.
//
// A host is a lease-file record (`host NAME { dynamic; hardware ...; uid ...; fixed-address ...; group ...;
// statements }`, ISC's write_host), parsed back by the lease-file parser - the same path a restart takes -
// made durable, and only then entered in the dynamic host table the DHCP engine reads: the next DISCOVER of
// that client sees it. Removing one writes `host NAME { dynamic; deleted; }`; a host of dhcpd.conf is written
// `host NAME { deleted; }` as ISC does and masked in the table (the configuration snapshot never changes).
//
// The options object is read at each call, never copied: a reload points its `tree` and `allocator` at the
// new snapshot and every command follows.

import type { Host, ScopeTree } from '../conf/scope-tree.js';
import type { HostRecord, Lease, LeaseFileRecord } from '../leases/lease.js';
import { parseLeases } from '../leases/reader.js';
import { colonHex, hardwareTypeName, hardwareTypeOf, isDbPrintable } from '../leases/text.js';
import { BINDING_STATES, type MemoryHost } from '../omapi/memory-provider.js';
import { fail, type Outcome, ok } from '../omapi/provider.js';
import { DHCP_R, ISC_R } from '../omapi/results.js';
import type { Catalogue } from '../options/catalogue.js';
import { ipToBytes, parseIpv4 } from '../wire/ip.js';
import type { Allocator } from './allocator.js';
import { ACTIVE } from './allocator.js';
import type { DynamicHosts } from './dynamic-hosts.js';
import { abandonLeaseTime } from './engine-other.js';

export interface AdminCommandsOptions {
  tree: ScopeTree;
  allocator: Allocator;
  hosts: DynamicHosts;
  /** Makes records durable (the daemon's lease store); rejects when they could not be written. */
  commit: (records: readonly LeaseFileRecord[]) => Promise<void>;
  /** Seconds since the epoch. */
  now: () => number;
  log: (line: string) => void;
  /** A lease's end moved to now or earlier: expire it without waiting for the timer. */
  leaseEnded?: () => void;
  /** The lease-file parser's catalogue (the configuration's). */
  catalogue?: Catalogue;
}

function bytes(v: Uint8Array): string {
  return Buffer.from(v).toString('latin1');
}

function dotted(v: Uint8Array): string {
  return Array.from(v).join('.');
}

/** ISC write_host's text of a host (without the final newline formatRecord adds). */
export function hostRecordText(h: MemoryHost, deleted = false, dynamic = true): string {
  let out = `host ${h.name} {`;
  if (dynamic) out += '\n  dynamic;';
  if (deleted) return `${out}\n  deleted;\n}`;
  if (h.hardwareAddress?.length) {
    out += `\n  hardware ${hardwareTypeName(h.hardwareType ?? 1)} ${colonHex(h.hardwareAddress)};`;
  }
  if (h.clientIdentifier?.length) {
    const s = bytes(h.clientIdentifier);
    out += isDbPrintable(s) ? `\n  uid "${s}";` : `\n  uid ${colonHex(h.clientIdentifier)};`;
  }
  if (h.ipAddress?.length === 4) out += `\n  fixed-address ${dotted(h.ipAddress)};`;
  if (h.group !== undefined) out += `\n  group "${h.group}";`;
  if (h.statements !== undefined && h.statements.trim() !== '') out += `\n        ${h.statements.trim()}`;
  return `${out}\n}`;
}

/** The OMAPI view of a host declaration (from dhcpd.conf or a lease-file record). */
export function memoryHostOf(host: Host, record?: HostRecord): MemoryHost {
  const m: MemoryHost = { name: host.name };
  if (host.hardware !== undefined) {
    m.hardwareType = hardwareTypeOf(host.hardware.type) ?? 1;
    m.hardwareAddress = host.hardware.address;
  }
  if (host.uid !== undefined) m.clientIdentifier = host.uid;
  const fixed = host.fixedAddresses[0] !== undefined ? parseIpv4(host.fixedAddresses[0]) : undefined;
  if (fixed !== undefined) m.ipAddress = ipToBytes(fixed);
  if (host.decl.namedGroup !== undefined) m.group = host.decl.namedGroup;
  if (record !== undefined) {
    // The statements are what write_host put after the fields it writes itself.
    const body = record.text.slice(record.text.indexOf('{') + 1, record.text.lastIndexOf('}'));
    const rest = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^(dynamic|deleted|hardware |uid |fixed-address |group )/.test(l));
    if (rest.length > 0) m.statements = rest.join(' ');
  }
  return m;
}

export class AdminCommands {
  private configHostsOf: ScopeTree | undefined;
  private configHostMap = new Map<string, Host>();
  private generated = 0;

  /** `label` names the caller in log lines ("OMAPI", "HTTP API"). */
  constructor(
    private readonly opts: AdminCommandsOptions,
    private readonly label = 'OMAPI',
  ) {}

  /** The host of dhcpd.conf of that name (the first declared), removed or not. */
  configHost(name: string): Host | undefined {
    const tree = this.opts.tree;
    if (this.configHostsOf !== tree) {
      this.configHostMap = new Map();
      for (const h of tree.hosts) if (!this.configHostMap.has(h.name)) this.configHostMap.set(h.name, h);
      this.configHostsOf = tree;
    }
    return this.configHostMap.get(name);
  }

  /** The host of that name as OMAPI sees it: a dynamic one, else one of dhcpd.conf not removed. */
  liveHost(name: string): MemoryHost | undefined {
    const dyn = this.opts.hosts.get(name);
    if (dyn !== undefined) return memoryHostOf(dyn.host, dyn.record);
    const conf = this.configHost(name);
    return conf !== undefined && !this.opts.hosts.masked.has(conf) ? memoryHostOf(conf) : undefined;
  }

  /** A name for a host created without one (ISC's `nh` + time + counter). */
  generatedName(): string {
    this.generated++;
    const t = (this.opts.now() >>> 0).toString(16).padStart(8, '0');
    return `nh${t}${this.generated.toString(16).padStart(8, '0')}`;
  }

  /**
   * Creates a host (ISC: both a hardware address or a client identifier are needed to find it, and its name
   * must be free); a host without a name gets one. Resolves with the name.
   */
  async createHost(host: MemoryHost): Promise<Outcome<string>> {
    if (!host.hardwareAddress && !host.clientIdentifier) return fail(DHCP_R.INVALIDARG, "can't update object");
    if (!host.name) host.name = this.generatedName();
    if (this.liveHost(host.name) !== undefined) return fail(ISC_R.EXISTS, "can't update object");
    const w = await this.writeHost(host);
    return w.ok ? ok(host.name) : w;
  }

  /** A copy of a dynamic host to change, or why it cannot be changed. */
  changeableHost(name: string): Outcome<MemoryHost> {
    const dyn = this.opts.hosts.get(name);
    if (dyn !== undefined) return ok(memoryHostOf(dyn.host, dyn.record));
    return this.liveHost(name) === undefined
      ? fail(ISC_R.NOTFOUND, 'no matching handle')
      : fail(ISC_R.NOPERM, 'hosts of dhcpd.conf cannot be changed at run time');
  }

  parseHost(text: string, name: string): Outcome<HostRecord> {
    const parsed = parseLeases(
      `${text}\n`,
      this.label,
      this.opts.catalogue !== undefined ? { catalogue: this.opts.catalogue } : {},
    );
    const rec = parsed.records[0];
    if (parsed.error !== undefined || parsed.records.length !== 1 || rec?.kind !== 'host' || rec.name !== name) {
      return fail(DHCP_R.INVALIDARG, parsed.error?.message ?? "can't update object");
    }
    return ok(rec);
  }

  /** Writes the host's record, then enters it (ISC enter_host after write_host + commit_leases). */
  async writeHost(host: MemoryHost): Promise<Outcome<void>> {
    const record = this.parseHost(hostRecordText(host), host.name);
    if (!record.ok) return record;
    const w = await this.durable([record.value]);
    if (!w.ok) return w;
    this.opts.hosts.enter(record.value);
    return ok(undefined);
  }

  /** Removes a dynamic host, or masks one of dhcpd.conf, after writing its `deleted` record. */
  async removeHost(name: string): Promise<Outcome<void>> {
    const dyn = this.opts.hosts.get(name);
    const conf = dyn === undefined ? this.configHost(name) : undefined;
    if (dyn === undefined && (conf === undefined || this.opts.hosts.masked.has(conf))) {
      return fail(ISC_R.NOTFOUND, 'no matching handle');
    }
    const record = this.parseHost(hostRecordText({ name }, true, dyn !== undefined), name);
    if (!record.ok) return record;
    const w = await this.durable([record.value]);
    if (!w.ok) return w;
    const configHosts = new Map<string, Host>();
    if (conf !== undefined) configHosts.set(name, conf);
    this.opts.hosts.apply(record.value, configHosts);
    return ok(undefined);
  }

  async durable(records: readonly LeaseFileRecord[]): Promise<Outcome<void>> {
    try {
      await this.opts.commit(records);
      return ok(undefined);
    } catch (e) {
      this.opts.log(`${this.label}: unable to write to the lease file: ${(e as Error).message}`);
      return fail(ISC_R.IOERROR, "can't update object");
    }
  }

  // ---- leases

  /**
   * Moves a lease to binding state `s` (1..7, ISC's numbering): 1 (free) frees it as a RELEASE does, 5
   * (abandoned) abandons it; others are "not implemented". Returns the record to write, or undefined when
   * the state is unchanged. The record is not yet durable: write it with durable().
   */
  setLeaseState(slot: number, s: number, id: string): Outcome<Lease | undefined> {
    const alloc = this.opts.allocator;
    if (!Number.isInteger(s) || s < 1 || s > BINDING_STATES.length) return fail(DHCP_R.INVALIDARG);
    const from = alloc.stateOf(slot) + 1;
    if (s === from) return ok(undefined); // ISC: unchanged
    let record: Lease;
    const now = this.opts.now();
    if (s === 1) record = alloc.release(slot, now);
    else if (s === 5) record = alloc.abandon(slot, now, abandonLeaseTime(this.opts.tree));
    else return fail(ISC_R.NOTIMPLEMENTED, `state ${BINDING_STATES[s - 1]} cannot be set`);
    this.opts.log(`lease ${id} state changed from ${BINDING_STATES[from - 1]} to ${BINDING_STATES[s - 1]}`);
    return ok(record);
  }

  /** Moves a lease's end (not yet durable); `ended` is true when an active lease now ends by now. */
  setLeaseEnds(slot: number, ends: number, id: string): { record: Lease; ended: boolean } {
    const alloc = this.opts.allocator;
    const old = alloc.endsOf(slot);
    const record = alloc.setEnds(slot, ends);
    this.opts.log(`lease ${id} end changed from ${Number.isFinite(old) ? old : 0x7fffffff} to ${ends}`);
    return { record, ended: ends <= this.opts.now() && alloc.stateOf(slot) === ACTIVE };
  }

  /** Writes what the lease changes produced; tells the daemon when a lease ended. */
  async commitLease(record: Lease | undefined, ended: boolean): Promise<Outcome<void>> {
    if (record === undefined) return ok(undefined);
    const w = await this.durable([record]);
    if (w.ok && ended) this.opts.leaseEnded?.();
    return w;
  }

  /** Frees the lease of a slot as OMAPI's `set state = 1` does, durable before it resolves. */
  async freeLease(slot: number, id: string): Promise<Outcome<void>> {
    const changed = this.setLeaseState(slot, 1, id);
    if (!changed.ok) return changed;
    return this.commitLease(changed.value, false);
  }
}
