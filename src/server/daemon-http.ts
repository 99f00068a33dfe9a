// The HTTP API of a running server (`--http ADDR:PORT`): prepared before the server starts - the tokens file,
// the certificate and the listening address checked, so a mistake stops the start with one clear line - and
// started once the server serves. It reads the server through the snapshot served now and changes it through
// the commands OMAPI uses (admin-commands.ts); it never blocks the packet path (src/http/walk.ts).
//
// The packet path's only cost is the engine tap (countingEngine): one array increment per request and per reply,
// for the packets-by-type counters. The metrics registry is made here once per process and outlives reloads.

import { readFileSync, statSync } from 'node:fs';
import type { ScopeTree } from '../conf/scope-tree.js';
import { startHttp } from '../http/app.js';
import type { HttpSource, Reloader, ReloadResult } from '../http/context.js';
import { Metrics, type PacketCounts } from '../http/metrics.js';
import { type ListenAddress, listenRefusal, parseListen, parseTokens, type Tokens } from '../http/tokens.js';
import { Census } from '../http/walk.js';
import type { LeaseFileRecord } from '../leases/lease.js';
import type { Catalogue } from '../options/catalogue.js';
import { getMessageType } from '../wire/index.js';
import { AdminCommands, type AdminCommandsOptions } from './admin-commands.js';
import type { Allocator } from './allocator.js';
import { type DaemonStats, type Engine, replyMessageType } from './daemon.js';
import type { HistoryEntry, HistoryQuery } from './daemon-history.js';
import type { DropCounter, Logger } from './daemon-log.js';
import type { DynamicHosts } from './dynamic-hosts.js';
import type { FailoverStateSource } from './omapi-failover.js';

export interface HttpSettings {
  /** `--http ADDR:PORT` */
  listen: string;
  tokensFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
}

export interface PreparedHttp {
  listen: ListenAddress;
  tokens: Tokens | undefined;
  tokensFile: string | undefined;
  tls: { cert: Buffer; key: Buffer } | undefined;
  metrics: Metrics;
}

export type PrepareResult = { ok: true; http: PreparedHttp; warnings: string[] } | { ok: false; error: string };

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks the flags and reads the files: a problem is a start-up error. */
export function prepareHttp(
  settings: HttpSettings,
  readFile: (path: string) => Buffer = (p) => readFileSync(p),
  metrics?: Metrics,
): PrepareResult {
  const listen = parseListen(settings.listen);
  if ('error' in listen) return { ok: false, error: listen.error };
  const refusal = listenRefusal(listen, settings.tokensFile);
  if (refusal !== undefined) return { ok: false, error: refusal };
  const warnings: string[] = [];
  let tokens: Tokens | undefined;
  if (settings.tokensFile !== undefined) {
    let text: string;
    try {
      text = readFile(settings.tokensFile).toString('utf8');
    } catch (e) {
      return { ok: false, error: `Can't read the HTTP tokens file ${settings.tokensFile}: ${errText(e)}` };
    }
    const parsed = parseTokens(text, settings.tokensFile);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    tokens = parsed.tokens;
    try {
      if ((statSync(settings.tokensFile).mode & 0o077) !== 0) {
        warnings.push(`${settings.tokensFile}: other users may read the HTTP tokens (chmod 600 it)`);
      }
    } catch {
      // read through an injected reader (tests): no mode to check
    }
  }
  let tls: PreparedHttp['tls'];
  if (settings.certFile !== undefined || settings.keyFile !== undefined) {
    if (settings.certFile === undefined || settings.keyFile === undefined) {
      return { ok: false, error: '--http-cert and --http-key go together' };
    }
    try {
      tls = { cert: readFile(settings.certFile), key: readFile(settings.keyFile) };
    } catch (e) {
      return { ok: false, error: `Can't read the HTTP certificate or key: ${errText(e)}` };
    }
  }
  return {
    ok: true,
    http: { listen, tokens, tokensFile: settings.tokensFile, tls, metrics: metrics ?? new Metrics() },
    warnings,
  };
}

/** The engine, with requests and replies counted by message type (array increments, nothing else). */
export function countingEngine(inner: Engine, counts: PacketCounts): Engine {
  return (request, ctx) => {
    counts.received[getMessageType(request.options) ?? 0]!++;
    const result = inner(request, ctx);
    if (result.reply !== undefined) counts.replies[replyMessageType(result.reply.bytes) ?? 0]!++;
    return result;
  };
}

/** What the HTTP service needs of a RunningServer (daemon-start.ts). */
export interface HttpServerView {
  daemon: {
    readonly stats: DaemonStats;
    readonly drops: DropCounter;
    readonly isStopping: boolean;
    commitRecords(records: readonly LeaseFileRecord[]): Promise<void>;
    tick(): Promise<void>;
  };
  /** The snapshot served now (getters: a reload replaces them). */
  readonly tree: ScopeTree;
  readonly allocator: Allocator;
  readonly dynamicHosts: DynamicHosts;
  readonly history?: { query(q: HistoryQuery): Promise<HistoryEntry[]> } | undefined;
  reload?: () => Promise<ReloadResult>;
  testConfig?: (text: string) => ReloadResult;
  /** Dynamic DNS counts for /metrics (undefined: DDNS off). */
  ddns?: () => { submitted: number; finished: number; succeeded: number; retries: number; pending: number } | undefined;
}

export interface HttpServiceOptions {
  log: Logger;
  /** The failover relationships by peer name (none: GET /failover answers []). */
  failover?: () => ReadonlyMap<string, FailoverStateSource>;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

export interface HttpService {
  readonly url: string;
  /** The server's reload, counted in leasehold_reloads_total (SIGHUP should go through it too). */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

export async function startHttpService(
  server: HttpServerView,
  http: PreparedHttp,
  opts: HttpServiceOptions,
): Promise<HttpService> {
  const { log } = opts;
  const clock = opts.clock ?? Date.now;
  const adminOptions: AdminCommandsOptions = {
    get tree() {
      return server.tree;
    },
    get allocator() {
      return server.allocator;
    },
    get catalogue() {
      return server.tree.catalogue as unknown as Catalogue;
    },
    hosts: server.dynamicHosts,
    commit: (records) => server.daemon.commitRecords(records),
    now: () => Math.floor(clock() / 1000),
    log: (line) => log.info(line),
    leaseEnded: () => void server.daemon.tick(),
  };
  const admin = new AdminCommands(adminOptions, 'HTTP API');
  const noFailover = new Map<string, FailoverStateSource>();
  const failover = opts.failover ?? (() => noFailover);
  const reload = async (): Promise<ReloadResult> => {
    if (server.reload === undefined) return { ok: false, errors: ['this server cannot reload'], notes: [] };
    const result = await server.reload();
    http.metrics.reloaded(result.ok);
    return result;
  };
  const testConfig = server.testConfig;
  const reloader: Reloader | undefined =
    server.reload !== undefined && testConfig !== undefined ? { reload, testConfig: (t) => testConfig(t) } : undefined;
  const source: HttpSource = {
    tree: () => server.tree,
    allocator: () => server.allocator,
    hosts: () => server.dynamicHosts,
    admin: () => admin,
    stats: () => server.daemon.stats,
    drops: () => server.daemon.drops,
    failover,
    history: () => server.history,
    reloader,
    stopping: () => server.daemon.isStopping,
    log: (line) => log.info(line),
  };
  const census = new Census(() => server.allocator);
  http.metrics.attach({
    stats: source.stats,
    drops: source.drops,
    census: () => census.counts(),
    dynamicHosts: () => server.dynamicHosts.count,
    failover,
    ddns: () => server.ddns?.(),
  });
  const listener = await startHttp({
    ctx: { source, metrics: http.metrics, census, startedAt: clock() },
    tokens: http.tokens,
    ...(http.tls !== undefined ? { tls: http.tls } : {}),
    listen: http.listen,
  });
  const access = http.tokens === undefined ? 'no tokens: loopback only' : `tokens from ${http.tokensFile}`;
  log.info(`HTTP API listening on ${listener.url}/api/v1 (${access}); metrics at ${listener.url}/metrics`);
  return { url: listener.url, reload, close: () => listener.close() };
}
