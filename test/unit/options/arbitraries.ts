// fast-check generators for option types and for canonical values of a type: values that decode back to
// themselves after encoding (addresses in ISC's text form, route destinations without host bits, names in
// presentation form, sub-options with distinct codes).
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../../src/options/addresses.js';
import type { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue, encodeOptionValue } from '../../../src/options/codec.js';
import { nameText } from '../../../src/options/domain.js';
import { checkOptionType } from '../../../src/options/type-rules.js';
import type { ClasslessRoute, IntegerBits, OptionType, OptionValue } from '../../../src/options/types.js';

const byteString = (max: number) =>
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((a) => String.fromCharCode(...a));

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b, 0));
// Mostly zero-heavy addresses, so the :: and IPv4-tail forms of inet_ntop show up.
const ipv6 = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((words) => {
    const b = new Uint8Array(16);
    words.forEach((w, i) => {
      b[2 * i] = w >> 8;
      b[2 * i + 1] = w & 0xff;
    });
    return formatIPv6(b, 0);
  });

// Labels from a small pool so lists share suffixes (compression), plus arbitrary octets (escapes).
const label = fc.oneof(
  fc.constantFrom('com', 'example', 'org', 'eng', 'sales', 'a'),
  fc.uint8Array({ minLength: 1, maxLength: 63 }).map((b) => String.fromCharCode(...b)),
);
export const domainName = fc.array(label, { maxLength: 5 }).map((labels) => {
  const bytes = labels.map((l) => Uint8Array.from(l, (c) => c.charCodeAt(0)));
  let total = 1;
  const kept: Uint8Array[] = [];
  for (const b of bytes) {
    if (total + b.length + 1 > 255) break;
    kept.push(b);
    total += b.length + 1;
  }
  return nameText(kept);
});

const route: fc.Arbitrary<ClasslessRoute> = fc
  .record({
    prefixLength: fc.integer({ min: 0, max: 32 }),
    dest: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    router: ipv4,
  })
  .map(({ prefixLength, dest, router }) => {
    const d = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
      d[i] = (dest[i] as number) & ((0xff << (8 - keep)) & 0xff);
    }
    return { destination: formatIPv4(d, 0), prefixLength, router };
  });

function integer(bits: IntegerBits, signed: boolean): fc.Arbitrary<number> {
  const max = 2 ** (signed ? bits - 1 : bits) - 1;
  return fc.integer({ min: signed ? -max - 1 : 0, max });
}

/** Canonical values of `type` (depth bounds nested encapsulations). */
export function valueArb(type: OptionType, cat: Catalogue, depth = 0): fc.Arbitrary<OptionValue> {
  switch (type.kind) {
    case 'ip-address':
      return ipv4;
    case 'ip6-address':
      return ipv6;
    case 'integer':
      return integer(type.bits, type.signed);
    case 'lease-time':
      return integer(32, false);
    case 'enumeration': {
      const e = type.enumeration;
      const named = new Set(e.values.map((v) => v.value));
      return fc.oneof(
        fc.constantFrom(...e.values.map((v) => v.name)),
        integer(e.bits, false).filter((n) => !named.has(n)),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'text':
    case 'space-name':
    case 'key-name':
      return byteString(300);
    case 'string':
      return fc.uint8Array({ maxLength: 300 });
    case 'zero-length':
      return fc.constant(true);
    case 'domain-name':
      return domainName;
    case 'domain-list':
      return fc.array(domainName, { maxLength: 6 });
    case 'classless-route':
      return route;
    case 'record':
      return fc.tuple(...type.fields.map((f) => valueArb(f, cat, depth)));
    case 'array':
      return fc.array(valueArb(type.of, cat, depth), { maxLength: 6 });
    case 'encapsulate':
      return encapsulated(type, cat, depth);
  }
}

function encapsulated(type: { kind: 'encapsulate'; space: string }, cat: Catalogue, depth: number) {
  const space = cat.space(type.space);
  if (type.space === 'fqdn') {
    // Canonical fqdn values are whatever decoding a well-formed option gives.
    return fc
      .record({ flags: fc.integer({ min: 0, max: 7 }), r1: fc.nat(255), r2: fc.nat(255), name: domainName })
      .map(({ flags, r1, r2, name }) => {
        const bytes = encodeOptionValue(
          type,
          [
            { code: 1, value: (flags & 2) !== 0 },
            { code: 2, value: (flags & 1) !== 0 },
            { code: 3, value: (flags & 4) !== 0 },
            { code: 4, value: r1 },
            { code: 5, value: r2 },
            { code: 8, value: name },
          ],
          cat,
        );
        const r = decodeOptionValue(type, bytes, cat);
        if (!r.ok) throw new Error(r.error);
        return r.value;
      });
  }
  const defs = space && depth < 2 ? cat.options(space.name).filter((d) => cat.byCode(space.name, d.code) === d) : [];
  const codeWidth = space?.codeWidth ?? 1;
  const maxCode = codeWidth === 1 ? 254 : codeWidth === 2 ? 0xffff : 0xffffffff;
  const known = new Set(defs.map((d) => d.code));
  const raw = fc
    .record({
      code: fc.integer({ min: 1, max: maxCode }).filter((c) => !known.has(c)),
      value: fc.uint8Array({ maxLength: 40 }) as fc.Arbitrary<OptionValue>,
    })
    .map(({ code, value }) => ({ code, value }));
  const typed = defs.map((d) => valueArb(d.type, cat, depth + 1).map((value) => ({ code: d.code, value })));
  const one = typed.length > 0 ? fc.oneof(raw, ...typed) : raw;
  const maxLength = space?.lengthWidth === 0 ? 1 : 4;
  return fc.uniqueArray(one, { selector: (o) => o.code, maxLength });
}

/** Option types that satisfy checkOptionType: scalars, records (last field may be an array), arrays. */
export function optionType(cat: Catalogue): fc.Arbitrary<OptionType> {
  const fixed: fc.Arbitrary<OptionType> = fc.oneof(
    fc.constant<OptionType>({ kind: 'ip-address' }),
    fc.constant<OptionType>({ kind: 'ip6-address' }),
    fc.record({
      kind: fc.constant('integer' as const),
      bits: fc.constantFrom<IntegerBits>(8, 16, 32),
      signed: fc.boolean(),
    }),
    fc.constant<OptionType>({ kind: 'boolean' }),
    fc.constant<OptionType>({ kind: 'lease-time' }),
    fc.constant<OptionType>({ kind: 'domain-name' }),
    fc.constant<OptionType>({ kind: 'classless-route' }),
  );
  const tail: fc.Arbitrary<OptionType> = fc.oneof(
    fixed,
    fc.constant<OptionType>({ kind: 'text' }),
    fc.constant<OptionType>({ kind: 'string' }),
    fc.record({ kind: fc.constant('domain-list' as const), compressed: fc.boolean() }),
    fc.constant<OptionType>({ kind: 'zero-length' }),
    fc.constant<OptionType>({ kind: 'encapsulate', space: 'agent' }),
    fixed.map((of): OptionType => ({ kind: 'array', of })),
  );
  const record = fc
    .tuple(fc.array(fixed, { maxLength: 3 }), tail)
    .map(([head, last]): OptionType => ({ kind: 'record', fields: [...head, last] }));
  const arrayOfRecords = fc
    .array(fixed, { minLength: 1, maxLength: 3 })
    .map((fields): OptionType => ({ kind: 'array', of: { kind: 'record', fields } }));
  return fc
    .oneof(tail, record, arrayOfRecords)
    .filter((t) => checkOptionType(t, (n) => cat.space(n) !== undefined) === undefined);
}
