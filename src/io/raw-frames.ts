// How the raw transport carries a reply to each kind of destination (RFC 2131 section 4.1), as a pure
// function so that the addressing can be tested without root:
//
// - `link` (yiaddr at chaddr: broadcast flag clear, ciaddr zero): an Ethernet frame straight to chaddr
//   with IP destination yiaddr. No ARP: the client cannot answer ARP for an address it does not have
//   yet. A chaddr that is not a 6-byte Ethernet address cannot be framed, so that reply is broadcast,
//   as RFC 2131 allows when unicast to the hardware address is impossible.
// - `broadcast`: a frame to ff:ff:ff:ff:ff:ff / 255.255.255.255 out of the receiving interface.
// - `client` (ciaddr) and `relay` (giaddr): not framed here. Those addresses are configured hosts,
//   possibly behind a router, so the next hop and its MAC come from the kernel's routing table and ARP
//   cache; the transport hands them to an ordinary UDP socket, as ISC dhcpd does with its fallback socket.

import { buildFrame } from '../wire/frame.js';
import type { Destination, DhcpPorts } from './transport.js';

export const BROADCAST_MAC: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const LIMITED_BROADCAST = 0xffffffff;
/** ARP hardware type of Ethernet (RFC 1700), the only chaddr a frame can be sent to. */
const HTYPE_ETHERNET = 1;

/** What a frame needs from the interface it leaves through. */
export interface FrameSource {
  name: string;
  /** The interface's own hardware address (the packet socket's, which the kernel reported). */
  mac: Uint8Array;
  /** IPv4 addresses (host order), primary first, and their netmasks in the same order. */
  addresses: readonly number[];
  masks: readonly number[];
}

export type ReplyRoute =
  | { via: 'frame'; frame: Uint8Array; dstMac: Uint8Array; dstIp: number; srcIp: number }
  | { via: 'udp'; address: number; port: number };

/**
 * The address a frame to `destination` leaves from: the interface address on the same subnet (a
 * client checks nothing, but a capture then reads right on multi-homed links), else the primary one.
 */
export function sourceAddressFor(iface: FrameSource, destination: number): number {
  for (let i = 0; i < iface.addresses.length; i++) {
    const mask = iface.masks[i] ?? 0xffffffff;
    const address = iface.addresses[i]!;
    if (mask !== 0xffffffff && (address & mask) >>> 0 === (destination & mask) >>> 0) return address;
  }
  const primary = iface.addresses[0];
  if (primary === undefined) throw new Error(`${iface.name}: no IPv4 address to send from`);
  return primary;
}

/** The relay's port: RFC 8357 lets a relay ask for another one (the engine's ReplyDestination carries it). */
function relayPort(destination: Destination, ports: DhcpPorts): number {
  const port = 'port' in destination ? destination.port : undefined;
  return typeof port === 'number' && port > 0 && port < 65536 ? port : ports.server;
}

function frameTo(
  payload: Uint8Array,
  iface: FrameSource,
  dstMac: Uint8Array,
  dstIp: number,
  srcIp: number,
  ports: DhcpPorts,
): ReplyRoute {
  const frame = buildFrame(
    { srcMac: iface.mac, dstMac, srcIp, dstIp, srcPort: ports.server, dstPort: ports.client },
    payload,
  );
  return { via: 'frame', frame, dstMac, dstIp, srcIp };
}

/** Decides how `payload` reaches `destination`; throws when a frame is needed but no interface is known. */
export function routeReply(
  payload: Uint8Array,
  destination: Destination,
  iface: FrameSource | undefined,
  ports: DhcpPorts,
): ReplyRoute {
  switch (destination.kind) {
    case 'relay':
      return { via: 'udp', address: destination.address, port: relayPort(destination, ports) };
    case 'client':
      return { via: 'udp', address: destination.address, port: ports.client };
    case 'link':
    case 'broadcast': {
      if (iface === undefined) throw new Error(`cannot send a ${destination.kind} reply: receiving interface unknown`);
      if (destination.kind === 'link' && destination.htype === HTYPE_ETHERNET && destination.hardware.length === 6) {
        const srcIp = sourceAddressFor(iface, destination.address);
        return frameTo(payload, iface, destination.hardware, destination.address, srcIp, ports);
      }
      const primary = iface.addresses[0];
      if (primary === undefined) throw new Error(`${iface.name}: no IPv4 address to send from`);
      return frameTo(payload, iface, BROADCAST_MAC, LIMITED_BROADCAST, primary, ports);
    }
  }
}
