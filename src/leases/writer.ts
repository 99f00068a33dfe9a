// Writing dhcpd.leases as ISC DHCP 4.4 writes it (server/db.c write_lease, new_lease_file,
// write_failover_state; server/mdb.c write_leases for the order of a whole file), so ISC's
// dhcpd can read every file Leasehold writes, and a diff against an ISC-written file is quiet.
//
// Two deliberate differences, both so nothing is lost:
// - client-hostname: ISC drops a name holding a quote, a backslash or a non-printable octet
//   (db_printable); we write it with octal escapes, which ISC's lexer reads back unchanged.
// - times: dates from 2038 on are written as dates (ISC reads them as `never`).
// Records kept verbatim (hosts, groups, classes, IAs, `on` blocks) are written as they were read.

import { Catalogue } from '../options/catalogue.js';
import { formatOptionValue } from '../options/format.js';
import {
  type FailoverStateRecord,
  ipv4ToString,
  type Lease,
  type LeaseFileRecord,
  type LeaseTime,
  type VariableValue,
} from './lease.js';
import {
  colonHex,
  formatLeaseTime,
  formatLeaseTimeEpoch,
  hardwareTypeName,
  quoteByteString,
  quoteOctets,
} from './text.js';

export interface WriteOptions {
  /** `db-time-format local` writes `epoch N; # ...` instead of `W YYYY/MM/DD HH:MM:SS;`. */
  timeFormat?: 'default' | 'local';
  /** `lease-id-format hex` writes uids as colon-hex instead of quoted octal. */
  leaseIdFormat?: 'octal' | 'hex';
  /** Catalogue for agent option values (default: the standard one). */
  catalogue?: Catalogue;
}

let standardCatalogue: Catalogue | undefined;

function defaultCatalogue(): Catalogue {
  if (standardCatalogue === undefined) standardCatalogue = Catalogue.standard();
  return standardCatalogue;
}

function timeText(t: LeaseTime, opts: WriteOptions): string {
  return opts.timeFormat === 'local' ? formatLeaseTimeEpoch(t) : formatLeaseTime(t);
}

function leaseId(data: Uint8Array, opts: WriteOptions): string {
  return opts.leaseIdFormat === 'hex' ? colonHex(data) : quoteOctets(data);
}

function variableText(v: VariableValue): string {
  if (v.type === 'data') return quoteOctets(v.data);
  if (v.type === 'number') return `%${v.value}`;
  return v.value ? 'true' : 'false';
}

/** One lease block, `lease A.B.C.D {` to `}\n`, in write_lease()'s field order. */
export function formatLease(lease: Lease, opts: WriteOptions = {}): string {
  let out = `lease ${ipv4ToString(lease.address)} {`;
  if (lease.starts !== undefined) out += `\n  starts ${timeText(lease.starts, opts)}`;
  if (lease.ends !== undefined) out += `\n  ends ${timeText(lease.ends, opts)}`;
  if (lease.tstp !== undefined) out += `\n  tstp ${timeText(lease.tstp, opts)}`;
  if (lease.tsfp !== undefined) out += `\n  tsfp ${timeText(lease.tsfp, opts)}`;
  if (lease.atsfp !== undefined) out += `\n  atsfp ${timeText(lease.atsfp, opts)}`;
  if (lease.cltt !== undefined) out += `\n  cltt ${timeText(lease.cltt, opts)}`;
  if (lease.bindingState !== undefined) out += `\n  binding state ${lease.bindingState};`;
  if (lease.nextBindingState !== undefined && lease.nextBindingState !== lease.bindingState) {
    out += `\n  next binding state ${lease.nextBindingState};`;
  }
  if (lease.rewindBindingState !== undefined && lease.rewindBindingState !== lease.bindingState) {
    out += `\n  rewind binding state ${lease.rewindBindingState};`;
  }
  if (lease.reserved) out += '\n  reserved;';
  if (lease.bootp) out += '\n  dynamic-bootp;';
  for (const s of lease.opaque ?? []) out += `\n  ${s}`;
  if (lease.hardware !== undefined) {
    out += `\n  hardware ${hardwareTypeName(lease.hardware.type)} ${colonHex(lease.hardware.address)};`;
  }
  if (lease.uid !== undefined && lease.uid.length > 0) out += `\n  uid ${leaseId(lease.uid, opts)};`;
  for (const v of lease.variables ?? []) out += `\n  set ${v.name} = ${variableText(v.value)};`;
  if (lease.agentOptions !== undefined) {
    const cat = opts.catalogue ?? defaultCatalogue();
    for (const o of lease.agentOptions) {
      out += `\n  option agent.${o.name} ${formatOptionValue(o.type, o.value, cat, 'conf')};`;
    }
  }
  if (lease.clientHostname !== undefined) out += `\n  client-hostname ${quoteByteString(lease.clientHostname)};`;
  for (const s of lease.onStatements ?? []) out += `\n  ${s}`;
  return `${out}\n}\n`;
}

/** write_failover_state(): note the blank line ISC puts before it. */
export function formatFailoverState(rec: FailoverStateRecord, opts: WriteOptions = {}): string {
  let out = `\nfailover peer "${rec.peer}" state {`;
  for (const [label, s] of [
    ['my', rec.my],
    ['partner', rec.partner],
  ] as const) {
    if (s === undefined) continue;
    out +=
      s.at === undefined
        ? `\n  ${label} state ${s.state};`
        : `\n  ${label} state ${s.state} at ${timeText(s.at, opts)}`;
  }
  if (rec.mclt !== undefined) out += `\n  mclt ${rec.mclt};`;
  return `${out}\n}\n`;
}

/** Any record, as it goes into the file. */
export function formatRecord(rec: LeaseFileRecord, opts: WriteOptions = {}): string {
  switch (rec.kind) {
    case 'lease':
      return formatLease(rec, opts);
    case 'failover-state':
      return formatFailoverState(rec, opts);
    case 'server-duid':
      return `server-duid ${leaseId(rec.duid, opts)};\n\n`;
    case 'authoring-byte-order':
      return `authoring-byte-order ${rec.order};\n\n`;
    case 'host':
    case 'group':
    case 'class':
    case 'subclass':
      return `${rec.text}\n`;
    case 'ia-na':
    case 'ia-ta':
    case 'ia-pd':
      return `${rec.text}\n\n`;
  }
}

/** new_lease_file()'s header; `software` names the writer (`leasehold-0.1.0`). */
export function formatFileHeader(
  software = 'leasehold',
  byteOrder: 'little-endian' | 'big-endian' = 'little-endian',
): string {
  return (
    '# The format of this file is documented in the dhcpd.leases(5) manual page.\n' +
    `# This lease file was written by ${software}\n\n` +
    '# authoring-byte-order entry is generated, DO NOT DELETE\n' +
    `authoring-byte-order ${byteOrder};\n\n`
  );
}

// write_leases(): classes, groups, hosts, failover state, then leases. server-duid comes first,
// as in ISC's DHCPv6 files (a DHCPv4 dhcpd does not write it; we keep it), and IAs last.
const FILE_ORDER: Record<LeaseFileRecord['kind'], number> = {
  'authoring-byte-order': 0,
  'server-duid': 1,
  class: 2,
  subclass: 2,
  group: 3,
  host: 4,
  'failover-state': 5,
  lease: 6,
  'ia-na': 7,
  'ia-ta': 7,
  'ia-pd': 7,
};

export interface FileWriteOptions extends WriteOptions {
  software?: string;
}

/**
 * A whole file for a snapshot of records: header, then each record in ISC's order. Yields
 * pieces so a million leases are never one string.
 */
export function* formatLeaseFile(records: Iterable<LeaseFileRecord>, opts: FileWriteOptions = {}): Generator<string> {
  const groups: LeaseFileRecord[][] = [[], [], [], [], [], [], [], []];
  let order: 'little-endian' | 'big-endian' = 'little-endian';
  for (const r of records) {
    if (r.kind === 'authoring-byte-order') order = r.order;
    else groups[FILE_ORDER[r.kind]]!.push(r);
  }
  yield formatFileHeader(opts.software, order);
  for (const g of groups) {
    for (const r of g) yield formatRecord(r, opts);
  }
}
