// The dynamic DNS shell: one UDP socket (from `ddns-local-address4` when set), the updater (src/ddns/
// updater.ts) fed with the engine's jobs, the DNS servers' answers and a half-second tick. What DNS holds
// for a lease goes back into the lease's variables and is written to the lease file, as ISC writes it
// after each step. Nothing here is on the packet path: a job is queued and the reply goes on; a DNS server
// that is slow or down delays no DHCP answer.

import { createSocket, type Socket } from 'node:dgram';
import type { DdnsSettings } from '../ddns/config.js';
import { dnsStateOf, withDnsState } from '../ddns/lease-state.js';
import type { DnsState } from '../ddns/transaction.js';
import { DdnsUpdater, type UpdaterOutput } from '../ddns/updater.js';
import type { Lease } from '../leases/lease.js';
import { ipToString, parseIpv4 } from '../wire/index.js';
import { type Allocator, NO_SLOT } from './allocator.js';
import type { Logger } from './daemon-log.js';
import type { DdnsRequest } from './types.js';

export interface DdnsShellOptions {
  settings: DdnsSettings;
  allocator: Allocator;
  /** Writes records durably (the daemon's commitRecords). */
  commit: (records: Lease[]) => Promise<void>;
  log: Logger;
  clock: () => number;
  /** The DNS servers' port (default 53; tests may move it). */
  port?: number;
}

const TICK_MS = 500;
/** How long DNS state changes are gathered before they are written. */
const STATE_WRITE_MS = 1000;

function isEmpty(s: DnsState): boolean {
  return s.fwdName === undefined && s.revName === undefined && s.clientFqdn === undefined;
}

export class DdnsShell {
  readonly updater: DdnsUpdater;
  private readonly opts: DdnsShellOptions;
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<number>();
  private writing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: DdnsShellOptions) {
    this.opts = opts;
    this.updater = new DdnsUpdater({ zones: opts.settings.zones });
  }

  private now(): number {
    return this.opts.clock() / 1000;
  }

  async start(): Promise<void> {
    for (const p of this.opts.settings.problems) this.opts.log.error(p);
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) =>
      this.apply(this.updater.receive(msg, parseIpv4(rinfo.address) ?? 0, this.now())),
    );
    socket.on('error', (e) => this.opts.log.error(`DDNS socket: ${e.message}`));
    const local = this.opts.settings.localAddress;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, ...(local !== undefined ? { address: ipToString(local) } : {}) }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    this.timer = setInterval(() => this.apply(this.updater.tick(this.now())), TICK_MS);
    this.timer.unref();
  }

  /** A reload: the new zones and keys (jobs in progress go on), and the allocator holding the leases now. */
  swap(settings: DdnsSettings, allocator: Allocator): void {
    this.opts.settings = settings;
    this.opts.allocator = allocator;
    this.updater.setZones(settings.zones);
    for (const p of settings.problems) this.opts.log.error(p);
  }

  /** The engine's jobs for one packet or one expiry sweep. */
  submit(requests: readonly DdnsRequest[]): void {
    if (this.stopped) return;
    for (const r of requests) {
      // Removals carry the configuration's conflict rules (the engine's expiry path does not read them).
      const job = r.job.kind === 'remove' ? { ...r.job, conflict: this.opts.settings.conflict } : r.job;
      this.apply(this.updater.submit(job, r.current, this.now(), r.optimize));
    }
  }

  private apply(out: UpdaterOutput): void {
    for (const line of out.logs) {
      if (/^(Unable|Forward map .* FAILED|Can't|no zone)/.test(line)) this.opts.log.error(line);
      else this.opts.log.info(line);
    }
    const port = this.opts.port ?? 53;
    for (const d of out.sends) {
      this.socket?.send(d.bytes, port, ipToString(d.server), (err) => {
        if (err) this.apply(this.updater.unreachable(d.id, err.message, this.now()));
      });
    }
    if (out.states.length === 0) return;
    const leases = this.opts.allocator;
    for (const { address, state } of out.states) {
      const slot = leases.slotOf(address);
      if (slot === NO_SLOT) continue;
      const scope = leases.leaseScopeOf(slot);
      // A released lease has no variables left: DNS forgetting it changes nothing to write.
      if (dnsStateOf(scope?.variables) === undefined && isEmpty(state)) continue;
      const variables = withDnsState(scope?.variables, state);
      if (variables === undefined && scope?.release === undefined && scope?.expiry === undefined)
        leases.setLeaseScope(slot, undefined);
      else
        leases.setLeaseScope(slot, {
          ...scope,
          ...(variables !== undefined ? { variables } : { variables: undefined }),
        });
      this.dirty.add(slot);
    }
    this.flush();
  }

  /**
   * Writes the leases whose DNS state changed, gathered for up to a second (the state of thousands of leases
   * a second in one durable write, not one write each: every write ends in an fdatasync on the event loop).
   */
  private flush(): void {
    if (this.flushTimer !== undefined || this.writing !== undefined || this.dirty.size === 0 || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.writeNow();
    }, STATE_WRITE_MS);
    this.flushTimer.unref();
  }

  private writeNow(): Promise<void> {
    if (this.writing !== undefined) return this.writing;
    if (this.dirty.size === 0) return Promise.resolve();
    const slots = [...this.dirty];
    this.dirty.clear();
    const records = slots.map((s) => this.opts.allocator.record(s));
    this.writing = this.opts
      .commit(records)
      .catch((e: unknown) =>
        this.opts.log.error(`Unable to write DNS state to the lease file: ${(e as Error).message}`),
      )
      .finally(() => {
        this.writing = undefined;
        this.flush();
      });
    return this.writing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    // What DNS already holds is written before the lease file closes.
    await this.writing;
    await this.writeNow();
    this.stopped = true;
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
    this.socket = undefined;
  }
}
