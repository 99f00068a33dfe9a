// The two primitives every logger here shares (daemon-log.ts's stderr logger, syslog.ts): a flush on a
// later turn that never keeps the process alive, and a write straight to fd 2.

import { writeSync } from 'node:fs';

/** Runs `fn` on a later turn (next turn when `delayMs` <= 0); never what keeps the process alive. */
export function flushLater(fn: () => void, delayMs: number): void {
  if (delayMs <= 0) setImmediate(fn).unref();
  else setTimeout(fn, delayMs).unref();
}

/** Straight to fd 2: process.stderr's stream machinery costs more than the write itself. */
export function writeStderr(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(2, bytes, done);
  } catch (e) {
    // A non-blocking pipe that is full: let the stream queue the rest. Anything else (stderr gone, the
    // terminal closed): logging must never stop the server.
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') process.stderr.write(bytes.subarray(done));
  }
}
