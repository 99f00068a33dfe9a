// What the HTTP routes read and ask of the running server: the snapshot served now (read again on every
// request - a reload replaces it), the commands OMAPI uses, the daemon's counters, reload and the check of a
// configuration text. daemon-http.ts builds it from a RunningServer.

import type { ScopeTree } from '../conf/scope-tree.js';
import type { AdminCommands } from '../server/admin-commands.js';
import type { Allocator } from '../server/allocator.js';
import type { DaemonStats } from '../server/daemon.js';
import type { HistoryEntry, HistoryQuery } from '../server/daemon-history.js';
import type { DynamicHosts } from '../server/dynamic-hosts.js';
import type { FailoverStateSource } from '../server/omapi-failover.js';
import type { DropSource, Metrics } from './metrics.js';
import type { Census } from './walk.js';

export interface ReloadResult {
  ok: boolean;
  /** As `leasehold server -t` prints them. */
  errors: string[];
  /** Warnings, and statements that cannot change while running. */
  notes: string[];
}

export interface Reloader {
  reload(): Promise<ReloadResult>;
  testConfig(text: string): ReloadResult;
}

export interface HttpSource {
  tree(): ScopeTree;
  allocator(): Allocator;
  hosts(): DynamicHosts;
  /** Host and lease changes over the snapshot served now (durable before they resolve). */
  admin(): AdminCommands;
  stats(): DaemonStats;
  drops(): DropSource;
  failover(): ReadonlyMap<string, FailoverStateSource>;
  /** Lease history (`--history-days`); undefined when it is not kept. */
  history(): { query(q: HistoryQuery): Promise<HistoryEntry[]> } | undefined;
  /** undefined until the server can reload: /config/test and /config/reload then answer 501. */
  reloader: Reloader | undefined;
  /** The server is shutting down: changes are refused (503). */
  stopping(): boolean;
  log(line: string): void;
}

export interface RouteContext {
  source: HttpSource;
  metrics: Metrics;
  census: Census;
  /** Seconds since the process started serving (for /stats). */
  startedAt: number;
}
