// Text <-> bytes for IPv4 and IPv6 addresses. Values of ip-address/ip6-address options are strings; the
// IPv6 text form is what ISC prints (glibc inet_ntop), so decoded values, lease files and dhclient-script
// variables agree with ISC byte for byte.

/** Writes dotted-quad text for the 4 octets at `data[off]`. */
export function formatIPv4(data: Uint8Array, off: number): string {
  return `${data[off]}.${data[off + 1]}.${data[off + 2]}.${data[off + 3]}`;
}

/**
 * Parses strict dotted-quad text (four decimal octets, no leading zeros beyond "0") into `out[off..off+4]`.
 * Returns false when the text is not an IPv4 address.
 */
export function parseIPv4Into(text: string, out: Uint8Array, off: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || part > 3) return false;
      out[off + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      digits++;
      if (value > 255) return false;
    } else return false;
  }
  return part === 4;
}

/** True when `text` is a dotted-quad IPv4 address. */
export function isIPv4(text: string): boolean {
  return parseIPv4Into(text, SCRATCH, 0);
}
const SCRATCH = new Uint8Array(16);

/** Writes the 16 octets at `data[off]` as glibc's inet_ntop does (RFC 5952 style, IPv4 tail for ::a.b.c.d). */
export function formatIPv6(data: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((data[off + 2 * i] as number) << 8) | (data[off + 2 * i + 1] as number));
  // Longest run of zero words (first one wins on ties), used only when at least two words long.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc prints an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) tail in dotted form.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIPv4(data, off + 12);
      break;
    }
    out += (words[i] as number).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Parses IPv6 text (RFC 4291 section 2.2, with an optional dotted IPv4 tail) into `out[off..off+16]`. */
export function parseIPv6Into(text: string, out: Uint8Array, off: number): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (i === text.length) {
      out.fill(0, off, off + 16);
      return true;
    }
  } else if (text[0] === ':') return false;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text[j] !== ':') j++;
    const piece = text.slice(i, j);
    if (piece.includes('.')) {
      // An IPv4 tail must end the address and take the last two groups.
      if (j !== text.length || groups.length > 6 || !parseIPv4Into(piece, SCRATCH, 0)) return false;
      groups.push(((SCRATCH[0] as number) << 8) | (SCRATCH[1] as number));
      groups.push(((SCRATCH[2] as number) << 8) | (SCRATCH[3] as number));
      i = j;
      break;
    }
    if (piece.length === 0 || piece.length > 4 || !/^[0-9a-fA-F]+$/.test(piece)) return false;
    groups.push(Number.parseInt(piece, 16));
    if (j === text.length) {
      i = j;
      break;
    }
    // j is at ':'; '::' marks the gap.
    if (text[j + 1] === ':') {
      if (gap !== -1) return false;
      gap = groups.length;
      i = j + 2;
    } else {
      if (j + 1 === text.length) return false; // trailing single ':'
      i = j + 1;
    }
  }
  if (gap === -1 ? groups.length !== 8 : groups.length > 7) return false;
  const fill = 8 - groups.length;
  const words =
    gap === -1 ? groups : [...groups.slice(0, gap), ...new Array<number>(fill).fill(0), ...groups.slice(gap)];
  for (let k = 0; k < 8; k++) {
    const w = words[k] as number;
    out[off + 2 * k] = w >> 8;
    out[off + 2 * k + 1] = w & 0xff;
  }
  return true;
}

/** True when `text` is an IPv6 address. */
export function isIPv6(text: string): boolean {
  return parseIPv6Into(text, SCRATCH, 0);
}
