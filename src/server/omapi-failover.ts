// OMAPI's `failover-state` object (ISC server/failover.c dhcp_failover_state_lookup, _get_value, _stuff_values,
// _set_value): one per `failover peer`, looked up by `name`. Its attributes are ISC's, in ISC's order; setting
// `local-state` moves the relationship to that state (an operator's partner-down: `set local-state = 4`), and the
// other attributes are accepted and ignored, as ISC does. It cannot be created or removed.

import type { PeerSettings } from '../failover/peer-config.js';
import type { Relationship } from '../failover/relationship.js';
import { type Attribute, fail, type ObjectRef, type Outcome, ok } from '../omapi/provider.js';
import { DHCP_R, ISC_R } from '../omapi/results.js';
import { findValue, type NameValue, readU32, stringValue, u32Value } from '../omapi/wire.js';
import { ipToBytes, parseIpv4 } from '../wire/ip.js';

/** What the object reads of a running relationship. */
export interface FailoverStateSource {
  readonly relationship: Relationship;
  readonly settings: PeerSettings;
  /** Moves the relationship to `state` (the shell carries out what follows). */
  setLocalState(state: number): void;
}

/** Attributes an update may name: ISC accepts and ignores them (only local-state acts). */
const SETTABLE = new Set([
  'name',
  'partner-address',
  'local-address',
  'partner-port',
  'local-port',
  'max-outstanding-updates',
  'mclt',
  'load-balance-max-secs',
  'load-balance-hba',
  'partner-state',
  'partner-stos',
  'local-stos',
  'hierarchy',
  'last-packet-sent',
  'last-timestamp-received',
  'skew',
  'max-response-delay',
  'cur-unacked-updates',
]);

function address(text: string | undefined): Uint8Array {
  const a = text === undefined ? undefined : parseIpv4(text);
  return a === undefined ? new Uint8Array(4) : ipToBytes(a);
}

/** dhcp_failover_state_lookup: by name (ISC also by handle, which the session resolves). */
export function lookupFailoverState(
  peers: ReadonlyMap<string, FailoverStateSource>,
  keys: readonly NameValue[],
): Outcome<ObjectRef> {
  const name = findValue(keys, 'name');
  if (name?.value === undefined || name.value === null) return fail(DHCP_R.NOKEYS);
  const n = Buffer.from(name.value).toString('latin1');
  return peers.has(n) ? ok({ type: 'failover-state', id: n }) : fail(ISC_R.NOTFOUND);
}

/** dhcp_failover_state_stuff_values: the attributes in ISC's order. */
export function failoverStateAttributes(src: FailoverStateSource): Attribute[] {
  const r = src.relationship;
  const s = src.settings;
  const out: Attribute[] = [
    { name: 'name', value: stringValue(r.name) },
    { name: 'partner-address', value: address(s.peer.address) },
    { name: 'partner-port', value: u32Value(s.peer.port) },
    { name: 'local-address', value: address(s.listen.address) },
    { name: 'local-port', value: u32Value(s.listen.port) },
    { name: 'max-outstanding-updates', value: u32Value(s.relationship.maxUnackedUpdates) },
    { name: 'mclt', value: u32Value(r.mclt) },
    { name: 'load-balance-max-secs', value: u32Value(s.loadBalanceMaxSecs) },
  ];
  if (r.hba !== undefined) out.push({ name: 'load-balance-hba', value: r.hba });
  out.push(
    { name: 'partner-state', value: u32Value(r.partner.state) },
    { name: 'local-state', value: u32Value(r.me.state) },
    { name: 'partner-stos', value: u32Value(r.partner.stos) },
    { name: 'local-stos', value: u32Value(r.me.stos) },
    { name: 'hierarchy', value: u32Value(r.role === 'primary' ? 0 : 1) },
    // ISC 4.4 declares but never sets these three: they are always 0 there too.
    { name: 'last-packet-sent', value: u32Value(0) },
    { name: 'last-timestamp-received', value: u32Value(0) },
    { name: 'skew', value: u32Value(0) },
    { name: 'max-response-delay', value: u32Value(s.relationship.maxResponseDelay) },
    { name: 'cur-unacked-updates', value: u32Value(r.updates.flyingCount) },
  );
  return out;
}

/** dhcp_failover_state_set_value: `local-state` changes the state; the rest is accepted and ignored. */
export function updateFailoverState(src: FailoverStateSource, values: readonly NameValue[]): Outcome<void> {
  for (const { name, value } of values) {
    if (name === 'local-state') {
      const state = readU32(value);
      if (state === undefined) return fail(DHCP_R.INVALIDARG);
      src.setLocalState(state);
    } else if (!SETTABLE.has(name)) return fail(ISC_R.NOTFOUND);
  }
  return ok(undefined);
}
