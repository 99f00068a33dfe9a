// The server's dynamic DNS work queue, sans I/O: jobs in, datagrams out, answers and clock ticks in, log
// lines and lease DNS state out. One transaction per address at a time, in the order the leases changed
// (a release waits for the add it undoes). Unlike ISC dhcpd, which tries a DNS server once and gives up, a
// step without an answer (or with SERVFAIL) is sent again with back-off (2 s, doubling to 16 s, across the
// zone's servers) for up to an hour, and any answer from a server wakes the steps waiting for it: a DNS
// server that was down gets every update once it is back. Each job logs a cause of failure once. At most
// maxInFlight transactions run at once (BIND silently drops updates beyond its update-quota); the others
// wait in the order they came.

import { sameBytes } from '../conf/eval-data.js';
import { zoneFor } from './config.js';
import { sameName } from './names.js';
import { type DdnsJob, DdnsTransaction, type DnsState, rcodeText, type Step } from './transaction.js';
import { decodeResponse, encodeUpdate, type TsigKey } from './update-message.js';

export interface DdnsZone {
  /** Ends with '.'. */
  name: string;
  /** Server addresses (host-order), primaries first. */
  servers: number[];
  key?: TsigKey;
}

export interface Datagram {
  id: number;
  server: number;
  bytes: Uint8Array;
}

export interface UpdaterOutput {
  sends: Datagram[];
  logs: string[];
  /** What DNS now holds for an address, to keep with its lease (written to the lease file). */
  states: { address: number; state: DnsState }[];
}

export interface UpdaterOptions {
  zones: readonly DdnsZone[];
  /** Seconds to wait for an answer before sending again (default 2); doubles up to `maxWait`. */
  firstWait?: number;
  maxWait?: number;
  /** Seconds after which a job that never got an answer is given up (default 3600). */
  giveUpAfter?: number;
  /** The first message id (tests fix it; default random). */
  firstId?: number;
  /**
   * Transactions in flight at once (default 64): BIND drops updates beyond its update-quota (100) without a
   * word, and a sender that then retries them all only feeds the storm; the rest wait their turn in order.
   */
  maxInFlight?: number;
}

interface Queued {
  job: DdnsJob;
  current: DnsState;
  optimize: boolean;
}

interface Running {
  tx: DdnsTransaction;
  /** The step being sent. */
  body: Extract<Step, { send: unknown }>['send'] | undefined;
  zone: DdnsZone | undefined;
  id: number;
  mac: Uint8Array | undefined;
  server: number;
  serverIndex: number;
  attempts: number;
  deadline: number;
  wait: number;
  startedAt: number;
  logged: Set<string>;
}

const RETRY_RCODES: ReadonlySet<string> = new Set(['SERVFAIL']);

export class DdnsUpdater {
  private zones: Map<string, DdnsZone>;
  private readonly firstWait: number;
  private readonly maxWait: number;
  private readonly giveUpAfter: number;
  private nextId: number;
  private readonly running = new Map<number, Running>();
  private readonly byId = new Map<number, number>();
  private readonly queued = new Map<number, Queued[]>();
  /** Addresses whose next queued job may start, in the order they became ready (from `readyHead` on). */
  private ready: number[] = [];
  private readyHead = 0;
  private pumping = false;
  private readonly maxInFlight: number;
  /** What finished transactions left in DNS, fresher than the state a job was given. */
  private readonly known = new Map<number, DnsState>();
  private readonly zonesWarned = new Set<string>();
  /** Adds whose old name was removed first: they do not remove again, and need the removal to have worked. */
  private readonly removedFirst = new WeakSet<DdnsJob>();
  /** Servers that let a step time out since they last answered: their answer wakes the steps waiting. */
  private readonly quiet = new Set<number>();
  /** Jobs finished (any outcome) and succeeded: for the benchmark and tests. */
  readonly counts = { submitted: 0, finished: 0, succeeded: 0, retries: 0 };

  constructor(opts: UpdaterOptions) {
    this.zones = new Map(opts.zones.map((z) => [z.name.toLowerCase(), z]));
    this.firstWait = opts.firstWait ?? 2;
    this.maxWait = opts.maxWait ?? 16;
    this.giveUpAfter = opts.giveUpAfter ?? 3600;
    this.nextId = (opts.firstId ?? Math.floor(Math.random() * 65536)) & 0xffff;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 64);
  }

  /** A reload's zones (a step already sent finishes with the zone it was sent to). */
  setZones(zones: readonly DdnsZone[]): void {
    this.zones = new Map(zones.map((z) => [z.name.toLowerCase(), z]));
    this.zonesWarned.clear();
  }

  /** Jobs not yet finished (running or waiting for their address). */
  get pending(): number {
    let n = this.running.size;
    for (const q of this.queued.values()) n += q.length;
    return n;
  }

  /**
   * A lease changed: `current` is what its variables say DNS holds. An add whose name DNS already holds for
   * the lease is skipped when `optimize` (ISC's update-optimization); a changed name is removed first.
   */
  submit(job: DdnsJob, current: DnsState, now: number, optimize = true): UpdaterOutput {
    const out: UpdaterOutput = { sends: [], logs: [], states: [] };
    this.counts.submitted++;
    const item: Queued = { job, current, optimize };
    const q = this.queued.get(job.address);
    if (q !== undefined) {
      // A newer add makes queued adds of the address pointless; a removal still has to run.
      if (job.kind === 'add') {
        for (let i = q.length - 1; i >= 0; i--) if (q[i]!.job.kind === 'add') q.splice(i, 1);
      }
      q.push(item);
      return out;
    }
    this.queued.set(job.address, [item]);
    // An address with a transaction running becomes ready when it ends (next()).
    if (!this.running.has(job.address)) this.ready.push(job.address);
    this.pump(now, out);
    return out;
  }

  /** Starts queued jobs, oldest first, while fewer than maxInFlight transactions run. */
  private pump(now: number, out: UpdaterOutput): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running.size < this.maxInFlight && this.readyHead < this.ready.length) {
        const address = this.ready[this.readyHead++]!;
        const q = this.queued.get(address);
        if (q === undefined || this.running.has(address)) continue;
        const item = q.shift()!;
        if (q.length === 0) this.queued.delete(address);
        this.begin(item.job, this.known.get(address) ?? item.current, now, out, item.optimize);
      }
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A datagram from a DNS server. */
  receive(bytes: Uint8Array, from: number, now: number): UpdaterOutput {
    const out: UpdaterOutput = { sends: [], logs: [], states: [] };
    if (bytes.length < 2) return out;
    const id = (bytes[0]! << 8) | bytes[1]!;
    const address = this.byId.get(id);
    const r = address === undefined ? undefined : this.running.get(address);
    if (r === undefined || r.id !== id || r.server !== from) return out;
    const key = r.zone?.key;
    const res = decodeResponse(bytes, key === undefined ? undefined : { key, ...(r.mac ? { mac: r.mac } : {}) });
    if ('error' in res) return out; // not an answer to us; the deadline still runs
    this.byId.delete(id);
    if (this.quiet.delete(from)) this.wake(from, address!, now, out);
    if (res.tsig !== undefined && res.tsig.errorName !== '') {
      this.step(
        address!,
        r,
        r.tx.failed(`TSIG ${res.tsig.errorName} (check the key's name, algorithm and secret)`),
        now,
        out,
      );
      return out;
    }
    if (key !== undefined && res.rcodeName === 'NOERROR' && res.tsig?.verified !== true) {
      this.step(address!, r, r.tx.failed('the answer is not signed with our key'), now, out);
      return out;
    }
    if (RETRY_RCODES.has(res.rcodeName)) {
      this.retry(address!, r, rcodeText(res.rcodeName), now, out);
      return out;
    }
    this.step(address!, r, r.tx.answer(res.rcodeName), now, out);
    return out;
  }

  /** The send failed at once (e.g. ICMP port unreachable): retried as a timeout would be. */
  unreachable(id: number, why: string, now: number): UpdaterOutput {
    const out: UpdaterOutput = { sends: [], logs: [], states: [] };
    const address = this.byId.get(id);
    const r = address === undefined ? undefined : this.running.get(address);
    if (r !== undefined && r.id === id) this.retry(address!, r, why, now, out);
    return out;
  }

  /** Resends what is overdue. */
  tick(now: number): UpdaterOutput {
    const out: UpdaterOutput = { sends: [], logs: [], states: [] };
    for (const [address, r] of [...this.running])
      if (r.body !== undefined && r.deadline <= now) this.retry(address, r, 'timed out', now, out);
    return out;
  }

  /** The earliest deadline (the daemon's timer may sleep until then). */
  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const r of this.running.values()) if (d === undefined || r.deadline < d) d = r.deadline;
    return d;
  }

  private begin(job: DdnsJob, current: DnsState, now: number, out: UpdaterOutput, optimize: boolean): void {
    if (job.kind === 'add') {
      const held = current.fwdName ?? current.clientFqdn;
      if (held !== undefined && sameName(held, job.fwdName)) {
        if (optimize) {
          this.counts.finished++;
          this.counts.succeeded++;
          this.next(job.address, now, out);
          return;
        }
      } else if (held !== undefined && this.removedFirst.has(job)) {
        // The old records could not be removed: ISC does not add the new ones then (DDNS_EXECUTE_NEXT).
        this.counts.finished++;
        this.next(job.address, now, out);
        return;
      } else if (held !== undefined) {
        // The lease's name changed: the old records go first (ISC ddns_removals with the add as next_op).
        this.removedFirst.add(job);
        const list = this.queued.get(job.address) ?? [];
        list.unshift({ job, current, optimize });
        this.queued.set(job.address, list);
        this.begin(
          { kind: 'remove', address: job.address, state: current, conflict: job.conflict },
          current,
          now,
          out,
          optimize,
        );
        return;
      }
    }
    const tx = new DdnsTransaction(job, current);
    const r: Running = {
      tx,
      body: undefined,
      zone: undefined,
      id: -1,
      mac: undefined,
      server: 0,
      serverIndex: 0,
      attempts: 0,
      deadline: Number.POSITIVE_INFINITY,
      wait: this.firstWait,
      startedAt: now,
      logged: new Set(),
    };
    this.running.set(job.address, r);
    this.step(job.address, r, tx.start(), now, out);
  }

  private step(address: number, r: Running, step: Step, now: number, out: UpdaterOutput): void {
    for (const l of step.logs) out.logs.push(l);
    if ('done' in step) {
      // What DNS holds is written to the lease once per transaction (ISC writes after each step: at
      // thousands of leases a second that doubles the lease file's writes; a crash between two steps at
      // worst leaves a record the next renewal finds through its guard).
      if (!sameState(this.known.get(address), r.tx.state)) {
        this.known.set(address, { ...r.tx.state });
        out.states.push({ address, state: { ...r.tx.state } });
      }
      this.running.delete(address);
      if (r.id >= 0) this.byId.delete(r.id);
      this.counts.finished++;
      if (step.ok) this.counts.succeeded++;
      this.next(address, now, out);
      return;
    }
    const zone = this.zoneOf(step.send.name);
    if (zone === undefined) {
      const why = `no zone declared for ${step.send.name} (add a zone statement with its primary server)`;
      if (!this.zonesWarned.has(step.send.name)) {
        this.zonesWarned.add(step.send.name);
        this.step(address, r, r.tx.failed(why), now, out);
      } else this.step(address, r, { done: true, logs: [], ok: false }, now, out);
      return;
    }
    r.body = step.send;
    r.zone = zone;
    r.serverIndex = 0;
    r.attempts = 0;
    r.wait = this.firstWait;
    this.send(address, r, now, out);
  }

  private send(address: number, r: Running, now: number, out: UpdaterOutput): void {
    const zone = r.zone!;
    if (r.id >= 0) this.byId.delete(r.id);
    const id = this.allocId();
    const body = r.body!;
    const msg = { zone: zone.name, prerequisites: body.prerequisites, updates: body.updates };
    let encoded: { bytes: Uint8Array; mac?: Uint8Array };
    try {
      encoded = encodeUpdate(msg, id, now, zone.key);
    } catch (e) {
      this.step(address, r, r.tx.failed((e as Error).message), now, out);
      return;
    }
    r.id = id;
    r.mac = encoded.mac;
    r.server = zone.servers[r.serverIndex % zone.servers.length]!;
    r.attempts++;
    r.deadline = now + r.wait;
    this.byId.set(id, address);
    out.sends.push({ id, server: r.server, bytes: encoded.bytes });
  }

  private retry(address: number, r: Running, why: string, now: number, out: UpdaterOutput): void {
    if (r.body === undefined) return;
    if (now - r.startedAt >= this.giveUpAfter) {
      this.step(address, r, r.tx.failed(`${why} (gave up after ${this.giveUpAfter} s)`), now, out);
      return;
    }
    if (!r.logged.has(why)) {
      // ISC's failure line, once per cause; the step goes on being retried.
      r.logged.add(why);
      const line = r.tx.failureLine(why);
      if (line !== undefined) out.logs.push(`${line}; retrying`);
    }
    this.counts.retries++;
    this.quiet.add(r.server);
    r.serverIndex++;
    r.wait = Math.min(r.wait * 2, this.maxWait);
    this.send(address, r, now, out);
  }

  /** A server that had gone quiet answered: steps waiting to retry with it go now, not at their deadline. */
  private wake(server: number, answered: number, now: number, out: UpdaterOutput): void {
    for (const [address, r] of this.running) {
      if (address !== answered && r.body !== undefined && r.server === server && r.attempts > 1 && r.deadline > now) {
        r.wait = this.firstWait;
        this.send(address, r, now, out);
      }
    }
  }

  /** The address's transaction ended (or was skipped): its next job waits its turn; others may start. */
  private next(address: number, now: number, out: UpdaterOutput): void {
    if (this.queued.has(address)) this.ready.push(address);
    this.pump(now, out);
  }

  private zoneOf(name: string): DdnsZone | undefined {
    return zoneFor(this.zones, name);
  }

  private allocId(): number {
    for (let i = 0; i < 65536; i++) {
      const id = this.nextId;
      this.nextId = (this.nextId + 1) & 0xffff;
      if (!this.byId.has(id)) return id;
    }
    throw new Error('no free DNS message id');
  }
}

function sameState(a: DnsState | undefined, b: DnsState): boolean {
  if (a === undefined) return b.fwdName === undefined && b.revName === undefined && b.clientFqdn === undefined;
  return (
    a.fwdName === b.fwdName &&
    a.revName === b.revName &&
    a.clientFqdn === b.clientFqdn &&
    a.guard?.style === b.guard?.style &&
    (a.guard === undefined || b.guard === undefined ? a.guard === b.guard : sameBytes(a.guard.value, b.guard.value))
  );
}
