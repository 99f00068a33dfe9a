// ISC's named enumerations (format letter `N`), as ISC DHCP 4.4.3 defines them in server/stables.c and
// common/tables.c. Only the enumerations some built-in option uses are here; the LDAP ones are left out
// because Debian's dhcpd is built without LDAP, so its ldap-* options do not exist.
import type { Enumeration, EnumerationValue } from './types.js';

const values = (pairs: readonly (readonly [string, number])[]): readonly EnumerationValue[] =>
  Object.freeze(pairs.map(([name, value]) => Object.freeze({ name, value })));

const enumeration = (name: string, bits: 8 | 16, pairs: readonly (readonly [string, number])[]): Enumeration =>
  Object.freeze({ name, bits, values: values(pairs) });

/** `ddns-update-style` (server space). */
export const DDNS_STYLES = enumeration('ddns-styles', 8, [
  ['none', 0],
  ['ad-hoc', 1],
  ['interim', 2],
  ['standard', 3],
]);

/** `log-facility` (server space): the syslog facility codes of Linux <sys/syslog.h>, `facility << 3`. */
export const SYSLOG_FACILITIES = enumeration('syslog-facilities', 8, [
  ['kern', 0 << 3],
  ['user', 1 << 3],
  ['mail', 2 << 3],
  ['daemon', 3 << 3],
  ['auth', 4 << 3],
  ['syslog', 5 << 3],
  ['lpr', 6 << 3],
  ['news', 7 << 3],
  ['uucp', 8 << 3],
  ['cron', 9 << 3],
  ['authpriv', 10 << 3],
  ['ftp', 11 << 3],
  ['local0', 16 << 3],
  ['local1', 17 << 3],
  ['local2', 18 << 3],
  ['local3', 19 << 3],
  ['local4', 20 << 3],
  ['local5', 21 << 3],
  ['local6', 22 << 3],
  ['local7', 23 << 3],
]);

/** `prefix-length-mode` (server space, DHCPv6 prefix delegation). */
export const PREFIX_LENGTH_MODES = enumeration('prefix_length_modes', 8, [
  ['ignore', 0],
  ['prefer', 1],
  ['exact', 2],
  ['minimum', 3],
  ['maximum', 4],
]);

/** `dhcp6.status-code`. */
export const DHCP6_STATUS_CODES = enumeration('status-codes', 16, [
  ['success', 0],
  ['UnspecFail', 1],
  ['NoAddrsAvail', 2],
  ['NoBinding', 3],
  ['NotOnLink', 4],
  ['UseMulticast', 5],
  ['NoPrefixAvail', 6],
  ['UnknownQueryType', 7],
  ['MalformedQuery', 8],
  ['NotConfigured', 9],
  ['NotAllowed', 10],
  ['QueryTerminated', 11],
]);

/** `dhcp6.reconf-msg`. */
export const DHCP6_MESSAGES = enumeration('dhcpv6-messages', 8, [
  ['SOLICIT', 1],
  ['ADVERTISE', 2],
  ['REQUEST', 3],
  ['CONFIRM', 4],
  ['RENEW', 5],
  ['REBIND', 6],
  ['REPLY', 7],
  ['RELEASE', 8],
  ['DECLINE', 9],
  ['RECONFIGURE', 10],
  ['INFORMATION-REQUEST', 11],
  ['RELAY-FORW', 12],
  ['RELAY-REPL', 13],
  ['LEASEQUERY', 14],
  ['LEASEQUERY-REPLY', 15],
  ['LEASEQUERY-DONE', 16],
  ['LEASEQUERY-DATA', 17],
  ['RECONFIGURE-REQUEST', 18],
  ['RECONFIGURE-REPLY', 19],
  ['DHCPV4-QUERY', 20],
  ['DHCPV4-RESPONSE', 21],
]);

/** Every enumeration by its ISC name, as ISC format strings (`Nname.`) refer to them. */
export const ENUMERATIONS: ReadonlyMap<string, Enumeration> = new Map(
  [DDNS_STYLES, SYSLOG_FACILITIES, PREFIX_LENGTH_MODES, DHCP6_STATUS_CODES, DHCP6_MESSAGES].map((e) => [e.name, e]),
);

/** The name of `value` in `e`, or undefined. */
export function enumerationName(e: Enumeration, value: number): string | undefined {
  for (const v of e.values) if (v.value === value) return v.name;
  return undefined;
}

/** The number for `name` in `e` (exact match, as ISC's parser compares), or undefined. */
export function enumerationValue(e: Enumeration, name: string): number | undefined {
  for (const v of e.values) if (v.name === name) return v.value;
  return undefined;
}
