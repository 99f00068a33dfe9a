import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecodeResult, decodeMessage } from '../../../src/wire/decode.js';
import { ipListFromBytes, ipToString } from '../../../src/wire/ip.js';
import { type DhcpMessage, fieldText, fileIsName, hardwareAddress, snameIsName } from '../../../src/wire/message.js';
import { loadFixture } from './fixtures.js';
import { ascii, rawMessage } from './raw.js';

function ok(result: DecodeResult): DhcpMessage {
  if (!result.ok) assert.fail(`expected ok, got ${result.error.cause}: ${result.error.detail}`);
  return result.message;
}

function cause(result: DecodeResult): string {
  assert.ok(!result.ok, 'expected an error');
  return result.error.cause;
}

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('latin1');

describe('decodeMessage: header and leniency', () => {
  it('refuses fewer than 236 bytes', () => {
    assert.equal(cause(decodeMessage(new Uint8Array(0))), 'too-short');
    assert.equal(cause(decodeMessage(rawMessage({ cookie: false }).subarray(0, 235))), 'too-short');
  });

  it('accepts a bare 236-byte BOOTP header: no vendor area, no options', () => {
    const m = ok(decodeMessage(rawMessage({ cookie: false })));
    assert.equal(m.cookie, 'absent');
    assert.equal(m.options.size, 0);
    assert.equal(m.vendor?.length, 0);
    assert.equal(m.xid, 0x12345678);
    assert.equal(m.size, 236);
  });

  it('treats a vendor area without the magic cookie as BOOTP (as ISC does)', () => {
    const m = ok(decodeMessage(loadFixture('bootp-no-cookie')));
    assert.equal(m.cookie, 'other');
    assert.equal(m.options.size, 0);
    assert.equal(m.vendor?.length, 64);
    assert.equal(fieldText(m.file), 'boot/kernel');
    assert.equal(cause(decodeMessage(loadFixture('bootp-no-cookie'), { requireCookie: true })), 'bad-cookie');
    assert.equal(ok(decodeMessage(rawMessage({ options: [255] }), { requireCookie: true })).cookie, 'dhcp');
    // A partial vendor area is kept raw, not guessed at.
    assert.equal(ok(decodeMessage(rawMessage({ cookie: false, options: [99, 130] }))).cookie, 'other');
  });

  it('refuses a bad op or an hlen beyond chaddr', () => {
    assert.equal(cause(decodeMessage(rawMessage({ op: 3, options: [255] }))), 'bad-op');
    assert.equal(cause(decodeMessage(rawMessage({ op: 0, options: [255] }))), 'bad-op');
    assert.equal(cause(decodeMessage(rawMessage({ hlen: 17, options: [255] }))), 'bad-hlen');
    const m = ok(decodeMessage(rawMessage({ hlen: 16, options: [255] })));
    assert.equal(hardwareAddress(m).length, 16);
    assert.equal(hardwareAddress(ok(decodeMessage(rawMessage({ hlen: 0 })))).length, 0);
  });

  it('accepts options without END, and ignores whatever follows END', () => {
    const noEnd = ok(decodeMessage(rawMessage({ options: [53, 1, 1, 0, 0, 61, 2, 1, 2] })));
    assert.deepEqual([...noEnd.options.keys()], [53, 61]);
    const garbage = ok(decodeMessage(rawMessage({ options: [53, 1, 3, 255, 77, 200, 1, 2, 3] })));
    assert.deepEqual([...garbage.options.keys()], [53]);
  });

  it('refuses an option whose length runs past the end', () => {
    const overrun = decodeMessage(rawMessage({ options: [53, 1, 1, 55, 12, 1, 3] }));
    assert.equal(cause(overrun), 'option-overrun');
    assert.match(!overrun.ok ? overrun.error.detail : '', /option 55 at options\[3\] claims 12 bytes, 2 remain/);
    assert.equal(cause(decodeMessage(rawMessage({ options: [53, 1, 1, 61] }))), 'option-overrun');
  });

  it('owns its bytes: reusing the receive buffer does not change a decoded message', () => {
    const bytes = rawMessage({ options: [12, 3, ...ascii('abc'), 255] });
    const m = ok(decodeMessage(bytes));
    bytes.fill(0);
    assert.equal(text(m.options.get(12)), 'abc');
    assert.equal(m.xid, 0x12345678);
  });

  it('decodes zero-length options', () => {
    const m = ok(decodeMessage(rawMessage({ options: [80, 0, 255] })));
    assert.equal(m.options.get(80)?.length, 0);
  });
});

describe('decodeMessage: RFC 3396 concatenation and option overload', () => {
  it('concatenates repeated instances in the options field in order', () => {
    const m = ok(decodeMessage(rawMessage({ options: [43, 2, 1, 2, 53, 1, 5, 43, 1, 3, 0, 43, 0, 43, 2, 4, 5, 255] })));
    assert.deepEqual([...m.options.keys()], [43, 53]);
    assert.deepEqual([...m.options.get(43)!], [1, 2, 3, 4, 5]);
  });

  it('reads options field, then file, then sname (overload 3)', () => {
    const m = ok(decodeMessage(loadFixture('overload-both')));
    assert.equal(m.overload, 3);
    assert.deepEqual([...m.options.keys()], [53, 15, 6, 3]);
    assert.equal(text(m.options.get(15)), 'example.org');
    const dns = m.options.get(6) ?? new Uint8Array(0);
    assert.deepEqual(ipListFromBytes(dns)?.map(ipToString), ['192.0.2.54', '192.0.2.53']);
    assert.deepEqual(ipListFromBytes(m.options.get(3) ?? new Uint8Array(0))?.map(ipToString), ['192.0.2.1']);
    assert.ok(!m.options.has(52), 'option 52 is framing, reported as `overload`');
    assert.ok(!fileIsName(m) && !snameIsName(m));
    assert.equal(fieldText(m.sname, !snameIsName(m)), '');
    assert.equal(m.sname[0], 15, 'the raw field is kept');
  });

  it('reads only file when overload is 1, keeping sname as a name', () => {
    const m = ok(decodeMessage(loadFixture('overload-file-no-end')));
    assert.equal(m.overload, 1);
    assert.deepEqual([...m.options.keys()], [53, 67, 66]);
    assert.equal(text(m.options.get(67)), 'pxelinux.0');
    assert.equal(text(m.options.get(66)), '192.0.2.5');
    assert.ok(snameIsName(m) && !fileIsName(m));
    assert.equal(fieldText(m.sname), 'tftp.example');
  });

  it('reads only sname when overload is 2', () => {
    const m = ok(
      decodeMessage(
        rawMessage({ sname: [12, 2, ...ascii('hi'), 255], file: ascii('pxe.0'), options: [52, 1, 2, 255] }),
      ),
    );
    assert.equal(text(m.options.get(12)), 'hi');
    assert.equal(fieldText(m.file), 'pxe.0');
  });

  it('ignores file and sname without option 52, and option 52 outside the options field', () => {
    const without = ok(decodeMessage(rawMessage({ file: [12, 1, 65, 255], options: [53, 1, 1, 255] })));
    assert.deepEqual([...without.options.keys()], [53]);
    const nested = ok(
      decodeMessage(rawMessage({ file: [52, 1, 2, 255], sname: [12, 1, 65, 255], options: [52, 1, 1] })),
    );
    assert.equal(nested.overload, 1);
    assert.ok(!nested.options.has(12));
  });

  it('refuses an option 52 that is not one byte 1-3', () => {
    for (const options of [
      [52, 1, 0],
      [52, 1, 4],
      [52, 2, 1, 1],
      [52, 0],
      [52, 1, 1, 52, 1, 2],
    ]) {
      assert.equal(cause(decodeMessage(rawMessage({ options }))), 'bad-overload', JSON.stringify(options));
    }
  });

  it('refuses an option overrunning the file field', () => {
    const bad = decodeMessage(rawMessage({ file: [...new Array(120).fill(0), 12, 20], options: [52, 1, 1, 255] }));
    assert.equal(cause(bad), 'option-overrun');
    assert.match(!bad.ok ? bad.error.detail : '', /file\[120\]/);
  });
});
