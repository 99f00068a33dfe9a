// The server's log sink: lines of one event-loop turn leave in one write, in order, and nothing waits forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamLogger } from '../../../src/server/daemon-log.js';

function harness(bare: boolean) {
  const writes: string[] = [];
  const queued: { fn: () => void; delayMs: number }[] = [];
  let now = Date.UTC(2026, 10, 22, 17, 14, 43, 500);
  const log = streamLogger({
    bare,
    write: (t) => writes.push(t),
    clock: () => now,
    ident: 'dhcpd',
    schedule: (fn, delayMs) => queued.push({ fn, delayMs }),
  });
  const runTurn = () => {
    for (const q of queued.splice(0)) {
      now += Math.max(0, q.delayMs);
      q.fn();
    }
  };
  const advance = (ms: number) => {
    now += ms;
  };
  return { log, writes, queued, runTurn, advance };
}

test('lines logged in one turn are written together, in order, when the turn ends', () => {
  const { log, writes, queued, runTurn, advance } = harness(true);
  log.info('DHCPDISCOVER from 02:00:00:00:00:01 via eth0');
  assert.equal(queued[0]?.delayMs !== undefined && queued[0].delayMs <= 0, true, 'after a quiet spell: this turn');
  log.error('something failed');
  log.info('DHCPOFFER on 192.0.2.10 to 02:00:00:00:00:01 via eth0');
  assert.deepEqual(writes, [], 'nothing is written before the turn ends');
  runTurn();
  assert.deepEqual(writes, [
    'DHCPDISCOVER from 02:00:00:00:00:01 via eth0\nsomething failed\nDHCPOFFER on 192.0.2.10 to 02:00:00:00:00:01 via eth0\n',
  ]);
  runTurn();
  assert.equal(writes.length, 1, 'an empty turn writes nothing');
  advance(5);
  log.info('next');
  assert.equal(queued[0]?.delayMs, 15, 'lines that keep coming are written at most every 20 ms');
  runTurn();
  assert.deepEqual(writes.slice(1), ['next\n']);
});

test('a storm within one turn is written in bounded pieces, and flush() writes at once', () => {
  const { log, writes, runTurn } = harness(true);
  const lineText = 'x'.repeat(99);
  for (let i = 0; i < 2000; i++) log.info(lineText);
  assert.ok(writes.length >= 2, 'written before the turn ended');
  for (const w of writes) assert.ok(w.length <= 64 * 1024 + 100);
  log.info('last');
  log.flush();
  runTurn();
  const all = writes.join('');
  assert.equal(all.split('\n').length - 1, 2001);
  assert.ok(all.endsWith('last\n'));
});

test('without -d every line carries the syslog-style prefix', () => {
  const { log, writes, runTurn } = harness(false);
  log.info('Server starting service.');
  log.info('again');
  runTurn();
  const lines = writes.join('').trimEnd().split('\n');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.match(l, /^Nov 22 \d\d:14:43 \S+ dhcpd\[\d+\]: /);
  assert.match(lines[0]!, /: Server starting service\.$/);
});
