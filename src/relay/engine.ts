// The relay agent's pure core: one received packet, the interface it came in on and the relay's settings
// in; one decision out (forward to the servers, forward to a client out of an interface, drop with a
// counted cause, or ignore). No sockets, files or timers: the daemon (daemon.ts) carries the decision out.
//
// The rules are ISC dhcrelay 4.4.3's (relay/dhcrelay.c do_relay4), in its order:
// - hlen above 16, or an interface without an IPv4 address: dropped;
// - the interface giaddr belongs to (any of ours) is where a reply goes, and a request whose giaddr is
//   ours is our own forward seen again: ignored;
// - BOOTREPLY: only on an upstream interface (-i, -iu); with -a, option 82 is stripped and its circuit-id
//   may name the interface (-D drops replies that name none of ours); unicast to yiaddr at chaddr
//   unless the broadcast flag is set, else broadcast; no interface for giaddr: dropped (bogus giaddr);
//   with -g, giaddr is replaced by the given address (use_fake_gw) just before it goes;
// - BOOTREQUEST: only on a downstream interface (-i, -id); with -a, option 82 added per -m (discard drops
//   a request that has one); with -U (RFC 3527) a request from a directly connected client (giaddr 0)
//   gets a link-selection sub-option holding the receiving interface's address and giaddr becomes the
//   uplink interface's first address (only when our option 82 went in, as in add_relay_agent_options);
//   with --server-id-override (RFC 5107, a Leasehold extension) such a request also gets sub-option 11
//   holding the receiving interface's address, where the client then unicasts its renewals, and a
//   request unicast to any of our addresses is relayed like a broadcast one;
//   giaddr set to the interface's first address when 0; hops incremented while below -c, else dropped;
//   sent to every server.
// One departure (README): through packet sockets a relay that also routes sees requests unicast to another
// host (a renewal on its way to the server); ISC relays those too, so the server gets each renewal twice.
// They are ignored here, as they are when the relay runs on UDP sockets.

import { BOOTREPLY, FLAG_BROADCAST, OFFSET } from '../wire/constants.js';
import { decodeMessage } from '../wire/decode.js';
import { IPV4_BROADCAST, ipToBytes, ipToString, writeIpv4 } from '../wire/ip.js';
import {
  encodeRelayAgentInfo,
  RAI_CIRCUIT_ID,
  RAI_LINK_SELECTION,
  RAI_REMOTE_ID,
  RAI_SERVER_ID_OVERRIDE,
  type SubOption,
} from '../wire/relay-agent.js';
import { type AgentMode, addAgentOption, DHCP_MTU_MIN, type MismatchCause, stripAgentOption } from './agent-options.js';
import { readChaddr, readHeader, wellFormed } from './header.js';

export interface RelaySettings {
  servers: readonly number[];
  /** -c: requests with this many hops or more are dropped (default 10). */
  maxHops: number;
  /** -a: add option 82 to requests, strip it from replies. */
  addAgentOptions: boolean;
  /** -A: the largest packet option 82 may grow a request to (default 576). */
  maxPacketSize: number;
  /** -m: what to do with a request that already has option 82 (default replace; only with -a). */
  agentMode: AgentMode;
  /** -D: drop replies whose option 82 is not ours. */
  dropMismatches: boolean;
  /**
   * -U: the uplink interface (RFC 3527). Requests from directly connected clients get a link-selection
   * sub-option (the receiving interface's address) and giaddr = this interface's first address.
   */
  uplink?: string;
  /** -g: replies sent to clients carry this giaddr (ISC use_fake_gw, for clients that route by giaddr). */
  fakeGateway?: number;
  /**
   * --server-id-override (RFC 5107; ISC's dhcrelay has none): requests from directly connected clients get
   * sub-option 11 = the receiving interface's address, which the server then names as its identifier.
   */
  serverIdOverride: boolean;
}

export const RELAY_DEFAULTS: Readonly<Omit<RelaySettings, 'servers'>> = Object.freeze({
  maxHops: 10,
  addAgentOptions: false,
  maxPacketSize: DHCP_MTU_MIN,
  agentMode: 'replace' as AgentMode,
  dropMismatches: false,
  serverIdOverride: false,
});

/** One of the relay's interfaces, as the engine needs it. */
export interface RelayInterface {
  name: string;
  /** IPv4 addresses (host order), primary first, and their masks. */
  addresses: readonly number[];
  masks: readonly number[];
  upstream: boolean;
  downstream: boolean;
  /** Circuit-id sub-option (ISC: the interface name). */
  circuitId: Uint8Array;
  /** Remote-id sub-option; ISC's dhcrelay sets none. */
  remoteId?: Uint8Array;
}

export interface RelayPacket {
  payload: Uint8Array;
  /** The interface it came in on; undefined when the transport cannot tell (UDP sockets). */
  iface: RelayInterface | undefined;
  /** IPv4 destination of the datagram when the transport knows it (packet sockets). */
  destination?: number;
}

/** ISC's counters (dhcrelay.c) and the other reasons a packet goes no further. */
export type DropCause =
  | 'bad-packet'
  | 'bad-hlen'
  | 'no-address'
  | 'unknown-interface'
  | 'reply-not-upstream'
  | 'request-not-downstream'
  | 'hop-limit'
  | 'agent-option-present'
  | 'option-overrun'
  | 'bogus-giaddr'
  | 'no-uplink-address'
  | MismatchCause;

/** Counted without a drop: a reply with no option 82 of ours (without -D), a request without room for ours. */
export type CountCause = MismatchCause | 'agent-option-no-room';

export type ClientDestination =
  | { kind: 'link'; address: number; htype: number; hardware: Uint8Array; source: number }
  | { kind: 'broadcast'; source: number };

export type RelayDecision =
  | { kind: 'servers'; payload: Uint8Array; servers: readonly number[]; chaddr: Uint8Array; htype: number }
  | {
      kind: 'client';
      payload: Uint8Array;
      iface: RelayInterface;
      to: ClientDestination;
      chaddr: Uint8Array;
      htype: number;
    }
  | { kind: 'drop'; cause: DropCause; detail: string }
  | { kind: 'ignore'; reason: 'own-request' | 'not-for-us' };

export interface RelayResult {
  decision: RelayDecision;
  counts: readonly CountCause[];
  log: readonly string[];
}

const NONE: readonly never[] = Object.freeze([]);

function result(
  decision: RelayDecision,
  counts: readonly CountCause[] = NONE,
  log: readonly string[] = NONE,
): RelayResult {
  return { decision, counts, log };
}

function drop(cause: DropCause, detail: string): RelayResult {
  return result({ kind: 'drop', cause, detail });
}

function owner(interfaces: readonly RelayInterface[], address: number): RelayInterface | undefined {
  if (address === 0) return undefined;
  return interfaces.find((i) => i.addresses.includes(address));
}

/** Whether a request sent to `dst` was meant for this relay: broadcast, or one of our addresses. */
function addressedToUs(dst: number, interfaces: readonly RelayInterface[]): boolean {
  if (dst === IPV4_BROADCAST) return true;
  for (const i of interfaces) {
    for (let k = 0; k < i.addresses.length; k++) {
      const a = i.addresses[k]!;
      const m = i.masks[k] ?? 0xffffffff;
      if (a === dst || (m !== 0xffffffff && (a | ~m) >>> 0 === dst)) return true;
    }
  }
  return false;
}

/** What our option 82 carries beyond the interface's own circuit-id and remote-id. */
export interface AgentExtras {
  /** RFC 3527 link-selection (-U): the receiving interface's address. */
  linkSelection?: number;
  /** RFC 5107 server-id-override (--server-id-override): the receiving interface's address. */
  serverIdOverride?: number;
}

/**
 * Our option 82: circuit-id, then remote-id when the interface has one, then link-selection (ISC's order),
 * then server-id-override.
 */
export function agentInformation(iface: RelayInterface, extras: AgentExtras = {}): Uint8Array {
  // The same interface record and extras give the same bytes: built once, not per request.
  const memo = agentMemo.get(iface);
  if (memo !== undefined && memo.link === extras.linkSelection && memo.override === extras.serverIdOverride) {
    return memo.data;
  }
  const data = buildAgentInformation(iface, extras);
  agentMemo.set(iface, { link: extras.linkSelection, override: extras.serverIdOverride, data });
  return data;
}

const agentMemo = new WeakMap<
  RelayInterface,
  { link: number | undefined; override: number | undefined; data: Uint8Array }
>();

function buildAgentInformation(iface: RelayInterface, extras: AgentExtras): Uint8Array {
  const subs: SubOption[] = [{ code: RAI_CIRCUIT_ID, data: iface.circuitId }];
  if (iface.remoteId !== undefined && iface.remoteId.length > 0)
    subs.push({ code: RAI_REMOTE_ID, data: iface.remoteId });
  if (extras.linkSelection !== undefined)
    subs.push({ code: RAI_LINK_SELECTION, data: ipToBytes(extras.linkSelection) });
  if (extras.serverIdOverride !== undefined)
    subs.push({ code: RAI_SERVER_ID_OVERRIDE, data: ipToBytes(extras.serverIdOverride) });
  return encodeRelayAgentInfo(subs);
}

/**
 * Decides what happens to one packet. `interfaces` are all of the relay's interfaces now (giaddr and
 * circuit-ids are looked up among them).
 */
export function relay(
  packet: RelayPacket,
  interfaces: readonly RelayInterface[],
  settings: RelaySettings,
): RelayResult {
  if (!wellFormed(packet.payload)) {
    // The decoder says why, in the words every drop of this kind has been logged with.
    const decoded = decodeMessage(packet.payload);
    if (!decoded.ok) {
      const cause = decoded.error.cause === 'bad-hlen' ? 'bad-hlen' : 'bad-packet';
      return drop(cause, decoded.error.detail);
    }
  }
  const msg = readHeader(packet.payload);
  const ip = packet.iface;
  if (ip !== undefined && ip.addresses.length === 0) {
    return drop('no-address', `received on ${ip.name}, which has no IPv4 address`);
  }
  let out = owner(interfaces, msg.giaddr);
  const chaddr = readChaddr(packet.payload, msg.hlen);

  if (msg.op === BOOTREPLY) {
    // UDP sockets cannot tell the receiving interface: a reply is taken wherever it came in.
    if (ip !== undefined && !ip.upstream) return drop('reply-not-upstream', `reply received on ${ip.name}`);
    let payload = packet.payload;
    const counts: CountCause[] = [];
    if (settings.addAgentOptions) {
      const stripped = stripAgentOption(
        payload,
        (id) => interfaces.find((i) => Buffer.compare(i.circuitId, id) === 0)?.name,
        settings.dropMismatches,
      );
      if (!stripped.ok) return drop(stripped.cause as DropCause, stripped.detail);
      payload = stripped.packet;
      counts.push(...stripped.mismatches);
      if (stripped.circuit !== undefined) out = interfaces.find((i) => i.name === stripped.circuit) ?? out;
    }
    if (out === undefined) {
      return result(
        { kind: 'drop', cause: 'bogus-giaddr', detail: `Packet to bogus giaddr ${ipToString(msg.giaddr)}.` },
        counts,
      );
    }
    const source = out.addresses[0];
    if (source === undefined) return drop('no-address', `reply for ${out.name}, which has no IPv4 address`);
    if (settings.fakeGateway !== undefined) {
      if (payload === packet.payload) payload = new Uint8Array(payload);
      writeIpv4(payload, OFFSET.giaddr, settings.fakeGateway);
    }
    const to: ClientDestination =
      (msg.flags & FLAG_BROADCAST) === 0
        ? { kind: 'link', address: msg.yiaddr, htype: msg.htype, hardware: chaddr, source }
        : { kind: 'broadcast', source };
    return result({ kind: 'client', payload, iface: out, to, chaddr, htype: msg.htype }, counts);
  }

  // A request whose giaddr is ours: our own forward, seen again on its way out.
  if (out !== undefined) return result({ kind: 'ignore', reason: 'own-request' });
  if (packet.destination !== undefined && !addressedToUs(packet.destination, interfaces)) {
    return result({ kind: 'ignore', reason: 'not-for-us' });
  }
  if (ip === undefined) return drop('unknown-interface', 'request from a client whose interface cannot be told');
  if (!ip.downstream) return drop('request-not-downstream', `request received on ${ip.name}`);
  let payload = packet.payload;
  const counts: CountCause[] = [];
  const log: string[] = [];
  let giaddr = msg.giaddr === 0 ? ip.addresses[0]! : msg.giaddr;
  if (settings.addAgentOptions) {
    // -U: only for the first relay (giaddr 0); the uplink's address is the giaddr the server answers.
    let uplinkAddress: number | undefined;
    if (settings.uplink !== undefined && msg.giaddr === 0) {
      uplinkAddress = interfaces.find((i) => i.name === settings.uplink)?.addresses[0];
      if (uplinkAddress === undefined) {
        return drop('no-uplink-address', `uplink interface ${settings.uplink} (-U) has no IPv4 address`);
      }
    }
    const extras: AgentExtras = {};
    if (uplinkAddress !== undefined) extras.linkSelection = ip.addresses[0]!;
    // RFC 5107: only the client's first relay can be the address it renews at.
    if (settings.serverIdOverride && msg.giaddr === 0) extras.serverIdOverride = ip.addresses[0]!;
    const added = addAgentOption(payload, agentInformation(ip, extras), settings.agentMode, settings.maxPacketSize);
    if (!added.ok) return drop(added.cause, added.detail);
    payload = added.packet;
    if (added.added && uplinkAddress !== undefined) giaddr = uplinkAddress;
    if (added.noRoom !== undefined) {
      counts.push('agent-option-no-room');
      const { used, max, need } = added.noRoom;
      log.push(`No room in packet (used ${used} of ${max}) for ${need}-byte relay agent option: omitted`);
    }
  }
  if (payload === packet.payload) payload = new Uint8Array(payload); // the header is changed below
  if (giaddr !== msg.giaddr) writeIpv4(payload, OFFSET.giaddr, giaddr);
  if (msg.hops >= settings.maxHops) {
    return drop('hop-limit', `request has ${msg.hops} hops, the limit (-c) is ${settings.maxHops}`);
  }
  payload[OFFSET.hops] = msg.hops + 1;
  return result({ kind: 'servers', payload, servers: settings.servers, chaddr, htype: msg.htype }, counts, log);
}
