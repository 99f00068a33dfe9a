// parseLeasesBytes reads a file through a window of text that moves along it (a million-lease
// file is never one string). Wherever the windows cut the text - inside a string, a comment, a
// date, a record that turns out torn or broken - the result is the one of reading the whole text.
// Also: the fast reader's shortcuts (fixed-width dates, octets in a shared slab) change nothing.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Lease } from '../../../src/leases/lease.js';
import { type ParsedLeases, parseLeases, parseLeasesBytes } from '../../../src/leases/reader.js';
import { comparable, corpusDir, fixturesDir, haveCorpus, ip, readLatin1, serverLeaseFiles } from './helpers.js';

function same(a: ParsedLeases, b: ParsedLeases, what: string): void {
  assert.deepEqual(comparable(a.records), comparable(b.records), what);
  assert.deepEqual(a.error, b.error, what);
  assert.deepEqual(a.tornTail, b.tornTail, what);
  assert.deepEqual(a.warnings, b.warnings, what);
  assert.equal(a.validLength, b.validLength, what);
  assert.equal(a.recordCount, b.recordCount, what);
  assert.deepEqual([...a.leases.keys()], [...b.leases.keys()], what);
}

const WINDOWS = [1, 5, 17, 64, 301, 4096];

function agrees(text: string, name: string): void {
  const whole = parseLeases(text, name);
  const bytes = Buffer.from(text, 'latin1');
  for (const windowSize of WINDOWS)
    same(parseLeasesBytes(bytes, name, { windowSize }), whole, `${name} window ${windowSize}`);
  same(parseLeasesBytes(bytes, name), whole, `${name} default window`);
}

const GOOD = readLatin1(path.join(fixturesDir, 'every-field.expected'));
const INPUT = readLatin1(path.join(fixturesDir, 'every-field.leases'));

describe('reading through a moving window', () => {
  it('the fixtures read the same through windows of every size', () => {
    agrees(GOOD, 'every-field.expected');
    agrees(INPUT, 'every-field.leases');
  });

  it('a torn tail or a broken record is reported the same, at the same line and offset', () => {
    const lastStart = GOOD.lastIndexOf('lease ');
    for (let cut = lastStart; cut < GOOD.length; cut += 7) agrees(GOOD.slice(0, cut), 'torn.leases');
    agrees(GOOD.replace('binding state', 'binding stat'), 'broken.leases');
    agrees(`${GOOD}# a comment at the very end, no newline`, 'comment.leases');
    agrees(`${GOOD}lease 192.0.2.99 { starts 4 2026/11/22 17:38:00; # torn inside a comment`, 'torn-comment.leases');
  });

  it('the corpus reads the same through windows', { skip: haveCorpus() ? false : 'no corpus' }, () => {
    for (const { file } of serverLeaseFiles()) {
      const text = readLatin1(path.join(corpusDir, file));
      const whole = parseLeases(text, file);
      const bytes = fs.readFileSync(path.join(corpusDir, file));
      for (const windowSize of [7, 300]) same(parseLeasesBytes(bytes, file, { windowSize }), whole, file);
    }
  });
});

describe('fast reader shortcuts', () => {
  it('dates in any spacing or width read as the full parser reads them', () => {
    const text = [
      'lease 192.0.2.1 {\n  starts 4 2026/11/22 17:38:00;\n  ends 4 2026/1/2 3:04:05;\n}\n',
      'lease 192.0.2.2 {\n  starts 4  2026/11/22  17:38:00 ;\n  ends 0 1999/12/31 23:59:59;\n}\n',
      'lease 192.0.2.3 {\n  starts 6 2040/02/29 00:00:00;\n  ends 4 2026/11/22 17:38:0x;\n}\n',
      'lease 192.0.2.4 {\n  starts 14 2026/11/22 17:38:00;\n  cltt 4 02026/11/22 17:38:00;\n}\n',
      'lease 192.0.2.5 {\n  starts 4 2026/11/22 17:38:00\n;\n  tstp 4\n2026/11/22 17:38:00;\n}\n',
    ];
    for (const t of text) {
      const fast = parseLeases(t, 'dates.leases');
      const slow = parseLeases(t, 'dates.leases', { fastPath: false });
      assert.deepEqual(fast.records, slow.records, t);
      assert.deepEqual(fast.error, slow.error, t);
    }
    const first = parseLeases(text[0]!, 'd').leases.get(ip('192.0.2.1'))!;
    assert.equal(first.starts, Date.UTC(2026, 10, 22, 17, 38, 0) / 1000);
    assert.equal(first.ends, Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
  });

  it('octets kept from many leases are each their own, whatever shares their memory', () => {
    let text = '';
    for (let i = 0; i < 20000; i++) {
      const b = [i >> 8, i & 255].map((x) => x.toString(16).padStart(2, '0')).join(':');
      const uid = [1, 0x52, 0x54, 0, 0xaa, i >> 8, i & 255].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
      text += `lease 10.${i >> 16}.${(i >> 8) & 255}.${i & 255} {\n  hardware ethernet 52:54:00:aa:${b};\n  uid "${uid}";\n}\n`;
    }
    const r = parseLeasesBytes(Buffer.from(text, 'latin1'), 'many.leases');
    assert.equal(r.error, undefined);
    assert.equal(r.leases.size, 20000);
    const all = [...r.leases.values()] as Lease[];
    all.forEach((l, i) => {
      assert.deepEqual([...l.hardware!.address], [0x52, 0x54, 0, 0xaa, i >> 8, i & 255]);
      assert.deepEqual([...l.uid!], [1, 0x52, 0x54, 0, 0xaa, i >> 8, i & 255]);
    });
    // Writing into one lease's octets touches no other lease.
    all[100]!.hardware!.address.fill(0);
    assert.deepEqual([...all[101]!.hardware!.address], [0x52, 0x54, 0, 0xaa, 0, 101]);
    assert.deepEqual([...all[99]!.uid!], [1, 0x52, 0x54, 0, 0xaa, 0, 99]);
  });
});
