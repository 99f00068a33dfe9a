// RFC 1035 domain names in option data: `domain-name` (one name) and `domain-list` (option 119, RFC 3397),
// optionally compressed with pointers relative to the start of the option data. A name's value is its
// presentation text without the trailing dot ("example.com"; the root is ""), with DNS escapes for label
// octets that would be ambiguous (`\.`, `\\`, `\DDD`), as resolv.conf and ns_name_ntop write them.

const MAX_NAME = 255; // wire octets, root label included
const MAX_LABEL = 63;

/** A decoded name: its labels as views into the option data (no copies). */
export type Labels = Uint8Array[];

/** Splits presentation text into label octets. Returns an error message, or the labels. */
export function parseName(text: string): Labels | string {
  if (text === '' || text === '.') return [];
  const labels: Labels = [];
  let cur: number[] = [];
  let wire = 1;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (cur.length === 0) return `empty label in "${text}"`;
      labels.push(Uint8Array.from(cur));
      wire += cur.length + 1;
      cur = [];
      continue;
    }
    if (c === 0x5c) {
      const d = text.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        c = Number(d);
        if (c > 255) return `bad escape \\${d} in "${text}"`;
        i += 3;
      } else if (i + 1 < text.length) {
        c = text.charCodeAt(++i);
      } else return `trailing backslash in "${text}"`;
    }
    if (c > 0xff) return `character U+${c.toString(16)} in "${text}" is not an octet`;
    cur.push(c);
    if (cur.length > MAX_LABEL) return `label longer than 63 octets in "${text}"`;
  }
  if (cur.length > 0) {
    labels.push(Uint8Array.from(cur));
    wire += cur.length + 1;
  }
  if (wire > MAX_NAME) return `name longer than 255 octets: "${text}"`;
  return labels;
}

// ns_name_ntop's special characters, escaped with a backslash.
const SPECIAL = new Set([0x2e, 0x3b, 0x5c, 0x28, 0x29, 0x40, 0x24, 0x22]);

/** Joins labels into presentation text (ns_name_ntop escaping, no trailing dot; the root is ""). */
export function nameText(labels: Labels): string {
  let out = '';
  for (let l = 0; l < labels.length; l++) {
    if (l > 0) out += '.';
    const label = labels[l] as Uint8Array;
    for (let i = 0; i < label.length; i++) {
      const c = label[i] as number;
      if (SPECIAL.has(c)) out += `\\${String.fromCharCode(c)}`;
      else if (c <= 0x20 || c >= 0x7f) out += `\\${c.toString().padStart(3, '0')}`;
      else out += String.fromCharCode(c);
    }
  }
  return out;
}

/** Wire length of a name without compression. */
export function nameWireLength(labels: Labels): number {
  let n = 1;
  for (const l of labels) n += l.length + 1;
  return n;
}

/** Writes an uncompressed name at out[off]; returns the new offset. */
export function writeName(labels: Labels, out: Uint8Array, off: number): number {
  for (const l of labels) {
    out[off++] = l.length;
    out.set(l, off);
    off += l.length;
  }
  out[off++] = 0;
  return off;
}

/**
 * Encodes a list of names, compressing each name's longest suffix already written (RFC 1035 4.1.4), with
 * offsets counted from the start of the option data as RFC 3397 requires (`base`: where the list begins in
 * it). Suffixes match exactly, octet for octet, so decoding gives back the same text.
 */
export function encodeCompressedList(names: Labels[], base = 0): Uint8Array {
  let size = 0;
  for (const n of names) size += nameWireLength(n);
  const out = new Uint8Array(size);
  const seen = new Map<string, number>();
  let off = 0;
  for (const labels of names) {
    let i = 0;
    for (; i < labels.length; i++) {
      const key = suffixKey(labels, i);
      const at = seen.get(key);
      if (at !== undefined) break;
      if (base + off <= 0x3fff) seen.set(key, base + off);
      const l = labels[i] as Uint8Array;
      out[off++] = l.length;
      out.set(l, off);
      off += l.length;
    }
    if (i < labels.length) {
      const at = seen.get(suffixKey(labels, i)) as number;
      out[off++] = 0xc0 | (at >> 8);
      out[off++] = at & 0xff;
    } else out[off++] = 0;
  }
  return out.subarray(0, off);
}

function suffixKey(labels: Labels, from: number): string {
  let k = '';
  for (let i = from; i < labels.length; i++) {
    const l = labels[i] as Uint8Array;
    k += String.fromCharCode(l.length);
    for (let j = 0; j < l.length; j++) k += String.fromCharCode(l[j] as number);
  }
  return k;
}

/** Result of reading one name: its labels and the offset just after it in the original data. */
export interface ReadName {
  labels: Labels;
  next: number;
}

/**
 * Reads one name at data[off..end). With `pointers`, follows compression pointers; each must land strictly
 * before the run of labels that led to it, so every jump goes further back and a loop is impossible. Returns an error message on malformed data. Never reads
 * outside data[0..end).
 */
export function readName(data: Uint8Array, off: number, end: number, pointers: boolean): ReadName | string {
  const labels: Labels = [];
  let wire = 1;
  let pos = off;
  let segment = off; // where the current run of labels began; every jump must land before it
  let next = -1;
  for (;;) {
    if (pos >= end) return 'domain name runs past the end of the data';
    const len = data[pos] as number;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { labels, next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (!pointers) return 'compression pointer in an uncompressed domain name';
      if (pos + 1 >= end) return 'truncated compression pointer';
      const target = ((len & 0x3f) << 8) | (data[pos + 1] as number);
      if (target >= segment) return 'compression pointer does not point backwards';
      if (next < 0) next = pos + 2;
      pos = segment = target;
      continue;
    }
    if (len > MAX_LABEL) return `bad label length octet 0x${len.toString(16)}`;
    if (pos + 1 + len > end) return 'domain label runs past the end of the data';
    wire += len + 1;
    if (wire > MAX_NAME) return 'domain name longer than 255 octets';
    labels.push(data.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
}
