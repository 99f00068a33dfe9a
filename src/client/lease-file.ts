// dhclient.leases (dhclient.leases(5)): read and write. ISC reads this file with the same parser as the
// `lease { }` blocks of dhclient.conf (clparse.c read_client_leases -> parse_client_lease_statement), so the
// reader reuses the configuration parser's cursor and lease-block grammar, adding the two statements only a
// lease file has: `default-duid "...";` and `lease6 { }` (DHCPv6 leases, kept aside, not interpreted).
// The writer prints what write_client_lease prints, in its order: bootp, interface, fixed-address, filename,
// server-name, medium, options (ISC's `pretty_print_option` with commas and quotes), renew, rebind, expire —
// times as `W YYYY/MM/DD HH:MM:SS` in UTC (print_time with the default db-time-format).
import type { ClientLeaseItem, OptionStatement, Statement } from '../conf/ast.js';
import type { CatalogueLike } from '../conf/catalogue.js';
import { ConfError, type Diagnostic } from '../conf/diagnostics.js';
import { parseSemi } from '../conf/parse-basic.js';
import { parseClientStatement } from '../conf/parse-dhclient.js';
import { Cursor, newState } from '../conf/parser-core.js';
import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue, tryEncodeOptionValue } from '../options/codec.js';
import { formatOptionValue } from '../options/format.js';
import { ipToString, parseIpv4 } from '../wire/index.js';
import { type ClientLease, NEVER } from './lease.js';

export interface ClientLeaseFile {
  /** `default-duid` (the DUID DHCPv6 and RFC 4361 client identifiers use). */
  defaultDuid?: Uint8Array;
  leases: ClientLease[];
  /** `lease6 { }` blocks, verbatim, so that a rewrite keeps them. */
  lease6Blocks: string[];
  warnings: string[];
  /** The first syntax error; the leases before it are kept, as ISC keeps what it read. */
  error?: Diagnostic;
}

/** Parses a dhclient.leases file (bytes as read: the file is Latin-1 octets to ISC). */
export function parseClientLeaseFile(bytes: Uint8Array | string, cat: Catalogue, name = 'dhclient.leases') {
  const data = typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'latin1')) : bytes;
  const out: ClientLeaseFile = { leases: [], lease6Blocks: [], warnings: [] };
  const state = newState('dhclient', cat as CatalogueLike, () => undefined);
  const p = Cursor.fromBytes(name, data, state);
  const source = state.sources.get(name) ?? '';
  try {
    while (p.peek().t !== 'EOF') {
      const tok = p.peek();
      if (tok.t === 'default-duid') {
        p.next();
        const s = p.next();
        if (s.t !== 'STRING') p.fail('expecting a quoted DUID.');
        out.defaultDuid = new Uint8Array(Buffer.from(s.text, 'latin1'));
        parseSemi(p);
      } else if (tok.t === 'lease6') {
        out.lease6Blocks.push(skipBlock(p, source));
      } else if (tok.t === 'lease') {
        const stmts: Statement[] = [];
        parseClientStatement(p, undefined, stmts);
        const st = stmts[0];
        if (st?.kind === 'client-lease') {
          const lease = leaseFromItems(st.body, cat, out.warnings);
          if (lease) out.leases.push(lease);
        }
      } else {
        p.next();
        p.fail('expecting lease, lease6 or default-duid.');
      }
    }
  } catch (e) {
    if (!(e instanceof ConfError)) throw e;
    out.error = e.diagnostic;
  }
  return out;
}

/** Consumes `lease6 { ... }` and returns its source text. */
function skipBlock(p: Cursor, source: string): string {
  const first = p.next();
  let depth = 0;
  let last = first;
  do {
    const t = p.next();
    if (t.t === 'EOF') p.fail('unterminated lease6 declaration.');
    if (t.t === '{') depth++;
    else if (t.t === '}') depth--;
    last = t;
  } while (depth > 0);
  return source.slice(first.offset, last.end);
}

/** How `leaseFromItems` treats a `lease { }` block: dhclient.leases records, or dhclient.conf's static leases. */
export interface LeaseItemsOptions {
  isStatic?: boolean;
  /** The option's bytes, or undefined to skip it silently (dhclient.conf's expression-aware reading). */
  optionData?: (it: OptionStatement) => Uint8Array | undefined;
  /** The warning for a block without `fixed-address`. */
  noAddress?: string;
}

/** A `lease { }` block (dhclient.leases or dhclient.conf) as a ClientLease; undefined without an address. */
export function leaseFromItems(
  items: readonly ClientLeaseItem[],
  cat: Catalogue,
  warnings: string[],
  opts: LeaseItemsOptions = {},
): ClientLease | undefined {
  const lease: ClientLease = { address: 0, options: new Map(), renew: 0, rebind: 0, expire: 0 };
  if (opts.isStatic) lease.isStatic = true;
  let hasAddress = false;
  for (const it of items) {
    switch (it.kind) {
      case 'interface':
        lease.interface = it.name;
        break;
      case 'fixed-address': {
        const ip = parseIpv4(it.address);
        if (ip !== undefined) {
          lease.address = ip;
          hasAddress = true;
        }
        break;
      }
      case 'filename':
        lease.filename = it.value;
        break;
      case 'server-name':
        lease.serverName = it.value;
        break;
      case 'medium':
        lease.medium = it.value;
        break;
      case 'bootp':
        lease.bootp = true;
        break;
      case 'renew':
      case 'rebind':
      case 'expire':
        lease[it.kind] = it.time;
        break;
      case 'option': {
        if (opts.optionData) {
          const data = it.option.space === 'dhcp' ? opts.optionData(it) : undefined;
          if (data) lease.options.set(it.option.code, data);
          break;
        }
        if (it.option.space !== 'dhcp' || it.value === undefined) {
          warnings.push(`${it.pos.file}:${it.pos.line}: option ${it.option.space}.${it.option.name} not kept`);
          break;
        }
        const r = tryEncodeOptionValue(it.option.type, it.value, cat);
        if (r.ok) lease.options.set(it.option.code, r.value);
        else warnings.push(`${it.pos.file}:${it.pos.line}: option ${it.option.name}: ${r.error}`);
        break;
      }
      case 'key':
        break;
    }
  }
  if (!hasAddress) {
    warnings.push(opts.noAddress ?? 'lease without fixed-address: skipped');
    return undefined;
  }
  return lease;
}

const DAYS = ['0', '1', '2', '3', '4', '5', '6'];

/** print_time(): `W YYYY/MM/DD HH:MM:SS` in UTC (W = day of week, 0 = Sunday), or `never`. */
export function formatLeaseTime(seconds: number): string {
  if (seconds >= NEVER) return 'never';
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}

/** quotify_buf(): printable ASCII as is, `"` and `\` escaped, other octets as \ooo; in double quotes. */
export function quotify(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let out = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\${c.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** One option as write_lease_option prints it: `option NAME VALUE` (no value for zero-length formats). */
export function formatLeaseOption(code: number, data: Uint8Array, cat: Catalogue): string {
  const def = cat.byCodeOrUnknown('dhcp', code);
  const r = decodeOptionValue(def.type, data, cat);
  let value: string;
  try {
    value = r.ok
      ? formatOptionValue(def.type, r.value, cat, 'conf')
      : formatOptionValue({ kind: 'string' }, data, cat, 'conf');
  } catch {
    value = formatOptionValue({ kind: 'string' }, data, cat, 'conf');
  }
  return def.type.kind === 'zero-length' ? `option ${def.name}` : `option ${def.name} ${value}`;
}

/** write_client_lease(): one `lease { }` block. `iface` overrides the lease's own interface name. */
export function formatClientLease(lease: ClientLease, cat: Catalogue, iface?: string): string {
  const lines = ['lease {'];
  if (lease.bootp) lines.push('  bootp;');
  const name = iface ?? lease.interface;
  if (name !== undefined) lines.push(`  interface ${quotify(name)};`);
  lines.push(`  fixed-address ${ipToString(lease.address)};`);
  if (lease.filename !== undefined) lines.push(`  filename ${quotify(lease.filename)};`);
  if (lease.serverName !== undefined) lines.push(`  server-name ${quotify(lease.serverName)};`);
  if (lease.medium !== undefined) lines.push(`  medium ${quotify(lease.medium)};`);
  for (const [code, data] of lease.options) lines.push(`  ${formatLeaseOption(code, data, cat)};`);
  lines.push(`  renew ${formatLeaseTime(lease.renew)};`);
  lines.push(`  rebind ${formatLeaseTime(lease.rebind)};`);
  lines.push(`  expire ${formatLeaseTime(lease.expire)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** A whole file as rewrite_client_leases writes it: the DUID first, then the leases, then lease6 blocks. */
export function formatClientLeaseFile(file: Omit<ClientLeaseFile, 'warnings'>, cat: Catalogue): string {
  let out = '';
  if (file.defaultDuid) out += `default-duid ${quotify(file.defaultDuid)};\n`;
  for (const l of file.leases) if (!l.isStatic) out += formatClientLease(l, cat);
  for (const b of file.lease6Blocks) out += `${b}\n`;
  return out;
}

/**
 * The leases to start with for one interface (read_client_leases): the last unexpired lease recorded for it
 * becomes the active one (ISC appends, so the last block is the newest); the others are kept as fallbacks.
 */
export function leasesForInterface(file: ClientLeaseFile, iface: string, nowSec: number) {
  const mine = file.leases.filter((l) => (l.interface === undefined || l.interface === iface) && l.expire > nowSec);
  return { active: mine.at(-1), others: mine.slice(0, -1) };
}
