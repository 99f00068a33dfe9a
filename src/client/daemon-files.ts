// The client's files: dhclient.leases (read and rewritten at start, appended after each binding, as ISC's
// rewrite_client_leases / write_client_lease do) and the PID file.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { Catalogue } from '../options/catalogue.js';
import type { ClientLease } from './lease.js';
import { type ClientLeaseFile, formatClientLease, formatClientLeaseFile, parseClientLeaseFile } from './lease-file.js';

export class LeaseFile {
  constructor(
    readonly path: string,
    private readonly cat: Catalogue,
  ) {}

  /** The file's leases; a missing file is an empty one (first run). */
  read(): ClientLeaseFile {
    let data: Buffer;
    try {
      data = readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { leases: [], lease6Blocks: [], warnings: [] };
      throw err;
    }
    return parseClientLeaseFile(new Uint8Array(data), this.cat, this.path);
  }

  /**
   * Rewrites the file without expired leases (through a temporary file and a rename, so a crash leaves the
   * old file or the new one). Leases of other interfaces are kept: another client may own them.
   */
  rewrite(file: ClientLeaseFile, nowSec: number): void {
    const leases = file.leases.filter((l) => l.expire > nowSec);
    const text = formatClientLeaseFile({ ...file, leases }, this.cat);
    const tmp = `${this.path}.tmp${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, this.path);
  }

  /** Appends one lease and fsyncs: the record is on disk before the client goes on. */
  append(lease: ClientLease, iface?: string): void {
    const fd = openSync(this.path, 'a', 0o644);
    try {
      writeSync(fd, formatClientLease(lease, this.cat, iface));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

export function writePidFile(path: string, pid = process.pid): void {
  const tmp = `${path}.tmp${pid}`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

/** The PID a PID file names, if it names a live process other than this one. */
export function runningPid(path: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Removes the PID file if it still names this process. */
export function removePidFile(path: string, pid = process.pid): void {
  try {
    if (Number.parseInt(readFileSync(path, 'utf8').trim(), 10) === pid) unlinkSync(path);
  } catch {
    // already gone
  }
}
