import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, leaseScopeDiffs, type Report } from '../../../scripts/differential.js';

type Step = Report['steps'][number];

function step(n: number, diffs: Step['diffs'], ref: string[] = [], cand: string[] = [], opt50?: string): Step {
  return {
    step: n,
    action: { client: n, kind: 'DISCOVER' },
    diffs,
    sent: { ref: { opt50: opt50 ?? null, ciaddr: '0.0.0.0' }, cand: { opt50: opt50 ?? null, ciaddr: '0.0.0.0' } },
    replies: { ref: ref.map((yiaddr) => ({ yiaddr })), cand: cand.map((yiaddr) => ({ yiaddr })) },
  };
}

const DECLINED = 'DHCPDECLINE of 192.0.2.103 from 02:cf:d1:00:00:0b via srv0: not abandoned: leased to another client';

test('order-only steps are told apart; a departure reaches the addresses it moved, and no further', () => {
  const report: Report = {
    summary: 's',
    exit_status: 1,
    steps: [
      step(1, [{ kind: 'order', detail: 'ref 1,3 cand 3,1' }]),
      step(2, []),
      step(3, [{ kind: 'yiaddr', detail: 'ref 192.0.2.104, cand 192.0.2.103' }], ['192.0.2.104'], ['192.0.2.103']),
      step(4, [{ kind: 'yiaddr', detail: 'ref 192.0.2.105, cand 192.0.2.104' }], ['192.0.2.105'], ['192.0.2.104']),
      step(5, [{ kind: 'options', detail: '+opt58=900' }], ['192.0.2.120'], ['192.0.2.120']),
    ],
    lease_file_diffs: [
      { ip: '192.0.2.103', detail: 'state abandoned/active' },
      { ip: '192.0.2.130', detail: 'state free/active' },
    ],
  };
  const v = classify(report, `other line\n${DECLINED}\n`);
  assert.deepEqual(v.orderOnly, [1]);
  assert.deepEqual(v.departures[0]?.seeds, ['192.0.2.103']);
  assert.deepEqual(v.departures[0]?.steps, [3, 4]);
  assert.deepEqual(v.departures[0]?.leaseFile, ['192.0.2.103']);
  assert.equal(v.unexplained.length, 2);
  assert.match(v.unexplained[0]!, /^step 5 c05 DISCOVER: \[options\] \+opt58=900$/);
  assert.match(v.unexplained[1]!, /^lease-file 192\.0\.2\.130/);
});

test('without the departure in the log, the same differences are all unexplained', () => {
  const report: Report = {
    summary: 's',
    exit_status: 1,
    steps: [
      step(3, [{ kind: 'yiaddr', detail: 'ref 192.0.2.104, cand 192.0.2.103' }], ['192.0.2.104'], ['192.0.2.103']),
    ],
    lease_file_diffs: [{ ip: '192.0.2.103', detail: 'state abandoned/active' }],
  };
  const v = classify(report, '');
  assert.equal(v.unexplained.length, 2);
  assert.deepEqual(v.departures[0]?.steps, []);
});

test('lease-bound variables and billing of the final records are compared, in order', () => {
  const block = (ip: string, extra: string) =>
    `lease ${ip} {\n  binding state active;\n${extra}  client-hostname "x";\n}\n`;
  const ref =
    block('192.0.2.10', '  set b = "2";\n  set a = "1";\n') +
    block('192.0.2.11', '  billing class "c";\n') +
    block('192.0.2.12', '');
  const cand =
    block('192.0.2.10', '  set a = "1";\n  set b = "2";\n') +
    block('192.0.2.11', '  billing class "c";\n') +
    block('192.0.2.12', '  set x = "y";\n');
  assert.deepEqual(
    leaseScopeDiffs(ref, cand).map((d) => d.ip),
    ['192.0.2.10', '192.0.2.12'],
  );
  assert.deepEqual(leaseScopeDiffs(ref, ref), []);
});
