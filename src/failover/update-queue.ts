// The binding updates one server owes its partner (ISC failover.c: update_queue, ack_queue,
// dhcp_failover_queue_update, dhcp_failover_rescind_updates, dhcp_failover_ack_queue_remove).
//
// An address is on at most one of the two queues. The update queue is what has not been sent yet,
// in the order the leases changed; the ack queue is what was sent and not yet acknowledged, with the
// transaction id of the BNDUPD that carried it. No more than the partner's max-unacked-updates are on
// the ack queue at once. Lost acknowledgements are never lost updates: whenever the link or the state
// changes in a way that may have dropped them, the ack queue goes back to the front of the update
// queue and is sent again (rescind).

export class UpdateQueue {
  private pending = new Set<number>();
  private flying = new Map<number, number>();

  /** dhcp_failover_queue_update: already queued stays where it is; unacked is sent again later. */
  queue(address: number): void {
    if (this.pending.has(address)) return;
    this.flying.delete(address);
    this.pending.add(address);
  }

  /** The next address to send, if the partner can take one more unacked update. */
  nextToSend(maxFlying: number): number | undefined {
    if (this.flying.size >= maxFlying) return undefined;
    for (const a of this.pending) return a;
    return undefined;
  }

  /** Moves the head of the update queue to the ack queue, sent with `xid`. */
  sent(address: number, xid: number): void {
    this.pending.delete(address);
    this.flying.set(address, xid);
  }

  /** Drops an address the lease side no longer has (nothing to send for it). */
  drop(address: number): void {
    this.pending.delete(address);
    this.flying.delete(address);
  }

  /** The xid of the unacked BNDUPD for `address`, if one is flying. */
  flyingXid(address: number): number | undefined {
    return this.flying.get(address);
  }

  isFlying(address: number): boolean {
    return this.flying.has(address);
  }

  isPending(address: number): boolean {
    return this.pending.has(address);
  }

  /** dhcp_failover_ack_queue_remove: the ack (or a superseding update from the partner) arrived. */
  acked(address: number): boolean {
    return this.flying.delete(address);
  }

  /** dhcp_failover_rescind_updates: everything unacked goes back, ahead of what was never sent. */
  rescind(): void {
    if (this.flying.size === 0) return;
    const next = new Set<number>(this.flying.keys());
    for (const a of this.pending) next.add(a);
    this.pending = next;
    this.flying.clear();
  }

  /** The last address of the update queue (ISC's update_queue_tail), if any. */
  tail(): number | undefined {
    let last: number | undefined;
    for (const a of this.pending) last = a;
    return last;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get flyingCount(): number {
    return this.flying.size;
  }

  get empty(): boolean {
    return this.pending.size === 0 && this.flying.size === 0;
  }
}
