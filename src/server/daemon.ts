// The server daemon at run time: the thin I/O shell around the pure engine. For each packet it
// decodes once, asks the engine, writes the lease changes through the store and only then sends
// the reply — a DHCPACK never leaves before its lease is on disk (fsynced; the store groups
// concurrent commits into one flush). OFFERs and NAKs promise nothing and do not wait for the disk;
// an OFFER the engine wants ping-checked waits for the probe's silence instead (daemon-probe.ts).
// A timer writes leases that expire while no packet arrives, reports dropped packets once a
// minute and compacts the lease file hourly. Start-up (files, sockets, PID file) is daemon-start.ts.

import type { ScopeTree } from '../conf/scope-tree.js';
import type { Destination, ReceivedPacket, ServedInterface, Transport } from '../io/transport.js';
import type { LeaseFileRecord } from '../leases/lease.js';
import type { LeaseStore } from '../leases/store.js';
import { BOOTREQUEST, DHCPNAK, DHCPOFFER, decodeMessage, ipToString } from '../wire/index.js';
import type { Allocator } from './allocator.js';
import { DropCounter, type Logger } from './daemon-log.js';
import type { Prober } from './daemon-probe.js';
import { ProgramRunner } from './daemon-programs.js';
import { expireLeases, handle, probeAnswered } from './engine.js';
import { abandonLeaseTime } from './engine-other.js';
import type { FailoverView } from './failover-engine.js';
import type { DdnsRequest, DynamicHostIndex, EngineContext, HandleResult, HostResolver } from './types.js';

export type Engine = (request: Parameters<typeof handle>[0], ctx: EngineContext) => HandleResult;

/** A cancellable repeating timer (injected so unit tests drive time by hand). */
export type IntervalTimer = (fn: () => void, ms: number) => () => void;

export interface DaemonOptions {
  tree: ScopeTree;
  allocator: Allocator;
  store: LeaseStore;
  log: Logger;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  engine?: Engine;
  resolveHost?: HostResolver;
  /** ping-check: whether something answers for an address about to be offered (default: nothing does). */
  probe?: Prober;
  timer?: IntervalTimer;
  /** How often the timer runs (ms; default 1000). Lease ends are written within this much. */
  tickMs?: number;
  /** Seconds between lease-file compactions (default 3600, as ISC). */
  rewriteIntervalSec?: number;
  /** Seconds between reports of dropped packets (default 60). */
  summaryIntervalSec?: number;
  /** Runs the configuration's `execute` programs (default: a ProgramRunner logging to `log`). */
  programs?: ProgramRunner;
  /** Hosts created through OMAPI (omapi-objects.ts); findHost consults them after the configuration's. */
  dynamicHosts?: DynamicHostIndex;
  /** The failover relationships the engine consults for pools with a `failover peer`. */
  failover?: FailoverView;
  /** Told of every record once it is durable (failover queues its binding updates from it). */
  onCommitted?: (records: readonly LeaseFileRecord[]) => void;
  /** Told how long each durable write took (seconds; the metrics' commit latency histogram). */
  onCommitTimed?: (seconds: number) => void;
  /** Takes the dynamic DNS work the engine asked for (daemon-ddns.ts); never waited for. */
  ddns?: { submit(requests: readonly DdnsRequest[]): void };
}

export interface DaemonStats {
  received: number;
  /** Offers withheld because their address answered the ping-check. */
  conflicts: number;
  replies: number;
  committed: number;
  commitFailures: number;
  sendFailures: number;
}

const defaultTimer: IntervalTimer = (fn, ms) => {
  const t = setInterval(fn, ms);
  return () => clearInterval(t);
};

/** The DHCP message type of an encoded reply (option 53), or undefined for BOOTP replies. */
export function replyMessageType(bytes: Uint8Array): number | undefined {
  if (bytes.length < 240 || bytes[236] !== 99 || bytes[237] !== 130 || bytes[238] !== 83 || bytes[239] !== 99) {
    return undefined;
  }
  for (let i = 240; i < bytes.length; ) {
    const code = bytes[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255 || i + 1 >= bytes.length) return undefined;
    const len = bytes[i + 1]!;
    if (code === 53 && len === 1 && i + 2 < bytes.length) return bytes[i + 2];
    i += 2 + len;
  }
  return undefined;
}

const ADOPT = { adopt: true } as const;

/** Only drops name the sender: the text is built then, not for every packet. */
function senderText(packet: ReceivedPacket): string {
  return `${ipToString(packet.sourceAddress)} via ${packet.iface?.name ?? 'unknown interface'}`;
}

function destinationText(d: Destination): string {
  return d.kind === 'broadcast' ? 'broadcast' : `${d.kind} ${ipToString(d.address)}`;
}

export class ServerDaemon {
  readonly drops: DropCounter;
  readonly stats: DaemonStats = {
    received: 0,
    conflicts: 0,
    replies: 0,
    committed: 0,
    commitFailures: 0,
    sendFailures: 0,
  };
  private readonly opts: DaemonOptions;
  private readonly clock: () => number;
  private readonly engine: Engine;
  private transport: Transport | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private cancelTimer: (() => void) | undefined;
  private ticking: Promise<void> | undefined;
  private lastRewrite: number;
  private lastSummary: number;
  readonly programs: ProgramRunner;

  constructor(opts: DaemonOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? Date.now;
    this.engine = opts.engine ?? handle;
    this.drops = new DropCounter(opts.log);
    this.programs = opts.programs ?? new ProgramRunner(opts.log);
    this.lastRewrite = this.nowSec();
    this.lastSummary = this.nowSec();
  }

  private nowSec(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Starts serving packets from `transport` and the timers. */
  start(transport: Transport): void {
    this.transport = transport;
    const timer = this.opts.timer ?? defaultTimer;
    this.cancelTimer = timer(() => void this.tick(), this.opts.tickMs ?? 1000);
  }

  /** The transport's packet handler. Never throws; work that waits (disk, probe) is tracked for stop(). */
  onPacket = (packet: ReceivedPacket): void => {
    if (this.stopping) return;
    let pending: Promise<void> | undefined;
    try {
      pending = this.handlePacket(packet);
    } catch (e) {
      this.opts.log.error(`internal error: ${String(e)}`);
      return;
    }
    if (pending === undefined) return;
    const p = pending.catch((e: unknown) => this.opts.log.error(`internal error: ${String(e)}`));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  };

  /** Handles one packet to the end (reply sent or dropped). Exposed for tests. */
  async process(packet: ReceivedPacket): Promise<void> {
    await this.handlePacket(packet);
  }

  /**
   * Decides and, when nothing has to wait, replies at once: an OFFER or NAK with no lease to write and no
   * probe goes out synchronously (no promise per packet on the busiest path). Otherwise returns the work
   * still to finish: the commit before an ACK, or the ping-check before an OFFER.
   */
  private handlePacket(packet: ReceivedPacket): Promise<void> | undefined {
    this.stats.received++;
    // Both transports hand over a fresh buffer per packet: the message may keep views of it.
    const decoded = decodeMessage(packet.payload, ADOPT);
    if (!decoded.ok) {
      this.drops.drop(decoded.error.cause, `malformed packet from ${senderText(packet)}: ${decoded.error.detail}`);
      return undefined;
    }
    const request = decoded.message;
    if (request.op !== BOOTREQUEST) {
      this.drops.drop('not-a-request', `BOOTREPLY from ${senderText(packet)} sent to the server port`);
      return undefined;
    }
    const iface = packet.iface ?? (request.giaddr !== 0 ? this.transport?.interfaces[0] : undefined);
    if (iface === undefined) {
      this.drops.drop(
        'unknown-interface',
        `broadcast from ${senderText(packet)}: cannot tell which interface it came in on`,
      );
      return undefined;
    }
    const ctx: EngineContext = {
      tree: this.opts.tree,
      leases: this.opts.allocator,
      now: this.nowSec(),
      interface: iface,
      sourceAddress: packet.sourceAddress,
      sourcePort: packet.sourcePort,
    };
    if (iface.mtu !== undefined) ctx.mtu = iface.mtu;
    if (this.opts.resolveHost !== undefined) ctx.resolveHost = this.opts.resolveHost;
    if (this.opts.dynamicHosts !== undefined && this.opts.dynamicHosts.size > 0) {
      ctx.dynamicHosts = this.opts.dynamicHosts;
    }
    if (this.opts.failover !== undefined) ctx.failover = this.opts.failover;
    let result: HandleResult;
    try {
      result = this.engine(request, ctx);
    } catch (e) {
      this.drops.drop('engine-error', `packet from ${senderText(packet)} made the engine fail: ${String(e)}`);
      return undefined;
    }
    for (const line of result.log) this.opts.log.info(line);
    if (result.executes !== undefined) for (const e of result.executes) this.programs.run(e);
    if (result.ddns !== undefined) this.opts.ddns?.submit(result.ddns);
    const { reply } = result;
    // Nothing to write and nothing to probe (an OFFER without ping-check, a NAK, an INFORM answer, a
    // fixed-address ACK): nothing waits, the reply leaves now.
    if (result.changes.length === 0 && (result.probe === undefined || this.opts.probe === undefined)) {
      return reply === undefined ? undefined : this.send(reply.bytes, reply.destination, iface);
    }
    return this.deliver(result, iface);
  }

  /** Sends a reply; synchronous where the transport can (returns undefined), else the send's promise. */
  private send(bytes: Uint8Array, destination: Destination, iface: ServedInterface): Promise<void> | undefined {
    const t = this.transport;
    if (t?.sendNow !== undefined) {
      try {
        t.sendNow(bytes, destination, iface);
        this.stats.replies++;
      } catch (e) {
        this.sendFailed(e, destination, iface);
      }
      return undefined;
    }
    if (t === undefined) return undefined;
    return t.send(bytes, destination, iface).then(
      () => {
        this.stats.replies++;
      },
      (e: unknown) => this.sendFailed(e, destination, iface),
    );
  }

  private sendFailed(e: unknown, destination: Destination, iface: ServedInterface): void {
    this.stats.sendFailures++;
    this.opts.log.error(`send to ${destinationText(destination)} via ${iface.name}: ${(e as Error).message}`);
  }

  private async deliver(result: HandleResult, iface: ServedInterface): Promise<void> {
    const { reply, changes } = result;
    const written = changes.length > 0 ? this.commit(changes.map((c) => c.lease)) : Promise.resolve(true);
    if (reply === undefined) {
      await written;
      return;
    }
    if (result.probe !== undefined && this.opts.probe !== undefined) {
      // ping-check: the OFFER waits for silence; an answer means someone uses the address without a
      // lease — the engine abandons it and this client's next DISCOVER gets another one.
      const { address, timeoutMs } = result.probe;
      if (await this.opts.probe(address, timeoutMs).catch(() => false)) {
        this.stats.conflicts++;
        const conflict = probeAnswered(this.opts.allocator, address, this.nowSec(), abandonLeaseTime(this.opts.tree));
        for (const line of conflict.log) this.opts.log.info(line);
        if (conflict.changes.length > 0) await this.commit(conflict.changes.map((c) => c.lease));
        await written;
        return;
      }
    }
    const type = replyMessageType(reply.bytes);
    // An OFFER or NAK promises nothing: it goes out without waiting for the disk. Everything else
    // (ACK, BOOTREPLY) waits until its lease is durable, and is not sent if the write failed.
    if (type !== DHCPOFFER && type !== DHCPNAK) {
      if (!(await written)) {
        this.opts.log.error(`Not replying (${destinationText(reply.destination)}): the lease could not be written.`);
        return;
      }
    }
    await this.send(reply.bytes, reply.destination, iface);
    await written;
  }

  /**
   * A reload's new snapshot (reload.ts): the next packet and the next tick use it. Called synchronously
   * between two packets; work in flight finishes with the records it already computed.
   */
  swap(tree: ScopeTree, allocator: Allocator): void {
    this.opts.tree = tree;
    this.opts.allocator = allocator;
  }

  get tree(): ScopeTree {
    return this.opts.tree;
  }

  get allocator(): Allocator {
    return this.opts.allocator;
  }

  /** Whether stop() has begun (OMAPI then refuses changes). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Writes records that did not come from a packet (OMAPI: a host, a lease's new end) through the same
   * store, after every packet's commit already queued; rejects when they could not be made durable.
   */
  async commitRecords(records: Parameters<LeaseStore['commit']>[0]): Promise<void> {
    if (this.stopping) throw new Error('the server is shutting down');
    const t0 = performance.now();
    await this.opts.store.commit(records);
    this.opts.onCommitTimed?.((performance.now() - t0) / 1000);
    this.stats.committed += records.length;
    this.opts.onCommitted?.(records);
  }

  /** Writes records through the store; resolves false (logged) when they could not be made durable. */
  private async commit(records: Parameters<LeaseStore['commit']>[0]): Promise<boolean> {
    try {
      const t0 = performance.now();
      await this.opts.store.commit(records);
      this.opts.onCommitTimed?.((performance.now() - t0) / 1000);
      this.stats.committed += records.length;
      this.opts.onCommitted?.(records);
      return true;
    } catch (e) {
      this.stats.commitFailures++;
      this.opts.log.error(
        `Unable to write ${records.length} lease record(s) to the lease file: ${(e as Error).message}`,
      );
      return false;
    }
  }

  /** Timer work; overlapping ticks are skipped. Exposed for tests. */
  tick(): Promise<void> {
    if (this.ticking !== undefined || this.stopping) return this.ticking ?? Promise.resolve();
    this.ticking = this.tickNow().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async tickNow(): Promise<void> {
    const now = this.nowSec();
    // Leases that ended are written as free on time, even when no packet comes to trigger it.
    const events: HandleResult = { changes: [], log: [] };
    const expired = expireLeases(this.opts.allocator, now, events);
    for (const line of events.log) this.opts.log.info(line);
    if (events.executes !== undefined) for (const e of events.executes) this.programs.run(e);
    if (events.ddns !== undefined) this.opts.ddns?.submit(events.ddns);
    if (expired.length > 0) await this.commit(expired.map((c) => c.lease));
    if (now - this.lastSummary >= (this.opts.summaryIntervalSec ?? 60)) {
      this.lastSummary = now;
      this.drops.summary();
    }
    if (now - this.lastRewrite >= (this.opts.rewriteIntervalSec ?? 3600)) {
      this.lastRewrite = now;
      if (this.opts.store.stats().appendedSinceRewrite > 0) {
        try {
          await this.opts.store.rewrite();
        } catch (e) {
          this.opts.log.error(`Unable to rewrite the lease file: ${(e as Error).message}`);
        }
      }
    }
  }

  /**
   * Stops receiving, lets every packet in flight finish (their leases written, their replies sent),
   * and closes the transport and the store.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelTimer?.();
    // New packets are ignored from here (onPacket checks `stopping`); those in flight still get
    // their replies out before the sockets close.
    await Promise.allSettled([...this.inFlight]);
    await this.transport?.close().catch(() => undefined);
    await this.ticking?.catch(() => undefined);
    // Nothing is expired on the way out, as ISC dhcpd writes none at exit: a lease that ends now is
    // expired when the file is next read, and the file says what the clients were told.
    this.drops.summary();
    await this.opts.store.close();
  }
}
