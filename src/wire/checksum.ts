// The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit words.

/** Adds bytes[start, end) as big-endian 16-bit words to `sum` (an odd last byte is padded with zero). */
export function onesComplementAdd(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  // No folding needed here: a double adds 16-bit words exactly far beyond any packet size.
  return sum;
}

/** Folds a running sum to 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return finishChecksum(onesComplementAdd(bytes, start, end));
}
