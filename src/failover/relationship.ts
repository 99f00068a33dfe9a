// One failover relationship (`failover peer "NAME" { ... }`) as a sans-I/O state machine: the shell
// tells it when links open and close, hands it each decoded message and the time, and carries out the
// effects it returns (send on a link, close a link, open a link, log, persist the state record). It
// owns no socket and no timer: `nextDeadline()` says when to call `tick()`. The leases it talks about
// are reached through an injected LeaseSide, so two relationships run in one process in a simulation.
//
// It follows ISC dhcpd 4.4 (server/failover.c) where the draft leaves a choice:
// - Both servers listen and connect; only the primary sends CONNECT on the link it opened. The first
//   link that completes CONNECT/CONNECTACK is the link to the peer; a second one is refused
//   ("already connected"). A CONNECT or CONNECTACK whose time is more than 60 s off ours is refused
//   ("time offset too large"), as is a partner of another relationship name.
// - A server starts in the state its lease file recorded (RECOVER without one) and passes through
//   STARTUP until it hears its partner's state or 15 s pass.
// - Transitions follow dhcp_failover_state_transition (link loss) and dhcp_failover_peer_state_changed
//   (the partner's STATE), each logged as ISC logs it and persisted before it counts.
// - CONTACT goes out when nothing else was sent for a third of the partner's max-response-delay; the
//   link is dropped when nothing was heard for our max-response-delay.
// - Binding updates are lazy: a lease change queues its address; at most the partner's
//   max-unacked-updates are unacknowledged at once. A BNDACK goes out only after the change it
//   acknowledges is durable (the 'send-after-commit' effect).
// Departures: a lost link is retried after 5 s whichever side we are (ISC's primary may wait 90 s);
// BNDACKs are not held back to batch them beyond the journal's own group commit.

import { UpdateQueue } from './update-queue.js';
import {
  type FailoverMessage,
  failoverStateName,
  MSG as M,
  REJECT as R,
  rejectReasonText,
  FO_STATE as S,
} from './wire.js';

export type Role = 'primary' | 'secondary';

/** What the server's pools are told about serving, derived from the states (ISC's service_state). */
export type ServiceState = 'cooperating' | 'not-cooperating' | 'partner-down' | 'not-responding' | 'startup';

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

interface Link {
  outgoing: boolean;
  xid: number;
  /** The peer must complete CONNECT/CONNECTACK before this (link startup timeout), or the link is closed. */
  startupDeadline?: number;
}

type TimerName = 'contact' | 'peerTimeout' | 'startup' | 'recoverDone' | 'autoPartnerDown' | 'reconnect' | 'balance';

const STARTUP_SECONDS = 15;
const LINK_STARTUP_SECONDS = 15;
const RECONNECT_SECONDS = 5;
const MAX_CLOCK_SKEW = 60;

export class Relationship {
  readonly name: string;
  readonly role: Role;
  mclt: number;
  hba: Uint8Array | undefined;
  me: { state: number; stos: number; saved: number };
  partner: { state: number; stos: number; maxUnacked: number; maxResponseDelay: number };
  service: ServiceState = 'startup';
  /** Why we do not respond, as ISC's nrr (" (startup)"), empty when we do. */
  notResponding = ' (startup)';
  readonly updates = new UpdateQueue();

  private readonly cfg: RelationshipConfig;
  private readonly leases: LeaseSide;
  private readonly links = new Map<number, Link>();
  private linkToPeer: number | undefined;
  private readonly timers = new Map<TimerName, number>();
  private out: Effect[] = [];
  /** The address whose BNDACK completes an update request (ISC send_update_done), and its request's xid. */
  private updateDoneAfter: number | undefined;
  private updateRequestXid = 0;
  /** ISC curUPD: the update request in progress (UPDREQ or UPDREQALL), 0 for none. */
  private currentRequest = 0;

  constructor(cfg: RelationshipConfig, leases: LeaseSide, now: number, saved?: PersistedState) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.role = cfg.role;
    this.leases = leases;
    this.mclt = cfg.role === 'secondary' && saved?.mclt !== undefined ? saved.mclt : cfg.mclt;
    this.hba = cfg.hba;
    // confpars.c: a peer starts in RECOVER (nothing known), the partner's state unknown.
    this.me = { state: saved?.my?.state ?? S.RECOVER, stos: saved?.my?.at ?? Math.floor(now), saved: S.RECOVER };
    this.partner = {
      state: saved?.partner?.state ?? S.UNKNOWN_STATE,
      stos: saved?.partner?.at ?? Math.floor(now),
      maxUnacked: 100,
      maxResponseDelay: 20,
    };
    this.computeService();
  }

  // ---- inputs ------------------------------------------------------------------------------------

  /** dhcp_failover_startup: enter STARTUP and try the peer at once. */
  start(now: number): Effect[] {
    this.setState(S.STARTUP, now);
    this.out.push({ kind: 'connect' });
    return this.drain();
  }

  /** A TCP link is up: one we opened (outgoing) or one the listener accepted. */
  linkOpened(id: number, outgoing: boolean, now: number): Effect[] {
    const link: Link = { outgoing, xid: 0, startupDeadline: now + LINK_STARTUP_SECONDS };
    this.links.set(id, link);
    // ISC sends CONNECT from the primary on every link, the one it opened and the ones it accepted.
    if (this.role === 'primary') this.sendConnect(id, link, now);
    return this.drain();
  }

  /** A link closed (either side) or an outgoing connect failed (id undefined). */
  linkClosed(id: number | undefined, now: number): Effect[] {
    if (id !== undefined) this.links.delete(id);
    if (id !== undefined && id === this.linkToPeer) this.transitionDisconnect(now);
    if (this.linkToPeer === undefined && !this.timers.has('reconnect')) {
      this.timers.set('reconnect', now + RECONNECT_SECONDS);
    }
    return this.drain();
  }

  receive(id: number, msg: FailoverMessage, now: number): Effect[] {
    const link = this.links.get(id);
    if (link === undefined) return [];
    switch (msg.type) {
      case M.CONNECT:
        this.onConnect(id, link, msg, now);
        break;
      case M.CONNECTACK:
        this.onConnectAck(id, link, msg, now);
        break;
      case M.DISCONNECT:
        if (msg.rejectReason) {
          this.log('error', `Failover DISCONNECT from ${this.name}: ${rejectReasonText(msg.rejectReason)}`);
        }
        this.close(id);
        break;
      default:
        if (id !== this.linkToPeer) break;
        this.onPeerMessage(id, msg, now);
    }
    if (this.linkToPeer === id && this.links.has(id)) {
      this.timers.set('peerTimeout', now + this.cfg.maxResponseDelay);
    }
    return this.drain();
  }

  /** Fires every timer due at `now`. */
  tick(now: number): Effect[] {
    for (const [id, link] of this.links) {
      if (link.startupDeadline !== undefined && link.startupDeadline <= now) {
        link.startupDeadline = undefined;
        this.log('info', 'failover: link startup timeout');
        this.close(id);
      }
    }
    for (const name of [
      'peerTimeout',
      'contact',
      'startup',
      'recoverDone',
      'autoPartnerDown',
      'reconnect',
      'balance',
    ] as const) {
      const at = this.timers.get(name);
      if (at === undefined || at > now) continue;
      this.timers.delete(name);
      this.fire(name, now);
    }
    return this.drain();
  }

  /** The earliest time tick() has something to do, or undefined. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const at of this.timers.values()) if (next === undefined || at < next) next = at;
    for (const link of this.links.values()) {
      const at = link.startupDeadline;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** A lease in one of our pools changed: its state goes to the partner (dhcp_failover_queue_update). */
  queueUpdate(address: number, now: number, immediate = true): Effect[] {
    this.updates.queue(address);
    if (immediate) this.sendUpdates(now);
    return this.drain();
  }

  /** OMAPI's `local-state` (e.g. partner-down set by an operator). */
  setLocalState(state: number, now: number): Effect[] {
    this.setState(state, now);
    return this.drain();
  }

  // ---- queries -----------------------------------------------------------------------------------

  get connected(): boolean {
    return this.linkToPeer !== undefined;
  }

  /** The lease file record for the current states (write_failover_state). */
  stateRecord(): PersistedState {
    return {
      my: { state: this.me.state === S.STARTUP ? this.me.saved : this.me.state, at: this.me.stos },
      partner: { state: this.partner.state, at: this.partner.stos },
      ...(this.role === 'secondary' ? { mclt: this.mclt } : {}),
    };
  }

  // ---- handshake ---------------------------------------------------------------------------------

  private sendConnect(id: number, link: Link, now: number): void {
    this.send(id, link, now, {
      type: M.CONNECT,
      xid: link.xid++,
      relationshipName: this.name,
      maxUnacked: this.cfg.maxUnackedUpdates,
      receiveTimer: this.cfg.maxResponseDelay,
      vendorClass: latin1(this.cfg.vendorClass),
      protocolVersion: 1,
      tlsRequest: 0,
      mclt: this.mclt,
      ...(this.hba !== undefined ? { hba: this.hba } : {}),
    });
  }

  private connectAck(id: number, link: Link, msg: FailoverMessage, now: number, reason = 0, text = ''): void {
    const name = msg.relationshipName ?? this.name;
    this.send(id, link, now, {
      type: M.CONNECTACK,
      xid: msg.xid,
      relationshipName: name,
      maxUnacked: this.cfg.maxUnackedUpdates,
      receiveTimer: this.cfg.maxResponseDelay,
      vendorClass: latin1(this.cfg.vendorClass),
      protocolVersion: 1,
      ...(msg.tlsRequest !== undefined ? { tlsReply: 0 } : {}),
      ...(reason !== 0 ? { rejectReason: reason, message: text } : {}),
    });
  }

  /** dhcp_failover_link_signal (CONNECT checks) then dhcp_failover_state_signal (CONNECT). */
  private onConnect(id: number, link: Link, msg: FailoverMessage, now: number): void {
    let problem: [number, string] | undefined;
    if (msg.relationshipName === undefined) problem = [R.INVALID_PARTNER, 'missing relationship-name'];
    else if (msg.relationshipName !== this.name) problem = [R.INVALID_PARTNER, 'unknown failover relationship name'];
    else if (Math.abs(Math.floor(now) - msg.time) > MAX_CLOCK_SKEW) problem = [R.TIMEMISMATCH, 'time offset too large'];
    else if (msg.hba === undefined || msg.hba.length !== 32) problem = [R.HBA_CONFLICT, 'invalid HBA'];
    if (problem !== undefined) {
      this.log('error', `Failover CONNECT from ${msg.relationshipName ?? 'unknown'}: ${problem[1]}`);
      this.connectAck(id, link, msg, now, problem[0], problem[1]);
      this.log('info', `failover: disconnect: ${problem[1]}`);
      this.close(id);
      return;
    }
    this.hba = msg.hba;
    link.startupDeadline = undefined;
    if (this.linkToPeer !== undefined) {
      this.connectAck(id, link, msg, now, R.DUP_CONNECTION, 'already connected');
      this.close(id);
      return;
    }
    if (msg.mclt === undefined) {
      this.connectAck(id, link, msg, now, R.INVALID_MCLT, 'no MCLT provided');
      this.close(id);
      return;
    }
    this.linkToPeer = id;
    this.timers.delete('reconnect');
    this.connectAck(id, link, msg, now);
    if (msg.maxUnacked !== undefined) this.partner.maxUnacked = msg.maxUnacked;
    if (msg.receiveTimer !== undefined) this.partner.maxResponseDelay = msg.receiveTimer;
    this.mclt = msg.mclt;
    this.sendState(now);
  }

  private onConnectAck(id: number, link: Link, msg: FailoverMessage, now: number): void {
    link.startupDeadline = undefined;
    let problem: [number, string] | undefined;
    if (msg.relationshipName === undefined) problem = [R.INVALID_PARTNER, 'missing relationship-name'];
    else if (msg.rejectReason) {
      this.log('error', `Failover CONNECT to ${this.name} rejected: ${rejectReasonText(msg.rejectReason)}`);
      this.close(id);
      return;
    } else if (msg.relationshipName !== this.name) {
      problem = [R.INVALID_PARTNER, `remote failover relationship name ${msg.relationshipName} does not match`];
    } else if (this.linkToPeer !== undefined) problem = [R.DUP_CONNECTION, 'already connected'];
    else if (Math.abs(Math.floor(now) - msg.time) > MAX_CLOCK_SKEW) problem = [R.TIMEMISMATCH, 'time offset too large'];
    if (problem !== undefined) {
      this.log('error', `Failover CONNECTACK from ${this.name}: ${problem[1]}`);
      this.send(id, link, now, { type: M.DISCONNECT, xid: link.xid++, rejectReason: problem[0], message: problem[1] });
      this.close(id);
      return;
    }
    this.linkToPeer = id;
    this.timers.delete('reconnect');
    this.sendState(now);
    if (msg.maxUnacked !== undefined) this.partner.maxUnacked = msg.maxUnacked;
    if (msg.receiveTimer !== undefined) this.partner.maxResponseDelay = msg.receiveTimer;
    this.timers.set('contact', now + Math.floor(this.partner.maxResponseDelay / 3));
    this.timers.set('peerTimeout', now + this.cfg.maxResponseDelay);
  }

  // ---- messages on the established link -----------------------------------------------------------

  private onPeerMessage(id: number, msg: FailoverMessage, now: number): void {
    switch (msg.type) {
      case M.STATE:
        this.peerStateChanged(msg, now);
        break;
      case M.BNDUPD:
        this.onBindUpdate(id, msg, now);
        break;
      case M.BNDACK:
        this.onBindAck(msg, now);
        break;
      case M.UPDREQ:
      case M.UPDREQALL:
        this.onUpdateRequest(msg, msg.type === M.UPDREQALL, now);
        break;
      case M.UPDDONE:
        this.onUpdateDone(now);
        break;
      case M.POOLREQ:
        this.onPoolRequest(msg, now);
        break;
      case M.POOLRESP:
        this.log('info', `pool response: ${msg.addressesTransferred ?? 0} leases`);
        break;
      default:
        // CONTACT: only proof of life, handled by the caller's timeout reset.
        break;
    }
  }

  private onBindUpdate(id: number, msg: FailoverMessage, now: number): void {
    const link = this.links.get(id);
    if (link === undefined) return;
    const address = msg.assignedIpAddress;
    const onAckQueue = address !== undefined && this.updates.isFlying(address);
    const outcome = this.leases.applyBindUpdate(msg, { myState: this.me.state, onAckQueue, now });
    // ISC 4.4's BNDACK carries the address only (its other fields are compiled out), and the reason of a refusal.
    const ack = { type: M.BNDACK, xid: msg.xid, ...(address !== undefined ? { assignedIpAddress: address } : {}) };
    if (!outcome.ok) {
      this.send(id, link, now, { ...ack, rejectReason: outcome.reason, message: outcome.message });
    } else {
      // The partner's update supersedes ours still in flight (ISC ignores the spurious ack).
      if (address !== undefined && onAckQueue) this.updates.acked(address);
      this.out.push({ kind: 'send-after-commit', link: id, msg: this.stamp(link, now, ack) });
    }
    for (const a of this.leases.takeQueued()) this.updates.queue(a);
    this.sendUpdates(now);
  }

  private onBindAck(msg: FailoverMessage, now: number): void {
    const address = msg.assignedIpAddress;
    if (address === undefined) return;
    const xid = this.updates.flyingXid(address);
    if (msg.rejectReason) {
      this.leases.applyBindAck(address, msg, now);
    } else if (xid === undefined) {
      // An ack for an update we did not send, or a second ack: ISC silently drops it.
    } else if (xid !== msg.xid) {
      this.log('info', `bind update on ${dotted(address)} got ack from ${this.name}: xid mismatch.`);
      return;
    } else {
      this.leases.applyBindAck(address, msg, now);
    }
    this.updates.acked(address);
    if (this.updateDoneAfter === address) {
      this.updateDoneAfter = undefined;
      this.sendUpdateDone(now);
    }
    for (const a of this.leases.takeQueued()) this.updates.queue(a);
    this.sendUpdates(now);
  }

  /** dhcp_failover_process_update_request(_all). */
  private onUpdateRequest(msg: FailoverMessage, everything: boolean, now: number): void {
    if (this.updateDoneAfter !== undefined) {
      this.log('info', 'Received update request while old update still flying!  Silently discarding old request.');
      this.updateDoneAfter = undefined;
    }
    for (const a of this.leases.updateCandidates(everything)) {
      if (!this.updates.isPending(a) && !this.updates.isFlying(a)) this.updates.queue(a);
    }
    this.updateRequestXid = msg.xid;
    const what = everything ? 'Update request all' : 'Update request';
    const tail = this.updates.tail();
    if (tail !== undefined) {
      this.updateDoneAfter = tail;
      this.sendUpdates(now);
      this.log('info', `${what} from ${this.name}: sending update`);
    } else {
      this.sendUpdateDone(now);
      this.log('info', `${what} from ${this.name}: nothing pending`);
    }
  }

  /** dhcp_failover_process_update_done. */
  private onUpdateDone(now: number): void {
    this.log('info', `failover peer ${this.name}: peer update completed.`);
    this.currentRequest = 0;
    switch (this.me.state) {
      case S.POTENTIAL_CONFLICT:
        if (this.partner.state === S.CONFLICT_DONE) {
          if (this.role === 'secondary') this.setState(S.NORMAL, now);
          else {
            this.log('error', 'Secondary is in conflict_done state after conflict resolution, this is illegal.');
            this.setState(S.SHUTDOWN, now);
          }
        } else if (this.role === 'primary') this.setState(S.CONFLICT_DONE, now);
        else this.log('error', 'Spurious update-done message.');
        break;
      case S.CONFLICT_DONE:
        this.log('error', 'Spurious update-done message.');
        break;
      case S.RECOVER:
        // Both starting in RECOVER is a new pair: no point waiting for MCLT.
        if (
          this.me.stos + this.mclt > now &&
          this.partner.state !== S.RECOVER &&
          this.partner.state !== S.RECOVER_DONE
        ) {
          this.setState(S.RECOVER_WAIT, now);
          this.timers.set('recoverDone', this.me.stos + this.mclt);
        } else this.setState(S.RECOVER_DONE, now);
        break;
      default:
        break;
    }
  }

  /** dhcp_failover_pool_reqbalance. */
  private onPoolRequest(msg: FailoverMessage, now: number): void {
    this.timers.delete('balance');
    const { moved, logs } = this.leases.balance(now, false);
    for (const l of logs) this.log('info', l);
    const link = this.linkToPeer === undefined ? undefined : this.links.get(this.linkToPeer);
    if (link !== undefined && this.linkToPeer !== undefined) {
      this.send(this.linkToPeer, link, now, { type: M.POOLRESP, xid: msg.xid, addressesTransferred: moved.length });
    }
    for (const a of moved) this.updates.queue(a);
    if (moved.length > 0) this.sendUpdates(now);
    else {
      this.log(
        'info',
        `peer ${this.name}: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.`,
      );
    }
    this.scheduleBalance(now);
  }

  // ---- the state machine ---------------------------------------------------------------------------

  /** dhcp_failover_state_transition(state, "disconnect"). */
  private transitionDisconnect(now: number): void {
    if (this.linkToPeer !== undefined) {
      this.log('info', `peer ${this.name}: disconnected`);
      this.linkToPeer = undefined;
    }
    this.timers.delete('contact');
    this.timers.delete('peerTimeout');
    this.timers.delete('startup');
    const current = this.me.state === S.STARTUP ? this.me.saved : this.me.state;
    switch (current) {
      case S.CONFLICT_DONE:
      case S.COMMUNICATIONS_INTERRUPTED:
      case S.PARTNER_DOWN:
      case S.PAUSED:
      case S.RECOVER:
      case S.RECOVER_DONE:
      case S.RECOVER_WAIT:
      case S.RESOLUTION_INTERRUPTED:
      case S.SHUTDOWN:
        if (current === S.CONFLICT_DONE) this.updates.rescind();
        if (this.me.state === S.STARTUP) this.setState(this.me.saved, now);
        return;
      case S.POTENTIAL_CONFLICT:
      case S.UNKNOWN_STATE:
        this.setState(S.RESOLUTION_INTERRUPTED, now);
        return;
      case S.NORMAL:
        this.setState(S.COMMUNICATIONS_INTERRUPTED, now);
        return;
      default:
        return;
    }
  }

  /** dhcp_failover_set_state. */
  private setState(next: number, now: number): void {
    const prev = this.me.state;
    if (prev === S.NORMAL || prev === S.POTENTIAL_CONFLICT || prev === S.PARTNER_DOWN) this.updates.rescind();
    if (next !== S.RECOVER_WAIT && next !== S.STARTUP && prev !== S.STARTUP) this.me.stos = Math.floor(now);
    // Administratively shut down while the partner took over: no need to wait for MCLT.
    if (next === S.RECOVER && prev === S.SHUTDOWN && this.partner.state === S.PARTNER_DOWN && this.updates.empty) {
      this.me.stos = Math.floor(now) - this.mclt;
    }
    this.me.state = next;
    if (next === S.STARTUP && prev !== S.STARTUP) this.me.saved = prev;
    this.out.push({ kind: 'persist' });
    this.log(
      'info',
      `failover peer ${this.name}: I move from ${failoverStateName(prev)} to ${failoverStateName(next)}`,
    );
    if (next === S.NORMAL && this.partner.state === S.NORMAL)
      this.log('info', `failover peer ${this.name}: Both servers normal`);
    if (next !== S.STARTUP && prev === S.STARTUP) this.timers.delete('startup');
    this.timers.delete('autoPartnerDown');
    this.computeService();
    if (this.linkToPeer !== undefined) this.sendState(now);

    switch (next) {
      case S.COMMUNICATIONS_INTERRUPTED:
        if (this.cfg.autoPartnerDown > 0) this.timers.set('autoPartnerDown', now + this.cfg.autoPartnerDown);
        break;
      case S.NORMAL: {
        this.timers.delete('balance');
        const { moved, logs } = this.leases.balance(now, false);
        for (const l of logs) this.log('info', l);
        for (const a of moved) this.updates.queue(a);
        for (const a of this.leases.updateCandidates(false)) this.updates.queue(a);
        this.scheduleBalance(now);
        if (this.updates.pendingCount > 0) {
          this.sendUpdates(now);
          this.log('info', `Sending updates to ${this.name}.`);
        }
        break;
      }
      case S.POTENTIAL_CONFLICT:
        if (this.role === 'primary' || this.partner.state === S.CONFLICT_DONE) this.sendUpdateRequest(false, now);
        break;
      case S.STARTUP:
        this.timers.set('startup', now + STARTUP_SECONDS);
        break;
      case S.RECOVER_WAIT:
        if (this.me.stos + this.mclt > now) this.timers.set('recoverDone', this.me.stos + this.mclt);
        else this.setState(S.RECOVER_DONE, now);
        break;
      case S.RECOVER:
        if (this.linkToPeer !== undefined) this.sendUpdateRequest(true, now);
        break;
      case S.PARTNER_DOWN:
        this.leases.enterPartnerDown(this.me.stos, this.mclt, now);
        break;
      default:
        break;
    }
  }

  /** dhcp_failover_peer_state_changed. */
  private peerStateChanged(msg: FailoverMessage, now: number): void {
    const previous = this.partner.state;
    const next = msg.serverState ?? S.UNKNOWN_STATE;
    const startupp = ((msg.serverFlags ?? 0) & 1) !== 0;
    const mine = this.me.state;

    if (previous === next && mine !== S.UNKNOWN_STATE) {
      switch (mine) {
        case S.STARTUP:
          this.setState(this.me.saved === S.RESOLUTION_INTERRUPTED ? S.POTENTIAL_CONFLICT : this.me.saved, now);
          return;
        case S.PARTNER_DOWN:
        case S.COMMUNICATIONS_INTERRUPTED:
        case S.RESOLUTION_INTERRUPTED:
        case S.RECOVER:
        case S.CONFLICT_DONE:
          break;
        default:
          return;
      }
    }

    this.partner.state = next;
    this.partner.stos = Math.floor(now);
    this.log(
      'info',
      `failover peer ${this.name}: peer moves from ${failoverStateName(previous)} to ${failoverStateName(next)}`,
    );
    if (this.me.state === S.NORMAL && next === S.NORMAL)
      this.log('info', `failover peer ${this.name}: Both servers normal`);
    this.out.push({ kind: 'persist' });

    if (!KNOWN_STATES.has(next)) {
      this.log('error', `failover peer ${this.name}: Invalid state: ${next}`);
      this.setState(S.SHUTDOWN, now);
      return;
    }

    const current = this.me.state === S.STARTUP ? this.me.saved : this.me.state;
    switch (current) {
      case S.NORMAL:
        switch (next) {
          case S.NORMAL:
            this.scheduleBalance(now);
            break;
          case S.PARTNER_DOWN:
            this.setState(this.me.state === S.STARTUP ? S.RECOVER : S.POTENTIAL_CONFLICT, now);
            break;
          case S.POTENTIAL_CONFLICT:
          case S.RESOLUTION_INTERRUPTED:
          case S.CONFLICT_DONE:
            this.log(
              'error',
              `Peer ${this.name}: Invalid state transition ${failoverStateName(previous)} to ${failoverStateName(next)}.`,
            );
            this.setState(S.SHUTDOWN, now);
            break;
          case S.RECOVER:
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          case S.PAUSED:
            this.setState(S.COMMUNICATIONS_INTERRUPTED, now);
            break;
          default:
            break;
        }
        break;
      case S.RECOVER:
        switch (next) {
          case S.RECOVER:
            this.log('info', `failover peer ${this.name}: requesting full update from peer`);
            if (this.me.state === S.RECOVER) this.sendUpdateRequest(true, now);
            break;
          case S.POTENTIAL_CONFLICT:
          case S.RESOLUTION_INTERRUPTED:
          case S.CONFLICT_DONE:
          case S.NORMAL:
            this.setState(S.POTENTIAL_CONFLICT, now);
            break;
          case S.PARTNER_DOWN:
          case S.COMMUNICATIONS_INTERRUPTED:
            if (this.me.state === S.RECOVER) this.sendUpdateRequest(true, now);
            break;
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          default:
            break;
        }
        break;
      case S.POTENTIAL_CONFLICT:
        switch (next) {
          case S.NORMAL:
            this.log('error', `Peer ${this.name} moves to normal during conflict resolution - panic, shutting down.`);
            this.setState(S.SHUTDOWN, now);
            break;
          case S.CONFLICT_DONE:
            if (previous === S.POTENTIAL_CONFLICT) this.sendUpdateRequest(false, now);
            else this.log('error', `Peer ${this.name}: Unexpected move to conflict-done.`);
            break;
          case S.RECOVER:
            this.setState(S.RECOVER, now);
            break;
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          default:
            break;
        }
        break;
      case S.CONFLICT_DONE:
        switch (next) {
          case S.NORMAL:
          case S.SHUTDOWN:
            this.setState(next, now);
            break;
          case S.POTENTIAL_CONFLICT:
          case S.RESOLUTION_INTERRUPTED:
            break;
          default:
            // ISC: log_fatal. A server must not die of its partner's message: shut the relationship down.
            this.log(
              'error',
              `Peer ${this.name}: Invalid attempt to move from ${failoverStateName(previous)} to ${failoverStateName(next)} while local state is conflict-done.`,
            );
            this.setState(S.SHUTDOWN, now);
        }
        break;
      case S.PARTNER_DOWN:
        if (startupp) break;
        switch (next) {
          case S.RECOVER_DONE:
            this.setState(S.NORMAL, now);
            break;
          case S.NORMAL:
          case S.POTENTIAL_CONFLICT:
          case S.PARTNER_DOWN:
          case S.COMMUNICATIONS_INTERRUPTED:
          case S.RESOLUTION_INTERRUPTED:
          case S.CONFLICT_DONE:
            this.setState(S.POTENTIAL_CONFLICT, now);
            break;
          default:
            break;
        }
        break;
      case S.COMMUNICATIONS_INTERRUPTED:
        switch (next) {
          case S.RECOVER:
            this.setState(S.PARTNER_DOWN, now);
            break;
          case S.NORMAL:
          case S.COMMUNICATIONS_INTERRUPTED:
          case S.RECOVER_DONE:
          case S.RECOVER_WAIT:
            this.sendUpdates(now);
            this.setState(S.NORMAL, now);
            break;
          case S.POTENTIAL_CONFLICT:
          case S.PARTNER_DOWN:
          case S.RESOLUTION_INTERRUPTED:
          case S.CONFLICT_DONE:
            this.setState(S.POTENTIAL_CONFLICT, now);
            break;
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          default:
            break;
        }
        break;
      case S.RESOLUTION_INTERRUPTED:
        switch (next) {
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          case S.PAUSED:
          case S.UNKNOWN_STATE:
          case S.STARTUP:
            break;
          default:
            this.setState(S.POTENTIAL_CONFLICT, now);
        }
        break;
      case S.RECOVER_DONE:
        switch (next) {
          case S.RECOVER_DONE:
            this.log('error', 'Both servers have entered recover-done!');
            this.setState(S.NORMAL, now);
            break;
          case S.NORMAL:
            this.setState(S.NORMAL, now);
            break;
          case S.SHUTDOWN:
            this.setState(S.PARTNER_DOWN, now);
            break;
          default:
            break;
        }
        break;
      default:
        // RECOVER-WAIT waits; SHUTDOWN and PAUSED make no automatic transition.
        break;
    }
    if (this.me.state === S.STARTUP && this.me.saved !== S.STARTUP) this.setState(this.me.saved, now);
    this.computeService();
  }

  /** dhcp_failover_set_service_state. */
  private computeService(): void {
    const reasons: Record<number, [ServiceState, string]> = {
      [S.UNKNOWN_STATE]: ['not-responding', ' (my state unknown)'],
      [S.PARTNER_DOWN]: ['partner-down', ''],
      [S.NORMAL]: ['cooperating', ''],
      [S.COMMUNICATIONS_INTERRUPTED]: ['not-cooperating', ''],
      [S.RESOLUTION_INTERRUPTED]: ['not-responding', ' (resolving conflicts)'],
      [S.POTENTIAL_CONFLICT]: ['not-responding', ' (resolving conflicts)'],
      [S.CONFLICT_DONE]: ['not-responding', ' (resolving conflicts)'],
      [S.RECOVER]: ['not-responding', ' (recovering)'],
      [S.SHUTDOWN]: ['not-responding', ' (shut down)'],
      [S.PAUSED]: ['not-responding', ' (paused)'],
      [S.RECOVER_WAIT]: ['not-responding', ' (recover wait)'],
      [S.RECOVER_DONE]: ['not-responding', ' (recover done)'],
      [S.STARTUP]: ['startup', ' (startup)'],
    };
    const [service, nrr] = reasons[this.me.state] ?? ['not-responding', ' (my state unknown)'];
    this.service = service;
    this.notResponding = nrr;
    if (service === 'not-responding') return;
    const p = this.partner.state;
    if (p === S.PARTNER_DOWN) {
      this.service = 'not-responding';
      this.notResponding = ' (peer demands: recovering)';
    } else if (p === S.POTENTIAL_CONFLICT || p === S.CONFLICT_DONE || p === S.RESOLUTION_INTERRUPTED) {
      this.service = 'not-responding';
      this.notResponding = ' (peer demands: resolving conflicts)';
    }
  }

  // ---- timers ----------------------------------------------------------------------------------------

  private fire(name: TimerName, now: number): void {
    switch (name) {
      case 'contact': {
        const link = this.linkToPeer === undefined ? undefined : this.links.get(this.linkToPeer);
        if (link !== undefined && this.linkToPeer !== undefined) {
          this.send(this.linkToPeer, link, now, { type: M.CONTACT, xid: link.xid++ });
        }
        break;
      }
      case 'peerTimeout':
        if (this.linkToPeer !== undefined) {
          this.log('error', `timeout waiting for failover peer ${this.name}`);
          this.close(this.linkToPeer);
        }
        break;
      case 'startup':
        this.transitionDisconnect(now);
        break;
      case 'recoverDone':
        this.setState(S.RECOVER_DONE, now);
        break;
      case 'autoPartnerDown':
        this.setState(S.PARTNER_DOWN, now);
        break;
      case 'reconnect':
        if (this.linkToPeer === undefined) this.out.push({ kind: 'connect' });
        break;
      case 'balance': {
        const { moved, poolRequest, logs } = this.leases.balance(now, true);
        for (const l of logs) this.log('info', l);
        for (const a of moved) this.updates.queue(a);
        if (moved.length > 0) this.sendUpdates(now);
        if (poolRequest) this.sendPlain(M.POOLREQ, now);
        this.scheduleBalance(now);
        break;
      }
    }
  }

  private scheduleBalance(now: number): void {
    if (this.me.state !== S.NORMAL) return;
    const at = this.leases.nextBalance(now);
    if (at === undefined) return;
    const current = this.timers.get('balance');
    if (current === undefined || at < current) this.timers.set('balance', at);
  }

  // ---- sending -----------------------------------------------------------------------------------------

  /** dhcp_failover_send_updates. */
  private sendUpdates(now: number): void {
    if (this.linkToPeer === undefined) return;
    const id = this.linkToPeer;
    const link = this.links.get(id);
    if (link === undefined) return;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const address = this.updates.nextToSend(this.partner.maxUnacked);
      if (address === undefined) return;
      const fields = this.leases.bindUpdate(address, now);
      if (fields === undefined) {
        this.updates.drop(address);
        continue;
      }
      if (link.xid === 0) link.xid = 1;
      const xid = link.xid++;
      this.send(id, link, now, { ...fields, type: M.BNDUPD, xid, assignedIpAddress: address });
      this.updates.sent(address, xid);
    }
  }

  private sendUpdateRequest(everything: boolean, now: number): void {
    if (!everything && this.currentRequest === M.UPDREQALL) everything = true;
    const type = everything ? M.UPDREQALL : M.UPDREQ;
    if (!this.sendPlain(type, now)) return;
    this.currentRequest = type;
    this.log('info', `Sent update request ${everything ? 'all ' : ''}message to ${this.name}`);
  }

  private sendUpdateDone(now: number): void {
    const link = this.linkToPeer === undefined ? undefined : this.links.get(this.linkToPeer);
    if (link === undefined || this.linkToPeer === undefined) return;
    this.out.push({
      kind: 'send-after-commit',
      link: this.linkToPeer,
      msg: this.stamp(link, now, { type: M.UPDDONE, xid: this.updateRequestXid }),
    });
    this.log('info', `Sent update done message to ${this.name}`);
  }

  private sendState(now: number): void {
    const link = this.linkToPeer === undefined ? undefined : this.links.get(this.linkToPeer);
    if (link === undefined || this.linkToPeer === undefined) return;
    this.send(this.linkToPeer, link, now, {
      type: M.STATE,
      xid: link.xid++,
      serverState: this.me.state === S.STARTUP ? this.me.saved : this.me.state,
      serverFlags: this.service === 'startup' ? 1 : 0,
      stos: this.me.stos,
    });
  }

  private sendPlain(type: number, now: number): boolean {
    const link = this.linkToPeer === undefined ? undefined : this.links.get(this.linkToPeer);
    if (link === undefined || this.linkToPeer === undefined) return false;
    this.send(this.linkToPeer, link, now, { type, xid: link.xid++ });
    return true;
  }

  private stamp(_link: Link, now: number, msg: Omit<FailoverMessage, 'time'>): FailoverMessage {
    return { ...msg, time: Math.floor(now) } as FailoverMessage;
  }

  private send(id: number, link: Link, now: number, msg: Omit<FailoverMessage, 'time'>): void {
    this.out.push({ kind: 'send', link: id, msg: this.stamp(link, now, msg) });
    if (id === this.linkToPeer) this.timers.set('contact', now + Math.floor(this.partner.maxResponseDelay / 3));
  }

  private close(id: number): void {
    this.out.push({ kind: 'close', link: id });
  }

  private log(level: 'info' | 'error', text: string): void {
    this.out.push({ kind: 'log', level, text });
  }

  private drain(): Effect[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

const KNOWN_STATES = new Set<number>([
  S.UNKNOWN_STATE,
  S.STARTUP,
  S.NORMAL,
  S.COMMUNICATIONS_INTERRUPTED,
  S.PARTNER_DOWN,
  S.POTENTIAL_CONFLICT,
  S.RECOVER,
  S.PAUSED,
  S.SHUTDOWN,
  S.RECOVER_DONE,
  S.RESOLUTION_INTERRUPTED,
  S.CONFLICT_DONE,
  S.RECOVER_WAIT,
]);

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function dotted(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
