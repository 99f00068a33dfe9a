// Byte strings. ISC treats text options as octets, not characters; values of text-like types are JS strings
// holding one octet per char (latin1), so every byte a client sends survives a decode/encode round trip and
// files written with latin1 reproduce ISC's bytes exactly.

/** Decodes data[start..end) as latin1: one char per octet. */
export function latin1(data: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(data[i] as number);
    return s;
  }
  return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString('latin1');
}

/** Index of the first char above U+00FF in `s`, or -1 when `s` is a byte string. */
export function firstNonOctet(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return i;
  return -1;
}

/** Writes the octets of a byte string at out[off]; the caller has checked firstNonOctet. */
export function writeLatin1(s: string, out: Uint8Array, off: number): number {
  for (let i = 0; i < s.length; i++) out[off++] = s.charCodeAt(i);
  return off;
}

/** The octets of a byte string (chars above U+00FF are truncated: check with firstNonOctet first). */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  writeLatin1(s, out, 0);
  return out;
}

/** True for octets ISC prints as themselves: isascii && isprint (0x20..0x7e). */
export function isPrintable(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/**
 * ISC's pretty_escape: octal `\ooo` for non-printable octets (a trailing NUL is dropped), a backslash before
 * `" ' $ \` \\ | &`, everything else as is. Used for text in lease files and dhclient-script variables alike.
 */
export function iscEscape(data: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = data[i] as number;
    if (!isPrintable(c)) {
      if (i + 1 === end && c === 0) continue;
      out += `\\${c.toString(8).padStart(3, '0')}`;
    } else if (c === 0x22 || c === 0x27 || c === 0x24 || c === 0x60 || c === 0x5c || c === 0x7c || c === 0x26) {
      out += `\\${String.fromCharCode(c)}`;
    } else out += String.fromCharCode(c);
  }
  return out;
}

/**
 * A copy of data[start..end) as a plain Uint8Array. Not data.slice(): on a Node Buffer, slice is a view of the
 * packet buffer, and values must not alias it.
 */
export function copyBytes(data: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(data.subarray(start, end));
  return out;
}
