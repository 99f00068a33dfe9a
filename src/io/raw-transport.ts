// The raw transport: ISC dhcpd's "LPF" mode. One AF_PACKET socket per served interface (BPF: unfragmented
// IPv4/UDP to the server port, see packet-socket.ts) receives every request with the interface it came in
// on, including broadcasts from clients that have no address; replies to such clients are framed here and
// sent straight to their hardware address (raw-frames.ts).
//
// Beside the packet sockets sits one UDP socket bound to 0.0.0.0:PORT, ISC's "fallback" socket:
// - replies to `client` (ciaddr) and `relay` (giaddr) destinations go through it, because those hosts may
//   sit behind a router: the kernel picks the route, the source address and the next hop's MAC, which a
//   frame path would have to redo (and could not do for a relay several hops away);
// - holding the port stops the kernel from answering every unicast request (renewals, relayed traffic)
//   with an ICMP port-unreachable. It receives nothing (a reject-all filter drops its copies in the kernel): the packet sockets already
//   delivered those datagrams, with their interface. (As with ISC, a request arriving on an interface that
//   is not served is therefore ignored.)

import { type FrameErrorCause, parseFrame } from '../wire/frame.js';
import { formatMac } from './addr.js';
import { loadNative, type NativeHandle, type NativeLoad, requireNative } from './native.js';
import { type FrameInfo, openPacketSocket, type PacketSocket } from './packet-socket.js';
import { type FrameSource, type ReplyRoute, routeReply } from './raw-frames.js';
import {
  type Destination,
  type DhcpPorts,
  portsFor,
  type ReceivedPacket,
  type ServedInterface,
  type Transport,
} from './transport.js';

/** What the raw transport knows about a packet beyond the Transport contract. */
export interface RawReceivedPacket extends ReceivedPacket {
  /** Always known: the served interface whose packet socket received the frame. */
  iface: ServedInterface;
  /** Kernel index of that interface (as the packet socket reported it). */
  ifindex: number;
  /** Ethernet source address of the frame (the client's or the relay's NIC). */
  sourceMac: Uint8Array;
  /** IPv4 destination (host order): 255.255.255.255 for a broadcast, the server's address for unicast. */
  destinationAddress: number;
}

export type RawPacketHandler = (packet: RawReceivedPacket) => void;

/** The UDP side (client and relay destinations); injectable so unit tests need neither root nor port 67. */
export interface UdpSender {
  /** Synchronous: the datagram is with the kernel when it returns; throws the socket error. */
  send(payload: Uint8Array, address: number, port: number): void;
  close(): Promise<void>;
}

export interface RawTransportOptions {
  interfaces: readonly ServedInterface[];
  /** The server port (67, or -p PORT): received on it, and replies go to PORT+1. */
  port: number;
  /** The client port when not PORT+1 (dhcpd.conf's remote-port). */
  clientPort?: number | undefined;
  onPacket: RawPacketHandler;
  /** Socket errors after start-up, and the first bad frame of each cause per interface. Default: a warning. */
  onError?: (err: Error) => void;
  /** Tests: a fake addon. */
  native?: NativeLoad;
  /** Tests: the UDP side; default a dgram socket bound to 0.0.0.0:port. */
  openUdp?: (port: number) => Promise<UdpSender>;
}

/**
 * The fallback socket: bound to 0.0.0.0:port (SO_REUSEADDR), sends unicast. It receives nothing: the addon
 * attaches a reject-all filter, so the kernel drops its copies of the requests instead of queueing them for
 * an event loop that would read and discard each one (native/src/udp.c).
 */
export function openUdpSender(port: number, native: NativeLoad): Promise<UdpSender> {
  const addon = requireNative(native);
  let handle: NativeHandle | undefined;
  try {
    handle = addon.udpOpen(port, 0);
  } catch (err) {
    const e = err as Error;
    return Promise.reject(Object.assign(e, { message: `Can't bind to 0.0.0.0:${port}: ${e.message}` }));
  }
  const h = handle;
  let closed = false;
  return Promise.resolve({
    send: (payload, address, to) => {
      if (closed) throw new Error('socket closed');
      const buf = Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      addon.udpSend(h, buf, address, to);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      addon.udpClose(h);
    },
  });
}

export class RawTransport implements Transport {
  readonly kind = 'raw' as const;
  private readonly served: ServedInterface[] = [];
  /** Live: interfaces are added and removed while the server runs (addInterface, removeInterface). */
  readonly interfaces: readonly ServedInterface[] = this.served;
  readonly ports: DhcpPorts;
  /** Frames dropped because they did not parse, by cause (each cause reported once per interface). */
  readonly badFrames = new Map<FrameErrorCause, number>();
  private readonly sockets = new Map<string, PacketSocket>();
  private udp: UdpSender | undefined;
  private readonly reported = new Set<string>();
  private readonly onError: (err: Error) => void;
  private closed = false;

  private constructor(private readonly opts: RawTransportOptions) {
    this.ports = portsFor(opts.port, opts.clientPort);
    this.onError = opts.onError ?? ((err: Error) => process.emitWarning(err));
  }

  static async open(opts: RawTransportOptions): Promise<RawTransport> {
    const t = new RawTransport(opts);
    try {
      for (const given of opts.interfaces) t.openInterface(given);
      t.udp = await (opts.openUdp ?? ((port) => openUdpSender(port, opts.native ?? loadNative())))(opts.port);
    } catch (err) {
      await t.close();
      throw err;
    }
    return t;
  }

  /** Opens the packet socket of `given` and serves it (replacing a record of the same name); throws the errno
   * Error. Frames are handed over with the record current when they arrive. */
  private openInterface(given: ServedInterface): ServedInterface {
    const name = given.name;
    const sock = openPacketSocket({
      ifname: name,
      port: this.opts.port,
      onFrame: (frame, info) => {
        const iface = this.interfaces.find((i) => i.name === name);
        if (iface !== undefined && this.sockets.get(name) === sock)
          this.receive(frame, info, iface, this.opts.onPacket);
      },
      onError: this.onError,
      ...(this.opts.native ? { native: this.opts.native } : {}),
    });
    this.sockets.get(name)?.close();
    this.sockets.set(name, sock);
    // The kernel's index and MAC are authoritative: replies are framed from this MAC.
    const iface = { ...given, index: sock.ifindex, mac: Uint8Array.from(sock.mac) };
    this.put(iface);
    return iface;
  }

  private put(iface: ServedInterface): void {
    const at = this.interfaces.findIndex((i) => i.name === iface.name);
    if (at >= 0) this.served[at] = iface;
    else this.served.push(iface);
  }

  private lines(iface: ServedInterface, listening: string, sending: string): string[] {
    const id = `LPF/${iface.name}/${formatMac(iface.mac ?? new Uint8Array(6))}/${iface.networkName}`;
    return [`${listening} ${id}`, `${sending} ${id}`];
  }

  async addInterface(given: ServedInterface): Promise<string[]> {
    if (this.closed) throw new Error('transport closed');
    const have = this.interfaces.find((i) => i.name === given.name);
    const sock = this.sockets.get(given.name);
    if (have !== undefined && sock !== undefined && !sock.closed && (given.index === 0 || given.index === have.index)) {
      // Same link, new addresses: the socket stays, the record changes.
      const iface = { ...given, index: have.index, ...(have.mac ? { mac: have.mac } : {}) };
      this.put(iface);
      return this.lines(iface, 'Listening on', 'Sending on  ');
    }
    return this.lines(this.openInterface(given), 'Listening on', 'Sending on  ');
  }

  async removeInterface(name: string): Promise<string[]> {
    const at = this.interfaces.findIndex((i) => i.name === name);
    const iface = this.interfaces[at];
    this.sockets.get(name)?.close();
    this.sockets.delete(name);
    if (iface === undefined) return [];
    this.served.splice(at, 1);
    return this.lines(iface, 'No longer listening on', 'No longer sending on  ');
  }

  private receive(frame: Buffer, info: FrameInfo, iface: ServedInterface, onPacket: RawPacketHandler): void {
    if (this.closed) return;
    // A partial checksum (sent from this host, offload pending) cannot be verified, and one the NIC already
    // verified need not be: ISC skips the first case too.
    const parsed = parseFrame(frame, { verifyUdpChecksum: !(info.checksumNotReady || info.checksumValid) });
    if (!parsed.ok) {
      const { cause, detail } = parsed.error;
      this.badFrames.set(cause, (this.badFrames.get(cause) ?? 0) + 1);
      const key = `${iface.name}/${cause}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.onError(new Error(`${iface.name}: dropped a bad frame (${detail}); more like it are only counted`));
      }
      return;
    }
    const d = parsed.datagram;
    onPacket({
      payload: d.payload,
      iface,
      ifindex: info.ifindex,
      sourceAddress: d.srcIp,
      sourcePort: d.srcPort,
      sourceMac: d.srcMac ?? new Uint8Array(6),
      destinationAddress: d.dstIp,
    });
  }

  describe(): string[] {
    const lines: string[] = [];
    for (const iface of this.interfaces) lines.push(...this.lines(iface, 'Listening on', 'Sending on  '));
    lines.push('Sending on   Socket/fallback/fallback-net');
    return lines;
  }

  /** How a reply would leave (for logs and tests); throws as send() would reject. */
  route(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): ReplyRoute {
    const own = iface === undefined ? undefined : this.interfaces.find((i) => i.name === iface.name);
    if (iface !== undefined && own === undefined && destination.kind !== 'relay' && destination.kind !== 'client') {
      throw new Error(`interface ${iface.name} is not served by this transport`);
    }
    // Every served record carries the socket's MAC (openInterface): no copy per reply.
    const source = own?.mac === undefined ? undefined : (own as FrameSource);
    return routeReply(payload, destination, source, this.ports);
  }

  async send(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): Promise<void> {
    this.sendNow(payload, destination, iface);
  }

  sendNow(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): void {
    if (this.closed) throw new Error('transport closed');
    const route = this.route(payload, destination, iface);
    if (route.via === 'udp') {
      if (this.udp === undefined) throw new Error('transport not open');
      this.udp.send(payload, route.address, route.port);
      return;
    }
    const sock = iface === undefined ? undefined : this.sockets.get(iface.name);
    if (sock === undefined) throw new Error(`no packet socket on ${iface?.name ?? 'unknown interface'}`);
    sock.send(route.frame); // throws the errno Error (ENETDOWN, EMSGSIZE…)
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sock of this.sockets.values()) sock.close();
    this.sockets.clear();
    const udp = this.udp;
    this.udp = undefined;
    await udp?.close();
  }
}

/** Opens the raw transport; rejects with the errno Error (EPERM, ENODEV…) of the first socket that fails. */
export function openRawTransport(opts: RawTransportOptions): Promise<RawTransport> {
  return RawTransport.open(opts);
}
