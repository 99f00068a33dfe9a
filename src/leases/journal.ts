// The dhcpd.leases journal: a LeaseStore on ISC's file, with ISC's durability dance.
//
// - load(): read and parse the whole file. A file that does not parse is never written to (the
//   error is thrown before any file is opened for writing). Like dhcpd at start-up, the file is
//   then rewritten (compacted) - always when its last record was torn, so that appends never
//   follow garbage.
// - commit(): format, append, fdatasync, then resolve. Commits that arrive while a flush is in
//   flight wait for the next one and share it (group commit): N concurrent commits cost at most
//   two syncs, and none resolves before a sync that started after its bytes were written.
// - rewrite(): write `dhcpd.leases.<time>` in the same directory, fsync it, keep the old file
//   as `dhcpd.leases~` (unlink + link, as ISC does), rename over `dhcpd.leases`, fsync the
//   directory, then reopen for appending. A failure before the rename leaves the old file as
//   it was.
// - After a failed write or sync the file may end in a partial record, and after a failed
//   fsync the kernel may have dropped pages (so retrying proves nothing): the journal is marked
//   damaged and the next commit first rewrites the file from the committed snapshot.
//
// All writes go through one queue, so an append never interleaves with a rewrite.

import { fdatasyncSync, writeSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Lease, LeaseFileRecord } from './lease.js';
import { LeaseTextBuffer } from './lease-text.js';
import { type ParsedLeases, type ParseLeasesOptions, parseLeasesBytes, parseLeasesFile } from './reader.js';
import { recordKey } from './records.js';
import { LeaseFileError, type LeaseHolder, type LeaseStore, type LeaseStoreStats, type LoadedLeases } from './store.js';
import { type FileWriteOptions, formatLeaseFile, formatRecord } from './writer.js';

/** The part of a FileHandle the journal uses (fs.promises.FileHandle satisfies it). */
export interface JournalFileHandle {
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
  /** The descriptor, when the handle is a real file (fs.promises' is): flushes then sync on the event loop. */
  readonly fd?: number;
}

/** The file system calls the journal makes (node:fs/promises satisfies it); tests inject faults. */
export interface JournalFs {
  readFile(path: string): Promise<Uint8Array>;
  open(path: string, flags: string, mode?: number): Promise<JournalFileHandle>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export interface JournalOptions extends ParseLeasesOptions, FileWriteOptions {
  fs?: JournalFs;
  /** Milliseconds since the epoch; names the temporary file as ISC does (`dhcpd.leases.<seconds>`). */
  clock?: () => number;
  /** Rewrite the file right after loading it, as dhcpd does at start-up (default true). */
  rewriteOnLoad?: boolean;
  /** Create an empty file when there is none (dhcpd refuses to start instead; default false). */
  createIfMissing?: boolean;
  /**
   * Least time between the starts of two flushes (ms; default 0: flush as soon as the packets at hand are
   * decided). Commits that arrive while a flush writes and syncs wait for the next one, so under load each
   * fdatasync still serves several ACKs. A gap of 1 ms (the earlier default) saved a little CPU but, measured
   * with perfdhcp at 7,000 DORA/s (four runs), doubled the server's REQUEST-to-ACK time: 0.8-1.05 ms against
   * 0.31-0.50 ms with 0, because a timer of under a millisecond fires a millisecond or two later.
   */
  flushGapMs?: number;
  /** Monotonic milliseconds and a one-shot timer, for flushGapMs (tests drive them by hand). */
  monotonic?: () => number;
  setTimer?: (fn: () => void, ms: number) => void;
}

/** Rewrites are written in pieces of about this size. */
const CHUNK = 4 << 20;
/** Room kept free in a piece before the next lease block (the largest is smaller). */
const RESERVE = 1 << 20;

interface Pending {
  /** ISC text, one char per byte; turned into bytes once per flush, not once per commit. */
  text: string;
  records: readonly LeaseFileRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class FileJournal implements LeaseStore {
  readonly path: string;
  private readonly fs: JournalFs;
  private readonly clock: () => number;
  private readonly opts: JournalOptions;
  private handle: JournalFileHandle | undefined;
  private readonly live = new Map<string | number, LeaseFileRecord>();
  private appended = 0;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private lastFlushStart = Number.NEGATIVE_INFINITY;
  private readonly monotonic: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => void;
  private chain: Promise<void> = Promise.resolve();
  private damaged = false;
  private closed = false;
  private loaded = false;
  /** Holds the leases of its addresses (load(holder)); `live` then keeps only the others. */
  private holder: LeaseHolder | undefined;

  constructor(file: string, opts: JournalOptions = {}) {
    this.path = file;
    this.fs = opts.fs ?? (nodeFs as unknown as JournalFs);
    this.clock = opts.clock ?? Date.now;
    this.opts = opts;
    this.monotonic = opts.monotonic ?? performance.now.bind(performance);
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  async load(holder?: LeaseHolder): Promise<LoadedLeases> {
    const opts: ParseLeasesOptions =
      holder === undefined
        ? this.opts
        : {
            ...this.opts,
            onLease: holder.take,
            ...(holder.takeFields !== undefined ? { onLeaseFields: holder.takeFields } : {}),
          };
    let parsed: ParsedLeases;
    let size: number;
    if (this.opts.fs === undefined) {
      // The real file system: read a window at a time, never the whole file at once.
      try {
        const read = parseLeasesFile(this.path, opts);
        parsed = read;
        size = read.fileSize;
      } catch (e) {
        if (!isCode(e, 'ENOENT') || !this.opts.createIfMissing) throw e;
        parsed = parseLeasesBytes(new Uint8Array(0), this.path, opts);
        size = 0;
      }
    } else {
      let bytes: Uint8Array;
      try {
        bytes = await this.fs.readFile(this.path);
      } catch (e) {
        if (!isCode(e, 'ENOENT') || !this.opts.createIfMissing) throw e;
        bytes = new Uint8Array(0);
      }
      parsed = parseLeasesBytes(bytes, this.path, opts);
      size = bytes.length;
    }
    if (parsed.error !== undefined) throw new LeaseFileError(parsed.error);
    const taken = holder === undefined ? 0 : holder.finish();
    this.holder = holder;
    this.live.clear();
    for (const r of parsed.records) if (!forgotten(r)) this.live.set(liveKey(r), r);
    this.appended = parsed.recordCount;
    this.loaded = true;
    if (this.opts.rewriteOnLoad !== false || parsed.tornTail !== undefined || size === 0) {
      await this.rewrite();
    } else {
      await this.exclusive(() => this.reopen());
    }
    return {
      records: parsed.records,
      leases: parsed.leases,
      leaseCount: parsed.leases.size + taken,
      warnings: parsed.warnings,
    };
  }

  commit(changes: readonly LeaseFileRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path}: lease journal is closed`));
    // Before load() the snapshot is empty, and a repair rewrite would write an empty file.
    if (!this.loaded) return Promise.reject(new Error(`${this.path}: lease journal is not loaded`));
    if (changes.length === 0) return Promise.resolve();
    let text = '';
    for (const r of changes) text += formatRecord(r, this.opts);

    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text, records: changes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        const wait = this.lastFlushStart + (this.opts.flushGapMs ?? 0) - this.monotonic();
        // The wait is taken inside the chain, so a close() or rewrite() queued meanwhile comes after this flush.
        if (wait <= 0) void this.exclusive(() => this.flush());
        else void this.exclusive(() => new Promise<void>((ok) => this.setTimer(ok, wait)).then(() => this.flush()));
      }
    });
  }

  snapshot(): LeaseFileRecord[] {
    const out: LeaseFileRecord[] = [...this.live.values()];
    if (this.holder !== undefined) for (const r of this.holder.records()) out.push(r);
    return out;
  }

  /** The committed lease of every address. */
  leases(): Map<number, Lease> {
    const out = new Map<number, Lease>();
    for (const r of this.snapshot()) if (r.kind === 'lease') out.set(r.address, r);
    return out;
  }

  stats(): LeaseStoreStats {
    return { live: this.live.size, appendedSinceRewrite: this.appended };
  }

  /**
   * Hands the leases to another holder (a configuration reload: a new allocator filled from the
   * old one's leaseRecords()). Records of addresses the new holder does not hold stay here, so
   * no rewrite drops them.
   */
  adoptHolder(holder: LeaseHolder): Promise<void> {
    return this.exclusive(async () => {
      const old = this.holder;
      if (old !== undefined) {
        for (const r of old.records()) if (!holder.holds(r.address)) this.live.set(liveKey(r), r);
      }
      this.holder = holder;
    });
  }

  /**
   * With a holder, `records` replace only what the journal keeps itself: the holder's leases are
   * always written from the holder (dropping them from the file would lose them at a crash).
   */
  rewrite(records?: Iterable<LeaseFileRecord>): Promise<void> {
    return this.exclusive(() => this.rewriteNow(records));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.exclusive(async () => {
      const h = this.handle;
      this.handle = undefined;
      if (h) await h.close();
    });
  }

  /** Run `fn` after every write queued before it (one writer at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Write and sync everything queued so far, then resolve those commits. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    this.lastFlushStart = this.monotonic();
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      if (this.damaged || this.handle === undefined) await this.rewriteNow();
      const h = this.handle!;
      // One write for the whole batch: a write per commit costs a system call (or a worker round trip)
      // each, which at thousands of ACKs a second is most of the time between two syncs.
      let text = '';
      for (const p of batch) text += p.text;
      // A real file is written and fdatasynced on the event loop itself, as ISC dhcpd does, not handed to
      // libuv's workers: while the disk syncs, requests wait in the socket queue and are then decided in larger
      // batches (perfdhcp at 6,000-10,400 DORA/s: about 17 % less CPU, several times fewer lost replies). The
      // price: a disk that stalls holds up OFFERs too. A sync thread of its own measured worse (bench/README.md).
      const fd = h.fd;
      if (fd !== undefined) {
        const b = Buffer.from(text, 'latin1');
        let off = 0;
        while (off < b.length) {
          const n = writeSync(fd, b, off);
          if (n <= 0) throw new Error('write made no progress');
          off += n;
        }
        fdatasyncSync(fd);
      } else {
        await writeAll(h, Buffer.from(text, 'latin1'));
        await h.datasync();
      }
    } catch (e) {
      this.damaged = true;
      for (const p of batch) p.reject(e);
      return;
    }
    for (const p of batch) {
      for (const r of p.records) {
        // The holder has these already (the engine changed it before committing).
        if (r.kind === 'lease' && this.holder?.holds(r.address)) continue;
        const key = liveKey(r);
        this.live.delete(key);
        if (!forgotten(r)) this.live.set(key, r);
      }
      this.appended += p.records.length;
    }
    for (const p of batch) p.resolve();
  }

  private async rewriteNow(records?: Iterable<LeaseFileRecord>): Promise<void> {
    // Given records replace what the journal keeps itself; the holder's leases are always the
    // holder's current state (a given lease of an address it holds is not written twice).
    const holder = this.holder;
    const snapshot =
      records === undefined
        ? [...this.live.values()]
        : [...records].filter((r) => r.kind !== 'lease' || holder === undefined || !holder.holds(r.address));
    const dir = path.dirname(this.path);
    const tmp = `${this.path}.${Math.floor(this.clock() / 1000)}`;
    const fh = await this.fs.open(tmp, 'w', 0o664);
    let added = false;
    let pending: Promise<void> | undefined;
    try {
      // Everything is formatted into two reused buffers, a few megabytes each: one is filled
      // while the other is being written (concatenating small strings and converting them cost
      // more than formatting, and waiting for each write left the formatter idle).
      let cur = new LeaseTextBuffer(CHUNK);
      let spare = new LeaseTextBuffer(CHUNK);
      const ship = async (): Promise<void> => {
        if (pending !== undefined) await pending;
        const full = cur;
        cur = spare;
        spare = full;
        const p = writeAll(fh, full.buf.subarray(0, full.used)).then(() => {
          full.used = 0;
        });
        p.catch(() => undefined); // awaited by the next ship() or below
        pending = p;
      };
      const put = async (s: string): Promise<void> => {
        if (cur.room < s.length) await ship();
        cur.text(s); // grows for a record larger than a buffer
      };
      const opts = { ...this.opts, software: this.opts.software ?? 'leasehold' };
      if (!snapshot.some((r) => r.kind === 'authoring-byte-order')) {
        added = true;
        snapshot.unshift({
          kind: 'authoring-byte-order',
          order: os.endianness() === 'LE' ? 'little-endian' : 'big-endian',
        });
      }
      // ISC's order (writer.ts): IAs come after every lease, the holder's leases after the others.
      const ias = holder === undefined ? [] : snapshot.filter(isIa);
      for (const s of formatLeaseFile(holder === undefined ? snapshot : snapshot.filter((r) => !isIa(r)), opts)) {
        await put(s);
      }
      if (holder !== undefined) {
        for (let cursor = 0; cursor >= 0; ) {
          cursor = holder.writeText(cur, cursor, RESERVE, opts);
          if (cursor >= 0) await ship();
        }
        for (const r of ias) await put(formatRecord(r, opts));
      }
      await ship();
      await pending;
      await fh.sync();
      await fh.close();
    } catch (e) {
      await pending?.catch(() => undefined);
      await fh.close().catch(() => undefined);
      await this.fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    try {
      await this.keepBackup();
      await this.fs.rename(tmp, this.path);
    } catch (e) {
      await this.fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    // From here the new file is in place: until the directory is synced and the append handle
    // points at it, appending would be unsafe, so a failure marks the journal damaged.
    this.damaged = true;
    await this.syncDirectory(dir);
    await this.reopen();
    // A snapshot of `live` itself is `live` already (a million leases are not re-keyed for nothing).
    if (records !== undefined || added) {
      this.live.clear();
      for (const r of snapshot) this.live.set(liveKey(r), r);
    }
    this.appended = 0;
    this.damaged = false;
  }

  /** `dhcpd.leases~` becomes the file being replaced (ISC: unlink, then link). */
  private async keepBackup(): Promise<void> {
    const backup = `${this.path}~`;
    try {
      await this.fs.unlink(backup);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) throw e;
    }
    try {
      await this.fs.link(this.path, backup);
    } catch (e) {
      if (!isCode(e, 'ENOENT')) throw e;
    }
  }

  private async syncDirectory(dir: string): Promise<void> {
    const d = await this.fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  private async reopen(): Promise<void> {
    const old = this.handle;
    this.handle = undefined;
    if (old) await old.close().catch(() => undefined);
    this.handle = await this.fs.open(this.path, 'a', 0o664);
  }
}

/**
 * The key of a record in `live`: a lease's address itself (numbers never collide with the other
 * records' string keys), so a million leases cost no key strings.
 */
function liveKey(r: LeaseFileRecord): string | number {
  return r.kind === 'lease' ? r.address : recordKey(r);
}

/**
 * A removed OMAPI host (`host NAME { dynamic; deleted; }`): appended so that a reader of the journal drops
 * the host, but not kept by a rewrite, as ISC's write_leases writes only dynamic hosts that live and
 * configuration hosts that were deleted.
 */
function forgotten(r: LeaseFileRecord): boolean {
  return r.kind === 'host' && r.deleted && r.dynamic;
}

function isIa(r: LeaseFileRecord): boolean {
  return r.kind === 'ia-na' || r.kind === 'ia-ta' || r.kind === 'ia-pd';
}

async function writeAll(h: JournalFileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    const { bytesWritten } = await h.write(bytes, off, bytes.length - off);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    off += bytesWritten;
  }
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

/** Open and load a journal (the usual way to get one). */
export async function openJournal(
  file: string,
  opts: JournalOptions = {},
): Promise<{ journal: FileJournal; loaded: LoadedLeases }> {
  const journal = new FileJournal(file, opts);
  const loaded = await journal.load();
  return { journal, loaded };
}
