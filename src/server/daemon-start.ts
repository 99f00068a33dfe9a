// Start-up and shut-down of `leasehold server`, in dhcpd's order: read and check the configuration,
// load the lease file (a file that does not parse stops the start and is never written), rewrite it
// through a temporary file and a rename, fill the allocator, pick the interfaces, open the sockets,
// write the PID file, and log "Server starting service." — the line scripts wait for.

import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../conf/diagnostics.js';
import { formatDiagnostic, parseDhcpdConf } from '../conf/index.js';
import { buildScopeTree, type ScopeTree, subnetFor } from '../conf/scope-tree.js';
import { ddnsSettings } from '../ddns/config.js';
import { watchInterfaces } from '../io/interface-watch.js';
import { type SystemInterface, selectInterfaces, systemInterfaces } from '../io/interfaces.js';
import { openBestTransport } from '../io/raw-fallback.js';
import type { PacketHandler, ServedInterface, Transport } from '../io/transport.js';
import { cannotTellApart } from '../io/udp-transport.js';
import { FileJournal, type JournalOptions } from '../leases/journal.js';
import type { LeaseFileRecord } from '../leases/lease.js';
import { LeaseFileError } from '../leases/store.js';
import type { OmapiKey } from '../omapi/auth.js';
import { type OmapiListener, startOmapiListener } from '../omapi/daemon-listener.js';
import type { Catalogue } from '../options/catalogue.js';
import { Allocator } from './allocator.js';
import { type DaemonOptions, ServerDaemon } from './daemon.js';
import { DdnsShell } from './daemon-ddns.js';
import { startFailover } from './daemon-failover.js';
import { LeaseHistory } from './daemon-history.js';
import type { Logger } from './daemon-log.js';
import { serverProber } from './daemon-probe.js';
import { cachingResolver, configuredHostnames, type LookupFn, prefetch } from './daemon-resolve.js';
import { warmUp } from './daemon-warm-up.js';
import { DynamicHosts } from './dynamic-hosts.js';
import { poolReport } from './engine.js';
import { ServerLeaseSide } from './failover-leases.js';
import { networkName } from './log.js';
import type { FailoverStateSource } from './omapi-failover.js';
import { ServerObjects } from './omapi-objects.js';
import { type PidFs, removePidFile, runningPid, writePidFile } from './pid-file.js';
import { carryLeases, checkConfig, type ReloadResult, restartOnlyChanges } from './reload.js';

export const SERVER_BANNER = 'Leasehold DHCP Server 0.1.0 (for ISC dhcpd configurations and lease files)';

export interface StartSettings {
  configFile: string;
  leaseFile: string;
  /** undefined: no PID file (--no-pid). */
  pidFile: string | undefined;
  port: number;
  quiet: boolean;
  interfaces: readonly string[];
  /** dhcpd's -user / -group: the identity to drop to once sockets and files are open. */
  user?: string;
  group?: string;
  /** 'udp' skips packet sockets (tests of the UDP path; LEASEHOLD_TRANSPORT=udp). Default 'auto'. */
  transport?: 'auto' | 'udp';
  /** Run the packet path on synthetic traffic before serving (daemon-warm-up.ts). Default false. */
  warmUp?: boolean;
  /** Days of lease history kept in LEASEFILE.history (daemon-history.ts); undefined or 0: none. */
  historyDays?: number;
}

export interface StartDeps {
  log: Logger;
  clock?: () => number;
  pid?: number;
  readConf?: (path: string) => Uint8Array | undefined;
  listInterfaces?: () => SystemInterface[];
  openTransport?: (
    interfaces: readonly ServedInterface[],
    port: number,
    onPacket: PacketHandler,
    clientPort?: number,
  ) => Promise<Transport>;
  journal?: Omit<JournalOptions, 'clock'>;
  pidFs?: PidFs;
  /** Host name lookups (tests); default DNS through the system resolver. */
  lookup?: LookupFn;
  /** Whether a PID names a live process (tests). */
  processAlive?: (pid: number) => boolean;
  /** Passed through to the daemon (timers, intervals, engine) — tests shorten them. */
  daemon?: Partial<DaemonOptions>;
  /** The address the OMAPI listener binds (default all addresses, as ISC's omapi_protocol_listen). */
  omapiAddress?: string;
  /** The DNS servers' port for dynamic DNS updates (tests; default 53). */
  ddnsPort?: number;
}

export interface DdnsCounts {
  submitted: number;
  finished: number;
  succeeded: number;
  retries: number;
  pending: number;
}

export interface RunningServer {
  daemon: ServerDaemon;
  transport: Transport;
  /** The configuration served now (a reload replaces it). */
  readonly tree: ScopeTree;
  /** The leases served now (a reload replaces the allocator). */
  readonly allocator: Allocator;
  /** Reads dhcpd.conf again and swaps it in, or refuses it with its errors (SIGHUP, the API). */
  reload(): Promise<ReloadResult>;
  /** A configuration text checked as `-t` checks it (the API's /config/test). */
  testConfig(text: string): ReloadResult;
  /** Lease history (`--history-days`), when kept. */
  history: LeaseHistory | undefined;
  /** The dynamic DNS work: jobs submitted, finished, succeeded, retried, and pending (undefined: DDNS off). */
  ddns(): DdnsCounts | undefined;
  /** The failover relationships by peer name, when `failover peer` is configured. */
  failover: ReadonlyMap<string, FailoverStateSource> | undefined;
  /** Hosts created through OMAPI (and read back from the lease file). */
  dynamicHosts: DynamicHosts;
  /** The OMAPI listener, when `omapi-port` is set. */
  omapi: OmapiListener | undefined;
  /** Resolves when a shutdown was asked for other than by a signal (OMAPI's control object, state 2). */
  shutdownRequested: Promise<string>;
  /** Flushes and closes everything and removes the PID file. Idempotent. */
  stop(): Promise<void>;
}

export type StartResult = { ok: true; server: RunningServer } | { ok: false; code: number };

/** The file reader of dhcpd.conf and its includes: a file that cannot be read is "cannot open". */
export function readConfFile(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

function logDiagnostic(log: Logger, d: Diagnostic, source: string | undefined): void {
  for (const line of formatDiagnostic(d, source).trimEnd().split('\n')) log.error(line);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What the UDP transport cannot do on this host, said once at start-up (see udp-transport.ts): it
 * cannot tell which interface a broadcast came in on.
 */
export function udpLimits(system: readonly SystemInterface[], served: readonly ServedInterface[]): string[] {
  const first = served[0];
  if (first === undefined) return [];
  if (served.length > 1) {
    return [cannotTellApart(served.map((i) => i.name))];
  }
  const others = system.filter((i) => i.broadcast && !i.loopback && i.up && i.name !== first.name).map((i) => i.name);
  if (others.length === 0) return [];
  return [
    `UDP sockets cannot tell which interface a broadcast came in on: DHCP broadcasts arriving on ${others.join(', ')} will be answered as if they came in on ${first.name}.`,
  ];
}

/** Reads everything and opens the sockets; on failure logs why and gives the exit code. */
export async function startServer(settings: StartSettings, deps: StartDeps): Promise<StartResult> {
  const { log } = deps;
  const clock = deps.clock ?? Date.now;
  const pid = deps.pid ?? process.pid;
  if (!settings.quiet) {
    log.info(SERVER_BANNER);
    log.info(`Config file: ${settings.configFile}`);
    log.info(`Database file: ${settings.leaseFile}`);
    log.info(`PID file: ${settings.pidFile ?? '(none)'}`);
  }

  // Configuration: the same parse and checks as `leasehold server -t`.
  const parsed = parseDhcpdConf(settings.configFile, { readFile: deps.readConf ?? readConfFile });
  if (parsed.error !== undefined || parsed.conf === undefined) {
    if (parsed.error) logDiagnostic(log, parsed.error, parsed.sources.get(parsed.error.file));
    log.error('Configuration file errors encountered -- exiting');
    return { ok: false, code: 1 };
  }
  if (!settings.quiet) for (const w of parsed.warnings) logDiagnostic(log, w, parsed.sources.get(w.file));
  const tree = buildScopeTree(parsed.conf, parsed.catalogue);
  const allocator = new Allocator(tree);
  for (const w of allocator.warnings) log.error(w);

  if (settings.pidFile !== undefined) {
    const other = await runningPid(settings.pidFile, pid, deps.pidFs, deps.processAlive);
    if (other !== undefined) {
      log.error(`There's already a DHCP server running (PID ${other}, ${settings.pidFile}).`);
      return { ok: false, code: 1 };
    }
  }

  // The packet path is compiled before the first real request rather than during the first storm; before the
  // leases, whose rewrite leaves the disk busy (the warm-up's syncs then took twice as long).
  if (settings.warmUp === true) {
    const warm = await warmUp();
    if ('error' in warm) log.info(`Warm-up skipped: ${warm.error}`);
  }

  // Leases: a file that does not parse stops everything before a byte is written to it. They are
  // read straight into the allocator, which the journal then rewrites them from (no copy kept).
  const store = new FileJournal(settings.leaseFile, {
    ...deps.journal,
    catalogue: parsed.catalogue as JournalOptions['catalogue'],
    clock,
  });
  let loaded: Awaited<ReturnType<FileJournal['load']>>;
  try {
    loaded = await store.load(allocator.leaseHolder(Math.floor(clock() / 1000)));
  } catch (e) {
    if (e instanceof LeaseFileError) {
      log.error(e.message);
      log.error('Lease file errors encountered -- exiting (the file was not modified)');
    } else if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      log.error(
        `Can't open lease database ${settings.leaseFile}: No such file or directory -- check for failed database rewrite attempt!`,
      );
      log.error("Please read the dhcpd.leases manual page if you don't know what to do about this.");
    } else {
      log.error(`Can't load lease database ${settings.leaseFile}: ${errText(e)}`);
    }
    await store.close().catch(() => undefined);
    return { ok: false, code: 1 };
  }
  for (const w of loaded.warnings) log.error(`${w.file}:${w.line}: ${w.message}`);
  // Hosts created through OMAPI: the lease file's `host NAME { dynamic; ... }` (and `deleted`) records.
  const dynamicHosts = new DynamicHosts(tree);
  const configHosts = new Map(tree.hosts.map((h) => [h.name, h] as const));
  let hostRecords = 0;
  for (const r of loaded.records) {
    if (r.kind !== 'host') continue;
    try {
      dynamicHosts.apply(r, configHosts);
      if (!r.deleted) hostRecords++;
    } catch (e) {
      log.error(`host ${r.name} in the lease file: ${errText(e)}`);
    }
  }
  if (hostRecords > 0) log.info(`Wrote ${hostRecords} new dynamic host decls to leases file.`);
  log.info(`Wrote ${loaded.leaseCount ?? loaded.leases.size} leases to leases file.`);
  for (const line of poolReport(allocator)) log.info(line);

  // The tree the daemon serves now (a reload swaps it).
  let daemonTree = (): ScopeTree => tree;
  // Interfaces and sockets.
  const system = (deps.listInterfaces ?? systemInterfaces)();
  const subnetOf = (a: number) => {
    const s = subnetFor(daemonTree(), a);
    return s === undefined ? undefined : networkName(s.sharedNetwork);
  };
  const selection = selectInterfaces(system, settings.interfaces, subnetOf);
  for (const line of selection.log) log.error(line);
  if (selection.error !== undefined) {
    log.error(selection.error);
    await store.close();
    return { ok: false, code: 1 };
  }
  const resolveHost = cachingResolver({ clock, log, ...(deps.lookup ? { lookup: deps.lookup } : {}) });
  await prefetch(resolveHost, configuredHostnames(tree), 3000);
  // ICMP echo and, on directly attached subnets with packet sockets, an ARP probe (daemon-probe.ts).
  let transport: Transport | undefined;
  const prober = serverProber(log, () => transport, { networkOf: subnetOf });
  // Failover: each `failover peer` listens, connects and starts from the state the lease file recorded.
  const failover = await startFailover({
    tree,
    allocator,
    store,
    records: loaded.records,
    log,
    clock,
    side: (name, peer, rel) =>
      new ServerLeaseSide(allocator, name, peer, rel, (level, text) =>
        level === 'error' ? log.error(text) : log.info(text),
      ),
  });
  // The failover relationships as OMAPI's failover-state objects and the API's /failover read them.
  const failoverSources: ReadonlyMap<string, FailoverStateSource> | undefined =
    failover === undefined
      ? undefined
      : new Map(
          [...failover.peers].map(([name, p]) => [
            name,
            {
              relationship: p.relationship,
              settings: p.settings,
              setLocalState: (state: number) => p.link.setLocalState(state),
            },
          ]),
        );
  // Lease history: every durable record, appended beside the lease file off the fsync path.
  let history: LeaseHistory | undefined;
  if (settings.historyDays !== undefined && settings.historyDays > 0) {
    try {
      history = await LeaseHistory.open(
        `${settings.leaseFile}.history`,
        settings.historyDays,
        () => clock() / 1000,
        (t) => log.error(t),
      );
    } catch (e) {
      log.error(`Lease history not kept: ${errText(e)}`);
    }
  }
  const onCommitted =
    failover === undefined && history === undefined
      ? undefined
      : (records: readonly LeaseFileRecord[]) => {
          failover?.committed(records);
          history?.committed(records);
        };
  // Dynamic DNS (`ddns-update-style interim|standard`): its own socket and queue beside the packet path.
  const ddnsConf = ddnsSettings(tree);
  let ddns: DdnsShell | undefined;
  const daemon = new ServerDaemon({
    ...(ddnsConf !== undefined ? { ddns: { submit: (r) => ddns?.submit(r) } } : {}),
    tree,
    allocator,
    store,
    log,
    clock,
    resolveHost,
    probe: prober.probe,
    dynamicHosts,
    ...(failover !== undefined ? { failover } : {}),
    ...(onCommitted !== undefined ? { onCommitted } : {}),
    ...deps.daemon,
  });
  // Packet sockets (ISC's LPF) where this process may open them, else UDP sockets, said once.
  const open =
    deps.openTransport ??
    ((ifaces, port, onPacket, clientPort) =>
      openBestTransport({
        interfaces: ifaces,
        port,
        clientPort,
        onPacket,
        onError: (err) => log.error(`socket error: ${err.message}`),
        log: (line) => log.error(line),
        prefer: settings.transport ?? 'auto',
      }));
  try {
    const ports = configuredPorts(tree, settings.port);
    transport = await open(selection.served, ports.server, daemon.onPacket, ports.client);
  } catch (e) {
    log.error(errText(e));
    await failover?.stop();
    prober.close();
    await store.close();
    return { ok: false, code: 1 };
  }
  for (const line of transport.describe()) log.info(line);
  if (transport.kind === 'udp') for (const line of udpLimits(system, selection.served)) log.error(line);
  if (ddnsConf !== undefined) {
    const shell = new DdnsShell({
      settings: ddnsConf,
      allocator,
      commit: (records) => daemon.commitRecords(records),
      log,
      clock,
      ...(deps.ddnsPort !== undefined ? { port: deps.ddnsPort } : {}),
    });
    try {
      await shell.start();
      ddns = shell;
    } catch (e) {
      log.error(`Unable to start dynamic DNS updates: ${errText(e)}`);
    }
  }
  daemon.start(transport);
  let requestShutdown: (why: string) => void = () => undefined;
  const shutdownRequested = new Promise<string>((resolve) => {
    requestShutdown = resolve;
  });
  // OMAPI (`omapi-port`, `omapi-key`): ISC dhcpd cannot start without its listener either.
  let omapi: OmapiListener | undefined;
  // Kept to point the OMAPI objects at a reload's snapshot.
  let omapiOptions: ConstructorParameters<typeof ServerObjects>[0] | undefined;
  const omapiPort = tree.global.parameters.get('omapi-port')?.value;
  if (typeof omapiPort === 'number' && omapiPort > 0) {
    const keys: OmapiKey[] = [];
    for (const k of tree.keys.values()) {
      if (k.algorithm !== undefined && k.secret !== undefined) {
        keys.push({ name: k.name, algorithm: k.algorithm, secret: k.secret });
      }
    }
    const required = tree.global.parameters.get('omapi-key')?.value;
    omapiOptions = {
      tree,
      allocator,
      hosts: dynamicHosts,
      commit: (records) => daemon.commitRecords(records),
      now: () => Math.floor(clock() / 1000),
      log: (line) => log.info(line),
      shutdown: () => requestShutdown('OMAPI control object set to state 2'),
      leaseEnded: () => void daemon.tick(),
      catalogue: parsed.catalogue as unknown as Catalogue,
      ...(failoverSources !== undefined ? { failover: failoverSources } : {}),
    };
    const provider = new ServerObjects(omapiOptions);
    try {
      omapi = await startOmapiListener({
        address: deps.omapiAddress ?? '0.0.0.0',
        port: omapiPort,
        session: { provider, keys, ...(typeof required === 'string' ? { requiredKey: required } : {}) },
        log: (line) => log.info(line),
      });
    } catch (e) {
      log.error(`Can't start OMAPI protocol: ${errText(e)}`);
      await failover?.stop();
      await daemon.stop();
      prober.close();
      return { ok: false, code: 1 };
    }
  }
  // Interfaces that appear, go or change address from now on are served without a restart.
  const watch =
    transport.addInterface === undefined
      ? undefined
      : watchInterfaces({
          transport,
          requested: settings.interfaces,
          subnetOf,
          log,
          initial: selection,
          ...(deps.listInterfaces ? { list: deps.listInterfaces } : {}),
        });

  if (settings.pidFile !== undefined) {
    try {
      await writePidFile(settings.pidFile, pid, deps.pidFs);
    } catch (e) {
      log.error(`Can't create PID file ${settings.pidFile}: ${errText(e)}.`); // ISC goes on too
    }
  }
  if (settings.user !== undefined || settings.group !== undefined) {
    prober.open(); // its raw sockets need root, as ISC's ICMP socket does
    const dropped = dropPrivileges(settings.user, settings.group);
    if (dropped !== undefined) {
      // Serving as root when the administrator asked otherwise is worse than not serving.
      log.error(dropped);
      await watch?.stop();
      await omapi?.close();
      await failover?.stop();
      await daemon.stop();
      prober.close();
      if (settings.pidFile !== undefined) await removePidFile(settings.pidFile, pid, deps.pidFs);
      return { ok: false, code: 1 };
    }
  }
  log.info('Server starting service.');

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await watch?.stop();
      // No OMAPI change after this point: what it answered is on disk, what it did not is not done.
      await omapi?.close();
      await failover?.stop();
      await ddns?.stop();
      await daemon.stop();
      await history?.close();
      prober.close();
      if (settings.pidFile !== undefined) await removePidFile(settings.pidFile, pid, deps.pidFs);
    })();
    return stopped;
  };
  // One reload at a time: a second SIGHUP waits for the first.
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, errors: [], notes: [] });
  const reload = (): Promise<ReloadResult> => {
    reloading = reloading.then(reloadNow, reloadNow);
    return reloading;
  };
  const reloadNow = async (): Promise<ReloadResult> => {
    const text = (deps.readConf ?? readConfFile)(settings.configFile);
    if (text === undefined) return refused([`Can't open ${settings.configFile}`]);
    const checked = checkConfig(
      Buffer.from(text).toString('latin1'),
      settings.configFile,
      deps.readConf ?? readConfFile,
    );
    if (checked.tree === undefined) return refused(checked.errors);
    const current = daemon.tree;
    if (current.failoverPeers.size > 0 || checked.tree.failoverPeers.size > 0)
      return refused([
        'failover peers are configured: a reload cannot carry their relationships yet; restart the server',
      ]);
    const now = Math.floor(clock() / 1000);
    const { allocator: next, dropped, warnings } = carryLeases(daemon.allocator, checked.tree, now);
    const notes = [...checked.warnings, ...warnings, ...restartOnlyChanges(current, checked.tree)];
    if (dropped > 0) notes.push(`${dropped} lease(s) outside every pool of the new configuration are no longer served`);
    // The swap: synchronous, between two packets.
    const tree2 = checked.tree;
    daemon.swap(tree2, next);
    dynamicHosts.retarget(tree2);
    daemonTree = () => tree2;
    if (omapiOptions !== undefined) {
      omapiOptions.tree = tree2;
      omapiOptions.allocator = next;
    }
    const nextDdns = ddnsSettings(tree2);
    if (ddns !== undefined && nextDdns !== undefined) ddns.swap(nextDdns, next);
    for (const n of notes) log.error(`reload: ${n}`);
    log.info(`Configuration reloaded from ${settings.configFile}.`);
    for (const line of poolReport(next)) log.info(line);
    return { ok: true, errors: [], notes };
  };
  const refused = (errors: string[]): ReloadResult => {
    for (const e of errors) for (const line of e.split('\n')) log.error(line);
    log.error('Configuration not reloaded: the running one goes on serving.');
    return { ok: false, errors, notes: [] };
  };
  const testConfig = (text: string): ReloadResult => {
    const checked = checkConfig(text, 'dhcpd.conf');
    return { ok: checked.tree !== undefined, errors: checked.errors, notes: checked.warnings };
  };
  return {
    ok: true,
    server: {
      daemon,
      transport,
      get tree() {
        return daemon.tree;
      },
      get allocator() {
        return daemon.allocator;
      },
      dynamicHosts,
      omapi,
      history,
      failover: failoverSources,
      ddns: () => (ddns === undefined ? undefined : { ...ddns.updater.counts, pending: ddns.updater.pending }),
      shutdownRequested,
      stop,
      reload,
      testConfig,
    },
  };
}

/** setgid/initgroups/setuid as dhcpd's -user/-group do; returns what went wrong, if anything. */
function dropPrivileges(user: string | undefined, group: string | undefined): string | undefined {
  try {
    if (group !== undefined) process.setgid?.(group);
    if (user !== undefined) {
      // Supplementary groups of the new user (root's would otherwise stay).
      (process as unknown as { initgroups?: (u: string, g: string | number) => void }).initgroups?.(
        user,
        group ?? process.getgid?.() ?? 0,
      );
      process.setuid?.(user);
    }
    return undefined;
  } catch (e) {
    return `Can't change to user ${user ?? '(unchanged)'} / group ${group ?? '(unchanged)'}: ${errText(e)}`;
  }
}

/**
 * The ports as ISC dhcpd settles them: `local-port` in dhcpd.conf wins over -p (ISC reads it after the
 * flags), and clients are answered on `remote-port`, else on the -p port + 1 (ISC computes that before it
 * reads the configuration, so `local-port` alone does not move the client port).
 */
export function configuredPorts(tree: ScopeTree, flagPort: number): { server: number; client: number } {
  const local = tree.global.parameters.get('local-port')?.value;
  const remote = tree.global.parameters.get('remote-port')?.value;
  return {
    server: typeof local === 'number' && local > 0 ? local : flagPort,
    client: typeof remote === 'number' && remote > 0 ? remote : flagPort + 1,
  };
}
