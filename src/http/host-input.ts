// A host as the API takes it - `{"name", "hardware", "fixedAddress", "clientId", "options"}` - turned into the
// host OMAPI would have built (MemoryHost), whose lease-file record admin-commands.ts writes and parses back.
// `options` maps an option's name (`space.name` outside the dhcp space) to its value: text options take the
// text itself (quoted here), every other type the value as dhcpd.conf writes it ("192.0.2.1, 192.0.2.2").
// Values that would end the statement or open a block are refused, so a value cannot smuggle statements in.

import type { CatalogueLike } from '../conf/catalogue.js';
import { hardwareTypeOf } from '../leases/text.js';
import type { MemoryHost } from '../omapi/memory-provider.js';
import { parseHex } from '../server/admin-queries.js';
import { ipToBytes, parseIpv4 } from '../wire/ip.js';

export type HostInputResult = { ok: true; host: MemoryHost } | { ok: false; error: string };

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const FIELDS = new Set(['name', 'hardware', 'fixedAddress', 'clientId', 'options', 'dynamic']);

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** Text quoted for dhcpd.conf's lexer; undefined when it holds control characters. */
export function quoteText(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return undefined;
  }
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Whether a value in configuration syntax stays one value: no `;`, `{`, `}`, `#` or newline outside quotes. */
export function safeValue(text: string): boolean {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') return false;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ';' || c === '{' || c === '}' || c === '#') return false;
  }
  return !quoted && text.trim() !== '';
}

function optionStatements(options: unknown, catalogue: CatalogueLike): string | { error: string } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return { error: 'options must be an object of option name -> value' };
  }
  const out: string[] = [];
  for (const [key, raw] of Object.entries(options)) {
    if (typeof raw !== 'string' && typeof raw !== 'number')
      return { error: `option ${key}: the value must be a string` };
    const dot = key.indexOf('.');
    const space = dot < 0 ? 'dhcp' : key.slice(0, dot);
    const name = dot < 0 ? key : key.slice(dot + 1);
    const def =
      /^[A-Za-z0-9-]+$/.test(space) && /^[A-Za-z0-9-]+$/.test(name) ? catalogue.byName(space, name) : undefined;
    if (def === undefined) return { error: `unknown option ${JSON.stringify(key)}` };
    const value = def.type.kind === 'text' ? quoteText(String(raw)) : String(raw);
    if (value === undefined || !safeValue(value))
      return { error: `option ${key}: ${JSON.stringify(raw)} is not a value` };
    out.push(`option ${dot < 0 ? name : `${space}.${name}`} ${value};`);
  }
  return out.join(' ');
}

/**
 * The host of a request body. `pathName` is the name in the URL (PUT): a body naming another is refused. A
 * host needs a hardware address or a client identifier, as ISC's OMAPI requires.
 */
export function hostFromJson(body: unknown, catalogue: CatalogueLike, pathName?: string): HostInputResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'the body must be a JSON object (name, hardware, fixedAddress, clientId, options)' };
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) return { ok: false, error: `unknown field ${JSON.stringify(k)}` };
  let name = pathName ?? '';
  if (present(b.name)) {
    if (typeof b.name !== 'string' || !NAME.test(b.name)) {
      return { ok: false, error: 'name: letters, digits, "-", "_" and "." (at most 63)' };
    }
    if (pathName !== undefined && b.name !== pathName) {
      return { ok: false, error: `the body names ${b.name}, the URL ${pathName}: a host cannot be renamed` };
    }
    name = b.name;
  }
  if (name !== '' && !NAME.test(name))
    return { ok: false, error: 'name: letters, digits, "-", "_" and "." (at most 63)' };
  const host: MemoryHost = { name };
  if (present(b.hardware)) {
    if (typeof b.hardware !== 'string') return { ok: false, error: 'hardware must be a string' };
    const parts = b.hardware.trim().split(/\s+/);
    const type = parts.length === 2 ? hardwareTypeOf(parts[0]!) : 1;
    const address = parseHex(parts.at(-1)!);
    if (parts.length > 2 || type === undefined || address === undefined) {
      return { ok: false, error: `hardware ${JSON.stringify(b.hardware)}: expected aa:bb:cc:dd:ee:ff` };
    }
    host.hardwareType = type;
    host.hardwareAddress = address;
  }
  if (present(b.clientId)) {
    if (typeof b.clientId !== 'string') return { ok: false, error: 'clientId must be a string' };
    const hex = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2})+$/i.test(b.clientId) ? parseHex(b.clientId) : undefined;
    const bytes = hex ?? Uint8Array.from(Buffer.from(b.clientId, 'latin1'));
    if (bytes.length > 255) return { ok: false, error: 'clientId: at most 255 octets' };
    host.clientIdentifier = bytes;
  }
  if (present(b.fixedAddress)) {
    const a = typeof b.fixedAddress === 'string' ? parseIpv4(b.fixedAddress) : undefined;
    if (a === undefined) return { ok: false, error: `fixedAddress ${JSON.stringify(b.fixedAddress)}: not an address` };
    host.ipAddress = ipToBytes(a);
  }
  if (present(b.options)) {
    const statements = optionStatements(b.options, catalogue);
    if (typeof statements !== 'string') return { ok: false, error: statements.error };
    if (statements !== '') host.statements = statements;
  }
  if (!host.hardwareAddress && !host.clientIdentifier) {
    return { ok: false, error: 'a host needs hardware or clientId (the server finds its client by them)' };
  }
  return { ok: true, host };
}
