// Sends a paced flood of malformed and looping packets at a relay, from inside a client namespace: truncated
// headers, hlen above 16, requests at or over the hop limit, requests whose giaddr is the relay's own
// (a loop), requests too long for option 82 (an option across -A's 576 bytes), replies from a non-server to
// a giaddr the relay does not have (with no option 82, or option 82 garbage), and two kinds the relay must
// still forward: a request with garbage in option 82 (-m replace puts ours in its place) and one just under
// the hop limit. Each kind has its own chaddr (02:00:00:f1:00:<kind number>), so the relay's log tells which
// were forwarded. Seeded, bounded in count and time; reports what was sent, by kind.

import { createSocket } from 'node:dgram';
import { BOOTREPLY, BOOTREQUEST, encodeMessage, parseIpv4 } from '../../../src/wire/index.js';
import { encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';
import { emit, runChild } from '../lib/child.js';
import { rng } from '../lib/rng.js';

export interface FloodInput {
  seed: number;
  /** Packets in all (the two forwarded kinds are capped at `forwarded` each). */
  count: number;
  forwarded: number;
  /** Packets per burst, and the pause between bursts: spreads the flood over a few seconds. */
  burst: number;
  pauseMs: number;
  /** The relay's -c. */
  maxHops: number;
  /** The relay's own addresses (for looping requests) and where to send (unicast and subnet broadcast). */
  relayAddresses: string[];
  targets: string[];
}

export const FLOOD_KINDS = [
  'truncated',
  'hlen',
  'hops',
  'own-giaddr',
  'oversized',
  'bogus-reply',
  'bogus-reply-82',
  'request-82-garbage',
  'hops-below-limit',
] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];
/** The kinds ISC dhcrelay forwards (garbage option 82 is replaced, hops one under -c): sent in small numbers. */
export const FORWARDED_KINDS: readonly FloodKind[] = ['request-82-garbage', 'hops-below-limit'];
/** The rest: dropped or ignored, never forwarded. */
export const DROPPED_KINDS: readonly FloodKind[] = FLOOD_KINDS.filter((k) => !FORWARDED_KINDS.includes(k));

/** The chaddr a kind's packets carry. */
export function floodMac(kind: FloodKind): string {
  return `02:00:00:f1:00:${(FLOOD_KINDS.indexOf(kind) + 1).toString(16).padStart(2, '0')}`;
}

export interface FloodResult {
  sent: Record<string, number>;
  sendErrors: number;
}

/** Options as given, in the options field only (the oversized kind must stay oversized). */
const ROOMY = { maxMessageSize: 1500, allowOverload: false };
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function packet(kind: FloodKind, r: () => number, input: FloodInput): Uint8Array {
  const n = (k: number) => Math.floor(r() * k);
  const chaddr = new Uint8Array([2, 0, 0, 0xf1, 0, FLOOD_KINDS.indexOf(kind) + 1]);
  const xid = 1 + n(0x7fffffff);
  const discover: [number, Uint8Array][] = [
    [53, new Uint8Array([1])],
    [55, new Uint8Array([1, 3, 6])],
  ];
  const request = (extra: Partial<Parameters<typeof encodeMessage>[0]> = {}, options = discover) =>
    encodeMessage({ op: BOOTREQUEST, htype: 1, hlen: 6, xid, chaddr, options, ...extra }, ROOMY).bytes.slice();
  const bogusGiaddr = parseIpv4(`203.0.113.${10 + n(200)}`)!;
  const reply = (options: [number, Uint8Array][]) =>
    encodeMessage(
      {
        op: BOOTREPLY,
        htype: 1,
        hlen: 6,
        xid,
        chaddr,
        yiaddr: parseIpv4(`192.0.2.${150 + n(50)}`)!,
        giaddr: bogusGiaddr,
        options: [[53, new Uint8Array([5])], ...options],
      },
      ROOMY,
    ).bytes.slice();
  switch (kind) {
    case 'truncated':
      return request().subarray(0, 1 + n(235));
    case 'hlen': {
      const p = request();
      p[2] = 17 + n(239);
      return p;
    }
    case 'hops':
      return request({ hops: input.maxHops + n(256 - input.maxHops) });
    case 'own-giaddr': {
      const own = input.relayAddresses[n(input.relayAddresses.length)]!;
      return request({ giaddr: parseIpv4(own)!, hops: n(3) });
    }
    case 'oversized':
      // 53, then 200-byte options: the second one runs from byte 445 across the 576 that -A allows.
      return request({}, [
        [53, new Uint8Array([1])],
        [224, new Uint8Array(200).fill(0x41)],
        [225, new Uint8Array(200 + n(40)).fill(0x42)],
      ]);
    case 'bogus-reply':
      return reply([]);
    case 'bogus-reply-82': {
      const variants = [
        new Uint8Array([1, 200, 1, 2]), // a sub-option longer than the option
        encodeRelayAgentInfo([{ code: 1, data: bytes('eth9') }]), // a circuit-id that is none of ours
        encodeRelayAgentInfo([{ code: 2, data: bytes('remote') }]), // no circuit-id
      ];
      return reply([[82, variants[n(variants.length)]!]]);
    }
    case 'request-82-garbage':
      return request({}, [
        [53, new Uint8Array([7])],
        [82, new Uint8Array([1, 250, 0xde, 0xad])],
      ]);
    case 'hops-below-limit':
      return request({ hops: input.maxHops - 1 }, [[53, new Uint8Array([7])]]);
  }
}

async function main(input: FloodInput): Promise<FloodResult> {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
  sock.setBroadcast(true);
  const r = rng(input.seed);
  const sent: Record<string, number> = {};
  let sendErrors = 0;
  for (let i = 0; i < input.count; i++) {
    let kind = FLOOD_KINDS[i % FLOOD_KINDS.length]!;
    if (FORWARDED_KINDS.includes(kind) && (sent[kind] ?? 0) >= input.forwarded) kind = 'truncated';
    const target = input.targets[Math.floor(r() * input.targets.length)]!;
    const ok = await new Promise<boolean>((resolve) =>
      sock.send(packet(kind, r, input), 67, target, (err) => resolve(!err)),
    );
    if (ok) sent[kind] = (sent[kind] ?? 0) + 1;
    else sendErrors++;
    if ((i + 1) % input.burst === 0) {
      if (i + 1 === input.burst) emit('flooding');
      await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
    }
  }
  sock.close();
  return { sent, sendErrors };
}

runChild(main, 30_000);
