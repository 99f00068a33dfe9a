import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  broadcastOf,
  inSubnet,
  ipFromBytes,
  ipListFromBytes,
  ipListToBytes,
  ipToBytes,
  ipToString,
  isIpv4,
  macToString,
  maskToPrefix,
  networkOf,
  parseHardwareAddress,
  parseIpv4,
  parseMac,
  prefixToMask,
  readIpv4,
} from '../../../src/wire/ip.js';

describe('IPv4 addresses as numbers', () => {
  it('formats and parses dotted quads', () => {
    assert.equal(ipToString(0xc0a800fc), '192.168.0.252');
    assert.equal(ipToString(0), '0.0.0.0');
    assert.equal(ipToString(0xffffffff), '255.255.255.255');
    assert.equal(parseIpv4('192.168.0.67'), 0xc0a80043);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIpv4('0.0.0.0'), 0);
  });

  it('refuses anything but four decimal parts 0-255', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.-4',
      '01.2.3.4',
      '1.2.3.4 ',
      'a.b.c.d',
      '1..2.3',
    ]) {
      assert.equal(parseIpv4(bad), undefined, bad);
    }
  });

  it('converts to and from bytes', () => {
    assert.deepEqual(ipToBytes(0xc0000201), new Uint8Array([192, 0, 2, 1]));
    assert.equal(ipFromBytes(new Uint8Array([192, 0, 2, 1])), 0xc0000201);
    assert.equal(ipFromBytes(new Uint8Array([192, 0, 2])), undefined);
    assert.equal(readIpv4(new Uint8Array([0, 255, 255, 255, 255]), 1), 0xffffffff);
    assert.throws(() => readIpv4(new Uint8Array(4), 1), RangeError);
    assert.deepEqual(ipListFromBytes(ipListToBytes([1, 0xfffffffe])), [1, 0xfffffffe]);
    assert.equal(ipListFromBytes(new Uint8Array(0)), undefined);
    assert.equal(ipListFromBytes(new Uint8Array(6)), undefined);
    assert.ok(isIpv4(0xffffffff));
    assert.ok(!isIpv4(-1) && !isIpv4(2 ** 32) && !isIpv4(1.5) && !isIpv4('1.2.3.4'));
  });

  it('handles masks and subnets', () => {
    assert.equal(prefixToMask(24), 0xffffff00);
    assert.equal(prefixToMask(0), 0);
    assert.equal(prefixToMask(32), 0xffffffff);
    assert.throws(() => prefixToMask(33), RangeError);
    for (let p = 0; p <= 32; p++) assert.equal(maskToPrefix(prefixToMask(p)), p);
    assert.equal(maskToPrefix(0xff00ff00), undefined);
    const net = parseIpv4('192.168.0.0')!;
    const mask = prefixToMask(24);
    assert.ok(inSubnet(parseIpv4('192.168.0.67')!, net, mask));
    assert.ok(!inSubnet(parseIpv4('192.168.1.67')!, net, mask));
    assert.equal(networkOf(parseIpv4('192.168.0.67')!, mask), net);
    assert.equal(ipToString(broadcastOf(net, mask)), '192.168.0.255');
  });
});

describe('hardware addresses', () => {
  it('formats like ISC and parses the usual spellings', () => {
    const mac = new Uint8Array([0x00, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
    assert.equal(macToString(mac), '00:16:36:51:5d:5a');
    assert.deepEqual(parseMac('00:16:36:51:5d:5a'), mac);
    assert.deepEqual(parseMac('00-16-36-51-5D-5A'), mac);
    assert.deepEqual(parseMac('0:2:2d:1f:4a:b6'), new Uint8Array([0, 2, 0x2d, 0x1f, 0x4a, 0xb6]));
    assert.equal(parseMac('00:16:36:51:5d'), undefined);
    assert.equal(parseMac('00:16:36:51:5d:5g'), undefined);
    assert.equal(parseMac('000:16:36:51:5d:5a'), undefined);
    assert.equal(parseHardwareAddress('01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10')?.length, 16);
    assert.equal(parseHardwareAddress('01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11'), undefined);
  });
});
