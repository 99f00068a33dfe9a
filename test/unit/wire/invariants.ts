// What any accepted message must satisfy, shared by the fuzz test and scripts/fuzz-wire.ts. Each check
// returns a description of the problem, or undefined.

import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';
import type { DhcpMessage } from '../../../src/wire/message.js';

const BYTE_FIELDS = ['op', 'htype', 'hlen', 'hops'] as const;
const U16_FIELDS = ['secs', 'flags'] as const;
const U32_FIELDS = ['xid', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const;

function inRange(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Fields in range (an out-of-bounds read would show up as NaN), sizes consistent with the input. */
export function checkMessage(m: DhcpMessage, input: Uint8Array): string | undefined {
  for (const k of BYTE_FIELDS) if (!inRange(m[k], 255)) return `${k} = ${m[k]}`;
  for (const k of U16_FIELDS) if (!inRange(m[k], 0xffff)) return `${k} = ${m[k]}`;
  for (const k of U32_FIELDS) if (!inRange(m[k], 0xffffffff)) return `${k} = ${m[k]}`;
  if (m.chaddr.length !== 16 || m.sname.length !== 64 || m.file.length !== 128) return 'field sizes';
  if (m.size !== input.length) return `size ${m.size} for ${input.length} bytes`;
  let total = 0;
  for (const [code, data] of m.options) {
    if (!inRange(code, 254) || code === 0 || code === 52) return `option code ${code} listed`;
    total += data.length;
  }
  if (total > input.length) return `${total} bytes of option data from ${input.length} bytes`;
  if (m.cookie === 'dhcp' && m.vendor !== undefined) return 'vendor area on a DHCP message';
  if (m.cookie !== 'dhcp' && (m.options.size > 0 || m.overload !== 0)) return 'options without a cookie';
  return undefined;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Re-encoding an accepted message (with room to spare) and decoding it again changes nothing. */
export function checkRoundTrip(m: DhcpMessage): string | undefined {
  let again: DhcpMessage;
  try {
    const encoded = encodeMessage(m, { maxMessageSize: 65535 });
    if (encoded.dropped.length > 0) return `re-encode dropped ${encoded.dropped}`;
    const r = decodeMessage(encoded.bytes);
    if (!r.ok) return `re-encoded message refused: ${r.error.cause} ${r.error.detail}`;
    again = r.message;
  } catch (e) {
    return `re-encode threw: ${String(e)}`;
  }
  for (const k of [...BYTE_FIELDS, ...U16_FIELDS, ...U32_FIELDS]) {
    if (again[k] !== m[k]) return `${k} changed on re-encode`;
  }
  if (!sameBytes(again.chaddr, m.chaddr)) return 'chaddr changed on re-encode';
  const a = [...m.options];
  const b = [...again.options];
  if (a.length !== b.length) return `${a.length} options became ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i]![0] !== b[i]![0] || !sameBytes(a[i]![1], b[i]![1])) return `option ${a[i]![0]} changed on re-encode`;
  }
  if (m.cookie !== 'dhcp' && !sameBytes(again.vendor?.subarray(0, m.vendor?.length), m.vendor)) {
    return 'vendor area changed on re-encode';
  }
  return undefined;
}
