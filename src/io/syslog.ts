// Logging to syslog, as ISC dhcpd does: RFC 3164 lines, one datagram each, to /dev/log — the line glibc's
// syslog(3) sends ("<PRI>Mmm dd hh:mm:ss ident[pid]: text", local time, no host name: the local daemon adds it).
// journald and rsyslog both read it. PRI is the facility (`log-facility` in dhcpd.conf; daemon by default, as
// ISC's) plus the severity of the call: info -> LOG_INFO, error -> LOG_ERR, as ISC's log_info and log_error.
//
// The Logger has streamLogger's shape (src/server/daemon-log.ts): info, error, flush. Lines are collected and
// sent together at the end of the event-loop turn, at least 20 ms apart while they keep coming, in one native
// call (sendmmsg): a server logs four lines per DORA. The send never blocks the event loop (glibc's syslog(3)
// would, when the log daemon falls behind). A full queue keeps the lines back and retries every 20 ms, up to
// MAX_HELD_LINES; beyond that, at an explicit flush (before exit), or when /dev/log is missing or refuses (a
// container without a log daemon), the lines that did not go are written to stderr as syslog-style lines
// instead: late, never lost in silence. The outage is noted there once and its end in syslog; the socket is
// tried again at every flush. The caller flushes on process 'exit'.

import { hostname } from 'node:os';
import { SYSLOG_FACILITIES } from '../options/enumerations.js';
import { type UnixDgramSend, unixDgramSender } from './sd-notify.js';
import { flushLater, writeStderr } from './stderr.js';

/** <sys/syslog.h> severities used here. */
export const LOG_ERR = 3;
export const LOG_INFO = 6;

/** LOG_DAEMON, ISC's default facility. */
export const DEFAULT_FACILITY = 3 << 3;

export const DEFAULT_SYSLOG_PATH = '/dev/log';

/**
 * A facility code (`facility << 3`) from its name as `log-facility` spells it (daemon, local0..local7, ...), or
 * a code already; undefined when unknown. The names are the option catalogue's (SYSLOG_FACILITIES).
 */
export function syslogFacility(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= 23 << 3 && value % 8 === 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  return SYSLOG_FACILITIES.values.find((v) => v.name === value)?.value;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164's TIMESTAMP in local time: "Jan  5 03:04:05" (day padded with a space). */
export function syslogTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One RFC 3164 message as glibc's syslog(3) sends it to /dev/log. */
export function formatSyslogLine(priority: number, ms: number, ident: string, pid: number, text: string): string {
  return `<${priority}>${syslogTimestamp(ms)} ${ident}[${pid}]: ${text}`;
}

export interface SyslogLoggerOptions {
  /** `log-facility`'s name or a code; default daemon. */
  facility?: string | number;
  /** The tag before [pid]; default "leasehold". */
  ident?: string;
  /** The log socket; default /dev/log (tests pass their own). */
  path?: string;
  /** Default: the native addon's unixDgramSend. */
  send?: UnixDgramSend;
  clock?: () => number;
  pid?: number;
  /** Where lines go when syslog cannot take them (default: stderr). Gets whole lines, newline-terminated. */
  fallback?: (text: string) => void;
  /** Schedules a flush in `delayMs` (0: at the end of this turn). Tests flush by hand. */
  schedule?: (flush: () => void, delayMs: number) => void;
}

export interface SyslogLogger {
  info(line: string): void;
  error(line: string): void;
  /** Sends what is buffered now (before exit, or before a line that must be seen at once). */
  flush(): void;
  /**
   * Applies `log-facility` (a name such as local7, or a code) to the lines logged from now on; undefined restores
   * the default (daemon). Returns false, changing nothing, for an unknown name.
   */
  setFacility(facility: string | number | undefined): boolean;
  readonly facility: number;
}

/** Lines held before a send even within one event-loop turn. */
const FLUSH_AT_LINES = 256;
/** See streamLogger: a quiet spell's line goes at the end of its turn, a burst's at least this far apart. */
const MIN_FLUSH_GAP_MS = 20;
/** Lines held while the log daemon's queue is full (retried every MIN_FLUSH_GAP_MS); beyond, the fallback. */
export const MAX_HELD_LINES = 4096;

interface Pending {
  ms: number;
  text: string;
  wire: Buffer;
}

export function syslogLogger(opts: SyslogLoggerOptions = {}): SyslogLogger {
  const path = opts.path ?? DEFAULT_SYSLOG_PATH;
  const ident = opts.ident ?? 'leasehold';
  const pid = opts.pid ?? process.pid;
  const clock = opts.clock ?? Date.now;
  const schedule = opts.schedule ?? flushLater;
  const fallback = opts.fallback ?? writeStderr;
  let facility = syslogFacility(opts.facility) ?? DEFAULT_FACILITY;
  let send = opts.send;
  let unavailable: string | undefined;
  if (send === undefined) {
    const sender = unixDgramSender();
    if (sender.ok) send = sender.send;
    else unavailable = sender.reason;
  }

  // Timestamps change once a second: format the stamp once per second, not once per line.
  let stampSecond = -1;
  let stamp = '';
  const stampOf = (ms: number) => {
    const sec = Math.floor(ms / 1000);
    if (sec !== stampSecond) {
      stampSecond = sec;
      stamp = syslogTimestamp(ms);
    }
    return stamp;
  };
  const host = hostname();

  let pending: Pending[] = [];
  let scheduled = false;
  let lastFlush = Number.NEGATIVE_INFINITY;
  /** The log daemon's queue was full at the last try: lines wait for the retry timer, not a send per line. */
  let backedUp = false;
  /** Why syslog is not taking lines, while it is not (said once per outage). */
  let outage: string | undefined;
  let divertedInOutage = 0;
  const queueFull = `${path}: the log daemon's queue is full`;

  const divert = (lines: readonly Pending[], reason: string) => {
    let text = '';
    const line = (ms: number, t: string) => `${stampOf(ms)} ${host} ${ident}[${pid}]: ${t}\n`;
    if (outage === undefined) {
      outage = reason;
      divertedInOutage = 0;
      text += line(clock(), `Can't log to syslog (${reason}); logging to stderr until it can.`);
    }
    for (const p of lines) text += line(p.ms, p.text);
    divertedInOutage += lines.length;
    fallback(text);
  };

  const later = (delayMs: number) => {
    if (scheduled) return;
    scheduled = true;
    schedule(() => sendPending(false), delayMs);
  };

  /**
   * Sends what is held. What a full queue does not take waits for a retry (up to MAX_HELD_LINES), unless `final`
   * (an explicit flush: before exit, the lines must be somewhere now): then it goes to the fallback, as do the
   * lines of a failed send (no socket, nobody listening).
   */
  const sendPending = (final: boolean) => {
    scheduled = false;
    lastFlush = clock();
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    if (send === undefined) return divert(lines, unavailable ?? 'no datagram sender');
    let sent = 0;
    let error: string | undefined;
    try {
      sent = send(
        path,
        lines.map((p) => p.wire),
      );
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (sent > 0 && outage !== undefined) {
      const note = `Logging to syslog again after ${outage}; ${divertedInOutage} lines went to stderr meanwhile.`;
      outage = undefined;
      // Best effort: the note only says where the missing lines are.
      try {
        send(path, Buffer.from(formatSyslogLine(facility | LOG_INFO, clock(), ident, pid, note), 'utf8'));
      } catch {}
    }
    backedUp = false;
    if (sent >= lines.length) return;
    const rest = lines.slice(sent);
    if (error !== undefined) return divert(rest, error);
    if (final) return divert(rest, queueFull);
    backedUp = true;
    pending = rest;
    later(MIN_FLUSH_GAP_MS);
  };

  const add = (severity: number, text: string) => {
    const ms = clock();
    for (const part of text.split('\n')) {
      const wire = Buffer.from(`<${facility | severity}>${stampOf(ms)} ${ident}[${pid}]: ${part}`, 'utf8');
      pending.push({ ms, text: part, wire });
    }
    if (pending.length >= MAX_HELD_LINES) {
      // The log daemon has not kept up for a while: memory stays bounded, the lines go to the fallback.
      const lines = pending;
      pending = [];
      divert(lines, queueFull);
    }
    if (!backedUp && pending.length >= FLUSH_AT_LINES) sendPending(false);
    else later(lastFlush + MIN_FLUSH_GAP_MS - clock());
  };

  return {
    info: (line) => add(LOG_INFO, line),
    error: (line) => add(LOG_ERR, line),
    flush: () => sendPending(true),
    setFacility(value) {
      const code = value === undefined ? DEFAULT_FACILITY : syslogFacility(value);
      if (code === undefined) return false;
      // Lines logged before the change keep the facility they were logged with.
      facility = code;
      return true;
    },
    get facility() {
      return facility;
    },
  };
}

/** Lines to several loggers (ISC's -d: syslog and stderr both). */
export function teeLogger<L extends { info(line: string): void; error(line: string): void; flush?(): void }>(
  ...loggers: readonly L[]
): { info(line: string): void; error(line: string): void; flush(): void } {
  return {
    info: (line) => {
      for (const l of loggers) l.info(line);
    },
    error: (line) => {
      for (const l of loggers) l.error(line);
    },
    flush: () => {
      for (const l of loggers) l.flush?.();
    },
  };
}
