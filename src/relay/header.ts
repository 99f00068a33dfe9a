// What the relay reads of a packet, straight from its bytes: the BOOTP header fields it decides on, and
// whether src/wire's decodeMessage would accept the packet at all. The relay needs no typed options (it
// writes giaddr and hops in place and places option 82 by hand, agent-options.ts), so a full decode per
// packet — an option map, a copy of the packet, an object per message — was most of its work per packet.
//
// `wellFormed` makes decodeMessage's checks, in its order, without building anything: 236 bytes at least,
// op 1 or 2, hlen at most 16, and with the DHCP cookie every option's length within its field (the options
// field, then file and sname when option 52 says so) and option 52 itself one byte of 1, 2 or 3. A packet
// it refuses is handed to decodeMessage for the cause and detail that are counted and logged, so drops read
// exactly as before; test/unit/relay/header.test.ts checks the two agree on valid, mutated and random
// packets. Pure.

import {
  BOOTP_HEADER_SIZE,
  BOOTREPLY,
  BOOTREQUEST,
  CHADDR_SIZE,
  FILE_SIZE,
  MAGIC_COOKIE,
  OFFSET,
  OPT_END,
  OPT_OVERLOAD,
  OPT_PAD,
  SNAME_SIZE,
} from '../wire/constants.js';

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

// Option 52 as the options field states it (decode.ts readOverload: every instance's bytes count; the value
// is the first byte of the first non-empty one). Module scratch: the scan is synchronous.
let overloadSeen = false;
let overloadLength = 0;
let overloadValue = 0;

/** Whether every option in buf[start, end) fits its field (stops at END); notes option 52 when asked. */
function fieldFits(buf: Uint8Array, start: number, end: number, noteOverload: boolean): boolean {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (code === OPT_END) return true;
    if (i + 1 >= end) return false;
    const len = buf[i + 1]!;
    if (i + 2 + len > end) return false;
    if (noteOverload && code === OPT_OVERLOAD) {
      if (overloadLength === 0 && len > 0) overloadValue = buf[i + 2]!;
      overloadSeen = true;
      overloadLength += len;
    }
    i += 2 + len;
  }
  return true;
}

/** Whether decodeMessage(p) would succeed (see the opening comment). */
export function wellFormed(p: Uint8Array): boolean {
  if (p.length < BOOTP_HEADER_SIZE) return false;
  const op = p[OFFSET.op]!;
  if (op !== BOOTREQUEST && op !== BOOTREPLY) return false;
  if (p[OFFSET.hlen]! > CHADDR_SIZE) return false;
  if (p.length < OFFSET.options || u32(p, OFFSET.cookie) !== MAGIC_COOKIE) return true;
  overloadSeen = false;
  overloadLength = 0;
  overloadValue = 0;
  if (!fieldFits(p, OFFSET.options, p.length, true)) return false;
  if (!overloadSeen) return true;
  if (overloadLength !== 1 || overloadValue < 1 || overloadValue > 3) return false;
  if (overloadValue & 1 && !fieldFits(p, OFFSET.file, OFFSET.file + FILE_SIZE, false)) return false;
  if (overloadValue & 2 && !fieldFits(p, OFFSET.sname, OFFSET.sname + SNAME_SIZE, false)) return false;
  return true;
}

/** The header fields the relay decides on (read from a packet wellFormed accepted). */
export interface RelayHeader {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  flags: number;
  yiaddr: number;
  giaddr: number;
}

export function readHeader(p: Uint8Array): RelayHeader {
  return {
    op: p[OFFSET.op]!,
    htype: p[OFFSET.htype]!,
    hlen: p[OFFSET.hlen]!,
    hops: p[OFFSET.hops]!,
    flags: (p[OFFSET.flags]! << 8) | p[OFFSET.flags + 1]!,
    yiaddr: u32(p, OFFSET.yiaddr),
    giaddr: u32(p, OFFSET.giaddr),
  };
}

/** chaddr's first hlen bytes, as a copy (the decision outlives the received buffer). */
export function readChaddr(p: Uint8Array, hlen: number): Uint8Array {
  return p.slice(OFFSET.chaddr, OFFSET.chaddr + hlen);
}
