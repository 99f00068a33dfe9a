// An ObjectProvider over two in-memory tables, `host` and `lease`, with the attribute names, value encodings,
// lookup rules and result codes of ISC dhcpd 4.4.3's server/omapi.c. The tests run sessions and the listener
// against it; the server's own provider should answer the same way (and can reuse the encoders below).
//
// host  lookup keys, in ISC's order: dhcp-client-identifier, hardware-address (+ hardware-type, default 1),
//       ip-address (through the lease of that address and its hardware address), name. Two keys naming
//       different hosts: "key conflict"; a key naming none: "not found"; no key at all: "no key specified".
//       Values set: name, hardware-address, dhcp-client-identifier (each only once: "already exists"),
//       hardware-type (4-byte integer), ip-address (4 bytes; null removes it), statements (text; once), group
//       (must name a known group: "not found"), known (accepted, ignored); others "unknown attribute".
//       A host needs a hardware address or a client identifier ("invalid argument"); one without a name gets
//       "nh" + 16 hex digits as ISC does. Sent back: ip-address, dhcp-client-identifier, name,
//       hardware-address + hardware-type - never statements or group (ISC does not send them either).
// lease lookup keys: ip-address, dhcp-client-identifier, hardware-address (+ hardware-type); several leases
//       for one identifier or hardware address: "more than one object matches key". Settable: state (1..7,
//       free active expired released abandoned reset backup), ends (4-byte time); ip-address and starts
//       "permission denied"; the other known attributes "object unchanged" (accepted, nothing done); other names
//       become variables of the lease's binding scope, as ISC's set on a lease does. Sent back, in ISC's order:
//       state, ip-address, dhcp-client-identifier, client-hostname, host, subnet, pool, hardware-address,
//       hardware-type, ends, starts, tstp, tsfp, atsfp, cltt, flags, then the scope's variables. Leases cannot
//       be created or removed ("not implemented").

import { type Attribute, fail, type ObjectProvider, type ObjectRef, type Outcome, ok } from './provider.js';
import { DHCP_R, ISC_R } from './results.js';
import { findValue, type NameValue, readU32, stringValue, u32Value } from './wire.js';

export interface MemoryHost {
  name: string;
  hardwareType?: number;
  hardwareAddress?: Uint8Array;
  clientIdentifier?: Uint8Array;
  /** 4 bytes. */
  ipAddress?: Uint8Array;
  statements?: string;
  group?: string;
}

export interface MemoryLease {
  /** 4 bytes. */
  ipAddress: Uint8Array;
  /** Binding state, 1..7 (FTS_FREE .. FTS_BACKUP). */
  state: number;
  hardwareType?: number;
  hardwareAddress?: Uint8Array;
  clientIdentifier?: Uint8Array;
  clientHostname?: string;
  /** Name of the host declaration the lease belongs to. */
  host?: string;
  starts?: number;
  ends?: number;
  tstp?: number;
  tsfp?: number;
  atsfp?: number;
  cltt?: number;
  flags?: number;
  /** Binding-scope variables set through OMAPI (name -> raw value). */
  scope?: Map<string, Uint8Array>;
}

export const BINDING_STATES = ['free', 'active', 'expired', 'released', 'abandoned', 'reset', 'backup'] as const;

const HTYPE_ETHER = 1;

function equal(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

function text(v: Uint8Array): string {
  return Buffer.from(v).toString('latin1');
}

/** The hardware type a lookup asks for: ISC takes a 4-byte value whose first three bytes are 0, default 1. */
/**
 * Lease attributes an update may not change (server/omapi.c dhcp_lease_set_value): the failure to answer,
 * or 'unchanged' for those ISC accepts without changing anything; undefined for the others.
 */
export function fixedLeaseAttribute(name: string): Outcome<never> | 'unchanged' | undefined {
  switch (name) {
    case 'ip-address':
    case 'starts':
    case 'pool':
      return fail(ISC_R.NOPERM);
    case 'subnet':
      return fail(DHCP_R.INVALIDARG);
    case 'dhcp-client-identifier':
    case 'hostname':
    case 'client-hostname':
    case 'host':
    case 'billing-class':
    case 'hardware-address':
    case 'hardware-type':
    case 'flags':
      return 'unchanged';
    default:
      return undefined;
  }
}

export function lookupHardwareType(keys: readonly NameValue[]): number | 'invalid' {
  const t = findValue(keys, 'hardware-type');
  if (!t) return HTYPE_ETHER;
  const v = t.value;
  if (!v || v.length !== 4 || v[0] !== 0 || v[1] !== 0 || v[2] !== 0) return 'invalid';
  return v[3]!;
}

/** A lease's attributes as ISC's dhcp_lease_stuff_values sends them. */
export function leaseAttributes(lease: MemoryLease, host?: ObjectRef): Attribute[] {
  const out: Attribute[] = [
    { name: 'state', value: u32Value(lease.state) },
    { name: 'ip-address', value: lease.ipAddress },
  ];
  if (lease.clientIdentifier?.length) out.push({ name: 'dhcp-client-identifier', value: lease.clientIdentifier });
  if (lease.clientHostname !== undefined)
    out.push({ name: 'client-hostname', value: stringValue(lease.clientHostname) });
  if (host) out.push({ name: 'host', value: host });
  out.push({ name: 'subnet', value: u32Value(0) }, { name: 'pool', value: u32Value(0) });
  if (lease.hardwareAddress?.length) {
    out.push(
      { name: 'hardware-address', value: lease.hardwareAddress },
      { name: 'hardware-type', value: u32Value(lease.hardwareType ?? HTYPE_ETHER) },
    );
  }
  for (const [name, v] of [
    ['ends', lease.ends],
    ['starts', lease.starts],
    ['tstp', lease.tstp],
    ['tsfp', lease.tsfp],
    ['atsfp', lease.atsfp],
    ['cltt', lease.cltt],
  ] as const) {
    out.push({ name, value: u32Value(v ?? 0) });
  }
  out.push({ name: 'flags', value: Uint8Array.of((lease.flags ?? 0) & 0xff) });
  for (const [name, v] of lease.scope ?? []) out.push({ name, value: v });
  return out;
}

/** A host's attributes as ISC's dhcp_host_stuff_values sends them. */
export function hostAttributes(host: MemoryHost): Attribute[] {
  const out: Attribute[] = [];
  if (host.ipAddress) out.push({ name: 'ip-address', value: host.ipAddress });
  if (host.clientIdentifier?.length) out.push({ name: 'dhcp-client-identifier', value: host.clientIdentifier });
  out.push({ name: 'name', value: stringValue(host.name) });
  if (host.hardwareAddress?.length) {
    out.push(
      { name: 'hardware-address', value: host.hardwareAddress },
      { name: 'hardware-type', value: u32Value(host.hardwareType ?? HTYPE_ETHER) },
    );
  }
  return out;
}

/**
 * Sets `values` on `host` as ISC's dhcp_host_set_value does (each of name, hardware-address,
 * dhcp-client-identifier and statements only once; `group` must name one of `groups`).
 */
export function setHostValues(
  host: MemoryHost,
  values: readonly NameValue[],
  groups: ReadonlySet<string>,
): Outcome<void> {
  for (const { name, value } of values) {
    switch (name) {
      case 'name':
        if (host.name) return fail(ISC_R.EXISTS);
        if (!value) return fail(DHCP_R.INVALIDARG);
        host.name = text(value);
        break;
      case 'group':
        if (!value) return fail(DHCP_R.INVALIDARG);
        if (!groups.has(text(value))) return fail(ISC_R.NOTFOUND);
        host.group = text(value);
        break;
      case 'hardware-address':
        if (host.hardwareAddress) return fail(ISC_R.EXISTS);
        if (!value || value.length > 16) return fail(DHCP_R.INVALIDARG);
        host.hardwareAddress = value;
        break;
      case 'hardware-type': {
        const t = readU32(value);
        if (t === undefined) return fail(DHCP_R.INVALIDARG);
        host.hardwareType = t & 0xff;
        break;
      }
      case 'dhcp-client-identifier':
        if (host.clientIdentifier) return fail(ISC_R.EXISTS);
        if (!value) return fail(DHCP_R.INVALIDARG);
        host.clientIdentifier = value;
        break;
      case 'ip-address':
        if (!value) delete host.ipAddress;
        else host.ipAddress = value;
        break;
      case 'statements':
        if (host.statements !== undefined) return fail(ISC_R.EXISTS);
        if (!value) return fail(DHCP_R.INVALIDARG);
        host.statements = text(value);
        break;
      case 'known':
        break;
      default:
        return fail(DHCP_R.UNKNOWNATTRIBUTE);
    }
  }
  return ok(undefined);
}

export interface MemoryProviderOptions {
  /** Group names `group` may name. */
  groups?: readonly string[];
  /** Seconds since the epoch, for generated host names. */
  now?: () => number;
}

export class MemoryProvider implements ObjectProvider {
  readonly hosts = new Map<string, MemoryHost>();
  /** By dotted-quad address. */
  readonly leases = new Map<string, MemoryLease>();
  private readonly groups: Set<string>;
  private readonly now: () => number;
  private generated = 0;

  constructor(opts: MemoryProviderOptions = {}) {
    this.groups = new Set(opts.groups ?? []);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  addLease(lease: MemoryLease): void {
    this.leases.set(Array.from(lease.ipAddress).join('.'), lease);
  }

  hasType(type: string): boolean {
    return type === 'host' || type === 'lease';
  }

  lookup(type: string, keys: readonly NameValue[]): Outcome<ObjectRef> {
    return type === 'host' ? this.lookupHost(keys) : type === 'lease' ? this.lookupLease(keys) : fail(ISC_R.NOTFOUND);
  }

  create(type: string, values: readonly NameValue[]): Outcome<ObjectRef> {
    if (type !== 'host') return fail(ISC_R.NOTIMPLEMENTED);
    const host: MemoryHost = { name: '' };
    const set = setHostValues(host, values, this.groups);
    if (!set.ok) return fail(set.result, "can't update object");
    if (!host.hardwareAddress && !host.clientIdentifier) return fail(DHCP_R.INVALIDARG, "can't update object");
    if (!host.name) {
      this.generated++;
      host.name = `nh${(this.now() >>> 0).toString(16).padStart(8, '0')}${this.generated.toString(16).padStart(8, '0')}`;
    }
    if (this.hosts.has(host.name)) return fail(ISC_R.EXISTS, "can't update object");
    this.hosts.set(host.name, host);
    return ok({ type: 'host', id: host.name });
  }

  update(ref: ObjectRef, values: readonly NameValue[]): Outcome<void> {
    if (ref.type === 'host') {
      const host = this.hosts.get(ref.id);
      if (!host) return fail(ISC_R.NOTFOUND, 'no matching handle');
      const copy: MemoryHost = { ...host };
      const set = setHostValues(copy, values, this.groups);
      if (!set.ok) return set;
      this.hosts.set(ref.id, copy);
      return ok(undefined);
    }
    if (ref.type === 'lease') {
      const lease = this.leases.get(ref.id);
      if (!lease) return fail(ISC_R.NOTFOUND, 'no matching handle');
      return this.setLeaseValues(lease, values);
    }
    return fail(ISC_R.NOTFOUND);
  }

  read(ref: ObjectRef): Outcome<readonly Attribute[]> {
    if (ref.type === 'host') {
      const host = this.hosts.get(ref.id);
      return host ? ok(hostAttributes(host)) : fail(ISC_R.NOTFOUND, 'no matching handle');
    }
    if (ref.type === 'lease') {
      const lease = this.leases.get(ref.id);
      if (!lease) return fail(ISC_R.NOTFOUND, 'no matching handle');
      const host = lease.host && this.hosts.has(lease.host) ? { type: 'host', id: lease.host } : undefined;
      return ok(leaseAttributes(lease, host));
    }
    return fail(ISC_R.NOTFOUND);
  }

  remove(ref: ObjectRef): Outcome<void> {
    if (ref.type === 'host') {
      if (!this.hosts.delete(ref.id)) return fail(ISC_R.NOTFOUND, 'no matching handle');
      return ok(undefined);
    }
    return fail(ISC_R.NOTIMPLEMENTED, 'no remove method for object');
  }

  // ---- hosts

  private hostBy(pred: (h: MemoryHost) => boolean): MemoryHost | undefined {
    for (const h of this.hosts.values()) if (pred(h)) return h;
    return undefined;
  }

  private lookupHost(keys: readonly NameValue[]): Outcome<ObjectRef> {
    let found: MemoryHost | undefined;
    const step = (host: MemoryHost | undefined): Outcome<ObjectRef> | undefined => {
      if (found && host !== found) return fail(DHCP_R.KEYCONFLICT);
      if (!host) return fail(ISC_R.NOTFOUND);
      found = host;
      return undefined;
    };
    const cid = findValue(keys, 'dhcp-client-identifier');
    if (cid?.value) {
      const r = step(this.hostBy((h) => equal(h.clientIdentifier, cid.value!)));
      if (r) return r;
    }
    const hw = findValue(keys, 'hardware-address');
    if (hw?.value) {
      const htype = lookupHardwareType(keys);
      if (htype === 'invalid') return fail(DHCP_R.INVALIDARG);
      const r = step(
        this.hostBy((h) => (h.hardwareType ?? HTYPE_ETHER) === htype && equal(h.hardwareAddress, hw.value!)),
      );
      if (r) return r;
    }
    const ip = findValue(keys, 'ip-address');
    if (ip?.value) {
      const lease = this.leases.get(Array.from(ip.value).join('.'));
      if (!lease && !found) return fail(ISC_R.NOTFOUND);
      if (lease) {
        const host = this.hostBy(
          (h) =>
            (h.hardwareType ?? HTYPE_ETHER) === (lease.hardwareType ?? HTYPE_ETHER) &&
            equal(h.hardwareAddress, lease.hardwareAddress),
        );
        if (host && found && host !== found) return fail(DHCP_R.KEYCONFLICT);
        if (!host && !found) return fail(ISC_R.NOTFOUND);
        found ??= host;
      }
    }
    const name = findValue(keys, 'name');
    if (name?.value) {
      const r = step(this.hosts.get(text(name.value)));
      if (r) return r;
    }
    return found ? ok({ type: 'host', id: found.name }) : fail(DHCP_R.NOKEYS);
  }

  // ---- leases

  private lookupLease(keys: readonly NameValue[]): Outcome<ObjectRef> {
    let found: string | undefined;
    const step = (matches: string[]): Outcome<ObjectRef> | undefined => {
      const first = matches[0];
      if (found !== undefined && first !== found) return fail(DHCP_R.KEYCONFLICT);
      if (first === undefined) return fail(ISC_R.NOTFOUND);
      if (matches.length > 1) return fail(DHCP_R.MULTIPLE);
      found = first;
      return undefined;
    };
    const ip = findValue(keys, 'ip-address');
    if (ip?.value) {
      const id = Array.from(ip.value).join('.');
      const r = step(ip.value.length === 4 && this.leases.has(id) ? [id] : []);
      if (r) return r;
    }
    const cid = findValue(keys, 'dhcp-client-identifier');
    if (cid?.value) {
      const r = step(this.leaseIds((l) => equal(l.clientIdentifier, cid.value!)));
      if (r) return r;
    }
    const hw = findValue(keys, 'hardware-address');
    if (hw?.value) {
      const htype = lookupHardwareType(keys);
      if (htype === 'invalid') return fail(DHCP_R.INVALIDARG);
      const r = step(
        this.leaseIds((l) => (l.hardwareType ?? HTYPE_ETHER) === htype && equal(l.hardwareAddress, hw.value!)),
      );
      if (r) return r;
    }
    return found !== undefined ? ok({ type: 'lease', id: found }) : fail(DHCP_R.NOKEYS);
  }

  private leaseIds(pred: (l: MemoryLease) => boolean): string[] {
    const out: string[] = [];
    for (const [id, l] of this.leases) if (pred(l)) out.push(id);
    return out;
  }

  private setLeaseValues(lease: MemoryLease, values: readonly NameValue[]): Outcome<void> {
    for (const { name, value } of values) {
      switch (name) {
        case 'state': {
          const s = readU32(value);
          if (s === undefined || s < 1 || s > BINDING_STATES.length) return fail(DHCP_R.INVALIDARG);
          lease.state = s;
          break;
        }
        case 'ends': {
          const t = readU32(value);
          if (t === undefined) return fail(DHCP_R.INVALIDARG);
          lease.ends = t;
          break;
        }
        default: {
          const fixed = fixedLeaseAttribute(name);
          if (fixed === 'unchanged') break;
          if (fixed !== undefined) return fixed;
          if (!value) lease.scope?.delete(name);
          else {
            lease.scope ??= new Map();
            lease.scope.set(name, value);
          }
        }
      }
    }
    return ok(undefined);
  }
}
