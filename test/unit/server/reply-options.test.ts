// Which options a reply carries and in which order (ISC cons_options, ack_lease, dhcpinform, nak_lease):
// checked against orders ISC 4.4.3 was seen to send (the differential tester's reference runs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashOrder, optionHashBucket } from '../../../src/server/reply-options.js';
import { decodedReply, ip, messageType, optionOf, readU32, Server, treeOf } from './helpers.js';

const MAC = '02:cf:d1:00:00:04';

/** Option codes on the wire: options field, then file, then sname (as a client reads them). */
const codes = (res: Parameters<typeof decodedReply>[0]): number[] => [...decodedReply(res).options.keys()];

const SEED = `option xgrid-controller code 250 = ip-address;
option domain-name "diablotin.fr";
option domain-name-servers 192.168.1.1;
option ntp-servers 192.168.1.5;
option xgrid-controller 192.168.1.89;
default-lease-time 86400;
max-lease-time 172800;
authoritative;
subnet 192.168.1.0 netmask 255.255.255.0 {
  option routers 192.168.1.1;
  range 192.168.1.100 192.168.1.199;
}
subnet 198.51.100.0 netmask 255.255.255.0 {
  option routers 198.51.100.1;
  option dhcp-renewal-time 4;
  option dhcp-rebinding-time 8;
  range 198.51.100.10 198.51.100.19;
}`;

const RICH = `option xgrid-controller code 250 = ip-address;
option domain-name "global.example";
option domain-name-servers 192.168.1.1, 192.168.1.2;
option ntp-servers 192.168.1.5;
option xgrid-controller 192.168.1.89;
option time-offset -3600;
option interface-mtu 1400;
option ip-forwarding off;
option domain-search "example.com", "sub.example.com", "other.example.org";
option root-path "/srv/nfs/root";
authoritative;
subnet 192.168.1.0 netmask 255.255.255.0 {
  option routers 192.168.1.1;
  option domain-name "subnet.example";
  range 192.168.1.100 192.168.1.109;
}`;

test("ISC's option hash: 17 buckets, newest first in each", () => {
  assert.equal(optionHashBucket(42), 11);
  assert.equal(optionHashBucket(250), 16);
  assert.equal(optionHashBucket(119), 9);
  assert.deepEqual(hashOrder([15, 6, 42, 250, 2, 26, 19, 119, 17]), [17, 19, 2, 6, 119, 26, 42, 15, 250]);
});

test('no request list: 1, 3, 6 first, then the hash order (ISC reference orders of seed-talk and rich)', () => {
  const seed = new Server(treeOf(SEED));
  assert.deepEqual(codes(seed.send({ mac: MAC, type: 1 })), [53, 54, 51, 1, 3, 6, 42, 15, 250]);
  const rich = new Server(treeOf(RICH));
  assert.deepEqual(codes(rich.send({ mac: MAC, type: 1 })), [53, 54, 51, 1, 3, 6, 17, 19, 2, 119, 26, 42, 15, 250]);
  // An INFORM without a list: the same, without lease times.
  const inform = seed.send({ mac: MAC, type: 8, ciaddr: '192.168.1.30' });
  assert.deepEqual(codes(inform), [53, 54, 1, 3, 6, 42, 15, 250]);
});

test('request list: its order; the subnet mask appended for DISCOVER/REQUEST and swapped before the routers', () => {
  const s = new Server(treeOf(SEED));
  // ISC reference: 53,54,51,250,42,6,15,1,3 for the list 250,42,6,15,3.
  assert.deepEqual(codes(s.send({ mac: MAC, type: 1, prl: [250, 42, 6, 15, 3] })), [53, 54, 51, 250, 42, 6, 15, 1, 3]);
  // INFORM: no mask unless asked; asked after the routers, the two trade places (ISC: ...,15,1,2,3).
  const inform = s.send({ mac: MAC, type: 8, ciaddr: '192.168.1.30', prl: [250, 42, 6, 15, 3, 2, 1] });
  assert.deepEqual(codes(inform), [53, 54, 250, 42, 6, 15, 1, 3]);
  assert.deepEqual(codes(s.send({ mac: MAC, type: 8, ciaddr: '192.168.1.30', prl: [6, 15] })), [53, 54, 6, 15]);
  // Options not asked for are left out; 82 in the list does not move option 82; duplicates count once.
  assert.deepEqual(codes(s.send({ mac: '02:00:00:00:00:01', type: 1, prl: [15, 82, 15, 6] })), [53, 54, 51, 15, 6, 1]);
});

test('T1/T2 only when configured, checked against the lease time as sent', () => {
  const s = new Server(treeOf(`min-lease-time 1;\n${SEED}`));
  const plain = s.send({ mac: MAC, type: 1, prl: [1, 3] });
  assert.equal(optionOf(plain, 58), undefined);
  assert.equal(optionOf(plain, 59), undefined);
  const t = (secs: number, mac: string) => {
    const lt = new Uint8Array([secs >>> 24, (secs >>> 16) & 255, (secs >>> 8) & 255, secs & 255]);
    const r = s.send({ mac, type: 1, giaddr: '198.51.100.1', prl: [1, 3], options: [[51, lt]] });
    return [
      readU32(optionOf(r, 51)!),
      optionOf(r, 58) && readU32(optionOf(r, 58)!),
      optionOf(r, 59) && readU32(optionOf(r, 59)!),
    ];
  };
  assert.deepEqual(t(10, '02:00:00:00:00:11'), [10, 4, 8]);
  // Rebinding not below the lease time: dropped, and the renewal time is checked against the lease.
  assert.deepEqual(t(8, '02:00:00:00:00:12'), [8, 4, undefined]);
  assert.deepEqual(t(5, '02:00:00:00:00:13'), [5, 4, undefined]);
  assert.deepEqual(t(4, '02:00:00:00:00:14'), [4, undefined, undefined]);
  // Order: 53, 54, 51, 58, 59.
  const r = s.send({ mac: '02:00:00:00:00:15', type: 1, giaddr: '198.51.100.1', prl: [3] });
  assert.deepEqual(codes(r), [53, 54, 51, 58, 59, 1, 3]);
  // An INFORM answer carries no lease times even when configured.
  const inform = s.send({ mac: MAC, type: 8, ciaddr: '198.51.100.30', prl: [3, 58, 59, 51] });
  assert.deepEqual(codes(inform), [53, 54, 3]);
});

test('NAK: 53, 54, 56 with the text given (none when empty), broadcast bit, ciaddr 0, option 82 back', () => {
  const s = new Server(treeOf(SEED));
  const res = s.send({ mac: MAC, type: 3, requested: '10.0.0.15', ciaddr: '0.0.0.0' });
  assert.equal(messageType(res), 6);
  const d = decodedReply(res);
  assert.equal(d.flags & 0x8000, 0x8000);
  assert.equal(d.ciaddr, 0);
  assert.equal(d.yiaddr, 0);
  for (const code of d.options.keys()) assert.ok([53, 54, 56].includes(code), `${code}`);
  assert.ok(!d.options.has(51) && !d.options.has(1));
});

test('echo-client-id: option 61 goes back, ahead of the request list', () => {
  const s = new Server(treeOf(`echo-client-id true;\n${SEED}`));
  const uid = Uint8Array.from([1, 2, 0xcf, 0xd1, 0, 0, 4]);
  const r = s.send({ mac: MAC, type: 1, uid, prl: [3, 6] });
  assert.deepEqual(codes(r), [53, 54, 51, 61, 1, 6, 3]); // the mask appended last trades places with 3
  assert.deepEqual(optionOf(r, 61), uid);
});

test('a client whose host-name ends in NULs gets NUL-terminated text options (ISC ms_nulltp)', () => {
  const s = new Server(treeOf(SEED));
  const r = s.send({ mac: MAC, type: 1, prl: [15, 6], options: [[12, new Uint8Array([0x61, 0x62, 0])]] });
  assert.deepEqual([...optionOf(r, 15)!], [...Buffer.from('diablotin.fr\0')]);
  assert.equal(optionOf(r, 6)!.length, 4);
});

test('subnet-selection (118) from the request is sent back', () => {
  const s = new Server(treeOf(SEED));
  const sel = Uint8Array.from([192, 168, 1, 0]);
  const r = s.send({ mac: MAC, type: 1, prl: [3], options: [[118, sel]] });
  assert.deepEqual(codes(r), [53, 54, 51, 118, 1, 3]);
  assert.equal(readU32(optionOf(r, 118)!), ip('192.168.1.0'));
});

test('INFORM: a host declaration applies only when its fixed-address is the client address (ISC dhcpinform)', () => {
  const s = new Server(
    treeOf(`${RICH}
host fixed1 { hardware ethernet ${MAC}; fixed-address 192.168.1.50; option domain-name "host.example"; }`),
  );
  const elsewhere = s.send({ mac: MAC, type: 8, ciaddr: '192.168.1.30', prl: [15] });
  assert.equal(Buffer.from(optionOf(elsewhere, 15)!).toString(), 'subnet.example');
  const own = s.send({ mac: MAC, type: 8, ciaddr: '192.168.1.50', prl: [15] });
  assert.equal(Buffer.from(optionOf(own, 15)!).toString(), 'host.example');
});
