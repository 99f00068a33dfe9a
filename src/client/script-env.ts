// The environment dhclient-script(8) receives (ISC client/dhclient.c script_init, script_write_params,
// script_write_requested, client_option_envadd):
//   interface, [medium], reason, [pid]
//   <prefix>ip_address, [<prefix>next_server], [<prefix>network_number, <prefix>broadcast_address when the
//   lease has a subnet mask and no broadcast-address option], [<prefix>filename], [<prefix>server_name],
//   <prefix><option> for every option (dashes become underscores; options of other spaces are
//   <space>_<option>), <prefix>expiry (seconds since the epoch)
//   requested_<option>=1 for every option of the request list
// Values are ISC's pretty_print_option without commas or quotes ('env' style of the option layer): lists are
// space-separated. Values of host-name, domain-name, nis-domain, netbios-scope, domain-search and root-path
// that are not plausible names are dropped, as ISC does ("suspect value in ... option - discarded"), because
// scripts paste them into shell commands and files.
import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue } from '../options/codec.js';
import { envVariableName, formatOptionValue } from '../options/format.js';
import { broadcastOf, ipToString, networkOf } from '../wire/index.js';
import { type ClientLease, OPT_BROADCAST, OPT_SUBNET_MASK, optionAddress } from './lease.js';

export type ScriptReason =
  | 'PREINIT'
  | 'BOUND'
  | 'RENEW'
  | 'REBIND'
  | 'REBOOT'
  | 'EXPIRE'
  | 'FAIL'
  | 'STOP'
  | 'RELEASE'
  | 'NBI'
  | 'TIMEOUT'
  | 'MEDIUM';

export interface ScriptEnvInput {
  reason: ScriptReason;
  interface: string;
  medium?: string;
  /** The lease written as new_* (BOUND, RENEW, REBIND, REBOOT, TIMEOUT). */
  newLease?: ClientLease;
  /** The lease written as old_* (the active one being replaced, expired, released or stopped). */
  oldLease?: ClientLease;
  /** The alias lease (`alias { }`), written as alias_*. */
  alias?: ClientLease;
  /** The request list, for requested_* (written when a lease is involved, as ISC does). */
  requested?: readonly number[];
  catalogue: Catalogue;
  pid?: number;
}

/** Variables in the order ISC adds them. */
export function buildScriptEnv(input: ScriptEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  env.interface = input.interface;
  if (input.medium !== undefined) env.medium = input.medium;
  env.reason = input.reason;
  if (input.pid !== undefined) env.pid = String(input.pid);
  if (input.oldLease) writeLeaseParams(env, 'old_', input.oldLease, input.catalogue);
  if (input.newLease) writeLeaseParams(env, 'new_', input.newLease, input.catalogue);
  if (input.requested && (input.newLease || input.oldLease)) {
    for (const code of input.requested) {
      const def = input.catalogue.byCodeOrUnknown('dhcp', code);
      env[`requested_${envVariableName(def)}`] = '1';
    }
  }
  if (input.alias) writeLeaseParams(env, 'alias_', input.alias, input.catalogue);
  return env;
}

/** script_write_params(): one lease's variables under a prefix. */
export function writeLeaseParams(
  env: Record<string, string>,
  prefix: string,
  lease: ClientLease,
  cat: Catalogue,
): void {
  env[`${prefix}ip_address`] = ipToString(lease.address);
  if (lease.nextServer !== undefined) env[`${prefix}next_server`] = ipToString(lease.nextServer);
  const mask = optionAddress(lease.options, OPT_SUBNET_MASK);
  if (mask !== undefined) {
    const network = networkOf(lease.address, mask);
    env[`${prefix}network_number`] = ipToString(network);
    // The computed broadcast address only when the server sent none; a sent one comes with the options.
    if (!lease.options.has(OPT_BROADCAST)) env[`${prefix}broadcast_address`] = ipToString(broadcastOf(network, mask));
  }
  if (lease.filename !== undefined && checkValue(OPT_ROOT_PATH, lease.filename)) {
    env[`${prefix}filename`] = lease.filename;
  }
  if (lease.serverName !== undefined && checkValue(OPT_HOST_NAME_CODE, lease.serverName)) {
    env[`${prefix}server_name`] = lease.serverName;
  }
  for (const [code, data] of lease.options) {
    if (data.length === 0) continue; // ISC: `if (data.len)` — empty options make no variable
    const value = optionEnvValue(code, data, cat);
    if (value === undefined || !checkValue(code, value)) continue;
    env[`${prefix}${envVariableName(cat.byCodeOrUnknown('dhcp', code))}`] = value;
  }
  env[`${prefix}expiry`] = String(lease.expire);
}

/** An option's value as dhclient-script sees it; data that does not decode as its type is shown as octets. */
export function optionEnvValue(code: number, data: Uint8Array, cat: Catalogue): string | undefined {
  const def = cat.byCodeOrUnknown('dhcp', code);
  const r = decodeOptionValue(def.type, data, cat);
  if (r.ok) {
    try {
      return formatOptionValue(def.type, r.value, cat, 'env');
    } catch {
      // fall through to the raw octets
    }
  }
  return formatOptionValue({ kind: 'string' }, data, cat, 'env');
}

const OPT_HOST_NAME_CODE = 12;
const OPT_DOMAIN_NAME = 15;
const OPT_ROOT_PATH = 17;
const OPT_NIS_DOMAIN = 40;
const OPT_NETBIOS_SCOPE = 47;
const OPT_DOMAIN_SEARCH = 119;

/** check_option_values(): false for values ISC discards. */
export function checkValue(code: number, v: string): boolean {
  switch (code) {
    case OPT_DOMAIN_NAME:
    case OPT_HOST_NAME_CODE:
    case OPT_NIS_DOMAIN:
    case OPT_NETBIOS_SCOPE:
      return checkDomainName(v);
    case OPT_DOMAIN_SEARCH:
      return checkDomainList(v);
    case OPT_ROOT_PATH:
      return v.length > 0 && /^[A-Za-z0-9#%+\-_:.,@~\\/[\]= ]*$/.test(v);
    default:
      return true;
  }
}

/** check_domain_name(): [[:alnum:]-_]+ labels of 1-63 characters separated by dots, '-'/'_' not at a label's edge. */
export function checkDomainName(v: string): boolean {
  if (v.length === 0 || v.length > 256) return false;
  const labels = v.endsWith('.') ? v.slice(0, -1).split('.') : v.split('.');
  for (const l of labels) {
    if (l.length < 1 || l.length > 63) return false;
    if (!/^[A-Za-z0-9_-]+$/.test(l)) return false;
    if (/^[-_]|[-_]$/.test(l)) return false;
  }
  return true;
}

function checkDomainList(v: string): boolean {
  const names = v.split(' ').filter((n) => n !== '');
  return names.length > 0 && names.every(checkDomainName);
}

/** The environment as `NAME=value` strings (for execve-style callers and for logging). */
export function envLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
