// What the rest of the server reads of its failover relationships, derived from each relationship's
// state after every change: the engine's view of a pool's relationship (failover-engine.ts
// FailoverPoolState: service state, hash buckets, states and MCLT for the lease rules) and the
// allocator's policy (failover-slots.ts FailoverPolicy: the conditions ISC's pool_timer and
// release_lease read). Pure: the daemon (daemon-failover.ts) refreshes it after each batch of a
// relationship's effects, and the simulation of two servers in one process does the same.

import type { Pool } from '../conf/scope-tree.js';
import type { PeerSettings } from '../failover/peer-config.js';
import type { Relationship } from '../failover/relationship.js';
import { FO_STATE, failoverStateName } from '../failover/wire.js';
import type { Allocator } from './allocator.js';
import type { FailoverPoolState, FailoverView } from './failover-engine.js';
import type { FailoverPolicy } from './failover-slots.js';

/** The engine's view of one relationship, as it now is. */
export function poolStateOf(rel: Relationship, settings: PeerSettings): FailoverPoolState {
  return {
    name: rel.name,
    role: rel.role,
    service: rel.service,
    nrr: rel.notResponding,
    hba: rel.hba,
    loadBalanceMaxSecs: settings.loadBalanceMaxSecs,
    alloc: {
      role: rel.role,
      myState: failoverStateName(rel.me.state),
      partnerState: failoverStateName(rel.partner.state),
      mclt: rel.mclt,
      stos: rel.me.stos,
    },
  };
}

/** The allocator's side of the state machine (failover-slots.ts FailoverPolicy), as ISC's timers read it. */
export function policyOf(rel: Relationship): FailoverPolicy {
  const s = rel.service;
  const policy: FailoverPolicy = {};
  if (s === 'cooperating' || s === 'not-responding') policy.stepRewind = true;
  if (s === 'not-cooperating') policy.rewindTo = rel.role === 'primary' ? 'free' : 'backup';
  if (rel.role === 'secondary' && rel.me.state === FO_STATE.NORMAL) policy.holdActive = true;
  if (rel.me.state === FO_STATE.PARTNER_DOWN) policy.partnerDown = { stos: rel.me.stos, mclt: rel.mclt };
  return policy;
}

/** The engine's FailoverView over a server's relationships, and the allocator's policy per peer. */
export class FailoverViews implements FailoverView {
  private readonly allocator: Allocator;
  private readonly views = new Map<string, FailoverPoolState>();
  private readonly policies = new Map<string, string>();

  constructor(allocator: Allocator) {
    this.allocator = allocator;
  }

  /** Re-reads one relationship: its view, and its policy given to the allocator when it changed. */
  refresh(rel: Relationship, settings: PeerSettings): void {
    this.views.set(rel.name, poolStateOf(rel, settings));
    const policy = policyOf(rel);
    const key = JSON.stringify(policy);
    if (this.policies.get(rel.name) !== key) {
      this.policies.set(rel.name, key);
      this.allocator.setFailoverPolicy(rel.name, policy);
    }
  }

  forPool(pool: Pool): FailoverPoolState | undefined {
    return pool.failoverPeer === undefined ? undefined : this.views.get(pool.failoverPeer);
  }
}

/** The failover peer whose pools hold `address` (a record the server committed goes to that partner), if any. */
export function failoverPeerOf(allocator: Allocator, address: number): string | undefined {
  const slot = allocator.slotOf(address);
  if (slot < 0) return undefined;
  return allocator.poolOfSlot(slot).failoverPeer;
}
