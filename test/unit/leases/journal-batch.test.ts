// The journal's bookkeeping after the performance work: a group of commits goes out as one write
// before its sync, the rewrite streams through a reused buffer (files bigger than it come out
// whole), and the live records keep their keys and order whether or not a rewrite re-keys them.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileJournal } from '../../../src/leases/journal.js';
import type { Lease, LeaseFileRecord } from '../../../src/leases/lease.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { formatLeaseFile } from '../../../src/leases/writer.js';
import { RecordingFs } from './fake-fs.js';

const NOW = 1704888000;

function lease(n: number, extra: Partial<Lease> = {}): Lease {
  return {
    kind: 'lease',
    address: (0xc0000200 + n) >>> 0, // 192.0.2.n on from 192.0.2.0
    starts: NOW,
    ends: NOW + 3600,
    cltt: NOW,
    bindingState: 'active',
    nextBindingState: 'free',
    hardware: { type: 1, address: new Uint8Array([0x52, 0x54, 0, 0, n >> 8, n & 255]) },
    ...extra,
  };
}

describe('lease journal batching and bookkeeping', () => {
  let dir: string;
  let file: string;
  let rfs: RecordingFs;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leasehold-journal-batch-'));
    file = path.join(dir, 'dhcpd.leases');
    rfs = new RecordingFs();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on a real file the batch is written and synced on the event loop, and reads back whole', async () => {
    fs.writeFileSync(file, [...formatLeaseFile([lease(1)])].join(''), 'latin1');
    const j = new FileJournal(file, { clock: () => NOW * 1000 }); // node's fs: handles with a descriptor
    await j.load();
    await Promise.all([2, 3].map((n) => j.commit([lease(n)])));
    await j.commit([lease(4)]);
    // Durable before close: what the file holds now is what a crash would leave.
    assert.deepEqual([...parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.keys()].length, 4);
    await j.close();
  });

  it('under load commits gather for flushGapMs; after a quiet spell a commit is flushed at once', async () => {
    fs.writeFileSync(file, [...formatLeaseFile([lease(1)])].join(''), 'latin1');
    let now = 1000;
    const timers: { fn: () => void; ms: number }[] = [];
    const j = new FileJournal(file, {
      fs: rfs,
      clock: () => NOW * 1000,
      flushGapMs: 1,
      monotonic: () => now,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
    });
    await j.load();
    const writes = () => rfs.events.filter((e) => e.op === 'write' && e.phase === 'end').length;
    const before = writes();
    await j.commit([lease(2)]); // quiet until now: at once, no timer
    assert.equal(timers.length, 0);
    assert.equal(writes(), before + 1);
    now += 0.25;
    const c3 = j.commit([lease(3)]);
    now += 0.25;
    const c4 = j.commit([lease(4)]);
    let settled = false;
    void Promise.all([c3, c4]).then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(timers.length, 1, 'one timer for the gathered commits');
    assert.equal(timers[0]!.ms, 0.75);
    assert.equal(writes(), before + 1, 'nothing written before the gap has passed');
    assert.equal(settled, false, 'and nothing acknowledged');
    now += 0.5;
    timers[0]!.fn();
    await Promise.all([c3, c4]);
    assert.equal(writes(), before + 2, 'both in one write');
    await j.close();
    assert.equal([...parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.keys()].length, 4);
  });

  it('commits queued together are written with one write, then one sync', async () => {
    fs.writeFileSync(file, [...formatLeaseFile([lease(1)])].join(''), 'latin1');
    const j = new FileJournal(file, { fs: rfs, clock: () => NOW * 1000 });
    await j.load();
    const start = rfs.events.length;
    await Promise.all([2, 3, 4, 5].map((n) => j.commit([lease(n)])));
    const ev = rfs.events.slice(start).filter((e) => e.phase === 'end');
    const writes = ev.filter((e) => e.op === 'write');
    const syncs = ev.filter((e) => e.op === 'datasync');
    assert.ok(writes.length <= 2 && syncs.length === writes.length, ev.map((e) => e.op).join(' '));
    for (const n of [2, 3, 4, 5])
      assert.ok(
        writes.some((w) => w.text?.includes(`192.0.2.${n} {`)),
        `lease ${n}`,
      );
    await j.close();
    assert.deepEqual([...parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.keys()].length, 5);
  });

  it('a rewrite larger than its buffer writes every record, in order', async () => {
    const many: Lease[] = [];
    for (let n = 1; n <= 9000; n++) many.push(lease(n, { clientHostname: `h${'x'.repeat(n % 200)}` }));
    const text = [...formatLeaseFile(many)].join('');
    assert.ok(text.length > 2 << 20, 'more than two buffers of text');
    fs.writeFileSync(file, text, 'latin1');
    const j = new FileJournal(file, { clock: () => NOW * 1000 });
    const loaded = await j.load();
    await j.close();
    const again = fs.readFileSync(file, 'latin1');
    assert.equal(again, [...formatLeaseFile(loaded.records, { software: 'leasehold' })].join(''));
    assert.deepEqual([...parseLeases(again, 'f').leases.values()], [...loaded.leases.values()]);
  });

  it('live records keep their order and keys through load, rewrite, commits and a rewrite of given records', async () => {
    // No authoring-byte-order record in the file: the rewrite adds one, first.
    const body = [...formatLeaseFile([lease(1), lease(2), lease(3)])]
      .join('')
      .replace(/^authoring-byte-order.*\n/m, '');
    fs.writeFileSync(file, body, 'latin1');
    const j = new FileJournal(file, { clock: () => NOW * 1000 });
    await j.load();
    const kinds = (rs: LeaseFileRecord[]) => rs.map((r) => (r.kind === 'lease' ? r.address & 255 : r.kind));
    assert.deepEqual(kinds(j.snapshot()), ['authoring-byte-order', 1, 2, 3]);
    await j.commit([lease(2, { ends: NOW + 7200 })]);
    assert.deepEqual(kinds(j.snapshot()), ['authoring-byte-order', 1, 3, 2]);
    assert.equal(j.leases().get(lease(2).address)?.ends, NOW + 7200);
    assert.equal(j.stats().live, 4);
    await j.rewrite(); // a snapshot of itself: nothing changes
    assert.deepEqual(kinds(j.snapshot()), ['authoring-byte-order', 1, 3, 2]);
    await j.rewrite([lease(3), lease(1)]);
    assert.deepEqual(kinds(j.snapshot()), ['authoring-byte-order', 3, 1]);
    await j.commit([lease(3, { bindingState: 'free' })]);
    assert.deepEqual(kinds(j.snapshot()), ['authoring-byte-order', 1, 3]);
    assert.equal(j.leases().get(lease(3).address)?.bindingState, 'free');
    await j.close();
  });
});
