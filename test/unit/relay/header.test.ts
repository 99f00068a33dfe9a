import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readChaddr, readHeader, wellFormed } from '../../../src/relay/header.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage } from '../../../src/wire/encode.js';

/** A valid DHCP message with options, as clients and servers send them. */
function sample(seed: number, overload = 0): Uint8Array {
  const options: [number, Uint8Array][] = [
    [53, new Uint8Array([1 + (seed % 8)])],
    [55, new Uint8Array([1, 3, 6, 15])],
    [12, new Uint8Array(Buffer.from(`host-${seed}`))],
  ];
  if (overload) options.push([52, new Uint8Array([overload])]);
  return encodeMessage({
    op: 1 + (seed % 2),
    htype: 1,
    hlen: 6,
    hops: seed % 3,
    xid: seed,
    flags: seed % 2 ? 0x8000 : 0,
    yiaddr: 0xc0000264,
    giaddr: seed % 2 ? 0xc0000201 : 0,
    chaddr: new Uint8Array([2, 0, 0, 0, seed >> 8, seed & 0xff]),
    options,
  }).bytes.slice();
}

const agrees = (p: Uint8Array) => assert.equal(wellFormed(p), decodeMessage(p).ok, Buffer.from(p).toString('hex'));

describe('relay header: wellFormed agrees with decodeMessage', () => {
  it('on valid packets, and reads the header fields the decoder reads', () => {
    for (let seed = 0; seed < 20; seed++) {
      const p = sample(seed);
      assert.equal(wellFormed(p), true);
      const d = decodeMessage(p);
      assert.ok(d.ok);
      const h = readHeader(p);
      const m = d.message;
      assert.deepEqual(h, {
        op: m.op,
        htype: m.htype,
        hlen: m.hlen,
        hops: m.hops,
        flags: m.flags,
        yiaddr: m.yiaddr,
        giaddr: m.giaddr,
      });
      assert.deepEqual(readChaddr(p, h.hlen), m.chaddr.slice(0, m.hlen));
    }
  });

  it('on each refusal the decoder makes: short, op, hlen, option overrun, option 52, file and sname overruns', () => {
    const p = sample(1);
    agrees(p.subarray(0, 235));
    agrees(p.subarray(0, 236));
    agrees(p.subarray(0, 240));
    for (const [at, v] of [
      [0, 3],
      [0, 0],
      [2, 17],
      [2, 16],
    ] as const) {
      const q = p.slice();
      q[at] = v;
      agrees(q);
    }
    for (const cut of [241, 242, 243, 250]) agrees(p.subarray(0, cut));
    for (const v of [0, 1, 2, 3, 4]) {
      const o = sample(2, v === 0 ? 0 : v);
      agrees(o);
      // file and sname full of a lying length: refused only when option 52 names them
      const bad = o.slice();
      bad[108] = 7;
      bad[109] = 200;
      bad[44] = 7;
      bad[45] = 100;
      agrees(bad);
    }
  });

  it('on random mutations of valid packets and on random bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        (seed, overload, edits, cut) => {
          const p = sample(seed, overload);
          for (const [at, v] of edits) {
            // Most edits where the decoder looks: the options field, op/hlen, file and sname starts.
            const spots = [0, 2, 44, 45, 108, 109, 240 + (at % Math.max(1, p.length - 240))];
            p[spots[at % spots.length]!] = v;
          }
          agrees(p.subarray(0, cut % 3 === 0 ? p.length - (cut % 40) : p.length));
        },
      ),
      { numRuns: 3000, seed: 13 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 230, maxLength: 400 }), (bytes) => {
        if (bytes.length >= 240) bytes.set([99, 130, 83, 99], 236);
        agrees(bytes);
      }),
      { numRuns: 2000, seed: 13 },
    );
  });
});
