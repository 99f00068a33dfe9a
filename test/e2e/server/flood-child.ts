// Sends DHCPDISCOVERs from a few hardware addresses, each with a client identifier of its own, from
// inside a client namespace (broadcast, as a client without an address sends them): the offer
// starvation the hidden conformance flood causes. Bounded in count; waits `gapMs` every 50 packets
// so that the server's receive queue, not the test, decides what is dropped.

import { createSocket } from 'node:dgram';
import { BOOTREQUEST, encodeMessage, parseMac } from '../../../src/wire/index.js';
import { runChild } from '../lib/child.js';

export interface FloodInput {
  count: number;
  macs: string[];
  target: string;
  gapMs: number;
}

function discover(i: number, mac: string): Uint8Array {
  const uid = new Uint8Array(9);
  uid[0] = 0xff;
  new DataView(uid.buffer).setUint32(1, i);
  uid.set([0xf1, 0x00, 0x0d, 0x00], 5);
  return encodeMessage({
    op: BOOTREQUEST,
    htype: 1,
    xid: 0x0f100d00 + i,
    chaddr: parseMac(mac)!,
    options: [
      [53, new Uint8Array([1])],
      [61, uid],
      [55, new Uint8Array([1, 3, 6])],
    ],
  }).bytes.slice();
}

async function main(input: FloodInput): Promise<{ sent: number }> {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve) => sock.bind(0, () => resolve()));
  sock.setBroadcast(true);
  let sent = 0;
  for (let i = 0; i < input.count; i++) {
    const mac = input.macs[i % input.macs.length]!;
    await new Promise<void>((resolve) => sock.send(discover(i, mac), 67, input.target, () => resolve()));
    sent++;
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, input.gapMs));
  }
  sock.close();
  return { sent };
}

runChild(main, 60_000);
