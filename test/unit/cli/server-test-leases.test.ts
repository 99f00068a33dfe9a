// `leasehold server -T`: the lease database check, run as a user runs it, on the corpus files
// whose verdicts ISC's `dhcpd -T` recorded (../shared/corpus/leases/LEASES-CHECK.tsv).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = path.join(repoRoot, 'bin', 'leasehold');
const leases = path.resolve(repoRoot, '..', 'shared', 'corpus', 'leases');
const skip = existsSync(leases) ? false : `corpus not found at ${leases}`;

function runT(file: string) {
  return spawnSync(process.execPath, [bin, 'server', '-T', '-cf', '/nonexistent.conf', '-lf', file], {
    cwd: leases,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('server -T agrees with dhcpd -T on every DHCPv4 corpus lease file', { skip }, () => {
  const rows = readFileSync(path.join(leases, 'LEASES-CHECK.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter(([, family]) => family === '-4');
  assert.ok(rows.length >= 20);
  const disagreements: string[] = [];
  for (const [file, , iscError = ''] of rows) {
    const r = runT(file!);
    if (iscError === '') {
      if (r.status !== 0) disagreements.push(`${file}: ISC accepts, we exit ${r.status}: ${r.stderr}`);
      continue;
    }
    // ISC prints `FILE line N: message`; we print `FILE:N:COL: message` with a caret.
    const m = /^(.*) line (\d+): (.*)$/.exec(iscError);
    assert.ok(m, iscError);
    const [, name, line, message] = m;
    if (r.status !== 1 || !r.stderr.startsWith(`${name}:${line}:`) || !r.stderr.includes(message!)) {
      disagreements.push(`${file}: ISC says "${iscError}", we exit ${r.status}: ${r.stderr.split('\n')[0]}`);
    }
  }
  assert.deepEqual(disagreements, []);
});

test('server -T on a missing lease file fails clearly', () => {
  const r = runT('/nonexistent/dhcpd.leases');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Can't open lease database \/nonexistent\/dhcpd\.leases/);
});
