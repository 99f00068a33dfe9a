// The reply message: BOOTP header fields copied as ISC dhcp_reply does, next-server/filename/
// server-name into siaddr/file/sname, options encoded within the client's maximum message size
// (overload when needed), and where it goes (RFC 2131 section 4.1).

import type { Scope } from '../conf/scope-tree.js';
import { lookupParameter } from '../conf/scope-tree.js';
import {
  BOOTREPLY,
  type DhcpMessage,
  decodeRelayAgentInfo,
  encodeMessage,
  FILE_SIZE,
  FLAG_BROADCAST,
  hardwareAddress,
  OPT_MAX_MESSAGE_SIZE,
  OPT_RELAY_AGENT_INFO,
  type OutgoingMessage,
  parseIpv4,
  relayPort,
  SNAME_SIZE,
  textField,
} from '../wire/index.js';
import type { EngineContext, Reply, ReplyDestination } from './types.js';

export type ReplyKind = 'offer' | 'ack' | 'nak' | 'inform' | 'bootp';

export interface ReplyPlan {
  kind: ReplyKind;
  request: DhcpMessage;
  yiaddr: number;
  chain: readonly Scope[];
  options: [number, Uint8Array][];
  /** The request carried a server identifier (ISC: a RENEWING client never does). */
  gotServerId: boolean;
  /** INFORM: where the client is (ciaddr, else the IP source). */
  clientAddress?: number;
}

function stringParameter(chain: readonly Scope[], name: string): string | undefined {
  const v = lookupParameter(chain, name)?.value;
  return typeof v === 'string' ? v : undefined;
}

function field(text: string | undefined, size: number): Uint8Array | undefined {
  if (text === undefined || Buffer.byteLength(text, 'latin1') >= size) return undefined;
  return textField(text, size);
}

/** Option 57 capped by the interface MTU, as ISC cons_options caps it at 1500. */
function maxMessageSize(request: DhcpMessage, mtu: number): number | undefined {
  const data = request.options.get(OPT_MAX_MESSAGE_SIZE);
  if (data?.length !== 2) return undefined;
  return Math.min((data[0]! << 8) | data[1]!, mtu);
}

/** RFC 8357: the port a relay wants replies on, when it said so in option 82. */
function relayReplyPort(req: DhcpMessage, sourcePort: number | undefined): number | undefined {
  const rai = req.options.get(OPT_RELAY_AGENT_INFO);
  if (rai === undefined) return undefined;
  const decoded = decodeRelayAgentInfo(rai);
  const port = decoded.ok ? relayPort(decoded.subOptions) : undefined;
  if (port === undefined) return undefined;
  return port !== 0 ? port : sourcePort;
}

export function destinationFor(plan: ReplyPlan, flags: number, sourcePort?: number): ReplyDestination {
  const req = plan.request;
  if (req.giaddr !== 0) {
    const port = relayReplyPort(req, sourcePort);
    return port === undefined ? { kind: 'relay', address: req.giaddr } : { kind: 'relay', address: req.giaddr, port };
  }
  if (plan.kind === 'nak') return { kind: 'broadcast' };
  if (plan.kind === 'inform') return { kind: 'client', address: plan.clientAddress ?? req.ciaddr };
  if (req.ciaddr !== 0 && plan.kind === 'ack' && !plan.gotServerId && (flags & FLAG_BROADCAST) === 0) {
    return { kind: 'client', address: req.ciaddr };
  }
  if ((flags & FLAG_BROADCAST) === 0) {
    return { kind: 'link', address: plan.yiaddr, htype: req.htype, hardware: Uint8Array.from(hardwareAddress(req)) };
  }
  return { kind: 'broadcast' };
}

export function buildReply(plan: ReplyPlan, ctx: EngineContext): Reply {
  const req = plan.request;
  let flags = req.flags;
  if (plan.kind !== 'inform' && lookupParameter(plan.chain, 'always-broadcast')?.value === true)
    flags |= FLAG_BROADCAST;
  // A relay cannot unicast a NAK (no yiaddr) nor an INFORM answer without ciaddr: ask it to broadcast.
  if (req.giaddr !== 0 && (plan.kind === 'nak' || (plan.kind === 'inform' && req.ciaddr === 0)))
    flags |= FLAG_BROADCAST;
  const message: OutgoingMessage = {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: req.hops,
    xid: req.xid,
    secs: req.secs,
    flags,
    ciaddr: plan.kind === 'nak' ? 0 : req.ciaddr,
    yiaddr: plan.yiaddr,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    options: plan.options,
  };
  if (plan.kind !== 'nak') {
    const next = stringParameter(plan.chain, 'next-server');
    const siaddr = next === undefined ? undefined : (parseIpv4(next) ?? ctx.resolveHost?.(next)?.[0]);
    if (siaddr !== undefined) message.siaddr = siaddr;
    const file = field(stringParameter(plan.chain, 'filename'), FILE_SIZE);
    if (file !== undefined) message.file = file;
    const sname = field(stringParameter(plan.chain, 'server-name'), SNAME_SIZE);
    if (sname !== undefined) message.sname = sname;
  }
  const mms = maxMessageSize(req, ctx.mtu ?? 1500);
  const bootp = plan.kind === 'bootp' && mms === undefined;
  const encodeOpts = {
    maxMessageSize: mms ?? Math.min(576, ctx.mtu ?? 1500),
    bootp,
    ...(ctx.buffer !== undefined ? { buffer: ctx.buffer } : {}),
  };
  let encoded = encodeMessage(message, encodeOpts);
  // Option 82 goes back last (RFC 3046 section 2.2) and must not be the one left out: the relay
  // needs it to deliver the reply. Give up the lowest-priority requested options until it fits.
  const options = plan.options;
  while (encoded.dropped.includes(OPT_RELAY_AGENT_INFO) && options.length > PROTOCOL_PREFIX + 1) {
    options.splice(options.length - 2, 1);
    encoded = encodeMessage(message, encodeOpts);
  }
  return {
    message,
    bytes: encoded.bytes,
    destination: destinationFor(plan, flags, ctx.sourcePort),
    dropped: encoded.dropped,
  };
}

/** Options never given up for option 82: message type, server id, lease time, T1, T2, mask. */
const PROTOCOL_PREFIX = 6;
