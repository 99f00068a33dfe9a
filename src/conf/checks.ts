// ISC's semantic checks, with ISC's wording: subnet/mask agreement, ranges inside their subnet,
// addresses declared by two ranges, and the checks dhcpd makes after the whole file is read
// (obsolete `ddns-update-style ad-hoc`, failover peers that no pool uses).

import type { Pos } from './ast.js';
import { type Diagnostic, makeDiagnostic } from './diagnostics.js';
import type { Cursor, ParseState } from './parser-core.js';

export function ipToNum(addr: string): number {
  const parts = addr.split('.').map(Number);
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function numToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

export interface SubnetInfo {
  network: string;
  netmask: string;
  net: number;
  mask: number;
}

export function subnetInfo(network: string, netmask: string): SubnetInfo {
  return { network, netmask, net: ipToNum(network), mask: ipToNum(netmask) };
}

/** ISC's subnet check: the network number may have no host bits. */
export function checkSubnet(p: Cursor, s: SubnetInfo): void {
  if ((s.net & ~s.mask) >>> 0 !== 0) {
    p.fail(`subnet ${s.network} netmask ${s.netmask}: bad subnet number/mask combination.`);
  }
}

/**
 * new_address_range(): both ends must lie in the subnet (ISC stops with a message that has no
 * line number), and no address may already belong to an earlier range.
 */
export function checkRange(p: Cursor, s: SubnetInfo, low: string, high: string, pos: Pos): void {
  for (const a of [low, high]) {
    if ((ipToNum(a) & s.mask) >>> 0 !== s.net) {
      p.fail(`bad range, address ${a} not in subnet ${s.network} netmask ${s.netmask}`, {
        noLine: true,
        atPos: pos,
        hint: `Every address of a range must lie in its subnet ${s.network}/${maskBits(s.mask)}; move the range into the subnet it belongs to.`,
      });
    }
  }
  let lo = ipToNum(low);
  let hi = ipToNum(high);
  if (lo > hi) [lo, hi] = [hi, lo];
  // ISC allocates all the range's leases at once (304 bytes each) and checks the size in 32 bits.
  const count = (hi - lo + 1) % 0x100000000;
  if (count + 1 > Math.floor(0x100000000 / 304)) {
    p.fail(`${low}-${high} is an overly large address range.`, {
      hint: 'ISC dhcpd cannot allocate a range of more than about 14 million addresses; split it or make it smaller.',
    });
  }
  // ISC walks the new range upwards and complains at the first address already leased.
  let first: number | undefined;
  for (const r of p.state.ranges) {
    if (r.high < lo || r.low > hi) continue;
    const start = Math.max(r.low, lo);
    if (first === undefined || start < first) first = start;
  }
  if (first !== undefined) {
    p.fail(`lease ${numToIp(first)} is declared twice!`, {
      hint: 'Each address may belong to one range only; remove or shrink one of the overlapping ranges.',
    });
  }
  p.state.ranges.push({ low: lo, high: hi });
}

function maskBits(mask: number): number {
  let n = 0;
  for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) n++;
  return n;
}

/**
 * The checks dhcpd makes once the configuration is read (postconf_initialization, then
 * dhcp_failover_sanity_check), in ISC's order. Returns the first error, if any.
 */
export function postParseChecks(state: ParseState): Diagnostic | undefined {
  const omapiKey = state.rootParams.get('omapi-key');
  if (omapiKey !== undefined && typeof omapiKey.value === 'string' && !state.keys.has(omapiKey.value)) {
    // ISC prints the name from freed memory (garbage); we print the name.
    return makeDiagnostic({
      ...omapiKey.pos,
      message: `OMAPI key ${omapiKey.value}: not found`,
      noLine: true,
      hint: `Declare \`key ${omapiKey.value} { algorithm ...; secret ...; }\` in dhcpd.conf.`,
    });
  }
  const style = state.ddnsStyle;
  if (style !== undefined && style.value === 'ad-hoc') {
    return makeDiagnostic({
      ...style.pos,
      message: 'ddns-update-style ad_hoc no longer supported',
      noLine: true,
      hint: 'Use `ddns-update-style interim;` (or `standard;`), or `none;` to turn dynamic DNS off.',
    });
  }
  // ISC keeps peers newest first and reports the first one it meets.
  const peers = [...state.failoverPeers.values()].reverse();
  for (const peer of peers) {
    if (peer.poolCount === 0) {
      return makeDiagnostic({
        ...peer.decl.pos,
        message: `ERROR: Failover peer, ${peer.decl.name}, has no referring pools. You must refer to each peer in at least one pool declaration.`,
        noLine: true,
        hint: `Add \`failover peer "${peer.decl.name}";\` to the pool declarations this peer serves.`,
      });
    }
  }
  return undefined;
}
