// The CONNECT / CONNECTACK handshake of ISC DHCP 4.4.3's failover protocol (server/failover.c), as
// pure functions: what the two messages carry (dhcp_failover_send_connect, _send_connectack) and
// which ones are refused, with the reject reason and ISC's text (dhcp_failover_link_signal's checks
// of a CONNECT, dhcp_failover_state_signal's of a CONNECTACK). relationship.ts sends, logs and
// closes; the messages here have no `time` yet (the relationship stamps it when it sends).

import { connectHbaError } from './load-balance.js';
import type { RelationshipConfig, Unstamped } from './relationship-types.js';
import { type FailoverMessage, MSG, REJECT } from './wire.js';

/** A CONNECT or CONNECTACK whose time is more than this many seconds off ours is refused. */
export const MAX_CLOCK_SKEW = 60;

/** Why a handshake message is refused: the reject reason (wire.ts REJECT) and ISC's text. */
export type Refusal = [reason: number, text: string];

type Hello = Pick<RelationshipConfig, 'maxUnackedUpdates' | 'maxResponseDelay' | 'vendorClass'>;

/** What CONNECT and CONNECTACK both carry after the relationship name. */
function hello(cfg: Hello) {
  return {
    maxUnacked: cfg.maxUnackedUpdates,
    receiveTimer: cfg.maxResponseDelay,
    vendorClass: latin1(cfg.vendorClass),
    protocolVersion: 1,
  };
}

/** dhcp_failover_send_connect: what the primary sends on every link, the hba only when it has one. */
export function connectMessage(
  cfg: Hello & Pick<RelationshipConfig, 'name'>,
  xid: number,
  mclt: number,
  hba: Uint8Array | undefined,
): Unstamped {
  return {
    type: MSG.CONNECT,
    xid,
    relationshipName: cfg.name,
    ...hello(cfg),
    tlsRequest: 0,
    mclt,
    ...(hba !== undefined ? { hba } : {}),
  };
}

/**
 * dhcp_failover_send_connectack: the answer to `connect` (its xid, its relationship name when it
 * had one, else ours), refusing it when `reason` is not 0; a tls-reply only when it had a
 * tls-request.
 */
export function connectAckMessage(
  cfg: Hello & Pick<RelationshipConfig, 'name'>,
  connect: FailoverMessage,
  reason = 0,
  text = '',
): Unstamped {
  return {
    type: MSG.CONNECTACK,
    xid: connect.xid,
    relationshipName: connect.relationshipName ?? cfg.name,
    ...hello(cfg),
    ...(connect.tlsRequest !== undefined ? { tlsReply: 0 } : {}),
    ...(reason !== 0 ? { rejectReason: reason, message: text } : {}),
  };
}

const skewed = (msg: FailoverMessage, now: number) => Math.abs(Math.floor(now) - msg.time) > MAX_CLOCK_SKEW;

/**
 * dhcp_failover_link_signal's checks of a CONNECT, in ISC's order: a relationship name, ours, a
 * time within MAX_CLOCK_SKEW of `now`, and an HBA of exactly 32 bytes. Undefined: accepted (the
 * relationship still refuses a second link and a CONNECT without MCLT).
 */
export function connectRefusal(msg: FailoverMessage, name: string, now: number): Refusal | undefined {
  if (msg.relationshipName === undefined) return [REJECT.INVALID_PARTNER, 'missing relationship-name'];
  if (msg.relationshipName !== name) return [REJECT.INVALID_PARTNER, 'unknown failover relationship name'];
  if (skewed(msg, now)) return [REJECT.TIMEMISMATCH, 'time offset too large'];
  const hbaError = connectHbaError(msg.hba);
  return hbaError === undefined ? undefined : [REJECT.HBA_CONFLICT, hbaError];
}

/**
 * The checks of a CONNECTACK, in ISC's order: a relationship name; then 'rejected' when the
 * partner refused our CONNECT (its reject-reason set); then our name, no link to the peer yet
 * (`connected`), and a time within MAX_CLOCK_SKEW of `now`. Undefined: accepted.
 */
export function connectAckRefusal(
  msg: FailoverMessage,
  name: string,
  connected: boolean,
  now: number,
): Refusal | 'rejected' | undefined {
  if (msg.relationshipName === undefined) return [REJECT.INVALID_PARTNER, 'missing relationship-name'];
  if (msg.rejectReason) return 'rejected';
  if (msg.relationshipName !== name) {
    return [REJECT.INVALID_PARTNER, `remote failover relationship name ${msg.relationshipName} does not match`];
  }
  if (connected) return [REJECT.DUP_CONNECTION, 'already connected'];
  if (skewed(msg, now)) return [REJECT.TIMEMISMATCH, 'time offset too large'];
  return undefined;
}

/** The vendor class as bytes, one per character (ISC sends "isc-" PACKAGE_VERSION, no NUL). */
function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
