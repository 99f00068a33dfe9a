// The engine's contract with the daemon: what it is handed for one request and what it hands back.

import type { ExecuteRequest } from '../conf/eval-context.js';
import type { Host, Scope, ScopeTree } from '../conf/scope-tree.js';
import type { DdnsJob, DnsState } from '../ddns/transaction.js';
import type { Lease } from '../leases/lease.js';
import type { DhcpMessage, OutgoingMessage } from '../wire/index.js';
import type { Allocator } from './allocator.js';
import type { FailoverView } from './failover-engine.js';

/** The interface a request arrived on. */
export interface ReceivingInterface {
  name: string;
  /** Its IPv4 addresses, primary first: the first one that lies in a configured subnet locates the client. */
  addresses: readonly number[];
}

/** A class the request belongs to: its name (what `members of` tests) and the scope whose settings apply. */
export interface ClassMatch {
  readonly name: string;
  readonly scope: Scope;
  /** The class's declaration (its `lease limit`), when the classifier knows it. */
  readonly def?: { readonly decl: { readonly leaseLimit?: number | undefined } };
  /** Hex of the subclass selector when the request joined a subclass (declared or spawned). */
  readonly subclassKey?: string | undefined;
}

/**
 * Decides class membership (`match if`, `match`/subclasses) for a request. Injected so that the
 * expression evaluator (src/conf/eval.ts) plugs in without the engine depending on it.
 */
export type Classifier = (request: DhcpMessage, tree: ScopeTree) => readonly ClassMatch[];

/** Resolves host names written in option values and fixed-address (the daemon caches DNS). */
export type HostResolver = (name: string) => readonly number[] | undefined;

export interface EngineContext {
  tree: ScopeTree;
  leases: Allocator;
  /** Seconds since the epoch (injected clock). */
  now: number;
  interface: ReceivingInterface;
  /** Overrides the server identifier (else `server-identifier` in scope, else the interface address). */
  serverId?: number;
  /** Class matching; the expression evaluator (classify.ts evalClassifier) when absent. */
  classify?: Classifier;
  resolveHost?: HostResolver;
  /** The interface MTU: replies never exceed it whatever option 57 says. Default 1500. */
  mtu?: number;
  /** Reusable output buffer (at least 1472 bytes for MTU 1500); reply bytes then view it. */
  buffer?: Uint8Array;
  /** The UDP source port of the request (RFC 8357 relays that send an empty relay-port sub-option). */
  sourcePort?: number;
  /** The IP source address of the request (INFORM without ciaddr is answered there). */
  sourceAddress?: number;
  /** Two-minute offer hold of ISC (seconds). */
  offerHold?: number;
  /** Hosts created through OMAPI (dynamic-hosts.ts), consulted after the tree's; absent or empty: none. */
  dynamicHosts?: DynamicHostIndex;
  /** The failover relationships of pools with a `failover peer` (failover-engine.ts); absent: none. */
  failover?: FailoverView;
}

/** What findHost reads of the dynamic host table (dynamic-hosts.ts DynamicHosts). */
export interface DynamicHostIndex {
  /** 0 when the table has nothing to say (no dynamic hosts, no masked configuration hosts). */
  readonly size: number;
  readonly byHardware: ReadonlyMap<string, readonly Host[]>;
  readonly byUid: ReadonlyMap<string, readonly Host[]>;
  readonly masked: ReadonlySet<Host>;
}

/**
 * Where the reply goes (RFC 2131 section 4.1). `relay`: to giaddr on the server port. `client`: unicast to
 * ciaddr on the client port. `broadcast`: 255.255.255.255 on the client port. `link`: to yiaddr at chaddr
 * on the client port without ARP — the raw transport can; a UDP transport broadcasts instead.
 */
export type ReplyDestination =
  /** `port` only when the relay asked for replies on another port (RFC 8357); else the server port. */
  | { kind: 'relay'; address: number; port?: number }
  | { kind: 'client'; address: number }
  /** `hardware`: frame it to this MAC rather than ff:ff:ff:ff:ff:ff (ISC bootp.c); `source`: the IP source. */
  | { kind: 'broadcast'; hardware?: Uint8Array; source?: number }
  /** `source`: the IP source of the frame (ISC: the server identifier), else an address of the interface. */
  | { kind: 'link'; address: number; htype: number; hardware: Uint8Array; source?: number };

export interface Reply {
  message: OutgoingMessage;
  bytes: Uint8Array;
  destination: ReplyDestination;
  /** Option codes that did not fit in the client's maximum message size. */
  dropped: number[];
}

export type LeaseChangeReason = 'commit' | 'release' | 'decline' | 'expire' | 'one-lease-per-client' | 'conflict';

/** A lease record the daemon must write (and fsync) before sending the reply. */
export interface LeaseChange {
  reason: LeaseChangeReason;
  lease: Lease;
}

/**
 * ISC ping-check: before sending the reply, probe the address (ICMP echo; ARP on the link). If anything
 * answers within `timeoutMs`, call probeAnswered() and drop the reply; otherwise send it.
 */
export interface Probe {
  address: number;
  timeoutMs: number;
}

export interface HandleResult {
  reply?: Reply;
  probe?: Probe;
  changes: LeaseChange[];
  log: string[];
  /** Programs the configuration's `execute` statements asked for; the daemon runs them without waiting. */
  executes?: ExecuteRequest[];
  /** Dynamic DNS work for the daemon's updater (ddns-plan.ts), once the lease changes are durable. */
  ddns?: DdnsRequest[];
  /** An ACK's DNS update started (ISC: the new lease has a ddns_cb): the lease is not reused. */
  ddnsStarted?: boolean;
}

/** One lease's DNS work: the job, what the lease's variables say DNS holds, and update-optimization. */
export interface DdnsRequest {
  job: DdnsJob;
  current: DnsState;
  optimize: boolean;
}
