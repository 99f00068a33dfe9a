// How ISC dhcpd lays options into a reply (common/options.c cons_options and store_options), byte for
// byte, so that the same options land in the same field in the same hunks and the same ones are left
// out when room runs short:
//
// - the option area (magic cookie included) is 312 bytes, or the client's maximum message size less
//   264 (IP/UDP headers and the fixed BOOTP header), at least 312 and at most 1236; a BOOTP client
//   without option 57 gets 64 bytes, or the size of its own vendor area when it sent a longer one;
// - option 82 is set aside first (its room is added to the area, to at most 1236) and goes back
//   after everything else;
// - options are taken in priority order: one of up to 255 bytes goes whole into the options field
//   when 5 bytes stay free after it (3 for option 52, 2 for END; the very last entry of the priority
//   list needs only 2), else into `file` then `sname` when those are free and 3 bytes stay (END);
//   anything longer, or that fits nowhere whole, is split across the room left in the options field,
//   `file` and `sname`, in that order, in hunks of at most 255 bytes, and is left out altogether
//   (rolled back) when even that runs out;
// - when `file` or `sname` took options, they end with END and zero padding and option 52 follows the
//   options in the options field; then option 82, then END when a byte is left.
// The caller pads the message to 300 bytes (ISC's BOOTP_MIN_LEN).

import { FILE_SIZE, OFFSET, OPT_END, OPT_OVERLOAD, OPT_RELAY_AGENT_INFO, SNAME_SIZE } from '../wire/index.js';

/** ISC DHCP_MAX_OPTION_LEN: 1500 - 264. */
export const MAX_OPTION_AREA = 1236;
/** ISC DHCP_MIN_OPTION_LEN: 576 - 264. */
export const MIN_OPTION_AREA = 312;
/** ISC DHCP_FIXED_LEN: the BOOTP header plus IP and UDP headers. */
const FIXED_LEN = 264;
const HEADER = OFFSET.cookie; // 236: where the option area (cookie first) begins
/** Room needed in the whole message buffer for the largest reply. */
export const MAX_REPLY_SIZE = HEADER + MAX_OPTION_AREA;

/**
 * The option area ISC gives a reply (cons_options' mb_size, before option 82): `mms` is the maximum
 * message size in force (0 when none), `bootp` a BOOTP reply, `requestSize` the request's length.
 */
export function optionAreaSize(mms: number, bootp: boolean, requestSize: number): number {
  if (mms > 0) {
    if (mms < 576) return MIN_OPTION_AREA;
    if (mms > 1500) return MAX_OPTION_AREA;
    return mms - FIXED_LEN;
  }
  if (bootp) return requestSize >= 64 + HEADER ? requestSize - HEADER : 64;
  return MIN_OPTION_AREA;
}

export interface Packed {
  /** Offset just past the last option byte written (END included when there was room). */
  end: number;
  /** Option 52's value: 1 = `file` carries options, 2 = `sname` does. */
  overload: number;
  /** Codes that did not fit (priority order), option 82 last when it did not. */
  dropped: number[];
}

/** What the reply may overload: 1 = `file` (no boot file name), 2 = `sname` (no server name). */
export const OVERLOAD_FILE = 1;
export const OVERLOAD_SNAME = 2;

/** Bytes option 82 takes back in the reply (ISC skips an empty one). */
export function agentSize(agent: Uint8Array | undefined): number {
  if (agent === undefined || agent.length === 0) return 0;
  return agent.length + 2 * Math.ceil(agent.length / 255);
}

function writeHunks(buf: Uint8Array, at: number, code: number, data: Uint8Array): number {
  let ix = 0;
  while (ix < data.length) {
    const n = Math.min(255, data.length - ix);
    buf[at] = code;
    buf[at + 1] = n;
    if (ix === 0 && n === data.length) buf.set(data, at + 2);
    else buf.set(data.subarray(ix, ix + n), at + 2);
    at += 2 + n;
    ix += n;
  }
  return at;
}

/**
 * Lays `options` (code, data; priority order, present options only) into `buf`, a whole message whose header
 * is written: the options field from offset 236 (cookie included), and the `file`/`sname` fields that
 * `overloadAvail` marks free (they are rewritten: options and padding, or zeros). `lastCode` is the
 * code of the last entry of ISC's priority list (present or not): only it may use the 3 bytes kept
 * for option 52. Returns where the option area ends; the caller pads to 300 bytes.
 */
export function packOptions(
  buf: Uint8Array,
  options: readonly (readonly [number, Uint8Array])[],
  lastCode: number,
  agent: Uint8Array | undefined,
  areaSize: number,
  overloadAvail: number,
): Packed {
  const agentLen = agentSize(agent);
  let mbSize = areaSize + agentLen;
  if (mbSize > MAX_OPTION_AREA) mbSize = MAX_OPTION_AREA;
  const mbMax = mbSize > agentLen ? mbSize - agentLen : mbSize;
  // store_options' main buffer: the options field after the cookie.
  const mainBase = HEADER + 4;
  const mainEnd = mbMax - 4;
  const fileOk = (overloadAvail & OVERLOAD_FILE) !== 0;
  const snameOk = (overloadAvail & OVERLOAD_SNAME) !== 0;
  let bufix = 0;
  let six = 0;
  let tix = 0;
  const dropped: number[] = [];

  for (let i = 0; i < options.length; i++) {
    const [code, data] = options[i]!;
    let length = data.length;
    if (length === 0) continue; // ISC stores nothing for an empty value
    const isLast = code === lastCode;
    let splitup = length > 255;
    let ix = 0;
    const optstart = bufix;
    const soptstart = six;
    const toptstart = tix;
    while (length > 0) {
      let incr = length;
      let region: 0 | 1 | 2; // options field, file, sname
      if (
        !splitup &&
        ((six === 0 && tix === 0 && isLast && bufix + 2 + length < mainEnd) || bufix + 5 + length < mainEnd)
      ) {
        region = 0;
      } else if (!splitup && fileOk && six + 3 + length < FILE_SIZE) {
        region = 1;
      } else if (!splitup && snameOk && tix + 3 + length < SNAME_SIZE) {
        region = 2;
      } else {
        splitup = true;
        if (bufix + 6 < mainEnd) {
          incr = mainEnd - bufix - 5;
          region = 0;
        } else if (fileOk && six + 4 < FILE_SIZE) {
          incr = FILE_SIZE - six - 3;
          region = 1;
        } else if (snameOk && tix + 4 < SNAME_SIZE) {
          incr = SNAME_SIZE - tix - 3;
          region = 2;
        } else {
          // No room left anywhere: the option is rolled back (its bytes are overwritten or cleared later).
          bufix = optstart;
          six = soptstart;
          tix = toptstart;
          dropped.push(code);
          break;
        }
      }
      if (incr > length) incr = length;
      if (incr > 255) incr = 255;
      let at: number;
      if (region === 0) {
        at = mainBase + bufix;
        bufix += 2 + incr;
      } else if (region === 1) {
        at = OFFSET.file + six;
        six += 2 + incr;
      } else {
        at = OFFSET.sname + tix;
        tix += 2 + incr;
      }
      buf[at] = code;
      buf[at + 1] = incr;
      if (ix === 0 && incr === data.length) buf.set(data, at + 2);
      else buf.set(data.subarray(ix, ix + incr), at + 2);
      length -= incr;
      ix += incr;
    }
  }

  let overload = 0;
  if (fileOk && closeField(buf, OFFSET.file, FILE_SIZE, six)) overload |= OVERLOAD_FILE;
  if (snameOk && closeField(buf, OFFSET.sname, SNAME_SIZE, tix)) overload |= OVERLOAD_SNAME;
  // cons_options: index counts the cookie.
  let index = 4 + bufix;
  if (overload !== 0) {
    buf[HEADER + index] = OPT_OVERLOAD;
    buf[HEADER + index + 1] = 1;
    buf[HEADER + index + 2] = overload;
    index += 3;
  }
  if (agentLen > 0) {
    if (mbSize - index >= agentLen) index = writeHunks(buf, HEADER + index, OPT_RELAY_AGENT_INFO, agent!) - HEADER;
    else dropped.push(OPT_RELAY_AGENT_INFO);
  }
  if (index < mbSize) buf[HEADER + index++] = OPT_END;
  return { end: HEADER + index, overload, dropped };
}

/** Ends an overloaded field after `used` option bytes with END and zeros (all zeros when unused); true when used. */
function closeField(buf: Uint8Array, at: number, size: number, used: number): boolean {
  if (used === 0) {
    buf.fill(0, at, at + size);
    return false;
  }
  buf[at + used] = OPT_END;
  buf.fill(0, at + used + 1, at + size);
  return true;
}
