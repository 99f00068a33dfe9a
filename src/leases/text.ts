// The small text forms of dhcpd.leases, both ways: dates (parse.c parse_date_core, print.c
// print_time), quoted octet strings (print.c quotify_buf), colon-hex (print_hw_addr) and ISC's
// hardware type names (common/tables.c hardware_types).

import { type LeaseTime, NEVER } from './lease.js';

const MONTH_DAYS = [31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/**
 * ISC's date arithmetic for `W YYYY/MM/DD HH:MM:SS [TZOFF]`, UTC, with no calendar library:
 * out-of-range fields are not rejected, they are added up as ISC adds them. ISC stops at 2038
 * (it returns `never`); we keep later dates.
 */
export function iscDateToTime(
  year: number,
  month: number,
  mday: number,
  hour: number,
  min: number,
  sec: number,
  tzoff: number,
): LeaseTime {
  if (year > 1900) year -= 1900;
  if (year >= 138) {
    // ISC gives up here (it returns `never`). We keep the date, with the real calendar.
    return Date.UTC(year + 1900, month - 1, mday, hour, min, sec) / 1000 + tzoff;
  }
  const mon = month - 1;
  const days =
    365 * (year - 70) +
    Math.trunc((year - 69) / 4) +
    (mon > 0 ? (MONTH_DAYS[mon - 1] ?? 0) : 0) +
    (mon > 1 && ((year - 72) & 3) === 0 ? 1 : 0) +
    mday -
    1;
  return ((days * 24 + hour) * 60 + min) * 60 + sec + tzoff;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Year, month (1-12) and day of a count of days since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

// A lease's times repeat (starts = cltt, ends = tstp), so remember the last few.
const timeCache = new Map<number, string>();

/** print_time(): `W YYYY/MM/DD HH:MM:SS;` in UTC, or `never;`. */
export function formatLeaseTime(t: LeaseTime): string {
  if (t === NEVER) return 'never;';
  const hit = timeCache.get(t);
  if (hit !== undefined) return hit;
  const days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  const [y, m, d] = civilFromDays(days);
  const wday = (((days + 4) % 7) + 7) % 7;
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  const out = `${wday} ${y}/${pad2(m)}/${pad2(d)} ${pad2(hh)}:${pad2(mm)}:${pad2(secs % 60)};`;
  if (timeCache.size >= 64) timeCache.clear();
  timeCache.set(t, out);
  return out;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** print_time() with `db-time-format local`: `epoch N; # Www Mmm DD HH:MM:SS YYYY` (UTC here). */
export function formatLeaseTimeEpoch(t: LeaseTime): string {
  if (t === NEVER) return 'never;';
  const d = new Date(t * 1000);
  const human = `${DAY_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${pad2(d.getUTCDate())} ${pad2(
    d.getUTCHours(),
  )}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
  return `epoch ${t}; # ${human}`;
}

/**
 * quotify_buf(bytes, '"'): printable ASCII as is, `"` and `\` escaped, everything else `\ooo`.
 * The lexer reads this back to the same octets.
 */
export function quoteOctets(data: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c < 0x20 || c > 0x7e) out += `\\${c.toString(8).padStart(3, '0')}`;
    else if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else out += String.fromCharCode(c);
  }
  return `${out}"`;
}

/** A byte string (one char per octet) quoted as quotify_string does. */
export function quoteByteString(s: string): string {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
  return quoteOctets(bytes);
}

/** db_printable(): ISC writes client-hostname only when every octet is printable and not `"`/`\`. */
export function isDbPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

const HEX = '0123456789abcdef';

/** print_hw_addr(): `%02x` octets joined by `:`. */
export function colonHex(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (i > 0) out += ':';
    out += HEX[c >> 4]! + HEX[c & 15]!;
  }
  return out;
}

/** The octets of a byte string (one char per octet). */
export function byteStringToOctets(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** hardware_types[]: the name ISC writes for an ARP hardware type. */
export function hardwareTypeName(type: number): string {
  switch (type) {
    case 1:
      return 'ethernet';
    case 6:
      return 'token-ring';
    case 8:
      return 'fddi';
    case 32:
      return 'infiniband';
    default:
      return `unknown-${type}`;
  }
}

/** The hardware type a keyword names (parse_hardware_param); undefined when it names none. */
export function hardwareTypeOf(name: string): number | undefined {
  switch (name.toLowerCase()) {
    case 'ethernet':
      return 1;
    case 'token-ring':
      return 6;
    case 'fddi':
      return 8;
    case 'infiniband':
      return 32;
  }
  // ISC uses atoi() on what follows `unknown-`.
  if (!name.startsWith('unknown-')) return undefined;
  const n = Number.parseInt(name.slice(8), 10);
  return Number.isNaN(n) ? 0 : n & 0xff;
}
