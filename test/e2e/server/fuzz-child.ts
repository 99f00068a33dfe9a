// Sends a stream of damaged DHCP packets at the server, from inside a client namespace: truncated,
// oversized, wrong magic cookie, option lengths past the end, bad op and hlen, random bytes, and
// mutated (but decodable) requests from one hardware address. Seeded, so a failure reproduces; bounded
// in count. Unicast to the server's socket and subnet-directed broadcast to its wildcard socket.

import { createSocket } from 'node:dgram';
import { BOOTREQUEST, encodeMessage, parseMac } from '../../../src/wire/index.js';
import { runChild } from '../lib/child.js';
import { rng } from '../lib/rng.js';

export interface FuzzInput {
  seed: number;
  count: number;
  targets: string[];
}

function good(): Uint8Array {
  return encodeMessage({
    op: BOOTREQUEST,
    htype: 1,
    xid: 7,
    chaddr: parseMac('02:00:00:ff:ff:01')!,
    options: [
      [53, new Uint8Array([1])],
      [55, new Uint8Array([1, 3, 6, 15])],
      [12, new Uint8Array(Buffer.from('fuzz'))],
    ],
  }).bytes.slice();
}

const KINDS = ['truncated', 'oversized', 'cookie', 'overrun', 'op', 'hlen', 'random', 'mutated'] as const;

function damaged(kind: (typeof KINDS)[number], r: () => number): Uint8Array {
  const n = (k: number) => Math.floor(r() * k);
  const base = good();
  switch (kind) {
    case 'truncated':
      return base.subarray(0, n(236));
    case 'oversized': {
      const big = new Uint8Array(1400 + n(1500));
      big.set(base);
      for (let i = base.length; i < big.length; i++) big[i] = n(256);
      return big;
    }
    case 'cookie': {
      const at = 236 + n(4);
      base[at] = base[at]! ^ (1 + n(255));
      return base;
    }
    case 'overrun': {
      // The first option's length byte claims more than the packet holds.
      base[241] = 255;
      return base.subarray(0, 250 + n(10));
    }
    case 'op':
      base[0] = 3 + n(250);
      return base;
    case 'hlen':
      base[2] = 17 + n(239);
      return base;
    case 'random': {
      const out = new Uint8Array(n(600));
      for (let i = 0; i < out.length; i++) out[i] = n(256);
      return out;
    }
    case 'mutated':
      for (let k = 0; k < 1 + n(6); k++) base[240 + n(base.length - 240)] = n(256);
      return base;
  }
}

async function main(input: FuzzInput): Promise<{ sent: number }> {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
  sock.setBroadcast(true);
  const r = rng(input.seed);
  let sent = 0;
  for (let i = 0; i < input.count; i++) {
    const kind = KINDS[Math.floor(r() * KINDS.length)]!;
    const target = input.targets[i % input.targets.length]!;
    await new Promise<void>((resolve) => sock.send(damaged(kind, r), 67, target, () => resolve()));
    sent++;
  }
  sock.close();
  return { sent };
}

runChild(main, 20_000);
