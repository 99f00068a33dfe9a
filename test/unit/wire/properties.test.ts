// Property tests: whatever the header and options, encode -> decode gives them back, within the size
// limit, with dropped options reported instead of silently lost.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMessage } from '../../../src/wire/decode.js';
import { encodeMessage, maxPayloadSize } from '../../../src/wire/encode.js';
import { buildFrame, parseFrame } from '../../../src/wire/frame.js';
import { bytesToHex, hexToBytes } from '../../../src/wire/hex.js';
import { ipToString, parseIpv4 } from '../../../src/wire/ip.js';
import type { DhcpMessage, OutgoingMessage } from '../../../src/wire/message.js';
import { decodeRelayAgentInfo, encodeRelayAgentInfo } from '../../../src/wire/relay-agent.js';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** A name field: all zeros (free for overload) or text starting with a non-zero byte. */
function nameField(size: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constant(new Uint8Array(size)),
    fc.uint8Array({ minLength: 1, maxLength: size }).map((b) => {
      const out = new Uint8Array(size);
      out.set(b);
      out[0] = out[0]! | 1;
      return out;
    }),
  );
}

const header = fc.record({
  op: fc.constantFrom(1, 2),
  htype: u8,
  hlen: fc.integer({ min: 0, max: 16 }),
  hops: u8,
  xid: u32,
  secs: u16,
  flags: u16,
  ciaddr: u32,
  yiaddr: u32,
  siaddr: u32,
  giaddr: u32,
  chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  sname: nameField(64),
  file: nameField(128),
});

const optionData = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 16 }) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 255 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 256, maxLength: 700 }) },
);

const options = fc.uniqueArray(
  fc.tuple(
    fc.integer({ min: 1, max: 254 }).filter((c) => c !== 52),
    optionData,
  ),
  { selector: ([code]) => code, maxLength: 14 },
);

function assertHeader(m: DhcpMessage, h: Required<Omit<OutgoingMessage, 'options' | 'overload' | 'vendor'>>): void {
  for (const key of [
    'op',
    'htype',
    'hlen',
    'hops',
    'xid',
    'secs',
    'flags',
    'ciaddr',
    'yiaddr',
    'siaddr',
    'giaddr',
  ] as const) {
    assert.equal(m[key], h[key], key);
  }
  assert.deepEqual(m.chaddr, h.chaddr);
}

describe('wire properties', () => {
  it('encode -> decode returns header and options in order when size is no issue', () => {
    fc.assert(
      fc.property(header, options, (h, opts) => {
        const { bytes, dropped, overload } = encodeMessage({ ...h, options: opts }, { maxMessageSize: 65535 });
        assert.deepEqual(dropped, []);
        assert.equal(overload, 0);
        const r = decodeMessage(bytes);
        assert.ok(r.ok);
        assertHeader(r.message, h);
        assert.deepEqual(r.message.sname, h.sname);
        assert.deepEqual(r.message.file, h.file);
        assert.deepEqual([...r.message.options], opts);
      }),
      { numRuns: 300 },
    );
  });

  it('under a size limit: never oversized, overload only into free fields, nothing lost unreported', () => {
    fc.assert(
      fc.property(header, options, fc.integer({ min: 0, max: 1600 }), fc.boolean(), (h, opts, mms, bootp) => {
        const limit = bootp ? 300 : maxPayloadSize(mms);
        const { bytes, dropped, overload } = encodeMessage({ ...h, options: opts }, { maxMessageSize: mms, bootp });
        assert.ok(bytes.length <= limit && bytes.length >= 300, `size ${bytes.length}`);
        const r = decodeMessage(bytes);
        assert.ok(r.ok);
        const m = r.message;
        assertHeader(m, h);
        assert.equal(m.overload, overload);
        const snameFree = h.sname[0] === 0;
        const fileFree = h.file[0] === 0;
        if (!snameFree || bootp) assert.equal(overload & 2, 0);
        if (!fileFree || bootp) assert.equal(overload & 1, 0);
        if (!snameFree) assert.deepEqual(m.sname, h.sname);
        if (!fileFree) assert.deepEqual(m.file, h.file);
        const kept = opts.filter(([code]) => !dropped.includes(code));
        const keptCodes = opts.map(([code]) => code).filter((code) => dropped.includes(code));
        assert.deepEqual(dropped, keptCodes, 'dropped is listed in the order given');
        assert.equal(m.options.size, kept.length);
        for (const [code, data] of kept) assert.deepEqual(m.options.get(code), data, `option ${code}`);
      }),
      { numRuns: 300 },
    );
  });

  it('relay agent sub-options round-trip', () => {
    const sub = fc.oneof(
      fc.record({
        code: u8.filter((c) => ![5, 10, 11, 19].includes(c)),
        data: fc.uint8Array({ maxLength: 255 }),
      }),
      fc.record({ code: fc.constantFrom(5, 11), data: fc.uint8Array({ minLength: 4, maxLength: 4 }) }),
      fc.record({ code: fc.constant(19), data: fc.constantFrom(new Uint8Array(0), new Uint8Array([1, 2])) }),
    );
    fc.assert(
      fc.property(fc.array(sub, { maxLength: 8 }), (list) => {
        const r = decodeRelayAgentInfo(encodeRelayAgentInfo(list));
        assert.ok(r.ok);
        assert.deepEqual(
          r.subOptions,
          list.map(({ code, data }) => ({ code, data })),
        );
      }),
    );
  });

  it('frames round-trip, and any single-bit error past Ethernet is caught', () => {
    const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
    const params = fc.record({
      srcMac: mac,
      dstMac: mac,
      srcIp: u32,
      dstIp: u32,
      srcPort: u16,
      dstPort: u16,
      ttl: u8,
      tos: u8,
      id: u16,
      dontFragment: fc.boolean(),
    });
    fc.assert(
      fc.property(params, fc.uint8Array({ maxLength: 1500 }), fc.nat(), (p, payload, where) => {
        const frame = buildFrame(p, payload);
        const r = parseFrame(frame);
        assert.ok(r.ok);
        const d = r.datagram;
        assert.deepEqual(
          [d.srcIp, d.dstIp, d.srcPort, d.dstPort, d.ttl, d.tos, d.id, d.dontFragment],
          [p.srcIp, p.dstIp, p.srcPort, p.dstPort, p.ttl, p.tos, p.id, p.dontFragment],
        );
        assert.deepEqual(d.payload, payload);
        assert.equal(d.udpChecksum, 'ok');
        const bit = where % ((frame.length - 14) * 8);
        const at = 14 + (bit >> 3);
        frame[at] = frame[at]! ^ (1 << (bit & 7));
        const checksumNowZero = (at === 40 || at === 41) && frame[40] === 0 && frame[41] === 0;
        if (!checksumNowZero) assert.ok(!parseFrame(frame).ok, `bit flip at byte ${at} went unnoticed`);
      }),
      { numRuns: 300 },
    );
  });

  it('addresses and hex round-trip', () => {
    fc.assert(fc.property(u32, (ip) => parseIpv4(ipToString(ip)) === ip));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        assert.deepEqual(hexToBytes(bytesToHex(b, ':')), b);
      }),
    );
  });
});
