// One interface's sockets, as ISC dhclient has them on Linux:
// - an AF_PACKET socket (BPF: UDP to the client port) that sends frames from 0.0.0.0 and receives every reply,
//   including replies unicast to an address the interface does not have yet;
// - an ordinary UDP socket bound to the leased address for unicast (renewal, release), so that the kernel's
//   routes and ARP apply; what it receives is discarded, as ISC's fallback_discard does, since the packet
//   socket sees the same datagrams;
// - when packet sockets are not permitted: one UDP socket on 0.0.0.0 with SO_BROADCAST for everything (the
//   kernel then chooses the source address, so a server that insists on 0.0.0.0 may not answer).
// A packet socket that reports an error is replaced by a fresh one: when its interface goes down the kernel
// flags it (ENETDOWN) and the event loop stops polling it ("recvmsg EBADF"), so it would never receive again.
// The replacement is tried at once and then every second until one opens without error (the kernel flags a
// socket bound while the interface is down, too); the daemon also asks for it when the carrier comes back.
import { createSocket, type Socket } from 'node:dgram';
import { openPacketSocket, type PacketSocket } from '../io/packet-socket.js';
import {
  BOOTREPLY,
  BROADCAST_MAC,
  buildFrame,
  type DhcpMessage,
  decodeMessage,
  encodeMessage,
  ipToString,
  type OutgoingMessage,
  parseFrame,
} from '../wire/index.js';

export interface LinkOptions {
  ifname: string;
  /** Client port (68, or -p PORT); the server port is one less. */
  port: number;
  onMessage: (message: DhcpMessage, from: number) => void;
  log: (level: 'info' | 'error', message: string) => void;
  /** For tests and the fallback: never try packet sockets. */
  noPacket?: boolean;
  /** For tests: opens the packet socket instead of io/packet-socket.ts. */
  openPacketSocket?: typeof openPacketSocket;
}

export interface Outgoing {
  message: OutgoingMessage;
  to: number;
  from: number;
}

function bytes(m: OutgoingMessage): Uint8Array {
  return encodeMessage(m).bytes;
}

export class Link {
  private packet: PacketSocket | undefined;
  private fallback: Socket | undefined;
  /** Unicast sockets by bound (leased) address. */
  private readonly unicast = new Map<number, Socket>();
  /** The MAC each server's replies came from (a relay's or router's when off-link): for unicast fallbacks. */
  private readonly macOf = new Map<number, Uint8Array>();
  mac: Uint8Array | undefined;
  private closed = false;
  /** The packet socket reported an error: it is being replaced. */
  private broken = false;
  private repairTimer: NodeJS.Timeout | undefined;
  private lastError = { message: '', at: 0 };

  constructor(private readonly o: LinkOptions) {}

  get serverPort(): number {
    return this.o.port - 1;
  }

  get usesPacketSocket(): boolean {
    return this.packet !== undefined;
  }

  /** Opens the packet socket, or the UDP fallback; returns the reason when it fell back. */
  async open(): Promise<string | undefined> {
    let reason = 'packet sockets disabled';
    if (!this.o.noPacket) {
      try {
        this.packet = this.openPacket();
        this.mac = new Uint8Array(this.packet.mac);
        return undefined;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
    }
    this.fallback = await this.bindUdp('0.0.0.0', true);
    this.fallback.setBroadcast(true);
    return reason;
  }

  private openPacket(): PacketSocket {
    const sock: PacketSocket = (this.o.openPacketSocket ?? openPacketSocket)({
      ifname: this.o.ifname,
      port: this.o.port,
      onFrame: (frame, info) => this.onFrame(frame, info.checksumNotReady),
      onError: (err) => this.onPacketError(sock, err),
    });
    return sock;
  }

  private onPacketError(sock: PacketSocket, err: Error): void {
    if (this.closed || sock !== this.packet) return;
    this.logError(`${err.message} (the packet socket is replaced)`);
    this.broken = true;
    this.scheduleRepair(this.repairTimer === undefined ? 0 : 1000);
  }

  /** Logged once per cause and half minute: while the interface stays down every replacement fails alike. */
  private logError(message: string): void {
    const now = Date.now();
    if (message === this.lastError.message && now - this.lastError.at <= 30_000) return;
    this.lastError = { message, at: now };
    this.o.log('error', `${this.o.ifname}: ${message}`);
  }

  private scheduleRepair(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.repairTimer);
    this.repairTimer = setTimeout(() => this.repair(), ms);
    this.repairTimer.unref();
  }

  /** Replaces a packet socket that reported an error (the daemon calls it when the carrier comes back). */
  repair(): void {
    clearTimeout(this.repairTimer);
    this.repairTimer = undefined;
    if (this.closed || !this.broken || !this.packet) return;
    try {
      const fresh = this.openPacket();
      const old = this.packet;
      this.packet = fresh;
      this.broken = false;
      old.close();
      // A fresh socket that fails too (interface still down) reports it and comes back here in a second.
      this.repairTimer = setTimeout(() => {
        this.repairTimer = undefined;
      }, 1000);
      this.repairTimer.unref();
    } catch (err) {
      this.logError(`cannot reopen the packet socket: ${(err as Error).message}`);
      this.scheduleRepair(1000);
    }
  }

  private onFrame(frame: Buffer, checksumNotReady: boolean): void {
    const parsed = parseFrame(frame, { verifyUdpChecksum: !checksumNotReady });
    if (!parsed.ok || parsed.datagram.dstPort !== this.o.port) return;
    const d = parsed.datagram;
    if (d.srcMac && d.srcIp !== 0) this.macOf.set(d.srcIp, new Uint8Array(d.srcMac));
    this.deliver(d.payload, d.srcIp);
  }

  private deliver(payload: Uint8Array, from: number): void {
    const r = decodeMessage(payload, { requireCookie: true });
    if (!r.ok || r.message.op !== BOOTREPLY) return;
    this.o.onMessage(r.message, from);
  }

  private bindUdp(address: string, receive: boolean): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = createSocket({ type: 'udp4', reuseAddr: true });
      s.once('error', reject);
      s.on('message', (msg, rinfo) => {
        // Only the fallback socket's datagrams are news; the packet socket already saw the others.
        if (receive) this.deliver(new Uint8Array(msg), ipFromText(rinfo.address));
      });
      s.bind({ address, port: this.o.port, exclusive: false }, () => {
        s.removeListener('error', reject);
        s.on('error', (err) => this.o.log('error', `${this.o.ifname}: UDP socket on ${address}: ${err.message}`));
        resolve(s);
      });
    });
  }

  /** Sends a message from 0.0.0.0 (frame) or from the leased address (UDP socket bound to it). */
  async send(out: Outgoing): Promise<void> {
    if (this.closed) return;
    const payload = bytes(out.message);
    if (this.fallback) {
      await udpSend(this.fallback, payload, out.to, this.serverPort);
      return;
    }
    // Broadcasts (REBINDING's too, from the leased address as ISC sends them) go out as frames; only a unicast
    // from the leased address uses the kernel's stack.
    if (out.from !== 0 && out.to !== 0xffffffff) {
      const s = await this.unicastSocket(out.from);
      if (s) {
        await udpSend(s, payload, out.to, this.serverPort);
        return;
      }
    }
    this.sendFrame(payload, out.from, out.to);
  }

  /** A frame through the packet socket: to the broadcast MAC unless we know the server's. */
  private sendFrame(payload: Uint8Array, from: number, to: number): void {
    if (!this.packet || !this.mac) throw new Error('no packet socket');
    const dstMac = to === 0xffffffff ? BROADCAST_MAC : (this.macOf.get(to) ?? BROADCAST_MAC);
    const frame = buildFrame(
      { srcMac: this.mac, dstMac, srcIp: from, dstIp: to, srcPort: this.o.port, dstPort: this.serverPort },
      payload,
    );
    this.packet.send(frame);
  }

  /**
   * The socket bound to the leased address. If the address is not configured (a script that does not
   * configure it), the message goes out as a frame from that address instead.
   */
  private async unicastSocket(from: number): Promise<Socket | undefined> {
    const have = this.unicast.get(from);
    if (have) return have;
    try {
      const s = await this.bindUdp(ipToString(from), false);
      for (const [addr, old] of this.unicast) {
        old.close();
        this.unicast.delete(addr);
      }
      this.unicast.set(from, s);
      return s;
    } catch (err) {
      this.o.log(
        'info',
        `cannot bind ${ipToString(from)}:${this.o.port} (${(err as Error).message}): sending from the packet socket`,
      );
      return undefined;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.repairTimer);
    this.packet?.close();
    this.fallback?.close();
    for (const s of this.unicast.values()) s.close();
    this.unicast.clear();
  }
}

function ipFromText(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

function udpSend(s: Socket, payload: Uint8Array, to: number, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    s.send(payload, port, ipToString(to), (err) => (err ? reject(err) : resolve()));
  });
}
