// A load generator acting as a relay agent (giaddr set), run inside a client namespace by the crash
// test: DISCOVER/REQUEST for many hardware addresses, a few in flight at once, replies received on
// port 67 as a relay receives them. Emits an `ack` event the moment each DHCPACK arrives, so the test
// can kill the server at a random point, and reports every ACK it got. Bounded: each exchange is tried
// a few times with a short timeout, and the whole run has a deadline.

import { createSocket } from 'node:dgram';
import {
  BOOTREQUEST,
  DHCPACK,
  DHCPDISCOVER,
  DHCPOFFER,
  DHCPREQUEST,
  decodeMessage,
  encodeMessage,
  getMessageType,
  ipToBytes,
  ipToString,
  parseIpv4,
  parseMac,
} from '../../../src/wire/index.js';
import { emit, runChild } from '../lib/child.js';

export interface RelayInput {
  server: string;
  giaddr: string;
  macs: string[];
  /** 'dora': DISCOVER then REQUEST; 'discover': only DISCOVER, report the offers. */
  mode: 'dora' | 'discover';
  concurrency: number;
  timeoutMs: number;
  tries: number;
  /** Crash test: SIGKILL this PID (the server, started by the same test) the moment the n-th ACK arrives,
   * so the kill lands as close as possible to the ACK — the window where a non-durable ACK would show. */
  killPid?: number;
  killAfterAcks?: number;
}

export interface RelayResult {
  /** mac -> address, for every DHCPACK (dora) or DHCPOFFER (discover) received. */
  got: Record<string, string>;
  failed: string[];
}

async function main(input: RelayInput): Promise<RelayResult> {
  const sock = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(67, '0.0.0.0', () => resolve());
  });
  const waiting = new Map<number, (type: number, yiaddr: number, serverId: number) => void>();
  sock.on('message', (msg) => {
    const d = decodeMessage(new Uint8Array(msg));
    if (!d.ok) return;
    const sid = d.message.options.get(54);
    const serverId = sid?.length === 4 ? ((sid[0]! << 24) | (sid[1]! << 16) | (sid[2]! << 8) | sid[3]!) >>> 0 : 0;
    waiting.get(d.message.xid)?.(getMessageType(d.message.options) ?? 0, d.message.yiaddr, serverId);
  });
  const giaddr = parseIpv4(input.giaddr)!;
  let nextXid = (process.pid * 7919) >>> 0;

  /** Sends one request and waits for a reply of type `want` to it, retrying; undefined after the last try. */
  const exchange = async (mac: string, type: number, extra: [number, Uint8Array][], want: number) => {
    for (let attempt = 0; attempt < input.tries; attempt++) {
      const xid = nextXid++ >>> 0;
      const bytes = encodeMessage({
        op: BOOTREQUEST,
        htype: 1,
        hops: 1,
        xid,
        giaddr,
        chaddr: parseMac(mac)!,
        options: [[53, new Uint8Array([type])], ...extra],
      }).bytes;
      const reply = new Promise<{ yiaddr: number; serverId: number } | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(xid);
          resolve(undefined);
        }, input.timeoutMs);
        waiting.set(xid, (t, yiaddr, serverId) => {
          if (t !== want) return;
          clearTimeout(timer);
          waiting.delete(xid);
          resolve({ yiaddr, serverId });
        });
      });
      sock.send(bytes, 67, input.server);
      const r = await reply;
      if (r) return r;
    }
    return undefined;
  };

  const got: Record<string, string> = {};
  const failed: string[] = [];
  let acks = 0;
  const queue = [...input.macs];
  const worker = async () => {
    for (let mac = queue.shift(); mac !== undefined; mac = queue.shift()) {
      const offer = await exchange(mac, DHCPDISCOVER, [], DHCPOFFER);
      if (!offer) {
        failed.push(mac);
        continue;
      }
      if (input.mode === 'discover') {
        got[mac] = ipToString(offer.yiaddr);
        continue;
      }
      const ack = await exchange(
        mac,
        DHCPREQUEST,
        [
          [50, ipToBytes(offer.yiaddr)],
          [54, ipToBytes(offer.serverId)],
        ],
        DHCPACK,
      );
      if (!ack) {
        failed.push(mac);
        continue;
      }
      got[mac] = ipToString(ack.yiaddr);
      acks++;
      if (input.killPid !== undefined && acks === input.killAfterAcks) {
        try {
          process.kill(input.killPid, 'SIGKILL');
        } catch {}
        queue.length = 0; // nobody answers the rest: only the exchanges in flight wait out their tries
      }
      emit('ack', { mac, address: got[mac] });
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  sock.close();
  return { got, failed };
}

runChild(main, 30_000);
