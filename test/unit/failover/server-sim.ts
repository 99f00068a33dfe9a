// A deterministic simulation of two failover partners in one process: two servers built from the
// real pure pieces (server-sim-node.ts: dhcpd.conf text, Allocator, ServerLeaseSide, Relationship,
// the engine's FailoverView, a lease journal), a simulated network between their relationships, a
// simulated clock, and simulated DHCP clients (server-sim-clients.ts) served through handle(). No
// socket, timer or sleep: events run in time order from one seeded random source, so a seed replays.
//
// The network, as TCP and the LAN would behave:
// - Each failover message is encoded and decoded through wire.ts, with a delay drawn per message;
//   one link's direction delivers in order (delivery times never go back), links are independent
//   (two links during a connection race may reorder). A close arrives after what was sent before it.
// - A partition holds back what is sent between the servers (TCP retransmits it after the heal) and
//   makes new connections fail; a cut resets every link at once (both ends see it close); a stall
//   delays one direction for a while (the partner times out); a crash takes a server's links with it.
// - DHCP clients reach both servers by broadcast and the server that ACKed them by unicast, unless a
//   server is cut off from the clients.
// - Each server's clock may be off the simulation's (skew); ISC refuses a partner more than 60 s off.
//
// Invariants, checked as the schedule runs and after it (finish(); server-sim-checks.ts):
// (1) never two clients holding an unexpired ACKed lease on one address at once (LeaseLedger);
// (2) once healed, both servers reach NORMAL with nothing queued, refused or in flight; and once every
//     lease either holds has ended and they are quiet again, their lease databases agree
//     (compareDatabases: state - FREE and BACKUP are ownership, so they must match - ends, and the
//     client of every lease that has one);
// (3) no exception escapes an engine (and the DHCP engine logs no internal error);
// (4) each server's lease file, read back as at a restart, holds what the server has in memory.

import type { ScopeTree } from '../../../src/conf/scope-tree.js';
import { decodeMessage as decodeFailover, encodeMessage, FO_STATE } from '../../../src/failover/wire.js';
import { type DhcpMessage, decodeMessage as decodeDhcp } from '../../../src/wire/index.js';
import { treeOf } from '../server/helpers.js';
import { compareDatabases, compareWithFile, msgText, stateName, T0 } from './server-sim-checks.js';
import {
  type ClientReply,
  type ClientTimer,
  type ClientWorld,
  LeaseLedger,
  onClientReply,
  onClientTimer,
  SimClient,
} from './server-sim-clients.js';
import { EventQueue, seeded } from './server-sim-events.js';
import { type NetAction, SimNode } from './server-sim-node.js';

export { compareDatabases, compareWithFile, T0 } from './server-sim-checks.js';
export { seeded } from './server-sim-events.js';

/** The daemon's timer: leases that ended are written (and go to the partner) within this many seconds. */
const TICK_SECONDS = 1;

const CLOSE = undefined;

interface SimLink {
  id: number;
  /** The incarnation of each server the link belongs to. */
  inc: [number, number];
  open: [boolean, boolean];
  /** The server is gone (crashed) from this link. */
  gone: [boolean, boolean];
  /** Reset: whatever is in flight is lost. */
  reset: boolean;
  /** Latest delivery time scheduled toward each side (TCP keeps order). */
  last: [number, number];
  /** Held back by a partition, per receiving side, in order. */
  held: [(Uint8Array | undefined)[], (Uint8Array | undefined)[]];
}

type Ev =
  | { k: 'net'; link: SimLink; to: 0 | 1; bytes: Uint8Array | undefined }
  | { k: 'opened'; link: SimLink; side: 0 | 1; outgoing: boolean }
  | { k: 'closed'; link: SimLink; side: 0 | 1 }
  | { k: 'refused'; side: 0 | 1; inc: number }
  | { k: 'tick'; side: 0 | 1; inc: number }
  | { k: 'dhcp'; side: 0 | 1; inc: number; client: SimClient; msg: DhcpMessage }
  | { k: 'reply'; client: SimClient; from: 0 | 1; reply: ClientReply }
  | { k: 'client'; client: SimClient; token: number; what: ClientTimer }
  | { k: 'do'; label: string; fn: () => void };

export interface SimOptions {
  seed: number;
  /** dhcpd.conf of the primary and of the secondary. */
  conf: [string, string];
  /** Their addresses (each is its interface's and its server identifier). */
  ips: [number, number];
  clients: number;
  /** Share of clients that send a client identifier. */
  uidShare: number;
  skews: [number, number];
  /** Longest one-way delay of a failover message, seconds. */
  maxDelay: number;
  releaseChance: number;
  leaveChance: number;
}

const trees = new Map<string, ScopeTree>();

/** Configurations are immutable snapshots: one tree per text serves every schedule. */
function treeFor(text: string): ScopeTree {
  let t = trees.get(text);
  if (t === undefined) {
    t = treeOf(text);
    trees.set(text, t);
  }
  return t;
}

export class ServerSim implements ClientWorld {
  now = T0;
  readonly opts: SimOptions;
  readonly nodes: [SimNode, SimNode];
  readonly clients: SimClient[] = [];
  readonly ledger = new LeaseLedger();
  /** Invariant failures (2), (3), (4) and the like, with the time they were seen. */
  readonly failures: string[] = [];
  /** Log lines of both servers counted by their text (numbers and addresses blanked), when countLogs is set. */
  readonly logCounts = new Map<string, number>();
  countLogs = false;
  quiet = false;
  /** The databases' differences when the pair first settled after the heal (ISC may leave some a while). */
  atFirstSettle: string[] = [];
  readonly knobs: { releaseChance: number; leaveChance: number };
  partitioned = false;
  /** Clients cannot reach this server (nor it them). */
  readonly clientCut: [boolean, boolean] = [false, false];
  /** One direction (toward the side) delayed by `extra` seconds until `until`. */
  readonly stall: [{ until: number; extra: number }, { until: number; extra: number }] = [
    { until: 0, extra: 0 },
    { until: 0, extra: 0 },
  ];
  private readonly rng: () => number;
  private readonly queue = new EventQueue<Ev>();
  private readonly links = new Map<number, SimLink>();
  private nextLink = 1;
  /** Failover messages sent and not yet delivered or dropped (held ones included). */
  private inFlight = 0;
  readonly trace: string[] = [];
  verbose = false;

  constructor(opts: SimOptions) {
    this.opts = opts;
    this.rng = seeded(opts.seed);
    this.knobs = { releaseChance: opts.releaseChance, leaveChance: opts.leaveChance };
    const rnd = seeded(opts.seed ^ 0x5bd1e995);
    this.nodes = [
      new SimNode(0, treeFor(opts.conf[0]), opts.ips[0], rnd),
      new SimNode(1, treeFor(opts.conf[1]), opts.ips[1], rnd),
    ];
    for (const n of this.nodes) n.onLog = (node, level, text) => this.onLog(node, level, text);
    this.nodes[0].skew = opts.skews[0];
    this.nodes[1].skew = opts.skews[1];
    this.ledger.setSkews(this.now, opts.skews);
    for (let i = 0; i < opts.clients; i++) this.clients.push(new SimClient(i + 1, this.rng() < opts.uidShare));
  }

  random(): number {
    return this.rng();
  }

  /** Boots both servers and sets the clients going. */
  start(): void {
    this.boot(0, true);
    this.boot(1, true);
    for (const c of this.clients) this.timer(c, this.now + 1 + this.rng() * 30, 'discover');
  }

  /** Runs a scenario step at `at`. */
  at(at: number, label: string, fn: () => void): void {
    this.queue.push(at, { k: 'do', label, fn });
  }

  // ---- faults ---------------------------------------------------------------------------------------

  boot(side: 0 | 1, keepFile: boolean, skew?: number): void {
    const node = this.nodes[side];
    if (node.up) return;
    if (skew !== undefined) {
      node.skew = skew;
      this.ledger.setSkews(this.now, [this.nodes[0].skew, this.nodes[1].skew]);
    }
    this.guard(side, 'boot', () => {
      const actions = node.boot(this.now, keepFile);
      const phase = this.rng();
      this.queue.push(this.now + phase, { k: 'tick', side, inc: node.incarnation });
      this.perform(side, actions);
    });
  }

  crash(side: 0 | 1): void {
    const node = this.nodes[side];
    if (!node.up) return;
    node.crash();
    const other = (1 - side) as 0 | 1;
    for (const link of this.links.values()) {
      if (link.inc[side] !== node.incarnation || link.gone[side]) continue;
      link.gone[side] = true;
      link.open[side] = false;
      // The kernel closes the dead server's connections: the partner sees them close.
      if (link.open[other]) this.transmit(link, other, CLOSE);
    }
  }

  partition(on: boolean): void {
    this.partitioned = on;
    if (on) return;
    for (const link of this.links.values()) {
      for (const to of [0, 1] as const) {
        const held = link.held[to];
        link.held[to] = [];
        this.inFlight -= held.length;
        for (const bytes of held) this.transmit(link, to, bytes);
      }
    }
  }

  /** Both ends of every link see it reset; what was in flight is lost. */
  cut(): void {
    for (const link of this.links.values()) {
      link.reset = true;
      for (const side of [0, 1] as const) {
        this.inFlight -= link.held[side].length;
        link.held[side] = [];
        if (link.open[side]) {
          link.open[side] = false;
          this.queue.push(this.now + 0.001 + this.rng() * 0.05, { k: 'closed', link, side });
        }
      }
    }
  }

  /** Server `side` cut off from its partner and from the clients (or back). */
  isolate(side: 0 | 1, on: boolean): void {
    this.clientCut[side] = on;
    this.partition(on);
  }

  /** Messages toward `side` take `extra` seconds more until `until`. */
  stallToward(side: 0 | 1, until: number, extra: number): void {
    this.stall[side] = { until, extra };
  }

  // ---- the network ------------------------------------------------------------------------------------

  private delay(to: 0 | 1): number {
    const d = 0.0005 + this.rng() * this.opts.maxDelay;
    const s = this.stall[to];
    return s.until > this.now ? d + s.extra : d;
  }

  private transmit(link: SimLink, to: 0 | 1, bytes: Uint8Array | undefined): void {
    this.inFlight++;
    if (this.partitioned) {
      link.held[to].push(bytes);
      return;
    }
    const at = Math.max(this.now + this.delay(to), link.last[to]);
    link.last[to] = at;
    this.queue.push(at, { k: 'net', link, to, bytes });
  }

  private connect(side: 0 | 1): void {
    const other = (1 - side) as 0 | 1;
    const peer = this.nodes[other];
    if (!peer.up || this.partitioned) {
      const wait = this.partitioned ? 1 + this.rng() * 2 : 0.001 + this.rng() * 0.01;
      this.queue.push(this.now + wait, { k: 'refused', side, inc: this.nodes[side].incarnation });
      return;
    }
    const half = this.delay(other);
    const link: SimLink = {
      id: this.nextLink++,
      inc: side === 0 ? [this.nodes[0].incarnation, peer.incarnation] : [peer.incarnation, this.nodes[1].incarnation],
      open: [false, false],
      gone: [false, false],
      reset: false,
      last: [0, 0],
      held: [[], []],
    };
    link.last[other] = this.now + half;
    link.last[side] = this.now + 2 * half;
    this.links.set(link.id, link);
    this.queue.push(this.now + half, { k: 'opened', link, side: other, outgoing: false });
    this.queue.push(this.now + 2 * half, { k: 'opened', link, side, outgoing: true });
  }

  /** Carries out a server's network actions. */
  private perform(side: 0 | 1, actions: readonly NetAction[]): void {
    const other = (1 - side) as 0 | 1;
    for (const a of actions) {
      if (a.kind === 'connect') {
        this.connect(side);
        continue;
      }
      const link = this.links.get(a.link);
      if (link === undefined || !link.open[side]) continue;
      if (a.kind === 'send') {
        if (this.verbose) this.say(`${'ab'[side]} -> ${msgText(a.msg)} on ${link.id}`);
        this.transmit(link, other, encodeMessage(a.msg));
      } else {
        link.open[side] = false;
        // The socket's own close event, then the partner's end sees it after what was sent.
        this.queue.push(this.now, { k: 'closed', link, side });
        this.transmit(link, other, CLOSE);
      }
    }
  }

  private alive(side: 0 | 1, inc: number): boolean {
    const n = this.nodes[side];
    return n.up && n.incarnation === inc;
  }

  // ---- DHCP between clients and servers -------------------------------------------------------------

  send(c: SimClient, msg: DhcpMessage, to: 'all' | 0 | 1): void {
    for (const side of [0, 1] as const) {
      if (to !== 'all' && to !== side) continue;
      const n = this.nodes[side];
      if (!n.up || this.clientCut[side]) continue;
      this.queue.push(this.now + 0.0005 + this.rng() * 0.02, { k: 'dhcp', side, inc: n.incarnation, client: c, msg });
    }
  }

  timer(c: SimClient, at: number, what: ClientTimer): void {
    this.queue.push(at, { k: 'client', client: c, token: c.token, what });
  }

  private serveDhcp(side: 0 | 1, c: SimClient, msg: DhcpMessage): void {
    const node = this.nodes[side];
    const { result, actions } = node.dhcp(msg, this.now);
    for (const line of result.log) {
      if (line.includes('internal error')) this.fail(`server ${'ab'[side]}: ${line}`);
    }
    const reply = result.reply;
    if (reply !== undefined) {
      const d = decodeDhcp(reply.bytes);
      if (!d.ok) this.fail(`server ${'ab'[side]}: a reply that does not decode`);
      else {
        const m = d.message;
        const type = m.options.get(53)?.[0] ?? 0;
        const u32 = (b: Uint8Array | undefined) =>
          b === undefined || b.length < 4 ? 0 : ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
        const r: ClientReply = {
          type,
          decided: this.now,
          xid: m.xid,
          yiaddr: m.yiaddr,
          serverId: u32(m.options.get(54)),
          leaseTime: u32(m.options.get(51)),
        };
        if (!this.clientCut[side]) {
          this.queue.push(this.now + 0.0005 + this.rng() * 0.02, { k: 'reply', client: c, from: side, reply: r });
        }
      }
    }
    this.perform(side, actions);
  }

  // ---- running ----------------------------------------------------------------------------------------

  /** Runs every event and timer due until `until` (simulation seconds). */
  run(until: number, stop?: () => boolean): boolean {
    let stuck = 0;
    let lastAt = -1;
    for (;;) {
      if (stop?.()) return true;
      if (this.failures.length > 20) return false;
      const top = this.queue.peek();
      const d0 = this.nodes[0].up ? this.nodes[0].nextDeadline() : undefined;
      const d1 = this.nodes[1].up ? this.nodes[1].nextDeadline() : undefined;
      let next = top?.at ?? Number.POSITIVE_INFINITY;
      let which: 'ev' | 0 | 1 = 'ev';
      if (d0 !== undefined && d0 < next) {
        next = d0;
        which = 0;
      }
      if (d1 !== undefined && d1 < next) {
        next = d1;
        which = 1;
      }
      if (next > until) {
        this.now = until;
        return false;
      }
      if (next === lastAt) {
        if (++stuck > 100_000) throw new Error(`simulation stuck at ${next}`);
      } else stuck = 0;
      lastAt = next;
      this.now = Math.max(this.now, next);
      if (which !== 'ev') {
        const side = which;
        this.guard(side, 'tick', () => this.perform(side, this.nodes[side].relTick(this.now)));
        continue;
      }
      const { ev } = this.queue.pop()!;
      this.dispatch(ev);
    }
  }

  private dispatch(ev: Ev): void {
    switch (ev.k) {
      case 'net': {
        this.inFlight--;
        const { link, to } = ev;
        if (link.reset || !link.open[to] || !this.alive(to, link.inc[to])) return;
        if (ev.bytes === undefined) {
          link.open[to] = false;
          this.guard(to, 'close', () => this.perform(to, this.nodes[to].linkClosed(link.id, this.now)));
          return;
        }
        const bytes = ev.bytes;
        this.guard(to, 'receive', () => {
          const msg = decodeFailover(bytes);
          if (this.verbose) this.say(`${'ab'[to]} <- ${msgText(msg)} on ${link.id}`);
          this.perform(to, this.nodes[to].receive(link.id, msg, this.now));
        });
        return;
      }
      case 'opened': {
        const { link, side } = ev;
        if (!this.alive(side, link.inc[side])) return;
        if (ev.outgoing && (link.reset || link.gone[1 - side])) {
          // The partner died, or the connection was reset, before the handshake completed: it fails.
          this.guard(side, 'refused', () => this.perform(side, this.nodes[side].linkClosed(undefined, this.now)));
          return;
        }
        // A connection reset before it was accepted is no connection.
        if (link.reset) return;
        link.open[side] = true;
        this.guard(side, 'opened', () =>
          this.perform(side, this.nodes[side].linkOpened(link.id, ev.outgoing, this.now)),
        );
        if (link.gone[1 - side]) this.transmit(link, side, CLOSE);
        return;
      }
      case 'closed': {
        const { link, side } = ev;
        if (!this.alive(side, link.inc[side])) return;
        this.guard(side, 'closed', () => this.perform(side, this.nodes[side].linkClosed(link.id, this.now)));
        return;
      }
      case 'refused':
        if (!this.alive(ev.side, ev.inc)) return;
        this.guard(ev.side, 'refused', () =>
          this.perform(ev.side, this.nodes[ev.side].linkClosed(undefined, this.now)),
        );
        return;
      case 'tick': {
        if (!this.alive(ev.side, ev.inc)) return;
        const side = ev.side;
        this.guard(side, 'expiry', () => this.perform(side, this.nodes[side].expiryTick(this.now)));
        this.queue.push(this.now + TICK_SECONDS, ev);
        return;
      }
      case 'dhcp':
        if (!this.alive(ev.side, ev.inc)) return;
        this.guard(ev.side, 'dhcp', () => this.serveDhcp(ev.side, ev.client, ev.msg));
        return;
      case 'reply':
        onClientReply(ev.client, ev.reply, ev.from, this);
        return;
      case 'client':
        if (ev.token !== ev.client.token) return;
        onClientTimer(ev.client, ev.what, this);
        return;
      case 'do':
        // The schedule's steps stop when the heal begins.
        if (this.quiet) return;
        this.say(`--- ${ev.label}`);
        ev.fn();
        return;
    }
  }

  /** Invariant (3): nothing a server does may throw. */
  private guard(side: 0 | 1, what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(`server ${'ab'[side]} threw in ${what}: ${(e as Error).stack ?? String(e)}`);
    }
  }

  fail(text: string): void {
    this.failures.push(`t=${(this.now - T0).toFixed(3)}: ${text}`);
  }

  say(text: string): void {
    if (!this.verbose && this.trace.length > 2000) this.trace.splice(0, 1000);
    this.trace.push(`t=${(this.now - T0).toFixed(3)} ${text}`);
  }

  private onLog(node: SimNode, _level: 'info' | 'error', text: string): void {
    if (this.countLogs) {
      const key = text.replace(/\d+\.\d+\.\d+\.\d+/g, 'A').replace(/\b\d+\b/g, 'N');
      this.logCounts.set(key, (this.logCounts.get(key) ?? 0) + 1);
    }
    if (this.verbose) this.say(`${'ab'[node.index]}: ${text}`);
  }

  // ---- the end of a schedule ----------------------------------------------------------------------------

  /** Both servers in NORMAL, connected, nothing queued, nothing on the wire. */
  settled(): boolean {
    if (this.inFlight !== 0) return false;
    for (const n of this.nodes) {
      if (!n.up) return false;
      const r = n.rel;
      if (r.me.state !== FO_STATE.NORMAL || r.partner.state !== FO_STATE.NORMAL || !r.connected) return false;
      if (!r.updates.empty || r.refusedPending) return false;
    }
    return true;
  }

  /**
   * Heals everything (servers up, the network whole, clocks within ISC's 60 s) and quiets the clients;
   * the pair must then settle within `budget` simulation seconds. What the two databases say at that
   * moment is kept in `atFirstSettle` (ISC's own rules can leave them apart for a while, see
   * compareDatabases). Then the quiet pair runs until every lease either server holds has ended, settles
   * again, and its databases must agree (2); each server's lease file must hold what it has in memory (4).
   */
  finish(budget: number): void {
    this.partition(false);
    this.clientCut[0] = this.clientCut[1] = false;
    this.stall[0].until = this.stall[1].until = 0;
    for (const side of [0, 1] as const) if (!this.nodes[side].up) this.boot(side, true);
    if (Math.abs(this.nodes[0].skew - this.nodes[1].skew) >= 60) {
      this.crash(1);
      this.boot(1, true, this.nodes[0].skew);
    }
    this.quiet = true;
    this.say('--- finish: healed, clients quiet');
    if (!this.settle(budget, 'after the heal')) return;
    this.atFirstSettle = compareDatabases(this.nodes[0].allocator, this.nodes[1].allocator);
    let last = this.now;
    for (const n of this.nodes) {
      for (const pool of n.allocator.failoverPools(n.peerName)) {
        for (const slot of n.allocator.failoverSlotsOf(pool)) {
          const ends = n.allocator.endsOf(slot) - n.skew;
          if (Number.isFinite(ends) && ends > last) last = ends;
        }
      }
    }
    // Past the last end, and past each server's next expiry tick after it.
    this.run(Math.max(last, this.now) + TICK_SECONDS + 1);
    this.say('--- every lease has ended');
    if (!this.settle(budget, 'once every lease had ended')) return;
    for (const d of compareDatabases(this.nodes[0].allocator, this.nodes[1].allocator)) this.fail(`(2) ${d}`);
    for (const n of this.nodes) {
      for (const d of compareWithFile(n, this.now)) this.fail(`(4) server ${'ab'[n.index]}: ${d}`);
    }
  }

  private settle(budget: number, when: string): boolean {
    if (this.run(this.now + budget, () => this.settled())) return true;
    const st = this.nodes.map(
      (n) =>
        `${'ab'[n.index]}: ${n.up ? `${stateName(n.rel.me.state)}/${stateName(n.rel.partner.state)}, connected ${n.rel.connected}, queue ${n.rel.updates.pendingCount}+${n.rel.updates.flyingCount}` : 'down'}`,
    );
    this.fail(`did not settle within ${budget} s ${when} (${st.join('; ')}; in flight ${this.inFlight})`);
    return false;
  }

  /** Every failure of the schedule: the ledger's, then the others. */
  problems(): string[] {
    return [...this.ledger.violations.map((v) => `t=${(v.at - T0).toFixed(3)}: (1) ${v.text}`), ...this.failures];
  }
}
