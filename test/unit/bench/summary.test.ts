import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { summary } from '../../../bench/lib/summary.js';
import { measureSyncs, syncLine, syncStats } from '../../../bench/lib/sync-time.js';

const dir = mkdtempSync(join(tmpdir(), 'leasehold-bench-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STEP_KEYS =
  'server phase offered secs do_sent do_recv ra_sent ra_recv achieved drops_pct do_min do_avg do_max ra_min ra_avg ra_max srv_utime srv_stime srv_cpu pd_cpu sys_busy other_cpu leases rss_kb hwm_kb pd_rate report'.split(
    ' ',
  );

function step(v: Record<string, string | number>): string {
  return STEP_KEYS.map((k) => String(v[k] ?? '')).join('\t');
}

function writeRun(extra: string[]): void {
  writeFileSync(
    join(dir, 'servers.tsv'),
    'server\tversion\tdrop_max\tconfirm_secs\tnote\nleasehold\tLeasehold 0.1.0\t1\t10\t\nkea\tKea 2.2.0\t1\t10\t\n',
  );
  const rows = [
    step({
      server: 'leasehold',
      phase: 'confirm',
      offered: 12000,
      achieved: 11900,
      drops_pct: 0.2,
      ra_recv: 119000,
      srv_cpu: 8,
      ra_avg: 9,
    }),
    step({
      server: 'kea',
      phase: 'confirm',
      offered: 7000,
      achieved: 6990,
      drops_pct: 0.1,
      ra_recv: 69900,
      srv_cpu: 8,
      ra_avg: 0.5,
    }),
    step({ server: 'leasehold', phase: 'half', offered: 6000, secs: 10, achieved: 6000, drops_pct: 0, ra_avg: 0.64 }),
    step({ server: 'kea', phase: 'half', offered: 6000, secs: 10, achieved: 6000, drops_pct: 0, ra_avg: 0.15 }),
    ...extra,
  ];
  writeFileSync(join(dir, 'steps.tsv'), `${STEP_KEYS.join('\t')}\n${rows.join('\n')}\n`);
}

test('the tmpfs control is listed in the half-rate table and stated apart, never compared as a peer', () => {
  writeRun([
    step({
      server: 'leasehold-nosync',
      phase: 'half',
      offered: 6000,
      secs: 10,
      achieved: 6000,
      drops_pct: 0,
      ra_avg: 0.18,
    }),
  ]);
  const text = summary(dir);
  assert.match(
    text,
    /\| leasehold-nosync \(control: lease file on tmpfs, fdatasync costs nothing, NOT durable\) \| 6,000 \|/,
  );
  assert.match(text, /Sustained rate: Leasehold 11,900 DORA\/s, best peer kea 6,990: 1\.70x \(target 1\.25x\): met\./);
  assert.match(text, /Leasehold 0\.640 ms, kea 0\.150 ms: worse: NOT met/);
  assert.match(
    text,
    /Control, not a target: .* in 0\.180 ms on average at that rate, against 0\.640 ms with it on disk/,
  );
  assert.doesNotMatch(text, /leasehold-nosync 0\.180 ms: /);
  // Only the half phase ran for the control: no row of its own in the main table.
  assert.doesNotMatch(text, /^\| leasehold-nosync \| Leasehold/m);
});

test('without the control there is no control line', () => {
  writeRun([]);
  const text = summary(dir);
  assert.doesNotMatch(text, /leasehold-nosync|Control, not a target/);
  assert.match(text, /REQUEST-to-ACK average at 6,000\/s: Leasehold 0\.640 ms, kea 0\.150 ms/);
});

test('sync statistics: average and nearest-rank percentiles', () => {
  const s = syncStats([400, 100, 200, 300]);
  assert.deepEqual(s, { count: 4, avgUs: 250, p50Us: 200, p99Us: 400, maxUs: 400 });
  assert.deepEqual(syncStats([]), { count: 0, avgUs: 0, p50Us: 0, p99Us: 0, maxUs: 0 });
  assert.equal(syncLine(s), '4 x (append a lease record + fdatasync): avg 250 us, median 200, p99 400, max 400');
});

test('measureSyncs times real appends and leaves nothing behind', () => {
  const where = mkdtempSync(join(dir, 'syncs-'));
  const t = measureSyncs(where, 5);
  assert.equal(t.count, 5);
  assert.ok(t.avgUs > 0 && t.maxUs >= t.p50Us);
  assert.deepEqual(readdirSync(where), []);
});
