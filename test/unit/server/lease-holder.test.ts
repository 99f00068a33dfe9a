// The allocator as the journal's LeaseHolder: the lease file is read straight into it, the
// start-up rewrite is written from it, and nothing is lost on the way - every record it loads it
// writes back as formatLease wrote it (plain leases from its typed arrays, the rest kept whole),
// records of addresses in no pool stay with the journal, and a torn last record is skipped.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { FileJournal } from '../../../src/leases/journal.js';
import { BINDING_STATES, type Lease } from '../../../src/leases/lease.js';
import { LeaseTextBuffer } from '../../../src/leases/lease-text.js';
import { parseLeases, parseLeasesBytes } from '../../../src/leases/reader.js';
import { formatLease, formatLeaseFile } from '../../../src/leases/writer.js';
import { Allocator } from '../../../src/server/allocator.js';
import type { ClientIdentity } from '../../../src/server/client-id.js';
import { ip, treeOf } from './helpers.js';

const NOW = 1_700_000_000;
const CONF = 'subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.200; }';

function tmpFile(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-holder-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'dhcpd.leases');
}

const octets = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });
const time = fc.oneof(fc.integer({ min: 1, max: 2_000_000_000 }), fc.constant(Number.POSITIVE_INFINITY));
const state = fc.constantFrom(...BINDING_STATES);

/** Leases of every shape the file can hold, in the pool's range. */
const leaseArb: fc.Arbitrary<Lease> = fc
  .record(
    {
      n: fc.integer({ min: 10, max: 200 }),
      starts: time,
      ends: time,
      cltt: time,
      tstp: time,
      bindingState: state,
      nextBindingState: state,
      rewindBindingState: state,
      reserved: fc.boolean(),
      bootp: fc.boolean(),
      hardware: fc.record({ type: fc.constantFrom(1, 6, 8, 32, 77), address: octets(16) }),
      uid: octets(20),
      // Octets mostly, sometimes a char above U+00FF (kept as a string, written by formatLease).
      clientHostname: fc
        .array(fc.integer({ min: 0, max: 0x1ff }), { maxLength: 12 })
        .map((codes) => String.fromCharCode(...codes)),
      variables: fc.constant(true),
    },
    { requiredKeys: ['n'] },
  )
  .map(({ n, variables, ...rest }) => {
    const l: Lease = { kind: 'lease', address: ip(`192.0.2.${n}`), ...rest };
    if (variables !== undefined) {
      l.variables = [{ name: 'vendor-class-identifier', value: { type: 'data', data: new Uint8Array([1, 2]) } }];
    }
    return l;
  });

test('every loaded lease is written back as it was read (record() and the byte writer agree with formatLease)', () => {
  const tree = treeOf(CONF);
  fc.assert(
    fc.property(fc.array(leaseArb, { minLength: 1, maxLength: 40 }), (leases) => {
      const a = new Allocator(tree);
      const holder = a.leaseHolder(NOW);
      const last = new Map<number, Lease>();
      for (const l of leases) {
        assert.equal(holder.take(l), true);
        last.set(l.address, l);
      }
      assert.equal(holder.finish(), last.size);
      const expected = [...last.values()].sort((x, y) => x.address - y.address).map((l) => formatLease(l));
      assert.deepEqual(
        [...holder.records()].map((l) => formatLease(l)),
        expected,
      );
      const out = new LeaseTextBuffer(1 << 16);
      assert.equal(holder.writeText(out, 0, 4096, {}), -1);
      assert.equal(out.buf.toString('latin1', 0, out.used), expected.join(''));
    }),
    { numRuns: 200 },
  );
});

test('an address the engine changed is written from the allocator; its variables stay with it (ISC lease scope)', () => {
  const a = new Allocator(treeOf(CONF));
  const holder = a.leaseHolder(NOW);
  const loaded: Lease = {
    kind: 'lease',
    address: ip('192.0.2.50'),
    starts: NOW - 10,
    ends: NOW + 100,
    cltt: NOW - 10,
    bindingState: 'active',
    nextBindingState: 'free',
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, 0, 0, 1]) },
    variables: [{ name: 'x', value: { type: 'data', data: new Uint8Array([1]) } }],
  };
  holder.take(loaded);
  holder.finish();
  const slot = a.slotOf(loaded.address);
  const id: ClientIdentity = {
    uid: undefined,
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, 0, 0, 1]) },
    uidKey: undefined,
    hwKey: '1/020000000001',
  };
  assert.deepEqual(a.clientSlots(id), [slot]);
  const written = a.commit(slot, id, 'pc', NOW, NOW + 600, false);
  assert.deepEqual(written.variables, loaded.variables);
  const out = new LeaseTextBuffer(1 << 16);
  holder.writeText(out, 0, 4096, {});
  assert.equal(out.buf.toString('latin1', 0, out.used), formatLease(written));
});

test('client lookups survive the arena being compacted by many changes of client', () => {
  const a = new Allocator(treeOf(CONF));
  const id = (n: number, uid?: number): ClientIdentity => ({
    uid: uid === undefined ? undefined : new Uint8Array([1, uid, uid >> 8]),
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, n >> 8, n & 255, 9]) },
    uidKey: uid === undefined ? undefined : String(uid),
    hwKey: String(n),
  });
  // 191 addresses, 20,000 commits: the arena fills with replaced octets and is compacted often.
  for (let k = 0; k < 20_000; k++) {
    const slot = k % a.slotCount;
    a.commit(slot, id(k, k % 3 === 0 ? k : undefined), k % 2 ? `host-${k}` : undefined, NOW, NOW + 60, false);
  }
  for (let slot = 0; slot < a.slotCount; slot++) {
    const k = slot + a.slotCount * Math.floor((19_999 - slot) / a.slotCount);
    const who = id(k, k % 3 === 0 ? k : undefined);
    assert.deepEqual(a.clientSlots(who), [slot], `slot ${slot}`);
    assert.equal(a.belongsTo(slot, who), true);
    assert.equal(a.belongsTo(slot, id(k + 1)), false);
    if (k % 2) assert.equal(a.hostnameOf(slot), `host-${k}`);
  }
});

test('the journal streams the file into the allocator and rewrites it from there, keeping the rest', async (t) => {
  const file = tmpFile(t);
  const inPool = (n: number, extra: Partial<Lease> = {}): Lease => ({
    kind: 'lease',
    address: ip(`192.0.2.${n}`),
    starts: NOW - 100,
    ends: NOW + 3600,
    cltt: NOW - 100,
    bindingState: 'active',
    nextBindingState: 'free',
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, 0, 0, n]) },
    ...extra,
  });
  const outside: Lease = { ...inPool(5), address: ip('198.51.100.7') }; // in no pool: the journal keeps it
  const records = [inPool(20), outside, inPool(21, { uid: new Uint8Array([1, 2, 3]) }), inPool(20, { ends: NOW + 7 })];
  const text = [...formatLeaseFile(records)].join('');
  // A torn last record: skipped with a warning, never handed to the allocator.
  fs.writeFileSync(file, `${text}lease 192.0.2.30 {\n  starts 1 2023/11/14 22:13:20;\n`);
  const a = new Allocator(treeOf(CONF));
  const journal = new FileJournal(file, { clock: () => NOW * 1000 });
  t.after(() => journal.close());
  const loaded = await journal.load(a.leaseHolder(NOW));
  assert.equal(loaded.leaseCount, 3);
  assert.deepEqual([...loaded.leases.keys()], [outside.address]);
  assert.equal(loaded.warnings.length, 1);
  assert.equal(a.stateOf(a.slotOf(ip('192.0.2.30'))), 0, 'the torn lease was not loaded');
  assert.equal(a.endsOf(a.slotOf(ip('192.0.2.20'))), NOW + 7, 'the later record of an address wins');
  const reread = parseLeases(fs.readFileSync(file, 'latin1'), file);
  assert.equal(reread.error, undefined);
  assert.deepEqual(
    [...reread.leases.values()].map((l) => formatLease(l)).sort(),
    [formatLease(inPool(20, { ends: NOW + 7 })), formatLease(outside), formatLease(records[2] as Lease)].sort(),
  );
  assert.ok(fs.existsSync(`${file}~`), 'the old file is kept as dhcpd.leases~');

  // A commit of a held address is the allocator's; the journal keeps no copy, and a rewrite
  // writes the allocator's state.
  const slot = a.slotOf(ip('192.0.2.40'));
  const id: ClientIdentity = {
    uid: undefined,
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, 0, 0, 40]) },
    uidKey: undefined,
    hwKey: 'x',
  };
  const rec = a.commit(slot, id, undefined, NOW, NOW + 60, false);
  await journal.commit([rec]);
  assert.equal(journal.stats().live, 2, 'authoring-byte-order and the lease in no pool');
  await journal.rewrite();
  const after = parseLeases(fs.readFileSync(file, 'latin1'), file);
  assert.equal(after.leases.size, 4);
  assert.equal(formatLease(after.leases.get(rec.address)!), formatLease(rec));
  assert.equal(journal.snapshot().filter((r) => r.kind === 'lease').length, 4);

  // Records given to rewrite() replace what the journal keeps; the allocator's leases stay.
  await journal.rewrite([outside]);
  const given = parseLeases(fs.readFileSync(file, 'latin1'), file);
  assert.equal(given.leases.size, 4);
});

test('a file that does not parse is an error with a holder too, and is left as it was', async (t) => {
  const file = tmpFile(t);
  const bad = 'lease 192.0.2.20 {\n  starts 1 2023/11/14 22:13:20;\n  bogus;\n}\nlease 192.0.2.21 {\n}\n';
  fs.writeFileSync(file, bad);
  const journal = new FileJournal(file, { clock: () => NOW * 1000 });
  await assert.rejects(journal.load(new Allocator(treeOf(CONF)).leaseHolder(NOW)), /dhcpd.leases:3: /);
  assert.equal(fs.readFileSync(file, 'latin1'), bad);
  assert.equal(fs.existsSync(`${file}~`), false);
});

test('canonical blocks read as fields give the allocator and the journal what the full parser gives', () => {
  const tree = treeOf(CONF);
  // Addresses in the pool and outside it (192.0.2.201+: the journal keeps those as Leases).
  const anyLease = fc.tuple(leaseArb, fc.boolean()).map(([l, out]) => (out ? { ...l, address: l.address + 100 } : l));
  fc.assert(
    fc.property(fc.array(anyLease, { minLength: 1, maxLength: 30 }), (leases) => {
      const text = [...formatLeaseFile(leases)].join('');
      const bytes = Buffer.from(text, 'latin1');
      const viaFields = new Allocator(tree);
      const holder = viaFields.leaseHolder(NOW);
      const fast = parseLeasesBytes(bytes, 'f', { onLease: holder.take, onLeaseFields: holder.takeFields! });
      holder.finish();
      const slow = parseLeases(text, 'f', { fastPath: false });
      assert.equal(fast.error, undefined);
      assert.equal(fast.recordCount, slow.recordCount);
      const reference = new Allocator(tree);
      reference.loadAll(slow.leases.values(), NOW);
      const texts = (it: Iterable<Lease>) => [...it].map((l) => formatLease(l));
      assert.deepEqual(texts(holder.records()), texts(reference.recordedLeases()));
      const kept = [...slow.leases.values()].filter((l) => !reference.holds(l.address));
      assert.deepEqual(texts(fast.leases.values()), texts(kept));
      assert.deepEqual([...fast.leases.values()], kept);
    }),
    { numRuns: 300 },
  );
});

test('a reload hands the leases to the new allocator; those it does not hold stay in the journal', async (t) => {
  const file = tmpFile(t);
  const l = (a: string): Lease => ({
    kind: 'lease',
    address: ip(a),
    starts: NOW - 10,
    ends: NOW + 600,
    cltt: NOW - 10,
    bindingState: 'active',
    nextBindingState: 'free',
    hardware: { type: 1, address: new Uint8Array([2, 0, 0, 0, 0, 7]) },
  });
  fs.writeFileSync(file, [...formatLeaseFile([l('192.0.2.20'), l('192.0.2.150')])].join(''));
  const old = new Allocator(treeOf(CONF));
  const journal = new FileJournal(file, { clock: () => NOW * 1000 });
  t.after(() => journal.close());
  await journal.load(old.leaseHolder(NOW));
  // The new configuration's range ends at .100: .150 is in no pool any more.
  const next = new Allocator(treeOf('subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.100; }'));
  next.loadAll(old.leaseRecords(), NOW);
  await journal.adoptHolder(next.leaseHolder(NOW));
  await journal.rewrite();
  const after = parseLeases(fs.readFileSync(file, 'latin1'), file);
  assert.deepEqual([...after.leases.keys()].sort(), [ip('192.0.2.20'), ip('192.0.2.150')].sort());
});
