// `leasehold server -T -lf FILE`: would this lease file load? Reads only; never writes.

import { readFile } from 'node:fs/promises';
import { type Diagnostic, formatDiagnostic } from '../conf/diagnostics.js';
import { bytesToSource } from '../conf/lexer.js';
import { type ParseLeasesOptions, parseLeases, parseLeasesFile } from './reader.js';

export interface LeasesCheckResult {
  /** True when Leasehold would start with this file (a torn last record is only a warning). */
  ok: boolean;
  /** What to print: a summary, or the error with its source line and a caret. */
  message: string;
  /** The first error as ISC's `dhcpd -T` prints it (`FILE line N: message`). */
  iscText?: string;
  diagnostic?: Diagnostic;
  warnings: Diagnostic[];
  leases: number;
}

export async function checkLeasesFile(file: string, opts: ParseLeasesOptions = {}): Promise<LeasesCheckResult> {
  // A file that reads without a word to say is counted as it streams by (a million leases are
  // neither kept nor one string); anything to report is read again whole, for the source lines.
  try {
    const addresses = new Set<number>();
    const r = parseLeasesFile(file, {
      ...opts,
      onLease: (lease) => {
        addresses.add(lease.address);
        return true;
      },
      onLeaseFields: (fields) => {
        addresses.add(fields.address);
        return true;
      },
    });
    if (r.error === undefined && r.warnings.length === 0) {
      return {
        ok: true,
        message: `${file}: ${addresses.size} leases, ${r.records.length} other records, ${r.recordCount} records read\n`,
        warnings: [],
        leases: addresses.size,
      };
    }
  } catch {
    // Reported below, as the whole-file read reports it.
  }
  let text: string;
  try {
    text = bytesToSource(await readFile(file));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, message: `Can't open lease database ${file}: ${reason}`, warnings: [], leases: 0 };
  }
  return checkLeasesText(text, file, opts);
}

/** The same check on text already read (one char per byte). */
export function checkLeasesText(text: string, file: string, opts: ParseLeasesOptions = {}): LeasesCheckResult {
  const r = parseLeases(text, file, opts);
  const warnings = r.warnings.map((w) => formatDiagnostic(w, text)).join('');
  if (r.error !== undefined) {
    return {
      ok: false,
      message: formatDiagnostic(r.error, text) + warnings,
      iscText: r.error.iscText,
      diagnostic: r.error,
      warnings: r.warnings,
      leases: r.leases.size,
    };
  }
  const others = r.records.length - r.leases.size;
  return {
    ok: true,
    message: `${file}: ${r.leases.size} leases, ${others} other records, ${r.recordCount} records read\n${warnings}`,
    warnings: r.warnings,
    leases: r.leases.size,
  };
}
