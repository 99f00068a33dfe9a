// Where the server's log lines go, and the rate limit for complaints about bad packets.
//
// With -d, ISC dhcpd writes bare lines to stderr; otherwise it writes to syslog (facility daemon).
// Leasehold has no syslog client yet: without -d the same lines go to stderr with a syslog-style
// prefix ("Nov 22 17:14:43 host dhcpd[123]: ..."), which journald and log files capture as they
// would capture syslog. A syslog sink can replace it behind the same Logger.

import { hostname } from 'node:os';
import { flushLater, writeStderr } from '../io/stderr.js';

export interface Logger {
  info(line: string): void;
  error(line: string): void;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function syslogStamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export interface StreamLoggerOptions {
  /** -d: bare lines, as dhcpd -d prints them. */
  bare: boolean;
  write?: (text: string) => void;
  clock?: () => number;
  ident?: string;
  /** Schedules a flush in `delayMs` (0: at the end of this turn). Tests flush by hand. */
  schedule?: (flush: () => void, delayMs: number) => void;
}

/** Lines held before a write even within one event-loop turn (a storm must not grow the buffer unbounded). */
const FLUSH_AT_CHARS = 64 * 1024;
/**
 * A line after a quiet spell is written at the end of its event-loop turn (an operator's tail -f, or a test,
 * sees it before the client has its reply); while lines keep coming, writes are at least this far apart.
 */
const MIN_FLUSH_GAP_MS = 20;

export interface StreamLogger extends Logger {
  /** Writes what is buffered now (before exit, or before a line that must be seen at once). */
  flush(): void;
}

/**
 * Lines are collected and written together (see MIN_FLUSH_GAP_MS): a server logs four lines per DORA, and one
 * write per line was a tenth of its CPU under load. Nothing is lost at exit (the caller flushes on process
 * 'exit'); a SIGKILL loses at most the last MIN_FLUSH_GAP_MS of lines, never a lease.
 */
export function streamLogger(opts: StreamLoggerOptions): StreamLogger {
  const write = opts.write ?? writeStderr;
  const clock = opts.clock ?? Date.now;
  const schedule = opts.schedule ?? flushLater;
  // The host name and PID do not change while we run: one lookup, not one per log line.
  const tail = ` ${hostname()} ${opts.ident ?? 'dhcpd'}[${process.pid}]: `;
  let stampSecond = -1;
  let stamp = '';
  const prefix = () => {
    const ms = clock();
    const sec = Math.floor(ms / 1000);
    if (sec !== stampSecond) {
      stampSecond = sec;
      stamp = `${syslogStamp(ms)}${tail}`;
    }
    return stamp;
  };
  let pending = '';
  let scheduled = false;
  let lastFlush = Number.NEGATIVE_INFINITY;
  const flush = () => {
    scheduled = false;
    lastFlush = clock();
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  const line = (text: string) => {
    pending += opts.bare ? `${text}\n` : `${prefix()}${text}\n`;
    if (pending.length >= FLUSH_AT_CHARS) flush();
    else if (!scheduled) {
      scheduled = true;
      schedule(flush, lastFlush + MIN_FLUSH_GAP_MS - clock());
    }
  };
  return { info: line, error: line, flush };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), error: (l) => lines.push(l) };
}

/**
 * Counts packets dropped by cause. The first of each cause is logged at once with its detail; after
 * that a cause is only counted, and `summary()` (called from the daemon's timer) reports the counts
 * that grew since the last report — a flood of garbage costs one line a minute, not one per packet.
 */
export class DropCounter {
  private readonly counts = new Map<string, number>();
  private readonly reported = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  drop(cause: string, detail: string): void {
    const n = (this.counts.get(cause) ?? 0) + 1;
    this.counts.set(cause, n);
    if (n === 1) {
      this.log.error(`Discarding packet: ${detail} (${cause}); further ones are counted, not logged.`);
      this.reported.set(cause, 1);
    }
  }

  count(cause: string): number {
    return this.counts.get(cause) ?? 0;
  }

  /** Every cause seen and its count since start (metrics). */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  summary(): void {
    const parts: string[] = [];
    for (const [cause, n] of this.counts) {
      const before = this.reported.get(cause) ?? 0;
      if (n > before) parts.push(`${cause} ${n - before}`);
      this.reported.set(cause, n);
    }
    if (parts.length > 0) this.log.error(`Discarded packets since last report: ${parts.join(', ')}.`);
  }
}
