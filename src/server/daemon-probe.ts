// ISC's ping-check for the daemon, plus the ARP probe ISC lacks: before an OFFER of an address that
// may be in use, the engine asks for a probe; the daemon holds the OFFER until the probe resolves
// (other clients are not delayed: each packet is its own promise).
// - ICMP echo (src/io/icmp.ts: raw or unprivileged ping socket), opened on first use; where it cannot
//   be opened that is said once and offers go out without it, as ISC does when it cannot ping.
// - ARP probe (RFC 5227, src/io/arp-prober.ts) on the served interface whose subnet holds the address:
//   catches hosts whose firewall drops ping. Only for directly attached subnets (a relayed client's
//   link is out of reach), and only with packet sockets (the raw transport); over UDP sockets that is
//   said once and ICMP alone decides.
// Both run at the same time; "in use" as soon as either answers within ping-timeout.

import { type ArpProber, openArpProber } from '../io/arp-prober.js';
import { describeIoError, errnoCode } from '../io/errors.js';
import { openPinger, type Pinger } from '../io/icmp.js';
import type { ServedInterface, Transport } from '../io/transport.js';
import type { Logger } from './daemon-log.js';

/** Resolves true when something answered for `address` within `timeoutMs`. */
export type Prober = (address: number, timeoutMs: number) => Promise<boolean>;

export interface IcmpProber {
  probe: Prober;
  /** Opens the socket now rather than at the first probe (before root is dropped: -user/-group). */
  open(): void;
  close(): void;
}

function dotted(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function icmpProber(log: Logger, open: () => Pinger = () => openPinger()): IcmpProber {
  let pinger: Pinger | undefined;
  let unavailable = false;
  let closed = false;
  const get = (): Pinger | undefined => {
    if (pinger !== undefined || unavailable || closed) return pinger;
    try {
      pinger = open();
    } catch (e) {
      unavailable = true;
      log.error(`ping-check: cannot send ICMP echo (${errText(e)}); offering without it.`);
    }
    return pinger;
  };
  return {
    probe: async (address, timeoutMs) => {
      const p = get();
      if (p === undefined) return false;
      const r = await p.ping(dotted(address), { timeoutMs });
      return r.alive;
    },
    open: () => void get(),
    close: () => {
      closed = true;
      pinger?.close();
      pinger = undefined;
    },
  };
}

/** Runs every prober at once: true as soon as one answers, false once all are silent (a failure is silence). */
export function firstAnswer(probers: readonly Prober[]): Prober {
  return (address, timeoutMs) =>
    new Promise((resolve) => {
      let left = probers.length;
      if (left === 0) resolve(false);
      for (const p of probers) {
        void p(address, timeoutMs)
          .catch(() => false)
          .then((answered) => {
            if (answered) resolve(true);
            else if (--left === 0) resolve(false);
          });
      }
    });
}

/** The served interface on whose link `address` lies: one with an address in the same subnet, else (a
 * shared network with several subnets on one link) the one attached to the address's shared network. */
export function attachedInterface(
  interfaces: readonly ServedInterface[],
  address: number,
  networkOf?: (address: number) => string | undefined,
): ServedInterface | undefined {
  const bySubnet = interfaces.find((i) =>
    i.addresses.some((a, k) => {
      const mask = i.masks[k] ?? 0xffffffff;
      return (a & mask) >>> 0 === (address & mask) >>> 0;
    }),
  );
  if (bySubnet !== undefined || networkOf === undefined) return bySubnet;
  const network = networkOf(address);
  return network === undefined ? undefined : interfaces.find((i) => i.networkName === network);
}

/** Errors that mean "no ARP probes in this process at all", not "not on this interface right now". */
const PROCESS_WIDE = new Set(['EPERM', 'EACCES', 'EAFNOSUPPORT', 'ERR_LEASEHOLD_NATIVE_UNAVAILABLE']);

export interface ArpSideDeps {
  /** The transport serving now (its interfaces change as they come and go); undefined before it opens. */
  transport: () => Pick<Transport, 'kind' | 'interfaces'> | undefined;
  /** The shared network's log name of an address (as ServedInterface.networkName), if declared. */
  networkOf?: (address: number) => string | undefined;
  /** Tests: a fake prober per interface. Default: an ARP socket on it. */
  open?: (iface: ServedInterface, onError: (err: Error) => void) => ArpProber;
}

export interface ServerProber {
  probe: Prober;
  /** Opens the sockets for the interfaces served now, before root is dropped (-user/-group): a socket
   * needing CAP_NET_RAW cannot be opened later. Interfaces that appear afterwards get ICMP only then. */
  open(): void;
  close(): void;
}

/** The ARP half: one shared prober per served interface, opened on first use, closed when the interface
 * goes (or comes back with another index). */
export function arpSideProber(log: Logger, deps: ArpSideDeps): ServerProber {
  const open = deps.open ?? ((iface, onError) => openArpProber({ ifname: iface.name, onError }));
  const probers = new Map<string, ArpProber>();
  const reported = new Set<string>();
  let disabled = false;
  let opened = false;
  let closed = false;
  const once = (key: string, line: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    log.error(line);
  };
  const prune = (interfaces: readonly ServedInterface[]) => {
    for (const [name, p] of probers) {
      const now = interfaces.find((i) => i.name === name);
      if (now === undefined || p.closed || (now.index !== 0 && p.ifindex !== now.index)) {
        p.close();
        probers.delete(name);
      }
    }
  };
  const get = (iface: ServedInterface): ArpProber | undefined => {
    const have = probers.get(iface.name);
    if (have !== undefined) return have;
    try {
      const p = open(iface, (err) =>
        once(`err/${iface.name}/${errnoCode(err)}`, `ping-check: ARP on ${iface.name}: ${err.message}`),
      );
      probers.set(iface.name, p);
      opened = true;
      return p;
    } catch (e) {
      const code = errnoCode(e);
      // Refused on the first try: none will work. Refused later (root dropped since): this interface only.
      if (code !== undefined && PROCESS_WIDE.has(code) && !opened) {
        disabled = true;
        once('disabled', `ping-check: cannot send ARP probes (${describeIoError(e)}); pinging only.`);
      } else {
        once(
          `open/${iface.name}/${iface.index}`,
          `ping-check: no ARP probes on ${iface.name} (${describeIoError(e)}).`,
        );
      }
      return undefined;
    }
  };
  return {
    probe: async (address, timeoutMs) => {
      const t = deps.transport();
      if (closed || disabled || t === undefined) return false;
      if (t.kind !== 'raw') {
        once('udp', 'ping-check: ARP probes need packet sockets; over UDP sockets only ICMP echo is sent.');
        return false;
      }
      prune(t.interfaces);
      const iface = attachedInterface(t.interfaces, address, deps.networkOf);
      if (iface === undefined) return false; // a relayed subnet: its link is out of our reach
      const p = get(iface);
      if (p === undefined) return false;
      const pkt = await p.probe(dotted(address), timeoutMs);
      if (pkt === undefined) return false;
      log.info(`ping-check: ${dotted(address)} answered an ARP probe on ${iface.name} (${pkt.senderMac}).`);
      return true;
    },
    open: () => {
      const t = deps.transport();
      if (closed || t?.kind !== 'raw') return;
      for (const iface of t.interfaces) if (!disabled) get(iface);
    },
    close: () => {
      closed = true;
      for (const p of probers.values()) p.close();
      probers.clear();
    },
  };
}

/** ICMP echo and ARP probe together, as the daemon uses them. */
export function serverProber(
  log: Logger,
  transport: ArpSideDeps['transport'],
  deps: { icmp?: () => Pinger; arp?: ArpSideDeps['open']; networkOf?: ArpSideDeps['networkOf'] } = {},
): ServerProber {
  const icmp = icmpProber(log, deps.icmp);
  const arp = arpSideProber(log, {
    transport,
    ...(deps.arp ? { open: deps.arp } : {}),
    ...(deps.networkOf ? { networkOf: deps.networkOf } : {}),
  });
  return {
    probe: firstAnswer([icmp.probe, arp.probe]),
    open: () => {
      icmp.open();
      arp.open();
    },
    close: () => {
      icmp.close();
      arp.close();
    },
  };
}
