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
import type { LeaseFields, LeaseTextBuffer } from './lease-text.js';
import type { WriteOptions } from './writer.js';

export interface LoadedLeases {
  /** The surviving record of each key (without the leases a LeaseHolder took). */
  records: LeaseFileRecord[];
  /** The surviving lease of each address (without the leases a LeaseHolder took). */
  leases: Map<number, Lease>;
  /** Leases loaded, one per address, those a LeaseHolder took included (`leases.size` without one). */
  leaseCount?: number;
  /** Things worth telling the administrator (a torn last record that was skipped, ...). */
  warnings: Diagnostic[];
}

export interface LeaseStoreStats {
  /** Records the store keeps itself (one per key; a LeaseHolder's leases are not counted). */
  live: number;
  /** Records written since the last load or rewrite; compaction is worth it when this is large. */
  appendedSinceRewrite: number;
}

/**
 * Where the server keeps the leases of its pools (the allocator): the store hands it each lease as
 * it is read and keeps no copy of those it takes, and writes them from it when it rewrites. With
 * a million leases, a Lease object per address in the store would cost more memory than the rest
 * of the server together. The holder's state is then the store's snapshot of those addresses.
 */
export interface LeaseHolder {
  /** A lease read from the store, in order (a later one of an address replaces the earlier); true when taken. */
  take(lease: Lease): boolean;
  /** The same for a canonical lease block read as fields (reader.ts onLeaseFields). */
  takeFields?(fields: LeaseFields): boolean;
  /** Whether leases of this address are the holder's (the same answer for the life of the holder). */
  holds(address: number): boolean;
  /** The whole store was read; returns how many addresses it took leases of. */
  finish(): number;
  /** The current record of every address it holds that has one. */
  records(): Iterable<Lease>;
  /**
   * Appends the text of its records to `out`, starting at `cursor` (0 first), until `out` has
   * less than `reserve` bytes of room; returns where to go on, or -1 once all are written.
   */
  writeText(out: LeaseTextBuffer, cursor: number, reserve: number, opts: WriteOptions): number;
}

export interface LeaseStore {
  /**
   * Read everything; fails (and changes nothing) when the stored data cannot be read. With a
   * holder, the leases it takes are its own (on failure they are garbage: discard the holder).
   */
  load(holder?: LeaseHolder): Promise<LoadedLeases>;
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
