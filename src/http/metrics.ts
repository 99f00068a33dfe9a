// `/metrics` in Prometheus' text format (prom-client), every name prefixed `leasehold_`. One registry per
// process, made before the server starts and kept across reloads: counters are fed from the daemon's
// cumulative counts by their growth since the last scrape (a source that starts again from zero - a new
// daemon - is counted from there, never backwards), so they only ever go up while the process lives.
//
// The packet path pays one array increment per packet (PacketCounts, filled by daemon-http.ts's engine tap);
// the lease gauges come from the census (walk.ts), split across turns and cached for a second.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { failoverStateName } from '../failover/wire.js';
import { STATE_NAMES } from '../server/address-table.js';
import { poolName, STATE_COUNT } from '../server/admin-queries.js';
import type { DaemonStats } from '../server/daemon.js';
import type { FailoverStateSource } from '../server/omapi-failover.js';
import { messageTypeName } from '../wire/index.js';
import type { CensusResult } from './walk.js';

/** Packets by DHCP message type (index 0: BOOTP, no option 53). */
export interface PacketCounts {
  readonly received: Float64Array;
  readonly replies: Float64Array;
}

export function newPacketCounts(): PacketCounts {
  return { received: new Float64Array(256), replies: new Float64Array(256) };
}

export function messageLabel(type: number, reply: boolean): string {
  if (type === 0) return reply ? 'BOOTREPLY' : 'BOOTREQUEST';
  return messageTypeName(type);
}

/** The drop causes the daemon counts (DropCounter), named here because it cannot list them. */
export const DROP_CAUSES = [
  'too-short',
  'bad-op',
  'bad-hlen',
  'bad-cookie',
  'option-overrun',
  'bad-overload',
  'internal',
  'not-a-request',
  'unknown-interface',
  'engine-error',
] as const;

export interface DropSource {
  count(cause: string): number;
}

export interface MetricsSource {
  stats(): DaemonStats;
  drops(): DropSource;
  census(): Promise<CensusResult>;
  dynamicHosts(): number;
  failover(): ReadonlyMap<string, FailoverStateSource>;
  /** Dynamic DNS work so far (undefined: DDNS off). */
  ddns?(): { submitted: number; finished: number; succeeded: number; retries: number; pending: number } | undefined;
}

type Labelled = [Record<string, string>, number];

/** Every drop count of a source: the causes named above (and any `entries()` a DropCounter may offer). */
export function dropCounts(drops: DropSource): Map<string, number> {
  const out = new Map<string, number>();
  const listed = (drops as { entries?: () => Iterable<[string, number]> }).entries;
  if (typeof listed === 'function') for (const [c, n] of listed.call(drops)) out.set(c, n);
  for (const c of DROP_CAUSES) if (!out.has(c)) out.set(c, drops.count(c));
  return out;
}

export class Metrics {
  readonly registry = new Registry();
  readonly packets: PacketCounts;
  private source: MetricsSource | undefined;
  private readonly commitSeconds: Histogram<string>;
  private readonly reloads: Counter<'outcome'>;

  constructor(opts: { packets?: PacketCounts; defaultMetrics?: boolean } = {}) {
    this.packets = opts.packets ?? newPacketCounts();
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'leasehold_' });
    this.commitSeconds = new Histogram({
      name: 'leasehold_commit_duration_seconds',
      help: 'Time to make lease records durable (append and fdatasync of the lease file), per commit.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.reloads = new Counter({
      name: 'leasehold_reloads_total',
      help: 'Configuration reloads asked for (SIGHUP, the API), by outcome: ok or refused.',
      labelNames: ['outcome'],
      registers,
    });
    this.reloads.inc({ outcome: 'ok' }, 0);
    this.reloads.inc({ outcome: 'refused' }, 0);
    const types = (counts: Float64Array, reply: boolean): Labelled[] => {
      const out: Labelled[] = [];
      counts.forEach((n, t) => {
        if (n > 0) out.push([{ type: messageLabel(t, reply) }, n]);
      });
      return out;
    };
    this.cumulative(
      'leasehold_packets_received_total',
      'DHCP and BOOTP requests decoded, by message type.',
      ['type'],
      () => types(this.packets.received, false),
    );
    this.cumulative('leasehold_replies_total', 'Replies the server decided on, by message type.', ['type'], () =>
      types(this.packets.replies, true),
    );
    const stat = (name: string, help: string, key: keyof DaemonStats) =>
      this.cumulative(name, help, [], () => (this.source ? [[{}, this.source.stats()[key]]] : []));
    stat(
      'leasehold_packets_total',
      'Packets received on the DHCP sockets (all of them, dropped ones too).',
      'received',
    );
    stat('leasehold_replies_sent_total', 'Replies handed to the network.', 'replies');
    stat('leasehold_lease_records_committed_total', 'Lease records made durable in the lease file.', 'committed');
    stat('leasehold_commit_failures_total', 'Lease writes that failed (their ACKs were not sent).', 'commitFailures');
    stat('leasehold_send_failures_total', 'Replies the network refused.', 'sendFailures');
    stat('leasehold_ping_conflicts_total', 'Offers withheld because their address answered a ping.', 'conflicts');
    this.cumulative('leasehold_drops_total', 'Packets dropped, by cause.', ['cause'], () =>
      this.source ? [...dropCounts(this.source.drops())].map(([cause, n]): Labelled => [{ cause }, n]) : [],
    );
    this.gauges(registers);
  }

  /** The running server to read (once it has started). */
  attach(source: MetricsSource): void {
    this.source = source;
  }

  /** One commit's duration (the daemon's commit hook calls this). */
  observeCommit(seconds: number): void {
    this.commitSeconds.observe(seconds);
  }

  reloaded(ok: boolean): void {
    this.reloads.inc({ outcome: ok ? 'ok' : 'refused' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** A counter fed from cumulative values by their growth since the last scrape. */
  private cumulative(name: string, help: string, labelNames: string[], read: () => Labelled[]): void {
    const last = new Map<string, number>();
    const counter: Counter<string> = new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect: () => {
        for (const [labels, value] of read()) {
          const key = JSON.stringify(labels);
          const before = last.get(key) ?? 0;
          const grown = value >= before ? value - before : value; // a new source starts from zero
          last.set(key, value);
          if (grown > 0) counter.inc(labels, grown);
          else counter.inc(labels, 0);
        }
      },
    });
  }

  private gauges(registers: Registry[]): void {
    // Each gauge reads the census itself: a scrape collects every metric at once, and they share one walk.
    const perPool = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      values: (alloc: CensusResult['allocator'], pool: number, counts: Float64Array) => [Record<L, string>, number][],
    ) => {
      const gauge: Gauge<L> = new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect: async () => {
          const census = await this.source?.census();
          gauge.reset();
          if (census === undefined) return;
          census.allocator.pools.forEach((_, i) => {
            for (const [labels, v] of values(census.allocator, i, census.counts)) gauge.set(labels, v);
          });
        },
      });
    };
    const name = (alloc: CensusResult['allocator'], i: number) => poolName(alloc.pools[i]!, i);
    const active = (counts: Float64Array, i: number) => counts[i * STATE_COUNT + STATE_NAMES.indexOf('active')] ?? 0;
    perPool(
      'leasehold_leases',
      'Addresses of each pool by binding state (fixed addresses left out).',
      ['pool', 'state'],
      (alloc, i, counts) =>
        STATE_NAMES.map((state, s) => [{ pool: name(alloc, i), state }, counts[i * STATE_COUNT + s] ?? 0]),
    );
    perPool('leasehold_pool_addresses', 'Addresses each pool serves.', ['pool'], (alloc, i) => [
      [{ pool: name(alloc, i) }, alloc.stats(i).total],
    ]);
    perPool('leasehold_pool_free', 'Addresses free for allocation in each pool.', ['pool'], (alloc, i) => [
      [{ pool: name(alloc, i) }, alloc.stats(i).free],
    ]);
    perPool(
      'leasehold_pool_utilization',
      'Active leases over the addresses of each pool (0 to 1).',
      ['pool'],
      (alloc, i, counts) => {
        const total = alloc.stats(i).total;
        return [[{ pool: name(alloc, i) }, total > 0 ? active(counts, i) / total : 0]];
      },
    );
    const hosts: Gauge = new Gauge({
      name: 'leasehold_dynamic_hosts',
      help: 'Hosts created at run time (OMAPI, the API).',
      registers,
      collect: () => {
        hosts.set(this.source?.dynamicHosts() ?? 0);
      },
    });
    // DDNS: counters kept by the server's updater since start (a reload keeps the updater).
    const ddnsJobs: Gauge<'result'> = new Gauge({
      name: 'leasehold_ddns_updates',
      help: 'Dynamic DNS transactions (one per lease change) by result: succeeded, failed, pending; and retried steps.',
      labelNames: ['result'],
      registers,
      collect: () => {
        ddnsJobs.reset();
        const c = this.source?.ddns?.();
        if (c === undefined) return;
        ddnsJobs.set({ result: 'succeeded' }, c.succeeded);
        ddnsJobs.set({ result: 'failed' }, c.finished - c.succeeded);
        ddnsJobs.set({ result: 'pending' }, c.pending);
        ddnsJobs.set({ result: 'retried' }, c.retries);
      },
    });
    const failover: Gauge<'peer' | 'side' | 'state'> = new Gauge({
      name: 'leasehold_failover_state',
      help: 'Failover state of each peer relationship, 1 for the state it is in (side: local or partner).',
      labelNames: ['peer', 'side', 'state'],
      registers,
      collect: () => {
        failover.reset();
        for (const [peer, src] of this.source?.failover() ?? []) {
          const r = src.relationship;
          failover.set({ peer, side: 'local', state: failoverStateName(r.me.state) }, 1);
          failover.set({ peer, side: 'partner', state: failoverStateName(r.partner.state) }, 1);
        }
      },
    });
  }
}
