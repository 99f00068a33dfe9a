// How long a lease lasts (ISC ack_lease): the client's requested time (option 51) or
// default-lease-time, capped by max-lease-time, raised to min-lease-time; T1/T2 from configured
// dhcp-renewal-time / dhcp-rebinding-time when they make sense, else 1/2 and 7/8 of the lease.

import type { OptionStatement } from '../conf/ast.js';
import type { Scope } from '../conf/scope-tree.js';
import { lookupParameter } from '../conf/scope-tree.js';
import { OPT_LEASE_TIME, OPT_REBINDING_TIME, OPT_RENEWAL_TIME } from './reply-options.js';

/** ISC's compiled-in defaults (includes/dhcpd.h). */
export const DEFAULT_DEFAULT_LEASE_TIME = 43200;
export const DEFAULT_MAX_LEASE_TIME = 86400;
export const DEFAULT_MIN_LEASE_TIME = 300;
export const INFINITE = 0xffffffff;

function numberParameter(chain: readonly Scope[], name: string): number | undefined {
  const v = lookupParameter(chain, name)?.value;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function readU32(data: Uint8Array | undefined): number | undefined {
  if (data?.length !== 4) return undefined;
  return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
}

export interface LeaseTimes {
  leaseTime: number;
  renewalTime: number | undefined;
  rebindingTime: number | undefined;
}

export function leaseTimes(
  chain: readonly Scope[],
  requestOptions: ReadonlyMap<number, Uint8Array>,
  configured: ReadonlyMap<number, OptionStatement>,
): LeaseTimes {
  const def = numberParameter(chain, 'default-lease-time') ?? DEFAULT_DEFAULT_LEASE_TIME;
  const max = numberParameter(chain, 'max-lease-time') ?? DEFAULT_MAX_LEASE_TIME;
  const min = numberParameter(chain, 'min-lease-time') ?? Math.min(DEFAULT_MIN_LEASE_TIME, max);
  let lease = readU32(requestOptions.get(OPT_LEASE_TIME)) ?? def;
  if (lease > max) lease = max;
  if (lease < min) lease = min > 0 ? min : def;
  if (lease >= INFINITE) return { leaseTime: INFINITE, renewalTime: undefined, rebindingTime: undefined };
  // Configured T2 must be below the lease time and T1 below T2, else the computed value is sent.
  const cfgT2 = configuredNumber(configured.get(OPT_REBINDING_TIME));
  const t2 = cfgT2 !== undefined && cfgT2 < lease ? cfgT2 : Math.floor((lease * 7) / 8);
  const cfgT1 = configuredNumber(configured.get(OPT_RENEWAL_TIME));
  const t1 = cfgT1 !== undefined && cfgT1 < t2 ? cfgT1 : Math.min(Math.floor(lease / 2), t2);
  return { leaseTime: lease, renewalTime: t1, rebindingTime: t2 };
}

function configuredNumber(st: OptionStatement | undefined): number | undefined {
  return typeof st?.value === 'number' ? st.value : undefined;
}

/** BOOTP leases never end unless `bootp-lease-length` says otherwise. */
export function bootpLeaseEnds(chain: readonly Scope[], now: number): number {
  const length = numberParameter(chain, 'bootp-lease-length');
  return length === undefined ? Number.POSITIVE_INFINITY : now + length;
}
