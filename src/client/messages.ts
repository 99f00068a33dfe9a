// The messages a client sends (ISC make_discover / make_request / make_decline / make_release), as
// OutgoingMessage values for the wire encoder. Which header fields and options each carries follows RFC 2131
// table 5; where ISC makes a choice (option order, flags) we make the same one.
import { createEvalContext, evaluateData } from '../conf/eval.js';
import {
  BOOTREQUEST,
  DHCPDECLINE,
  DHCPDISCOVER,
  DHCPRELEASE,
  DHCPREQUEST,
  type OutgoingMessage,
} from '../wire/index.js';
import type { ClientConfig } from './config.js';
import {
  type ClientLease,
  OPT_CLIENT_ID,
  OPT_MAX_SIZE,
  OPT_MESSAGE_TYPE,
  OPT_PRL,
  OPT_REQUESTED_ADDRESS,
  OPT_SERVER_ID,
} from './lease.js';

/** What the client knows about its interface (the daemon fills this in from the system). */
export interface ClientIdentity {
  interface: string;
  /** ARP hardware type (1 = Ethernet). */
  htype: number;
  /** The hardware address (up to 16 octets). */
  chaddr: Uint8Array;
  /** The machine's host name, for `send host-name = gethostname();`. */
  hostname?: string;
  /**
   * Set the BOOTP broadcast flag in DISCOVER and in REQUESTs sent before the address is configured.
   * ISC sets it only where the interface cannot receive unicast while unconfigured; Leasehold's packet
   * sockets can, so the default is false, as ISC's on Linux.
   */
  broadcastFlag?: boolean;
  /** Option 57 to send (the interface MTU), unless dhclient.conf sends one itself. */
  maxMessageSize?: number;
  /** Option 61 to send unless dhclient.conf sends one (ISC sends none by default). */
  clientId?: Uint8Array;
}

const BROADCAST_FLAG = 0x8000;

export interface MessageParams {
  type: number;
  xid: number;
  secs: number;
  ciaddr?: number;
  broadcast?: boolean;
  requested?: number;
  serverId?: number;
  /** DISCOVER and REQUEST carry the PRL and the configured `send` options; DECLINE and RELEASE do not. */
  full: boolean;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** The client identifier this client sends, if any (for DECLINE and RELEASE, which carry only that). */
export function clientIdentifier(cfg: ClientConfig, id: ClientIdentity): Uint8Array | undefined {
  const v = cfg.send.get(OPT_CLIENT_ID);
  if (v?.kind === 'data') return v.data;
  if (v?.kind === 'hardware') return hardwareId(id);
  return id.clientId;
}

function hardwareId(id: ClientIdentity): Uint8Array {
  const out = new Uint8Array(1 + id.chaddr.length);
  out[0] = id.htype;
  out.set(id.chaddr, 1);
  return out;
}

export function buildMessage(p: MessageParams, cfg: ClientConfig, id: ClientIdentity): OutgoingMessage {
  const options: [number, Uint8Array][] = [[OPT_MESSAGE_TYPE, new Uint8Array([p.type])]];
  if (p.serverId !== undefined) options.push([OPT_SERVER_ID, u32(p.serverId)]);
  if (p.requested !== undefined) options.push([OPT_REQUESTED_ADDRESS, u32(p.requested)]);
  if (p.full) {
    if (id.maxMessageSize !== undefined && !cfg.send.has(OPT_MAX_SIZE)) {
      const n = Math.min(0xffff, Math.max(576, id.maxMessageSize));
      options.push([OPT_MAX_SIZE, new Uint8Array([n >>> 8, n & 255])]);
    }
    if (!cfg.send.has(OPT_CLIENT_ID) && id.clientId !== undefined) options.push([OPT_CLIENT_ID, id.clientId]);
    for (const [code, v] of cfg.send) {
      if (code === OPT_MESSAGE_TYPE || code === OPT_PRL || code === OPT_SERVER_ID || code === OPT_REQUESTED_ADDRESS)
        continue;
      if (v.kind === 'data') options.push([code, v.data]);
      else if (v.kind === 'hardware') options.push([code, hardwareId(id)]);
      else if (v.kind === 'expr') {
        // ISC evaluates `send NAME = expression;` as it builds each message; null sends nothing.
        const ctx = createEvalContext({
          catalogue: cfg.catalogue,
          hardware: hardwareId(id),
          gethostname: () => id.hostname,
        });
        const data = evaluateData(v.expr, ctx);
        if (data !== undefined) options.push([code, data]);
      }
      // gethostname(): sent as the daemon reports it; without a host name the option is left out, as ISC does
      // when the expression evaluates to nothing.
      else if (id.hostname !== undefined) options.push([code, new Uint8Array(Buffer.from(id.hostname, 'latin1'))]);
    }
    // `request;` (an empty list) sends no PRL at all rather than an empty one.
    if (cfg.requestList.length > 0) options.push([OPT_PRL, new Uint8Array(cfg.requestList)]);
  } else {
    const cid = clientIdentifier(cfg, id);
    if (cid !== undefined) options.push([OPT_CLIENT_ID, cid]);
  }
  return {
    op: BOOTREQUEST,
    htype: id.htype,
    hlen: id.chaddr.length,
    xid: p.xid >>> 0,
    secs: Math.min(0xffff, Math.max(0, Math.floor(p.secs))),
    flags: p.broadcast ? BROADCAST_FLAG : 0,
    ciaddr: p.ciaddr ?? 0,
    chaddr: id.chaddr,
    options,
  };
}

export function discover(
  cfg: ClientConfig,
  id: ClientIdentity,
  xid: number,
  secs: number,
  requested?: number,
): OutgoingMessage {
  const p: MessageParams = { type: DHCPDISCOVER, xid, secs, broadcast: id.broadcastFlag ?? false, full: true };
  if (requested !== undefined) p.requested = requested;
  return buildMessage(p, cfg, id);
}

/**
 * DHCPREQUEST in its three forms (RFC 2131 4.3.2): SELECTING (server id + requested address), INIT-REBOOT
 * (requested address only), RENEWING/REBINDING (ciaddr only, no broadcast flag).
 */
export function request(
  form: 'selecting' | 'init-reboot' | 'renewing',
  cfg: ClientConfig,
  id: ClientIdentity,
  xid: number,
  secs: number,
  lease: ClientLease,
  serverId?: number,
): OutgoingMessage {
  const p: MessageParams = { type: DHCPREQUEST, xid, secs, full: true };
  if (form === 'renewing') p.ciaddr = lease.address;
  else {
    p.broadcast = id.broadcastFlag ?? false;
    p.requested = lease.address;
    if (form === 'selecting' && serverId !== undefined) p.serverId = serverId;
  }
  return buildMessage(p, cfg, id);
}

/** DHCPDECLINE: ciaddr 0, requested address and server identifier (RFC 2131 4.4.1). */
export function decline(cfg: ClientConfig, id: ClientIdentity, xid: number, lease: ClientLease, serverId?: number) {
  const p: MessageParams = { type: DHCPDECLINE, xid, secs: 0, requested: lease.address, full: false };
  if (serverId !== undefined) p.serverId = serverId;
  return buildMessage(p, cfg, id);
}

/** DHCPRELEASE: ciaddr = the address, server identifier, unicast to the server (RFC 2131 4.4.6). */
export function release(cfg: ClientConfig, id: ClientIdentity, xid: number, lease: ClientLease, serverId?: number) {
  const p: MessageParams = { type: DHCPRELEASE, xid, secs: 0, ciaddr: lease.address, full: false };
  if (serverId !== undefined) p.serverId = serverId;
  return buildMessage(p, cfg, id);
}
