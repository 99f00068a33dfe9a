// OMAPI hosts in the journal: a removed dynamic host (`host NAME { dynamic; deleted; }`) is appended so that
// a reader drops the host, but a rewrite writes neither it nor the host, as ISC's write_leases; a removed
// configuration host (`host NAME { deleted; }`) is kept, and a live dynamic host is kept.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { openJournal } from '../../../src/leases/journal.js';
import type { HostRecord } from '../../../src/leases/lease.js';
import { parseLeases } from '../../../src/leases/reader.js';

function host(text: string): HostRecord {
  const r = parseLeases(`${text}\n`, 'omapi').records[0];
  assert.ok(r?.kind === 'host');
  return r;
}

test('journal: removed dynamic hosts are appended, then dropped by the rewrite; others are kept', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leasehold-journal-hosts-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dhcpd.leases');
  fs.writeFileSync(file, '');
  const { journal } = await openJournal(file);
  await journal.commit([host('host a {\n  dynamic;\n  hardware ethernet 52:54:00:00:00:01;\n}')]);
  await journal.commit([host('host b {\n  dynamic;\n  hardware ethernet 52:54:00:00:00:02;\n}')]);
  await journal.commit([host('host a {\n  dynamic;\n  deleted;\n}'), host('host printer {\n  deleted;\n}')]);
  const appended = fs.readFileSync(file, 'latin1');
  assert.match(appended, /host a \{\n {2}dynamic;\n {2}deleted;\n\}\n/);
  await journal.rewrite();
  await journal.close();
  const text = fs.readFileSync(file, 'latin1');
  assert.doesNotMatch(text, /host a /);
  assert.match(text, /host b \{\n {2}dynamic;\n {2}hardware ethernet 52:54:00:00:00:02;\n\}\n/);
  assert.match(text, /host printer \{\n {2}deleted;\n\}\n/);
  // loading the appended form drops `a` as well
  fs.writeFileSync(file, appended);
  const again = await openJournal(file);
  await again.journal.close();
  assert.deepEqual(
    again.loaded.records
      .filter((r) => r.kind === 'host')
      .map((r) => `${r.kind === 'host' ? r.name : ''}:${r.kind === 'host' && r.deleted}`),
    ['b:false', 'a:true', 'printer:true'],
  );
  assert.doesNotMatch(fs.readFileSync(file, 'latin1'), /host a /);
});
