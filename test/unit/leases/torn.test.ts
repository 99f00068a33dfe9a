// A crash can leave the last record half written: such a file loads with a warning and every
// earlier lease intact. Damage anywhere else is an error that names the line.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { tokenize } from '../../../src/conf/lexer.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { nextRecord, skipString } from '../../../src/leases/scan.js';
import { formatLeaseFile } from '../../../src/leases/writer.js';
import { comparable, fixturesDir, readLatin1 } from './helpers.js';

const GOOD = readLatin1(path.join(fixturesDir, 'every-field.expected'));

describe('torn tail', () => {
  const lastStart = GOOD.lastIndexOf('lease 192.0.2.13');
  const before = parseLeases(GOOD.slice(0, lastStart), 'good.leases');

  it('the fixture parses and its last record is a lease', () => {
    assert.equal(before.error, undefined);
    assert.equal(before.leases.size, 3);
  });

  it('truncated at every byte of its last record, loads with a warning and the rest intact', () => {
    for (let cut = lastStart + 1; cut < GOOD.length - 1; cut++) {
      const r = parseLeases(GOOD.slice(0, cut), 'torn.leases');
      assert.equal(r.error, undefined, `cut at ${cut}: ${r.error?.iscText}`);
      if (r.tornTail === undefined) {
        // Only a cut after the closing brace leaves a complete record.
        assert.equal(GOOD.slice(cut - 1, cut), '}', `cut at ${cut}`);
        continue;
      }
      assert.equal(r.tornTail.line, GOOD.slice(0, lastStart).split('\n').length, `cut at ${cut}`);
      assert.equal(r.validLength, GOOD.lastIndexOf('}', lastStart) + 1, `cut at ${cut}`);
      assert.deepEqual(comparable(r.records), comparable(before.records), `cut at ${cut}`);
    }
  });

  it('truncated inside the last record of every kind (strings, verbatim blocks), still a warning', () => {
    const withHostLast = `${GOOD}host late.example {\n  dynamic;\n  hardware ethernet 52:54:00:00:00:01;\n}\n`;
    const start = GOOD.length;
    for (let cut = start + 1; cut < withHostLast.length - 2; cut++) {
      const r = parseLeases(withHostLast.slice(0, cut), 'torn.leases');
      assert.equal(r.error, undefined, `cut at ${cut}: ${r.error?.iscText}`);
      assert.ok(r.tornTail !== undefined, `cut at ${cut}`);
      assert.equal(r.leases.size, 4);
    }
  });

  it('a record broken in the middle is an error naming the line', () => {
    const lines = GOOD.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  tsfp'));
    lines[at] = '  tsfp 3 2024/01/10 13:30:00 UTC;';
    const r = parseLeases(lines.join('\n'), 'bad.leases');
    assert.equal(r.error?.iscText, `bad.leases line ${at + 1}: Time zone offset or semicolon expected.`);
    assert.equal(r.error?.line, at + 1);
  });

  it('garbage between records is an error, even before a torn tail', () => {
    const text = `${GOOD}garbage here;\nlease 192.0.2.99 {\n  starts 3 2024/01/1`;
    const r = parseLeases(text, 'bad.leases');
    assert.equal(r.error?.message, 'Corrupt lease file - possible data loss!');
    assert.equal(r.tornTail, undefined);
  });

  it('a last record broken before the end of the text is corruption, not a torn tail', () => {
    const text = `${GOOD}lease 192.0.2.99 {\n  starts 3 2024/01/10 12:00:00;\n  bogus stuff;\n  ends 3 2024/01/1`;
    const r = parseLeases(text, 'bad.leases');
    assert.equal(r.error?.message, 'Unexpected configuration directive.');
    assert.equal(r.tornTail, undefined);
  });

  it('a record that never closes but swallows the next one is corruption', () => {
    const text = GOOD.replace(
      'lease 192.0.2.13 {',
      'lease 192.0.2.13 {\n  starts 3 2024/01/10 12:00:00;\nlease 192.0.2.14 {',
    );
    const r = parseLeases(text, 'bad.leases');
    assert.equal(r.error?.message, 'Unexpected configuration directive.');
  });

  it('a rewritten torn file is whole again', () => {
    const r = parseLeases(GOOD.slice(0, GOOD.length - 5), 'torn.leases');
    const fixed = [...formatLeaseFile(r.records)].join('');
    const again = parseLeases(fixed, 'fixed.leases');
    assert.equal(again.tornTail, undefined);
    assert.equal(again.error, undefined);
    assert.equal(again.leases.size, 3);
  });
});

describe('record scanner agrees with the shared lexer on strings', () => {
  const samples = [
    '"plain"',
    '"esc \\" quote"',
    '"oct \\001\\377"',
    '"hex \\x41\\x4g"',
    '"zero quirk \\0" still" x"',
    '"back \\\\"',
    '"tab \\t nl \\n"',
    `"${'a'.repeat(1600)}" next "b"`,
    '"unterminated',
  ];
  for (const s of samples) {
    it(JSON.stringify(s.slice(0, 40)), () => {
      const toks = tokenize(s);
      const pos = { i: 1, line: 1 };
      const closed = skipString(s, pos);
      assert.equal(pos.i, toks[0]!.end, 'same end');
      assert.equal(closed, toks[0]!.lexError !== 'eof in string constant');
    });
  }

  it('splits records at the closing brace or a top-level semicolon', () => {
    const text = 'authoring-byte-order little-endian;\n# c { "\nlease 1.2.3.4 { uid "}"; }\nsubclass "a" "b";';
    const pos = { i: 0, line: 1 };
    const spans = [];
    for (let s = nextRecord(text, pos); s; s = nextRecord(text, pos)) spans.push(text.slice(s.start, s.end));
    assert.deepEqual(spans, ['authoring-byte-order little-endian;', 'lease 1.2.3.4 { uid "}"; }', 'subclass "a" "b";']);
  });
});
