// Hex text <-> bytes, for fixtures, the dump tool and log lines.

export function bytesToHex(bytes: Uint8Array, separator = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && separator) out += separator;
    out += bytes[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

/**
 * Hex digits to bytes. Whitespace and ':' separate nothing and are skipped; '#' starts a comment that
 * runs to the end of the line. Undefined on any other character or an odd number of digits.
 */
export function hexToBytes(text: string): Uint8Array | undefined {
  const digits = text.replace(/#[^\n]*/g, '').replace(/[\s:]/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}
