// Test doubles for the server daemon: a transport that records what it is asked to send, a lease
// store whose commits the test resolves by hand (to prove no ACK leaves before its lease is durable),
// a hand-driven clock and timer, and requests encoded as they arrive off the wire.

import assert from 'node:assert/strict';
import { parseDhcpdConfText } from '../../../src/conf/index.js';
import { buildScopeTree, type ScopeTree } from '../../../src/conf/scope-tree.js';
import type { Destination, ReceivedPacket, ServedInterface, Transport } from '../../../src/io/transport.js';
import type { LeaseFileRecord } from '../../../src/leases/lease.js';
import type { LeaseStore, LeaseStoreStats, LoadedLeases } from '../../../src/leases/store.js';
import { Allocator } from '../../../src/server/allocator.js';
import { type DaemonOptions, ServerDaemon } from '../../../src/server/daemon.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';
import { BOOTREQUEST, encodeMessage, ipToBytes, parseIpv4, parseMac } from '../../../src/wire/index.js';

export const ip = (s: string): number => {
  const v = parseIpv4(s);
  assert.ok(v !== undefined, s);
  return v;
};

export const CONF = `
option domain-name "example.test";
default-lease-time 600;
max-lease-time 600;
authoritative;
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  range 192.0.2.100 192.0.2.109;
}
`;

export function tree(text = CONF): ScopeTree {
  const r = parseDhcpdConfText(text);
  assert.equal(r.error, undefined, r.error?.message);
  assert.ok(r.conf);
  return buildScopeTree(r.conf, r.catalogue);
}

export const SRV0: ServedInterface = {
  name: 'srv0',
  index: 2,
  addresses: [ip('192.0.2.1')],
  masks: [ip('255.255.255.0')],
  networkName: '192.0.2.0/24',
};

export class FakeTransport implements Transport {
  readonly kind = 'udp' as const;
  readonly sent: { payload: Uint8Array; destination: Destination; iface: ServedInterface | undefined }[] = [];
  closed = false;
  constructor(readonly interfaces: readonly ServedInterface[] = [SRV0]) {}
  describe(): string[] {
    return [];
  }
  async send(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): Promise<void> {
    this.sent.push({ payload: payload.slice(), destination, iface });
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

interface PendingCommit {
  records: readonly LeaseFileRecord[];
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A store whose commits wait for the test (`autoCommit` resolves them at once). */
export class ManualStore implements LeaseStore {
  readonly pending: PendingCommit[] = [];
  readonly durable: LeaseFileRecord[] = [];
  rewrites = 0;
  closed = false;
  appended = 0;
  constructor(public autoCommit = false) {}
  async load(): Promise<LoadedLeases> {
    return { records: [], leases: new Map(), warnings: [] };
  }
  commit(records: readonly LeaseFileRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.durable.push(...records);
        this.appended += records.length;
        resolve();
      };
      if (this.autoCommit) done();
      else this.pending.push({ records, resolve: done, reject });
    });
  }
  snapshot(): LeaseFileRecord[] {
    return [...this.durable];
  }
  async rewrite(): Promise<void> {
    this.rewrites++;
    this.appended = 0;
  }
  stats(): LeaseStoreStats {
    return { live: this.durable.length, appendedSinceRewrite: this.appended };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A daemon wired to fakes, with a clock (ms) and a timer the test fires by hand. */
export function fixture(opts: Partial<DaemonOptions> & { store?: ManualStore } = {}) {
  const log = memoryLogger();
  const store = opts.store ?? new ManualStore(true);
  const t = tree();
  const clock = { ms: 1_700_000_000_000 };
  let timerFn: (() => void) | undefined;
  const daemon = new ServerDaemon({
    tree: t,
    allocator: new Allocator(t),
    store,
    log,
    clock: () => clock.ms,
    probe: async () => false,
    timer: (fn) => {
      timerFn = fn;
      return () => {
        timerFn = undefined;
      };
    },
    ...opts,
  });
  const transport = new FakeTransport();
  daemon.start(transport);
  return {
    daemon,
    transport,
    store,
    log,
    clock,
    fireTimer: () => timerFn?.(),
    timerArmed: () => timerFn !== undefined,
  };
}

export interface Req {
  type?: number;
  mac?: string;
  requested?: string;
  serverId?: string;
  ciaddr?: string;
  giaddr?: string;
}

export function requestBytes(r: Req): Uint8Array {
  const options: [number, Uint8Array][] = [];
  if (r.type !== undefined) options.push([53, new Uint8Array([r.type])]);
  if (r.requested) options.push([50, ipToBytes(ip(r.requested))]);
  if (r.serverId) options.push([54, ipToBytes(ip(r.serverId))]);
  options.push([55, new Uint8Array([1, 3, 15])]);
  return encodeMessage({
    op: BOOTREQUEST,
    htype: 1,
    xid: 0x42,
    ciaddr: r.ciaddr ? ip(r.ciaddr) : 0,
    giaddr: r.giaddr ? ip(r.giaddr) : 0,
    chaddr: parseMac(r.mac ?? '02:00:00:00:00:01')!,
    options,
  }).bytes.slice();
}

export function packet(r: Req, over: Partial<ReceivedPacket> = {}): ReceivedPacket {
  return { payload: requestBytes(r), iface: SRV0, sourceAddress: 0, sourcePort: 68, ...over };
}

/** The yiaddr of a sent reply. */
export function yiaddrOf(bytes: Uint8Array): string {
  return `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}`;
}

/** Lets queued promise callbacks run (no timers involved). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
