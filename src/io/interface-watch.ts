// Interfaces that come, go or change address while the server runs. Every `intervalMs` (default 2 s) the
// watcher lists the system's interfaces again (os.networkInterfaces() and /sys, as at start-up), makes the same
// choice as start-up (selectInterfaces: the named ones, else every broadcast interface with an address in a
// declared subnet), and tells the transport what to add, re-address or drop. Polling rather than a netlink
// monitor: one cheap call every two seconds, nothing to parse, nothing that can be left running.
// Each interface left out is said once per address (ISC's "No subnet declaration" paragraph); an interface the
// transport could not open is said once and retried only when its addresses or index change.

import { describeIoError } from './errors.js';
import {
  type InterfaceSelection,
  noSubnetLines,
  type SubnetLookup,
  type SystemInterface,
  sameServedInterface,
  selectInterfaces,
  systemInterfaces,
} from './interfaces.js';
import type { ServedInterface, Transport } from './transport.js';

/** What the transport must do to serve `wanted` when it serves `current`. A changed interface is in `add`
 * (the transport takes the new record in place of the old one). */
export interface InterfacePlan {
  add: ServedInterface[];
  remove: string[];
}

export function planInterfaces(current: readonly ServedInterface[], wanted: readonly ServedInterface[]): InterfacePlan {
  const add = wanted.filter((w) => {
    const have = current.find((c) => c.name === w.name);
    return have === undefined || !sameServedInterface(have, w);
  });
  const remove = current.filter((c) => !wanted.some((w) => w.name === c.name)).map((c) => c.name);
  return { add, remove };
}

/** A repeating timer; returns its cancel function. */
export type RepeatTimer = (fn: () => void, ms: number) => () => void;

const defaultTimer: RepeatTimer = (fn, ms) => {
  const t = setInterval(fn, ms);
  t.unref(); // the sockets keep the server alive, not the watcher
  return () => clearInterval(t);
};

export interface WatchLog {
  info(line: string): void;
  error(line: string): void;
}

export interface InterfaceWatchOptions {
  transport: Pick<Transport, 'interfaces' | 'addInterface' | 'removeInterface'>;
  /** Interface names from the command line (empty: every broadcast interface in a declared subnet). */
  requested: readonly string[];
  subnetOf: SubnetLookup;
  log: WatchLog;
  /** What start-up left out, so its lines are not said again. */
  initial?: Pick<InterfaceSelection, 'ignored'>;
  list?: () => SystemInterface[];
  intervalMs?: number;
  timer?: RepeatTimer;
}

export interface InterfaceWatch {
  /** One look at the system now (the timer calls it; tests too). Never rejects; polls do not overlap. */
  poll(): Promise<void>;
  /** Stops the timer and waits for a poll in progress; the transport is left as it is. */
  stop(): Promise<void>;
}

function dotted(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

const ignoredKey = (i: { name: string; address?: number }) => `${i.name}/${i.address ?? 'none'}`;
const failedKey = (i: ServedInterface) => `${i.name}/${i.index}/${i.addresses.map(dotted).join(',')}`;

export function watchInterfaces(opts: InterfaceWatchOptions): InterfaceWatch {
  const { transport, log } = opts;
  const list = opts.list ?? systemInterfaces;
  let ignored = new Set((opts.initial?.ignored ?? []).map(ignoredKey));
  const failed = new Map<string, string>();
  let running: Promise<void> | undefined;
  let stopped = false;

  const pollNow = async (): Promise<void> => {
    if (transport.addInterface === undefined || transport.removeInterface === undefined) return;
    const system = list();
    const selection = selectInterfaces(system, opts.requested, opts.subnetOf);
    const nowIgnored = new Set<string>();
    for (const i of selection.ignored) {
      const key = ignoredKey(i);
      nowIgnored.add(key);
      // A served interface that lost its subnet address is said by its removal below and by this paragraph.
      if (!ignored.has(key)) for (const line of noSubnetLines(i.name, i.address)) log.error(line);
    }
    ignored = nowIgnored;
    const plan = planInterfaces(transport.interfaces, selection.served);
    for (const name of plan.remove) {
      if (stopped) return;
      failed.delete(name);
      for (const line of await transport.removeInterface(name)) log.info(line);
    }
    for (const iface of plan.add) {
      if (stopped) return;
      const key = failedKey(iface);
      if (failed.get(iface.name) === key) continue;
      try {
        for (const line of await transport.addInterface(iface)) log.info(line);
        failed.delete(iface.name);
      } catch (e) {
        failed.set(iface.name, key);
        log.error(`Can't listen on ${iface.name}: ${describeIoError(e)}; will retry when its addresses change.`);
        // Whatever the transport held for it is stale now.
        for (const line of await transport.removeInterface(iface.name).catch(() => [])) log.info(line);
      }
    }
    // Those gone from the served set while a failure was remembered may be retried once they return.
    for (const name of [...failed.keys()]) {
      if (!selection.served.some((s) => s.name === name)) failed.delete(name);
    }
  };

  const poll = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= pollNow()
      .catch((e: unknown) => log.error(`interface scan failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const cancel = (opts.timer ?? defaultTimer)(() => void poll(), opts.intervalMs ?? 2000);
  return {
    poll,
    async stop() {
      stopped = true;
      cancel();
      await running;
    },
  };
}
