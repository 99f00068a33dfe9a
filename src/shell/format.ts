// How the shell prints an object. omshell (dhcpctl/omshell.c) prints `obj: TYPE` and then `name = value` per
// attribute: an integer set locally as %d, a string set locally in quotes, and any other bytes - everything the
// server sent - through print_hex_or_string (common/print.c): quoted when every byte is printable ASCII, else
// lowercase hex bytes joined by colons; a null as <null>. That is the `raw` form.
//
// The readable form (the default) differs only for values it knows: addresses as dotted quads, times (starts,
// ends, tstp, tsfp, atsfp, cltt) as UTC dates, a lease's state by name, 4-byte integers (hardware-type, a
// control's or failover's state) as numbers.

import type { ShellValue } from './parse.js';

/** An attribute of the shell's object; `value` null is an unset (null) value. */
export interface Attribute {
  readonly name: string;
  readonly value: ShellValue | null;
}

/** omshell's print_hex_only: "c0:00:02:0a". */
export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** print_hex_or_string: the bytes in quotes when all are printable ASCII, else hex. */
export function hexOrString(b: Uint8Array): string {
  for (const x of b) if (x < 0x20 || x > 0x7e) return hexBytes(b);
  return `"${String.fromCharCode(...b)}"`;
}

/** ISC's binding states (includes/dhcpd.h FTS_*), as its lease files name them. */
export const LEASE_STATES: Record<number, string> = {
  1: 'free',
  2: 'active',
  3: 'expired',
  4: 'released',
  5: 'abandoned',
  6: 'reset',
  7: 'backup',
};

const TIME_NAMES = new Set(['starts', 'ends', 'tstp', 'tsfp', 'atsfp', 'cltt']);
const ADDRESS_NAMES = new Set(['ip-address', 'address', 'local-address', 'peer-address']);
const INT_NAMES = new Set(['hardware-type', 'local-port', 'peer-port', 'max-outstanding-updates', 'mclt']);

function u32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** A time value (seconds since 1970) as a UTC date; 0xffffffff is ISC's "never". */
export function formatTime(seconds: number): string {
  if (seconds === 0xffffffff) return 'never';
  return `${new Date(seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', '')} UTC`;
}

/** One value as omshell prints it (`raw`) or readably. */
export function formatValue(objType: string | undefined, name: string, value: ShellValue | null, raw: boolean): string {
  if (value === null) return '<null>';
  if (value.kind === 'int') return String(value.n | 0);
  if (value.kind === 'string') return `"${value.text}"`;
  const b = value.bytes;
  if (raw) return hexOrString(b);
  if (b.length === 4) {
    if (ADDRESS_NAMES.has(name)) return Array.from(b).join('.');
    if (TIME_NAMES.has(name)) return formatTime(u32(b));
    if (name === 'state') {
      const n = u32(b);
      return objType === 'lease' ? (LEASE_STATES[n] ?? String(n)) : String(n);
    }
    if (INT_NAMES.has(name)) return String(u32(b));
  }
  return hexOrString(b);
}

/** The object as omshell prints it before each prompt: "obj: host\nname = ...\n" (or "obj: <null>\n"). */
export function formatObject(type: string | undefined, attrs: readonly Attribute[] | undefined, raw: boolean): string {
  if (attrs === undefined) return 'obj: <null>\n';
  let out = `obj: ${type ?? '?'}\n`;
  for (const a of attrs) out += `${a.name} = ${formatValue(type, a.name, a.value, raw)}\n`;
  return out;
}
