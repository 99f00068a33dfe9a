// What DNS holds for a lease lives in the lease's variables, named as ISC 4.4.3 names them
// (ddns_update_lease_text): `ddns-fwd-name`, `ddns-dhcid` (standard) or `ddns-txt` (interim),
// `ddns-rev-name`, `ddns-client-fqdn`. A lease file written by either server carries on in the other.

import type { LeaseVariable } from '../leases/lease.js';
import type { DnsState } from './transaction.js';

const FWD = 'ddns-fwd-name';
const DHCID = 'ddns-dhcid';
const TXT = 'ddns-txt';
const REV = 'ddns-rev-name';
const CLIENT = 'ddns-client-fqdn';
const NAMES: ReadonlySet<string> = new Set([FWD, DHCID, TXT, REV, CLIENT]);

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function data(vars: readonly LeaseVariable[], name: string): Uint8Array | undefined {
  for (const v of vars) if (v.name.toLowerCase() === name && v.value.type === 'data') return v.value.data;
  return undefined;
}

/** ISC keeps text as it sent it; a name stored with its terminating NUL (older files) loses it here. */
function text(vars: readonly LeaseVariable[], name: string): string | undefined {
  const d = data(vars, name);
  if (d === undefined) return undefined;
  const s = latin1(d);
  return s.endsWith('\0') ? s.slice(0, -1) : s;
}

/** The DNS state a lease's variables record (undefined: none). */
export function dnsStateOf(vars: readonly LeaseVariable[] | undefined): DnsState | undefined {
  if (vars === undefined || vars.length === 0) return undefined;
  const s: DnsState = {};
  const fwd = text(vars, FWD);
  if (fwd !== undefined) s.fwdName = fwd;
  const dhcid = data(vars, DHCID);
  const txt = data(vars, TXT);
  if (dhcid !== undefined) s.guard = { style: 'standard', value: dhcid };
  else if (txt !== undefined) s.guard = { style: 'interim', value: txt };
  const rev = text(vars, REV);
  if (rev !== undefined) s.revName = rev;
  const client = text(vars, CLIENT);
  if (client !== undefined) s.clientFqdn = client;
  return s.fwdName === undefined && s.revName === undefined && s.clientFqdn === undefined ? undefined : s;
}

/** `vars` with the DNS variables replaced by `state`'s (newest first, as ISC writes a scope). */
export function withDnsState(vars: readonly LeaseVariable[] | undefined, state: DnsState): LeaseVariable[] | undefined {
  const out: LeaseVariable[] = [];
  const put = (name: string, d: Uint8Array) => out.push({ name, value: { type: 'data', data: d } });
  if (state.clientFqdn !== undefined) put(CLIENT, bytes(state.clientFqdn));
  if (state.revName !== undefined) put(REV, bytes(state.revName));
  if (state.guard !== undefined) put(state.guard.style === 'standard' ? DHCID : TXT, state.guard.value);
  if (state.fwdName !== undefined) put(FWD, bytes(state.fwdName));
  for (const v of vars ?? []) if (!NAMES.has(v.name.toLowerCase())) out.push(v);
  return out.length > 0 ? out : undefined;
}
