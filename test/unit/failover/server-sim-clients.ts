// The DHCP clients of the failover simulation (server-sim.ts) and the ledger of what they were
// leased. A client runs RFC 2131's states in short: INIT (DISCOVER, broadcast, reaches both servers),
// SELECTING (the first OFFER within a second), REQUESTING (broadcast REQUEST naming that server),
// BOUND, RENEWING at T1 (unicast to the server that ACKed), REBINDING at T2 (broadcast), the lease
// dropped at its end; now and then it releases (unicast RELEASE), or goes quiet and comes back with
// INIT-REBOOT (broadcast REQUEST for its last address). Timers are the simulation's events.
//
// The ledger is invariant (1): an address is never leased to two clients at once. A DHCPACK the client
// takes (the first for its request that reaches it; it ignores a second server's) is entered as the
// client holds it: from when the server decided it, for the lease time it carries. A release or a NAK
// ends the hold at once, as does the client taking another address. Two clients' holds of one address
// that overlap are a violation - with a tolerance of the clocks' disagreement (the protocol trusts the
// partners' clocks to agree; ISC refuses a partner more than 60 s off), plus the second a server's
// whole-second clock may give.

import { type DhcpMessage, ipToString } from '../../../src/wire/index.js';
import { ipString, request } from '../server/helpers.js';

export type ClientState = 'idle' | 'selecting' | 'requesting' | 'bound' | 'renewing' | 'rebinding' | 'rebooting';

export interface Offer {
  address: number;
  serverId: number;
  from: 0 | 1;
}

export class SimClient {
  readonly index: number;
  readonly mac: string;
  readonly uid: Uint8Array | undefined;
  state: ClientState = 'idle';
  xid = 0;
  /** Bumped to invalidate timers already scheduled. */
  token = 0;
  offers: Offer[] = [];
  /** The address asked for or held. */
  address = 0;
  /** The server that ACKed it (its index) and its identifier. */
  server: 0 | 1 = 0;
  serverId = 0;
  leaseTime = 0;
  boundAt = 0;
  /** The address last held, for INIT-REBOOT. */
  lastAddress = 0;
  /** The `secs` field: how long the client says it has been trying. */
  secs = 0;

  constructor(index: number, withUid: boolean) {
    this.index = index;
    const hi = (index >> 8) & 255;
    const lo = index & 255;
    this.mac = `02:00:00:00:${hex(hi)}:${hex(lo)}`;
    this.uid = withUid ? Uint8Array.of(0xff, 0, 0, hi, lo, 0x5a) : undefined;
  }
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

interface Hold {
  client: number;
  address: number;
  /** Simulation time the ACK was decided. */
  start: number;
  /** Until when the client holds it (the ACK's lease time from the decision), lowered by a release or NAK. */
  end: number;
  server: 0 | 1;
}

export interface Violation {
  at: number;
  address: number;
  text: string;
}

/** Invariant (1): what each client was ACKed, by which server, until when. */
export class LeaseLedger {
  /** The servers' clock skews from each time on (a restart may set a clock right). */
  private readonly skews: { from: number; skews: [number, number] }[] = [];
  private readonly holds = new Map<number, Hold[]>();
  /** The address each client was last ACKed. */
  private readonly current = new Map<number, number>();
  readonly violations: Violation[] = [];
  acks = 0;

  /** From `now` on the servers' clocks are `skews` seconds ahead of the simulation's. */
  setSkews(now: number, skews: [number, number]): void {
    this.skews.push({ from: now, skews: [...skews] });
  }

  /**
   * Seconds a hold from `start` may overlap a new ACK at `now` without counting: the clocks' largest
   * disagreement in between (a clock set right counts against its old self), and 1 for whole seconds.
   */
  tolerance(start: number, now: number): number {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.skews.length; i++) {
      const until = this.skews[i + 1]?.from ?? Number.POSITIVE_INFINITY;
      const s = this.skews[i]!;
      if (until <= start || s.from > now) continue;
      lo = Math.min(lo, ...s.skews);
      hi = Math.max(hi, ...s.skews);
    }
    return (hi > lo ? hi - lo : 0) + 1;
  }

  /**
   * The client took a DHCPACK (the first for its request that reached it): `server` decided it at
   * `decided` for `leaseTime` seconds, so the client holds the address from then until then. Any other
   * client's hold of the address overlapping it is a violation.
   */
  ack(client: number, address: number, decided: number, leaseTime: number, server: 0 | 1, now: number): void {
    this.acks++;
    const end = decided + leaseTime;
    const list = this.holds.get(address) ?? [];
    for (const h of list) {
      if (h.client === client) continue;
      const tolerance = this.tolerance(Math.min(h.start, decided), now);
      if (Math.max(h.start, decided) >= Math.min(h.end, end) - tolerance) continue;
      this.violations.push({
        at: decided,
        address,
        text:
          `${ipToString(address)} ACKed to client ${client} by server ${'ab'[server]} at ${decided.toFixed(3)} ` +
          `(until ${end.toFixed(3)}) while client ${h.client} holds it from ${h.start.toFixed(3)} until ` +
          `${h.end.toFixed(3)} (ACKed by server ${'ab'[h.server]}; tolerance ${tolerance} s)`,
      });
    }
    // A client uses one address: taking another ends its hold on the last (ISC releases it too,
    // "uid lease ... is duplicate").
    const last = this.current.get(client);
    if (last !== undefined && last !== address) this.drop(client, last, now);
    this.current.set(client, address);
    // The client goes by the last ACK it took; holds long over are dropped.
    const kept = list.filter((h) => h.client !== client && h.end > now - 3600);
    kept.push({ client, address, start: decided, end, server });
    this.holds.set(address, kept);
  }

  /** The client stops using the address at `now` (it released it, or was told NAK). */
  drop(client: number, address: number, now: number): void {
    for (const h of this.holds.get(address) ?? []) if (h.client === client && h.end > now) h.end = now;
  }
}

export type ClientTimer =
  | 'discover'
  | 'select'
  | 'giveup'
  | 'renew'
  | 'renew-retry'
  | 'rebind'
  | 'rebind-retry'
  | 'expire'
  | 'reboot';

/** What a client needs of the simulation. */
export interface ClientWorld {
  readonly now: number;
  random(): number;
  /** Broadcast ('all': every server that hears the link) or unicast to one server. */
  send(c: SimClient, msg: DhcpMessage, to: 'all' | 0 | 1): void;
  /** Calls back onTimer(what) at `at` unless the client's token changed meanwhile. */
  timer(c: SimClient, at: number, what: ClientTimer): void;
  readonly ledger: LeaseLedger;
  /** The finishing phase: clients start nothing new. */
  readonly quiet: boolean;
  readonly knobs: { releaseChance: number; leaveChance: number };
}

const DHCPDISCOVER = 1;
const DHCPOFFER = 2;
const DHCPREQUEST = 3;
const DHCPACK = 5;
const DHCPNAK = 6;
const DHCPRELEASE = 7;

/** A reply as the client reads it. */
export interface ClientReply {
  type: number;
  /** When the server decided it (simulation time). */
  decided: number;
  xid: number;
  yiaddr: number;
  serverId: number;
  leaseTime: number;
}

function base(c: SimClient) {
  return { mac: c.mac, xid: c.xid, secs: c.secs, ...(c.uid !== undefined ? { uid: c.uid } : {}) };
}

function newXid(c: SimClient, w: ClientWorld): void {
  c.xid = (Math.floor(w.random() * 0xfffffff) + 1) >>> 0;
  c.token++;
}

function later(c: SimClient, w: ClientWorld, what: ClientTimer, min: number, spread: number): void {
  w.timer(c, w.now + min + w.random() * spread, what);
}

export function onClientTimer(c: SimClient, what: ClientTimer, w: ClientWorld): void {
  if (w.quiet) return;
  switch (what) {
    case 'discover': {
      c.state = 'selecting';
      newXid(c, w);
      c.offers = [];
      c.secs = w.random() < 0.2 ? 4 + Math.floor(w.random() * 8) : 0;
      w.send(c, request({ ...base(c), type: DHCPDISCOVER }), 'all');
      w.timer(c, w.now + 1, 'select');
      break;
    }
    case 'select': {
      if (c.state !== 'selecting') return;
      const o = c.offers[0];
      if (o === undefined) {
        c.state = 'idle';
        later(c, w, 'discover', 2, 8);
        return;
      }
      c.state = 'requesting';
      c.address = o.address;
      c.serverId = o.serverId;
      w.send(
        c,
        request({ ...base(c), type: DHCPREQUEST, requested: ipString(o.address), serverId: ipString(o.serverId) }),
        'all',
      );
      w.timer(c, w.now + 3, 'giveup');
      break;
    }
    case 'giveup':
      if (c.state !== 'requesting' && c.state !== 'rebooting') return;
      c.state = 'idle';
      later(c, w, 'discover', 1, 4);
      break;
    case 'renew': {
      if (c.state !== 'bound') return;
      const roll = w.random();
      if (roll < w.knobs.releaseChance) {
        newXid(c, w);
        const msg = request({
          ...base(c),
          type: DHCPRELEASE,
          ciaddr: ipString(c.address),
          serverId: ipString(c.serverId),
        });
        w.send(c, msg, c.server);
        w.ledger.drop(c.index, c.address, w.now);
        c.state = 'idle';
        later(c, w, w.random() < 0.5 ? 'reboot' : 'discover', 5, 60);
        return;
      }
      if (roll < w.knobs.releaseChance + w.knobs.leaveChance) {
        // Gone quiet (switched off): the lease runs out on its own.
        c.state = 'idle';
        c.token++;
        later(c, w, w.random() < 0.6 ? 'reboot' : 'discover', 1, 2 * c.leaseTime);
        return;
      }
      c.state = 'renewing';
      newXid(c, w);
      sendRenew(c, w);
      w.timer(c, c.boundAt + c.leaseTime * 0.6875, 'renew-retry');
      w.timer(c, c.boundAt + c.leaseTime * 0.875, 'rebind');
      break;
    }
    case 'renew-retry':
      if (c.state === 'renewing') sendRenew(c, w);
      break;
    case 'rebind':
      if (c.state !== 'renewing') return;
      c.state = 'rebinding';
      newXid(c, w);
      sendRebind(c, w);
      w.timer(c, c.boundAt + c.leaseTime * 0.94, 'rebind-retry');
      w.timer(c, c.boundAt + c.leaseTime, 'expire');
      break;
    case 'rebind-retry':
      if (c.state === 'rebinding') sendRebind(c, w);
      break;
    case 'expire':
      if (c.state !== 'rebinding') return;
      c.state = 'idle';
      later(c, w, 'discover', 0, 3);
      break;
    case 'reboot': {
      if (c.lastAddress === 0) {
        onClientTimer(c, 'discover', w);
        return;
      }
      c.state = 'rebooting';
      newXid(c, w);
      c.secs = 0;
      c.address = c.lastAddress;
      w.send(c, request({ ...base(c), type: DHCPREQUEST, requested: ipString(c.address) }), 'all');
      w.timer(c, w.now + 3, 'giveup');
      break;
    }
  }
}

function sendRenew(c: SimClient, w: ClientWorld): void {
  w.send(c, request({ ...base(c), type: DHCPREQUEST, ciaddr: ipString(c.address) }), c.server);
}

function sendRebind(c: SimClient, w: ClientWorld): void {
  w.send(c, request({ ...base(c), type: DHCPREQUEST, ciaddr: ipString(c.address) }), 'all');
}

/** A server's reply reaches the client. */
export function onClientReply(c: SimClient, r: ClientReply, from: 0 | 1, w: ClientWorld): void {
  if (r.xid !== c.xid) return;
  const asking =
    c.state === 'requesting' || c.state === 'rebooting' || c.state === 'renewing' || c.state === 'rebinding';
  switch (r.type) {
    case DHCPOFFER:
      if (c.state === 'selecting' && r.yiaddr !== 0) c.offers.push({ address: r.yiaddr, serverId: r.serverId, from });
      break;
    case DHCPACK:
      if (!asking || r.yiaddr !== c.address) return;
      w.ledger.ack(c.index, r.yiaddr, r.decided, r.leaseTime, from, w.now);
      c.state = 'bound';
      c.token++;
      c.boundAt = w.now;
      c.leaseTime = r.leaseTime;
      c.server = from;
      c.serverId = r.serverId;
      c.lastAddress = c.address;
      c.secs = 0;
      w.timer(c, w.now + r.leaseTime / 2, 'renew');
      break;
    case DHCPNAK:
      if (!asking) return;
      w.ledger.drop(c.index, c.address, w.now);
      if (c.lastAddress === c.address) c.lastAddress = 0;
      c.state = 'idle';
      c.token++;
      later(c, w, 'discover', 0.5, 3);
      break;
    default:
      break;
  }
}
