// Bounded waits: what another process produces (a log line, a lease file record, a PID file, an exit) is polled for
// until it is there or a deadline passes, never read once and never slept for. A timeout fails with what was
// last seen, so a failure on a busy machine says whether the thing came late, came wrong or never came.
//
// The peers write when they please: Leasehold's server batches its log lines (at most every 20 ms,
// src/server/daemon-log.ts), pipes deliver a line in pieces, and a client's reply can reach the test before the
// server's log line about it does. Deadlines are generous (the machine may be shared), polls short.

import { readFileSync } from 'node:fs';
import type { Spawned } from './proc.js';

/** The default deadline of a wait: long enough for a loaded machine, short enough to fail a test in reasonable time. */
export const WAIT_MS = 20_000;
const POLL_MS = 50;

export interface WaitOptions {
  /** Deadline, default WAIT_MS. */
  timeoutMs?: number;
  /** What is awaited, for the error message. */
  what: string;
  /** What there is to see instead (called once, at the deadline), for the error message. */
  seen?: () => string;
  /** Poll interval, default 50 ms. */
  intervalMs?: number;
}

type NotYet = undefined | null | false;

/**
 * Calls `check` (which may be async) every `intervalMs` until it returns something other than undefined, null
 * or false, and returns that. A check that throws counts as "not yet" (a file not written yet, a half-written
 * one); its last error is in the timeout's message. After `timeoutMs` it throws with `what` and `seen()`.
 */
export async function waitFor<T>(
  check: () => T | NotYet | Promise<T | NotYet>,
  opts: WaitOptions,
): Promise<Exclude<T, NotYet>> {
  const timeoutMs = opts.timeoutMs ?? WAIT_MS;
  const interval = opts.intervalMs ?? POLL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, NotYet>;
    } catch (e) {
      lastError = e;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
  }
  let message = `timed out after ${timeoutMs} ms waiting for ${opts.what}`;
  if (lastError !== undefined) message += `\n--- last error\n${(lastError as Error)?.message ?? String(lastError)}`;
  if (opts.seen) message += `\n--- seen\n${opts.seen()}`;
  throw new Error(message);
}

/** A log to watch: a process (its stderr, where servers run with -d log) or any text getter (stdout, a file). */
export type LogSource = Spawned | (() => string);

export interface LogMatch {
  /** The matching line. */
  line: string;
  /** RegExp groups of the match. */
  groups: string[];
  /** Offset just past the matching line: pass as `from` to wait for a later line. */
  end: number;
}

export interface WaitForLogOptions {
  timeoutMs?: number;
  /** Only text from this offset on (an `end` of an earlier match, or a length taken before an action). */
  from?: number;
  /** How many matching lines to wait for (default 1); the last of them is returned. */
  count?: number;
  /** Name of the log, for the error message (default "log"). */
  name?: string;
}

function textOf(source: LogSource): () => string {
  return typeof source === 'function' ? source : () => source.stderr();
}

/** Whether a process has exited (its output is then complete): its `exited` promise settled. */
function exitWatch(source: LogSource): () => boolean {
  if (typeof source === 'function') return () => false;
  let done = false;
  void source.exited.then(() => {
    done = true;
  });
  return () => done;
}

/**
 * Waits until the log has `count` complete lines (ended by a newline: a pipe may deliver half a line) matching
 * `pattern` after offset `from`. A regular expression is tried on each line (so `^` and `$` are the line's own
 * ends); a string must be contained in the line. Fails at once when the process exits without such lines, and
 * at the deadline with the log's text after `from`.
 */
export async function waitForLog(
  source: LogSource,
  pattern: RegExp | string,
  opts: WaitForLogOptions = {},
): Promise<LogMatch> {
  const text = textOf(source);
  const exited = exitWatch(source);
  const from = opts.from ?? 0;
  const count = opts.count ?? 1;
  const re = typeof pattern === 'string' ? undefined : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const find = (): LogMatch | undefined => {
    const all = text();
    const complete = all.slice(0, all.lastIndexOf('\n') + 1);
    let at = from;
    let found: LogMatch | undefined;
    let n = 0;
    while (at < complete.length) {
      const nl = complete.indexOf('\n', at);
      const line = complete.slice(at, nl);
      at = nl + 1;
      const m = re ? re.exec(line) : line.includes(pattern as string) ? [line] : null;
      if (m) {
        found = { line, groups: [...m].slice(1), end: at };
        if (++n >= count) return found;
      }
    }
    return undefined;
  };
  const name = opts.name ?? 'log';
  const what = `${count > 1 ? `${count} lines` : 'a line'} ${pattern} in the ${name}`;
  const shown = () => `--- ${name} from offset ${from}\n${text().slice(from)}`;
  const m = await waitFor(
    () => {
      const over = exited(); // before reading the text: once exited, the text read next is complete
      return find() ?? (over ? ('exited' as const) : undefined);
    },
    { timeoutMs: opts.timeoutMs ?? WAIT_MS, what, seen: shown },
  );
  if (m === 'exited') throw new Error(`the process exited before printing ${what}\n${shown()}`);
  return m;
}

/** Whether process `pid` is running: it exists (signal 0; EPERM means not ours) and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // "PID (comm) STATE …": a zombie has exited and only waits for its parent to reap it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT'; // gone meanwhile; without /proc, signal 0 decides
  }
}
