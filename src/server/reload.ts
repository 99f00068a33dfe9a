// Live reload (SIGHUP, POST /api/v1/config/reload): the new dhcpd.conf is parsed and checked as
// `leasehold server -t` checks it, a new snapshot (scope tree + allocator) is built beside the running one
// and filled with the running one's leases, and only then swapped in - synchronously, so between two
// packets. A configuration that does not parse is refused with its errors and changes nothing. ISC dhcpd
// cannot reload at all; Kea may stop serving after an invalid one.
//
// What carries over: every lease with its state, times, client, host name, agent options, variables and
// `on release|expiry` bodies, the offers still held (the lease file's own record, as a restart would read it, plus the bodies a
// restart loses), billing, hosts created through OMAPI or the API, the DNS updates in progress. What cannot
// change without a restart is reported and keeps its old value: the interfaces served, `local-port`,
// `local-address`, `omapi-port`, `omapi-key`, `ddns-update-style`, `ddns-local-address4`, failover peers.

import { formatDiagnostic } from '../conf/diagnostics.js';
import { type ParseResult, parseDhcpdConfText } from '../conf/index.js';
import { buildScopeTree, type ScopeTree } from '../conf/scope-tree.js';
import { Allocator, NO_SLOT } from './allocator.js';
import { hwKeyOf, uidKeyOf } from './client-id.js';

export interface ReloadResult {
  ok: boolean;
  /** The configuration's errors, as `leasehold server -t` prints them. */
  errors: string[];
  /** What was not changed (statements that need a restart) and warnings. */
  notes: string[];
}

/** A configuration text checked as `-t` checks it: its tree, or its errors. */
export function checkConfig(
  text: string,
  name: string,
  readFile?: (path: string) => Uint8Array | undefined,
): { parsed: ParseResult; tree?: ScopeTree; errors: string[]; warnings: string[] } {
  const parsed = parseDhcpdConfText(text, name, readFile !== undefined ? { readFile } : {});
  const show = (d: Parameters<typeof formatDiagnostic>[0]) => formatDiagnostic(d, parsed.sources.get(d.file)).trimEnd();
  const warnings = parsed.warnings.map(show);
  if (parsed.error !== undefined || parsed.conf === undefined) {
    return { parsed, errors: parsed.error !== undefined ? [show(parsed.error)] : ['no configuration'], warnings };
  }
  try {
    return { parsed, tree: buildScopeTree(parsed.conf, parsed.catalogue), errors: [], warnings };
  } catch (e) {
    return { parsed, errors: [(e as Error).message], warnings };
  }
}

const FIXED_PARAMETERS = [
  'local-port',
  'local-address',
  'omapi-port',
  'omapi-key',
  'ddns-update-style',
  'ddns-local-address4',
] as const;

function paramText(tree: ScopeTree, name: string): string {
  const v = tree.global.parameters.get(name)?.value;
  return v === undefined ? '(unset)' : String(v);
}

/** Statements of `next` that differ from `current` but only take effect at start-up. */
export function restartOnlyChanges(current: ScopeTree, next: ScopeTree): string[] {
  const notes: string[] = [];
  for (const p of FIXED_PARAMETERS) {
    const a = paramText(current, p);
    const b = paramText(next, p);
    if (a !== b) notes.push(`${p} changed (${a} -> ${b}): it takes effect at the next restart`);
  }
  const peers = (t: ScopeTree) => [...t.failoverPeers.keys()].sort().join(',');
  if (peers(current) !== peers(next)) notes.push('failover peers changed: they take effect at the next restart');
  return notes;
}

/**
 * The allocator of `tree` holding `current`'s leases: each address the new configuration still has takes
 * its lease record (loadAll, the restart path) and its lease scope. Returns it with the addresses whose
 * leases the new configuration no longer covers (they are forgotten, as a restart would leave them: in the
 * lease file, served by no pool).
 */
export function carryLeases(
  current: Allocator,
  tree: ScopeTree,
  now: number,
): { allocator: Allocator; dropped: number; warnings: string[] } {
  const next = new Allocator(tree);
  const records = [...current.leaseRecords()];
  let dropped = 0;
  const kept = records.filter((r) => {
    if (next.slotOf(r.address) !== NO_SLOT) return true;
    // An active lease outside every new pool: kept in the file, not served (a restart does the same).
    dropped++;
    return false;
  });
  next.loadAll(kept, now);
  // Offers still held stay promised to their clients: no other client is offered the address meanwhile.
  for (const o of current.offersHeld(now)) {
    const slot = next.slotOf(o.address);
    if (slot === NO_SLOT) continue;
    const id = { uid: o.uid, hardware: o.hardware, uidKey: uidKeyOf(o.uid), hwKey: hwKeyOf(o.hardware) ?? '' };
    next.offer(slot, id, o.hostname, now, o.until);
  }
  for (const r of kept) {
    const from = current.slotOf(r.address);
    const to = next.slotOf(r.address);
    const scope = from === NO_SLOT ? undefined : current.leaseScopeOf(from);
    if (scope !== undefined && to !== NO_SLOT) next.setLeaseScope(to, scope);
  }
  return { allocator: next, dropped, warnings: [...next.warnings] };
}
