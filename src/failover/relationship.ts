// One failover relationship (`failover peer "NAME" { ... }`) as a sans-I/O state machine: the shell
// tells it when links open and close, hands it each decoded message and the time, and carries out the
// effects it returns (send on a link, close a link, open a link, log, persist the state record). It
// owns no socket and no timer: `nextDeadline()` says when to call `tick()`. The leases it talks about
// are reached through an injected LeaseSide, so two relationships run in one process in a simulation.
// The decisions are pure modules it carries out: transitions.ts (which state next), handshake.ts
// (CONNECT/CONNECTACK contents and refusals), service-state.ts; update-flow.ts runs the binding
// updates and update requests; relationship-types.ts holds the types it exports.
//
// It follows ISC dhcpd 4.4 (server/failover.c) where the draft leaves a choice:
// - Both servers listen and connect; the primary sends CONNECT on every link, opened or accepted. The first
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
// BNDACKs are not held back to batch them beyond the journal's own group commit; unacknowledged
// updates are sent again after any lost link, whatever the state (transitionDisconnect); a server in
// RECOVER asks for everything on each new link (resumeRecovery); an update the partner refused as an
// invalid transition is sent again a minute later (update-flow.ts); auto-partner-down counts only
// while the link is down (linkUp); a state returned to from STARTUP acts on the partner's (REEVALUATE);
// RECOVER counts its MCLT from when it is entered (setState); PARTNER-DOWN waits for its update
// queue to drain before it gives way to a recovered partner (peerStateChanged).

import { connectAckMessage, connectAckRefusal, connectMessage, connectRefusal } from './handshake.js';
import { poolReqNegativeLine, poolRespLine } from './pool-balance.js';
import type {
  Effect,
  LeaseSide,
  Link,
  PersistedState,
  RelationshipConfig,
  Role,
  Unstamped,
} from './relationship-types.js';
import { type ServiceState, serviceState } from './service-state.js';
import { disconnected, peerStateChanged, type Transition, updateDone } from './transitions.js';
import { UpdateFlow } from './update-flow.js';
import type { UpdateQueue } from './update-queue.js';
import {
  type FailoverMessage,
  failoverStateName,
  MSG as M,
  REJECT as R,
  rejectReasonText,
  FO_STATE as S,
  SERVER_FLAG,
} from './wire.js';

export type {
  BindUpdateOutcome,
  Effect,
  LeaseSide,
  PersistedState,
  RelationshipConfig,
  Role,
  ServiceState,
} from './relationship-types.js';

type TimerName = 'contact' | 'peerTimeout' | 'startup' | 'recoverDone' | 'autoPartnerDown' | 'reconnect' | 'balance';

const STARTUP_SECONDS = 15;
/** Our states in which a partner's STATE that repeats the known one is acted on (transitions.ts peerStateChanged). */
const REEVALUATE: ReadonlySet<number> = new Set([
  S.PARTNER_DOWN,
  S.COMMUNICATIONS_INTERRUPTED,
  S.RESOLUTION_INTERRUPTED,
  S.RECOVER,
  S.CONFLICT_DONE,
]);
const LINK_STARTUP_SECONDS = 15;
const RECONNECT_SECONDS = 5;

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
  /** The update and ack queues of our binding updates (owned by the update flow). */
  readonly updates: UpdateQueue;

  private readonly cfg: RelationshipConfig;
  private readonly leases: LeaseSide;
  private readonly links = new Map<number, Link>();
  private linkToPeer: number | undefined;
  private readonly timers = new Map<TimerName, number>();
  private out: Effect[] = [];
  private readonly flow: UpdateFlow;
  /** No STATE has come yet on the link to the peer. */
  private firstState = false;
  /** The partner is RECOVER-DONE: move from PARTNER-DOWN to NORMAL once our updates are all acknowledged. */
  private normalOnceDrained = false;

  constructor(cfg: RelationshipConfig, leases: LeaseSide, now: number, saved?: PersistedState) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.role = cfg.role;
    this.leases = leases;
    this.flow = new UpdateFlow(cfg.name, leases, {
      peerLink: () => this.peerLink(),
      send: (id, link, at, msg) => this.send(id, link, at, msg),
      sendAfterCommit: (id, link, at, msg) =>
        this.out.push({ kind: 'send-after-commit', link: id, msg: this.stamp(link, at, msg) }),
      sendPlain: (type, at) => this.sendPlain(type, at),
      log: (level, text) => this.log(level, text),
      myState: () => this.me.state,
      partnerMaxUnacked: () => this.partner.maxUnacked,
    });
    this.updates = this.flow.queue;
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
    this.normalIfDrained(now);
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
    const retry = this.flow.nextRetry();
    if (retry !== undefined && retry <= now) this.flow.retryRefused(now);
    return this.drain();
  }

  /** The earliest time tick() has something to do, or undefined. */
  nextDeadline(): number | undefined {
    let next = this.flow.nextRetry();
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
    if (immediate) this.flow.sendUpdates(now);
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

  /** Updates the partner refused, waiting to be sent again. */
  get refusedPending(): boolean {
    return this.flow.nextRetry() !== undefined;
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
    this.send(id, link, now, connectMessage(this.cfg, link.xid++, this.mclt, this.hba));
  }

  private connectAck(id: number, link: Link, msg: FailoverMessage, now: number, reason = 0, text = ''): void {
    this.send(id, link, now, connectAckMessage(this.cfg, msg, reason, text));
  }

  /** dhcp_failover_link_signal (CONNECT checks) then dhcp_failover_state_signal (CONNECT). */
  private onConnect(id: number, link: Link, msg: FailoverMessage, now: number): void {
    const problem = connectRefusal(msg, this.name, now);
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
    this.linkUp(id);
    this.connectAck(id, link, msg, now);
    if (msg.maxUnacked !== undefined) this.partner.maxUnacked = msg.maxUnacked;
    if (msg.receiveTimer !== undefined) this.partner.maxResponseDelay = msg.receiveTimer;
    this.mclt = msg.mclt;
    this.sendState(now);
    this.resumeRecovery(now);
  }

  /**
   * Departure: a server in RECOVER asks for everything again on each new link. ISC asks as it enters
   * RECOVER and when the partner's state changes, so one whose UPDDONE was lost with the link, the
   * partner having moved to RECOVER-DONE meanwhile, stayed in RECOVER for good.
   */
  private resumeRecovery(now: number): void {
    if (this.me.state === S.RECOVER) this.flow.sendUpdateRequest(true, now);
  }

  private onConnectAck(id: number, link: Link, msg: FailoverMessage, now: number): void {
    link.startupDeadline = undefined;
    const problem = connectAckRefusal(msg, this.name, this.linkToPeer !== undefined, now);
    if (problem === 'rejected') {
      this.log('error', `Failover CONNECT to ${this.name} rejected: ${rejectReasonText(msg.rejectReason!)}`);
      this.close(id);
      return;
    }
    if (problem !== undefined) {
      this.log('error', `Failover CONNECTACK from ${this.name}: ${problem[1]}`);
      this.send(id, link, now, { type: M.DISCONNECT, xid: link.xid++, rejectReason: problem[0], message: problem[1] });
      this.close(id);
      return;
    }
    this.linkUp(id);
    this.sendState(now);
    if (msg.maxUnacked !== undefined) this.partner.maxUnacked = msg.maxUnacked;
    if (msg.receiveTimer !== undefined) this.partner.maxResponseDelay = msg.receiveTimer;
    this.timers.set('contact', now + Math.floor(this.partner.maxResponseDelay / 3));
    this.timers.set('peerTimeout', now + this.cfg.maxResponseDelay);
    this.resumeRecovery(now);
  }

  // ---- messages on the established link -----------------------------------------------------------

  private onPeerMessage(id: number, msg: FailoverMessage, now: number): void {
    switch (msg.type) {
      case M.STATE:
        this.peerStateChanged(msg, now);
        break;
      case M.BNDUPD: {
        const link = this.links.get(id);
        if (link !== undefined) this.flow.onBindUpdate(id, link, msg, now);
        break;
      }
      case M.BNDACK:
        this.flow.onBindAck(msg, now);
        break;
      case M.UPDREQ:
      case M.UPDREQALL:
        this.flow.onUpdateRequest(msg, msg.type === M.UPDREQALL, now);
        break;
      case M.UPDDONE:
        this.onUpdateDone(now);
        break;
      case M.POOLREQ:
        this.onPoolRequest(msg, now);
        break;
      case M.POOLRESP:
        this.log('info', poolRespLine(msg.addressesTransferred ?? 0));
        break;
      default:
        // CONTACT: only proof of life, handled by the caller's timeout reset.
        break;
    }
  }

  /** dhcp_failover_process_update_done (transitions.ts updateDone). */
  private onUpdateDone(now: number): void {
    this.log('info', `failover peer ${this.name}: peer update completed.`);
    this.flow.requestDone();
    const mcltAhead = this.me.stos + this.mclt > now;
    this.carryOut(updateDone({ me: this.me.state, partner: this.partner.state, role: this.role, mcltAhead }), now);
  }

  /** dhcp_failover_pool_reqbalance. */
  private onPoolRequest(msg: FailoverMessage, now: number): void {
    this.timers.delete('balance');
    const { moved } = this.balance(now, false);
    const peer = this.peerLink();
    if (peer !== undefined) {
      this.send(peer.id, peer.link, now, { type: M.POOLRESP, xid: msg.xid, addressesTransferred: moved.length });
    }
    if (moved.length > 0) this.flow.sendUpdates(now);
    else this.log('info', poolReqNegativeLine(this.name));
    this.scheduleBalance(now);
  }

  // ---- the state machine ---------------------------------------------------------------------------

  /** dhcp_failover_state_transition(state, "disconnect") (transitions.ts disconnected). */
  private transitionDisconnect(now: number): void {
    this.normalOnceDrained = false;
    if (this.linkToPeer !== undefined) {
      this.log('info', `peer ${this.name}: disconnected`);
      this.linkToPeer = undefined;
      // No BNDACK will come for what the lost link carried: it is sent again on the next one (ISC
      // rescinds only when it leaves NORMAL, POTENTIAL-CONFLICT or PARTNER-DOWN, or loses the link in
      // CONFLICT-DONE; updates sent in another state before the link died stayed unacknowledged and,
      // with max-unacked-updates of them, no update went out again until those leases changed).
      this.updates.rescind();
    }
    this.timers.delete('contact');
    this.timers.delete('peerTimeout');
    this.timers.delete('startup');
    this.carryOut(disconnected(this.me.state, this.me.saved), now);
    // Out of contact again in COMMUNICATIONS-INTERRUPTED: auto-partner-down counts from now.
    if (
      this.me.state === S.COMMUNICATIONS_INTERRUPTED &&
      this.cfg.autoPartnerDown > 0 &&
      !this.timers.has('autoPartnerDown')
    )
      this.timers.set('autoPartnerDown', now + this.cfg.autoPartnerDown);
  }

  /**
   * The link to the peer is up. Departure: auto-partner-down stops counting - the partner is there.
   * ISC stops it only on a state change, so it could fire between the CONNECT and the partner's
   * STATE: that server went PARTNER-DOWN as its partner, hearing its COMMUNICATIONS-INTERRUPTED,
   * went NORMAL, and ISC's transitions then ended in SHUTDOWN ("moves to normal during conflict
   * resolution - panic").
   */
  private linkUp(id: number): void {
    this.linkToPeer = id;
    this.firstState = true;
    this.timers.delete('reconnect');
    this.timers.delete('autoPartnerDown');
  }

  /** dhcp_failover_set_state. */
  private setState(next: number, now: number): void {
    const prev = this.me.state;
    if (prev === S.NORMAL || prev === S.POTENTIAL_CONFLICT || prev === S.PARTNER_DOWN) this.updates.rescind();
    // ISC keeps the old stos into RECOVER-WAIT and out of STARTUP. Departure: RECOVER counts from now
    // however it is entered - from STARTUP ISC kept the stos of a state left long before (the saved
    // NORMAL of a server back from hours down), so RECOVER-WAIT was skipped, and the pair went NORMAL
    // while the partner's updates of the addresses it bound meanwhile were still queued.
    if (next !== S.RECOVER_WAIT && next !== S.STARTUP && (prev !== S.STARTUP || next === S.RECOVER))
      this.me.stos = Math.floor(now);
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
        this.balance(now, false);
        for (const a of this.leases.updateCandidates(false)) this.updates.queue(a);
        this.scheduleBalance(now);
        if (this.updates.pendingCount > 0) {
          this.flow.sendUpdates(now);
          this.log('info', `Sending updates to ${this.name}.`);
        }
        break;
      }
      case S.POTENTIAL_CONFLICT:
        if (this.role === 'primary' || this.partner.state === S.CONFLICT_DONE) this.flow.sendUpdateRequest(false, now);
        break;
      case S.STARTUP:
        this.timers.set('startup', now + STARTUP_SECONDS);
        break;
      case S.RECOVER_WAIT:
        if (this.me.stos + this.mclt > now) this.timers.set('recoverDone', this.me.stos + this.mclt);
        else this.setState(S.RECOVER_DONE, now);
        break;
      case S.RECOVER:
        if (this.linkToPeer !== undefined) this.flow.sendUpdateRequest(true, now);
        break;
      case S.PARTNER_DOWN:
        this.leases.enterPartnerDown(this.me.stos, this.mclt, now);
        break;
      default:
        break;
    }
  }

  /** dhcp_failover_peer_state_changed (transitions.ts peerStateChanged). */
  private peerStateChanged(msg: FailoverMessage, now: number): void {
    const previous = this.partner.state;
    const next = msg.serverState ?? S.UNKNOWN_STATE;
    const decision = peerStateChanged({
      name: this.name,
      me: this.me.state,
      saved: this.me.saved,
      previous,
      next,
      startup: ((msg.serverFlags ?? 0) & SERVER_FLAG.STARTUP) !== 0,
      firstOnLink: this.firstState,
    });
    this.firstState = false;
    if (!decision.record) {
      const wasStartup = this.me.state === S.STARTUP;
      this.carryOut(decision, now);
      // Departure: back from STARTUP to a state that acts on a partner state it already knew (ISC's
      // list: PARTNER-DOWN, COMMUNICATIONS-INTERRUPTED, RESOLUTION-INTERRUPTED, RECOVER,
      // CONFLICT-DONE), it acts on it now. ISC only returns to the saved state and waits for a change
      // that may not come: a server restarted in COMMUNICATIONS-INTERRUPTED whose partner sat in
      // RECOVER-DONE (waiting for it to be NORMAL) stayed so, both, for good.
      if (wasStartup && REEVALUATE.has(this.me.state)) this.peerStateChanged(msg, now);
      return;
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
    // Departure: PARTNER-DOWN gives way to the recovered partner only once the partner holds every
    // binding we made, our update queue empty. ISC moves to NORMAL at once, and the partner goes
    // NORMAL and allocates its free addresses while updates of the ones we bound in PARTNER-DOWN
    // (after the partner's UPDDONE, or more than the link carried) were still queued here.
    const current = this.me.state === S.STARTUP ? this.me.saved : this.me.state;
    const hold = current === S.PARTNER_DOWN && decision.next === S.NORMAL && !this.updates.empty;
    this.normalOnceDrained = hold;
    this.carryOut(hold ? { actions: decision.actions } : decision, now);
    if (this.me.state === S.STARTUP && this.me.saved !== S.STARTUP) this.setState(this.me.saved, now);
    this.computeService();
  }

  /** PARTNER-DOWN to NORMAL once the update queue held back by peerStateChanged has drained. */
  private normalIfDrained(now: number): void {
    if (!this.normalOnceDrained || !this.updates.empty) return;
    this.normalOnceDrained = false;
    if (this.me.state === S.PARTNER_DOWN && this.partner.state === S.RECOVER_DONE) this.setState(S.NORMAL, now);
  }

  /** Carries out a transitions.ts decision: its actions in order, then the move to its next state. */
  private carryOut(decision: Transition, now: number): void {
    for (const action of decision.actions) {
      switch (action.kind) {
        case 'log':
          this.log(action.level, action.text);
          break;
        case 'update-request':
          this.flow.sendUpdateRequest(action.everything, now);
          break;
        case 'send-updates':
          this.flow.sendUpdates(now);
          break;
        case 'schedule-balance':
          this.scheduleBalance(now);
          break;
        case 'rescind':
          this.updates.rescind();
          break;
      }
    }
    if (decision.next !== undefined) this.setState(decision.next, now);
  }

  /** dhcp_failover_set_service_state (service-state.ts). */
  private computeService(): void {
    const { state, nrr } = serviceState(failoverStateName(this.me.state), failoverStateName(this.partner.state));
    this.service = state;
    this.notResponding = nrr;
  }

  // ---- timers ----------------------------------------------------------------------------------------

  private fire(name: TimerName, now: number): void {
    switch (name) {
      case 'contact':
        this.sendPlain(M.CONTACT, now);
        break;
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
        const { moved, poolRequest } = this.balance(now, true);
        if (moved.length > 0) this.flow.sendUpdates(now);
        if (poolRequest) this.sendPlain(M.POOLREQ, now);
        this.scheduleBalance(now);
        break;
      }
    }
  }

  /** The lease side's pool rebalancing: its log lines, and the leases it moved queued for the partner. */
  private balance(now: number, mayRequest: boolean): { moved: number[]; poolRequest: boolean } {
    const { moved, poolRequest, logs } = this.leases.balance(now, mayRequest);
    for (const l of logs) this.log('info', l);
    for (const a of moved) this.updates.queue(a);
    return { moved, poolRequest };
  }

  private scheduleBalance(now: number): void {
    if (this.me.state !== S.NORMAL) return;
    const at = this.leases.nextBalance(now);
    if (at === undefined) return;
    const current = this.timers.get('balance');
    if (current === undefined || at < current) this.timers.set('balance', at);
  }

  // ---- sending -----------------------------------------------------------------------------------------

  private sendState(now: number): void {
    const peer = this.peerLink();
    if (peer === undefined) return;
    this.send(peer.id, peer.link, now, {
      type: M.STATE,
      xid: peer.link.xid++,
      serverState: this.me.state === S.STARTUP ? this.me.saved : this.me.state,
      serverFlags: this.service === 'startup' ? 1 : 0,
      stos: this.me.stos,
    });
  }

  private sendPlain(type: number, now: number): boolean {
    const peer = this.peerLink();
    if (peer === undefined) return false;
    this.send(peer.id, peer.link, now, { type, xid: peer.link.xid++ });
    return true;
  }

  /** The link to the peer, once CONNECT/CONNECTACK completed on it. */
  private peerLink(): { id: number; link: Link } | undefined {
    const id = this.linkToPeer;
    const link = id === undefined ? undefined : this.links.get(id);
    return id === undefined || link === undefined ? undefined : { id, link };
  }

  private stamp(_link: Link, now: number, msg: Unstamped): FailoverMessage {
    return { ...msg, time: Math.floor(now) } as FailoverMessage;
  }

  private send(id: number, link: Link, now: number, msg: Unstamped): void {
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
