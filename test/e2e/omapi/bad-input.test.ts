// Bad input against the OMAPI listener, in a namespace of the test's own: bad lengths, an unknown opcode,
// garbage after connect, a silent client, many connections at once. Each closes only its own connection, with
// one log line naming the cause, while a well-behaved session (held open throughout by the same client process)
// keeps getting its answers - and ISC's omshell still works afterwards.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLab, requireRoot } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { omshell, RAW_CLIENT_CHILD, requireOmshell, startServer } from './harness.js';
import type { RawInput, ScenarioResult } from './raw-client-child.js';

test('bad input closes only its own connection, with one log line each', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  const server = await startServer(lab, ns, { introTimeoutMs: 1500, maxConnections: 300, maxMessageBytes: 64 * 1024 });
  const input: RawInput = {
    port: server.port,
    many: 500,
    scenarios: [
      'bad-value-length',
      'bad-authlen',
      'oversized',
      'unknown-opcode',
      'bad-header-size',
      'garbage',
      'silent',
      'many',
    ],
  };
  const { result } = await lab.runNode<Record<string, ScenarioResult>>(ns, RAW_CLIENT_CHILD, input, {
    timeoutMs: 60_000,
  });
  for (const s of input.scenarios.filter((s) => s !== 'many')) {
    assert.equal(result[s]?.closed, true, `${s}: the server closed that connection`);
    assert.equal(result[s]?.goodAlive, true, `${s}: the good session still answered`);
  }
  assert.deepEqual(result['unknown-opcode']?.replies, ['status 27']); // ISC_R_NOTIMPLEMENTED, then the close
  assert.deepEqual(result.garbage?.replies, []);
  // 500 at once against a limit of 300 (the good session holds one): the newcomers beyond it are refused
  const many = result.many!;
  assert.equal(many.goodAlive, true);
  assert.equal((many.answered ?? 0) + (many.refused ?? 0), 500);
  assert.ok((many.answered ?? 0) >= 250 && (many.refused ?? 0) >= 150, JSON.stringify(many));

  // one log line per cause, naming the peer
  for (const cause of [
    'value-too-long',
    'bad-authlen',
    'message-too-large',
    'unknown-opcode',
    'bad-header-size',
    'bad-version',
    'idle',
  ]) {
    await waitForLog(server.proc, new RegExp(`^OMAPI connection from 127\\.0\\.0\\.1:\\d+ closed: ${cause} `), {
      name: 'server log',
    });
  }
  await waitForLog(server.proc, /^OMAPI connection from 127\.0\.0\.1:\d+ refused: too-many-connections/, {
    count: many.refused ?? 1,
    name: 'server log',
  });

  // and ISC's omshell still works
  const out = await omshell(lab, ns, server.port, ['new lease', 'set ip-address = 192.0.2.10', 'open']);
  assert.match(out, /state = 00:00:00:02\n/);
  const run = await server.proc.stop();
  for (const cause of ['value-too-long', 'bad-authlen', 'unknown-opcode', 'bad-version']) {
    assert.equal(run.stderr.match(new RegExp(`closed: ${cause} `, 'g'))?.length, 1, `one line for ${cause}`);
  }
});
