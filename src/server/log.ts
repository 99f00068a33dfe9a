// ISC dhcpd's log lines, character for character (server/dhcp.c, server/bootp.c), so that the log
// parsers sites already run keep working.

import type { SharedNetwork } from '../conf/scope-tree.js';
import { type DhcpMessage, hardwareAddress, ipToString, macToString } from '../wire/index.js';
import type { PoolStats } from './allocator.js';

/** ISC print_hw_addr, or the client identifier when there is no hardware type, as dhcp.c does. */
export function clientLabel(message: DhcpMessage, uid?: Uint8Array): string {
  if (message.htype !== 0 && message.hlen !== 0) return macToString(hardwareAddress(message));
  if (uid !== undefined) return macToString(uid.subarray(0, 60));
  return '<no identifier>';
}

export function viaLabel(message: DhcpMessage, interfaceName: string): string {
  return message.giaddr !== 0 ? ipToString(message.giaddr) : interfaceName;
}

/** "(name) " or "", with ISC's rule for names it will not print. */
export function hostPart(hostname: string | undefined): string {
  if (hostname === undefined) return '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ISC db_printable refuses control characters
  const printable = hostname.length <= 64 && !/[\x00-\x1f\x7f-\xff]/.test(hostname);
  return `(${printable ? hostname : 'Hostname Unsuitable for Printing'}) `;
}

export interface Who {
  client: string;
  via: string;
}

export const discoverLine = (w: Who, name?: string): string =>
  `DHCPDISCOVER from ${w.client} ${hostPart(name)}via ${w.via}`;

export const requestLine = (w: Who, cip: number, serverId: number | undefined, name?: string): string =>
  `DHCPREQUEST for ${ipToString(cip)}${serverId !== undefined ? ` (${ipToString(serverId)})` : ''} from ${w.client} ${hostPart(name)}via ${w.via}`;

export const replyLine = (kind: 'DHCPOFFER' | 'DHCPACK', w: Who, address: number, name?: string): string =>
  `${kind} on ${ipToString(address)} to ${w.client} ${hostPart(name)}via ${w.via}`;

export const nakLine = (w: Who, cip: number): string => `DHCPNAK on ${ipToString(cip)} to ${w.client} via ${w.via}`;

export const releaseLine = (w: Who, ciaddr: number, found: boolean, name?: string): string =>
  `DHCPRELEASE of ${ipToString(ciaddr)} from ${w.client} ${hostPart(name)}via ${w.via} (${found ? '' : 'not '}found)`;

export const declineLine = (w: Who, cip: number, name?: string): string =>
  `DHCPDECLINE of ${ipToString(cip)} from ${w.client} ${hostPart(name)}via ${w.via}`;

export const informLine = (cip: number, via: string): string => `DHCPINFORM from ${ipToString(cip)} via ${via}`;

export const informAckLine = (cip: number, client: string, via: string): string =>
  `DHCPACK to ${ipToString(cip)} (${client}) via ${via}`;

export const bootRequestLine = (w: Who): string => `BOOTREQUEST from ${w.client} via ${w.via}`;

export const bootReplyLine = (w: Who, address: number, hostName: string | undefined): string =>
  `BOOTREPLY for ${ipToString(address)} to ${hostName ?? 'unknown'} (${w.client}) via ${w.via}`;

/** ISC names a subnet's implicit shared network "192.0.2.0/24" (confpars.c piaddrmask). */
export function networkName(network: SharedNetwork): string {
  const s = network.subnets[0];
  if (!network.implicit || s === undefined) return network.name;
  return `${ipToString(s.network)}/${s.prefixLength}`;
}

/**
 * The pool status line (ISC failover.c; without failover, backup and lts are 0). `id` stands in for
 * ISC's pool pointer: any stable number that tells pools apart.
 */
export function poolLine(id: number, network: SharedNetwork, stats: PoolStats): string {
  const lts = Math.trunc((stats.free - stats.backup) / 2);
  return `pool ${id.toString(16)} ${networkName(network)} total ${stats.total} free ${stats.free} backup ${stats.backup} lts ${stats.backup > 0 ? lts : 0} max-own (+/-)0`;
}
