// The seam between the server daemon and the network: a Transport delivers DHCP payloads (the UDP
// data, not yet decoded) with where they came from, and sends replies to a destination described
// the way RFC 2131 section 4.1 does. Two implementations sit behind it: UDP sockets
// (udp-transport.ts, this issue) and AF_PACKET sockets (the raw transport, issue 4), which can also
// unicast to a hardware address and always knows the receiving interface.

/** One interface the server answers on: what the engine needs to locate clients and name itself. */
export interface ServedInterface {
  name: string;
  /** Kernel interface index (0 when unknown). */
  index: number;
  /** IPv4 addresses (host-order uint32), primary first. */
  addresses: readonly number[];
  /** Netmask of each address, same order. */
  masks: readonly number[];
  /** 6-byte hardware address, when the interface has one. */
  mac?: Uint8Array;
  /** The link MTU, when known: replies never exceed it. */
  mtu?: number;
  /** For the log lines: the shared network this interface is attached to ("192.0.2.0/24"). */
  networkName: string;
}

export interface ReceivedPacket {
  /** The UDP payload: a BOOTP/DHCP message not yet decoded. */
  payload: Uint8Array;
  /**
   * The interface the packet arrived on. The raw transport always knows it; the UDP transport infers
   * it (see udp-transport.ts) and leaves it undefined when it cannot tell.
   */
  iface: ServedInterface | undefined;
  /** IPv4 source address (host order; 0 for 0.0.0.0) and UDP source port. */
  sourceAddress: number;
  sourcePort: number;
}

/**
 * Where a reply goes. `relay`: giaddr at the server port. `client`: ciaddr at the client port, through
 * the kernel's routing (the client may sit behind a router). `broadcast`: 255.255.255.255 at the client
 * port, out of `iface`. `link`: yiaddr at chaddr without ARP (raw transport only); a transport that
 * cannot do it broadcasts on `iface` instead, as ISC's socket fallback does.
 */
export type Destination =
  /** `port`: the relay asked for replies on another port (RFC 8357); else the server port. */
  | { kind: 'relay'; address: number; port?: number }
  | { kind: 'client'; address: number }
  /**
   * `hardware`: a raw transport frames the broadcast to this MAC instead of ff:ff:ff:ff:ff:ff (ISC's
   * BOOTREPLY to a fixed-address host does); `source`: the frame's IP source (ISC: the server identifier).
   */
  | { kind: 'broadcast'; hardware?: Uint8Array; source?: number }
  /** `source`: the frame's IP source (ISC: the server identifier); default an address of the interface. */
  | { kind: 'link'; address: number; htype: number; hardware: Uint8Array; source?: number };

export interface Transport {
  /** 'udp' or 'raw', for the log ("Listening on Socket/..." vs "Listening on LPF/..."). */
  readonly kind: 'udp' | 'raw';
  /** The interfaces it serves now: a live list, changed by addInterface/removeInterface. */
  readonly interfaces: readonly ServedInterface[];
  /** ISC's "Listening on ..." / "Sending on ..." lines for what was opened. */
  describe(): string[];
  /**
   * Starts serving `iface`, or takes its new addresses when an interface of that name is served already
   * (interfaces that appear or change address while the server runs). Resolves with the lines to log
   * ("Listening on ..."); rejects with the socket error, leaving the interface unserved. A transport
   * without these methods serves a fixed set.
   */
  addInterface?(iface: ServedInterface): Promise<string[]>;
  /** Stops serving the interface named `name` (gone, or no address in a declared subnet left); the lines to log. */
  removeInterface?(name: string): Promise<string[]>;
  /**
   * Sends `payload` to `destination`, leaving through `iface` (the interface the request came in on;
   * undefined for a request whose interface is unknown, which only relay and client destinations
   * can reach). Resolves once the kernel has the datagram; rejects with the socket error.
   */
  send(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): Promise<void>;
  /**
   * The same, synchronously (throws the socket error), for transports whose sends complete at once (the raw
   * transport's are plain non-blocking sendto calls): the hot path then needs no promise per reply.
   */
  sendNow?(payload: Uint8Array, destination: Destination, iface: ServedInterface | undefined): void;
  /** Stops receiving and closes every socket; idempotent. */
  close(): Promise<void>;
}

export type PacketHandler = (packet: ReceivedPacket) => void;

/** Ports as ISC uses them: the server listens on `server` and answers clients on `server + 1`. */
export interface DhcpPorts {
  server: number;
  client: number;
}

export function portsFor(serverPort: number, clientPort = serverPort + 1): DhcpPorts {
  return { server: serverPort, client: clientPort };
}

/** Where a reply to a relay goes: the port it asked for (RFC 8357), else the server port. */
export function relayReplyPort(destination: Destination, ports: DhcpPorts): number {
  const port = destination.kind === 'relay' ? destination.port : undefined;
  return typeof port === 'number' && port > 0 && port < 65536 ? port : ports.server;
}
