// One lease's dynamic DNS work as ISC dhcpd 4.4.3 does it (server/ddns.c, common/dns.c): a chain of RFC 2136
// updates where each answer picks the next message. Adding: the name must be unused (add A + guard), else
// the guard must be ours (replace A), then the PTR; removing: delete our A if the guard is ours, then the
// guard once no address is left, then the PTR. The guard is a DHCID record (`standard`) or ISC's TXT
// (`interim`). Pure: the updater (updater.ts) sends the messages, times them out and feeds answers back.

import { ipToString } from '../wire/ip.js';
import { aRdata, ptrRdata, txtRdata, type UpdateRecord } from './update-message.js';

export type DdnsStyle = 'standard' | 'interim';

/** What DNS holds for a lease, as ISC keeps it in the lease's variables. */
export interface DnsState {
  /** `ddns-fwd-name`: the name whose A record (and guard) we added. */
  fwdName?: string;
  /** The guard's RDATA: DHCID (`ddns-dhcid`) or TXT text without its length byte (`ddns-txt`). */
  guard?: { style: DdnsStyle; value: Uint8Array };
  /** `ddns-rev-name`: the PTR record's name. */
  revName?: string;
  /** `ddns-client-fqdn`: the client updates its A record itself; we did only the PTR, to this name. */
  clientFqdn?: string;
}

export interface ConflictRules {
  /** `update-conflict-detection` (default on). */
  detect: boolean;
  /** `ddns-guard-id-must-match` (default on). */
  guardMustMatch: boolean;
}

export interface AddJob {
  kind: 'add';
  address: number;
  /** The name to map to the address. */
  fwdName: string;
  /** Whether the server adds the A record (false: the client does, and we do only the PTR). */
  updateA: boolean;
  /** Absent: no PTR (`do-reverse-updates off`, or no ddns-rev-domainname). */
  revName?: string;
  ttl: number;
  guard: { style: DdnsStyle; value: Uint8Array };
  conflict: ConflictRules;
}

export interface RemoveJob {
  kind: 'remove';
  address: number;
  state: DnsState;
  conflict: ConflictRules;
}

export type DdnsJob = AddJob | RemoveJob;

/** What a step asks for next. */
export type Step = { send: UpdateBody; logs: string[] } | { done: true; logs: string[]; ok: boolean };

/** An update without its zone: the updater finds the zone that holds `name` (ISC find_cached_zone). */
export interface UpdateBody {
  name: string;
  prerequisites: UpdateRecord[];
  updates: UpdateRecord[];
}

type Phase = 'fwd-add1' | 'fwd-add2' | 'ptr-add' | 'fwd-rem1' | 'fwd-rem2' | 'ptr-rem';

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** The wire RDATA of a guard record: TXT gets its length byte (dhcid_fromlease). */
function guardRdata(g: { style: DdnsStyle; value: Uint8Array }): Uint8Array {
  return g.style === 'standard' ? g.value : txtRdata(g.value);
}

function guardType(g: { style: DdnsStyle }): 'DHCID' | 'TXT' {
  return g.style === 'standard' ? 'DHCID' : 'TXT';
}

/** `name` without its trailing dot, as ISC's log lines print names. */
function shown(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * A running transaction. `start()` gives the first step; `answer(rcodeName)` the next one, or `failed(why)`
 * when no answer came (the updater retries a step before calling it). `state` is what DNS holds for the lease
 * as far as this transaction knows, kept up to date step by step (ISC's ddns_update_lease_text).
 */
export class DdnsTransaction {
  readonly job: DdnsJob;
  state: DnsState;
  private phase: Phase | undefined;

  constructor(job: DdnsJob, current: DnsState) {
    this.job = job;
    this.state = { ...current };
  }

  /** The phase whose answer is awaited (for log lines and tests). */
  get current(): Phase | undefined {
    return this.phase;
  }

  start(): Step {
    const job = this.job;
    if (job.kind === 'remove') return this.removeStart([]);
    if (job.updateA) return this.go('fwd-add1', []);
    return job.revName !== undefined ? this.go('ptr-add', []) : this.finish([], true);
  }

  /** The server answered the current step with `rcode` ('NOERROR', 'YXDOMAIN', ...). */
  answer(rcode: string): Step {
    const logs: string[] = [];
    switch (this.phase) {
      case 'fwd-add1':
        if (rcode === 'NOERROR') return this.forwardAdded(logs);
        if (rcode === 'YXDOMAIN') return this.go('fwd-add2', logs);
        return this.failed(rcodeText(rcode));
      case 'fwd-add2': {
        if (rcode === 'NOERROR') return this.forwardAdded(logs);
        const job = this.job as AddJob;
        const why =
          rcode === 'YXRRSET' || rcode === 'YXDOMAIN'
            ? 'DHCID mismatch, belongs to another client.'
            : rcode === 'NXRRSET' || rcode === 'NXDOMAIN'
              ? 'Has an address record but no DHCID, not mine.'
              : rcodeText(rcode);
        logs.push(`Forward map from ${shown(job.fwdName)} to ${ipToString(job.address)} FAILED: ${why}`);
        return this.finish(logs, false);
      }
      case 'ptr-add': {
        const job = this.job as AddJob;
        if (rcode === 'NOERROR') {
          logs.push(`Added reverse map from ${shown(job.revName!)} to ${shown(job.fwdName)}`);
          this.state.revName = job.revName!;
          if (!job.updateA) this.state.clientFqdn = job.fwdName;
          return this.finish(logs, true);
        }
        return this.failed(rcodeText(rcode));
      }
      case 'fwd-rem1': {
        const name = this.state.fwdName!;
        if (rcode === 'NOERROR') {
          logs.push(`Removed forward map from ${shown(name)} to ${ipToString(this.job.address)}`);
          return this.go('fwd-rem2', logs);
        }
        if (rcode === 'NXRRSET' || rcode === 'NXDOMAIN') {
          // Nothing of ours there any more (or never was): forget it, as ISC does.
          this.forgetForward();
          return this.ptrRemoveOrDone(logs, true);
        }
        logs.push(
          `Unable to remove forward map from ${shown(name)} to ${ipToString(this.job.address)}: ${rcodeText(rcode)}`,
        );
        return this.ptrRemoveOrDone(logs, false);
      }
      case 'fwd-rem2':
        // YXRRSET: another address record remains under the name; the guard stays for it (ISC counts it a success).
        if (rcode === 'NOERROR' || rcode === 'YXRRSET') {
          this.forgetForward();
          return this.ptrRemoveOrDone(logs, true);
        }
        return this.ptrRemoveOrDone(logs, false);
      case 'ptr-rem': {
        const rev = this.state.revName!;
        if (rcode === 'NOERROR' || rcode === 'NXRRSET' || rcode === 'NXDOMAIN') {
          if (rcode === 'NOERROR') logs.push(`Removed reverse map on ${shown(rev)}`);
          delete this.state.revName;
          delete this.state.clientFqdn;
          return this.finish(logs, true);
        }
        logs.push(`Can't remove reverse map on ${shown(rev)}: ${rcodeText(rcode)}`);
        return this.finish(logs, false);
      }
      default:
        return this.finish(logs, false);
    }
  }

  /** The current step got no usable answer (`why`: 'timed out', 'TSIG BADKEY', ...): the transaction ends. */
  failed(why: string): Step {
    const line = this.failureLine(why);
    return this.finish(line === undefined ? [] : [line], false);
  }

  /** ISC's log line for the current step failing because of `why` (the transaction goes on). */
  failureLine(why: string): string | undefined {
    const job = this.job;
    const add = job as AddJob;
    switch (this.phase) {
      case 'fwd-add1':
      case 'fwd-add2':
        return `Unable to add forward map from ${shown(add.fwdName)} to ${ipToString(job.address)}: ${why}`;
      case 'ptr-add':
        return `Unable to add reverse map from ${shown(add.revName!)} to ${shown(add.fwdName)}: ${why}`;
      case 'fwd-rem1':
      case 'fwd-rem2':
        return `Unable to remove forward map from ${shown(this.state.fwdName!)} to ${ipToString(job.address)}: ${why}`;
      case 'ptr-rem':
        return `Can't remove reverse map on ${shown(this.state.revName!)}: ${why}`;
      default:
        return undefined;
    }
  }

  private forwardAdded(logs: string[]): Step {
    const job = this.job as AddJob;
    logs.push(`Added new forward map from ${shown(job.fwdName)} to ${ipToString(job.address)}`);
    this.state.fwdName = job.fwdName;
    this.state.guard = job.guard;
    return job.revName !== undefined ? this.go('ptr-add', logs) : this.finish(logs, true);
  }

  private forgetForward(): void {
    delete this.state.fwdName;
    delete this.state.guard;
  }

  private removeStart(logs: string[]): Step {
    const s = this.state;
    if (s.fwdName !== undefined && s.guard !== undefined) return this.go('fwd-rem1', logs);
    if (s.fwdName !== undefined) this.forgetForward(); // a name without its guard cannot be removed safely
    return this.ptrRemoveOrDone(logs, true);
  }

  private ptrRemoveOrDone(logs: string[], ok: boolean): Step {
    return this.state.revName !== undefined ? this.go('ptr-rem', logs) : this.finish(logs, ok);
  }

  private go(phase: Phase, logs: string[]): Step {
    this.phase = phase;
    return { send: this.message(phase), logs };
  }

  private finish(logs: string[], ok: boolean): Step {
    this.phase = undefined;
    return { done: true, logs, ok };
  }

  /** The update of a phase (ISC build_fwd_add1/add2, build_fwd_rem1/rem2, ddns_modify_ptr). */
  private message(phase: Phase): UpdateBody {
    const job = this.job;
    const conflict = job.conflict;
    const a = aRdata(job.address);
    if (phase === 'ptr-add' || phase === 'ptr-rem') {
      const rev = absolute(phase === 'ptr-add' ? (job as AddJob).revName! : this.state.revName!);
      const updates: UpdateRecord[] = [{ name: rev, type: 'PTR', class: 'ANY', ttl: 0 }];
      if (phase === 'ptr-add') {
        const add = job as AddJob;
        updates.push({ name: rev, type: 'PTR', class: 'IN', ttl: add.ttl, rdata: ptrRdata(absolute(add.fwdName)) });
      }
      return { name: rev, prerequisites: [], updates };
    }
    if (phase === 'fwd-add1' || phase === 'fwd-add2') {
      const add = job as AddJob;
      const name = absolute(add.fwdName);
      const type = guardType(add.guard);
      const value = guardRdata(add.guard);
      const prerequisites: UpdateRecord[] = [];
      const updates: UpdateRecord[] = [];
      if (phase === 'fwd-add1') {
        prerequisites.push({ name, type: 'ANY', class: 'NONE', ttl: 0 });
        updates.push({ name, type: 'A', class: 'IN', ttl: add.ttl, rdata: a });
        updates.push({ name, type, class: 'IN', ttl: add.ttl, rdata: value });
      } else {
        if (conflict.detect) {
          prerequisites.push(
            conflict.guardMustMatch
              ? { name, type, class: 'IN', ttl: 0, rdata: value }
              : { name, type, class: 'ANY', ttl: 0 },
          );
        } else {
          updates.push({ name, type, class: 'ANY', ttl: 0 });
          updates.push({ name, type, class: 'IN', ttl: add.ttl, rdata: value });
        }
        updates.push({ name, type: 'A', class: 'ANY', ttl: 0 });
        updates.push({ name, type: 'A', class: 'IN', ttl: add.ttl, rdata: a });
      }
      return { name, prerequisites, updates };
    }
    const name = absolute(this.state.fwdName!);
    const guard = this.state.guard!;
    const type = guardType(guard);
    const value = guardRdata(guard);
    if (phase === 'fwd-rem1') {
      const prerequisites: UpdateRecord[] = [];
      if (conflict.detect)
        prerequisites.push(
          conflict.guardMustMatch
            ? { name, type, class: 'IN', ttl: 0, rdata: value }
            : { name, type, class: 'ANY', ttl: 0 },
        );
      const updates: UpdateRecord[] = [{ name, type: 'A', class: 'NONE', ttl: 0, rdata: a }];
      return { name, prerequisites, updates };
    }
    // fwd-rem2: no address records left, then the guard goes.
    const prerequisites: UpdateRecord[] = [
      { name, type: 'A', class: 'NONE', ttl: 0 },
      { name, type: 'AAAA', class: 'NONE', ttl: 0 },
    ];
    const updates: UpdateRecord[] = [
      conflict.guardMustMatch
        ? { name, type, class: 'NONE', ttl: 0, rdata: value }
        : { name, type, class: 'ANY', ttl: 0 },
    ];
    return { name, prerequisites, updates };
  }
}

/** ISC's isc_result_totext for DNS answers ("YXDOMAIN", "not authoritative for update zone"...), briefly. */
export function rcodeText(rcode: string): string {
  switch (rcode) {
    case 'NOTAUTH':
      return 'not authorized (the zone refused our key, or we are not authoritative)';
    case 'REFUSED':
      return 'REFUSED';
    case 'SERVFAIL':
      return 'SERVFAIL';
    default:
      return rcode;
  }
}
