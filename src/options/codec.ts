// Typed option values <-> option data octets, for every OptionType. This is the only place that knows how
// each format looks on the wire; the wire layer frames options (code, length, RFC 3396 concatenation) and
// calls these for the data.
//
// Decoding is strict about lengths (an ip-address is exactly 4 octets, an array has no partial element at
// its end) where ISC would print what it can and log the extra bytes: a value that decodes here is
// well-formed, and a caller that needs the bytes of a malformed option keeps them raw.

import { formatIPv4, formatIPv6 } from './addresses.js';
import type { Catalogue } from './catalogue.js';
import { nameText, readName } from './domain.js';
import { decodeBlock, encodeBlock } from './encapsulation.js';
import { enumerationName } from './enumerations.js';
import { copyBytes, latin1 } from './octets.js';
import { checkClasslessRoute, readClasslessRoute, routeWireLength, writeClasslessRoute } from './routes.js';
import { encodeScalar } from './scalar-encode.js';
import { runsToEnd } from './type-rules.js';
import type { ClasslessRoute, EncapsulatedOption, OptionResult, OptionType, OptionValue } from './types.js';
import { Writer } from './writer.js';

/** Thrown by encodeOptionValue for a value that does not fit its type: a bug in the caller, not bad input. */
export class OptionValueError extends TypeError {
  override name = 'OptionValueError';
}

/**
 * Encodes a typed value as option data. Throws OptionValueError when the value has the wrong JS shape or is
 * out of range for its type (a malformed address, an integer too large, text with chars above U+00FF, a
 * sub-option code the space does not know given as anything but raw bytes): callers that hold unchecked
 * values use tryEncodeOptionValue.
 */
export function encodeOptionValue(type: OptionType, value: OptionValue, cat: Catalogue): Uint8Array {
  const w = new Writer();
  encodeInto(type, value, cat, w);
  return w.finish();
}

/** encodeOptionValue without the throw: the reason a value cannot be encoded, or its octets. */
export function tryEncodeOptionValue(type: OptionType, value: OptionValue, cat: Catalogue): OptionResult<Uint8Array> {
  try {
    return { ok: true, value: encodeOptionValue(type, value, cat) };
  } catch (e) {
    if (e instanceof OptionValueError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Encodes a value into a writer (also used for the sub-options of an encapsulated block). */
export function encodeInto(type: OptionType, value: OptionValue, cat: Catalogue, w: Writer): void {
  switch (type.kind) {
    case 'record': {
      if (!Array.isArray(value)) throw new OptionValueError(`expected an array of ${type.fields.length} fields`);
      const fields = type.fields;
      if (value.length > fields.length) throw new OptionValueError(`record has ${fields.length} fields`);
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] as OptionType;
        if (i < value.length) encodeInto(f, value[i] as OptionValue, cat, w);
        // A missing trailing field is allowed only where ISC allows it: text, data or a list, left empty.
        else if (!(i === fields.length - 1 && runsToEnd(f))) throw new OptionValueError(`missing field ${i + 1}`);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) throw new OptionValueError('expected an array');
      for (const v of value) encodeInto(type.of, v as OptionValue, cat, w);
      return;
    }
    case 'classless-route': {
      const problem = checkClasslessRoute(value);
      if (problem) throw new OptionValueError(problem);
      const route = value as ClasslessRoute;
      w.ensure(routeWireLength(route));
      w.len = writeClasslessRoute(route, w.buf, w.len);
      return;
    }
    case 'encapsulate': {
      if (value instanceof Uint8Array) {
        w.bytes(value);
        return;
      }
      if (!Array.isArray(value)) throw new OptionValueError('expected sub-options or raw octets');
      encodeBlock(type.space, value as EncapsulatedOption[], cat, w);
      return;
    }
    default: {
      const problem = encodeScalar(type, value, w);
      if (problem) throw new OptionValueError(problem);
    }
  }
}

/**
 * Decodes option data as a typed value. Never throws and never reads outside `data`; malformed data gives
 * `{ ok: false, error }` saying what is wrong. Octet strings in the value are copies, so the value may outlive
 * the packet buffer.
 */
export function decodeOptionValue(type: OptionType, data: Uint8Array, cat: Catalogue): OptionResult<OptionValue> {
  // Offsets inside the value (domain-list compression pointers) count from data[0]: callers pass exactly the
  // option's data, a subarray of the packet.
  const d = new Decoder(data, cat);
  const value = d.value(type, data.length);
  if (value === undefined) return { ok: false, error: d.error };
  if (d.pos !== data.length) return { ok: false, error: `${data.length - d.pos} octets left over after the value` };
  return { ok: true, value };
}

/** A cursor over option data; `value` returns undefined on malformed data and leaves the reason in `error`. */
class Decoder {
  pos = 0;
  error = '';

  constructor(
    readonly data: Uint8Array,
    readonly cat: Catalogue,
  ) {}

  private fail(message: string): undefined {
    this.error = message;
    return undefined;
  }

  /** Checks that n more octets are there before `end`. */
  private need(n: number, end: number, what: string): boolean {
    if (this.pos + n <= end) return true;
    this.error = `${what} needs ${n} octets, ${end - this.pos} left`;
    return false;
  }

  private uint(bytes: 1 | 2 | 4): number {
    const d = this.data;
    const p = this.pos;
    this.pos += bytes;
    if (bytes === 1) return d[p] as number;
    if (bytes === 2) return ((d[p] as number) << 8) | (d[p + 1] as number);
    return (
      (((d[p] as number) << 24) | ((d[p + 1] as number) << 16) | ((d[p + 2] as number) << 8) | (d[p + 3] as number)) >>>
      0
    );
  }

  /** Reads one value of `type`; a type that runs to the end takes everything up to `end`. */
  value(type: OptionType, end: number): OptionValue | undefined {
    const data = this.data;
    switch (type.kind) {
      case 'ip-address':
        if (!this.need(4, end, 'ip-address')) return undefined;
        this.pos += 4;
        return formatIPv4(data, this.pos - 4);
      case 'ip6-address':
        if (!this.need(16, end, 'ip6-address')) return undefined;
        this.pos += 16;
        return formatIPv6(data, this.pos - 16);
      case 'integer': {
        const bytes = (type.bits >> 3) as 1 | 2 | 4;
        if (!this.need(bytes, end, `${type.bits}-bit integer`)) return undefined;
        const u = this.uint(bytes);
        if (!type.signed) return u;
        return type.bits === 32 ? u | 0 : (u << (32 - type.bits)) >> (32 - type.bits);
      }
      case 'lease-time':
        if (!this.need(4, end, 'lease-time')) return undefined;
        return this.uint(4);
      case 'enumeration': {
        const bytes = (type.enumeration.bits >> 3) as 1 | 2 | 4;
        if (!this.need(bytes, end, type.enumeration.name)) return undefined;
        const n = this.uint(bytes);
        return enumerationName(type.enumeration, n) ?? n;
      }
      case 'boolean':
        if (!this.need(1, end, 'boolean')) return undefined;
        return this.uint(1) !== 0;
      case 'text':
      case 'space-name':
      case 'key-name': {
        const s = latin1(data, this.pos, end);
        this.pos = end;
        return s;
      }
      case 'string': {
        const b = copyBytes(data, this.pos, end);
        this.pos = end;
        return b;
      }
      case 'zero-length':
        return true;
      case 'domain-name': {
        const r = readName(data, this.pos, end, false);
        if (typeof r === 'string') return this.fail(r);
        this.pos = r.next;
        return nameText(r.labels);
      }
      case 'domain-list': {
        // Pointers are followed whether or not the type says compressed, as ISC does; they may point
        // anywhere earlier in the option data.
        const out: string[] = [];
        while (this.pos < end) {
          const r = readName(data, this.pos, end, true);
          if (typeof r === 'string') return this.fail(r);
          out.push(nameText(r.labels));
          this.pos = r.next;
        }
        return out;
      }
      case 'classless-route': {
        const r = readClasslessRoute(data, this.pos, end);
        if (typeof r === 'string') return this.fail(r);
        this.pos = r.next;
        return r.route;
      }
      case 'encapsulate': {
        const block = decodeBlock(type.space, data, this.pos, end, this.cat);
        if (typeof block === 'string') return this.fail(block);
        this.pos = end;
        return block;
      }
      case 'record': {
        const out: OptionValue[] = [];
        for (const f of type.fields) {
          const v = this.value(f, end);
          if (v === undefined) return undefined;
          out.push(v);
        }
        return out;
      }
      case 'array': {
        const out: OptionValue[] = [];
        while (this.pos < end) {
          const before = this.pos;
          const v = this.value(type.of, end);
          if (v === undefined) return undefined;
          if (this.pos === before) return this.fail('array element of zero length');
          out.push(v);
        }
        return out;
      }
    }
  }
}
