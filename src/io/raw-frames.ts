// How the raw transport carries a reply to each kind of destination, as ISC dhcpd's LPF code does
// (server/dhcp.c dhcp_reply, common/lpf.c send_packet, common/ethernet.c), as a pure function so that
// the addressing can be tested without root:
//
// - `link` (yiaddr at chaddr: broadcast flag clear): a frame straight to chaddr with IP destination
//   yiaddr. No ARP: the client cannot answer ARP for an address it does not have yet. As in ISC, a
//   chaddr that is not 6 bytes long goes to the Ethernet broadcast address, still with IP yiaddr.
// - `broadcast`: a frame to ff:ff:ff:ff:ff:ff / 255.255.255.255 out of the receiving interface (to the
//   destination's `hardware` instead when it names one: ISC's BOOTREPLY to a fixed-address host).
// - The IP source of a frame is the destination's `source` (ISC: the server identifier) when given,
//   else the interface's first address (ISC's default server identifier).
// - `client` (ciaddr) and `relay` (giaddr): not framed here. Those addresses are configured hosts,
//   possibly behind a router, so the next hop and its MAC come from the kernel's routing table and ARP
//   cache; the transport hands them to an ordinary UDP socket, as ISC dhcpd does with its fallback socket.

import { buildFrame } from '../wire/frame.js';
import { type Destination, type DhcpPorts, relayReplyPort } from './transport.js';

export const BROADCAST_MAC: Uint8Array = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const LIMITED_BROADCAST = 0xffffffff;

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
      return { via: 'udp', address: destination.address, port: relayReplyPort(destination, ports) };
    case 'client':
      return { via: 'udp', address: destination.address, port: ports.client };
    case 'link':
    case 'broadcast': {
      if (iface === undefined) throw new Error(`cannot send a ${destination.kind} reply: receiving interface unknown`);
      const srcIp = destination.source ?? iface.addresses[0];
      if (srcIp === undefined) throw new Error(`${iface.name}: no IPv4 address to send from`);
      const hw = destination.hardware;
      const dstMac = hw?.length === 6 ? hw : BROADCAST_MAC;
      const dstIp = destination.kind === 'link' ? destination.address : LIMITED_BROADCAST;
      return frameTo(payload, iface, dstMac, dstIp, srcIp, ports);
    }
  }
}
