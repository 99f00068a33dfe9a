// The corpus of real lease files (../shared/corpus/leases): our checker agrees with ISC's
// `dhcpd -T` on every server lease file, and parse -> format -> parse keeps every record.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkLeasesText } from '../../../src/leases/check.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { formatLeaseFile } from '../../../src/leases/writer.js';
import { comparable, corpusDir, haveCorpus, readLatin1, serverLeaseFiles } from './helpers.js';

const skip = haveCorpus() ? false : `corpus not found at ${corpusDir}`;

describe('lease corpus', { skip }, () => {
  const files = haveCorpus() ? serverLeaseFiles() : [];

  it('has the 24 server lease files, two of them DHCPv6', () => {
    assert.equal(files.length, 24);
    assert.deepEqual(
      files.filter((f) => f.family === '-6').map((f) => f.file.slice(0, 3)),
      ['009', '010'],
    );
  });

  for (const { file, family, iscError } of files) {
    it(`${file}: checker agrees with dhcpd -T ${family}`, () => {
      const r = checkLeasesText(readLatin1(path.join(corpusDir, file)), file);
      if (iscError === '') {
        assert.equal(r.ok, true, r.message);
      } else {
        assert.equal(r.ok, false);
        assert.equal(r.iscText, iscError);
      }
    });

    it(`${file}: parse -> format -> parse keeps every record`, () => {
      const first = parseLeases(readLatin1(path.join(corpusDir, file)), file);
      assert.ok(first.records.length > 0 || file.startsWith('011'), 'some records');
      const text = [...formatLeaseFile(first.records)].join('');
      const again = parseLeases(text, file);
      assert.equal(again.error, undefined, again.error?.iscText);
      assert.deepEqual(comparable(again.records), comparable(first.records));
      // Written once more, the text is a fixed point.
      assert.equal([...formatLeaseFile(again.records)].join(''), text);
    });

    it(`${file}: the fast reader and the full parser agree`, () => {
      const text = readLatin1(path.join(corpusDir, file));
      const fast = parseLeases(text, file);
      const slow = parseLeases(text, file, { fastPath: false });
      assert.deepEqual(comparable(fast.records), comparable(slow.records));
      assert.deepEqual(fast.error, slow.error);
    });
  }

  it('the DHCPv6 files are read as IA records, kept verbatim', () => {
    const r = parseLeases(readLatin1(path.join(corpusDir, '010-py-isc-dhcp-leases-dhcpd6-4.3.3.leases')), '010');
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.records.map((x) => x.kind),
      ['server-duid', 'ia-na', 'ia-pd', 'ia-na', 'ia-pd'],
    );
    const ia = r.records[1]!;
    assert.ok(ia.kind === 'ia-na' && ia.text.includes('on expiry {') && ia.text.endsWith('}'));
  });

  it('later records replace earlier ones for the same address (013: 17 records, 7 leases)', () => {
    const r = parseLeases(readLatin1(path.join(corpusDir, '013-dhcpd-parser-multiple.leases')), '013');
    assert.equal(r.recordCount, 17);
    assert.equal(r.leases.size, 6);
  });
});
