// The parts of the e2e toolkit that need no root: the address guard and the child protocol.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHILD_NETNS_ENV, inNamespace, isEventLine, parseEvents, runChild } from '../../e2e/lib/child.js';
import { assertTestAddress } from '../../e2e/lib/netns.js';
import { runBounded } from '../../e2e/lib/proc.js';

test('only the three documentation ranges are allowed', () => {
  for (const ok of ['192.0.2.1/24', '198.51.100.254/32', '203.0.113.7', '192.0.2.128/25']) assertTestAddress(ok);
  for (const bad of ['10.0.0.1/24', '192.168.1.1/24', '192.0.3.1/24', '127.0.0.1', '192.0.2.1/16', 'x', '']) {
    assert.throws(() => assertTestAddress(bad), /outside the documentation ranges/, bad);
  }
});

test('child events are JSON lines with a marker; other output is ignored', () => {
  const out = 'noise\n@@lh {"event":"ready","data":{"ifindex":2}}\n@@lh {"event":"result","data":[1]}\n';
  assert.deepEqual(parseEvents(out), [
    { event: 'ready', data: { ifindex: 2 } },
    { event: 'result', data: [1] },
  ]);
  assert.equal(isEventLine('ready')('@@lh {"event":"ready"}'), true);
  assert.equal(isEventLine('ready')('ready'), false);
});

test('runChild does nothing unless a Lab started it', () => {
  const saved = process.env[CHILD_NETNS_ENV];
  delete process.env[CHILD_NETNS_ENV];
  let ran = false;
  runChild(async () => {
    ran = true;
  });
  assert.equal(ran, false);
  if (saved !== undefined) process.env[CHILD_NETNS_ENV] = saved;
  assert.equal(inNamespace('lh-no-such-namespace'), false);
});

test('bounded runs capture output and are killed at their limit', async () => {
  const ok = await runBounded(process.execPath, ['-e', 'console.log("hi"); console.error("err")'], { timeoutMs: 5000 });
  assert.deepEqual([ok.code, ok.stdout, ok.stderr, ok.timedOut], [0, 'hi\n', 'err\n', false]);
  const slow = await runBounded(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 100 });
  assert.deepEqual([slow.timedOut, slow.signal], [true, 'SIGKILL']);
  const missing = await runBounded('/nonexistent/binary', [], { timeoutMs: 1000 });
  assert.equal(missing.code, null);
  assert.match(missing.stderr, /ENOENT/);
});
