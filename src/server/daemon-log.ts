// Where the server's log lines go, and the rate limit for complaints about bad packets.
//
// With -d, ISC dhcpd writes bare lines to stderr; otherwise it writes to syslog (facility daemon).
// Leasehold has no syslog client yet: without -d the same lines go to stderr with a syslog-style
// prefix ("Nov 22 17:14:43 host dhcpd[123]: ..."), which journald and log files capture as they
// would capture syslog. A syslog sink can replace it behind the same Logger.

import { hostname } from 'node:os';

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
}

export function streamLogger(opts: StreamLoggerOptions): Logger {
  const write = opts.write ?? ((t: string) => process.stderr.write(t));
  const clock = opts.clock ?? Date.now;
  // The host name and PID do not change while we run: one lookup, not one per log line.
  const tail = ` ${hostname()} ${opts.ident ?? 'dhcpd'}[${process.pid}]: `;
  const prefix = () => `${syslogStamp(clock())}${tail}`;
  const line = (text: string) => write(opts.bare ? `${text}\n` : `${prefix()}${text}\n`);
  return { info: line, error: line };
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
