// The DNS update queue and ISC's update chains, driven by hand: answers crafted from the requests, the
// clock passed in. What each step sends (prerequisites and updates) is checked by decoding it with dns-packet.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readName } from '../../../src/ddns/names.js';
import type { AddJob, DnsState, RemoveJob } from '../../../src/ddns/transaction.js';
import { type Datagram, DdnsUpdater, type UpdaterOutput } from '../../../src/ddns/updater.js';

const DNS = ((192 << 24) | (2 << 8) | 53) >>> 0;
const DNS2 = ((192 << 24) | (2 << 8) | 54) >>> 0;
const IP = ((192 << 24) | (2 << 8) | 100) >>> 0;
const CONFLICT = { detect: true, guardMustMatch: true };
const GUARD = { style: 'standard' as const, value: Uint8Array.from([0, 0, 1, 9, 9, 9]) };

function updater(servers = [DNS]): DdnsUpdater {
  return new DdnsUpdater({
    zones: [
      { name: 'example.org.', servers },
      { name: '2.0.192.in-addr.arpa.', servers },
    ],
    firstId: 100,
  });
}

function add(name = 'h1.example.org'): AddJob {
  return {
    kind: 'add',
    address: IP,
    fwdName: name,
    updateA: true,
    revName: '100.2.0.192.in-addr.arpa.',
    ttl: 300,
    guard: GUARD,
    conflict: CONFLICT,
  };
}

/** The answer a server gives to `d`: its header with QR set and `rcode`. */
function answer(d: Datagram, rcode: number): Uint8Array {
  const b = Uint8Array.from(d.bytes.subarray(0, 12));
  b[2] = b[2]! | 0x80;
  b[3] = (b[3]! & 0xf0) | rcode;
  for (let i = 4; i < 12; i++) b[i] = 0;
  return b;
}

const NOERROR = 0;
const NXDOMAIN = 3;
const YXDOMAIN = 6;
const NXRRSET = 8;
const NOTAUTH = 9;

const TYPES: Record<number, string> = { 1: 'A', 12: 'PTR', 16: 'TXT', 28: 'AAAA', 49: 'DHCID', 255: 'ANY' };
const CLASSES: Record<number, string> = { 1: 'IN', 254: 'NONE', 255: 'ANY' };

/**
 * What a sent update asks: "class type" of each prerequisite and update record (read here: dns-packet's
 * decoder cannot read an A record with empty RDATA, which RFC 2136 deletions carry).
 */
function shape(d: Datagram): { zone: string; pre: string[]; upd: string[] } {
  const b = Buffer.from(d.bytes);
  const counts = [b.readUInt16BE(4), b.readUInt16BE(6), b.readUInt16BE(8)];
  const q = readName(b, 12);
  let at = 12 + q.length + 4;
  const section = (n: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = readName(b, at);
      at += name.length;
      const type = b.readUInt16BE(at);
      const klass = b.readUInt16BE(at + 2);
      at += 10 + b.readUInt16BE(at + 8);
      out.push(`${CLASSES[klass] ?? klass} ${TYPES[type] ?? type}`);
    }
    return out;
  };
  assert.equal(counts[0], 1);
  return { zone: q.name, pre: section(counts[1]!), upd: section(counts[2]!) };
}

function only(out: UpdaterOutput): Datagram {
  assert.equal(out.sends.length, 1, `one datagram: ${out.logs.join(' | ')}`);
  return out.sends[0]!;
}

test('add: name unused -> A and DHCID, then the PTR; the state is given once the transaction ends', () => {
  const u = updater();
  const d1 = only(u.submit(add(), {}, 1000));
  assert.deepEqual(shape(d1), {
    zone: 'example.org',
    pre: ['NONE ANY'],
    upd: ['IN A', 'IN DHCID'],
  });
  const o2 = u.receive(answer(d1, NOERROR), DNS, 1000.1);
  assert.deepEqual(o2.logs, ['Added new forward map from h1.example.org to 192.0.2.100']);
  assert.deepEqual(o2.states, [], 'nothing to write between two steps');
  const d2 = only(o2);
  assert.deepEqual(shape(d2), { zone: '2.0.192.in-addr.arpa', pre: [], upd: ['ANY PTR', 'IN PTR'] });
  const o3 = u.receive(answer(d2, NOERROR), DNS, 1000.2);
  assert.deepEqual(o3.logs, ['Added reverse map from 100.2.0.192.in-addr.arpa to h1.example.org']);
  assert.equal(o3.states[0]?.state.revName, '100.2.0.192.in-addr.arpa.');
  assert.equal(o3.states[0]?.state.fwdName, 'h1.example.org');
  assert.equal(u.pending, 0);
  assert.deepEqual(u.counts, { submitted: 1, finished: 1, succeeded: 1, retries: 0 });
});

test("add: name in use -> the guard must be ours; NXRRSET is ISC's 'not mine' and no PTR follows", () => {
  const u = updater();
  const d1 = only(u.submit(add(), {}, 0));
  const d2 = only(u.receive(answer(d1, YXDOMAIN), DNS, 0));
  assert.deepEqual(shape(d2).pre, ['IN DHCID']);
  assert.deepEqual(shape(d2).upd, ['ANY A', 'IN A']);
  const o = u.receive(answer(d2, NXRRSET), DNS, 0);
  assert.deepEqual(o.logs, [
    'Forward map from h1.example.org to 192.0.2.100 FAILED: Has an address record but no DHCID, not mine.',
  ]);
  assert.equal(o.sends.length, 0);
  assert.equal(u.pending, 0);
});

test('no answer: the step is sent again with back-off across the servers, the cause logged once; stale answers ignored', () => {
  const u = updater([DNS, DNS2]);
  const d1 = only(u.submit(add(), {}, 0));
  assert.equal(d1.server, DNS);
  assert.equal(u.tick(1.9).sends.length, 0, 'not before the deadline');
  const o1 = u.tick(2);
  const d2 = only(o1);
  assert.equal(d2.server, DNS2, 'the next server');
  assert.notEqual(d2.id, d1.id);
  assert.deepEqual(o1.logs, ['Unable to add forward map from h1.example.org to 192.0.2.100: timed out; retrying']);
  const o2 = u.tick(6); // waited 4 s this time
  const d3 = only(o2);
  assert.deepEqual(o2.logs, [], 'the same cause is not logged again');
  // The first server answers the first datagram late: not ours any more.
  assert.equal(u.receive(answer(d1, NOERROR), DNS, 6.5).logs.length, 0);
  const done = u.receive(answer(d3, NOERROR), d3.server, 7);
  assert.match(done.logs[0]!, /^Added new forward map/);
  assert.ok(u.counts.retries >= 2);
});

test('a server that answers again wakes the steps waiting to retry with it', () => {
  const u = updater();
  only(u.submit(add('a.example.org'), {}, 0));
  const rem: RemoveJob = {
    kind: 'remove',
    address: IP + 1,
    state: { revName: '101.2.0.192.in-addr.arpa.' },
    conflict: CONFLICT,
  };
  only(u.submit(rem, rem.state, 0));
  assert.equal(u.tick(2).sends.length, 2);
  const second = u.tick(6); // both wait 8 s now, until 14
  assert.equal(second.sends.length, 2);
  const removal = second.sends.find((d) => shape(d).zone === '2.0.192.in-addr.arpa')!;
  const woke = u.receive(answer(removal, NOERROR), DNS, 7);
  assert.equal(woke.sends.length, 1, 'the add went out again without waiting for its deadline');
  assert.equal(shape(woke.sends[0]!).zone, 'example.org');
  assert.equal(u.pending, 1, 'the removal is done');
});

test('a removal waits for the add of its address and removes what the add left', () => {
  const u = updater();
  const d1 = only(u.submit(add(), {}, 0));
  const rem: RemoveJob = { kind: 'remove', address: IP, state: {}, conflict: CONFLICT };
  assert.equal(u.submit(rem, {}, 0).sends.length, 0, 'queued behind the add');
  const d2 = only(u.receive(answer(d1, NOERROR), DNS, 0));
  const d3 = only(u.receive(answer(d2, NOERROR), DNS, 0)); // PTR added: the removal starts
  assert.deepEqual(shape(d3), { zone: 'example.org', pre: ['IN DHCID'], upd: ['NONE A'] });
  const o4 = u.receive(answer(d3, NOERROR), DNS, 0);
  assert.deepEqual(o4.logs, ['Removed forward map from h1.example.org to 192.0.2.100']);
  const d4 = only(o4);
  assert.deepEqual(shape(d4), { zone: 'example.org', pre: ['NONE A', 'NONE AAAA'], upd: ['NONE DHCID'] });
  const d5 = only(u.receive(answer(d4, NOERROR), DNS, 0));
  assert.deepEqual(shape(d5), { zone: '2.0.192.in-addr.arpa', pre: [], upd: ['ANY PTR'] });
  const o6 = u.receive(answer(d5, NXDOMAIN), DNS, 0);
  assert.deepEqual(o6.states.at(-1)?.state, {});
  assert.equal(u.pending, 0);
});

test('update-optimization: a lease whose name DNS already holds sends nothing; a new name removes the old one first', () => {
  const u = updater();
  const held: DnsState = { fwdName: 'h1.example.org', guard: GUARD, revName: '100.2.0.192.in-addr.arpa.' };
  assert.equal(u.submit(add(), held, 0).sends.length, 0);
  const d = only(u.submit(add('renamed.example.org'), held, 0));
  assert.deepEqual(shape(d).upd, ['NONE A'], 'the old A record goes first');
  assert.equal(u.pending, 2, 'the add waits behind the removal');
  // The removal is refused: the new name is not added (ISC), and nothing loops.
  const o = u.receive(answer(d, NOTAUTH), DNS, 0);
  const ptr = only(o); // the PTR removal still runs
  const end = u.receive(answer(ptr, NOTAUTH), DNS, 0);
  assert.equal(end.sends.length, 0);
  assert.equal(u.pending, 0);
});

test('a refusal ends the job with its cause; a name outside every zone is said once', () => {
  const u = updater();
  const d = only(u.submit(add(), {}, 0));
  const o = u.receive(answer(d, NOTAUTH), DNS, 0);
  assert.match(o.logs[0]!, /^Unable to add forward map from h1\.example\.org to 192\.0\.2\.100: not authorized/);
  const elsewhere = { ...add('x.example.net'), address: IP + 5 };
  const o1 = u.submit(elsewhere, {}, 0);
  assert.match(o1.logs[0]!, /no zone declared for x\.example\.net\./);
  assert.equal(u.submit({ ...elsewhere, address: IP + 6 }, {}, 0).logs.length, 0);
});

test('a step that never gets an answer is given up after an hour', () => {
  const u = new DdnsUpdater({ zones: [{ name: 'example.org.', servers: [DNS] }], giveUpAfter: 3600 });
  u.submit({ ...add(), revName: undefined } as AddJob, {}, 0);
  let last: UpdaterOutput | undefined;
  for (let t = 0; t <= 3700 && u.pending > 0; t += 10) last = u.tick(t);
  assert.equal(u.pending, 0);
  assert.match(last!.logs.at(-1)!, /timed out \(gave up after 3600 s\)$/);
});

test('at most maxInFlight transactions run at once; the others start in order as those end', () => {
  const u = new DdnsUpdater({ zones: [{ name: 'example.org.', servers: [DNS] }], firstId: 1, maxInFlight: 2 });
  const sent: Datagram[] = [];
  for (let i = 0; i < 5; i++) {
    const job = { ...add(`h${i}.example.org`), address: IP + i, revName: undefined } as AddJob;
    sent.push(...u.submit(job, {}, 0).sends);
  }
  assert.equal(sent.length, 2, 'two in flight');
  assert.equal(u.pending, 5);
  const o = u.receive(answer(sent[0]!, NOERROR), DNS, 0);
  assert.equal(o.sends.length, 1, 'one ended, the next one starts');
  assert.match(shape(o.sends[0]!).zone, /^example\.org$/);
  assert.equal(u.pending, 4);
});
