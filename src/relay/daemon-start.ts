// Start-up and shut-down of `leasehold relay`, in dhcrelay's order: banner, the interfaces (those named
// with -i/-iu/-id, else every broadcast interface with an IPv4 address), the sockets (packet sockets where
// permitted, else UDP sockets, said once), the PID file, then "Relay agent starting service." once ready.
// Interfaces that appear, go or change address later are picked up by the server's watcher (src/io).

import { watchInterfaces } from '../io/interface-watch.js';
import { type SystemInterface, selectInterfaces, systemInterfaces } from '../io/interfaces.js';
import { openBestTransport } from '../io/raw-fallback.js';
import type { PacketHandler, ServedInterface, Transport } from '../io/transport.js';
import type { Logger } from '../server/daemon-log.js';
import { removePidFile, writePidFile } from '../server/pid-file.js';
import { ipToString, maskToPrefix, networkOf } from '../wire/ip.js';
import type { AgentIds } from './agent-ids.js';
import { RelayDaemon, type Roles } from './daemon.js';
import type { RelaySettings } from './engine.js';

export const RELAY_BANNER = 'Leasehold DHCP Relay Agent 0.1.0 (for ISC dhcrelay command lines)';

export interface RelayStartSettings {
  relay: RelaySettings;
  /** Named interfaces and their directions: -i both, -iu upstream, -id downstream. */
  interfaces: ReadonlyArray<{ name: string; upstream: boolean; downstream: boolean }>;
  /** --circuit-id, --remote-id; default: circuit-id = the interface name, no remote-id (ISC). */
  agentIds?: AgentIds;
  port: number;
  pidFile: string | undefined;
  quiet: boolean;
  transport?: 'auto' | 'udp';
}

export interface RelayStartDeps {
  log: Logger;
  pid?: number;
  listInterfaces?: () => SystemInterface[];
  openTransport?: (interfaces: readonly ServedInterface[], port: number, onPacket: PacketHandler) => Promise<Transport>;
}

export interface RunningRelay {
  daemon: RelayDaemon;
  transport: Transport;
  stop(): Promise<void>;
}

export type RelayStartResult = { ok: true; relay: RunningRelay } | { ok: false; code: number };

/** Directions per interface name: merged over repeated flags; without any named interface, both. */
export function rolesOf(named: RelayStartSettings['interfaces']): Roles {
  const map = new Map<string, { upstream: boolean; downstream: boolean }>();
  for (const n of named) {
    const had = map.get(n.name) ?? { upstream: false, downstream: false };
    map.set(n.name, { upstream: had.upstream || n.upstream, downstream: had.downstream || n.downstream });
  }
  return (name) => map.get(name) ?? { upstream: map.size === 0, downstream: map.size === 0 };
}

export async function startRelay(settings: RelayStartSettings, deps: RelayStartDeps): Promise<RelayStartResult> {
  const { log } = deps;
  const pid = deps.pid ?? process.pid;
  if (!settings.quiet) log.info(RELAY_BANNER);
  const requested = [...new Set(settings.interfaces.map((i) => i.name))];
  const system = (deps.listInterfaces ?? systemInterfaces)();
  // Every address serves a relay: the network's name is only for the "Listening on" lines.
  const networkName = (address: number) => {
    for (const s of system) {
      const a = s.addresses.find((x) => x.address === address);
      if (a !== undefined) return `${ipToString(networkOf(a.address, a.mask))}/${maskToPrefix(a.mask) ?? 32}`;
    }
    return ipToString(address);
  };
  const selection = selectInterfaces(system, requested, networkName);
  for (const line of selection.log) log.error(line);
  if (selection.error !== undefined) {
    log.error(selection.error);
    return { ok: false, code: 1 };
  }
  const daemon = new RelayDaemon(settings.relay, rolesOf(settings.interfaces), log, settings.agentIds);
  const open =
    deps.openTransport ??
    ((ifaces, port, onPacket) =>
      openBestTransport({
        interfaces: ifaces,
        port,
        onPacket,
        onError: (err) => log.error(`socket error: ${err.message}`),
        log: (line) => log.error(line),
        udpOnly: 'relaying over UDP sockets: replies to clients are broadcast',
        prefer: settings.transport ?? 'auto',
      }));
  let transport: Transport;
  try {
    transport = await open(selection.served, settings.port, daemon.onPacket);
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    return { ok: false, code: 1 };
  }
  for (const line of transport.describe()) log.info(line);
  daemon.start(transport);
  const watch =
    transport.addInterface === undefined
      ? undefined
      : watchInterfaces({
          transport,
          requested,
          subnetOf: networkName,
          log,
          initial: selection,
          ...(deps.listInterfaces ? { list: deps.listInterfaces } : {}),
        });
  if (settings.pidFile !== undefined) {
    try {
      await writePidFile(settings.pidFile, pid);
    } catch (e) {
      log.error(`Can't create ${settings.pidFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  log.info('Relay agent starting service.');
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await watch?.stop();
      await daemon.stop();
      for (const line of daemon.statistics()) log.info(line);
      if (settings.pidFile !== undefined) await removePidFile(settings.pidFile, pid);
    })();
    return stopped;
  };
  return { ok: true, relay: { daemon, transport, stop } };
}
