import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { standardDhcid } from '../../../src/ddns/dhcid.js';
import { findTsig, type TsigRecord, tsigAlgorithm, verifyTsig } from '../../../src/ddns/tsig.js';
import {
  aRdata,
  decodeResponse,
  encodeUpdate,
  ptrRdata,
  type TsigKey,
  txtRdata,
  type UpdateMessage,
  type UpdateResponse,
} from '../../../src/ddns/update-message.js';

const SHA_KEY: TsigKey = {
  name: 'testkey',
  algorithm: 'hmac-sha256',
  secret: Buffer.from('c2VjcmV0LWtleS1mb3ItbGVhc2Vob2xkLXRlc3RzLTEyMzQ=', 'base64'),
};
const MD5_KEY: TsigKey = {
  name: 'md5key',
  algorithm: 'hmac-md5',
  secret: Buffer.from('bWQ1LXNlY3JldC1sZWFzZWhvbGQ=', 'base64'),
};

/*
 * Captured with BIND 9.18.49 (Debian 12) in a network namespace of our own: nsupdate -y <alg>:<key>:<secret>
 * sending to a UDP proxy on 127.0.0.1:5300 that forwarded to named (zone example.org, allow-update by key).
 *   sha256Add / md5Add: update add h|m.example.org. 300 A 192.0.2.5|6
 *   badsig: as sha256Add with a wrong secret (named answers NOTAUTH, TSIG error BADSIG, empty MAC)
 *   sha256Guarded: prereq nxdomain n.example.org.; update add n A 192.0.2.10; update add n DHCID <RFC 4701 ex.>
 *   md5Delete: prereq yxrrset n DHCID <same>; update delete n A 192.0.2.10; update delete n DHCID
 */
const NSUPDATE = {
  sha256Add: {
    request:
      'c44828000001000000010001076578616d706c65036f726700000600010168c00c000100010000012c0004c000020507746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b176212012c0020812a7c83f6b35d7ffb419b398bcae5df0455b5c19cc9d1b7e083f808a1b2101ac44800000000',
    response:
      'c448a8000001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b176212012c0020b1fb4290b1d6caff616e95059c57ea9b3534a84b3e2464fc119fcd3fb8b427e3c44800000000',
  },
  md5Add: {
    request:
      'd33328000001000000010001076578616d706c65036f72670000060001016dc00c000100010000012c0004c0000206066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b176212012c0010a1f2448b7d0a048b7c04539958a30243d33300000000',
    response:
      'd333a8000001000000000001076578616d706c65036f72670000060001066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b176212012c00109829b576805102a327ae797dd16f9fddd33300000000',
  },
  badsig: {
    request:
      'db7f28000001000000010001076578616d706c65036f726700000600010178c00c000100010000012c0004c000020707746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b176212012c0020a42a777b1d2ede3eb0e6c9746eb2fa9dbac47c1b337824e5790d61980e7795fbdb7f00000000',
    response:
      'db7fa8090001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000001d0b686d61632d7368613235360000006b176212012c0000db7f00100000',
  },
  sha256Guarded: {
    request:
      '9fbb28000001000100020001076578616d706c65036f72670000060001016ec00c00ff00fe000000000000c01d000100010000012c0004c000020ac01d003100010000012c0023000001c4b9a5b249651343158dde7bcc77169841f7a4243a572b5c283fffedeb3f75e607746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762f2012c002014b22a05b70ac10e29583718a13763b1464b895977e49a15791bbe34617faaf39fbb00000000',
    response:
      '9fbba8000001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762f2012c00206ab5bfa1b6b00b22f92e2d685b551e22bc6c21d4a0aadefb8d2d194216664b9b9fbb00000000',
  },
  md5Delete: {
    request:
      '504028000001000100020001076578616d706c65036f72670000060001016ec00c00310001000000000023000001c4b9a5b249651343158dde7bcc77169841f7a4243a572b5c283fffedeb3f75e6c01d000100fe000000000004c000020ac01d003100ff000000000000066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b1762f2012c0010073e71a9e92f68d228fc594abb5f1aaf504000000000',
    response:
      '5040a8000001000000000001076578616d706c65036f72670000060001066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b1762f2012c0010d4294624f28d890849f6b0bb0c462ec4504000000000',
  },
};

/** encodeUpdate's own output (re-created below) as sent to that named, and its answers. */
const NAMED = {
  add: {
    request:
      '100128000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000ff00fe00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020306636c69656e74076578616d706c65036f726700003100010000012c0023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b07746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c00203b031a652e4e7f407f22b8b650eec43af9e1ab844de43c861c5ddfeb25a9d918100100000000',
    response:
      '1001a8000001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c0020145c064c82dff8255575ccad002577746e8f81c22a5179b4373f5cca6c8eed13100100000000',
  },
  addAgain: {
    request:
      '100228000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000ff00fe00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020306636c69656e74076578616d706c65036f726700003100010000012c0023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b07746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c00203a1ed685d0c30e2dfe378263b83ed5ecacb939349e572b6c28e2941a10f71077100200000000',
    response:
      '1002a8060001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c00201b43ec6bd6ab21112996884d822ef1fe9dbb595be615f448d274fc0c7f59b330100200000000',
  },
  replace: {
    request:
      '100328000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000310001000000000023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b06636c69656e74076578616d706c65036f726700000100ff00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020407746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c002033c42f134bb55793ab18f70614b576028cbd93a256536233853631b3240944bb100300000000',
    response:
      '1003a8000001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c0020a533ee3106f918fbddea26c77e998bc151aa4b53eec4f361c317fbf90bcba4b0100300000000',
  },
  delete: {
    request:
      '100428000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000310001000000000023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b06636c69656e74076578616d706c65036f726700000100fe000000000004c000020406636c69656e74076578616d706c65036f726700003100fe000000000023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b07746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c002011948335497632ea6db38b1f7d0637b851c2270f086a8ce9b37f9735f6962d53100400000000',
    response:
      '1004a8000001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c00208ab1a6610c1e0c9258d700e7335e24c8fe6a09d08bcfbe56aa8016073064b727100400000000',
  },
  txtMd5: {
    request:
      '100528000001000000020001076578616d706c65036f72670000060001064c6567616379074578616d706c65034f726700001000010000012c00232233313436623663616365613632646331643435363762303638313735643166383038064c6567616379074578616d706c65034f726700000100010000012c0004c0000209066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b1762e9012c0010d8abb38fb9a21182deb0d8051de46c0b100500000000',
    response:
      '1005a8000001000000000001076578616d706c65036f72670000060001066d64356b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372656703696e740000006b1762e9012c00106533eaffbf31689b474a277f40fc6656100500000000',
  },
  ptr: {
    request:
      '100628000001000000020001013201300331393207696e2d61646472046172706100000600010133013201300331393207696e2d61646472046172706100000c00ff0000000000000133013201300331393207696e2d61646472046172706100000c00010000012c001406636c69656e74076578616d706c65036f72670007746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c002075989d2f59483427a1be0ded67b950e44983a4259a29c122a08e1093c3f5cf41100600000000',
    response:
      '1006a8000001000000000001013201300331393207696e2d616464720461727061000006000107746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c00201dedec3957efdd47ba95cf390ad7427e608e0fec80fdb11e538cd61cf6f8a11c100600000000',
  },
  badtime: {
    request:
      '100728000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000ff00fe00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020306636c69656e74076578616d706c65036f726700003100010000012c0023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b07746573746b65790000fa00ff00000000003d0b686d61632d7368613235360000006b175f01012c002074762176a9a074f09ca1985e557f662c54f4bbdacf653a94d01c26630a42e71f100700000000',
    response:
      '1007a8090001000000000001076578616d706c65036f7267000006000107746573746b65790000fa00ff0000000000430b686d61632d7368613235360000006b175f01012c00202551530a048bd7d298cb03d3e17d91cf882eb2b51b95d41013de63452eabb63910070012000600006b1762e9',
  },
  badkey: {
    request:
      '100828000001000100020001076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000ff00fe00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020306636c69656e74076578616d706c65036f726700003100010000012c0023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b056e6f6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b1762e9012c002035bd7ca286c14b0bc34785b96cd8238016f15ce6f5183aa16971ed021575ea5d100800000000',
    response:
      '1008a8090001000000000001076578616d706c65036f72670000060001056e6f6b65790000fa00ff00000000001d0b686d61632d7368613235360000006b1762e9012c0000100800110000',
  },
  unsigned: {
    request:
      '100928000001000100020000076578616d706c65036f7267000006000106636c69656e74076578616d706c65036f72670000ff00fe00000000000006636c69656e74076578616d706c65036f726700000100010000012c0004c000020306636c69656e74076578616d706c65036f726700003100010000012c0023000001694634ee13ad20a83850adfe901e04fabcce50e1cd26d8b1ab9591850c15615b',
    response: '1009a8050001000000000000076578616d706c65036f72670000060001',
  },
};

type Capture = { request: string; response: string };
/** What dns-packet's decoder returns, more loosely typed than @types/dns-packet says (class 254, opcode). */
interface Rec {
  name: string;
  type: string;
  class?: string;
  ttl?: number;
  data?: unknown;
}
interface Packet {
  id?: number;
  type?: string;
  opcode?: string;
  questions?: Rec[];
  answers?: Rec[];
  authorities?: Rec[];
  additionals?: Rec[];
}
const decodePacket = (b: Uint8Array): Packet => dnsPacket.decode(Buffer.from(b)) as unknown as Packet;
const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

function tsigOf(buf: Buffer): { start: number; tsig: TsigRecord } {
  const found = findTsig(buf);
  assert.ok(!('error' in found), `findTsig: ${'error' in found ? found.error : ''}`);
  assert.ok(found.tsig, 'no TSIG record');
  return { start: found.start, tsig: found.tsig };
}

function ok(r: UpdateResponse | { error: string }): UpdateResponse {
  if ('error' in r) assert.fail(`expected a response, got error: ${r.error}`);
  return r;
}

// The messages of NAMED, as a DHCP server sends them (ISC's add, re-add, replace and remove steps).
const ID_CHADDR = Buffer.from('01010203040506', 'hex');
const DHCID = standardDhcid(0, ID_CHADDR, 'client.example.org');
const CLIENT = 'client.example.org';
const ADD: UpdateMessage = {
  zone: 'example.org',
  prerequisites: [{ name: CLIENT, type: 'ANY', class: 'NONE', ttl: 0 }],
  updates: [
    { name: CLIENT, type: 'A', class: 'IN', ttl: 300, rdata: aRdata(0xc0000203) },
    { name: CLIENT, type: 'DHCID', class: 'IN', ttl: 300, rdata: DHCID },
  ],
};
const REPLACE: UpdateMessage = {
  zone: 'example.org',
  prerequisites: [{ name: CLIENT, type: 'DHCID', class: 'IN', ttl: 0, rdata: DHCID }],
  updates: [
    { name: CLIENT, type: 'A', class: 'ANY', ttl: 0 },
    { name: CLIENT, type: 'A', class: 'IN', ttl: 300, rdata: aRdata(0xc0000204) },
  ],
};
const DELETE: UpdateMessage = {
  zone: 'example.org.',
  prerequisites: [{ name: CLIENT, type: 'DHCID', class: 'IN', ttl: 0, rdata: DHCID }],
  updates: [
    { name: CLIENT, type: 'A', class: 'NONE', ttl: 0, rdata: aRdata(0xc0000204) },
    { name: CLIENT, type: 'DHCID', class: 'NONE', ttl: 0, rdata: DHCID },
  ],
};
const INTERIM_TXT = Buffer.from('3146b6cacea62dc1d4567b068175d1f808', 'ascii'); // interimTxt(61, ID_CHADDR)
const TXT_MD5: UpdateMessage = {
  zone: 'example.org',
  prerequisites: [],
  updates: [
    { name: 'Legacy.Example.Org', type: 'TXT', class: 'IN', ttl: 300, rdata: txtRdata(INTERIM_TXT) },
    { name: 'Legacy.Example.Org', type: 'A', class: 'IN', ttl: 300, rdata: aRdata(0xc0000209) },
  ],
};
const PTR: UpdateMessage = {
  zone: '2.0.192.in-addr.arpa.',
  prerequisites: [],
  updates: [
    { name: '3.2.0.192.in-addr.arpa.', type: 'PTR', class: 'ANY', ttl: 0 },
    { name: '3.2.0.192.in-addr.arpa.', type: 'PTR', class: 'IN', ttl: 300, rdata: ptrRdata('client.example.org.') },
  ],
};
const T = 0x6b1762e9;
const NO_KEY: TsigKey = { name: 'nokey', algorithm: 'hmac-sha256', secret: Buffer.from('x') };
const SENT: [keyof typeof NAMED, UpdateMessage, number, number, TsigKey | undefined, string, string | undefined][] = [
  ['add', ADD, 0x1001, T, SHA_KEY, 'NOERROR', ''],
  ['addAgain', ADD, 0x1002, T, SHA_KEY, 'YXDOMAIN', ''],
  ['replace', REPLACE, 0x1003, T, SHA_KEY, 'NOERROR', ''],
  ['delete', DELETE, 0x1004, T, SHA_KEY, 'NOERROR', ''],
  ['txtMd5', TXT_MD5, 0x1005, T, { ...MD5_KEY, algorithm: 'HMAC-MD5.SIG-ALG.REG.INT' }, 'NOERROR', ''],
  ['ptr', PTR, 0x1006, T, SHA_KEY, 'NOERROR', ''],
  ['badtime', ADD, 0x1007, T - 1000, SHA_KEY, 'NOTAUTH', 'BADTIME'],
  ['badkey', ADD, 0x1008, T, NO_KEY, 'NOTAUTH', 'BADKEY'],
  ['unsigned', ADD, 0x1009, T, undefined, 'REFUSED', undefined],
];

describe('encodeUpdate: framing, through dns-packet', () => {
  const { bytes: wire } = encodeUpdate(ADD, 0x1234, T);
  const decoded = decodePacket(wire);

  it('header: id, QR 0, opcode UPDATE (5), section counts', () => {
    const buf = Buffer.from(wire);
    assert.equal(buf.readUInt16BE(0), 0x1234);
    assert.equal(buf.readUInt16BE(2), 5 << 11);
    assert.deepEqual(
      [4, 6, 8, 10].map((o) => buf.readUInt16BE(o)),
      [1, 1, 2, 0],
    );
    assert.equal(decoded.opcode, 'UPDATE');
    assert.equal(decoded.type, 'query');
  });

  it('zone = one SOA/IN question, prerequisites = answers, updates = authorities', () => {
    assert.deepEqual(decoded.questions, [{ name: 'example.org', type: 'SOA', class: 'IN' }]);
    const [pre] = decoded.answers ?? [];
    assert.equal(pre?.name, CLIENT);
    assert.equal(pre?.type, 'ANY');
    assert.equal(String(pre?.class), 'UNKNOWN_254'); // class NONE, unknown to dns-packet
    assert.equal(pre?.ttl, 0);
    assert.deepEqual(pre?.data, Buffer.alloc(0));
    const [a, dhcid] = decoded.authorities ?? [];
    assert.deepEqual([a?.type, a?.class, a?.ttl, a?.data], ['A', 'IN', 300, '192.0.2.3']);
    assert.deepEqual([dhcid?.type, dhcid?.ttl, dhcid?.data], ['DHCID', 300, Buffer.from(DHCID)]);
  });

  it('a signed message ends with a TSIG record (class ANY, TTL 0) and returns its MAC', () => {
    const signed = encodeUpdate(ADD, 0x1234, T, SHA_KEY);
    const d = decodePacket(signed.bytes);
    const tsig = d.additionals?.[0];
    assert.deepEqual(
      [d.additionals?.length, tsig?.name, tsig?.type, tsig?.class, tsig?.ttl],
      [1, 'testkey', 'TSIG', 'ANY', 0],
    );
    assert.equal(signed.mac?.length, 32);
    assert.equal(encodeUpdate(ADD, 0x1234, T).mac, undefined);
  });

  it('empty RDATA for a typed record: RDLENGTH 0 (dns-packet cannot decode this, it reads 4 octets for A)', () => {
    const msg: UpdateMessage = {
      zone: 'e.org',
      prerequisites: [],
      updates: [{ name: 'H.e.org', type: 'A', class: 'ANY', ttl: 0 }],
    };
    const hex = Buffer.from(encodeUpdate(msg, 1, T).bytes).toString('hex');
    assert.equal(
      hex,
      `000128000001000000010000${'0165036f726700'}00060001${'0148016503' + '6f726700'}000100ff000000000000`,
    );
  });

  it('names with or without the trailing dot give the same bytes; case is kept', () => {
    const one = encodeUpdate({ ...TXT_MD5, zone: 'example.org.' }, 7, T).bytes;
    assert.deepEqual(one, encodeUpdate(TXT_MD5, 7, T).bytes);
    assert.ok(Buffer.from(one).includes(Buffer.from('\x06Legacy\x07Example\x03Org\x00', 'latin1')));
  });

  it('refuses bad input with a clear error', () => {
    const rec = (name: string): UpdateMessage => ({
      zone: 'e.org',
      prerequisites: [],
      updates: [{ name, type: 'A', class: 'ANY', ttl: 0 }],
    });
    assert.throws(() => encodeUpdate(rec(`${'a'.repeat(64)}.e.org`), 1, T), /is 64 octets, more than 63/);
    assert.doesNotThrow(() => encodeUpdate(rec(`${'a'.repeat(63)}.e.org`), 1, T));
    assert.throws(() => encodeUpdate(rec(`${`${'a'.repeat(50)}.`.repeat(5)}e.org`), 1, T), /more than 255/);
    assert.throws(() => encodeUpdate(rec('a..e.org'), 1, T), /empty label/);
    assert.throws(() => encodeUpdate(ADD, 65536, T), /16-bit/);
    assert.throws(
      () => encodeUpdate({ ...ADD, updates: [{ name: 'a', type: 'A', class: 'IN', ttl: -1 }] }, 1, T),
      /TTL/,
    );
    assert.throws(
      () => encodeUpdate(ADD, 1, T, { ...SHA_KEY, algorithm: 'hmac-sha3' }),
      /unknown TSIG algorithm "hmac-sha3"; supported: hmac-md5, hmac-sha1/,
    );
    assert.throws(() => txtRdata(new Uint8Array(256)), /more than 255/);
  });

  it('digests the key name in canonical (lower-case) form: "TestKey." signs as "testkey" (named agreed)', () => {
    const upper = encodeUpdate(ADD, 9, T, { ...SHA_KEY, name: 'TestKey.', algorithm: 'HMAC-SHA256' });
    assert.deepEqual(upper.mac, encodeUpdate(ADD, 9, T, SHA_KEY).mac);
    assert.ok(Buffer.from(upper.bytes).includes(Buffer.from('\x07TestKey\x00', 'latin1')), 'sent as written');
  });

  it('knows the algorithm names as BIND writes them on the wire', () => {
    assert.equal(tsigAlgorithm('hmac-md5').wireName, 'hmac-md5.sig-alg.reg.int');
    assert.equal(tsigAlgorithm('HMAC-MD5.SIG-ALG.REG.INT.').wireName, 'hmac-md5.sig-alg.reg.int');
    assert.equal(tsigAlgorithm('HMAC-SHA512.SIG-ALG.REG.INT').wireName, 'hmac-sha512'); // ISC config style
    assert.equal(tsigAlgorithm('hmac-sha224.').wireName, 'hmac-sha224');
  });
});

describe('TSIG against nsupdate (BIND 9.18)', () => {
  const signed: [string, Capture, TsigKey][] = [
    ['sha256Add', NSUPDATE.sha256Add, SHA_KEY],
    ['md5Add', NSUPDATE.md5Add, MD5_KEY],
    ['sha256Guarded', NSUPDATE.sha256Guarded, SHA_KEY],
    ['md5Delete', NSUPDATE.md5Delete, MD5_KEY],
  ];

  for (const [label, cap, key] of signed) {
    it(`${label}: our MAC over nsupdate's message equals nsupdate's, and named's answer verifies`, () => {
      const req = bytes(cap.request);
      const found = tsigOf(req);
      assert.equal(verifyTsig(req, found, key), true);
      assert.equal(verifyTsig(req, found, { ...key, secret: Buffer.from('wrong') }), false);
      const resp = ok(decodeResponse(bytes(cap.response), { key, mac: found.tsig.mac }));
      assert.deepEqual(resp, {
        id: found.tsig.originalId,
        rcode: 0,
        rcodeName: 'NOERROR',
        tsig: { error: 0, errorName: '', verified: true },
      });
    });
  }

  it("re-encoding nsupdate's content gives the same records and TSIG fields (nsupdate compresses names, we do not)", () => {
    const req = bytes(NSUPDATE.sha256Guarded.request);
    const theirs = decodePacket(req);
    const { tsig } = tsigOf(req);
    const dhcid = Buffer.from('AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY=', 'base64');
    const msg: UpdateMessage = {
      zone: 'example.org.',
      prerequisites: [{ name: 'n.example.org.', type: 'ANY', class: 'NONE', ttl: 0 }],
      updates: [
        { name: 'n.example.org.', type: 'A', class: 'IN', ttl: 300, rdata: aRdata(0xc000020a) },
        { name: 'n.example.org.', type: 'DHCID', class: 'IN', ttl: 300, rdata: dhcid },
      ],
    };
    const ours = Buffer.from(encodeUpdate(msg, theirs.id ?? 0, tsig.timeSigned, SHA_KEY).bytes);
    const mine = decodePacket(ours);
    assert.deepEqual(mine.questions, theirs.questions);
    assert.deepEqual(mine.answers, theirs.answers);
    assert.deepEqual(mine.authorities, theirs.authorities);
    assert.ok(ours.length > req.length, 'nsupdate compresses owner names');
    const our = tsigOf(ours).tsig;
    assert.deepEqual({ ...our, mac: [] }, { ...tsig, mac: [] });
  });

  it('a request signed with another secret does not verify; named answers NOTAUTH/BADSIG unsigned', () => {
    const req = bytes(NSUPDATE.badsig.request);
    const found = tsigOf(req);
    assert.equal(verifyTsig(req, found, SHA_KEY), false);
    const resp = ok(decodeResponse(bytes(NSUPDATE.badsig.response), { key: SHA_KEY, mac: found.tsig.mac }));
    assert.deepEqual(resp, {
      id: found.tsig.originalId,
      rcode: 9,
      rcodeName: 'NOTAUTH',
      tsig: { error: 16, errorName: 'BADSIG', verified: false },
    });
  });
});

describe('encodeUpdate against named (BIND 9.18)', () => {
  for (const [label, msg, id, time, key, rcodeName, tsigError] of SENT) {
    it(`${label}: the same bytes as named was sent, and named answered ${rcodeName} ${tsigError ?? 'unsigned'}`, () => {
      const cap: Capture = NAMED[label];
      const { bytes: wire, mac } = encodeUpdate(msg, id, time, key);
      assert.equal(Buffer.from(wire).toString('hex'), cap.request);
      const resp = ok(decodeResponse(bytes(cap.response), { key, mac }));
      assert.equal(resp.id, id);
      assert.equal(resp.rcodeName, rcodeName);
      if (tsigError === undefined) return assert.equal(resp.tsig, undefined);
      // BIND signs BADTIME answers (with our time, its own in Other Data), not BADKEY ones.
      const error = ({ '': 0, BADTIME: 18, BADKEY: 17 } as Record<string, number>)[tsigError];
      assert.deepEqual(resp.tsig, { error, errorName: tsigError, verified: tsigError !== 'BADKEY' });
    });
  }
});

describe('decodeResponse: bad input', () => {
  const request = { key: SHA_KEY, mac: encodeUpdate(ADD, 0x1001, T, SHA_KEY).mac };
  const good = bytes(NAMED.add.response);

  it('every truncation of a response is an error, not a throw', () => {
    for (let n = 0; n < good.length; n++) {
      const r = decodeResponse(good.subarray(0, n), request);
      assert.ok('error' in r, `length ${n} decoded`);
    }
    assert.match((decodeResponse(good.subarray(0, 5)) as { error: string }).error, /truncated/);
  });

  it('a query (QR clear), another opcode or the TC bit is an error', () => {
    assert.match(
      (decodeResponse(encodeUpdate(ADD, 0x1001, T, SHA_KEY).bytes) as { error: string }).error,
      /not a DNS response/,
    );
    const query = Buffer.from(good);
    query[2] = 0x80; // QR, opcode QUERY
    assert.match((decodeResponse(query) as { error: string }).error, /opcode 0/);
    const tc = Buffer.from(good);
    tc[2] = (tc[2] ?? 0) | 0x02;
    assert.match((decodeResponse(tc) as { error: string }).error, /TC/);
  });

  it('a changed octet, another request MAC, a missing key or MAC: decoded but not verified', () => {
    assert.equal(ok(decodeResponse(good, request)).tsig?.verified, true);
    const tampered = Buffer.from(good);
    tampered[3] = 0x05; // rcode REFUSED
    assert.deepEqual(ok(decodeResponse(tampered, request)).tsig, { error: 0, errorName: '', verified: false });
    const other = { key: SHA_KEY, mac: encodeUpdate(ADD, 0x1001, T + 1, SHA_KEY).mac };
    assert.equal(ok(decodeResponse(good, other)).tsig?.verified, false);
    assert.equal(ok(decodeResponse(good, { mac: request.mac })).tsig?.verified, false);
    assert.equal(ok(decodeResponse(good)).tsig?.verified, false);
    assert.equal(ok(decodeResponse(good, { key: MD5_KEY, mac: request.mac })).tsig?.verified, false);
  });

  it('decodes compressed names in an answer, and names rcodes it does not know', () => {
    // id 7, QR+UPDATE, rcode 11; zone example.org SOA IN; one record owned by a pointer to the zone name.
    const hex = `0007a80b000100010000000007${'6578616d706c65'}036f72670000060001c00c000100010000012c0004c0000205`;
    assert.deepEqual(ok(decodeResponse(bytes(hex))), { id: 7, rcode: 11, rcodeName: 'RCODE11' });
    const loop = bytes(hex);
    loop[30] = 29; // the pointer (at 29) now points to itself
    assert.match((decodeResponse(loop) as { error: string }).error, /malformed/);
  });
});
