// Crafted client messages for the server's other message types, from inside a client namespace that
// has an address (192.0.2.50): INFORM (unicast from ciaddr, answered to ciaddr), an INIT-REBOOT REQUEST
// for an address of another network (an authoritative server NAKs it), DECLINE of an offered address,
// and a BOOTP request (no DHCP message type) from a host with a fixed address. Replies are caught on a
// 0.0.0.0:68 socket (broadcasts) and a 192.0.2.50:68 socket (unicast), which also sends — bound to
// the address, its broadcasts leave through the right interface without a default route.

import { createSocket, type Socket } from 'node:dgram';
import {
  BOOTREQUEST,
  type DhcpMessage,
  decodeMessage,
  encodeMessage,
  getMessageType,
  ipToBytes,
  ipToString,
  parseIpv4,
  parseMac,
} from '../../../src/wire/index.js';
import { runChild } from '../lib/child.js';

export interface ProbeInput {
  address: string;
  server: string;
  step: 'inform' | 'nak' | 'decline' | 'bootp';
  mac: string;
  /** For nak: the address the client claims. */
  claim?: string;
}

export interface ProbeReply {
  type: number | undefined;
  yiaddr: string;
  ciaddr: string;
  /** How it arrived: 'unicast' (to our address) or 'broadcast'. */
  via: 'unicast' | 'broadcast';
  options: number[];
}

export interface ProbeResult {
  replies: ProbeReply[];
}

function bind(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', reject);
    s.bind(68, address, () => {
      s.setBroadcast(true);
      resolve(s);
    });
  });
}

async function main(input: ProbeInput): Promise<ProbeResult> {
  const any = await bind('0.0.0.0');
  const own = await bind(input.address);
  const replies: ProbeReply[] = [];
  let waiter: ((m: DhcpMessage) => void) | undefined;
  const listen = (s: Socket, via: ProbeReply['via']) =>
    s.on('message', (msg) => {
      const d = decodeMessage(new Uint8Array(msg));
      if (!d.ok || d.message.op !== 2) return;
      replies.push({
        type: getMessageType(d.message.options),
        yiaddr: ipToString(d.message.yiaddr),
        ciaddr: ipToString(d.message.ciaddr),
        via,
        options: [...d.message.options.keys()],
      });
      waiter?.(d.message);
    });
  listen(any, 'broadcast');
  listen(own, 'unicast');
  const mine = parseIpv4(input.address)!;
  const chaddr = parseMac(input.mac)!;
  const send = (options: [number, Uint8Array][] | undefined, ciaddr: number, to: string) =>
    new Promise<void>((resolve, reject) =>
      own.send(
        // Without ciaddr, ask for broadcast replies: this probe reads them through UDP sockets, which do
        // not see a frame unicast to an address the interface does not have.
        encodeMessage({
          op: BOOTREQUEST,
          htype: 1,
          xid: 0x5eed,
          flags: ciaddr === 0 ? 0x8000 : 0,
          ciaddr,
          chaddr,
          ...(options ? { options } : {}),
        }).bytes,
        67,
        to,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  const next = (ms: number) =>
    new Promise<DhcpMessage | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      waiter = (m) => {
        clearTimeout(timer);
        waiter = undefined;
        resolve(m);
      };
    });
  const type = (t: number): [number, Uint8Array] => [53, new Uint8Array([t])];
  // A reply ends the wait at once; the bound is for a busy machine (an ACK waits for the disk, an OFFER for
  // the ping-check's second).
  const REPLY_MS = 10_000;
  switch (input.step) {
    case 'inform':
      await send([type(8), [55, new Uint8Array([1, 3, 6, 15, 42])]], mine, input.server);
      await next(REPLY_MS);
      break;
    case 'nak':
      await send([type(3), [50, ipToBytes(parseIpv4(input.claim ?? '198.51.100.5')!)]], 0, '255.255.255.255');
      await next(REPLY_MS);
      break;
    case 'decline': {
      await send([type(1)], 0, '255.255.255.255');
      const offer = await next(REPLY_MS);
      if (offer) {
        await send(
          [type(4), [50, ipToBytes(offer.yiaddr)], [54, ipToBytes(parseIpv4(input.server)!)]],
          0,
          '255.255.255.255',
        );
        await next(500); // a DECLINE gets no answer
      }
      break;
    }
    case 'bootp':
      await send(undefined, 0, '255.255.255.255');
      await next(REPLY_MS);
      break;
  }
  any.close();
  own.close();
  return { replies };
}

runChild(main, 30_000);
