// Host names in option values (`option ntp-servers time.example.org;`) and fixed-address need
// addresses, but the engine is synchronous and must not wait for DNS. ISC dhcpd resolves them with a
// blocking gethostbyname on every use; Leasehold answers from a cache instead, and a miss starts one
// background lookup: the packet that missed goes out without that option (as ISC does when the name
// does not resolve), the following ones carry it. Positive answers are kept an hour, failures a
// minute, so a name that breaks in DNS keeps being retried without a lookup per packet.

import { lookup } from 'node:dns/promises';
import type { Scope, ScopeTree } from '../conf/scope-tree.js';
import type { Logger } from './daemon-log.js';
import type { HostResolver } from './types.js';

export type LookupFn = (name: string) => Promise<number[]>;

export interface ResolverOptions {
  clock: () => number;
  log: Logger;
  lookup?: LookupFn;
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  /** A lookup taking longer than this counts as a failure. */
  timeoutMs?: number;
}

async function dnsLookup(name: string): Promise<number[]> {
  const found = await lookup(name, { family: 4, all: true });
  return found.map(({ address }) => {
    const p = address.split('.').map(Number);
    return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
  });
}

export function cachingResolver(opts: ResolverOptions): HostResolver & { pending(): Promise<void> } {
  const cache = new Map<string, { addresses: number[]; until: number }>();
  const inFlight = new Map<string, Promise<void>>();
  const lookupFn = opts.lookup ?? dnsLookup;
  const start = (name: string) => {
    const timeoutMs = opts.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const p = Promise.race([lookupFn(name), timeout])
      .then(
        (addresses) => {
          cache.set(name, { addresses, until: opts.clock() + (opts.positiveTtlMs ?? 3_600_000) });
        },
        (e: unknown) => {
          opts.log.error(`Unable to resolve ${name}: ${e instanceof Error ? e.message : String(e)}`);
          cache.set(name, { addresses: [], until: opts.clock() + (opts.negativeTtlMs ?? 60_000) });
        },
      )
      .finally(() => {
        clearTimeout(timer);
        inFlight.delete(name);
      });
    inFlight.set(name, p);
  };
  const resolve = (name: string): readonly number[] | undefined => {
    const hit = cache.get(name);
    if (hit === undefined || hit.until <= opts.clock()) {
      if (!inFlight.has(name)) start(name);
    }
    return hit === undefined || hit.addresses.length === 0 ? undefined : hit.addresses;
  };
  return Object.assign(resolve, {
    pending: async () => {
      await Promise.allSettled([...inFlight.values()]);
    },
  });
}

/** Every host name the configuration will ask the resolver for: option values, parameters
 * (next-server, server-identifier) and fixed addresses written as names. */
export function configuredHostnames(tree: ScopeTree): string[] {
  const names = new Set<string>();
  const scopes: Scope[] = [tree.global];
  for (const n of tree.sharedNetworks) scopes.push(n.scope);
  for (const s of tree.subnets) scopes.push(s.scope);
  for (const p of tree.pools) scopes.push(p.scope);
  for (const h of tree.hosts) {
    scopes.push(h.scope);
    for (const a of h.fixedAddresses) if (!/^\d+\.\d+\.\d+\.\d+$/.test(a)) names.add(a);
  }
  for (const c of tree.classes.values()) scopes.push(c.scope);
  for (const scope of scopes) {
    for (const st of scope.options.values()) for (const n of st.hostnames ?? []) names.add(n);
    for (const st of scope.parameters.values()) for (const n of st.hostnames ?? []) names.add(n);
  }
  return [...names];
}

/**
 * Looks every configured name up before the server says it is ready, waiting at most `timeoutMs`, so
 * that the first clients already get those options. A name still unresolved keeps being tried.
 */
export async function prefetch(
  resolver: ReturnType<typeof cachingResolver>,
  names: readonly string[],
  timeoutMs: number,
): Promise<void> {
  if (names.length === 0) return;
  for (const n of names) resolver(n);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((r) => {
    timer = setTimeout(r, timeoutMs);
  });
  await Promise.race([resolver.pending(), deadline]);
  clearTimeout(timer);
}
