// What dhcpd.conf says about dynamic DNS as a whole (ISC reads these once, at start-up, from the global
// scope: ddns-update-style, the conflict-detection switches, ddns-local-address4, zones and keys). The
// per-lease statements (ddns-hostname, ddns-updates, client-updates...) are read from each lease's
// settings chain by the server's engine (src/server/ddns-plan.ts).

import type { KeyDecl } from '../conf/ast.js';
import type { ScopeTree } from '../conf/scope-tree.js';
import { parseIpv4 } from '../wire/ip.js';
import type { ConflictRules, DdnsStyle } from './transaction.js';
import type { DdnsZone } from './updater.js';

export interface DdnsSettings {
  style: DdnsStyle;
  conflict: ConflictRules;
  zones: DdnsZone[];
  /** The zones by lower-case name, for zoneFor. */
  zoneIndex: Map<string, DdnsZone>;
  /** `ddns-local-address4`: the source address of updates. */
  localAddress?: number;
  /** Zones whose servers or key could not be used, for the start-up log. */
  problems: string[];
}

const settingsCache = new WeakMap<ScopeTree, DdnsSettings | null>();

/** ISC stores `hmac-sha256` as `hmac-sha256.SIG-ALG.REG.INT.`; TSIG wants the algorithm's own name. */
export function tsigAlgorithm(isc: string | undefined): string {
  const a = (isc ?? 'hmac-md5').replace(/\.$/, '');
  const lower = a.toLowerCase();
  if (lower === 'hmac-md5.sig-alg.reg.int') return 'hmac-md5';
  return lower.endsWith('.sig-alg.reg.int') ? lower.slice(0, -'.sig-alg.reg.int'.length) : lower;
}

function flag(tree: ScopeTree, name: string, dflt: boolean): boolean {
  const v = tree.global.parameters.get(name)?.value;
  return typeof v === 'boolean' ? v : dflt;
}

/** The declared zone that holds `name` (ISC find_cached_zone: the name itself, then each parent). */
export function zoneFor(zones: ReadonlyMap<string, DdnsZone>, name: string): DdnsZone | undefined {
  let n = name.toLowerCase();
  if (!n.endsWith('.')) n += '.';
  for (;;) {
    const z = zones.get(n);
    if (z !== undefined) return z;
    const dot = n.indexOf('.');
    if (dot < 0 || dot === n.length - 1) return undefined;
    n = n.slice(dot + 1);
  }
}

/** The DDNS settings of a configuration, or undefined when `ddns-update-style` is none (or absent). */
export function ddnsSettings(tree: ScopeTree): DdnsSettings | undefined {
  const cached = settingsCache.get(tree);
  if (cached !== undefined) return cached ?? undefined;
  const style = tree.global.parameters.get('ddns-update-style')?.value;
  if (style !== 'standard' && style !== 'interim') {
    settingsCache.set(tree, null);
    return undefined;
  }
  const detect = flag(tree, 'update-conflict-detection', true);
  const problems: string[] = [];
  const zones: DdnsZone[] = [];
  for (const z of tree.zones) {
    const servers: number[] = [];
    for (const s of [...(z.primary ?? []), ...(z.secondary ?? [])]) {
      const ip = parseIpv4(s);
      if (ip === undefined) problems.push(`zone ${z.name}: server ${s} is not an IPv4 address; it is not used`);
      else servers.push(ip);
    }
    if (servers.length === 0) {
      problems.push(`zone ${z.name} has no usable primary or secondary server: no updates for it`);
      continue;
    }
    const zone: DdnsZone = { name: z.name, servers };
    if (z.key !== undefined) {
      const k: KeyDecl | undefined = tree.keys.get(z.key);
      if (k === undefined || k.secret === undefined) {
        problems.push(`zone ${z.name}: key ${z.key} is not declared (with its secret): no updates for it`);
        continue;
      }
      zone.key = { name: k.name, algorithm: tsigAlgorithm(k.algorithm), secret: k.secret };
    }
    zones.push(zone);
  }
  const local = tree.global.parameters.get('ddns-local-address4')?.value;
  const localAddress = typeof local === 'string' ? parseIpv4(local) : undefined;
  const settings: DdnsSettings = {
    style,
    conflict: { detect, guardMustMatch: detect && flag(tree, 'ddns-guard-id-must-match', true) },
    zones,
    zoneIndex: new Map(zones.map((z) => [z.name.toLowerCase(), z])),
    ...(localAddress !== undefined ? { localAddress } : {}),
    problems,
  };
  settingsCache.set(tree, settings);
  return settings;
}
