// Shared helpers of the lease tests: where the corpus and fixtures are, and comparing records.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LeaseFileRecord, parseIPv4 } from '../../../src/leases/lease.js';

/** The repository root (tests run from dist/test/unit/leases). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus', 'leases');
export const fixturesDir = path.resolve(repoRoot, 'test', 'fixtures', 'leases');

export function haveCorpus(): boolean {
  return fs.existsSync(path.join(corpusDir, 'LEASES-CHECK.tsv'));
}

/** Server lease files of the corpus (001-024), with ISC's verdict from LEASES-CHECK.tsv. */
export function serverLeaseFiles(): { file: string; family: string; iscError: string }[] {
  const rows = fs.readFileSync(path.join(corpusDir, 'LEASES-CHECK.tsv'), 'utf8').split('\n').slice(1);
  const out: { file: string; family: string; iscError: string }[] = [];
  for (const row of rows) {
    const [file, family, iscError] = row.split('\t');
    if (file === undefined || file === '' || family === undefined || !family.startsWith('-')) continue;
    out.push({ file, family, iscError: iscError ?? '' });
  }
  return out;
}

export function readLatin1(file: string): string {
  return fs.readFileSync(file).toString('latin1');
}

/**
 * Records without what legitimately differs after a rewrite: the parsed host AST (it carries
 * source positions) and the authoring-byte-order record the writer always adds.
 */
export function comparable(records: LeaseFileRecord[]): unknown[] {
  return records
    .filter((r) => r.kind !== 'authoring-byte-order')
    .map((r) => (r.kind === 'host' ? { ...r, decl: undefined } : r));
}

/** A dotted quad as the u32 the model uses (throws on a typo). */
export function ip(text: string): number {
  const n = parseIPv4(text);
  if (n === undefined) throw new Error(`not an address: ${text}`);
  return n;
}
