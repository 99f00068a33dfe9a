// Lease history (`--history-days N`, default 30): every lease record the server made durable, kept beside
// the lease file in `LEASEFILE.history` as JSON lines, searchable by address or hardware address. The lease
// file itself is compacted every hour and keeps only each address's last record; this file keeps them all.
//
// Off the fsync path: entries are taken from the daemon's onCommitted hook (after the ACK's fsync), queued
// and appended in batches on a timer, never synced (a crash may lose the last second of history, never a
// lease). In memory: one small index per address and per hardware address (file offsets of their entries),
// rebuilt by reading the file at start-up; entries older than N days are dropped by rewriting the file
// once a day (through a temporary file and a rename).

import { createReadStream } from 'node:fs';
import { appendFile, open, rename, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { LeaseFileRecord } from '../leases/lease.js';
import { colonHex } from '../leases/text.js';
import { ipToString } from '../wire/ip.js';

export interface HistoryEntry {
  /** When the change was made durable (seconds since the epoch). */
  t: number;
  ip: string;
  state: string;
  hardware?: string;
  clientId?: string;
  hostname?: string;
  starts?: number;
  ends?: number | null;
}

export interface HistoryQuery {
  ip?: string;
  /** Colon hex, any case. */
  mac?: string;
  /** Newest first, at most this many (default 100, max 1000). */
  limit?: number;
}

const DAY = 86_400;

/** The history entry of a durable lease record (host records have none). */
export function entryOf(r: LeaseFileRecord, t: number): HistoryEntry | undefined {
  if (r.kind !== 'lease') return undefined;
  const e: HistoryEntry = { t, ip: ipToString(r.address), state: r.bindingState ?? 'free' };
  if (r.hardware !== undefined) e.hardware = colonHex(r.hardware.address);
  if (r.uid !== undefined) e.clientId = colonHex(r.uid);
  if (r.clientHostname !== undefined) e.hostname = r.clientHostname;
  if (r.starts !== undefined) e.starts = r.starts;
  if (r.ends !== undefined) e.ends = Number.isFinite(r.ends) ? r.ends : null;
  return e;
}

export class LeaseHistory {
  private readonly byIp = new Map<string, number[]>();
  private readonly byMac = new Map<string, number[]>();
  private size = 0;
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly days: number,
    private readonly clock: () => number,
    private readonly onError: (text: string) => void,
  ) {}

  /** Opens (creating) the history file and indexes it; entries older than `days` are dropped on the way. */
  static async open(
    path: string,
    days: number,
    clock: () => number = () => Date.now() / 1000,
    onError: (text: string) => void = () => undefined,
  ): Promise<LeaseHistory> {
    const h = new LeaseHistory(path, days, clock, onError);
    await h.prune();
    h.timer = setInterval(() => void h.flush(), 1000);
    h.timer.unref();
    return h;
  }

  /** Records made durable (the daemon's onCommitted): queued, appended within a second. */
  committed(records: readonly LeaseFileRecord[]): void {
    if (this.closed) return;
    const t = Math.floor(this.clock());
    for (const r of records) {
      const e = entryOf(r, t);
      if (e !== undefined) this.queue.push(`${JSON.stringify(e)}\n`);
    }
  }

  /** Appends what is queued (one write); daily, drops what is older than the kept days. */
  async flush(): Promise<void> {
    if (this.writing !== undefined) return this.writing;
    this.writing = (async () => {
      try {
        if (this.queue.length > 0) {
          const lines = this.queue;
          this.queue = [];
          const text = lines.join('');
          await appendFile(this.path, text);
          let at = this.size;
          for (const line of lines) {
            this.index(JSON.parse(line) as HistoryEntry, at);
            at += Buffer.byteLength(line);
          }
          this.size = at;
        }
        if (this.clock() - this.lastPrune >= DAY) await this.prune();
      } catch (e) {
        this.onError(`lease history ${this.path}: ${(e as Error).message}`);
      }
    })().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  /** Entries of an address or a hardware address, newest first. */
  async query(q: HistoryQuery): Promise<HistoryEntry[]> {
    await this.flush();
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    let offsets: number[] = [];
    if (q.ip !== undefined) offsets = this.byIp.get(q.ip) ?? [];
    if (q.mac !== undefined) {
      const m = this.byMac.get(q.mac.toLowerCase()) ?? [];
      offsets = q.ip !== undefined ? offsets.filter((o) => m.includes(o)) : m;
    }
    const wanted = offsets.slice(-limit).reverse();
    if (wanted.length === 0) return [];
    const fh = await open(this.path, 'r');
    try {
      const out: HistoryEntry[] = [];
      const buf = Buffer.alloc(4096);
      for (const off of wanted) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, off);
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl < 0) continue;
        out.push(JSON.parse(buf.subarray(0, nl).toString('utf8')) as HistoryEntry);
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    this.closed = true;
  }

  private index(e: HistoryEntry, at: number): void {
    push(this.byIp, e.ip, at);
    if (e.hardware !== undefined) push(this.byMac, e.hardware, at);
  }

  /** Reads the file, keeps the last `days`, rewrites it if anything went, and rebuilds the indexes. */
  private async prune(): Promise<void> {
    this.lastPrune = this.clock();
    const cutoff = this.clock() - this.days * DAY;
    const exists = await stat(this.path).then(
      () => true,
      () => false,
    );
    if (!exists) await writeFile(this.path, '');
    this.byIp.clear();
    this.byMac.clear();
    const kept: string[] = [];
    let dropped = 0;
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.length === 0) continue;
      let e: HistoryEntry;
      try {
        e = JSON.parse(line) as HistoryEntry;
      } catch {
        dropped++; // a torn last line after a crash
        continue;
      }
      if (e.t < cutoff) dropped++;
      else kept.push(line);
    }
    if (dropped > 0) {
      const tmp = `${this.path}~`;
      await writeFile(tmp, kept.length > 0 ? `${kept.join('\n')}\n` : '');
      await rename(tmp, this.path);
    }
    let at = 0;
    for (const line of kept) {
      this.index(JSON.parse(line) as HistoryEntry, at);
      at += Buffer.byteLength(line) + 1;
    }
    this.size = at;
  }
}

function push(map: Map<string, number[]>, key: string, at: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [at]);
  else list.push(at);
}
