// The journal's durability: fsync before a commit resolves, group commit, atomic rewrite with
// dhcpd.leases~, repair after a failed write, and a file that does not parse is never touched.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileJournal } from '../../../src/leases/journal.js';
import type { Lease } from '../../../src/leases/lease.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { LeaseFileError } from '../../../src/leases/store.js';
import { formatLeaseFile } from '../../../src/leases/writer.js';
import { gate, RecordingFs } from './fake-fs.js';
import { ip } from './helpers.js';

const NOW = 1704888000;

function lease(n: number, extra: Partial<Lease> = {}): Lease {
  return {
    kind: 'lease',
    address: ip(`192.0.2.${n}`),
    starts: NOW,
    ends: NOW + 3600,
    cltt: NOW,
    bindingState: 'active',
    nextBindingState: 'free',
    hardware: { type: 1, address: new Uint8Array([0x52, 0x54, 0, 0, 0, n]) },
    ...extra,
  };
}

const INITIAL = [...formatLeaseFile([lease(1), lease(2)])].join('');

describe('lease journal', () => {
  let dir: string;
  let file: string;
  let rfs: RecordingFs;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leasehold-journal-'));
    file = path.join(dir, 'dhcpd.leases');
    fs.writeFileSync(file, INITIAL, 'latin1');
    rfs = new RecordingFs();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const open = async (opts = {}) => {
    const j = new FileJournal(file, { fs: rfs, clock: () => NOW * 1000, ...opts });
    const loaded = await j.load();
    return { j, loaded };
  };

  it('loads the file, rewrites it as dhcpd does at start-up, keeping dhcpd.leases~', async () => {
    const { j, loaded } = await open();
    assert.equal(loaded.leases.size, 2);
    assert.equal(fs.readFileSync(`${file}~`, 'latin1'), INITIAL);
    assert.equal(parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.size, 2);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['dhcpd.leases', 'dhcpd.leases~']);
    await j.close();
  });

  it('a commit resolves only after an fsync that began after its bytes were written', async () => {
    const { j } = await open({ rewriteOnLoad: false });
    const start = rfs.events.length;
    const resolved: number[] = [];
    const order: string[] = [];
    const N = 40;
    // Half the commits in one tick, half while the first sync is in flight.
    const held = gate();
    let first = true;
    rfs.hold = (op) => {
      if (op === 'datasync' && first) {
        first = false;
        return held.promise;
      }
      return undefined;
    };
    const all: Promise<void>[] = [];
    for (let n = 10; n < 10 + N / 2; n++) {
      all.push(j.commit([lease(n)]).then(() => void resolved.push(n)));
    }
    await new Promise<void>((r) => setImmediate(r));
    for (let n = 10 + N / 2; n < 10 + N; n++) {
      all.push(j.commit([lease(n)]).then(() => void resolved.push(n)));
    }
    assert.equal(resolved.length, 0, 'nothing resolves while the sync is held');
    held.open();
    await Promise.all(all);
    const events = rfs.events.slice(start);
    const syncs = events.filter((e) => e.op === 'datasync' && e.phase === 'start');
    assert.ok(syncs.length <= 2 && syncs.length >= 1, `${syncs.length} syncs for ${N} commits`);
    for (const e of events) order.push(`${e.op}:${e.phase}`);
    // Every lease's bytes were written before some sync started, and that sync ended.
    for (let n = 10; n < 10 + N; n++) {
      const w = events.findIndex((e) => e.op === 'write' && e.phase === 'end' && e.text?.includes(`192.0.2.${n} {`));
      assert.ok(w >= 0, `lease ${n} written`);
      const s = events.findIndex((e, k) => k > w && e.op === 'datasync' && e.phase === 'start');
      assert.ok(s > w, `a sync starts after lease ${n} is written`);
      const seq = events[s]!.seq;
      assert.ok(events.some((e) => e.op === 'datasync' && e.phase === 'end' && e.seq === seq));
    }
    assert.equal(resolved.length, N);
    await j.close();
    const back = parseLeases(fs.readFileSync(file, 'latin1'), 'f');
    assert.equal(back.leases.size, 2 + N);
  });

  it('commits queue behind a rewrite and reach the new file', async () => {
    const { j } = await open();
    const p1 = j.rewrite();
    const p2 = j.commit([lease(50)]);
    await Promise.all([p1, p2]);
    await j.close();
    assert.ok(parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.has(ip('192.0.2.50')));
  });

  it('rewrite goes through a synced temporary file, a rename and a directory sync', async () => {
    const { j } = await open({ rewriteOnLoad: false });
    await j.commit([lease(3)]);
    const start = rfs.events.length;
    await j.rewrite();
    const ev = rfs.events.slice(start).filter((e) => e.phase === 'end');
    const tmp = `${file}.${NOW}`;
    const idx = (op: string, p: string) => ev.findIndex((e) => e.op === op && e.path === p);
    assert.ok(idx('sync', tmp) >= 0, 'temporary file synced');
    const rename = ev.findIndex((e) => e.op === 'rename' && e.path === `${tmp} -> ${file}`);
    assert.ok(idx('sync', tmp) < rename, 'sync before rename');
    assert.ok(ev.findIndex((e) => e.op === 'link') < rename, 'backup before rename');
    assert.ok(idx('sync', dir) > rename, 'directory synced after rename');
    assert.ok(idx('open', file) > idx('sync', dir), 'reopened for appending after that');
    assert.equal(j.stats().appendedSinceRewrite, 0);
    await j.close();
  });

  it('a rewrite that fails midway leaves the old file intact and the journal usable', async () => {
    const { j } = await open({ rewriteOnLoad: false });
    await j.commit([lease(3)]);
    const before = fs.readFileSync(file);
    rfs.fault = (op, p) => (op === 'write' && p.endsWith(`.${NOW}`) ? new Error('ENOSPC: no space left') : undefined);
    await assert.rejects(j.rewrite(), /ENOSPC/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(dir), ['dhcpd.leases'], 'no temporary file left behind');
    rfs.fault = () => undefined;
    await j.commit([lease(4)]);
    await j.close();
    assert.equal(parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.size, 4);
  });

  it('a failed append is rejected, and the next commit repairs the file first', async () => {
    const { j } = await open({ rewriteOnLoad: false });
    rfs.fault = (op, _p, text) => (op === 'write' && text?.includes('192.0.2.7 {') ? new Error('EIO') : undefined);
    // Simulate a partial write: half a record reaches the file before the error.
    fs.appendFileSync(file, 'lease 192.0.2.7 {\n  starts 3 2024/01/1');
    await assert.rejects(j.commit([lease(7)]), /EIO/);
    rfs.fault = () => undefined;
    await j.commit([lease(8)]);
    await j.close();
    const back = parseLeases(fs.readFileSync(file, 'latin1'), 'f');
    assert.equal(back.error, undefined);
    assert.equal(back.tornTail, undefined);
    assert.deepEqual(
      [...back.leases.keys()].map((a) => a & 0xff).sort((x, y) => x - y),
      [1, 2, 8],
    );
  });

  it('a file that does not parse is left byte-identical', async () => {
    const bad = `${INITIAL}lease 192.0.2.9 {\n  starts 3 2024/01/10 12:00:00 UTC;\n}\n${INITIAL}`;
    fs.writeFileSync(file, bad, 'latin1');
    const j = new FileJournal(file, { fs: rfs });
    const line = INITIAL.split('\n').length + 1;
    await assert.rejects(j.load(), (e: unknown) => {
      assert.ok(e instanceof LeaseFileError);
      assert.equal(e.diagnostic.line, line);
      assert.equal(e.message, `${file}:${line}: Time zone offset or semicolon expected.`);
      return true;
    });
    assert.equal(fs.readFileSync(file, 'latin1'), bad);
    assert.deepEqual(fs.readdirSync(dir), ['dhcpd.leases']);
    assert.equal(rfs.count('open'), 0, 'nothing opened for writing');
    await assert.rejects(j.commit([lease(3)]), /not loaded/);
  });

  it('a torn last record is skipped with a warning and the file is rewritten whole', async () => {
    const torn = `${INITIAL}lease 192.0.2.9 {\n  starts 3 2024/01/10 12:00:00;\n  ends 3 20`;
    fs.writeFileSync(file, torn, 'latin1');
    const { j, loaded } = await open({ rewriteOnLoad: false });
    assert.equal(loaded.leases.size, 2);
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0]!.message, /incomplete/);
    assert.equal(fs.readFileSync(`${file}~`, 'latin1'), torn);
    await j.commit([lease(9)]);
    await j.close();
    const back = parseLeases(fs.readFileSync(file, 'latin1'), 'f');
    assert.equal(back.tornTail, undefined);
    assert.equal(back.leases.size, 3);
  });

  it('refuses a missing file unless asked to create it, as dhcpd does', async () => {
    fs.rmSync(file);
    await assert.rejects(new FileJournal(file, { fs: rfs }).load(), /ENOENT/);
    const j = new FileJournal(file, { fs: rfs, createIfMissing: true });
    await j.load();
    await j.commit([lease(1)]);
    await j.close();
    assert.equal(parseLeases(fs.readFileSync(file, 'latin1'), 'f').leases.size, 1);
  });
});
