import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internetChecksum } from '../../../src/wire/checksum.js';
import { decodeMessage } from '../../../src/wire/decode.js';
import {
  buildFrame,
  buildIpv4Udp,
  type FrameParams,
  type ParsedDatagram,
  type ParseResult,
  parseFrame,
  parseIpv4Udp,
} from '../../../src/wire/frame.js';
import { bytesToHex } from '../../../src/wire/hex.js';
import { ipToString, macToString, parseIpv4, parseMac } from '../../../src/wire/ip.js';
import { hex, loadFixture, SEED_PAYLOAD_OFFSET } from './fixtures.js';

function ok(result: ParseResult): ParsedDatagram {
  if (!result.ok) assert.fail(`${result.error.cause}: ${result.error.detail}`);
  return result.datagram;
}

function cause(result: ParseResult): string {
  assert.ok(!result.ok, 'expected an error');
  return result.error.cause;
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Checksums exactly as Wireshark printed them in seed 004. */
const WIRESHARK: Record<string, { ip: number; udp: number; src: string; dst: string }> = {
  discover: { ip: 0x3996, udp: 0x746b, src: '0.0.0.0', dst: '255.255.255.255' },
  offer: { ip: 0xb705, udp: 0x2a4d, src: '192.168.0.252', dst: '192.168.0.67' },
  request: { ip: 0x3996, udp: 0xd980, src: '0.0.0.0', dst: '255.255.255.255' },
  ack: { ip: 0xb705, udp: 0x274d, src: '192.168.0.252', dst: '192.168.0.67' },
  'renew-request': { ip: 0xb715, udp: 0x2eef, src: '192.168.0.67', dst: '192.168.0.252' },
  'renew-ack': { ip: 0xb715, udp: 0x6661, src: '192.168.0.252', dst: '192.168.0.67' },
  'renew-retry': { ip: 0xb715, udp: 0x27f7, src: '192.168.0.67', dst: '192.168.0.252' },
  rebind: { ip: 0x78aa, udp: 0xe986, src: '192.168.0.67', dst: '255.255.255.255' },
};

function paramsOf(d: ParsedDatagram): FrameParams {
  return {
    srcMac: d.srcMac!,
    dstMac: d.dstMac!,
    srcIp: d.srcIp,
    dstIp: d.dstIp,
    srcPort: d.srcPort,
    dstPort: d.dstPort,
    ttl: d.ttl,
    tos: d.tos,
    id: d.id,
    dontFragment: d.dontFragment,
  };
}

/** Rewrites the IPv4 header checksum after a test edits the header. */
function fixIpChecksum(frame: Uint8Array, at = 14): void {
  const ihl = (frame[at]! & 15) * 4;
  frame[at + 10] = 0;
  frame[at + 11] = 0;
  const c = internetChecksum(frame, at, at + ihl);
  frame[at + 10] = c >>> 8;
  frame[at + 11] = c & 255;
}

describe('Internet checksum', () => {
  it('matches the RFC 1071 example', () => {
    assert.equal(internetChecksum(hex('00 01 f2 03 f4 f5 f6 f7')), 0x220d);
    // Odd length: the last byte is padded with zero; 0x2dcf9 folds to 0xdcfb.
    assert.equal(internetChecksum(hex('00 01 f2 03 f4 f5 f6')), 0x2304);
  });
});

describe('seed 004 frames', () => {
  for (const [name, want] of Object.entries(WIRESHARK)) {
    it(`${name}: parses, verifies, and rebuilds byte-exact with Wireshark's checksums`, () => {
      const frame = loadFixture(`seed004-${name}`);
      assert.equal(frame.length, 342);
      assert.equal(u16(frame, 24), want.ip, 'IP header checksum in the fixture');
      assert.equal(u16(frame, 40), want.udp, 'UDP checksum in the fixture');
      const d = ok(parseFrame(frame));
      assert.equal(d.udpChecksum, 'ok');
      assert.equal(ipToString(d.srcIp), want.src);
      assert.equal(ipToString(d.dstIp), want.dst);
      assert.deepEqual([d.srcPort, d.dstPort].sort(), [67, 68]);
      assert.equal(d.payload.length, 300);
      assert.equal(d.ipOptions.length, 0);
      assert.ok(decodeMessage(d.payload).ok);
      const rebuilt = buildFrame(paramsOf(d), d.payload);
      assert.equal(u16(rebuilt, 24), want.ip);
      assert.equal(u16(rebuilt, 40), want.udp);
      assert.equal(bytesToHex(rebuilt), bytesToHex(frame));
    });
  }

  it('uses ISC defaults: TOS 0x10, TTL 128, ID 0, no DF', () => {
    const frame = loadFixture('seed004-offer');
    const d = ok(parseFrame(frame));
    assert.equal(macToString(d.srcMac!), '00:05:5d:48:2b:84');
    assert.equal(macToString(d.dstMac!), '00:16:36:51:5d:5a');
    const rebuilt = buildFrame(
      {
        srcMac: parseMac('00:05:5d:48:2b:84')!,
        dstMac: parseMac('00:16:36:51:5d:5a')!,
        srcIp: parseIpv4('192.168.0.252')!,
        dstIp: parseIpv4('192.168.0.67')!,
        srcPort: 67,
        dstPort: 68,
      },
      frame.subarray(SEED_PAYLOAD_OFFSET),
    );
    assert.deepEqual(rebuilt, frame);
    const renew = ok(parseFrame(loadFixture('seed004-renew-request')));
    assert.equal(renew.dontFragment, true);
    assert.equal(renew.ttl, 64);
    assert.equal(renew.tos, 0);
  });
});

describe('frame building', () => {
  const params: FrameParams = {
    srcMac: parseMac('02:00:00:00:00:01')!,
    dstMac: parseMac('ff:ff:ff:ff:ff:ff')!,
    srcIp: parseIpv4('192.0.2.1')!,
    dstIp: parseIpv4('255.255.255.255')!,
    srcPort: 67,
    dstPort: 68,
  };

  it('writes into a caller buffer and builds bare IPv4 + UDP', () => {
    const payload = new Uint8Array(301).fill(7);
    const out = new Uint8Array(1514);
    const frame = buildFrame(params, payload, out);
    assert.equal(frame.buffer, out.buffer);
    assert.equal(frame.length, 14 + 20 + 8 + 301);
    const ipOnly = buildIpv4Udp(params, payload);
    assert.deepEqual(ipOnly, frame.subarray(14));
    const d = ok(parseIpv4Udp(ipOnly));
    assert.deepEqual(d.payload, payload);
    assert.equal(d.srcMac, undefined);
    assert.throws(() => buildFrame(params, payload, new Uint8Array(100)), RangeError);
    assert.throws(() => buildFrame({ ...params, srcMac: new Uint8Array(5) }, payload), RangeError);
  });

  it('can send without a UDP checksum, and never sends a computed 0', () => {
    const none = buildFrame({ ...params, udpChecksum: false }, new Uint8Array(10));
    assert.equal(u16(none, 40), 0);
    assert.equal(ok(parseFrame(none)).udpChecksum, 'none');
    const payload = new Uint8Array(10);
    let found = false;
    for (let w = 0; w < 0x10000 && !found; w++) {
      payload[8] = w >>> 8;
      payload[9] = w & 255;
      const f = buildFrame(params, payload);
      if (u16(f, 40) === 0xffff) {
        found = true;
        assert.equal(ok(parseFrame(f)).udpChecksum, 'ok');
      }
    }
    assert.ok(found, 'some payload sums to 0 and is sent as 0xffff');
  });
});

describe('frame parsing errors', () => {
  const good = (): Uint8Array => new Uint8Array(loadFixture('seed004-discover'));

  it('refuses short frames and other ethertypes', () => {
    assert.equal(cause(parseFrame(new Uint8Array(13))), 'too-short');
    assert.equal(cause(parseFrame(good().subarray(0, 30))), 'too-short');
    const arp = good();
    arp[12] = 0x08;
    arp[13] = 0x06;
    assert.equal(cause(parseFrame(arp)), 'not-ipv4');
  });

  it('checks the IPv4 header', () => {
    const v6 = good();
    v6[14] = 0x65;
    assert.equal(cause(parseFrame(v6)), 'bad-ip-version');
    const ihl = good();
    ihl[14] = 0x44;
    assert.equal(cause(parseFrame(ihl)), 'bad-ihl');
    const long = good();
    long[16] = 0x02;
    fixIpChecksum(long);
    assert.equal(cause(parseFrame(long)), 'bad-ip-length');
    assert.equal(cause(parseFrame(good().subarray(0, 341))), 'bad-ip-length');
    const sum = good();
    sum[22] = 127;
    assert.equal(cause(parseFrame(sum)), 'bad-ip-checksum');
  });

  it('refuses fragments and non-UDP', () => {
    const mf = good();
    mf[20] = 0x20;
    fixIpChecksum(mf);
    assert.equal(cause(parseFrame(mf)), 'fragment');
    const offset = good();
    offset[21] = 0x10;
    fixIpChecksum(offset);
    assert.equal(cause(parseFrame(offset)), 'fragment');
    const icmp = good();
    icmp[23] = 1;
    fixIpChecksum(icmp);
    assert.equal(cause(parseFrame(icmp)), 'not-udp');
  });

  it('checks the UDP length and checksum', () => {
    const len = good();
    len[38] = 0x02;
    assert.equal(cause(parseFrame(len)), 'bad-udp-length');
    const short = good();
    short[38] = 0;
    short[39] = 7;
    assert.equal(cause(parseFrame(short)), 'bad-udp-length');
    const flipped = good();
    flipped[100] = flipped[100]! ^ 1;
    assert.equal(cause(parseFrame(flipped)), 'bad-udp-checksum');
    assert.equal(ok(parseFrame(flipped, { verifyUdpChecksum: false })).udpChecksum, 'unverified');
  });

  it('ignores Ethernet padding, reads IPv4 options and one VLAN tag', () => {
    const padded = new Uint8Array(400);
    padded.set(good());
    assert.equal(ok(parseFrame(padded)).payload.length, 300);

    // IHL 6: a Router Alert option (RFC 2113) between the IP and UDP headers.
    const base = good();
    const withOpt = new Uint8Array(346);
    withOpt.set(base.subarray(0, 34));
    withOpt.set([0x94, 0x04, 0x00, 0x00], 34);
    withOpt.set(base.subarray(34), 38);
    withOpt[14] = 0x46;
    withOpt[17] = 332 & 255;
    fixIpChecksum(withOpt);
    const d = ok(parseFrame(withOpt));
    assert.deepEqual(d.ipOptions, hex('94 04 00 00'));
    assert.equal(d.udpChecksum, 'ok');
    assert.deepEqual(d.payload, base.subarray(42));

    const tagged = new Uint8Array(346);
    tagged.set(base.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x20, 0x2a], 12);
    tagged.set(base.subarray(12), 16);
    const t = ok(parseFrame(tagged));
    assert.equal(t.vlan, 42);
    assert.deepEqual(t.payload, base.subarray(42));
  });
});
