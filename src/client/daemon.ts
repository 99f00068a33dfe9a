// The client daemon (`leasehold client`): one ClientMachine per interface, driven by InterfaceDriver, with the
// real sockets (daemon-link.ts), dhclient-script (script-runner.ts), ARP probes, the lease file and the PID
// file. `-r` and `-x` first stop a running client named by the PID file, then release (or just stop) the lease
// recorded in the lease file, as ISC's dhclient does.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { formatDiagnostic } from '../conf/diagnostics.js';
import { parseDhclientConf } from '../conf/index.js';
import { arpProbe } from '../io/arp.js';
import { sysNetValue } from '../io/interfaces.js';
import { type OmapiListener, startOmapiListener } from '../omapi/daemon-listener.js';
import { Catalogue } from '../options/catalogue.js';
import { ipToString } from '../wire/index.js';
import { type BuiltConfigs, buildClientConfigs, configFor } from './config.js';
import { CarrierWatch } from './daemon-carrier.js';
import { type DriverEnd, type DriverIo, InterfaceDriver, type TimerHost } from './daemon-driver.js';
import { LeaseFile, removePidFile, runningPid, writePidFile } from './daemon-files.js';
import { Link } from './daemon-link.js';
import { leasesForInterface } from './lease-file.js';
import { ClientMachine } from './machine.js';
import { ClientControl } from './omapi-control.js';
import { chooseScript, ScriptRunner } from './script-runner.js';

export interface ClientDaemonOptions {
  interfaces: string[];
  configFile: string;
  leaseFile: string;
  /** undefined: no PID file. */
  pidFile: string | undefined;
  /** -sf; undefined: dhclient.conf's `script`, /sbin/dhclient-script, or the built-in one. */
  script: string | undefined;
  /** Client port (68); servers are sent to port - 1. */
  port: number;
  /** -s SERVER: where broadcasts go instead. */
  server?: number;
  oneTry: boolean;
  mode: 'run' | 'release' | 'stop';
  quiet: boolean;
  verbose: boolean;
  /** Never use packet sockets (the UDP fallback). */
  noPacket?: boolean;
  /** ARP probe before binding a new address (default true). */
  checkAddress?: boolean;
  /** Where the OMAPI listener of `omapi port N;` binds (default 0.0.0.0, as ISC's omapi_listen). */
  omapiAddress?: string;
}

const DRIVER_CLOCK = { now: () => Date.now() };
/** setTimeout's limit; longer waits are chained. */
const MAX_DELAY = 0x7fffffff;

export const realTimers: TimerHost = {
  set(at, fn) {
    const h: { t?: NodeJS.Timeout } = {};
    const arm = () => {
      const delay = at - Date.now();
      h.t = setTimeout(delay > MAX_DELAY ? arm : fn, Math.max(0, Math.min(delay, MAX_DELAY)));
    };
    arm();
    return h;
  },
  clear(handle) {
    clearTimeout((handle as { t?: NodeJS.Timeout }).t);
  },
};

function readConf(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

/** Without interface names: those of `interface "x" { }` blocks, else every Ethernet interface but loopback. */
function defaultInterfaces(built: BuiltConfigs): string[] {
  if (built.interfaces.size > 0) return [...built.interfaces.keys()];
  let names: string[] = [];
  try {
    names = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]?.trim() ?? '')
      .filter((n) => n !== '' && n !== 'lo');
  } catch {}
  return names.filter((n) => sysNetValue(n, 'type') === '1');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** -r/-x: SIGTERM the client the PID file names and wait (bounded) for it to go. */
async function stopRunningClient(pidFile: string | undefined, log: (m: string) => void): Promise<void> {
  if (pidFile === undefined) return;
  const pid = runningPid(pidFile);
  if (pid === undefined) return;
  log(`Stopping the running client (pid ${pid})`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  log(`pid ${pid} is still running after 5 s; going on`);
}

export async function runClientDaemon(o: ClientDaemonOptions): Promise<number> {
  const info = (m: string) => {
    if (!o.quiet) process.stderr.write(`${m}\n`);
  };
  const error = (m: string) => process.stderr.write(`${m}\n`);
  const log = (level: 'info' | 'error', m: string) => (level === 'error' ? error(m) : info(m));

  // A missing dhclient.conf means the defaults, as in ISC's read_client_conf.
  const catalogue = Catalogue.standard();
  let built: BuiltConfigs;
  if (readConf(o.configFile) === undefined) {
    built = buildClientConfigs(undefined, catalogue);
  } else {
    const parsed = parseDhclientConf(o.configFile, { readFile: readConf, catalogue });
    if (parsed.error) {
      error(formatDiagnostic(parsed.error, parsed.sources.get(parsed.error.file)).trimEnd());
      return 1;
    }
    built = buildClientConfigs(parsed.conf, parsed.catalogue as Catalogue);
    if (o.verbose) for (const w of built.warnings) info(`${o.configFile}: ${w}`);
  }
  const cat = built.top.catalogue;
  const interfaces = o.interfaces.length > 0 ? o.interfaces : defaultInterfaces(built);
  if (interfaces.length === 0) {
    error('No interfaces to configure.');
    return 1;
  }
  for (const i of interfaces) {
    if (sysNetValue(i, 'ifindex') === undefined) {
      error(`Unknown interface ${i}`);
      return 1;
    }
  }

  const leaseFile = new LeaseFile(o.leaseFile, cat);
  let file: ReturnType<LeaseFile['read']>;
  try {
    file = leaseFile.read();
  } catch (err) {
    error(`Can't read ${o.leaseFile}: ${(err as Error).message}`);
    file = { leases: [], lease6Blocks: [], warnings: [] };
  }
  if (file.error) error(`${o.leaseFile}: ${file.error.message} (leases after it are ignored)`);
  const nowSec = Math.floor(Date.now() / 1000);

  if (o.mode !== 'run') await stopRunningClient(o.pidFile, info);
  else {
    try {
      leaseFile.rewrite(file, nowSec);
      if (o.pidFile !== undefined) writePidFile(o.pidFile);
    } catch (err) {
      error(`${(err as Error).message}`);
      return 1;
    }
  }

  const runner = new ScriptRunner({ choice: chooseScript(o.script, built.top.script), log });
  if (o.verbose) info(`Using ${runner.describe()}`);
  const links: Link[] = [];
  const drivers: InterfaceDriver[] = [];
  const watches: CarrierWatch[] = [];
  let warnedFallback = false;
  for (const ifname of interfaces) {
    const cfg = configFor(built, ifname);
    let driver: InterfaceDriver | undefined;
    const link = new Link({
      ifname,
      port: o.port,
      noPacket: o.noPacket ?? false,
      log,
      onMessage: (message, from) => driver?.post({ kind: 'message', message, from }),
    });
    const fellBack = await link.open().catch((err: Error) => {
      error(`${ifname}: ${err.message}`);
      return null;
    });
    if (fellBack === null) continue;
    if (fellBack !== undefined && !warnedFallback) {
      warnedFallback = true;
      error(`Packet sockets are not available (${fellBack}): using UDP broadcast, sent from the kernel's choice`);
    }
    links.push(link);
    const macText = link.mac ? undefined : sysNetValue(ifname, 'address');
    const mac = link.mac ?? Uint8Array.from((macText ?? '0:0:0:0:0:0').split(':').map((h) => Number.parseInt(h, 16)));
    if (o.verbose && link.usesPacketSocket) {
      const m = [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
      info(`Listening on LPF/${ifname}/${m}\nSending on   LPF/${ifname}/${m}`);
    }
    const mtu = Number(sysNetValue(ifname, 'mtu') ?? '');
    const machine = new ClientMachine(
      cfg,
      {
        interface: ifname,
        htype: 1,
        chaddr: mac,
        hostname: hostname(),
        ...(Number.isFinite(mtu) && mtu >= 576 ? { maxMessageSize: mtu } : {}),
      },
      {
        clock: DRIVER_CLOCK,
        random: Math.random,
        oneTry: o.oneTry,
        checkAddress: (o.checkAddress ?? true) && link.usesPacketSocket,
        pid: process.pid,
        ...(o.server !== undefined ? { server: o.server } : {}),
      },
    );
    const io: DriverIo = {
      send: async (a) => {
        await link.send(a);
        // A DHCPRELEASE unicast may wait for ARP in the kernel: give it a moment before RELEASE removes the
        // address it is sent from.
        if (a.type === 7 && a.from !== 0) await sleep(300);
      },
      runScript: (reason, env) => runner.run(reason, env),
      probe: async (address) => {
        const r = await arpProbe({
          ifname,
          address: ipToString(address),
          // Shorter than RFC 5227's ~7 s: ISC dhclient on Linux does not probe at all, and a client that takes
          // a second more to come up is the trade for noticing a duplicate.
          probeWaitMs: 0,
          probeCount: 2,
          probeMinMs: 200,
          probeMaxMs: 400,
          announceWaitMs: 500,
        });
        return r.conflict;
      },
      writeLease: async (lease) => leaseFile.append(lease),
      log,
    };
    driver = new InterfaceDriver(machine, io, realTimers);
    drivers.push(driver);
    if (o.mode === 'run') {
      const saved = leasesForInterface(file, ifname, nowSec);
      driver.post({ kind: 'start', ...(saved.active ? { active: saved.active } : {}), fallbacks: saved.others });
      // Carrier changes go to the engine, which confirms its lease when the link comes back.
      const d = driver;
      const watch = new CarrierWatch({
        ifname,
        onChange: (up) => {
          info(`${ifname}: link ${up ? 'up' : 'down'}`);
          if (up) link.repair();
          d.post({ kind: 'link', up });
        },
      });
      watch.start();
      watches.push(watch);
    } else {
      const saved = leasesForInterface(file, ifname, nowSec);
      if (saved.active) {
        machine.active = saved.active;
        machine.state = 'BOUND';
        driver.post({ kind: o.mode === 'release' ? 'release' : 'stop' });
      } else driver.shutdown();
    }
  }
  if (drivers.length === 0) {
    if (o.pidFile !== undefined && o.mode === 'run') removePidFile(o.pidFile);
    return 1;
  }

  // `omapi port N;` (top level only, as ISC's clparse): the control object, unauthenticated as in dhclient.
  let omapi: OmapiListener | undefined;
  const omapiPort = built.top.omapiPort;
  if (o.mode === 'run' && omapiPort !== undefined) {
    const control = new ClientControl({
      act: async (ev, state) => {
        info(`OMAPI: control state set to ${state}`);
        const live = drivers.filter((d) => !d.finished);
        for (const d of live) d.post(ev);
        await Promise.all(live.map((d) => d.idle()));
      },
    });
    try {
      omapi = await startOmapiListener({
        address: o.omapiAddress ?? '0.0.0.0',
        port: omapiPort,
        session: { provider: control },
        log: (line) => info(line),
      });
      if (o.verbose) info(`OMAPI listening on port ${omapi.port}`);
    } catch (err) {
      // ISC: log_fatal("Can't start OMAPI protocol: ...")
      error(`Can't start OMAPI protocol: ${(err as Error).message}`);
      for (const d of drivers) d.shutdown();
      for (const w of watches) w.stop();
      for (const l of links) l.close();
      if (o.pidFile !== undefined) removePidFile(o.pidFile);
      return 1;
    }
  }

  const onSignal = (sig: NodeJS.Signals) => {
    info(`Received ${sig}: stopping`);
    for (const d of drivers) d.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const ends: DriverEnd[] = await Promise.all(drivers.map((d) => d.done));
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  if (omapi !== undefined) {
    // A shutdown through the control object: its answer goes out before the listener closes.
    await sleep(200);
    await omapi.close();
  }
  for (const w of watches) w.stop();
  for (const l of links) l.close();
  if (o.pidFile !== undefined && o.mode === 'run') removePidFile(o.pidFile);
  return ends.find((e) => e.kind === 'exit' && e.code !== 0)?.code ?? 0;
}
