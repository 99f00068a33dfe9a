import assert from 'node:assert/strict';
import type { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue, encodeOptionValue } from '../../../src/options/codec.js';
import type { OptionType, OptionValue } from '../../../src/options/types.js';

/** Octets from hex written with any separators: "c0 00:02-01". */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, '');
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Octets of an ASCII string. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Asserts value -> octets -> the same value. */
export function assertCodec(type: OptionType, value: OptionValue, octets: Uint8Array, cat: Catalogue): void {
  assert.deepEqual(encodeOptionValue(type, value, cat), octets);
  assert.deepEqual(decodeOptionValue(type, octets, cat), { ok: true, value });
}

/** Asserts the octets do not decode, with an error mentioning `match`. */
export function assertDecodeError(type: OptionType, octets: Uint8Array, cat: Catalogue, match: RegExp): void {
  const r = decodeOptionValue(type, octets, cat);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, match);
}
