// RFC 3074 load balancing as ISC dhcpd 4.4.3 does it. Expected values come from ISC's code:
// the hashes were worked by hand from loadb_p_hash and cross-checked by compiling ISC's own
// loadb_mx_tbl and loadb_p_hash (server/failover.c); the decisions follow load_balance_mine and
// ISC's own unit test (server/tests/load_bal_unittest.c). RFC 3074 itself gives no test
// vectors (only the table and the C function), so none are quoted from it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  connectHbaError,
  HBA_BYTES,
  hbaBucketIsPrimary,
  type LoadBalanceInput,
  loadBalanceDisabledWarning,
  loadBalanceHash,
  loadBalanceMine,
  makeHba,
  parseHba,
  peerWantsLease,
  SPLIT_RANGE_ERROR,
} from '../../../src/failover/load-balance.js';

const mac = (s: string) => Uint8Array.from(s.split(':').map((h) => Number.parseInt(h, 16)));
const bytes = (...b: number[]) => Uint8Array.from(b);

test('loadBalanceHash: worked by hand from loadb_p_hash', () => {
  // Empty key: hash starts at len = 0 and the loop never runs.
  assert.equal(loadBalanceHash(bytes()), 0);
  // [14]: hash = 1, then tbl[1 ^ 14] = tbl[15] = 232 (ISC's unit test's client).
  assert.equal(loadBalanceHash(bytes(14)), 232);
  // "ab": hash = 2; last byte first: tbl[2 ^ 0x62 = 96] = 20; then tbl[20 ^ 0x61 = 117] = 26.
  assert.equal(loadBalanceHash(bytes(0x61, 0x62)), 26);
  // [130]: tbl[1 ^ 130 = 131] = 255, the last bucket.
  assert.equal(loadBalanceHash(bytes(130)), 255);
});

test('loadBalanceHash: values from ISC loadb_p_hash compiled as-is', () => {
  assert.equal(loadBalanceHash(mac('00:0c:29:12:34:56')), 201);
  assert.equal(loadBalanceHash(mac('01:00:0c:29:12:34:56')), 56); // a client-id of type 1 + that MAC
  assert.equal(loadBalanceHash(mac('02:00:00:00:00:00')), 4);
  assert.equal(loadBalanceHash(mac('02:00:00:00:00:01')), 133);
  // The length seeds the hash as an unsigned char: 300 bytes start from 44, 256 from 0.
  assert.equal(loadBalanceHash(new Uint8Array(300).fill(0xaa)), 127);
  assert.equal(loadBalanceHash(new Uint8Array(256).fill(0xaa)), 83);
  // A prefix length hashes the prefix only.
  const chaddr = new Uint8Array(16);
  chaddr.set(mac('00:0c:29:12:34:56'));
  assert.equal(loadBalanceHash(chaddr, 6), 201);
});

test('the mixing table is a permutation: one-byte keys hit every bucket once', () => {
  const seen = new Set<number>();
  for (let b = 0; b < 256; b++) seen.add(loadBalanceHash(bytes(b)));
  assert.equal(seen.size, 256);
});

test('makeHba: split N sets buckets 0..N-1, least significant bit first (confpars.c)', () => {
  const h128 = makeHba(128);
  assert.equal(h128.length, HBA_BYTES);
  assert.deepEqual([...h128], [...new Array(16).fill(0xff), ...new Array(16).fill(0)]);
  assert.deepEqual([...makeHba(0)], new Array(32).fill(0));
  assert.deepEqual([...makeHba(256)], new Array(32).fill(0xff));
  assert.deepEqual([...makeHba(255)], [...new Array(31).fill(0xff), 0x7f]);
  assert.deepEqual([...makeHba(9)].slice(0, 3), [0xff, 0x01, 0x00]);
  assert.equal(hbaBucketIsPrimary(makeHba(1), 0), true);
  assert.equal(hbaBucketIsPrimary(makeHba(1), 1), false);
  for (const bad of [257, -1, 1.5]) assert.throws(() => makeHba(bad), { message: SPLIT_RANGE_ERROR });
});

test('parseHba: 32 colon-separated hex bytes, with ISC parse_numeric_aggregate errors', () => {
  const text = `${new Array(16).fill('ff').join(':')}:${new Array(16).fill('00').join(':')}`;
  assert.deepEqual(parseHba(text).hba, makeHba(128));
  assert.deepEqual(parseHba(`${text};`).hba, makeHba(128));
  assert.deepEqual(parseHba(new Array(32).fill('F').join(' : ')).hba, new Uint8Array(32).fill(0x0f));
  assert.equal(parseHba(new Array(31).fill('ff').join(':')).error, 'too few numbers.');
  assert.equal(parseHba(new Array(33).fill('ff').join(':')).error, 'semicolon expected.');
  assert.equal(parseHba(['1ff', ...new Array(31).fill('00')].join(':')).error, '1ff exceeds max (255) for precision.');
  assert.equal(parseHba(['zz', ...new Array(31).fill('00')].join(':')).error, 'expecting numeric value.');
});

test('connectHbaError: a CONNECT without a 32-byte HBA is refused', () => {
  assert.equal(connectHbaError(makeHba(128)), undefined);
  assert.equal(connectHbaError(undefined), 'invalid HBA');
  assert.equal(connectHbaError(new Uint8Array(31)), 'invalid HBA');
});

/** ISC's load_bal_unittest.c setup: chaddr [14] with hlen 1 (bucket 232), an all-ones HBA, max 5 s. */
const isc = (role: 'primary' | 'secondary', secs: number, checkSecsByteOrder = false): LoadBalanceInput => ({
  chaddr: bytes(14),
  hlen: 1,
  secs,
  role,
  hba: makeHba(256),
  loadBalanceMaxSecs: 5,
  stateIsNormal: true,
  checkSecsByteOrder,
});

test('ISC load_bal_unittest load_balance: secs up to the maximum load balance, above it both answer', () => {
  for (const secs of [0, 2]) {
    assert.equal(loadBalanceMine(isc('primary', secs)), true);
    assert.equal(loadBalanceMine(isc('secondary', secs)), false);
  }
  for (const secs of [5]) assert.equal(loadBalanceMine(isc('secondary', secs)), false); // 5 < 5 is false
  for (const secs of [6, 257]) {
    assert.equal(loadBalanceMine(isc('primary', secs)), true);
    assert.equal(loadBalanceMine(isc('secondary', secs)), true);
  }
});

test('ISC load_bal_unittest load_balance_swap: check-secs-byte-order reads 0x0100 as 1 s', () => {
  assert.equal(loadBalanceMine(isc('primary', 256, true)), true);
  assert.equal(loadBalanceMine(isc('secondary', 256, true)), false);
  assert.equal(loadBalanceMine(isc('primary', 256 * 6, true)), true);
  assert.equal(loadBalanceMine(isc('secondary', 256 * 6, true)), true);
  // Without the option 256 s is 256 s: above the maximum, both answer.
  assert.equal(loadBalanceMine(isc('secondary', 256)), true);
  // 0x0101 has a low byte: not swapped, so 257 s.
  assert.equal(loadBalanceMine(isc('secondary', 0x0101, true)), true);
});

const client = (
  role: 'primary' | 'secondary',
  split: number,
  chaddr: Uint8Array,
  extra: Partial<LoadBalanceInput> = {},
): boolean =>
  loadBalanceMine({ chaddr, secs: 0, role, hba: makeHba(split), loadBalanceMaxSecs: 3, stateIsNormal: true, ...extra });

test('split 128: exactly one partner answers; buckets below 128 are the primary’s', () => {
  const low = mac('02:00:00:00:00:00'); // bucket 4
  const high = mac('02:00:00:00:00:01'); // bucket 133
  assert.equal(client('primary', 128, low), true);
  assert.equal(client('secondary', 128, low), false);
  assert.equal(client('primary', 128, high), false);
  assert.equal(client('secondary', 128, high), true);
  for (let x = 0; x < 64; x++) {
    const c = mac(`02:00:00:00:01:${x.toString(16)}`);
    assert.notEqual(client('primary', 128, c), client('secondary', 128, c));
  }
});

test('split 0, 255 and 256', () => {
  const low = mac('02:00:00:00:00:00'); // bucket 4
  const last = bytes(130); // bucket 255
  assert.equal(client('primary', 0, low), false);
  assert.equal(client('secondary', 0, low), true);
  assert.equal(client('primary', 256, last), true);
  assert.equal(client('secondary', 256, last), false);
  assert.equal(client('primary', 255, low), true);
  assert.equal(client('primary', 255, last), false);
  assert.equal(client('secondary', 255, last), true);
});

test('the key: the client identifier when present (even empty), else hlen bytes of chaddr', () => {
  const chaddr = new Uint8Array(16);
  chaddr.set(mac('02:00:00:00:00:01')); // bucket 133 over 6 bytes
  assert.equal(client('primary', 128, chaddr, { hlen: 6 }), false);
  // Over all 16 bytes the key would differ (bucket 176): ISC hashes only hlen bytes.
  assert.equal(loadBalanceHash(chaddr), 176);
  // A client identifier decides instead: [14] is bucket 232, [0x61 0x62] bucket 26.
  assert.equal(client('primary', 128, chaddr, { hlen: 6, clientId: bytes(0x61, 0x62) }), true);
  assert.equal(client('primary', 128, mac('02:00:00:00:00:00'), { clientId: bytes(14) }), false);
  // An empty client identifier is still used: bucket 0.
  assert.equal(client('primary', 1, chaddr, { hlen: 6, clientId: bytes() }), true);
});

test('outside NORMAL, with max secs 0, or without an HBA', () => {
  const high = mac('02:00:00:00:00:01');
  assert.equal(client('primary', 128, high, { stateIsNormal: false }), true);
  assert.equal(client('primary', 128, high, { loadBalanceMaxSecs: 0 }), true);
  assert.equal(client('secondary', 128, high, { hba: undefined }), false);
  assert.equal(client('primary', 128, high, { hba: undefined }), false);
  // The seconds test comes before the HBA one.
  assert.equal(client('secondary', 128, high, { hba: undefined, secs: 4 }), true);
});

test('peerWantsLease: the uid, else the hardware address without its type byte', () => {
  const hba = makeHba(128);
  const hw = (m: string) => Uint8Array.from([1, ...mac(m)]);
  // Bucket 133 (secondary's): the primary's peer wants it, the secondary's peer does not.
  assert.equal(peerWantsLease('primary', hba, { hardware: hw('02:00:00:00:00:01') }), true);
  assert.equal(peerWantsLease('secondary', hba, { hardware: hw('02:00:00:00:00:01') }), false);
  assert.equal(peerWantsLease('primary', hba, { hardware: hw('02:00:00:00:00:00') }), false);
  assert.equal(peerWantsLease('secondary', hba, { hardware: hw('02:00:00:00:00:00') }), true);
  // A uid wins over the hardware address; an empty uid does not count.
  assert.equal(peerWantsLease('primary', hba, { uid: bytes(14), hardware: hw('02:00:00:00:00:00') }), true);
  assert.equal(peerWantsLease('primary', hba, { uid: bytes(), hardware: hw('02:00:00:00:00:00') }), false);
  // Nothing to hash, or no HBA: false for both roles.
  assert.equal(peerWantsLease('primary', hba, { hardware: bytes(1) }), false);
  assert.equal(peerWantsLease('secondary', hba, {}), false);
  assert.equal(peerWantsLease('primary', undefined, { uid: bytes(14) }), false);
});

test('peer_wants_lease and loadb_p_hash, by ISC line', () => {
  assert.equal(loadBalanceHash(Uint8Array.from([1])), 251); // hash = 1; mx[1 ^ 1] = mx[0], failover.c:5921
  assert.equal(loadBalanceHash(Uint8Array.from([0, 0])), 150); // mx[2] = 119, mx[119] = 150
  assert.equal(loadBalanceHash(new Uint8Array(0)), 0);
  // Bucket 251 is bit 3 of byte 31 (failover.c:6047).
  const hba = new Uint8Array(32);
  hba[31] = 0x08;
  // The hardware address as ISC keeps it (hbuf): type 1, then 00:00.
  const byUid = { uid: Uint8Array.from([1]), hardware: Uint8Array.from([1, 0, 0]) };
  assert.equal(peerWantsLease('primary', hba, byUid), false); // !hm, failover.c:6049-6050
  assert.equal(peerWantsLease('secondary', hba, byUid), true); // hm, failover.c:6051-6052
  // Without a uid the chaddr minus its type octet is hashed (failover.c:6033-6042): bucket 150.
  const byHw = { hardware: Uint8Array.from([1, 0, 0]) };
  assert.equal(peerWantsLease('primary', hba, byHw), true);
  hba[150 >> 3] = 1 << (150 & 7);
  assert.equal(peerWantsLease('primary', hba, byHw), false);
  assert.equal(peerWantsLease('primary', undefined, byUid), false); // no HBA, failover.c:6029-6030
  assert.equal(peerWantsLease('secondary', hba, {}), false); // nothing to hash, failover.c:6043-6044
});

test('the sanity-check warning for max secs 0', () => {
  assert.equal(
    loadBalanceDisabledWarning('dhcp-failover'),
    'WARNING: load balancing will be disabled for failover peer, dhcp-failover, because its load balance max secs is 0',
  );
});
