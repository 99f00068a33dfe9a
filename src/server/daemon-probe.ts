// ISC's ping-check for the daemon: before an OFFER of an address that may be in use, the engine asks
// for a probe; the daemon sends an ICMP echo and holds the OFFER for the timeout (other clients are not
// delayed: each packet is its own promise). The ICMP socket comes from src/io/icmp.ts (native addon,
// raw or unprivileged ping socket) and is opened on first use. Where it cannot be opened, that is said
// once and offers go out unchecked, as ISC does when it cannot ping. The ARP probe of issue 4 plugs in
// here as well.

import { openPinger, type Pinger } from '../io/icmp.js';
import type { Logger } from './daemon-log.js';

/** Resolves true when something answered for `address` within `timeoutMs`. */
export type Prober = (address: number, timeoutMs: number) => Promise<boolean>;

export interface IcmpProber {
  probe: Prober;
  close(): void;
}

function dotted(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
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
      log.error(
        `ping-check: cannot send ICMP echo (${e instanceof Error ? e.message : String(e)}); offering without it.`,
      );
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
    close: () => {
      closed = true;
      pinger?.close();
      pinger = undefined;
    },
  };
}
