// Choosing the transport at start-up: packet sockets when this process may open them, else UDP sockets,
// said once in the log, as ISC dhcpd falls back to its socket mode on systems without a packet filter.
// Only "cannot use packet sockets here" falls back (no privilege, no addon, no AF_PACKET, an interface that
// is gone or not Ethernet); any other failure, such as the server port being taken, is the caller's error.

import { describeIoError, errnoCode } from './errors.js';
import type { NativeLoad } from './native.js';
import { openRawTransport, type RawReceivedPacket } from './raw-transport.js';
import {
  type PacketHandler,
  portsFor,
  type ReceivedPacket,
  type ServedInterface,
  type Transport,
} from './transport.js';
import { UdpTransport, type UdpTransportOptions } from './udp-transport.js';

const FALLBACK_CODES = new Set([
  'EPERM',
  'EACCES',
  'ENODEV',
  'ENXIO',
  'EAFNOSUPPORT',
  'EPROTONOSUPPORT',
  'ERR_LEASEHOLD_NATIVE_UNAVAILABLE',
  'ERR_LEASEHOLD_NOT_ETHERNET',
]);

/** Whether a failure to open the raw transport means "use UDP sockets instead". */
export function isFallbackError(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && FALLBACK_CODES.has(code);
}

/** What serving on UDP sockets alone means for the server (another daemon says its own). */
const UDP_ONLY = 'serving on UDP sockets: relayed clients and broadcast replies only';

/** The log line of the fallback; `reason` says why packet sockets could not be opened. */
export function fallbackLine(reason: string, udpOnly = UDP_ONLY): string {
  return `packet sockets not permitted (${reason}); ${udpOnly}`;
}

export interface BestTransportOptions {
  interfaces: readonly ServedInterface[];
  /** The server port (67, or -p PORT); replies to clients go to PORT+1. */
  port: number;
  /** The client port when not PORT+1 (dhcpd.conf's remote-port). */
  clientPort?: number | undefined;
  /** Receives every packet; from the raw transport they are RawReceivedPackets (isRawPacket tells). */
  onPacket: PacketHandler;
  /** Socket errors after start-up. */
  onError: (err: Error) => void;
  /** One line, once, when falling back to UDP. */
  log: (line: string) => void;
  /** The end of that line: what UDP sockets alone mean for this daemon (default: the server's). */
  udpOnly?: string;
  /** 'udp' skips packet sockets (the line then says so). Default 'auto'. */
  prefer?: 'auto' | 'udp';
  /** Tests: a fake or absent addon. */
  native?: NativeLoad;
  /** Tests: the UDP transport's opener (default UdpTransport.open). */
  openUdp?: (opts: UdpTransportOptions) => Promise<Transport>;
}

/** The raw transport, or the UDP one with the fallback line logged. */
export async function openBestTransport(opts: BestTransportOptions): Promise<Transport> {
  const udpOnly = opts.udpOnly ?? UDP_ONLY;
  let line = `packet sockets not used (UDP sockets requested); ${udpOnly}`;
  if (opts.prefer !== 'udp') {
    try {
      return await openRawTransport({
        interfaces: opts.interfaces,
        port: opts.port,
        clientPort: opts.clientPort,
        onPacket: opts.onPacket,
        onError: opts.onError,
        ...(opts.native ? { native: opts.native } : {}),
      });
    } catch (err) {
      if (!isFallbackError(err)) throw err;
      line = fallbackLine(describeIoError(err), udpOnly);
    }
  }
  opts.log(line);
  return (opts.openUdp ?? ((o) => UdpTransport.open(o)))({
    interfaces: opts.interfaces,
    ports: portsFor(opts.port, opts.clientPort),
    onPacket: opts.onPacket,
    onError: opts.onError,
  });
}

/** Whether a packet came through the raw transport, with its source MAC and interface index. */
export function isRawPacket(packet: ReceivedPacket): packet is RawReceivedPacket {
  return 'sourceMac' in packet;
}
