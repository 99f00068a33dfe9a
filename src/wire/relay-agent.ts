// Option 82, relay agent information (RFC 3046): a sequence of (code, length, data) sub-options, kept
// in wire order. Unknown sub-options stay raw; known fixed-size ones are checked for their size.

import { readIpv4, writeIpv4 } from './ip.js';

export const RAI_CIRCUIT_ID = 1;
export const RAI_REMOTE_ID = 2;
/** RFC 3256. */
export const RAI_DOCSIS_DEVICE_CLASS = 4;
/** RFC 3527: the subnet to allocate from, when giaddr cannot say it. */
export const RAI_LINK_SELECTION = 5;
/** RFC 3993. */
export const RAI_SUBSCRIBER_ID = 6;
/** RFC 4014. */
export const RAI_RADIUS_ATTRIBUTES = 7;
/** RFC 4030. */
export const RAI_AUTHENTICATION = 8;
/** RFC 4243. */
export const RAI_VENDOR_SPECIFIC = 9;
/** RFC 5010. */
export const RAI_RELAY_AGENT_FLAGS = 10;
/** RFC 5107: the address the client must use as server identifier (and send renewals to). */
export const RAI_SERVER_ID_OVERRIDE = 11;
/** RFC 6925. */
export const RAI_RELAY_ID = 12;
/** RFC 8357: the relay uses a source port other than 67; replies go back to that port. */
export const RAI_RELAY_PORT = 19;
/** RFC 6607. */
export const RAI_VSS = 151;
export const RAI_VSS_CONTROL = 152;

export interface SubOption {
  code: number;
  data: Uint8Array;
}

export type RelayAgentErrorCause =
  /** A sub-option's code is the last byte: its length is missing. */
  | 'suboption-truncated'
  /** A sub-option's length runs past the end of option 82. */
  | 'suboption-overrun'
  /** A known sub-option has the wrong size (link-selection and server-id-override are 4 bytes). */
  | 'bad-suboption-length';

export type RelayAgentResult =
  | { ok: true; subOptions: SubOption[] }
  | { ok: false; error: { cause: RelayAgentErrorCause; detail: string } };

/** Sizes RFCs fix; a sub-option of another size is malformed. */
const FIXED_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [RAI_LINK_SELECTION, [4]],
  [RAI_SERVER_ID_OVERRIDE, [4]],
  [RAI_RELAY_AGENT_FLAGS, [1]],
  // RFC 8357 sends 2 bytes (the downstream relay's port); ISC's dhcrelay sends it empty. Accept both.
  [RAI_RELAY_PORT, [0, 2]],
]);

/** Decodes option 82's data (already concatenated per RFC 3396). Never throws. Data views the input. */
export function decodeRelayAgentInfo(data: Uint8Array): RelayAgentResult {
  const subOptions: SubOption[] = [];
  let i = 0;
  while (i < data.length) {
    const code = data[i]!;
    if (i + 1 >= data.length) {
      return { ok: false, error: { cause: 'suboption-truncated', detail: `sub-option ${code} at ${i} has no length` } };
    }
    const len = data[i + 1]!;
    if (i + 2 + len > data.length) {
      const detail = `sub-option ${code} at ${i} claims ${len} bytes, ${data.length - i - 2} remain`;
      return { ok: false, error: { cause: 'suboption-overrun', detail } };
    }
    const sizes = FIXED_SIZES.get(code);
    if (sizes !== undefined && !sizes.includes(len)) {
      const detail = `sub-option ${code} has ${len} bytes, expected ${sizes.join(' or ')}`;
      return { ok: false, error: { cause: 'bad-suboption-length', detail } };
    }
    subOptions.push({ code, data: data.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return { ok: true, subOptions };
}

/**
 * Encodes sub-options in the given order. The result may exceed 255 bytes: the message encoder then
 * splits option 82 per RFC 3396. Throws RangeError on a code outside 0-255 or data over 255 bytes.
 */
export function encodeRelayAgentInfo(subOptions: readonly SubOption[]): Uint8Array {
  let size = 0;
  for (const { code, data } of subOptions) {
    if (!Number.isInteger(code) || code < 0 || code > 255) throw new RangeError(`sub-option code ${code} is not 0-255`);
    if (data.length > 255) throw new RangeError(`sub-option ${code} is ${data.length} bytes, at most 255 fit`);
    size += 2 + data.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const { code, data } of subOptions) {
    out[at] = code;
    out[at + 1] = data.length;
    out.set(data, at + 2);
    at += 2 + data.length;
  }
  return out;
}

/** The first sub-option with this code. */
export function findSubOption(subOptions: readonly SubOption[], code: number): Uint8Array | undefined {
  return subOptions.find((s) => s.code === code)?.data;
}

function addressSubOption(subOptions: readonly SubOption[], code: number): number | undefined {
  const data = findSubOption(subOptions, code);
  return data?.length === 4 ? readIpv4(data, 0) : undefined;
}

/** RFC 3527 link selection: the subnet the client is on, as an address. */
export function linkSelection(subOptions: readonly SubOption[]): number | undefined {
  return addressSubOption(subOptions, RAI_LINK_SELECTION);
}

/** RFC 5107 server identifier override. */
export function serverIdOverride(subOptions: readonly SubOption[]): number | undefined {
  return addressSubOption(subOptions, RAI_SERVER_ID_OVERRIDE);
}

/**
 * RFC 8357 relay source port: undefined when absent; otherwise the port it carries, or 0 when it is
 * empty (the relay's own source port applies).
 */
export function relayPort(subOptions: readonly SubOption[]): number | undefined {
  const data = findSubOption(subOptions, RAI_RELAY_PORT);
  if (data === undefined) return undefined;
  return data.length === 2 ? (data[0]! << 8) | data[1]! : 0;
}

export function addressSubOptionData(ip: number): Uint8Array {
  const out = new Uint8Array(4);
  writeIpv4(out, 0, ip);
  return out;
}
