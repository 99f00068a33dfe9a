// How long a lease lasts (ISC ack_lease): the client's requested time (option 51) or
// default-lease-time, capped by max-lease-time, raised to min-lease-time. T1/T2 are not computed: ISC
// sends dhcp-renewal-time / dhcp-rebinding-time only when configured, checked against the lease time
// the reply finally carries (reply-options.ts).

import type { Scope } from '../conf/scope-tree.js';
import { lookupParameter } from '../conf/scope-tree.js';
import { ipFromBytes } from '../wire/index.js';
import { OPT_LEASE_TIME } from './reply-options.js';

/** ISC's compiled-in defaults (includes/dhcpd.h). */
export const DEFAULT_DEFAULT_LEASE_TIME = 43200;
export const DEFAULT_MAX_LEASE_TIME = 86400;
export const DEFAULT_MIN_LEASE_TIME = 300;
export const INFINITE = 0xffffffff;
/** ISC MAX_TIME: an infinite lease ends then (2038-01-19 03:14:07 UTC). */
export const MAX_TIME = 0x7fffffff;

function numberParameter(chain: readonly Scope[], name: string): number | undefined {
  const v = lookupParameter(chain, name)?.value;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export interface LeaseTimes {
  /** Seconds; INFINITE for an infinite lease. */
  leaseTime: number;
}

export function leaseTimes(chain: readonly Scope[], requestOptions: ReadonlyMap<number, Uint8Array>): LeaseTimes {
  const def = numberParameter(chain, 'default-lease-time') ?? DEFAULT_DEFAULT_LEASE_TIME;
  const max = numberParameter(chain, 'max-lease-time') ?? DEFAULT_MAX_LEASE_TIME;
  const min = numberParameter(chain, 'min-lease-time') ?? Math.min(DEFAULT_MIN_LEASE_TIME, max);
  const asked = requestOptions.get(OPT_LEASE_TIME);
  let lease = (asked === undefined ? undefined : ipFromBytes(asked)) ?? def;
  if (lease > max) lease = max;
  if (lease < min) lease = min > 0 ? min : def;
  return { leaseTime: lease >= INFINITE ? INFINITE : lease };
}

/**
 * The lease time option 51 carries (ISC: offered_expiry - cur_time): an infinite lease ends at
 * MAX_TIME, so it is sent as the seconds left until then, as is a lease whose end would pass
 * 0xffffffff (ISC leaseTimeCheck caps it at MAX_TIME - 1).
 */
export function offeredLeaseTime(leaseTime: number, now: number): number {
  if (leaseTime >= INFINITE) return Math.max(0, MAX_TIME - now);
  if (now + leaseTime >= INFINITE) return Math.max(0, MAX_TIME - 1 - now);
  return leaseTime;
}

/** BOOTP leases never end unless `bootp-lease-length` says otherwise. */
export function bootpLeaseEnds(chain: readonly Scope[], now: number): number {
  const length = numberParameter(chain, 'dynamic-bootp-lease-length');
  return length === undefined ? Number.POSITIVE_INFINITY : now + length;
}
