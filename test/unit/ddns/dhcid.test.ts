import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dhcidIdentifier, interimTxt, standardDhcid } from '../../../src/ddns/dhcid.js';
import { reverseName } from '../../../src/ddns/names.js';
import { txtRdata } from '../../../src/ddns/update-message.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/[: ]/g, ''), 'hex'));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

// RFC 4701 §3.6 (also ISC's common/tests/dns_unittest.c std_result_1..3).
const DUID = hex('00:01:00:06:41:2d:f1:66:01:02:03:04:05:06');
const CLIENT_ID = hex('01:07:08:09:0a:0b:0c');
const HTYPE_CHADDR = hex('01:01:02:03:04:05:06');

describe('standardDhcid: RFC 4701 section 3.6 examples', () => {
  it('DUID (type 2) with chi6.example.com', () => {
    assert.equal(b64(standardDhcid(2, DUID, 'chi6.example.com')), 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=');
  });

  it('client identifier (type 1) with chi.example.com', () => {
    assert.equal(
      b64(standardDhcid(1, CLIENT_ID, 'chi.example.com')),
      'AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=',
    );
  });

  it('htype + chaddr (type 0) with client.example.com (the RFC uses that name, not chi)', () => {
    const rdata = standardDhcid(0, HTYPE_CHADDR, 'client.example.com');
    assert.equal(b64(rdata), 'AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY=');
    assert.equal(rdata.length, 35);
  });

  it('takes the name with or without the trailing dot', () => {
    assert.deepEqual(standardDhcid(1, CLIENT_ID, 'chi.example.com.'), standardDhcid(1, CLIENT_ID, 'chi.example.com'));
  });

  it('keeps the case of the name, as ISC does (the digest changes)', () => {
    assert.notDeepEqual(standardDhcid(1, CLIENT_ID, 'Chi.example.com'), standardDhcid(1, CLIENT_ID, 'chi.example.com'));
  });

  it('refuses an identifier type outside 0..65535 and a bad name', () => {
    assert.throws(() => standardDhcid(65536, CLIENT_ID, 'a.example.com'), /identifier type/);
    assert.throws(() => standardDhcid(1, CLIENT_ID, `${'x'.repeat(64)}.example.com`), /more than 63/);
  });
});

describe('interimTxt: ISC interim style', () => {
  // Values from ISC 4.4.3 common/tests/dns_unittest.c (int_result_1..3), length byte removed.
  it('matches the values ISC tests for', () => {
    assert.equal(ascii(interimTxt(2, DUID)), '02abf8cd3753dc1847be40858becd77865');
    assert.equal(ascii(interimTxt(61, CLIENT_ID)), '31934ffa9344a3ab86c380505a671e5113');
    assert.equal(ascii(interimTxt(0, HTYPE_CHADDR)), '0046b6cacea62dc1d4567b068175d1f808');
  });

  it('keeps the type % 15 quirk: 61 = 0x3d is written "31", 15 = 0x0f "00", 30 = 0x1e "10"', () => {
    // Hand computation: high digit (61 >> 4) & 15 = 3; low digit 61 % 15 = 1 (not 61 & 15 = 13, "d").
    assert.equal(ascii(interimTxt(61, CLIENT_ID)).slice(0, 2), '31');
    assert.equal(ascii(interimTxt(15, CLIENT_ID)).slice(0, 2), '00');
    assert.equal(ascii(interimTxt(30, CLIENT_ID)).slice(0, 2), '10');
    // Below 15 the quirk does not show.
    assert.equal(ascii(interimTxt(14, CLIENT_ID)).slice(0, 2), '0e');
  });

  it('the same digest whatever the type: MD5 of the identifier only', () => {
    assert.equal(ascii(interimTxt(0, CLIENT_ID)).slice(2), ascii(interimTxt(61, CLIENT_ID)).slice(2));
    assert.equal(interimTxt(0, CLIENT_ID).length, 34);
  });

  it('with the DNS length byte is the TXT RDATA ISC sends (dhcid_fromlease)', () => {
    const rdata = txtRdata(interimTxt(61, CLIENT_ID));
    assert.equal(ascii(rdata), '"31934ffa9344a3ab86c380505a671e5113'); // 0x22 = 34 = '"'
  });
});

describe('dhcidIdentifier: which identifier ISC uses (server/ddns.c)', () => {
  const hardware = { type: 1, address: hex('01:02:03:04:05:06') };
  const rfc4361 = hex(`ff 00000001 ${Buffer.from(DUID).toString('hex')}`);

  it('standard: a plain client id is type 1, all of it', () => {
    assert.deepEqual(dhcidIdentifier('standard', CLIENT_ID, hardware), { type: 1, bytes: CLIENT_ID });
  });

  it('standard: an RFC 4361 client id (first octet 255) is type 2, the DUID after type and IAID', () => {
    const id = dhcidIdentifier('standard', rfc4361, hardware);
    assert.deepEqual(id, { type: 2, bytes: DUID });
    // So a v4 client with that DUID gets the RFC's DUID example value.
    assert.equal(
      b64(standardDhcid(id!.type, id!.bytes, 'chi6.example.com')),
      b64(standardDhcid(2, DUID, 'chi6.example.com')),
    );
  });

  it('standard: an RFC 4361 client id shorter than 5 octets gives nothing (ISC skips DDNS)', () => {
    assert.equal(dhcidIdentifier('standard', hex('ff 00 00 01'), hardware), undefined);
  });

  it('no (or an empty) client id: type 0, htype then chaddr', () => {
    assert.deepEqual(dhcidIdentifier('standard', undefined, hardware), { type: 0, bytes: HTYPE_CHADDR });
    assert.deepEqual(dhcidIdentifier('standard', new Uint8Array(0), hardware), { type: 0, bytes: HTYPE_CHADDR });
    assert.deepEqual(dhcidIdentifier('interim', undefined, hardware), { type: 0, bytes: HTYPE_CHADDR });
    const id = dhcidIdentifier('standard', undefined, hardware)!;
    assert.equal(
      b64(standardDhcid(id.type, id.bytes, 'client.example.com')),
      'AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY=',
    );
  });

  it('interim: any client id, RFC 4361 too, is type 61 (DHO_DHCP_CLIENT_IDENTIFIER), whole', () => {
    assert.deepEqual(dhcidIdentifier('interim', CLIENT_ID, hardware), { type: 61, bytes: CLIENT_ID });
    assert.deepEqual(dhcidIdentifier('interim', rfc4361, hardware), { type: 61, bytes: rfc4361 });
  });

  it('nothing to go on: undefined', () => {
    assert.equal(dhcidIdentifier('standard', undefined, undefined), undefined);
  });
});

describe('reverseName', () => {
  it('is d.c.b.a. followed by the configured domain', () => {
    assert.equal(reverseName(0xc0000205, 'in-addr.arpa.'), '5.2.0.192.in-addr.arpa.');
    assert.equal(reverseName(0x0a000001, 'rev.example.'), '1.0.0.10.rev.example.');
  });

  it('takes a signed 32-bit value as the same address', () => {
    assert.equal(reverseName((192 << 24) | (2 << 8) | 5, 'in-addr.arpa.'), '5.2.0.192.in-addr.arpa.');
  });
});
