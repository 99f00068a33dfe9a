// The server's ARP check before an offer: one ARP socket per served interface, shared by every address being
// checked on it at the same moment. Each check broadcasts RFC 5227 probes (sender IP 0.0.0.0, so no host
// learns a binding from us) and listens until its timeout; any sign that another host holds or claims the
// address (isArpConflict) ends it at once. Unlike arpProbe() (a host claiming an address for itself, with
// RFC 5227's random multi-second waits), this fits ISC's ping-timeout: probes at 0 and half-way.
import { formatMac } from './addr.js';
import { ARP_REQUEST, type ArpPacket, decodeArpFrame, encodeArpFrame, isArpConflict } from './arp.js';
import type { NativeLoad } from './native.js';
import { openArpSocket, type PacketSocket } from './packet-socket.js';

/** Schedules `fn` after `ms`; returns the cancel function (injected so unit tests drive time by hand). */
export type OneShotTimer = (fn: () => void, ms: number) => () => void;

const defaultTimer: OneShotTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export interface ArpProber {
  readonly ifname: string;
  /** Kernel index of the interface the socket is bound to. */
  readonly ifindex: number;
  readonly closed: boolean;
  /** Probes `address` (dotted quad); resolves with the conflicting packet, or undefined after `timeoutMs` of
   * silence. Rejects only when the first probe cannot be sent (ENETDOWN…). */
  probe(address: string, timeoutMs: number): Promise<ArpPacket | undefined>;
  /** Ends pending checks as silent and closes the socket; idempotent. */
  close(): void;
}

export interface ArpProberOptions {
  ifname: string;
  /** Probes per check, spread evenly over the timeout (default 2: at 0 and at half of it). */
  probes?: number;
  timer?: OneShotTimer;
  /** Socket errors after opening, and failures of later probes. Default: a process warning. */
  onError?: (err: Error) => void;
  native?: NativeLoad;
}

interface Waiter {
  address: string;
  cancels: (() => void)[];
  resolve: (pkt: ArpPacket | undefined) => void;
}

/** Opens the ARP socket on `ifname` now; throws the errno Error (EPERM, ENODEV…) when it cannot. */
export function openArpProber(opts: ArpProberOptions): ArpProber {
  const timer = opts.timer ?? defaultTimer;
  const onError = opts.onError ?? ((err: Error) => process.emitWarning(err));
  const count = Math.max(1, Math.floor(opts.probes ?? 2));
  const pending = new Map<string, Set<Waiter>>();
  let closed = false;
  let ownMac = '';

  const settle = (w: Waiter, pkt: ArpPacket | undefined) => {
    const set = pending.get(w.address);
    if (!set?.delete(w)) return;
    if (set.size === 0) pending.delete(w.address);
    for (const cancel of w.cancels) cancel();
    w.resolve(pkt);
  };

  const sock: PacketSocket = openArpSocket({
    ifname: opts.ifname,
    onFrame: (frame) => {
      const pkt = decodeArpFrame(frame);
      if (pkt === undefined) return;
      // A conflict names the probed address as sender (a holder) or as target (another prober): look up both.
      for (const address of new Set([pkt.senderIp, pkt.targetIp])) {
        const set = pending.get(address);
        if (set === undefined || !isArpConflict(pkt, address, ownMac)) continue;
        for (const w of [...set]) settle(w, pkt);
      }
    },
    onError: (err) => {
      if (!closed) onError(err);
    },
    ...(opts.native ? { native: opts.native } : {}),
  });
  ownMac = formatMac(sock.mac);
  // Pending checks hold their own timers; the socket alone must not keep the process alive.
  sock.unref();

  const frameFor = (address: string) =>
    encodeArpFrame({ srcMac: sock.mac, op: ARP_REQUEST, senderIp: '0.0.0.0', targetIp: address });

  return {
    ifname: opts.ifname,
    ifindex: sock.ifindex,
    get closed() {
      return closed;
    },
    probe(address, timeoutMs) {
      if (closed) return Promise.resolve(undefined);
      let frame: Buffer;
      try {
        frame = frameFor(address);
        sock.send(frame);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve) => {
        const w: Waiter = { address, cancels: [], resolve };
        const set = pending.get(address) ?? new Set<Waiter>();
        pending.set(address, set);
        set.add(w);
        const step = Math.max(0, timeoutMs) / count;
        for (let i = 1; i < count; i++) {
          w.cancels.push(
            timer(() => {
              if (closed) return;
              try {
                sock.send(frame);
              } catch (err) {
                onError(err as Error);
              }
            }, step * i),
          );
        }
        w.cancels.push(timer(() => settle(w, undefined), Math.max(0, timeoutMs)));
      });
    },
    close() {
      if (closed) return;
      closed = true;
      for (const set of [...pending.values()]) for (const w of [...set]) settle(w, undefined);
      sock.close();
    },
  };
}
