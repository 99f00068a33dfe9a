// Watches an interface's carrier (link up/down) for the daemon, so that a link that comes back makes the engine
// confirm its lease (INIT-REBOOT, as dhcpcd does; ISC dhclient does not watch the link). Polls
// /sys/class/net/IF/carrier: one small read a second costs nothing and needs no netlink socket. A read that
// fails (the interface is administratively down: the kernel answers EINVAL) counts as no carrier.
// The first sample only sets the starting state: the engine is told about changes, not about how things were.
import { sysNetValue } from '../io/interfaces.js';

export interface CarrierWatchOptions {
  ifname: string;
  onChange: (up: boolean) => void;
  /** Milliseconds between samples (default 1000). */
  intervalMs?: number;
  /** Reads the carrier: true (1), false (0); throws when it cannot be read. Injected by tests. */
  read?: (ifname: string) => boolean;
  /** Injected by tests. */
  timers?: { every(ms: number, fn: () => void): unknown; clear(handle: unknown): void };
}

export function readCarrier(ifname: string): boolean {
  const v = sysNetValue(ifname, 'carrier');
  if (v === undefined) throw new Error(`${ifname}: carrier unreadable`);
  return v === '1';
}

const realTimers = {
  every(ms: number, fn: () => void): unknown {
    const h = setInterval(fn, ms);
    h.unref(); // the drivers keep the daemon alive, not the watch
    return h;
  },
  clear(handle: unknown): void {
    clearInterval(handle as NodeJS.Timeout);
  },
};

export class CarrierWatch {
  private up: boolean | undefined;
  private handle: unknown;

  constructor(private readonly o: CarrierWatchOptions) {}

  /** The last sample (undefined before the first). */
  get carrier(): boolean | undefined {
    return this.up;
  }

  start(): void {
    if (this.handle !== undefined) return;
    this.sample();
    this.handle = (this.o.timers ?? realTimers).every(this.o.intervalMs ?? 1000, () => this.sample());
  }

  /** Takes one sample; calls onChange when it differs from the previous one. */
  sample(): void {
    let now: boolean;
    try {
      now = (this.o.read ?? readCarrier)(this.o.ifname);
    } catch {
      now = false;
    }
    const before = this.up;
    this.up = now;
    if (before !== undefined && before !== now) this.o.onChange(now);
  }

  stop(): void {
    if (this.handle === undefined) return;
    (this.o.timers ?? realTimers).clear(this.handle);
    this.handle = undefined;
  }
}
