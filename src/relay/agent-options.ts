// Option 82 in a packet the relay forwards, edited in place as ISC dhcrelay edits it (relay/dhcrelay.c
// add_relay_agent_options, strip_relay_agent_options): the options field after the magic cookie is walked
// once and copied over itself, so every other option keeps its bytes and its order; option 82 is added at
// the end (over trailing padding), or removed. `file` and `sname` are never touched, nor is a BOOTP packet
// (no cookie), nor an option 82 that comes before the message type (ISC leaves those alone).
//
// What option 82 carries is built and read by src/wire/relay-agent.ts; only the placement is here. Pure.

import {
  BOOTP_MIN_SIZE,
  MAGIC_COOKIE,
  OFFSET,
  OPT_END,
  OPT_MAX_MESSAGE_SIZE,
  OPT_MESSAGE_TYPE,
  OPT_PAD,
  OPT_RELAY_AGENT_INFO,
} from '../wire/constants.js';
import { readIpv4 } from '../wire/ip.js';
import { decodeRelayAgentInfo, RAI_CIRCUIT_ID } from '../wire/relay-agent.js';

/** RFC 2131's smallest datagram every host takes: dhcrelay's default -A and the floor of option 57. */
export const DHCP_MTU_MIN = 576;
/** dhcrelay refuses a larger -A. */
export const DHCP_MTU_MAX = 1500;

export type AgentMode = 'append' | 'replace' | 'forward' | 'discard';

function hasCookie(p: Uint8Array): boolean {
  return p.length >= OFFSET.options && readIpv4(p, OFFSET.cookie) === MAGIC_COOKIE;
}

/** Pads with zeros to BOOTP's 300 bytes (ISC: "make sure the packet isn't short"). */
function padded(p: Uint8Array, length: number): Uint8Array {
  if (length >= BOOTP_MIN_SIZE) return p.subarray(0, length);
  const out = new Uint8Array(BOOTP_MIN_SIZE);
  out.set(p.subarray(0, length));
  return out;
}

export type AddResult =
  | { ok: true; packet: Uint8Array; added: boolean; noRoom?: { used: number; max: number; need: number } }
  | { ok: false; cause: 'agent-option-present' | 'option-overrun'; detail: string };

/**
 * The request with our option 82 (`agentData`: its sub-options, encoded) added, per `mode` when it already
 * has one. `maxSize` is -A, lowered by the client's option 57 when that is smaller (and at least 576).
 * When there is no room the packet goes on without our option (`noRoom`, ISC's agent_option_errors).
 */
export function addAgentOption(packet: Uint8Array, agentData: Uint8Array, mode: AgentMode, maxSize: number): AddResult {
  if (!hasCookie(packet)) return { ok: true, packet, added: false };
  const room = Math.max(maxSize, packet.length);
  const p = new Uint8Array(room + 1);
  p.set(packet);
  let max = maxSize;
  let op: number = OFFSET.options;
  let sp = op;
  let endPad = -1;
  let isDhcp = false;
  while (op < Math.min(packet.length, max)) {
    const code = p[op]!;
    if (code === OPT_PAD) {
      if (endPad < 0) endPad = sp;
      p[sp++] = p[op++]!;
      continue;
    }
    if (code === OPT_END) break;
    const next = op + 2 + (op + 1 < packet.length ? p[op + 1]! : 0);
    if (op + 1 >= packet.length || next > packet.length) {
      return { ok: false, cause: 'option-overrun', detail: `option ${code} runs past the end of the packet` };
    }
    if (next > max) {
      return { ok: false, cause: 'option-overrun', detail: `option ${code} runs past the ${max}-byte limit (-A)` };
    }
    if (code === OPT_MESSAGE_TYPE) isDhcp = true;
    if (code === OPT_MAX_MESSAGE_SIZE && p[op + 1]! >= 2) {
      const mms = (p[op + 2]! << 8) | p[op + 3]!;
      if (mms < maxSize && mms >= DHCP_MTU_MIN) max = mms;
    }
    if (code === OPT_RELAY_AGENT_INFO && isDhcp) {
      endPad = -1;
      if (mode === 'forward') return { ok: true, packet, added: false };
      if (mode === 'discard') {
        return {
          ok: false,
          cause: 'agent-option-present',
          detail: 'request already carries relay agent information (-m discard)',
        };
      }
      if (mode === 'replace') {
        op = next; // theirs is left out: the copy closes over it
        continue;
      }
    }
    endPad = -1;
    p.copyWithin(sp, op, next);
    sp += next - op;
    op = next;
  }
  // Not a DHCP message (no option 53 before option 82 or the end): forwarded as it came.
  if (!isDhcp) return { ok: true, packet, added: false };
  if (endPad >= 0) sp = endPad;
  const optlen = agentData.length;
  let noRoom: { used: number; max: number; need: number } | undefined;
  let added = false;
  if (max - sp >= optlen + 3) {
    p[sp++] = OPT_RELAY_AGENT_INFO;
    p[sp++] = optlen;
    p.set(agentData, sp);
    sp += optlen;
    added = true;
  } else {
    noRoom = { used: sp, max, need: optlen + 3 };
  }
  if (sp < max) p[sp++] = OPT_END;
  return { ok: true, packet: padded(p, sp), added, ...(noRoom ? { noRoom } : {}) };
}

/** What an option 82 in a reply said about the interface it is for (ISC find_interface_by_agent_option). */
export type CircuitMatch =
  | { ok: true; name: string }
  | { ok: false; cause: 'corrupt-agent-option' | 'missing-circuit-id' | 'bad-circuit-id' };

export type MismatchCause = 'corrupt-agent-option' | 'missing-circuit-id' | 'bad-circuit-id' | 'missing-agent-option';

export type StripResult =
  | {
      ok: true;
      packet: Uint8Array;
      /** The interface named by the first option 82 whose circuit-id is ours. */
      circuit?: string;
      /** Counted, not fatal without -D: each option 82 that did not match, and no match at all. */
      mismatches: MismatchCause[];
    }
  | { ok: false; cause: string; detail: string };

/**
 * The reply without option 82 (every instance after the message type), and the interface its circuit-id
 * names; `circuitOf` names the interface whose circuit-id this is. With `dropMismatches`
 * (-D) a reply whose option 82 is not ours, or that has none, is refused.
 */
export function stripAgentOption(
  packet: Uint8Array,
  circuitOf: (circuitId: Uint8Array) => string | undefined,
  dropMismatches: boolean,
): StripResult {
  if (!hasCookie(packet)) return { ok: true, packet, mismatches: [] };
  const p = new Uint8Array(packet);
  const max = p.length;
  let op: number = OFFSET.options;
  let sp = op;
  let isDhcp = false;
  let circuit: string | undefined;
  const mismatches: MismatchCause[] = [];
  while (op < max) {
    const code = p[op]!;
    if (code === OPT_PAD) {
      p[sp++] = p[op++]!;
      continue;
    }
    if (code === OPT_END) {
      p[sp++] = p[op++]!;
      break;
    }
    if (op + 1 >= max || op + 2 + p[op + 1]! > max) {
      return { ok: false, cause: 'option-overrun', detail: `option ${code} runs past the end of the reply` };
    }
    const next = op + 2 + p[op + 1]!;
    if (code === OPT_MESSAGE_TYPE) isDhcp = true;
    if (code === OPT_RELAY_AGENT_INFO && isDhcp) {
      const match = matchCircuit(p.subarray(op + 2, next), circuitOf);
      if (!match.ok) {
        if (dropMismatches) return { ok: false, cause: match.cause, detail: circuitDetail(match.cause) };
        mismatches.push(match.cause);
      } else circuit ??= match.name;
      op = next;
      continue;
    }
    p.copyWithin(sp, op, next);
    sp += next - op;
    op = next;
  }
  if (!isDhcp) return { ok: true, packet, mismatches: [] };
  if (circuit === undefined) {
    if (dropMismatches) {
      return {
        ok: false,
        cause: 'missing-agent-option',
        detail: 'reply carries no relay agent information of ours (-D)',
      };
    }
    mismatches.push('missing-agent-option');
  }
  const length = sp === op ? packet.length : sp;
  return { ok: true, packet: padded(p, length), ...(circuit !== undefined ? { circuit } : {}), mismatches };
}

function circuitDetail(cause: string): string {
  switch (cause) {
    case 'corrupt-agent-option':
      return 'relay agent information in a reply does not parse (-D)';
    case 'missing-circuit-id':
      return 'relay agent information in a reply has no circuit-id (-D)';
    default:
      return 'circuit-id in a reply names none of our interfaces (-D)';
  }
}

function matchCircuit(data: Uint8Array, circuitOf: (circuitId: Uint8Array) => string | undefined): CircuitMatch {
  const decoded = decodeRelayAgentInfo(data);
  if (!decoded.ok) return { ok: false, cause: 'corrupt-agent-option' };
  const id = decoded.subOptions.find((s) => s.code === RAI_CIRCUIT_ID);
  if (id === undefined) return { ok: false, cause: 'missing-circuit-id' };
  const name = circuitOf(id.data);
  return name === undefined ? { ok: false, cause: 'bad-circuit-id' } : { ok: true, name };
}
