// The UDP transport: plain dgram sockets, ISC dhcpd's "Socket" mode. It serves relayed clients fully
// and directly attached clients through broadcast replies; the raw transport (issue 4) does better.
//
// Node's dgram offers neither SO_BINDTODEVICE nor IP_PKTINFO, so the receiving interface of a
// packet cannot be read from the kernel. The layout that gets closest:
//
// - one socket bound to 0.0.0.0:PORT (SO_REUSEADDR, SO_BROADCAST): the only one that receives
//   broadcasts (255.255.255.255 and subnet-directed), from any interface;
// - per served interface, one socket bound to its primary address:PORT (SO_REUSEADDR,
//   SO_BROADCAST). Unicast to that address (renewals, relays) arrives here — Linux prefers the
//   more specific bind — so its interface is known. Above all, a broadcast sent from a socket
//   bound to an interface's address leaves through that interface (the kernel picks the device
//   that owns the source address), where the wildcard socket would need a default route and
//   would pick its device, not ours.
//
// How the receiving interface of a packet on the wildcard socket is inferred:
// 1. its source address lies in a subnet of a served interface: that interface;
// 2. the source is 0.0.0.0 (a client without an address) and one interface is served: that one;
// 3. otherwise unknown (undefined): the daemon serves it only when it was relayed (giaddr set).
// Limits: with several served interfaces a broadcast from an address-less client cannot be placed
// and is dropped (counted); on a host where other, unserved broadcast interfaces carry DHCP
// clients, their broadcasts reach the wildcard socket too and, with one served interface, are
// answered as if they came from it. Both go away with the raw transport, which binds per interface.
// Replies to clients that have no address yet are broadcast (RFC 2131 section 4.1 allows it when
// unicast to chaddr is impossible): `link` destinations become broadcasts on the interface.

import { createSocket, type Socket } from 'node:dgram';
import {
  type Destination,
  type DhcpPorts,
  type PacketHandler,
  relayReplyPort,
  type ServedInterface,
  type Transport,
} from './transport.js';

export interface UdpTransportOptions {
  interfaces: readonly ServedInterface[];
  ports: DhcpPorts;
  onPacket: PacketHandler;
  /** Socket errors after start-up (the sockets stay open). */
  onError: (err: Error) => void;
  /** Bind address of the wildcard socket (tests may narrow it; default 0.0.0.0). */
  wildcardAddress?: string;
}

function dotted(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function parseDotted(text: string): number {
  const p = text.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !(n >= 0 && n <= 255))) return 0;
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0) as number;
}

function bindSocket(address: string, port: number, onError: (e: Error) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    const fail = (err: Error) => {
      sock.close();
      reject(Object.assign(err, { message: `Can't bind to ${address}:${port}: ${err.message}` }));
    };
    sock.once('error', fail);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', fail);
      sock.on('error', onError);
      sock.setBroadcast(true);
      resolve(sock);
    });
  });
}

/** The interface whose subnets hold `address`, if any (first match, in serving order). */
export function interfaceForSource(
  interfaces: readonly ServedInterface[],
  address: number,
): ServedInterface | undefined {
  if (address === 0) return interfaces.length === 1 ? interfaces[0] : undefined;
  for (const iface of interfaces) {
    for (let i = 0; i < iface.addresses.length; i++) {
      const mask = iface.masks[i] ?? 0xffffffff;
      if ((iface.addresses[i]! & mask) >>> 0 === (address & mask) >>> 0) return iface;
    }
  }
  return undefined;
}

function closeSocket(s: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** What UDP sockets lose when they serve several interfaces (they share one wildcard socket for broadcasts). */
export function cannotTellApart(names: readonly string[]): string {
  return `UDP sockets cannot tell ${names.join(', ')} apart: broadcasts from clients without an address are dropped; relayed and renewing clients are served.`;
}

export class UdpTransport implements Transport {
  readonly kind = 'udp' as const;
  private readonly served: ServedInterface[];
  /** Live: interfaces are added and removed while the server runs (addInterface, removeInterface). */
  readonly interfaces: readonly ServedInterface[];
  private readonly ports: DhcpPorts;
  private wildcard: Socket | undefined;
  private readonly perInterface = new Map<string, Socket>();
  private closed = false;

  private constructor(private readonly opts: UdpTransportOptions) {
    this.served = [...opts.interfaces];
    this.interfaces = this.served;
    this.ports = opts.ports;
  }

  static async open(opts: UdpTransportOptions): Promise<UdpTransport> {
    const t = new UdpTransport(opts);
    try {
      t.wildcard = await bindSocket(opts.wildcardAddress ?? '0.0.0.0', opts.ports.server, opts.onError);
      t.deliver(t.wildcard, undefined);
      for (const iface of opts.interfaces) await t.bindInterface(iface);
    } catch (err) {
      await t.close();
      throw err;
    }
    return t;
  }

  private deliver(sock: Socket, name: string | undefined): void {
    sock.on('message', (msg, rinfo) => {
      if (this.closed) return;
      const sourceAddress = parseDotted(rinfo.address);
      const own = name === undefined ? undefined : this.served.find((i) => i.name === name);
      this.opts.onPacket({
        payload: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
        iface: own ?? interfaceForSource(this.served, sourceAddress),
        sourceAddress,
        sourcePort: rinfo.port,
      });
    });
  }

  /** Binds the socket of `iface` to its primary address (see the header). */
  private async bindInterface(iface: ServedInterface): Promise<void> {
    const primary = iface.addresses[0];
    if (primary === undefined) return;
    const sock = await bindSocket(dotted(primary), this.ports.server, this.opts.onError);
    if (this.closed) {
      await closeSocket(sock);
      return;
    }
    this.perInterface.set(iface.name, sock);
    this.deliver(sock, iface.name);
  }

  private lines(iface: ServedInterface, listening: string, sending: string): string[] {
    return [
      `${listening} Socket/${iface.name}/${iface.networkName}`,
      `${sending} Socket/${iface.name}/${iface.networkName}`,
    ];
  }

  async addInterface(iface: ServedInterface): Promise<string[]> {
    if (this.closed) throw new Error('transport closed');
    const isNew = !this.served.some((i) => i.name === iface.name);
    // A new primary address needs a new bind: the old socket goes first (it may hold the same address).
    const old = this.perInterface.get(iface.name);
    this.perInterface.delete(iface.name);
    if (old !== undefined) await closeSocket(old);
    const at = this.served.findIndex((i) => i.name === iface.name);
    if (at >= 0) this.served.splice(at, 1);
    await this.bindInterface(iface);
    this.served.push(iface);
    const lines = this.lines(iface, 'Listening on', 'Sending on  ');
    // Said at start-up for the interfaces served then (daemon-start.ts); again whenever one more joins them.
    if (isNew && this.served.length > 1) lines.push(cannotTellApart(this.served.map((i) => i.name)));
    return lines;
  }

  async removeInterface(name: string): Promise<string[]> {
    const sock = this.perInterface.get(name);
    this.perInterface.delete(name);
    if (sock !== undefined) await closeSocket(sock);
    const at = this.served.findIndex((i) => i.name === name);
    const iface = this.served[at];
    if (iface === undefined) return [];
    this.served.splice(at, 1);
    return this.lines(iface, 'No longer listening on', 'No longer sending on  ');
  }

  describe(): string[] {
    const lines: string[] = [];
    for (const iface of this.interfaces) lines.push(...this.lines(iface, 'Listening on', 'Sending on  '));
    // ISC's fallback socket carries relay traffic; ours is the wildcard socket.
    lines.push('Sending on   Socket/fallback/fallback-net');
    return lines;
  }

  send(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    const own = iface === undefined ? undefined : this.perInterface.get(iface.name);
    let sock: Socket | undefined;
    let address: string;
    let port: number;
    switch (destination.kind) {
      case 'relay':
        sock = own ?? this.wildcard;
        address = dotted(destination.address);
        port = relayReplyPort(destination, this.ports);
        break;
      case 'client':
        sock = own ?? this.wildcard;
        address = dotted(destination.address);
        port = this.ports.client;
        break;
      default:
        // broadcast, and link (no unicast to a hardware address over UDP): broadcast out of the
        // receiving interface, which needs that interface's own socket (see the header).
        sock = own;
        address = '255.255.255.255';
        port = this.ports.client;
    }
    if (sock === undefined) {
      return Promise.reject(new Error(`cannot broadcast: interface ${iface?.name ?? 'unknown'} has no socket`));
    }
    const s = sock;
    return new Promise((resolve, reject) => {
      s.send(payload, port, address, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const socks = [...this.perInterface.values(), ...(this.wildcard ? [this.wildcard] : [])];
    this.perInterface.clear();
    this.wildcard = undefined;
    await Promise.all(socks.map(closeSocket));
  }
}
