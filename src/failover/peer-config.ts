// A `failover peer` declaration made ready to run: ISC's defaults filled in (confpars.c
// parse_failover_peer, failover.h), the hash buckets built from `split`, and the lease file's
// `failover peer "NAME" state { ... }` record read back as the state to start from.

import type { FailoverPeerDecl } from '../conf/ast.js';
import type { FailoverStateRecord } from '../leases/lease.js';
import { makeHba } from './load-balance.js';
import { BALANCE_DEFAULTS } from './pool-balance.js';
import type { PersistedState, RelationshipConfig } from './relationship.js';
import { FAILOVER_DEFAULT_PORT, failoverStateName, parseFailoverState } from './wire.js';

export const DEFAULT_MAX_UNACKED_UPDATES = 100;
export const DEFAULT_MAX_RESPONSE_DELAY = 20;
export const DEFAULT_MAX_LEASE_MISBALANCE = BALANCE_DEFAULTS.maxLeaseMisbalance;
export const DEFAULT_MAX_LEASE_OWNERSHIP = BALANCE_DEFAULTS.maxLeaseOwnership;
export const DEFAULT_MAX_BALANCE = BALANCE_DEFAULTS.maxBalance;
export const DEFAULT_MIN_BALANCE = BALANCE_DEFAULTS.minBalance;

export interface PeerSettings {
  relationship: RelationshipConfig;
  listen: { address?: string; port: number };
  peer: { address: string; port: number };
  /** `load balance max seconds` (0: load balancing off, ISC's default with its warning). */
  loadBalanceMaxSecs: number;
  maxLeaseMisbalance: number;
  maxLeaseOwnership: number;
  maxBalance: number;
  minBalance: number;
}

export function peerSettings(decl: FailoverPeerDecl, vendorClass: string): PeerSettings {
  const role = decl.role ?? 'primary';
  const hba = decl.hba ?? (decl.split !== undefined ? makeHba(decl.split) : undefined);
  return {
    relationship: {
      name: decl.name,
      role,
      mclt: decl.mclt ?? 0,
      ...(hba !== undefined ? { hba } : {}),
      maxUnackedUpdates: decl.maxUnackedUpdates || DEFAULT_MAX_UNACKED_UPDATES,
      maxResponseDelay: decl.maxResponseDelay || DEFAULT_MAX_RESPONSE_DELAY,
      autoPartnerDown: decl.autoPartnerDown ?? 0,
      vendorClass,
    },
    listen: {
      ...(decl.address !== undefined ? { address: decl.address } : {}),
      port: decl.port ?? FAILOVER_DEFAULT_PORT,
    },
    peer: { address: decl.peerAddress ?? '', port: decl.peerPort ?? FAILOVER_DEFAULT_PORT },
    loadBalanceMaxSecs: decl.loadBalanceMaxSeconds ?? 0,
    maxLeaseMisbalance: decl.maxLeaseMisbalance || DEFAULT_MAX_LEASE_MISBALANCE,
    maxLeaseOwnership: decl.maxLeaseOwnership || DEFAULT_MAX_LEASE_OWNERSHIP,
    maxBalance: decl.maxBalance || DEFAULT_MAX_BALANCE,
    minBalance: decl.minBalance || DEFAULT_MIN_BALANCE,
  };
}

/** The lease file's state record as the relationship starts from it (later records win, as ISC reads). */
export function persistedFrom(rec: FailoverStateRecord | undefined, now: number): PersistedState | undefined {
  if (rec === undefined) return undefined;
  const side = (s: FailoverStateRecord['my']) => {
    const code = s === undefined ? undefined : parseFailoverState(s.state);
    return code === undefined ? undefined : { state: code, at: s?.at ?? now };
  };
  const my = side(rec.my);
  const partner = side(rec.partner);
  return {
    ...(my !== undefined ? { my } : {}),
    ...(partner !== undefined ? { partner } : {}),
    ...(rec.mclt !== undefined ? { mclt: rec.mclt } : {}),
  };
}

/** The relationship's state as the lease file's record (write_failover_state). */
export function stateRecordOf(name: string, s: PersistedState): FailoverStateRecord {
  return {
    kind: 'failover-state',
    peer: name,
    ...(s.my !== undefined ? { my: { state: failoverStateName(s.my.state), at: s.my.at } } : {}),
    ...(s.partner !== undefined ? { partner: { state: failoverStateName(s.partner.state), at: s.partner.at } } : {}),
    ...(s.mclt !== undefined ? { mclt: s.mclt } : {}),
  };
}
