// Two failover relationships in one process: a simulated clock and network (links are queues of
// encoded messages, so every message also goes through the wire codec), and an in-memory lease side
// per server. Deterministic: the same calls give the same run.

import {
  type Effect,
  type LeaseSide,
  type PersistedState,
  Relationship,
  type RelationshipConfig,
} from '../../../src/failover/relationship.js';
import { BINDING, decodeMessage, encodeMessage, type FailoverMessage } from '../../../src/failover/wire.js';

export interface SimLease {
  status: number;
  ends: number;
  chaddr?: Uint8Array;
}

/** A lease side that stores what it is told and reports every lease as a candidate. */
export class MemoryLeases implements LeaseSide {
  readonly leases = new Map<number, SimLease>();
  readonly acked: number[] = [];
  bindUpdate(address: number): Partial<FailoverMessage> | undefined {
    const l = this.leases.get(address);
    if (l === undefined) return undefined;
    return {
      bindingStatus: l.status,
      leaseExpiry: l.ends,
      ...(l.chaddr !== undefined ? { chaddr: { htype: 1, address: l.chaddr } } : {}),
    };
  }
  applyBindUpdate(msg: FailoverMessage): { ok: true } {
    const address = msg.assignedIpAddress ?? 0;
    this.leases.set(address, {
      status: msg.bindingStatus ?? BINDING.FREE,
      ends: msg.leaseExpiry ?? 0,
      ...(msg.chaddr !== undefined ? { chaddr: msg.chaddr.address } : {}),
    });
    return { ok: true };
  }
  applyBindAck(address: number): void {
    this.acked.push(address);
  }
  updateCandidates(everything: boolean): Iterable<number> {
    return everything ? [...this.leases.keys()] : [];
  }
  balance(): { moved: number[]; poolRequest: boolean; logs: string[] } {
    return { moved: [], poolRequest: false, logs: [] };
  }
  nextBalance(): number | undefined {
    return undefined;
  }
  enterPartnerDown(): void {}
  takeQueued(): number[] {
    return [];
  }
}

interface SimServer {
  rel: Relationship;
  leases: MemoryLeases;
  log: string[];
  persisted: number;
  up: boolean;
}

interface Delivery {
  at: number;
  to: 'a' | 'b';
  link: number;
  /** Undefined: the sender closed the link (TCP delivers what was sent before the close). */
  bytes: Uint8Array | undefined;
}

export function config(role: 'primary' | 'secondary', over: Partial<RelationshipConfig> = {}): RelationshipConfig {
  return {
    name: 'pair',
    role,
    mclt: role === 'primary' ? 60 : 0,
    ...(role === 'primary' ? { hba: new Uint8Array(32).fill(0x55) } : {}),
    maxUnackedUpdates: 10,
    maxResponseDelay: 20,
    autoPartnerDown: 0,
    vendorClass: 'leasehold-test',
    ...over,
  };
}

export class PairSim {
  now: number;
  readonly a: SimServer;
  readonly b: SimServer;
  /** Seconds a message takes on the wire. */
  delay = 0.01;
  /** Clock offset of b (skew), seconds. */
  skewB = 0;
  partitioned = false;
  private queue: Delivery[] = [];
  /** link id on one side -> [other side, its link id]. */
  private peerOf = new Map<string, ['a' | 'b', number]>();
  private nextLink = 1;

  /** `saved`: the state records the two start from (their lease files'). */
  constructor(
    now: number,
    cfgA = config('primary'),
    cfgB = config('secondary'),
    saved: [PersistedState | undefined, PersistedState | undefined] = [undefined, undefined],
  ) {
    this.now = now;
    const la = new MemoryLeases();
    const lb = new MemoryLeases();
    this.a = { rel: new Relationship(cfgA, la, now, saved[0]), leases: la, log: [], persisted: 0, up: true };
    this.b = { rel: new Relationship(cfgB, lb, now, saved[1]), leases: lb, log: [], persisted: 0, up: true };
  }

  private clockOf(side: 'a' | 'b'): number {
    return side === 'b' ? this.now + this.skewB : this.now;
  }

  server(side: 'a' | 'b'): SimServer {
    return side === 'a' ? this.a : this.b;
  }

  start(): void {
    this.effects('a', this.a.rel.start(this.clockOf('a')));
    this.effects('b', this.b.rel.start(this.clockOf('b')));
  }

  /** Cuts every link (both sides see them close). */
  cut(): void {
    for (const [key, [other, otherLink]] of [...this.peerOf]) {
      const [side, link] = key.split(':') as ['a' | 'b', string];
      this.peerOf.delete(key);
      this.peerOf.delete(`${other}:${otherLink}`);
      this.effects(side, this.server(side).rel.linkClosed(Number(link), this.clockOf(side)));
    }
    this.queue = [];
  }

  effects(side: 'a' | 'b', list: Effect[]): void {
    const s = this.server(side);
    for (const e of list) {
      switch (e.kind) {
        case 'log':
          s.log.push(e.text);
          break;
        case 'persist':
          s.persisted++;
          break;
        case 'connect': {
          const other = side === 'a' ? 'b' : 'a';
          if (this.partitioned || !this.server(other).up) {
            this.effects(side, s.rel.linkClosed(undefined, this.clockOf(side)));
            break;
          }
          const mine = this.nextLink++;
          const theirs = this.nextLink++;
          this.peerOf.set(`${side}:${mine}`, [other, theirs]);
          this.peerOf.set(`${other}:${theirs}`, [side, mine]);
          this.effects(side, s.rel.linkOpened(mine, true, this.clockOf(side)));
          this.effects(other, this.server(other).rel.linkOpened(theirs, false, this.clockOf(other)));
          break;
        }
        case 'close': {
          const peer = this.peerOf.get(`${side}:${e.link}`);
          if (peer === undefined) break;
          this.peerOf.delete(`${side}:${e.link}`);
          this.effects(side, s.rel.linkClosed(e.link, this.clockOf(side)));
          this.queue.push({ at: this.now + this.delay, to: peer[0], link: peer[1], bytes: undefined });
          break;
        }
        case 'send':
        case 'send-after-commit': {
          const peer = this.peerOf.get(`${side}:${e.link}`);
          if (peer === undefined) break;
          this.queue.push({ at: this.now + this.delay, to: peer[0], link: peer[1], bytes: encodeMessage(e.msg) });
          break;
        }
      }
    }
  }

  /** Runs the world until `until` (seconds), delivering messages and firing timers in time order. */
  run(until: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const msgAt = this.queue.length > 0 ? Math.min(...this.queue.map((d) => d.at)) : Number.POSITIVE_INFINITY;
      const ta = this.a.rel.nextDeadline() ?? Number.POSITIVE_INFINITY;
      const tb = (this.b.rel.nextDeadline() ?? Number.POSITIVE_INFINITY) - this.skewB;
      const next = Math.min(msgAt, ta, tb);
      if (next > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, next);
      if (msgAt === next) {
        const i = this.queue.findIndex((d) => d.at === next);
        const [d] = this.queue.splice(i, 1);
        if (d === undefined) continue;
        if (!this.peerOf.has(`${d.to}:${d.link}`)) continue;
        if (d.bytes === undefined) {
          this.peerOf.delete(`${d.to}:${d.link}`);
          this.effects(d.to, this.server(d.to).rel.linkClosed(d.link, this.clockOf(d.to)));
          continue;
        }
        const msg = decodeMessage(d.bytes);
        this.effects(d.to, this.server(d.to).rel.receive(d.link, msg, this.clockOf(d.to)));
      } else if (ta === next) {
        this.effects('a', this.a.rel.tick(this.clockOf('a')));
      } else {
        this.effects('b', this.b.rel.tick(this.clockOf('b')));
      }
    }
    throw new Error('simulation did not settle');
  }
}
