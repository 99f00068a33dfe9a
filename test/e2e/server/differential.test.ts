// ISC's own answers as the specification: the differential tester (../shared/differential) sends
// the same seeded client packets to ISC dhcpd 4.4.3 and to Leasehold in twin namespaces and diffs
// every reply and the final lease files. A short run per configuration, with fixed seeds; any
// difference other than option order or a departure README.md names fails, with the tester's line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { classify, formatVerdict, REPO, runTester, TESTER } from '../../../scripts/differential.js';
import { requireRoot } from '../lib/netns.js';

function ready(t: TestContext): boolean {
  if (!requireRoot(t)) return false;
  for (const p of [join(TESTER, 'run.py'), '/usr/sbin/dhcpd', '/usr/bin/python3']) {
    if (!existsSync(p)) {
      t.skip(`${p} not found`);
      return false;
    }
  }
  return true;
}

test('the differential tester passes its own self-test', { timeout: 180_000 }, (t) => {
  if (!ready(t)) return;
  const r = spawnSync('/usr/bin/python3', [join(TESTER, 'selftest.py')], { encoding: 'utf8', timeout: 170_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^0 failure\(s\)$/m);
});

// differential-language.conf: classes, subclasses, permits, if/elsif/else, expression-valued options,
// set and on commit, spawn with + lease limit (the lease files' set and billing lines are compared too).
const LANGUAGE = join(REPO, 'test/fixtures/conf/differential-language.conf');

for (const [config, seed] of [
  ['seed-talk', 11],
  ['rich', 12],
  [LANGUAGE, 13],
] as const) {
  test(
    `differential, ${config === LANGUAGE ? 'differential-language.conf' : config} seed ${seed}: ISC's answers, or a named departure`,
    { timeout: 600_000 },
    (t) => {
      if (!ready(t)) return;
      const { report, candidateLog, output } = runTester({ seed, config, steps: config === LANGUAGE ? 100 : 60 });
      const verdict = classify(report, candidateLog);
      const text = formatVerdict(verdict).join('\n');
      t.diagnostic(`${report.summary}\n${text}`);
      assert.notEqual(report.steps.length, 0, `the tester ran no step:\n${output}`);
      assert.deepEqual(verdict.unexplained, [], `${report.summary}\n${text}`);
    },
  );
}

// Dynamic DNS on (rich.conf with `ddns-update-style interim` and zones whose server, on the test link, never
// answers): the replies and lease files must not change - ISC's lease reuse stops while an update runs, and
// neither server records a DNS state that DNS never confirmed.
test(
  "differential, rich.conf with dynamic DNS on, seed 14: ISC's answers, or a named departure",
  { timeout: 600_000 },
  (t) => {
    if (!ready(t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'lh-diff-ddns-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const rich = readFileSync(join(TESTER, 'configs/rich.conf'), 'utf8');
    assert.match(rich, /^ddns-update-style none;$/m);
    const config = join(dir, 'rich-ddns.conf');
    writeFileSync(
      config,
      rich.replace(
        /^ddns-update-style none;$/m,
        'ddns-update-style interim;\nzone subnet.example. { primary 192.0.2.250; }\nzone 2.0.192.in-addr.arpa. { primary 192.0.2.250; }',
      ),
    );
    const { report, candidateLog, output } = runTester({ seed: 14, config, steps: 80 });
    const verdict = classify(report, candidateLog);
    const text = formatVerdict(verdict).join('\n');
    t.diagnostic(`${report.summary}\n${text}`);
    assert.notEqual(report.steps.length, 0, `the tester ran no step:\n${output}`);
    assert.deepEqual(verdict.unexplained, [], `${report.summary}\n${text}`);
    assert.match(candidateLog, /Unable to add forward map from /, 'the updates were tried');
  },
);
