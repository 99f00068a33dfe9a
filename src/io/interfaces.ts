// Which interfaces the server answers on, decided as ISC dhcpd's discover_interfaces does: those
// named on the command line, else every broadcast-capable IPv4 interface; either way only those with
// an address inside a declared subnet, and each one left out is said in the log with ISC's words.

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { ServedInterface } from './transport.js';

/** What the system says about one interface (the injectable part, for tests). */
export interface SystemInterface {
  name: string;
  index: number;
  /** IFF_BROADCAST and not loopback/point-to-point. */
  broadcast: boolean;
  loopback: boolean;
  up: boolean;
  mac?: Uint8Array;
  mtu?: number;
  addresses: { address: number; mask: number }[];
}

/** The subnet lookup the selection needs: the shared network's log name for an address, if declared. */
export type SubnetLookup = (address: number) => string | undefined;

export interface InterfaceSelection {
  served: ServedInterface[];
  /** Lines to log, ISC's wording. */
  log: string[];
  /** Candidates left out for want of an address in a declared subnet (their first address, if any). */
  ignored: { name: string; address?: number }[];
  /** Interfaces named on the command line that do not exist or have no IPv4 address (yet). */
  missing: string[];
  /** Fatal: nothing is left to serve. */
  error?: string;
}

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_POINTOPOINT = 0x10;

function dotted(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function parseDotted(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

/** One attribute of /sys/class/net/IFNAME (`mtu`, `carrier`, `address`…), trimmed; undefined when unreadable. */
export function sysNetValue(ifname: string, key: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${ifname}/${key}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function sysNetNumber(ifname: string, key: string): number | undefined {
  const text = sysNetValue(ifname, key);
  const n = text === undefined ? Number.NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The interfaces of this network namespace, from os.networkInterfaces() and /sys/class/net (for the
 * flags and index, which Node does not report). An interface that is down has no entry in
 * os.networkInterfaces() and is not listed.
 */
export function systemInterfaces(): SystemInterface[] {
  const out: SystemInterface[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const v4 = (infos ?? []).filter((i) => i.family === 'IPv4');
    if (v4.length === 0) continue;
    const flags = sysNetNumber(name, 'flags');
    const loopback = v4.some((i) => i.internal) || (flags !== undefined && (flags & IFF_LOOPBACK) !== 0);
    const broadcast =
      flags === undefined
        ? !loopback
        : (flags & IFF_BROADCAST) !== 0 && (flags & (IFF_LOOPBACK | IFF_POINTOPOINT)) === 0;
    const macText = v4[0]?.mac ?? '00:00:00:00:00:00';
    const mac = Uint8Array.from(macText.split(':').map((h) => Number.parseInt(h, 16)));
    const mtu = sysNetNumber(name, 'mtu');
    out.push({
      name,
      index: sysNetNumber(name, 'ifindex') ?? 0,
      broadcast,
      loopback,
      up: flags === undefined ? true : (flags & IFF_UP) !== 0,
      ...(mac.some((b) => b !== 0) ? { mac } : {}),
      ...(mtu !== undefined && mtu >= 576 ? { mtu } : {}),
      addresses: v4.map((i) => ({ address: parseDotted(i.address), mask: parseDotted(i.netmask) })),
    });
  }
  return out;
}

/** ISC's paragraph for an interface it will not serve (discover.c). */
export function noSubnetLines(name: string, address: number | undefined): string[] {
  // ISC surrounds the paragraph with empty lines; kept, so the log reads the same.
  return [
    '',
    `No subnet declaration for ${name} (${address === undefined ? 'no IPv4 addresses' : dotted(address)}).`,
    `** Ignoring requests on ${name}.  If this is not what`,
    '   you want, please write a subnet declaration',
    '   in your dhcpd.conf file for the network segment',
    `   to which interface ${name} is attached. **`,
    '',
  ];
}

/** ISC's words for a named interface that is not there, and what the watcher will do about it. */
export function missingLine(name: string): string {
  return `Interface ${name} not found or has no IPv4 address; it will be served once it has one.`;
}

/**
 * Chooses the interfaces to serve. `requested` are the names given on the command line (empty:
 * discover). A requested name that does not exist (yet) is logged and left to the interface watcher;
 * when nothing at all can be served the start fails, as ISC's does.
 */
export function selectInterfaces(
  system: readonly SystemInterface[],
  requested: readonly string[],
  subnetOf: SubnetLookup,
): InterfaceSelection {
  const log: string[] = [];
  const served: ServedInterface[] = [];
  const ignored: InterfaceSelection['ignored'] = [];
  const missing: string[] = [];
  let candidates: SystemInterface[];
  if (requested.length > 0) {
    candidates = [];
    for (const name of requested) {
      const found = system.find((s) => s.name === name);
      if (found === undefined) {
        if (!missing.includes(name)) missing.push(name);
      } else if (!candidates.includes(found)) candidates.push(found);
    }
  } else {
    candidates = system.filter((s) => s.broadcast && !s.loopback && s.up);
  }
  for (const sys of candidates) {
    // The first address inside a declared subnet locates the interface's clients; it goes first.
    const i = sys.addresses.findIndex((a) => subnetOf(a.address) !== undefined);
    const primary = sys.addresses[i];
    if (primary === undefined) {
      const first = sys.addresses[0]?.address;
      ignored.push({ name: sys.name, ...(first !== undefined ? { address: first } : {}) });
      log.push(...noSubnetLines(sys.name, first));
      continue;
    }
    const rest = sys.addresses.filter((_, k) => k !== i);
    served.push({
      name: sys.name,
      index: sys.index,
      addresses: [primary.address, ...rest.map((a) => a.address)],
      masks: [primary.mask, ...rest.map((a) => a.mask)],
      ...(sys.mac ? { mac: sys.mac } : {}),
      ...(sys.mtu !== undefined ? { mtu: sys.mtu } : {}),
      networkName: subnetOf(primary.address) ?? '',
    });
  }
  const result = { served, log, ignored, missing };
  if (served.length > 0) {
    for (const name of missing) log.push(missingLine(name));
    return result;
  }
  const [absent] = missing;
  const error =
    absent !== undefined && ignored.length === 0
      ? `Interface ${absent} not found or has no IPv4 address.`
      : 'Not configured to listen on any interfaces!';
  return { ...result, error };
}

/** Whether two records describe the same served interface (index, addresses, masks, MTU, network). */
export function sameServedInterface(a: ServedInterface, b: ServedInterface): boolean {
  const same = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.name === b.name &&
    (a.index === 0 || b.index === 0 || a.index === b.index) &&
    same(a.addresses, b.addresses) &&
    same(a.masks, b.masks) &&
    a.mtu === b.mtu &&
    a.networkName === b.networkName
  );
}
