// A stand-in for the native addon, recording calls and letting a test deliver frames as the poll callback would.
import type { NativeAddon, NativeCallback, NativeHandle, NativeLoad } from '../../../src/io/native.js';

export interface FakeAddon {
  load: NativeLoad;
  sent: Buffer[];
  icmpSent: { address: string; message: Buffer }[];
  udpSent: { payload: Buffer; address: number; port: number }[];
  closed: number;
  refs: boolean[];
  filters: Buffer[];
  deliver: NativeCallback;
}

export interface FakeOptions {
  hwtype?: number;
  raw?: boolean;
  openError?: NodeJS.ErrnoException;
  sendError?: NodeJS.ErrnoException;
}

export function errnoError(code: string, syscall = 'socket'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}: fake`), { code, syscall, errno: -1 });
}

export function fakeAddon(opts: FakeOptions = {}): FakeAddon {
  const handle = {} as NativeHandle;
  const fake: FakeAddon = {
    sent: [],
    icmpSent: [],
    udpSent: [],
    closed: 0,
    refs: [],
    filters: [],
    deliver: () => {
      throw new Error('nothing opened');
    },
    load: { ok: false, reason: 'unset', path: 'fake' },
  };
  const addon: NativeAddon = {
    abiVersion: 2,
    packetOpen(_ifname, _ethertype, filter, cb) {
      if (opts.openError) throw opts.openError;
      fake.filters.push(filter);
      fake.deliver = cb;
      return { handle, ifindex: 7, hwtype: opts.hwtype ?? 1, mac: Buffer.from([2, 0, 0, 0, 0, 1]) };
    },
    packetSend(_h, frame) {
      if (opts.sendError) throw opts.sendError;
      fake.sent.push(Buffer.from(frame));
      return frame.length;
    },
    icmpOpen(_ifname, mode, cb) {
      if (opts.openError) throw opts.openError;
      fake.deliver = cb;
      return { handle, raw: opts.raw ?? mode !== 2 };
    },
    icmpSend(_h, address, message) {
      if (opts.sendError) throw opts.sendError;
      fake.icmpSent.push({ address, message: Buffer.from(message) });
      return message.length;
    },
    close() {
      fake.closed++;
    },
    setRef(_h, on) {
      fake.refs.push(on);
    },
    udpOpen() {
      if (opts.openError) throw opts.openError;
      return handle;
    },
    udpSend(_h, payload, address, port) {
      if (opts.sendError) throw opts.sendError;
      fake.udpSent.push({ payload: Buffer.from(payload), address, port });
      return payload.length;
    },
    udpClose() {
      fake.closed++;
    },
  };
  fake.load = { ok: true, addon, path: 'fake' };
  return fake;
}
