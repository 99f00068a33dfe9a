// The server's failover relationships at run time: one Relationship and its TCP shell per `failover
// peer`, started from the state the lease file recorded, with the lease side over the allocator. Lease
// records the server commits for a failover pool become binding updates to the partner; what the
// partner sends is written through the same lease store, and acknowledged only once it is durable.

import type { ScopeTree } from '../conf/scope-tree.js';
import { FailoverLink } from '../failover/daemon-link.js';
import { type PeerSettings, peerSettings, persistedFrom, stateRecordOf } from '../failover/peer-config.js';
import { type LeaseSide, Relationship } from '../failover/relationship.js';
import type { FailoverStateRecord, LeaseFileRecord } from '../leases/lease.js';
import type { LeaseStore } from '../leases/store.js';
import type { Allocator } from './allocator.js';
import type { Logger } from './daemon-log.js';
import type { FailoverView } from './failover-engine.js';
import { FailoverViews, failoverPeerOf } from './failover-view.js';

export const FAILOVER_VENDOR_CLASS = 'leasehold-0.1.0';

/** A lease side that also hands the shell the records its changes produced, to be written. */
export interface RecordingLeaseSide extends LeaseSide {
  takeRecords(): LeaseFileRecord[];
  /** The server changed this lease itself (its new state is what the partner is to hear). */
  localChange(address: number): void;
}

export interface FailoverPeerRuntime {
  readonly name: string;
  readonly relationship: Relationship;
  readonly settings: PeerSettings;
  readonly link: FailoverLink;
  readonly side: RecordingLeaseSide;
}

export interface FailoverRuntime extends FailoverView {
  readonly peers: ReadonlyMap<string, FailoverPeerRuntime>;
  /** Records the server made durable: those of failover pools go to the partner. */
  committed(records: readonly LeaseFileRecord[]): void;
  stop(): Promise<void>;
}

export interface FailoverStartOptions {
  tree: ScopeTree;
  allocator: Allocator;
  store: LeaseStore;
  /** The lease file's records (its `failover peer "NAME" state` ones are read). */
  records: readonly LeaseFileRecord[];
  log: Logger;
  /** Milliseconds since the epoch. */
  clock: () => number;
  side: (name: string, settings: PeerSettings, relationship: () => Relationship) => RecordingLeaseSide;
}

export async function startFailover(o: FailoverStartOptions): Promise<FailoverRuntime | undefined> {
  if (o.tree.failoverPeers.size === 0) return undefined;
  const saved = new Map<string, FailoverStateRecord>();
  for (const r of o.records) if (r.kind === 'failover-state') saved.set(r.peer, r);
  const peers = new Map<string, FailoverPeerRuntime>();
  // The engine's view of each relationship and the allocator's policy follow every state change.
  const views = new FailoverViews(o.allocator);
  const now = o.clock() / 1000;
  let lastCommit: Promise<void> = Promise.resolve();
  const write = (records: LeaseFileRecord[]): Promise<void> => {
    if (records.length === 0) return lastCommit;
    lastCommit = o.store.commit(records);
    return lastCommit;
  };
  for (const [name, decl] of o.tree.failoverPeers) {
    const settings = peerSettings(decl, FAILOVER_VENDOR_CLASS);
    let rel: Relationship | undefined;
    const side = o.side(name, settings, () => rel!);
    rel = new Relationship(settings.relationship, side, now, persistedFrom(saved.get(name), Math.floor(now)));
    const relationship = rel;
    const link = new FailoverLink({
      relationship,
      listen: settings.listen,
      peer: settings.peer,
      clock: o.clock,
      log: (level, text) => (level === 'error' ? o.log.error(text) : o.log.info(text)),
      persist: (record) => write([...side.takeRecords(), stateRecordOf(name, record)]),
      durable: () => write(side.takeRecords()),
      changed: () => {
        views.refresh(relationship, settings);
        const records = side.takeRecords();
        if (records.length > 0) {
          write(records).catch((e: unknown) =>
            o.log.error(`failover peer ${name}: lease records from the peer not written: ${String(e)}`),
          );
        }
      },
    });
    if (settings.loadBalanceMaxSecs === 0) {
      o.log.info(
        `WARNING: load balancing will be disabled for failover peer, ${name}, because its load balance max secs is 0`,
      );
    }
    peers.set(name, { name, relationship, settings, link, side });
  }
  for (const p of peers.values()) views.refresh(p.relationship, p.settings);
  for (const p of peers.values()) await p.link.start();
  return {
    peers,
    forPool: (pool) => views.forPool(pool),
    committed: (records) => {
      for (const r of records) {
        if (r.kind !== 'lease') continue;
        const peer = failoverPeerOf(o.allocator, r.address);
        const p = peer === undefined ? undefined : peers.get(peer);
        if (p === undefined) continue;
        p.side.localChange(r.address);
        p.link.queueUpdate(r.address);
      }
    },
    stop: async () => {
      for (const p of peers.values()) await p.link.stop();
    },
  };
}
