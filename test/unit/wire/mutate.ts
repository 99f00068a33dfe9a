// Seeded mutation engine shared by the bounded fuzz test and scripts/fuzz-wire.ts. Deterministic: the
// same seed yields the same inputs, so any failure reproduces from the seed printed with it.

/** mulberry32: small, fast, good enough to drive mutations. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

function randomBytes(rng: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = randInt(rng, 256);
  return out;
}

/** Offsets of option length bytes in a DHCP options field, walking it as a decoder would. */
function lengthOffsets(bytes: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  let i = start;
  while (i + 1 < end) {
    const code = bytes[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    out.push(i + 1);
    i += 2 + bytes[i + 1]!;
  }
  return out;
}

/**
 * One mutated copy of `base` (a BOOTP payload, unless `frame` says it is an Ethernet frame): 1 to 4
 * stacked mutations chosen from bit flips, byte sets, truncation, extension, cookie damage, option
 * length damage, overload injection and wholly random bytes.
 */
export function mutate(rng: () => number, base: Uint8Array, frame = false): Uint8Array {
  let b: Uint8Array = new Uint8Array(base);
  const dhcpStart = frame ? 42 : 0;
  const rounds = 1 + randInt(rng, 4);
  for (let r = 0; r < rounds; r++) {
    const kind = randInt(rng, 10);
    if (kind === 0 && b.length > 0) {
      const at = randInt(rng, b.length);
      b[at] = b[at]! ^ (1 << randInt(rng, 8));
    } else if (kind === 1 && b.length > 0) {
      b[randInt(rng, b.length)] = randInt(rng, 256);
    } else if (kind === 2) {
      b = b.subarray(0, randInt(rng, b.length + 1));
    } else if (kind === 3) {
      const extra = randomBytes(rng, 1 + randInt(rng, 300));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      b = out;
    } else if (kind === 4 && b.length >= dhcpStart + 240) {
      b[dhcpStart + 236 + randInt(rng, 4)] = randInt(rng, 256);
    } else if (kind === 5 && b.length > dhcpStart + 240) {
      const offsets = lengthOffsets(b, dhcpStart + 240, b.length);
      const at = offsets[randInt(rng, offsets.length)];
      if (at !== undefined) b[at] = rng() < 0.5 ? 255 : randInt(rng, 256);
    } else if (kind === 6 && b.length > dhcpStart + 243) {
      const at = dhcpStart + 240 + randInt(rng, Math.min(40, b.length - dhcpStart - 242));
      b[at] = 52;
      b[at + 1] = randInt(rng, 3);
      if (at + 2 < b.length) b[at + 2] = randInt(rng, 5);
    } else if (kind === 7 && b.length > dhcpStart + 44) {
      // Random garbage inside sname/file, which overload may make the decoder read.
      const at = dhcpStart + 44 + randInt(rng, 192);
      if (at < b.length) b.set(randomBytes(rng, Math.min(b.length - at, 1 + randInt(rng, 40))), at);
    } else if (kind === 8) {
      b = randomBytes(rng, randInt(rng, 600));
    } else if (b.length > 0) {
      const at = randInt(rng, b.length);
      b.fill(rng() < 0.5 ? 0 : 255, at, at + randInt(rng, 16));
    }
  }
  return b;
}
