// dhcpd's parameters (default-lease-time, ddns-update-style, ...). ISC implements them as the
// options of an internal "server" option space (in the shared catalogue), parsed by the same
// format-driven code as DHCP options, so `ping-check true;` and `option server.ping-check true;`
// mean the same thing. This file says which of them Leasehold acts on.

import { ENUMERATIONS } from '../options/enumerations.js';
import { formatForDef } from './catalogue.js';
import type { Cursor, ResolvedOption } from './parser-core.js';

export const SERVER_SPACE = 'server';

/** The named values an enumeration format (`N<name>.`) accepts; ISC matches them case-sensitively. */
export function enumerationValues(name: string): readonly string[] {
  return ENUMERATIONS.get(name)?.values.map((v) => v.name) ?? [];
}

/** A dhcpd parameter by name (ISC's server option space), for bare statements like `ping-check on;`. */
export function serverParam(p: Cursor, name: string): ResolvedOption | undefined {
  const def = p.state.catalogue.byName(SERVER_SPACE, name);
  return def ? { def, format: formatForDef(def) } : undefined;
}

/** Parameters Leasehold's server implements; the rest parse but draw a "not yet supported" warning. */
export const SUPPORTED_PARAMETERS: ReadonlySet<string> = new Set([
  'default-lease-time',
  'max-lease-time',
  'min-lease-time',
  'authoritative',
  'filename',
  'server-name',
  'next-server',
  'ddns-update-style',
  'ddns-updates',
  'ddns-hostname',
  'ddns-domainname',
  'ddns-rev-domainname',
  'ddns-ttl',
  'ddns-local-address4',
  'ddns-guard-id-must-match',
  'client-updates',
  'update-optimization',
  'update-conflict-detection',
  'do-forward-updates',
  'do-reverse-updates',
  'fqdn-reply',
  'update-static-leases',
  'ping-check',
  'ping-timeout',
  'one-lease-per-client',
  'boot-unknown-clients',
  'dynamic-bootp',
  'allow-bootp',
  'allow-booting',
  'use-host-decl-names',
  'get-lease-hostnames',
  'lease-file-name',
  'pid-file-name',
  'local-port',
  'local-address',
  'omapi-port',
  'omapi-key',
  'log-facility',
  'always-broadcast',
  'always-reply-rfc1048',
  'vendor-option-space',
  'site-option-space',
  'stash-agent-options',
  'duplicates',
  'declines',
  'min-secs',
  'remote-port',
  'abandon-lease-time',
  'dynamic-bootp-lease-length',
]);
