// The records of a dhcpd.leases file, as ISC DHCP 4.4 reads them (server/confpars.c
// lease_file_subparse): leases, OMAPI hosts and groups, dynamic classes and subclasses, failover
// state, server-duid, authoring-byte-order, and DHCPv6 IAs (kept, not served).
//
// Choices made here, and why:
// - An IPv4 address is an unsigned 32-bit number: a million leases cost no strings, and the
//   allocator orders and indexes addresses as integers. `ipv4ToString`/`parseIPv4` convert.
// - A time is seconds since the epoch, UTC. `never` is NEVER (Infinity) so `ends > now` works
//   unchanged. Dates from 2038 on are kept as written (ISC 4.4 turns them into `never` when it
//   reads them; we have no 2038 problem and losing the date would be a loss).
// - Fields absent from the file stay absent (undefined): ISC fills some in when it reads (tstp
//   from ends, the binding state from ends and the clock); `effectiveBindingState` does that for
//   the engine, but the record says what the file says, so a rewrite changes nothing.
// - `binding state bootp|reserved` and `abandoned;` are read as ISC reads them: the state becomes
//   active (plus the bootp/reserved flag) or abandoned. That is also what ISC writes back.
// - Records we keep but do not interpret (`on` blocks, hosts, classes, groups, IAs, billing) keep
//   their source text, so a rewrite reproduces them byte for byte.

import type { HostDecl } from '../conf/ast.js';
import type { OptionType, OptionValue } from '../options/types.js';

/** Seconds since 1970-01-01 UTC; NEVER for `never`. */
export type LeaseTime = number;
export const NEVER: LeaseTime = Number.POSITIVE_INFINITY;

/** ISC's binding_state_names, minus the two legacy names it reads as flags (reserved, bootp). */
export type BindingState = 'free' | 'active' | 'expired' | 'released' | 'abandoned' | 'reset' | 'backup';

export const BINDING_STATES: readonly BindingState[] = [
  'free',
  'active',
  'expired',
  'released',
  'abandoned',
  'reset',
  'backup',
];

/** A hardware address: ARP hardware type (1 = ethernet) and its octets. */
export interface HardwareAddress {
  type: number;
  address: Uint8Array;
}

/** `set NAME = VALUE;` in a lease: ISC's binding values (data, %number, true/false). */
export type VariableValue =
  | { type: 'data'; data: Uint8Array }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean };

export interface LeaseVariable {
  name: string;
  value: VariableValue;
}

/** `option agent.NAME VALUE;`: a relay agent sub-option ISC stored with the lease. */
export interface LeaseOption {
  space: string;
  name: string;
  code: number;
  type: OptionType;
  value: OptionValue;
}

export interface Lease {
  kind: 'lease';
  /** IPv4 address as an unsigned 32-bit integer. */
  address: number;
  starts?: LeaseTime;
  ends?: LeaseTime;
  tstp?: LeaseTime;
  tsfp?: LeaseTime;
  atsfp?: LeaseTime;
  cltt?: LeaseTime;
  bindingState?: BindingState;
  /** Only when it differs from bindingState (ISC writes it only then). */
  nextBindingState?: BindingState;
  /** Only when it differs from bindingState. */
  rewindBindingState?: BindingState;
  /** `reserved;` (or the legacy `binding state reserved;`). */
  reserved?: boolean;
  /** `dynamic-bootp;` (or the legacy `binding state bootp;`). */
  bootp?: boolean;
  hardware?: HardwareAddress;
  /** Client identifier octets. */
  uid?: Uint8Array;
  /** Octets, one char per byte (latin1), as the client sent them. */
  clientHostname?: string;
  /** `set` variables, in file order; a repeated name replaces the earlier value in place. */
  variables?: LeaseVariable[];
  agentOptions?: LeaseOption[];
  /** `on expiry|release|commit ... { ... }` statements, verbatim. */
  onStatements?: string[];
  /** Statements ISC accepts that we keep but do not interpret (`billing class ...;`, `class x;`). */
  opaque?: string[];
}

/** `host NAME { dynamic; ... }` or `host NAME { dynamic; deleted; }` written through OMAPI. */
export interface HostRecord {
  kind: 'host';
  name: string;
  dynamic: boolean;
  deleted: boolean;
  /** The parsed declaration (hardware, fixed-address, statements). */
  decl: HostDecl;
  text: string;
}

/** `group NAME { dynamic; ... }`, `class "NAME" { ... }`, `subclass "NAME" SELECTOR ...`. */
export interface DeclarationRecord {
  kind: 'group' | 'class' | 'subclass';
  name: string;
  /** For a subclass: the selector octets. */
  selector?: Uint8Array;
  deleted: boolean;
  text: string;
}

export interface FailoverStateSetting {
  state: string;
  /** Absent when written as `my state normal;` (ISC then uses the current time). */
  at?: LeaseTime;
}

/** `failover peer "NAME" state { my state ...; partner state ...; mclt N; }`. */
export interface FailoverStateRecord {
  kind: 'failover-state';
  peer: string;
  my?: FailoverStateSetting;
  partner?: FailoverStateSetting;
  mclt?: number;
}

export interface ServerDuidRecord {
  kind: 'server-duid';
  duid: Uint8Array;
}

export interface ByteOrderRecord {
  kind: 'authoring-byte-order';
  order: 'little-endian' | 'big-endian';
}

/** DHCPv6 `ia-na|ia-ta|ia-pd IAID-DUID { ... }`: parsed for validity, kept verbatim. */
export interface IaRecord {
  kind: 'ia-na' | 'ia-ta' | 'ia-pd';
  iaidDuid: Uint8Array;
  text: string;
}

export type LeaseFileRecord =
  | Lease
  | HostRecord
  | DeclarationRecord
  | FailoverStateRecord
  | ServerDuidRecord
  | ByteOrderRecord
  | IaRecord;

/**
 * A lease with every field present (undefined when absent), always in the same order. The
 * readers build leases in this shape so a million of them share one hidden class; code that
 * builds leases by hand may leave fields out - `undefined` and absent mean the same.
 */
export function newLease(address: number): Lease {
  return {
    kind: 'lease',
    address,
    starts: undefined,
    ends: undefined,
    tstp: undefined,
    tsfp: undefined,
    atsfp: undefined,
    cltt: undefined,
    bindingState: undefined,
    nextBindingState: undefined,
    rewindBindingState: undefined,
    reserved: undefined,
    bootp: undefined,
    hardware: undefined,
    uid: undefined,
    clientHostname: undefined,
    variables: undefined,
    agentOptions: undefined,
    onStatements: undefined,
    opaque: undefined,
  };
}

export function ipv4ToString(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** Dotted quad to u32; undefined when it is not four decimal octets. */
export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let k = 1; k <= 4; k++) {
    const o = Number(m[k]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/**
 * The binding state ISC assumes for a lease whose record names none (confpars.c): active while
 * it has not ended (or has `on` statements), else free. Failover pools make it expired; the
 * caller passes `failover` when the lease's pool has a peer.
 */
export function effectiveBindingState(lease: Lease, now: LeaseTime, failover = false): BindingState {
  if (lease.bindingState !== undefined) return lease.bindingState;
  if ((lease.ends ?? 0) > now || (lease.onStatements?.length ?? 0) > 0) return 'active';
  return failover ? 'expired' : 'free';
}

/** The state the lease moves to when it ends, as ISC defaults it. */
export function effectiveNextBindingState(lease: Lease, now: LeaseTime, failover = false): BindingState {
  if (lease.nextBindingState !== undefined) return lease.nextBindingState;
  const state = effectiveBindingState(lease, now, failover);
  if (lease.bindingState === undefined && state === 'active') return failover ? 'expired' : 'free';
  return state;
}

/** `tstp` as ISC fills it in: the end time when the file gives none. */
export function effectiveTstp(lease: Lease): LeaseTime | undefined {
  return lease.tstp ?? lease.ends;
}
