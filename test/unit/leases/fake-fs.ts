// A JournalFs over the real file system that records every call and can fail or hold any of
// them, so tests can check the order of writes, syncs and renames without sleeping.

import * as fs from 'node:fs/promises';
import type { JournalFileHandle, JournalFs } from '../../../src/leases/journal.js';

export type FsOp = 'open' | 'write' | 'sync' | 'datasync' | 'close' | 'rename' | 'link' | 'unlink' | 'readFile';

export interface FsEvent {
  op: FsOp;
  path: string;
  /** For writes: the text written. */
  text?: string;
  phase: 'start' | 'end';
  seq: number;
}

export class RecordingFs implements JournalFs {
  readonly events: FsEvent[] = [];
  /** Return an error to make the call fail (checked at its start). */
  fault: (op: FsOp, path: string, text?: string) => Error | undefined = () => undefined;
  /** Return a promise to hold the call until it settles (checked at its start). */
  hold: (op: FsOp, path: string) => Promise<void> | undefined = () => undefined;
  private seq = 0;

  count(op: FsOp, pathPart = ''): number {
    return this.events.filter((e) => e.op === op && e.phase === 'end' && e.path.includes(pathPart)).length;
  }

  async run<T>(op: FsOp, path: string, fn: () => Promise<T>, text?: string): Promise<T> {
    const seq = this.seq++;
    const ev: FsEvent = { op, path, phase: 'start', seq };
    if (text !== undefined) ev.text = text;
    this.events.push(ev);
    const err = this.fault(op, path, text);
    if (err) throw err;
    const h = this.hold(op, path);
    if (h) await h;
    const out = await fn();
    this.events.push({ ...ev, phase: 'end' });
    return out;
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.run('readFile', path, () => fs.readFile(path));
  }
  async open(path: string, flags: string, mode?: number): Promise<JournalFileHandle> {
    const h = await this.run('open', path, () => fs.open(path, flags, mode));
    const run = this.run.bind(this);
    return {
      write: (b, off, len) =>
        run('write', path, () => h.write(b, off, len), Buffer.from(b.subarray(off, off + len)).toString('latin1')),
      sync: () => run('sync', path, () => h.sync()),
      datasync: () => run('datasync', path, () => h.datasync()),
      close: () => run('close', path, () => h.close()),
    };
  }
  rename(from: string, to: string): Promise<void> {
    return this.run('rename', `${from} -> ${to}`, () => fs.rename(from, to));
  }
  link(existing: string, newPath: string): Promise<void> {
    return this.run('link', `${existing} -> ${newPath}`, () => fs.link(existing, newPath));
  }
  unlink(path: string): Promise<void> {
    return this.run('unlink', path, () => fs.unlink(path));
  }
}

/** A promise with its resolve function, to hold a file system call. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
