// Property tests: every catalogue option and random (record, array, nested) types round-trip canonical
// values; decoding random octets never throws and what it returns re-encodes to itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Catalogue } from '../../../src/options/catalogue.js';
import { decodeOptionValue, encodeOptionValue } from '../../../src/options/codec.js';
import { formatOptionValue } from '../../../src/options/format.js';
import type { OptionType, OptionValue } from '../../../src/options/types.js';
import { optionType, valueArb } from './arbitraries.js';

const cat = Catalogue.standard();
const allDefs = cat.spaces().flatMap((s) => cat.options(s.name));

function roundTrip(type: OptionType, value: OptionValue, c: Catalogue = cat): void {
  const octets = encodeOptionValue(type, value, c);
  const back = decodeOptionValue(type, octets, c);
  assert.deepEqual(back, { ok: true, value });
  // Formatting a valid value never throws.
  formatOptionValue(type, value, c, 'conf');
  formatOptionValue(type, value, c, 'env');
}

/** decode must not throw; a value it returns must encode, and decode again to the same value. */
function decodeIsStable(type: OptionType, octets: Uint8Array, c: Catalogue = cat): void {
  const r = decodeOptionValue(type, octets, c);
  if (!r.ok) {
    assert.equal(typeof r.error, 'string');
    return;
  }
  const again = decodeOptionValue(type, encodeOptionValue(type, r.value, c), c);
  assert.deepEqual(again, r);
}

describe('every catalogue option', () => {
  it(`encodes and decodes sample values of its type (${allDefs.length} options)`, () => {
    for (const def of allDefs) {
      for (const value of fc.sample(valueArb(def.type, cat), { numRuns: 8, seed: def.code })) {
        try {
          roundTrip(def.type, value);
        } catch (e) {
          assert.fail(`${def.space}.${def.name}: ${(e as Error).message}`);
        }
      }
    }
  });

  it('decodes random octets without throwing, and stably', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allDefs), fc.uint8Array({ maxLength: 64 }), (def, octets) => {
        decodeIsStable(def.type, octets);
      }),
      { numRuns: 4000 },
    );
  });

  it('decodes random octets built as sub-option blocks of each encapsulating option', () => {
    const encapsulating = allDefs.filter((d) => d.type.kind === 'encapsulate');
    const block = fc
      .array(fc.tuple(fc.nat(255), fc.uint8Array({ maxLength: 12 })), { maxLength: 5 })
      .map((subs) => Uint8Array.from(subs.flatMap(([code, data]) => [code, data.length, ...data])));
    fc.assert(
      fc.property(fc.constantFrom(...encapsulating), block, (def, octets) => decodeIsStable(def.type, octets)),
      { numRuns: 2000 },
    );
  });
});

describe('random types', () => {
  const typed = optionType(cat).chain((type) => valueArb(type, cat).map((value) => ({ type, value })));

  it('round-trip random values of random records, arrays and nested encapsulations', () => {
    fc.assert(
      fc.property(typed, ({ type, value }) => roundTrip(type, value)),
      { numRuns: 2000 },
    );
  });

  it('as user-defined options too: define, then encode/decode through the catalogue', () => {
    fc.assert(
      fc.property(typed, fc.integer({ min: 1, max: 254 }), ({ type, value }, code) => {
        const c = Catalogue.standard();
        c.define({ space: 'dhcp', name: 'prop-option', code, type });
        const def = c.byName('dhcp', 'prop-option');
        assert.equal(c.byCode('dhcp', code), def);
        roundTrip((def as { type: OptionType }).type, value, c);
      }),
      { numRuns: 300 },
    );
  });

  it('decode random octets without throwing, and stably', () => {
    fc.assert(
      fc.property(optionType(cat), fc.uint8Array({ maxLength: 80 }), (type, octets) => decodeIsStable(type, octets)),
      { numRuns: 3000 },
    );
  });

  it('decode never reads outside the given range of a larger buffer', () => {
    fc.assert(
      fc.property(optionType(cat), fc.uint8Array({ maxLength: 40 }), (type, octets) => {
        // The option sits in a packet between octets that would change any value read by mistake.
        const packet = new Uint8Array(octets.length + 8).fill(0xc0);
        packet.set(octets, 4);
        const inside = decodeOptionValue(type, packet.subarray(4, 4 + octets.length), cat);
        assert.deepEqual(inside, decodeOptionValue(type, Uint8Array.from(octets), cat));
      }),
      { numRuns: 1000 },
    );
  });
});
