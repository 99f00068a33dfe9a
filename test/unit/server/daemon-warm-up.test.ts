// The start-up warm-up: synthetic exchanges through the whole packet path, no network, nothing left behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { warmUp } from '../../../src/server/daemon-warm-up.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-warm-up-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('every synthetic exchange gets its ACK: relayed DORAs, direct DORAs, then direct renewals', async () => {
  const r = await warmUp({ relayed: 40, directRounds: 2, dir });
  assert.ok(!('error' in r), JSON.stringify(r));
  // 40 relayed clients + 200 direct clients twice (the second round renews with ciaddr).
  assert.equal(r.exchanges, 40 + 2 * 200);
  assert.deepEqual(readdirSync(dir), [], 'the scratch lease file and its directory are removed');
});

test('a failure is reported, not thrown: the server then starts cold', async () => {
  const r = await warmUp({ relayed: 1, directRounds: 0, dir: join(dir, 'missing', 'deeper') });
  assert.ok('error' in r);
  assert.match(r.error, /ENOENT/);
});

test('the time budget ends it early', async () => {
  const r = await warmUp({ relayed: 1000, directRounds: 0, dir, budgetMs: 0 });
  assert.ok(!('error' in r));
  assert.equal(r.exchanges, 0);
  assert.deepEqual(readdirSync(dir), []);
});
