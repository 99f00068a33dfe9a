// What one durable lease write costs on a disk, alone: a lease-sized record appended and fdatasynced, as the
// journal does for each group. run.sh measures the folder the benchmark's lease files live in before any server
// starts, so RESULTS.md shows the floor that every server syncing before its ACK pays on this machine.

import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { formatLease } from '../../src/leases/writer.js';

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
  // What the journal appends for one ACK, written by the journal's own writer.
  const record = Buffer.from(
    formatLease({
      kind: 'lease',
      address: 0xc612000a, // 198.18.0.10
      starts: 1_795_388_400,
      ends: 1_795_395_600,
      cltt: 1_795_388_400,
      bindingState: 'active',
      nextBindingState: 'free',
      hardware: { type: 1, address: Uint8Array.of(2, 0, 0, 0, 0, 1) },
    }),
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
