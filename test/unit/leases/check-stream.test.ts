// `leasehold server -T` counts a good file as it streams by (no Lease kept, no whole-file
// string) and reads a file with anything to report whole: both say what the whole-text check says.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkLeasesFile, checkLeasesText } from '../../../src/leases/check.js';

const GOOD = `# The format of this file is documented in the dhcpd.leases(5) manual page.
authoring-byte-order little-endian;

lease 192.0.2.10 {
  starts 2 2023/11/14 22:13:20;
  ends 6 2033/11/19 22:13:20;
  binding state active;
  next binding state free;
  hardware ethernet 02:00:00:00:00:05;
  uid "\\001\\002\\000\\000\\000\\000\\005";
  client-hostname "pc";
}
lease 192.0.2.11 {
  starts 2 2023/11/14 22:13:20;
  tstp 2 2023/11/14 22:13:20;
  binding state expired;
  set vendor-class-identifier = "x";
}
host dyn { dynamic; hardware ethernet 02:00:00:00:00:09; fixed-address 192.0.2.99; }
lease 192.0.2.10 {
  starts 2 2023/11/14 22:13:20;
  binding state free;
}
`;

test('a good file: the streamed count is the whole-text count', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-check-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dhcpd.leases');
  fs.writeFileSync(file, GOOD, 'latin1');
  const streamed = await checkLeasesFile(file);
  assert.deepEqual(streamed, checkLeasesText(GOOD, file));
  assert.equal(streamed.leases, 2);
});

test('a file with a warning or an error is reported from the whole text, source line and caret', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lh-check-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dhcpd.leases');
  for (const text of [`${GOOD}lease 192.0.2.12 {\n  starts 2 2023`, `${GOOD}lease 192.0.2.12 {\n  bogus;\n}\n`]) {
    fs.writeFileSync(file, text, 'latin1');
    const r = await checkLeasesFile(file);
    assert.deepEqual(r, checkLeasesText(text, file));
    assert.match(r.message, /\^/);
  }
  const missing = await checkLeasesFile(path.join(dir, 'none'));
  assert.equal(missing.ok, false);
  assert.match(missing.message, /^Can't open lease database .*none: ENOENT/);
});
