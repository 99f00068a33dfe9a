// ICMP echo for the server's ping check (dhcpd's ping-check): "is anyone already using this address?". The addon
// gives an IP-level ICMP socket (the kernel routes and ARPs for us); this file builds and matches the messages.
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { internetChecksum } from '../wire/checksum.js';
import { ipv4FromUint32 } from './addr.js';
import { errnoCode } from './errors.js';
import { loadNative, type NativeAddon, type NativeHandle, type NativeLoad, requireNative } from './native.js';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
const TOKEN_LEN = 8;

export function encodeEchoRequest(id: number, seq: number, payload: Uint8Array): Buffer {
  const msg = Buffer.alloc(8 + payload.length);
  msg[0] = ICMP_ECHO_REQUEST;
  msg.writeUInt16BE(id & 0xffff, 4);
  msg.writeUInt16BE(seq & 0xffff, 6);
  msg.set(payload, 8);
  msg.writeUInt16BE(internetChecksum(msg), 2);
  return msg;
}

export interface EchoReply {
  readonly id: number;
  readonly seq: number;
  readonly payload: Buffer;
}

/** Decodes an echo reply; `withIpHeader` for raw sockets, which deliver the IPv4 header too. Anything else, or a
 * message with a bad checksum, gives undefined. */
export function decodeEchoReply(data: Buffer, withIpHeader: boolean): EchoReply | undefined {
  let msg = data;
  if (withIpHeader) {
    if (data.length < 20 || (data[0] as number) >> 4 !== 4) return undefined;
    msg = data.subarray(((data[0] as number) & 0x0f) * 4);
  }
  if (msg.length < 8 || msg[0] !== ICMP_ECHO_REPLY || msg[1] !== 0 || internetChecksum(msg) !== 0) return undefined;
  return { id: msg.readUInt16BE(4), seq: msg.readUInt16BE(6), payload: msg.subarray(8) };
}

export interface PingResult {
  readonly alive: boolean;
  readonly rttMs?: number;
  /** errno code when the request could not be sent (EHOSTUNREACH…) or the pinger closed first (ECANCELED). */
  readonly error?: string;
}

export interface Pinger {
  /** 'raw' (CAP_NET_RAW) or 'dgram' (an unprivileged ping socket, where net.ipv4.ping_group_range allows). */
  readonly mode: 'raw' | 'dgram';
  ping(address: string, opts?: { timeoutMs?: number }): Promise<PingResult>;
  /** Resolves pending pings as not alive (ECANCELED) and closes the socket; safe to call twice. */
  close(): void;
}

export interface PingerOptions {
  /** Bind to this interface (SO_BINDTODEVICE); default: any, as routed. */
  ifname?: string;
  mode?: 'auto' | 'raw' | 'dgram';
  onError?: (err: Error) => void;
  native?: NativeLoad;
}

interface Pending {
  address: string;
  token: Buffer;
  started: bigint;
  timer: NodeJS.Timeout;
  resolve: (r: PingResult) => void;
}

const MODES = { auto: 0, raw: 1, dgram: 2 } as const;

export function openPinger(opts: PingerOptions = {}): Pinger {
  const addon: NativeAddon = requireNative(opts.native ?? loadNative());
  const pending = new Map<number, Pending>();
  const id = randomBytes(2).readUInt16BE(0);
  let seq = randomBytes(2).readUInt16BE(0);
  let closed = false;
  let raw = true;
  const opened = addon.icmpOpen(opts.ifname ?? '', MODES[opts.mode ?? 'auto'], (err, messages, sources) => {
    messages.forEach((data, i) => {
      const reply = decodeEchoReply(data, raw);
      // A dgram socket's id is the kernel's (its local port) and replies are already demultiplexed to us.
      if (!reply || (raw && reply.id !== id)) return;
      const p = pending.get(reply.seq);
      if (!p || p.address !== ipv4FromUint32(sources[i] ?? 0)) return;
      if (!reply.payload.subarray(0, TOKEN_LEN).equals(p.token)) return;
      settle(reply.seq, { alive: true, rttMs: Number(process.hrtime.bigint() - p.started) / 1e6 });
    });
    if (err && !closed) (opts.onError ?? ((e: Error) => process.emitWarning(e)))(err);
  });
  const handle: NativeHandle = opened.handle;
  raw = opened.raw;
  // Each pending ping holds its own timer, which keeps the process alive; the socket itself need not.
  addon.setRef(handle, false);

  function settle(key: number, result: PingResult): void {
    const p = pending.get(key);
    if (!p) return;
    pending.delete(key);
    clearTimeout(p.timer);
    p.resolve(result);
  }

  return {
    mode: raw ? 'raw' : 'dgram',
    ping(address, pingOpts = {}) {
      if (!isIPv4(address)) return Promise.reject(new TypeError(`not an IPv4 address: ${JSON.stringify(address)}`));
      if (closed) return Promise.resolve({ alive: false, error: 'ECANCELED' });
      if (pending.size >= 0xffff) return Promise.resolve({ alive: false, error: 'ENOBUFS' });
      do seq = (seq + 1) & 0xffff;
      while (pending.has(seq));
      const key = seq;
      const token = randomBytes(TOKEN_LEN);
      return new Promise<PingResult>((resolve) => {
        const timer = setTimeout(() => settle(key, { alive: false }), pingOpts.timeoutMs ?? 1000);
        pending.set(key, { address, token, started: process.hrtime.bigint(), timer, resolve });
        try {
          addon.icmpSend(handle, address, encodeEchoRequest(id, key, token));
        } catch (err) {
          settle(key, { alive: false, error: errnoCode(err) ?? 'EIO' });
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      for (const key of [...pending.keys()]) settle(key, { alive: false, error: 'ECANCELED' });
      addon.close(handle);
    },
  };
}

/** One ping with its own short-lived socket. */
export async function ping(address: string, opts: PingerOptions & { timeoutMs?: number } = {}): Promise<PingResult> {
  const pinger = openPinger(opts);
  try {
    return await pinger.ping(address, { timeoutMs: opts.timeoutMs });
  } finally {
    pinger.close();
  }
}
