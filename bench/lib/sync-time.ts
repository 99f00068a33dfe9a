// What one durable lease write costs on a disk, alone: a lease-sized record appended and fdatasynced, as the
// journal does for each group. run.sh measures the folder the benchmark's lease files live in before any server
// starts, so RESULTS.md shows the floor that every server syncing before its ACK pays on this machine.

import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SyncTimes {
  count: number;
  avgUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

/** Average and percentiles of durations in microseconds (nearest rank). */
export function syncStats(us: readonly number[]): SyncTimes {
  if (us.length === 0) return { count: 0, avgUs: 0, p50Us: 0, p99Us: 0, maxUs: 0 };
  const s = [...us].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return {
    count: s.length,
    avgUs: s.reduce((a, b) => a + b, 0) / s.length,
    p50Us: at(0.5),
    p99Us: at(0.99),
    maxUs: s[s.length - 1]!,
  };
}

/** Appends `count` lease-sized records to a scratch file in `dir`, each followed by fdatasync. */
export function measureSyncs(dir: string, count: number): SyncTimes {
  const scratch = mkdtempSync(join(dir, 'sync-time-'));
  const record = Buffer.from(
    `lease 198.18.0.10 {\n  starts 0 2026/11/22 23:00:00;\n  ends 1 2026/11/23 01:00:00;\n  cltt 0 2026/11/22 23:00:00;\n` +
      '  binding state active;\n  next binding state free;\n  rewind binding state free;\n' +
      '  hardware ethernet 02:00:00:00:00:01;\n}\n',
    'latin1',
  );
  const fd = openSync(join(scratch, 'dhcpd.leases'), 'a');
  const us: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      writeSync(fd, record);
      fdatasyncSync(fd);
      us.push((performance.now() - t0) * 1000);
    }
  } finally {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
  return syncStats(us);
}

export function syncLine(t: SyncTimes): string {
  const r = (x: number) => Math.round(x);
  return `${t.count} x (append a lease record + fdatasync): avg ${r(t.avgUs)} us, median ${r(t.p50Us)}, p99 ${r(t.p99Us)}, max ${r(t.maxUs)}`;
}
