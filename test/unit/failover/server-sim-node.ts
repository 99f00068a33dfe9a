// One DHCP server of the failover simulation (server-sim.ts), built from the real pure pieces the
// daemon wires: a scope tree from dhcpd.conf text, an Allocator, the ServerLeaseSide over it, the
// Relationship, and the engine's FailoverView with the allocator's policy (failover-view.ts). What
// the daemon's I/O shells do is done here in memory and in order: lease records go to a journal (the
// lease file's text, written before any BNDACK or persisted state leaves), the records the engine
// commits in a failover pool queue binding updates (daemon-failover.ts committed), and the effects
// the relationship returns become network actions for the simulation to carry out. A restart builds
// the server again from the journal's text, read as the daemon reads dhcpd.leases, or from nothing.

import type { ScopeTree } from '../../../src/conf/scope-tree.js';
import { type PeerSettings, peerSettings, persistedFrom, stateRecordOf } from '../../../src/failover/peer-config.js';
import { type Effect, Relationship } from '../../../src/failover/relationship.js';
import type { FailoverMessage } from '../../../src/failover/wire.js';
import type { FailoverStateRecord, Lease, LeaseFileRecord } from '../../../src/leases/lease.js';
import { parseLeasesBytes } from '../../../src/leases/reader.js';
import { formatFileHeader, formatRecord } from '../../../src/leases/writer.js';
import { Allocator } from '../../../src/server/allocator.js';
import { FAILOVER_VENDOR_CLASS } from '../../../src/server/daemon-failover.js';
import { expireLeases, handle } from '../../../src/server/engine.js';
import { ServerLeaseSide } from '../../../src/server/failover-leases.js';
import { FailoverViews, failoverPeerOf } from '../../../src/server/failover-view.js';
import type { HandleResult } from '../../../src/server/types.js';
import type { DhcpMessage } from '../../../src/wire/index.js';

/** What the simulated network is asked to do for a server. */
export type NetAction =
  | { kind: 'send'; link: number; msg: FailoverMessage }
  | { kind: 'close'; link: number }
  | { kind: 'connect' };

const LOG_KEEP = 400;

export class SimNode {
  readonly index: 0 | 1;
  readonly tree: ScopeTree;
  readonly ip: number;
  readonly peerName: string;
  readonly settings: PeerSettings;
  /** Seconds this server's clock is ahead of the simulation's. */
  skew = 0;
  up = false;
  /** Bumped at each boot: what was addressed to an earlier life is dropped. */
  incarnation = 0;
  allocator!: Allocator;
  side!: ServerLeaseSide;
  rel!: Relationship;
  views!: FailoverViews;
  /** The last log lines (for a failure's report); every line when keepAll is set. */
  readonly log: string[] = [];
  keepAll = false;
  /** Every log line of this schedule is also counted by the simulation. */
  onLog: (node: SimNode, level: 'info' | 'error', text: string) => void = () => undefined;
  /**
   * The lease file as it reads back: the last record written of each address (and of the state), in
   * the order each was first written - what reading the whole journal gives (a later record of an
   * address replaces the earlier, the address keeps its place), without its length. Text when read.
   */
  private journal = new Map<string, LeaseFileRecord>();
  private readonly random: () => number;

  constructor(index: 0 | 1, tree: ScopeTree, ip: number, random: () => number) {
    this.index = index;
    this.tree = tree;
    this.ip = ip;
    this.random = random;
    const [name, decl] = [...tree.failoverPeers][0]!;
    this.peerName = name;
    this.settings = peerSettings(decl, FAILOVER_VENDOR_CLASS);
  }

  /** This server's clock at simulation time `now`. */
  clock(now: number): number {
    return now + this.skew;
  }

  /**
   * Starts the server (daemon-start.ts): the lease file is read into a new allocator (or, lost,
   * nothing is), rewritten, and the relationship starts from the state record it held.
   */
  boot(now: number, keepFile: boolean): NetAction[] {
    const t = this.clock(now);
    const allocator = new Allocator(this.tree);
    let saved: FailoverStateRecord | undefined;
    if (keepFile && this.journal.size > 0) {
      const holder = allocator.leaseHolder(Math.floor(t));
      const text = this.leaseFileText();
      const parsed = parseLeasesBytes(Buffer.from(text, 'latin1'), 'sim.leases', {
        onLease: holder.take,
        ...(holder.takeFields !== undefined ? { onLeaseFields: holder.takeFields } : {}),
      });
      if (parsed.error !== undefined) throw new Error(`lease file does not parse: ${parsed.error.message}`);
      holder.finish();
      for (const r of parsed.records) if (r.kind === 'failover-state' && r.peer === this.peerName) saved = r;
    }
    // The rewrite at start: the state record, then every lease the allocator holds.
    this.journal = new Map();
    if (saved !== undefined) this.write([saved]);
    this.write([...allocator.recordedLeases()]);
    this.allocator = allocator;
    let rel: Relationship | undefined;
    this.side = new ServerLeaseSide(
      allocator,
      this.peerName,
      this.settings,
      () => rel!,
      (level, text) => this.note(level, text),
      this.random,
    );
    rel = new Relationship(this.settings.relationship, this.side, t, persistedFrom(saved, Math.floor(t)));
    this.rel = rel;
    this.views = new FailoverViews(allocator);
    this.views.refresh(rel, this.settings);
    this.up = true;
    this.incarnation++;
    this.note('info', `--- boot (${keepFile ? 'with its lease file' : 'with an empty lease file'}) ---`);
    return this.carry(rel.start(t));
  }

  crash(): void {
    this.up = false;
    this.note('info', '--- crash ---');
  }

  /** The lease file's text as a restart would read it. */
  leaseFileText(): string {
    let text = formatFileHeader();
    for (const r of this.journal.values()) text += formatRecord(r);
    return text;
  }

  note(level: 'info' | 'error', text: string): void {
    if (!this.keepAll && this.log.length >= LOG_KEEP) this.log.splice(0, LOG_KEEP / 2);
    this.log.push(text);
    this.onLog(this, level, text);
  }

  private write(records: readonly LeaseFileRecord[]): void {
    for (const r of records) this.journal.set(r.kind === 'lease' ? `lease ${r.address}` : r.kind, r);
  }

  /**
   * The relationship's effects carried out as daemon-link.ts does, in order: state records and the
   * lease changes before them written when persisted, lease changes written before a
   * send-after-commit leaves; then the view and policy refreshed, and what is left written.
   */
  carry(effects: readonly Effect[]): NetAction[] {
    const out: NetAction[] = [];
    for (const e of effects) {
      switch (e.kind) {
        case 'log':
          this.note(e.level, e.text);
          break;
        case 'persist':
          this.write([...this.side.takeRecords(), stateRecordOf(this.peerName, this.rel.stateRecord())]);
          break;
        case 'send-after-commit':
          this.write(this.side.takeRecords());
          out.push({ kind: 'send', link: e.link, msg: e.msg });
          break;
        case 'send':
          out.push({ kind: 'send', link: e.link, msg: e.msg });
          break;
        case 'close':
          out.push({ kind: 'close', link: e.link });
          break;
        case 'connect':
          out.push({ kind: 'connect' });
          break;
      }
    }
    this.views.refresh(this.rel, this.settings);
    this.write(this.side.takeRecords());
    return out;
  }

  /** Records the server made durable: written, and those of its failover pools go to the partner. */
  private committed(records: readonly Lease[], now: number): NetAction[] {
    if (records.length === 0) return [];
    this.write(records);
    const out: NetAction[] = [];
    for (const r of records) {
      if (failoverPeerOf(this.allocator, r.address) !== this.peerName) continue;
      this.side.localChange(r.address);
      out.push(...this.carry(this.rel.queueUpdate(r.address, this.clock(now))));
    }
    return out;
  }

  /** One DHCP packet through the engine (the daemon's handlePacket, its commit and onCommitted). */
  dhcp(msg: DhcpMessage, now: number): { result: HandleResult; actions: NetAction[] } {
    const result = handle(msg, {
      tree: this.tree,
      leases: this.allocator,
      now: Math.floor(this.clock(now)),
      interface: { name: 'eth0', addresses: [this.ip] },
      failover: this.views,
    });
    for (const line of result.log) this.note('info', line);
    return {
      result,
      actions: this.committed(
        result.changes.map((c) => c.lease),
        now,
      ),
    };
  }

  /** The daemon's one-second timer: leases that ended are written, and go to the partner. */
  expiryTick(now: number): NetAction[] {
    const events: HandleResult = { changes: [], log: [] };
    const expired = expireLeases(this.allocator, Math.floor(this.clock(now)), events);
    for (const line of events.log) this.note('info', line);
    return this.committed(
      expired.map((c) => c.lease),
      now,
    );
  }

  /** The relationship's next deadline in simulation time, or undefined. */
  nextDeadline(): number | undefined {
    const at = this.rel.nextDeadline();
    return at === undefined ? undefined : at - this.skew;
  }

  relTick(now: number): NetAction[] {
    return this.carry(this.rel.tick(this.clock(now)));
  }

  linkOpened(link: number, outgoing: boolean, now: number): NetAction[] {
    return this.carry(this.rel.linkOpened(link, outgoing, this.clock(now)));
  }

  linkClosed(link: number | undefined, now: number): NetAction[] {
    return this.carry(this.rel.linkClosed(link, this.clock(now)));
  }

  receive(link: number, msg: FailoverMessage, now: number): NetAction[] {
    return this.carry(this.rel.receive(link, msg, this.clock(now)));
  }
}
