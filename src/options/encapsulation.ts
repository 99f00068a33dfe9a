// Encapsulated option spaces (`encapsulate SPACE`): the option data is a block of sub-options, each a code of
// the space's code width, a length of its length width, then the data. Used by options 43 (vendor space), 63
// (nwip), 82 (agent), 124/125 (RFC 3925 vendor-class / vendor, keyed by 4-octet enterprise numbers) and any
// user `option space`. The fqdn space is virtual and handled by fqdn.ts.
import type { Catalogue } from './catalogue.js';
import { decodeOptionValue, encodeInto, OptionValueError } from './codec.js';
import { decodeFqdn, encodeFqdn } from './fqdn.js';
import { copyBytes } from './octets.js';
import type { EncapsulatedOption, OptionSpace, OptionValue } from './types.js';
import { Writer } from './writer.js';

// A space nobody declared, and ISC's vendor space (`E.`) when the caller has not said which space that is:
// the DHCP layout, sub-options kept raw.
const DEFAULT_LAYOUT: OptionSpace = { name: '', codeWidth: 1, lengthWidth: 1 };
const PAD = 0;
const END = 255;
// A space may encapsulate itself (option space A; option A.x code 1 = encapsulate A); nesting deeper than
// this is kept as raw octets, so hostile data cannot exhaust the stack.
const MAX_DEPTH = 8;
let depth = 0;

/**
 * Splits data[start..end) into sub-options of `spaceName`, typed where the catalogue knows the code and the
 * data decodes, else kept as raw octets. In a space with 1-octet codes, 0 (pad) is skipped and 255 (end) ends
 * the block unless the space defines those codes (RFC 2132 section 8.4 allows both in vendor data). Repeated
 * codes are concatenated before decoding (RFC 3396). Returns an error message if the framing is broken.
 */
export function decodeBlock(
  spaceName: string,
  data: Uint8Array,
  start: number,
  end: number,
  cat: Catalogue,
): EncapsulatedOption[] | string {
  if (spaceName === 'fqdn') return decodeFqdn(data, start, end, cat);
  if (depth >= MAX_DEPTH) return `sub-options nested more than ${MAX_DEPTH} deep`;
  depth++;
  try {
    return splitBlock(spaceName, data, start, end, cat);
  } finally {
    depth--;
  }
}

function splitBlock(
  spaceName: string,
  data: Uint8Array,
  start: number,
  end: number,
  cat: Catalogue,
): EncapsulatedOption[] | string {
  const space = (spaceName && cat.space(spaceName)) || DEFAULT_LAYOUT;
  const defined = space === DEFAULT_LAYOUT ? undefined : space.name;
  const { codeWidth, lengthWidth } = space;
  // code -> raw segments, in order of first appearance
  const segments = new Map<number, Uint8Array[]>();
  let pos = start;
  while (pos < end) {
    if (pos + codeWidth > end) return `sub-option code cut short at the end of the ${spaceName || 'vendor'} block`;
    const code = readUint(data, pos, codeWidth);
    pos += codeWidth;
    if (codeWidth === 1 && (code === PAD || code === END) && !(defined && cat.byCode(defined, code))) {
      if (code === END) break;
      continue;
    }
    let len: number;
    if (lengthWidth === 0) len = end - pos;
    else {
      if (pos + lengthWidth > end) return `sub-option ${code} has no length field`;
      len = readUint(data, pos, lengthWidth);
      pos += lengthWidth;
    }
    if (pos + len > end) return `sub-option ${code} length ${len} runs past the end of the block`;
    const seg = data.subarray(pos, pos + len);
    const list = segments.get(code);
    if (list) list.push(seg);
    else segments.set(code, [seg]);
    pos += len;
  }
  const out: EncapsulatedOption[] = [];
  for (const [code, segs] of segments) {
    const bytes = segs.length === 1 ? (segs[0] as Uint8Array) : concat(segs);
    const def = defined ? cat.byCode(defined, code) : undefined;
    let value: OptionValue | undefined;
    if (def) {
      const r = decodeOptionValue(def.type, bytes, cat);
      if (r.ok) value = r.value;
    }
    out.push({ code, value: value ?? copyBytes(bytes, 0, bytes.length) });
  }
  return out;
}

/**
 * Writes sub-options as a block of `spaceName`. A value given as a Uint8Array is written as is (raw octets,
 * or an undecodable sub-option kept from a packet); other values are encoded with the catalogue's type for
 * their code. Data longer than the length field allows is split into several sub-options with the same code
 * (RFC 3396), which decodeBlock joins again.
 */
export function encodeBlock(spaceName: string, options: EncapsulatedOption[], cat: Catalogue, w: Writer): void {
  if (spaceName === 'fqdn') {
    encodeFqdn(options, cat, w);
    return;
  }
  const space = (spaceName && cat.space(spaceName)) || DEFAULT_LAYOUT;
  const defined = space === DEFAULT_LAYOUT ? undefined : space.name;
  const { codeWidth, lengthWidth } = space;
  const maxCode = codeWidth === 4 ? 0xffffffff : codeWidth === 2 ? 0xffff : 0xff;
  const maxLen = lengthWidth === 2 ? 0xffff : 0xff;
  for (const opt of options) {
    if (typeof opt !== 'object' || opt === null || !Number.isInteger(opt.code) || opt.code < 0 || opt.code > maxCode) {
      throw new OptionValueError(`sub-option code out of range for space ${spaceName || 'vendor'}`);
    }
    let bytes: Uint8Array;
    if (opt.value instanceof Uint8Array) bytes = opt.value;
    else {
      const def = defined ? cat.byCode(defined, opt.code) : undefined;
      if (!def)
        throw new OptionValueError(`space ${spaceName || 'vendor'} has no sub-option ${opt.code}: give raw octets`);
      const sub = new Writer();
      encodeInto(def.type, opt.value, cat, sub);
      bytes = sub.finish();
    }
    if (lengthWidth === 0) {
      w.uint(opt.code, codeWidth);
      w.bytes(bytes);
      continue;
    }
    let off = 0;
    do {
      const n = Math.min(maxLen, bytes.length - off);
      w.uint(opt.code, codeWidth);
      w.uint(n, lengthWidth);
      w.bytes(bytes.subarray(off, off + n));
      off += n;
    } while (off < bytes.length);
  }
}

function readUint(data: Uint8Array, pos: number, width: 1 | 2 | 4): number {
  if (width === 1) return data[pos] as number;
  if (width === 2) return ((data[pos] as number) << 8) | (data[pos + 1] as number);
  return (
    (((data[pos] as number) << 24) |
      ((data[pos + 1] as number) << 16) |
      ((data[pos + 2] as number) << 8) |
      (data[pos + 3] as number)) >>>
    0
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}
