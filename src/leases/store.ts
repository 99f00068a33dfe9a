// The lease store the server engine talks to. The engine decides; the store makes decisions
// durable. The dhcpd.leases journal (journal.ts) is the first implementation; a PostgreSQL
// store can implement the same contract.
//
// The contract, which the engine relies on for "no acknowledged lease is ever lost":
// - commit(changes) resolves only once every change is durable (on disk and fsynced, or
//   committed in the database). The engine sends DHCPACK only after that. Concurrent commits
//   may share one flush (group commit) but never resolve before the flush that covers them.
// - A rejected commit means nothing about those changes can be relied on: the engine must not
//   acknowledge them. The store repairs itself (ISC: "lease file is corrupt, rewrite it")
//   before the next commit.
// - Each change is a complete record; it replaces the record with the same key (a lease by
//   address, a host by name, ...). Nothing is ever updated in place.

import type { Diagnostic } from '../conf/diagnostics.js';
import type { Lease, LeaseFileRecord } from './lease.js';

export interface LoadedLeases {
  /** The surviving record of each key. */
  records: LeaseFileRecord[];
  /** The surviving lease of each address. */
  leases: Map<number, Lease>;
  /** Things worth telling the administrator (a torn last record that was skipped, ...). */
  warnings: Diagnostic[];
}

export interface LeaseStoreStats {
  /** Records in the snapshot (one per key). */
  live: number;
  /** Records written since the last load or rewrite; compaction is worth it when this is large. */
  appendedSinceRewrite: number;
}

export interface LeaseStore {
  /** Read everything; fails (and changes nothing) when the stored data cannot be read. */
  load(): Promise<LoadedLeases>;
  /** Make changes durable; resolves when they are. */
  commit(changes: readonly LeaseFileRecord[]): Promise<void>;
  /** The current record of every key, as committed so far (what a rewrite would write). */
  snapshot(): LeaseFileRecord[];
  /** Compact: replace the stored history by `records` (default: snapshot()), atomically. */
  rewrite(records?: Iterable<LeaseFileRecord>): Promise<void>;
  stats(): LeaseStoreStats;
  /** Wait for commits in flight, then release files or connections. */
  close(): Promise<void>;
}

/** Thrown by load() when the stored leases cannot be parsed; the store is left untouched. */
export class LeaseFileError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}: ${diagnostic.message}`);
    this.name = 'LeaseFileError';
    this.diagnostic = diagnostic;
  }
}
