// Raw Ethernet I/O on one interface through the native addon: what dhcpd and dhclient need to talk to hosts that
// have no IP address yet (frames from 0.0.0.0, replies to a MAC that has no ARP entry).
import { arpFilter, type BpfInsn, dropAllFilter, encodeBpf, udpPortFilter } from './bpf.js';
import { describeIoError, errnoCode } from './errors.js';
import { loadNative, type NativeAddon, type NativeHandle, type NativeLoad, requireNative } from './native.js';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
/** ARPHRD_ETHER and ARPHRD_LOOPBACK: the link types whose frames carry an Ethernet header. */
const ETHERNET_HWTYPES = new Set([1, 772]);
/** tp_status bits from <linux/if_packet.h>. */
export const TP_STATUS_CSUMNOTREADY = 1 << 3;
export const TP_STATUS_CSUM_VALID = 1 << 7;

export interface FrameInfo {
  readonly ifname: string;
  readonly ifindex: number;
  /** The sender is on this host and the kernel left the UDP checksum to offload, so the checksum field is not
   * final and must not be verified (ISC dhcpd skips it the same way). */
  readonly checksumNotReady: boolean;
  /** The NIC already verified the checksum. */
  readonly checksumValid: boolean;
}

export interface PacketSocket {
  readonly ifname: string;
  readonly ifindex: number;
  /** The interface's hardware address (6 bytes). */
  readonly mac: Buffer;
  readonly closed: boolean;
  /** Sends a complete Ethernet frame; throws the errno Error (EAGAIN, ENETDOWN, EMSGSIZE…) if the kernel refuses. */
  send(frame: Uint8Array): void;
  /** Stops receiving and closes the socket; safe to call more than once. */
  close(): void;
  /** Whether the open socket keeps the process alive (default: yes). */
  ref(): void;
  unref(): void;
}

export type FrameHandler = (frame: Buffer, info: FrameInfo) => void;

export interface RawPacketSocketOptions {
  ifname: string;
  /** EtherType the socket is bound to: ETH_P_IP or ETH_P_ARP. */
  ethertype: number;
  filter: readonly BpfInsn[];
  onFrame: FrameHandler;
  /** Socket errors (ENETDOWN when the link goes down…); the socket stays open and is read again once the link is back. Default: a process warning. */
  onError?: (err: Error) => void;
  /** For tests: a loaded (or fake) addon instead of the default one. */
  native?: NativeLoad;
}

export function openRawPacketSocket(opts: RawPacketSocketOptions): PacketSocket {
  const addon: NativeAddon = requireNative(opts.native ?? loadNative());
  const { ifname, onFrame } = opts;
  const onError = opts.onError ?? ((err: Error) => process.emitWarning(err));
  let ifindex = 0;
  let closed = false;
  const opened = addon.packetOpen(ifname, opts.ethertype, encodeBpf(opts.filter), (err, frames, meta) => {
    for (let i = 0; i < frames.length && !closed; i++) {
      const status = meta[i] ?? 0;
      onFrame(frames[i] as Buffer, {
        ifname,
        ifindex,
        checksumNotReady: (status & TP_STATUS_CSUMNOTREADY) !== 0,
        checksumValid: (status & TP_STATUS_CSUM_VALID) !== 0,
      });
    }
    if (err && !closed) onError(err);
  });
  const handle: NativeHandle = opened.handle;
  ifindex = opened.ifindex;
  if (!ETHERNET_HWTYPES.has(opened.hwtype)) {
    addon.close(handle);
    throw Object.assign(new Error(`${ifname}: link type ${opened.hwtype} has no Ethernet framing`), {
      code: 'ERR_LEASEHOLD_NOT_ETHERNET',
    });
  }
  const mac = Buffer.from(opened.mac);
  return {
    ifname,
    ifindex,
    mac,
    get closed() {
      return closed;
    },
    send(frame: Uint8Array): void {
      const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      addon.packetSend(handle, buf);
    },
    close(): void {
      if (closed) return;
      closed = true;
      addon.close(handle);
    },
    ref: () => {
      if (!closed) addon.setRef(handle, true);
    },
    unref: () => {
      if (!closed) addon.setRef(handle, false);
    },
  };
}

export interface PacketSocketOptions {
  ifname: string;
  /** UDP destination port to receive: 67 for a server, 68 for a client, or the -p PORT of a test run. */
  port: number;
  onFrame: FrameHandler;
  onError?: (err: Error) => void;
  native?: NativeLoad;
}

/** A socket receiving unfragmented IPv4/UDP frames to `port` on `ifname` and sending whole Ethernet frames. */
export function openPacketSocket(opts: PacketSocketOptions): PacketSocket {
  return openRawPacketSocket({ ...opts, ethertype: ETH_P_IP, filter: udpPortFilter(opts.port) });
}

/** A socket receiving IPv4-over-Ethernet ARP on `ifname`. */
export function openArpSocket(opts: Omit<PacketSocketOptions, 'port'>): PacketSocket {
  return openRawPacketSocket({ ...opts, ethertype: ETH_P_ARP, filter: arpFilter() });
}

export type Availability = { available: true } | { available: false; reason: string; code: string | undefined };

/** Whether this process can use packet sockets, tried on `ifname` (default: lo, present in every namespace) with
 * a filter that accepts nothing. When not, `reason` says why, for the log line of the fallback to UDP. */
export function isPacketIoAvailable(ifname = 'lo', native?: NativeLoad): Availability {
  const load = native ?? loadNative();
  if (!load.ok) return { available: false, reason: load.reason, code: 'ERR_LEASEHOLD_NATIVE_UNAVAILABLE' };
  try {
    const sock = openRawPacketSocket({
      ifname,
      ethertype: ETH_P_IP,
      filter: dropAllFilter(),
      onFrame: () => {},
      native: load,
    });
    sock.close();
    return { available: true };
  } catch (err) {
    return { available: false, reason: describeIoError(err), code: errnoCode(err) };
  }
}
