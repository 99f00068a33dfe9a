// execute() programs run beside the server: ISC's argv and environment, failures logged as ISC logs them,
// a time limit, a cap on programs at once.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProgramRunner } from '../../../src/server/daemon-programs.js';

function logger() {
  const lines: string[] = [];
  return { lines, log: { info: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } };
}

test('the program gets its arguments as argv, unchanged, without a shell', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-exec-'));
  try {
    const { lines, log } = logger();
    const r = new ProgramRunner(log);
    const out = join(dir, 'out');
    r.run({ command: '/bin/sh', args: ['-c', 'printf "%s|" "$@" > "$0"', out, 'a b', '$HOME', ';x'] });
    await r.settled();
    assert.equal(readFileSync(out, 'utf8'), 'a b|$HOME|;x|');
    assert.deepEqual(lines, []);
    assert.deepEqual(r.counts, { started: 1, failed: 0, dropped: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a non-zero exit and a program that cannot start are logged as ISC logs them', async () => {
  const { lines, log } = logger();
  const r = new ProgramRunner(log);
  r.run({ command: '/bin/sh', args: ['-c', 'exit 3'] });
  r.run({ command: '/nonexistent/program', args: [] });
  await r.settled();
  assert.ok(lines.includes('execute: /bin/sh exit status 768'), lines.join('\n'));
  assert.ok(
    lines.some((l) => l.startsWith('Unable to execute /nonexistent/program: ')),
    lines.join('\n'),
  );
  assert.equal(r.counts.failed, 2);
});

test('a program past its time limit is killed and logged; the queue beyond the cap waits, then overflows', async () => {
  const { lines, log } = logger();
  const r = new ProgramRunner(log, { timeoutMs: 200, maxRunning: 1, maxQueued: 1 });
  r.run({ command: '/bin/sleep', args: ['30'] });
  r.run({ command: '/bin/true', args: [] }); // waits for the first
  r.run({ command: '/bin/true', args: [] }); // nowhere to wait: dropped
  assert.equal(r.counts.dropped, 1);
  await r.settled();
  assert.ok(lines.includes('execute: /bin/sleep still running after 0.2 s: killed'), lines.join('\n'));
  assert.ok(lines.includes('execute: /bin/true not run: 1 programs already waiting'), lines.join('\n'));
  assert.equal(r.counts.started, 2);
});
