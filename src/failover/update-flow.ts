// The binding updates of one failover relationship and the update requests around them, as ISC DHCP
// 4.4.3 runs them (server/failover.c dhcp_failover_send_updates, the queue side of
// dhcp_failover_process_bind_update and _process_bind_ack, dhcp_failover_send_update_request(_all),
// dhcp_failover_process_update_request(_all), dhcp_failover_send_update_done): which lease goes to
// the partner when, what is acknowledged, and when an update request is complete. It owns the update
// and ack queues (update-queue.ts) and ISC's update-request bookkeeping; the relationship
// (relationship.ts) owns the links, stamps and sends (the UpdatePort) and decides when to call it.
// What a lease change means is the LeaseSide's business.

import { ipv4ToString } from '../leases/lease.js';
import type { LeaseSide, Link, Unstamped } from './relationship-types.js';
import { UpdateQueue } from './update-queue.js';
import { type FailoverMessage, MSG as M, REJECT } from './wire.js';

/** Seconds before an update the partner refused as an invalid transition is sent again (ISC's largest clock skew). */
export const REFUSED_RETRY_SECONDS = 60;

/** What the update flow needs of its relationship. */
export interface UpdatePort {
  /** The link to the peer, once CONNECT/CONNECTACK completed on it. */
  peerLink(): { id: number; link: Link } | undefined;
  /** Sends now (the relationship stamps the time; on the peer's link it re-arms CONTACT). */
  send(id: number, link: Link, now: number, msg: Unstamped): void;
  /** Sends once everything written so far is durable (the 'send-after-commit' effect). */
  sendAfterCommit(id: number, link: Link, now: number, msg: Unstamped): void;
  /** Sends an option-less message of `type` with the link's next xid to the peer; false without a link. */
  sendPlain(type: number, now: number): boolean;
  log(level: 'info' | 'error', text: string): void;
  /** Our failover state (what the lease side decides a BNDUPD on). */
  myState(): number;
  /** The partner's max-unacked-updates (from its CONNECT or CONNECTACK). */
  partnerMaxUnacked(): number;
}

export class UpdateFlow {
  /** The update and ack queues (the relationship's `updates`). */
  readonly queue = new UpdateQueue();
  private readonly name: string;
  private readonly leases: LeaseSide;
  private readonly port: UpdatePort;
  /** The address whose BNDACK completes an update request (ISC send_update_done), and its request's xid. */
  private updateDoneAfter: number | undefined;
  private updateRequestXid = 0;
  /** ISC curUPD: the update request in progress (UPDREQ or UPDREQALL), 0 for none. */
  private currentRequest = 0;
  /** Addresses whose update the partner refused as an invalid transition, and when to send them again. */
  private readonly retries = new Map<number, number>();

  constructor(name: string, leases: LeaseSide, port: UpdatePort) {
    this.name = name;
    this.leases = leases;
    this.port = port;
  }

  /** dhcp_failover_process_bind_update: the lease side installs it or refuses; BNDACK either way. */
  onBindUpdate(id: number, link: Link, msg: FailoverMessage, now: number): void {
    const address = msg.assignedIpAddress;
    const onAckQueue = address !== undefined && this.queue.isFlying(address);
    const outcome = this.leases.applyBindUpdate(msg, { myState: this.port.myState(), onAckQueue, now });
    // ISC 4.4's BNDACK carries the address only (its other fields are compiled out), and the reason of a refusal.
    const ack = { type: M.BNDACK, xid: msg.xid, ...(address !== undefined ? { assignedIpAddress: address } : {}) };
    if (!outcome.ok) {
      this.port.send(id, link, now, { ...ack, rejectReason: outcome.reason, message: outcome.message });
    } else {
      // The partner's update supersedes ours still in flight (ISC ignores the spurious ack).
      if (address !== undefined && onAckQueue) this.queue.acked(address);
      this.port.sendAfterCommit(id, link, now, ack);
    }
    for (const a of this.leases.takeQueued()) this.queue.queue(a);
    this.sendUpdates(now);
  }

  /** dhcp_failover_process_bind_ack: the partner's answer to one of our BNDUPDs. */
  onBindAck(msg: FailoverMessage, now: number): void {
    const address = msg.assignedIpAddress;
    if (address === undefined) return;
    const xid = this.queue.flyingXid(address);
    if (msg.rejectReason) {
      this.leases.applyBindAck(address, msg, now);
      // Departure: an update refused as an invalid state transition is sent again a minute later.
      // The refusal may be the partner's clock being behind ours (the potential expiry we send is
      // "in the future" to it, or the lease has not ended yet by its clock); ISC never sends it
      // again, and a secondary in NORMAL, which leaves expiry to the primary, then held for good an
      // active lease the primary had freed (after partner-down, say). A lease whose state changes
      // meanwhile is sent anyway; what goes is always its state at the time.
      if (msg.rejectReason === REJECT.FATAL_CONFLICT && (xid === undefined || xid === msg.xid)) {
        this.retries.set(address, now + REFUSED_RETRY_SECONDS);
      }
      // Departure: a rejection answers the update it names. ISC takes the lease off the ack queue
      // whatever the xid, so the rejection of an earlier update (the lease was sent again since,
      // e.g. a DHCPACK after an expiry) dropped the one in flight: the partner's next update then
      // met no duel and replaced our ACK, and the address was given to a second client.
      if (xid !== undefined && xid !== msg.xid) return;
    } else if (xid === undefined) {
      // An ack for an update we did not send, or a second ack: ISC silently drops it.
    } else if (xid !== msg.xid) {
      this.port.log('info', `bind update on ${ipv4ToString(address)} got ack from ${this.name}: xid mismatch.`);
      return;
    } else {
      this.leases.applyBindAck(address, msg, now);
    }
    this.queue.acked(address);
    if (this.updateDoneAfter === address) {
      this.updateDoneAfter = undefined;
      this.sendUpdateDone(now);
    }
    for (const a of this.leases.takeQueued()) this.queue.queue(a);
    this.sendUpdates(now);
  }

  /** dhcp_failover_process_update_request(_all). */
  onUpdateRequest(msg: FailoverMessage, everything: boolean, now: number): void {
    if (this.updateDoneAfter !== undefined) {
      this.port.log('info', 'Received update request while old update still flying!  Silently discarding old request.');
      this.updateDoneAfter = undefined;
    }
    for (const a of this.leases.updateCandidates(everything)) {
      if (!this.queue.isPending(a) && !this.queue.isFlying(a)) this.queue.queue(a);
    }
    this.updateRequestXid = msg.xid;
    const what = everything ? 'Update request all' : 'Update request';
    const tail = this.queue.tail();
    if (tail !== undefined) {
      this.updateDoneAfter = tail;
      this.sendUpdates(now);
      this.port.log('info', `${what} from ${this.name}: sending update`);
    } else {
      this.sendUpdateDone(now);
      this.port.log('info', `${what} from ${this.name}: nothing pending`);
    }
  }

  /** When the next refused update is due to be sent again, if any. */
  nextRetry(): number | undefined {
    let next: number | undefined;
    for (const at of this.retries.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  /** Queues (and sends, link permitting) the refused updates due by `now`. */
  retryRefused(now: number): void {
    for (const [address, at] of this.retries) {
      if (at > now) continue;
      this.retries.delete(address);
      if (!this.queue.isPending(address) && !this.queue.isFlying(address)) this.queue.queue(address);
    }
    this.sendUpdates(now);
  }

  /** The partner's UPDDONE: our update request is complete (ISC curUPD = 0). */
  requestDone(): void {
    this.currentRequest = 0;
  }

  /** dhcp_failover_send_updates: the update queue, while the partner takes more unacked updates. */
  sendUpdates(now: number): void {
    const peer = this.port.peerLink();
    if (peer === undefined) return;
    const { id, link } = peer;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const address = this.queue.nextToSend(this.port.partnerMaxUnacked());
      if (address === undefined) return;
      const fields = this.leases.bindUpdate(address, now);
      if (fields === undefined) {
        this.queue.drop(address);
        continue;
      }
      if (link.xid === 0) link.xid = 1;
      const xid = link.xid++;
      this.port.send(id, link, now, { ...fields, type: M.BNDUPD, xid, assignedIpAddress: address });
      this.queue.sent(address, xid);
    }
  }

  /** dhcp_failover_send_update_request(_all); an UPDREQALL in progress is not narrowed to UPDREQ. */
  sendUpdateRequest(everything: boolean, now: number): void {
    if (!everything && this.currentRequest === M.UPDREQALL) everything = true;
    const type = everything ? M.UPDREQALL : M.UPDREQ;
    if (!this.port.sendPlain(type, now)) return;
    this.currentRequest = type;
    this.port.log('info', `Sent update request ${everything ? 'all ' : ''}message to ${this.name}`);
  }

  /** dhcp_failover_send_update_done, once what it reports is durable. */
  private sendUpdateDone(now: number): void {
    const peer = this.port.peerLink();
    if (peer === undefined) return;
    this.port.sendAfterCommit(peer.id, peer.link, now, { type: M.UPDDONE, xid: this.updateRequestXid });
    this.port.log('info', `Sent update done message to ${this.name}`);
  }
}
