// The contract of a failover relationship (relationship.ts) with what surrounds it: its settings
// (peer-config.ts builds them from a `failover peer` declaration), the lease file's state record, the
// effects the I/O shell carries out (daemon-link.ts), and the server's leases as the relationship
// reaches them (LeaseSide, implemented by the server and by the simulation's MemoryLeases).
// relationship.ts re-exports every type here.

import type { FailoverMessage } from './wire.js';

export type Role = 'primary' | 'secondary';

/** What the server's pools are told about serving, derived from the states (ISC's service_state). */
export type { ServiceState } from './service-state.js';

export interface RelationshipConfig {
  name: string;
  role: Role;
  /** The primary's configured mclt; a secondary learns it from CONNECT (or its lease file). */
  mclt: number;
  /** 32 bytes of hash buckets; the primary's from `split`/`hba`, a secondary's from CONNECT. */
  hba?: Uint8Array;
  /** Our max-unacked-updates (ISC default 100). */
  maxUnackedUpdates: number;
  /** Our max-response-delay in seconds (ISC default 20). */
  maxResponseDelay: number;
  /** Seconds in COMMUNICATIONS-INTERRUPTED before PARTNER-DOWN; 0 = never. */
  autoPartnerDown: number;
  /** Sent as the vendor-class option of CONNECT and CONNECTACK. */
  vendorClass: string;
}

/** The `failover peer "NAME" state { ... }` record of the lease file. */
export interface PersistedState {
  my?: { state: number; at: number };
  partner?: { state: number; at: number };
  mclt?: number;
}

export type Effect =
  | { kind: 'send'; link: number; msg: FailoverMessage }
  /** Send once everything written so far is durable (a BNDACK). */
  | { kind: 'send-after-commit'; link: number; msg: FailoverMessage }
  | { kind: 'close'; link: number }
  /** Open a link to the peer; the shell reports linkOpened or linkFailed. */
  | { kind: 'connect' }
  | { kind: 'log'; level: 'info' | 'error'; text: string }
  /** Write stateRecord() to the lease file and commit it. */
  | { kind: 'persist' };

/** A partner's BNDUPD installed, or refused with a reject reason and ISC's message. */
export type BindUpdateOutcome = { ok: true } | { ok: false; reason: number; message: string };

/** The server's leases, as the relationship needs them. Pure: it changes in-memory state only. */
export interface LeaseSide {
  /** The BNDUPD options for a queued address (and ISC's late "rewind" bookkeeping); undefined drops it. */
  bindUpdate(address: number, now: number): Partial<FailoverMessage> | undefined;
  /** A partner's BNDUPD: install it or say why not. */
  applyBindUpdate(msg: FailoverMessage, ctx: { myState: number; onAckQueue: boolean; now: number }): BindUpdateOutcome;
  /** The partner acknowledged (or rejected, rejectReason set) our update of `address`. */
  applyBindAck(address: number, msg: FailoverMessage, now: number): void;
  /** Addresses whose state the partner may not know (everything: all of them) — UPDREQ / UPDREQALL. */
  updateCandidates(everything: boolean): Iterable<number>;
  /** Pool rebalancing; returns the addresses moved (to queue) and whether to send a POOLREQ. */
  balance(now: number, mayRequest: boolean): { moved: number[]; poolRequest: boolean; logs: string[] };
  /** When the next rebalance is due (dhcp_failover_pool_check), or undefined. */
  nextBalance(now: number): number | undefined;
  /** Entering PARTNER-DOWN: expired leases become reclaimable at stos + mclt. */
  enterPartnerDown(stos: number, mclt: number, now: number): void;
  /** Addresses the lease side changed as a side effect (affinity moves to BACKUP) since last asked. */
  takeQueued(): number[];
}

/** A message before the relationship stamps its `time` as it sends it. */
export type Unstamped = Omit<FailoverMessage, 'time'>;

/** One TCP link as the relationship tracks it (not part of its public interface). */
export interface Link {
  outgoing: boolean;
  /** The next xid to send on this link. */
  xid: number;
  /** The peer must complete CONNECT/CONNECTACK before this (link startup timeout), or the link is closed. */
  startupDeadline?: number;
}
