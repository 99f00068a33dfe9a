// Reading a dhcpd.leases file. The file is a journal: every record replaces the earlier record
// with the same key (a lease by address, a host by name, ...), so the result is the state the
// last record of each left.
//
// Errors: the first parse error stops the read, with ISC's message and line (`FILE line N:`).
// The one exception is the last record when the text ends inside it - a write torn by a crash:
// it is skipped with a warning and `validLength` says where the good part ends. A record that
// is broken before the end of the text is corruption, even when it is the last one.
//
// The text is one char per byte (conf/lexer.ts bytesToSource), so offsets are byte offsets.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CatalogueLike } from '../conf/catalogue.js';
import { ConfError, type Diagnostic, makeDiagnostic } from '../conf/diagnostics.js';
import { Cursor, newState, type ParseState } from '../conf/parser-core.js';
import { Catalogue } from '../options/catalogue.js';
import { leaseFromFields, readCanonicalLease } from './canonical-lease.js';
import { readLeaseFast } from './fast-lease.js';
import type { Lease, LeaseFileRecord } from './lease.js';
import { type LeaseFields, newLeaseFields } from './lease-text.js';
import { parseRecord, type RecordContext } from './parse-records.js';
import { recordKey } from './records.js';
import { nextRecord, type RecordSpan, type ScanPos, skipSpace } from './scan.js';

export interface ParseLeasesOptions {
  /** Option catalogue for `option agent.*` values (default: the standard one). */
  catalogue?: Catalogue;
  /** Names known from dhcpd.conf; each is checked only when given. */
  classes?: Iterable<string>;
  failoverPeers?: Iterable<string>;
  /** Host names declared in dhcpd.conf: an OMAPI host of the same name "already exists". */
  hosts?: Iterable<string>;
  /** Use the fast reader for canonical leases (default true; tests turn it off to compare). */
  fastPath?: boolean;
  /** parseLeasesBytes: chars per window of text (default 4 MiB; tests make it small). */
  windowSize?: number;
  /**
   * Each lease record as it is read, in file order (a torn last record never). When it returns
   * true the lease is taken (the server's allocator holds it) and the result does not keep it:
   * `leases` and `records` then hold only the leases not taken. A file that turns out not to
   * parse has handed over the leases before the error - the taker must discard them.
   */
  onLease?: (lease: Lease) => boolean;
  /**
   * With onLease: canonical lease blocks (canonical-lease.ts) are handed over as fields instead
   * of Lease objects (the same rules; one fields object, reused). false: not taken.
   */
  onLeaseFields?: (fields: LeaseFields) => boolean;
}

export interface ParsedLeases {
  /** The surviving record of each key, in the order they were last written. */
  records: LeaseFileRecord[];
  /** The surviving lease of each address. */
  leases: Map<number, Lease>;
  /** How many records the file holds, replaced ones included (tells when to compact). */
  recordCount: number;
  warnings: Diagnostic[];
  /** The first parse error; when set, `records` holds only what came before it. */
  error?: Diagnostic;
  /** Length of the text that parsed; shorter than the text only when a torn tail was skipped. */
  validLength: number;
  /** Set when the last record was torn and skipped. */
  tornTail?: Diagnostic;
}

/** Text of the file, a window at a time: a million-lease file is never one string. */
interface TextSource {
  length: number;
  slice(from: number, to: number): string;
  /** The octets of the last slice, when the source has them (the canonical reader reads those). */
  bytes?(from: number, to: number): Uint8Array;
}

/** Window of a byte source (grows for a record longer than a window). */
const WINDOW = 4 << 20;
/** A new window starts once fewer than this many chars are left in the current one. */
const MARGIN = 64 << 10;

export function parseLeasesBytes(bytes: Uint8Array, fileName: string, opts: ParseLeasesOptions = {}): ParsedLeases {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const source: TextSource = {
    length: buf.length,
    slice: (from, to) => buf.toString('latin1', from, to),
    bytes: (from, to) => buf.subarray(from, to),
  };
  return parseSource(source, opts.windowSize ?? WINDOW, fileName, opts);
}

/**
 * The file at `path`, read a window at a time (synchronously: this is start-up, nothing else
 * runs), so a file of hundreds of megabytes is never in memory whole. Errors of the file system
 * (ENOENT...) are thrown.
 */
export function parseLeasesFile(path: string, opts: ParseLeasesOptions = {}): ParsedLeases & { fileSize: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    // One buffer, reused for every window (it grows only for a record longer than a window): a
    // fresh buffer per window leaves the allocator hundreds of megabytes of garbage to return.
    let buf = Buffer.allocUnsafe(0);
    let window = buf;
    const source: TextSource = {
      length: size,
      bytes: () => window,
      slice: (from, to) => {
        if (to - from > buf.length) buf = Buffer.allocUnsafe(to - from);
        window = buf.subarray(0, to - from);
        let got = 0;
        while (got < window.length) {
          const n = readSync(fd, window, got, window.length - got, from + got);
          if (n <= 0) throw new Error(`${path}: the file shrank while it was read`);
          got += n;
        }
        return window.toString('latin1');
      },
    };
    return { ...parseSource(source, opts.windowSize ?? WINDOW, path, opts), fileSize: size };
  } finally {
    closeSync(fd);
  }
}

export function parseLeases(text: string, fileName: string, opts: ParseLeasesOptions = {}): ParsedLeases {
  const source: TextSource = {
    length: text.length,
    slice: (from, to) => (from === 0 && to === text.length ? text : text.slice(from, to)),
  };
  return parseSource(source, text.length, fileName, opts);
}

/**
 * The reader proper. It sees the text through a window (bytesToSource's one char per byte) that
 * always starts at the beginning of a line, so columns and the scanners work unchanged; offsets
 * reported (validLength) are the file's. Reaching the end of a window that is not the end of the
 * file never counts as the end of a record: the window moves (and grows) and the record is read
 * again.
 */
function parseSource(src: TextSource, windowSize: number, fileName: string, opts: ParseLeasesOptions): ParsedLeases {
  const catalogue = opts.catalogue ?? Catalogue.standard();
  const state = newState('dhcpd', catalogue as unknown as CatalogueLike, () => undefined);
  for (const h of opts.hosts ?? []) state.hosts.add(h);
  for (const c of opts.classes ?? []) state.classes.add(c);
  const ctx: RecordContext = { source: '', byteOrderSeen: false };
  if (opts.classes !== undefined) ctx.classes = state.classes;
  if (opts.failoverPeers !== undefined) ctx.failoverPeers = new Set(opts.failoverPeers);

  const fast = opts.fastPath !== false;
  const onLease = opts.onLease;
  const onFields = fast ? opts.onLeaseFields : undefined;
  const fields = newLeaseFields();
  const leases = new Map<number, Lease>();
  const others = new Map<string, LeaseFileRecord>();
  const result: ParsedLeases = { records: [], leases, recordCount: 0, warnings: state.warnings, validLength: 0 };
  const pos: ScanPos = { i: 0, line: 1 };
  let size = Math.max(windowSize, 1);
  const margin = Math.min(MARGIN, size >> 2);
  let base = 0;
  let text = src.slice(0, Math.min(src.length, size));
  let bytes = onFields !== undefined ? src.bytes?.(0, text.length) : undefined;
  let last = text.length >= src.length;
  /** Moves the window to start at the line holding window offset `at`, reaching past the old end. */
  const moveWindow = (at: number): void => {
    const oldEnd = base + text.length;
    const newBase = at > 0 ? base + text.lastIndexOf('\n', at - 1) + 1 : base;
    let newEnd = Math.min(src.length, newBase + size);
    while (newEnd <= oldEnd && newEnd < src.length) {
      size *= 2;
      newEnd = Math.min(src.length, newBase + size);
    }
    pos.i = base + at - newBase;
    base = newBase;
    text = src.slice(newBase, newEnd);
    if (bytes !== undefined) bytes = src.bytes?.(newBase, newEnd);
    last = newEnd >= src.length;
  };
  while (true) {
    if (!last && text.length - pos.i < margin) {
      moveWindow(pos.i);
      continue;
    }
    const before = pos.i;
    const beforeLine = pos.line;
    skipSpace(text, pos);
    if (pos.i >= text.length) {
      if (last) break;
      pos.line = beforeLine;
      moveWindow(before);
      continue;
    }
    const start = pos.i;
    const line = pos.line;
    let rec: LeaseFileRecord | undefined;
    if (
      bytes !== undefined &&
      onFields !== undefined &&
      bytes[start] === 0x6c &&
      readCanonicalLease(bytes, pos, fields)
    ) {
      if (onFields(fields)) {
        result.recordCount++;
        result.validLength = base + pos.i;
        continue;
      }
      rec = leaseFromFields(fields);
    } else if (fast && text.charCodeAt(start) === 0x6c /* l */) rec = readLeaseFast(text, pos);
    if (rec === undefined) {
      pos.i = start;
      pos.line = line;
      const span = nextRecord(text, pos)!;
      if (!span.terminated && !last) {
        pos.line = line;
        moveWindow(start);
        continue;
      }
      const r = readRecordSlow(text, span, fileName, state, ctx);
      if ('error' in r) {
        if (!span.terminated && r.atEnd) {
          result.tornTail = makeDiagnostic(
            {
              file: fileName,
              line: span.line,
              col: span.col,
              message: `the last record is incomplete (${r.error.message}); skipped it - it was never committed`,
            },
            'warning',
          );
          result.warnings.push(result.tornTail);
          break;
        }
        result.error = r.error;
        break;
      }
      rec = r.record;
    }
    result.recordCount++;
    result.validLength = base + pos.i;
    if (rec.kind === 'lease') {
      if (onLease?.(rec)) continue;
      // A replaced lease is deleted and set again so the map keeps the order of last writes;
      // the usual case (a new address) costs one set.
      const count = leases.size;
      leases.set(rec.address, rec);
      if (leases.size === count) {
        leases.delete(rec.address);
        leases.set(rec.address, rec);
      }
    } else {
      const key = recordKey(rec);
      others.delete(key);
      others.set(key, rec);
    }
  }
  if (result.error === undefined && result.tornTail === undefined) result.validLength = src.length;
  result.records = [...others.values(), ...leases.values()];
  return result;
}

type SlowResult = { record: LeaseFileRecord } | { error: Diagnostic; atEnd: boolean };

/**
 * Parse one record with the complete parser. The cursor sees only the record's text, so line
 * numbers are shifted back to the file's; spaces stand in for the text before the record on
 * its first line, so columns are right too.
 */
function readRecordSlow(
  text: string,
  span: RecordSpan,
  fileName: string,
  state: ParseState,
  ctx: RecordContext,
): SlowResult {
  const source = ' '.repeat(span.col - 1) + text.slice(span.start, span.end);
  const delta = span.line - 1;
  const warningsBefore = state.warnings.length;
  ctx.source = source;
  const p = new Cursor(fileName, source, state);
  try {
    const record = parseRecord(p, ctx);
    if (p.peek().t !== 'EOF') p.fail('Corrupt lease file - possible data loss!', { noLine: true });
    for (let k = warningsBefore; k < state.warnings.length; k++) {
      state.warnings[k] = shiftDiagnostic(state.warnings[k]!, delta);
    }
    if (delta > 0 && record.kind === 'host') shiftPositions(record.decl, delta, new WeakSet());
    return { record };
  } catch (e) {
    if (!(e instanceof ConfError)) throw e;
    state.warnings.length = warningsBefore;
    const t = p.peekAt(0);
    const atEnd = t.t === 'EOF' || (t.lexError !== undefined && p.peekAt(1).t === 'EOF');
    return { error: shiftDiagnostic(e.diagnostic, delta), atEnd };
  }
}

function shiftDiagnostic(d: Diagnostic, delta: number): Diagnostic {
  if (delta === 0) return d;
  const prefix = `${d.file} line `;
  let iscText = d.iscText;
  if (iscText.startsWith(prefix)) {
    const rest = iscText.slice(prefix.length);
    const colon = rest.indexOf(':');
    iscText = `${prefix}${Number(rest.slice(0, colon)) + delta}${rest.slice(colon)}`;
  }
  return { ...d, line: d.line + delta, iscText };
}

/** Move every `pos` in a parsed declaration from record lines to file lines. */
function shiftPositions(node: unknown, delta: number, done: WeakSet<object>): void {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node) || done.has(node)) return;
  done.add(node);
  if (Array.isArray(node)) {
    for (const item of node) shiftPositions(item, delta, done);
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'pos' && value !== null && typeof value === 'object' && 'line' in value) {
      if (!done.has(value)) {
        done.add(value);
        (value as { line: number }).line += delta;
      }
    } else {
      shiftPositions(value, delta, done);
    }
  }
}
