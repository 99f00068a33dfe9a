// The reply message and where it goes, as ISC dhcpd builds and sends it (server/dhcp.c dhcp_reply,
// nak_lease, dhcpinform; server/bootp.c).
//
// Header: op, htype, hlen, chaddr, xid, secs, hops and giaddr are the request's; ciaddr is the
// request's (0 in a NAK); flags are the request's with the broadcast bit added by always-broadcast
// (OFFER, ACK, BOOTREPLY), always in a NAK, and in an INFORM answer that goes through a relay;
// siaddr is next-server (a fixed-address BOOTREPLY falls back to the interface's address); file and
// sname are filename and server-name, cut at 128 and 64 bytes (a fixed-address BOOTREPLY without a
// filename sends back the request's own file field). Options are laid out by reply-pack.ts within
// the client's maximum message size, overloading a free file/sname field (OFFER, ACK and dynamic
// BOOTREPLY only); the message is at least 300 bytes.
//
// Destination:
// - giaddr set: the relay, at the server port (or the port it asked for, RFC 8357), through the
//   kernel's routing (UDP socket) - except an INFORM answer, which goes there only when ciaddr is 0;
// - an ACK to a client with ciaddr set goes to ciaddr through the kernel's routing, unless the client
//   sent a server identifier or the broadcast bit AND the lease is on the network the request came in
//   on (a RENEWING client behind a router is reached through its router);
// - an INFORM answer goes to ciaddr (or the request's IP source) at the client port, by routing;
// - a NAK without giaddr is broadcast on the receiving link;
// - otherwise yiaddr at chaddr (a frame, no ARP) when the broadcast bit is clear, else broadcast
//   (a fixed-address BOOTREPLY frames even its broadcast to chaddr).
// Frames ISC builds itself carry the server identifier as IP source (the interface's first address
// for BOOTP).

import type { Scope } from '../conf/scope-tree.js';
import { lookupParameter, subnetFor } from '../conf/scope-tree.js';
import {
  BOOTREPLY,
  type DhcpMessage,
  decodeRelayAgentInfo,
  FILE_SIZE,
  FLAG_BROADCAST,
  hardwareAddress,
  MAGIC_COOKIE,
  OFFSET,
  OPT_MAX_MESSAGE_SIZE,
  OPT_RELAY_AGENT_INFO,
  type OutgoingMessage,
  parseIpv4,
  relayPort,
  SNAME_SIZE,
  writeIpv4,
} from '../wire/index.js';
import { configuredOptions, optionData, type ReplyKind } from './reply-options.js';
import {
  agentSize,
  MAX_OPTION_AREA,
  OVERLOAD_FILE,
  OVERLOAD_SNAME,
  optionAreaSize,
  packOptions,
} from './reply-pack.js';
import type { EngineContext, Reply, ReplyDestination } from './types.js';

export type { ReplyKind } from './reply-options.js';

const BOOTP_MIN_LEN = 300;

export interface ReplyPlan {
  kind: ReplyKind;
  request: DhcpMessage;
  yiaddr: number;
  chain: readonly Scope[];
  /** (code, data) in ISC's order, option 82 excluded (it is echoed from the request). */
  options: [number, Uint8Array][];
  /** The last code of ISC's priority list (see reply-pack.ts). */
  lastCode: number;
  /** The request carried a server identifier. */
  gotServerId: boolean;
  /** INFORM: where the client is (ciaddr, else the IP source). */
  clientAddress?: number;
  /** A BOOTREPLY to a fixed-address host (ISC bootp.c rather than dhcp_reply). */
  staticBootp?: boolean;
  /** OFFER/ACK/BOOTREPLY: the shared network of the lease's subnet. */
  leaseNetwork?: object;
  /** IP source of a frame: the server identifier (DHCP) or the interface's first address (BOOTP). */
  source?: number;
}

function stringParameter(chain: readonly Scope[], name: string): string | undefined {
  const v = lookupParameter(chain, name)?.value;
  return typeof v === 'string' ? v : undefined;
}

/** Writes `text` (latin1) into a field, cut at its size (ISC copies at most the field's size: no NUL when full). */
function writeText(buf: Uint8Array, offset: number, size: number, text: string): void {
  const n = Math.min(text.length, size);
  for (let i = 0; i < n; i++) buf[offset + i] = text.charCodeAt(i);
  buf.fill(0, offset + n, offset + size);
}

function readU16(d: Uint8Array | undefined, exact: boolean): number {
  if (d === undefined || d.length < 2 || (exact && d.length !== 2)) return 0;
  return (d[0]! << 8) | d[1]!;
}

/**
 * RFC 8357: a relay that sends the relay-port sub-option gets the reply at the UDP source port of its
 * request (ISC dhcp_check_relayport); the sub-option's own port stands in when the source port is unknown.
 */
function relayReplyPort(req: DhcpMessage, sourcePort: number | undefined): number | undefined {
  const rai = req.options.get(OPT_RELAY_AGENT_INFO);
  if (rai === undefined) return undefined;
  const decoded = decodeRelayAgentInfo(rai);
  const port = decoded.ok ? relayPort(decoded.subOptions) : undefined;
  if (port === undefined) return undefined;
  if (sourcePort !== undefined && sourcePort !== 0) return sourcePort;
  return port !== 0 ? port : undefined;
}

function relayTo(req: DhcpMessage, address: number, sourcePort: number | undefined): ReplyDestination {
  const port = relayReplyPort(req, sourcePort);
  return port === undefined ? { kind: 'relay', address } : { kind: 'relay', address, port };
}

/** The shared network of the interface the request came in on (ISC packet->interface->shared_network). */
function interfaceNetwork(ctx: Pick<EngineContext, 'interface' | 'tree'>): object | undefined {
  for (const a of ctx.interface.addresses) {
    const s = subnetFor(ctx.tree, a);
    if (s !== undefined) return s.sharedNetwork;
  }
  return undefined;
}

export function destinationFor(
  plan: ReplyPlan,
  flags: number,
  ctx: Pick<EngineContext, 'sourcePort' | 'interface' | 'tree'>,
): ReplyDestination {
  const req = plan.request;
  const bcast = (flags & FLAG_BROADCAST) !== 0;
  if (plan.kind === 'inform') {
    if (req.ciaddr === 0 && req.giaddr !== 0) return relayTo(req, req.giaddr, ctx.sourcePort);
    return { kind: 'client', address: plan.clientAddress ?? req.ciaddr };
  }
  if (req.giaddr !== 0) {
    // ISC bootp.c answers a relay on the server port, whatever the relay asked for.
    return plan.staticBootp === true
      ? { kind: 'relay', address: req.giaddr }
      : relayTo(req, req.giaddr, ctx.sourcePort);
  }
  // The transports frame from the interface's first address unless told otherwise.
  const source = plan.source === ctx.interface.addresses[0] ? undefined : plan.source;
  if (plan.kind === 'nak') return source === undefined ? { kind: 'broadcast' } : { kind: 'broadcast', source };
  if (
    plan.kind === 'ack' &&
    req.ciaddr !== 0 &&
    !((plan.gotServerId || bcast) && plan.leaseNetwork !== undefined && plan.leaseNetwork === interfaceNetwork(ctx))
  ) {
    return { kind: 'client', address: req.ciaddr };
  }
  // A view of the request's chaddr: the decoded request owns its bytes.
  const hardware = hardwareAddress(req);
  if (!bcast) {
    const d: ReplyDestination = { kind: 'link', address: plan.yiaddr, htype: req.htype, hardware };
    if (source !== undefined) d.source = source;
    return d;
  }
  const d: ReplyDestination = { kind: 'broadcast' };
  if (plan.staticBootp === true) d.hardware = hardware;
  if (source !== undefined) d.source = source;
  return d;
}

/** The maximum message size in force (ISC: the request's option 57, a configured one when it sent none). */
function maxMessageSize(plan: ReplyPlan, ctx: EngineContext): number {
  const sent = plan.request.options.get(OPT_MAX_MESSAGE_SIZE);
  const packetMms = readU16(sent, false);
  let mms = 0;
  if (plan.kind === 'offer' || plan.kind === 'ack' || (plan.kind === 'bootp' && plan.staticBootp !== true)) {
    // ack_lease: the request's (exactly two bytes), else the configured one; cons_options then takes the
    // request's (two bytes or more) when it is smaller.
    mms = readU16(sent, true);
    if (mms === 0) mms = readU16(configuredMms(plan, ctx), true);
  }
  if (packetMms !== 0 && (mms === 0 || packetMms < mms)) mms = packetMms;
  return mms;
}

function configuredMms(plan: ReplyPlan, ctx: EngineContext): Uint8Array | undefined {
  const st = configuredOptions(plan.chain).get(OPT_MAX_MESSAGE_SIZE);
  return st === undefined ? undefined : optionData(st, ctx.tree.catalogue, ctx.resolveHost);
}

export function buildReply(plan: ReplyPlan, ctx: EngineContext): Reply {
  const req = plan.request;
  const kind = plan.kind;
  const nak = kind === 'nak';
  let flags = req.flags;
  if (nak) flags |= FLAG_BROADCAST;
  else if (kind === 'inform') {
    if (req.ciaddr === 0 && req.giaddr !== 0) flags |= FLAG_BROADCAST;
  } else if (lookupParameter(plan.chain, 'always-broadcast')?.value === true) flags |= FLAG_BROADCAST;

  const agent = req.options.get(OPT_RELAY_AGENT_INFO);
  // ISC bootp.c: a request without the magic cookie gets its own vendor area back.
  const echoVendor =
    plan.staticBootp === true &&
    req.cookie !== 'dhcp' &&
    lookupParameter(plan.chain, 'always-reply-rfc1048')?.value !== true;
  const vendor = echoVendor ? (req.vendor ?? new Uint8Array(0)).subarray(0, MAX_OPTION_AREA) : undefined;
  let area = optionAreaSize(maxMessageSize(plan, ctx), kind === 'bootp', req.size);
  // Never beyond the link's MTU (ISC assumes 1500).
  if (ctx.mtu !== undefined && ctx.mtu < 1500) area = Math.min(area, Math.max(312, ctx.mtu - 264));
  const need = Math.max(
    BOOTP_MIN_LEN,
    OFFSET.cookie + (vendor !== undefined ? vendor.length : Math.min(MAX_OPTION_AREA, area + agentSize(agent))),
  );
  const buf = ctx.buffer !== undefined && ctx.buffer.length >= need ? ctx.buffer : new Uint8Array(need);
  buf[OFFSET.op] = BOOTREPLY;
  buf[OFFSET.htype] = req.htype;
  buf[OFFSET.hlen] = req.hlen;
  buf[OFFSET.hops] = req.hops;
  writeIpv4(buf, OFFSET.xid, req.xid);
  buf[OFFSET.secs] = req.secs >>> 8;
  buf[OFFSET.secs + 1] = req.secs;
  buf[OFFSET.flags] = flags >>> 8;
  buf[OFFSET.flags + 1] = flags;
  const ciaddr = nak ? 0 : req.ciaddr;
  writeIpv4(buf, OFFSET.ciaddr, ciaddr);
  writeIpv4(buf, OFFSET.yiaddr, plan.yiaddr);
  let siaddr = 0;
  if (!nak) {
    const next = stringParameter(plan.chain, 'next-server');
    const ip = next === undefined ? undefined : (parseIpv4(next) ?? ctx.resolveHost?.(next)?.[0]);
    if (ip !== undefined) siaddr = ip;
    else if (plan.staticBootp === true) siaddr = ctx.interface.addresses[0] ?? 0;
  }
  writeIpv4(buf, OFFSET.siaddr, siaddr);
  writeIpv4(buf, OFFSET.giaddr, req.giaddr);
  buf.set(req.chaddr.subarray(0, 16), OFFSET.chaddr);
  if (req.chaddr.length < 16) buf.fill(0, OFFSET.chaddr + req.chaddr.length, OFFSET.chaddr + 16);

  // file and sname: a name, or room for options (OFFER, ACK, dynamic BOOTREPLY), or zeros.
  let overloadAvail = 0;
  const file = nak ? undefined : stringParameter(plan.chain, 'filename');
  const sname = nak ? undefined : stringParameter(plan.chain, 'server-name');
  if (file !== undefined && file.length > 0) writeText(buf, OFFSET.file, FILE_SIZE, file);
  else if (plan.staticBootp === true && req.file.length >= FILE_SIZE)
    buf.set(req.file.subarray(0, FILE_SIZE), OFFSET.file);
  else {
    buf.fill(0, OFFSET.file, OFFSET.file + FILE_SIZE);
    overloadAvail |= OVERLOAD_FILE;
  }
  if (sname !== undefined && sname.length > 0) writeText(buf, OFFSET.sname, SNAME_SIZE, sname);
  else {
    buf.fill(0, OFFSET.sname, OFFSET.sname + SNAME_SIZE);
    overloadAvail |= OVERLOAD_SNAME;
  }
  const mayOverload = kind === 'offer' || kind === 'ack' || (kind === 'bootp' && plan.staticBootp !== true);
  if (!mayOverload) overloadAvail = 0;

  let end: number;
  let dropped: number[];
  if (vendor !== undefined) {
    buf.set(vendor, OFFSET.cookie);
    end = OFFSET.cookie + vendor.length;
    dropped = [];
  } else {
    writeIpv4(buf, OFFSET.cookie, MAGIC_COOKIE);
    const packed = packOptions(buf, plan.options, plan.lastCode, agent, area, overloadAvail);
    end = packed.end;
    dropped = packed.dropped;
  }
  const size = Math.max(end, BOOTP_MIN_LEN);
  if (end < size) buf.fill(0, end, size);

  const message: OutgoingMessage = {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: req.hops,
    xid: req.xid,
    secs: req.secs,
    flags,
    ciaddr,
    yiaddr: plan.yiaddr,
    siaddr,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    options: plan.options,
  };
  return {
    message,
    bytes: buf.subarray(0, size),
    destination: destinationFor(plan, flags, ctx),
    dropped,
  };
}
