// The failover phase of bench/run.sh: two servers of a pair answer perfdhcp's broadcasts on one link
// and keep each other's lease files up to date. This file reads their lease files (ISC's dhcpd.leases,
// written by Leasehold and ISC dhcpd, and Kea's memfile CSV), tells how long the partner's file lags
// behind once perfdhcp stops, checks that the two files agree and that no address is held by two
// clients, asks a Kea HA server its state, and renders the phase's tables.
//
// The lease-file view is the last record of each address: which client (MAC) holds it, or nobody when
// the record is not an active lease. Two files agree when every address held in one is held by the
// same client in the other. A server of these pairs writes (and, for Leasehold and ISC, fsyncs) a lease
// before it ACKs it, so once the files agree each holds every lease the other ACKed.

import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { f, num, readTsv } from './summary.js';

export type LeaseFormat = 'isc' | 'kea';

/** address -> MAC of the client holding it ('' when the address's last record is not an active lease). */
export type Holders = Map<string, string>;

const ISC_LEASE = /^lease (\S+) \{\n([\s\S]*?)^\}$/gm;
const ISC_STATE = /^ {2}binding state (\S+);/m;
const ISC_HW = /^ {2}hardware ethernet (\S+);/m;

/**
 * The complete records of `text` (a part of a lease file that starts at a record boundary), each as
 * [address, holder]; `consumed` is where the unfinished tail starts.
 */
export function scanIsc(text: string): { records: [string, string][]; consumed: number } {
  const records: [string, string][] = [];
  let consumed = 0;
  ISC_LEASE.lastIndex = 0;
  for (let m = ISC_LEASE.exec(text); m !== null; m = ISC_LEASE.exec(text)) {
    const body = m[2]!;
    const state = ISC_STATE.exec(body)?.[1];
    const hw = ISC_HW.exec(body)?.[1] ?? '';
    records.push([m[1]!, state === 'active' ? hw.toLowerCase() : '']);
    consumed = ISC_LEASE.lastIndex;
  }
  return { records, consumed };
}

/**
 * Complete rows of a Kea memfile CSV (address,hwaddr,client_id,valid_lifetime,expire,subnet_id,...,state,...):
 * a lease is held when its valid lifetime is not 0 (0 marks a deleted lease), its state is 0 (default;
 * 1 is declined, 2 expired-reclaimed) and it has not expired at `now` (seconds).
 */
export function scanKea(text: string, now: number): { records: [string, string][]; consumed: number } {
  const records: [string, string][] = [];
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '' || line.startsWith('address,')) continue;
    const c = line.split(',');
    if (c.length < 10) continue;
    const held = Number(c[3]) > 0 && c[9] === '0' && Number(c[4]) > now;
    records.push([c[0]!, held ? c[1]!.toLowerCase() : '']);
  }
  return { records, consumed: end };
}

/** A lease file read as it grows: appended bytes are read at each poll; a replaced or truncated file is read again. */
export class LeaseFileView {
  readonly holders: Holders = new Map();
  private offset = 0;
  private ino = -1;
  private rest = '';

  constructor(
    readonly path: string,
    readonly format: LeaseFormat,
    /** Called for each record read: address, holder before, holder now. */
    private readonly onChange: (addr: string, before: string, after: string) => void = () => undefined,
    private readonly onReset: () => void = () => undefined,
  ) {}

  /** Bytes read so far (grows as the file does). */
  get bytesRead(): number {
    return this.offset;
  }

  /** Reads what was appended since the last poll; false when the file is missing. */
  poll(): boolean {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.path);
    } catch {
      return false;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      this.ino = st.ino;
      this.offset = 0;
      this.rest = '';
      this.holders.clear();
      this.onReset();
    }
    if (st.size === this.offset) return true;
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.allocUnsafe(st.size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      this.offset += got;
      this.rest += buf.subarray(0, got).toString('latin1');
    } finally {
      closeSync(fd);
    }
    const { records, consumed } =
      this.format === 'isc' ? scanIsc(this.rest) : scanKea(this.rest, Math.floor(Date.now() / 1000));
    this.rest = this.rest.slice(consumed);
    for (const [addr, holder] of records) {
      const before = this.holders.get(addr) ?? '';
      if (holder === '') this.holders.delete(addr);
      else this.holders.set(addr, holder);
      if (before !== holder) this.onChange(addr, before, holder);
    }
    return true;
  }
}

/** Two lease files and the number of addresses on which they differ, kept up to date as both are read. */
export class PairView {
  readonly a: LeaseFileView;
  readonly b: LeaseFileView;
  differing = 0;
  private replaced = false;

  constructor(pathA: string, pathB: string, format: LeaseFormat) {
    const change = (other: () => Holders) => (addr: string, before: string, after: string) => {
      const theirs = other().get(addr) ?? '';
      if (before !== theirs) this.differing--;
      if (after !== theirs) this.differing++;
    };
    const reset = () => {
      this.replaced = true;
    };
    this.a = new LeaseFileView(
      pathA,
      format,
      change(() => this.b.holders),
      reset,
    );
    this.b = new LeaseFileView(
      pathB,
      format,
      change(() => this.a.holders),
      reset,
    );
  }

  /** Reads both files; a file replaced meanwhile (read again from its start) makes the count start over. */
  poll(): boolean {
    const ok = this.a.poll() && this.b.poll();
    if (this.replaced) {
      this.replaced = false;
      this.differing = compareHolders(this.a.holders, this.b.holders).differing;
    }
    return ok;
  }
}

export interface Agreement {
  heldA: number;
  heldB: number;
  onlyA: number;
  onlyB: number;
  /** Addresses held in both files by different clients: an address held by two clients. */
  twoClients: number;
  /** Clients holding more than one address in A, in B. */
  multiA: number;
  multiB: number;
  differing: number;
  examples: string[];
}

function multiHolders(h: Holders): number {
  const count = new Map<string, number>();
  for (const mac of h.values()) count.set(mac, (count.get(mac) ?? 0) + 1);
  let n = 0;
  for (const c of count.values()) if (c > 1) n++;
  return n;
}

export function compareHolders(a: Holders, b: Holders): Agreement {
  let onlyA = 0;
  let onlyB = 0;
  let twoClients = 0;
  const examples: string[] = [];
  for (const [addr, mac] of a) {
    const theirs = b.get(addr);
    if (theirs === undefined) {
      onlyA++;
      if (examples.length < 5) examples.push(`${addr} ${mac} only in A`);
    } else if (theirs !== mac) {
      twoClients++;
      if (examples.length < 5) examples.push(`${addr} ${mac} in A, ${theirs} in B`);
    }
  }
  for (const [addr, mac] of b) {
    if (!a.has(addr)) {
      onlyB++;
      if (examples.length < 5) examples.push(`${addr} ${mac} only in B`);
    }
  }
  return {
    heldA: a.size,
    heldB: b.size,
    onlyA,
    onlyB,
    twoClients,
    multiA: multiHolders(a),
    multiB: multiHolders(b),
    differing: onlyA + onlyB + twoClients,
    examples,
  };
}

/** Both lease files read whole, compared. */
export function checkFiles(pathA: string, pathB: string, format: LeaseFormat): Agreement {
  const a = new LeaseFileView(pathA, format);
  const b = new LeaseFileView(pathB, format);
  a.poll();
  b.poll();
  return compareHolders(a.holders, b.holders);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Convergence {
  /** ms after the end of sending when the files were found to agree for good; undefined: not within the timeout */
  lagMs: number | undefined;
  /** why lagMs is undefined: 'timeout', or 'stalled' (neither file grew for stallS while they differed) */
  gaveUp?: 'timeout' | 'stalled';
  /** true when they already agreed at the first poll after the end of sending: lagMs is then an upper bound */
  atFirstPoll: boolean;
  /** ms after the end of sending when the first poll (reading everything written during the run) was done */
  firstPollMs: number;
  /** addresses on which the files differed at that first poll */
  differingAtEnd: number;
  /** when the monitor gave up: ms after the end of sending when a file last grew, and the addresses still differing */
  settledMs?: number;
  differingSettled?: number;
  polls: number;
}

/**
 * The partner's lag: reads both files (before perfdhcp starts, so that only what the run appends is read
 * later), writes `readyFile`, waits for `startFile` (perfdhcp's start, ms since the epoch, written by
 * run.sh), sleeps until the end of sending (start + secs), then polls every `pollMs` until the files agree
 * and `doneFile` exists (perfdhcp has exited), or `timeoutS` after the end of sending.
 */
export async function converge(o: {
  format: LeaseFormat;
  pathA: string;
  pathB: string;
  readyFile: string;
  startFile: string;
  doneFile: string;
  secs: number;
  timeoutS: number;
  /** give up once perfdhcp is done and neither file has grown for this long while they differ */
  stallS?: number;
  pollMs?: number;
}): Promise<Convergence> {
  const pollMs = o.pollMs ?? 25;
  const stallMs = (o.stallS ?? 10) * 1000;
  const view = new PairView(o.pathA, o.pathB, o.format);
  view.poll();
  writeFileSync(o.readyFile, `${Date.now()}\n`);
  const giveUp = Date.now() + 120_000 + o.secs * 1000;
  const startMs = () => {
    try {
      const v = Number(readFileSync(o.startFile, 'utf8').trim());
      return v > 0 ? v : undefined;
    } catch {
      return undefined;
    }
  };
  let start = startMs();
  while (start === undefined && Date.now() < giveUp) {
    await sleep(20);
    start = startMs();
  }
  if (start === undefined) throw new Error(`${o.startFile}: no start time`);
  const end = start + o.secs * 1000;
  if (Date.now() < end) await sleep(end - Date.now());
  let polls = 0;
  let firstPollMs = -1;
  let differingAtEnd = 0;
  let agreeSince: number | undefined;
  let agreedAtFirst = false;
  let size = -1;
  let grewAt = Date.now();
  for (;;) {
    view.poll();
    const now = Date.now();
    const read = view.a.bytesRead + view.b.bytesRead;
    if (read !== size) {
      size = read;
      grewAt = now;
    }
    polls++;
    if (firstPollMs < 0) {
      firstPollMs = now - end;
      differingAtEnd = view.differing;
      agreedAtFirst = view.differing === 0;
    }
    if (view.differing === 0) agreeSince ??= now;
    else {
      agreeSince = undefined;
      agreedAtFirst = false;
    }
    if (agreeSince !== undefined && existsSync(o.doneFile)) {
      return { lagMs: agreeSince - end, atFirstPoll: agreedAtFirst, firstPollMs, differingAtEnd, polls };
    }
    if (now - end > o.timeoutS * 1000) {
      const settled = { settledMs: grewAt - end, differingSettled: view.differing };
      return {
        lagMs: undefined,
        gaveUp: 'timeout',
        atFirstPoll: false,
        firstPollMs,
        differingAtEnd,
        polls,
        ...settled,
      };
    }
    if (agreeSince === undefined && existsSync(o.doneFile) && now - grewAt > stallMs) {
      const settled = { settledMs: grewAt - end, differingSettled: view.differing };
      return {
        lagMs: undefined,
        gaveUp: 'stalled',
        atFirstPoll: false,
        firstPollMs,
        differingAtEnd,
        polls,
        ...settled,
      };
    }
    await sleep(pollMs);
  }
}

async function keaCommand(url: string, command: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command, service: ['dhcp4'] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return ((await res.json()) as { arguments?: unknown }[])[0]?.arguments;
}

/** The HA state of a Kea server, asked through its control agent (ha-heartbeat); 'unreachable' when it does not answer. */
export async function keaState(url: string, timeoutMs = 1500): Promise<string> {
  try {
    const a = (await keaCommand(url, 'ha-heartbeat', timeoutMs)) as { state?: string } | undefined;
    return a?.state ?? 'unknown';
  } catch {
    return 'unreachable';
  }
}

// ------------------------------------------------------------------ tables

type Row = Record<string, string>;

const LABEL: Record<string, string> = {
  'leasehold-pair': 'Leasehold + Leasehold',
  'dhcpd-pair': 'ISC dhcpd + ISC dhcpd',
  'kea-ha-lb': 'Kea HA load-balancing',
  'kea-ha-hs': 'Kea HA hot-standby',
};
export const pairLabel = (p: string) => LABEL[p] ?? p;

const isKea = (p: string) => p.startsWith('kea-');

/** The reported row of a pair: its last passing confirm run, else its last confirm run. */
function confirmOf(steps: Row[], pair: string, dropMax: number): Row | undefined {
  const rows = steps.filter((s) => s.pair === pair && s.phase === 'confirm');
  const ok = rows.filter((s) => (num(s.drops_pct) ?? 100) < dropMax);
  return ok[ok.length - 1] ?? rows[rows.length - 1];
}

const cpuOf = (r: Row) => (num(r.cpu_a) ?? 0) + (num(r.cpu_b) ?? 0) + (num(r.cpu_ca_a) ?? 0) + (num(r.cpu_ca_b) ?? 0);

function lagText(r: Row | undefined, timeout: string, stall: string): string {
  if (r === undefined) return 'n/a';
  if (r.lag_ms === '') {
    const last = r.settled_ms === '' ? '' : `; last change ${f(r.settled_ms)} ms after the end of sending`;
    return r.lag_bound === 'stalled'
      ? `never: ${f(r.differing_settled)} still differing when neither file had grown for ${stall} s${last}`
      : `not within ${timeout} s${last}`;
  }
  const ms = num(r.lag_ms) ?? 0;
  return r.lag_bound === 'first-poll' ? `≤ ${f(Math.max(ms, 0))} ms` : `${f(ms)} ms`;
}

/** The files did not converge within the lag timeout: the pair was stopped with updates still to send. */
const unconverged = (r: Row) => r.lag_ms === '';

function agreeText(r: Row | undefined): string {
  if (r === undefined) return 'n/a';
  if (r.agree === 'yes') return `yes (${f(r.held_a)} / ${f(r.held_b)})`;
  const differ = `${f(r.only_a)} only in A, ${f(r.only_b)} only in B (${f(r.held_a)} / ${f(r.held_b)})`;
  return unconverged(r)
    ? `not converged when stopped: ${differ}; exchanges not completed: ${f(r.not_completed)}`
    : `**no**: ${differ}`;
}

/** Pair verdict of the strace check: both servers' verdicts. */
function fsyncText(rows: Row[], pair: string): string {
  const mine = rows.filter((r) => r.pair === pair);
  if (mine.length === 0) return 'n/a';
  return mine.map((r) => `${r.server}: ${r.verdict} (${r.acks_lease_synced_before}/${r.acks})`).join(', ');
}

export function failoverSummary(dir: string, dropMax: number): string {
  const steps = readTsv(resolve(dir, 'failover.tsv'));
  const pairs = readTsv(resolve(dir, 'failover-pairs.tsv'));
  const fsync = readTsv(resolve(dir, 'failover-fsync.tsv'));
  let env: string[] = [];
  try {
    env = readFileSync(resolve(dir, 'failover-env.txt'), 'utf8').trimEnd().split('\n');
  } catch {
    // no environment lines
  }
  const timeout = /FAILOVER_LAG_TIMEOUT=(\d+)/.exec(env.join('\n'))?.[1] ?? '?';
  const stall = /FAILOVER_LAG_STALL=(\d+)/.exec(env.join('\n'))?.[1] ?? '?';
  const out: string[] = [...env.map((l) => `    ${l}`), ''];
  out.push(
    `### Sustained DORA rate of each pair (drops < ${dropMax} %, confirm run)`,
    '',
    '| pair | offered /s | achieved DORA/s | drops % | second ACKs (orphans) | DO avg / max ms | RA avg / max ms | server CPU s A + B | ctrl-agent CPU s A + B | DORA per CPU-s (all) | partner lag after the run | lease files agree (A / B held) | addresses held by two clients | fsync before ACK (server: verdict, durable/ACKs) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  );
  for (const p of pairs) {
    const pair = p.pair!;
    if (p.note) {
      out.push(`| ${pairLabel(pair)} | ${p.note} | | | | | | | | | | | | ${fsyncText(fsync, pair)} |`);
      continue;
    }
    const c = confirmOf(steps, pair, dropMax);
    if (c === undefined) {
      out.push(`| ${pairLabel(pair)} | n/a | | | | | | | | | | | | ${fsyncText(fsync, pair)} |`);
      continue;
    }
    const passed = (num(c.drops_pct) ?? 100) < dropMax;
    const cpu = cpuOf(c);
    out.push(
      `| ${pairLabel(pair)} | ${f(c.offered)} | ${f(c.achieved)}${passed ? '' : ' (failed)'} | ${f(c.drops_pct, 2)} | ${f(c.ra_orphans)} | ` +
        `${f(c.do_avg, 2)} / ${f(c.do_max, 0)} | ${f(c.ra_avg, 2)} / ${f(c.ra_max, 0)} | ${f(c.cpu_a, 2)} + ${f(c.cpu_b, 2)} | ` +
        `${isKea(pair) ? `${f(c.cpu_ca_a, 2)} + ${f(c.cpu_ca_b, 2)}` : '–'} | ${cpu > 0 ? f((num(c.ra_recv) ?? 0) / cpu) : 'n/a'} | ` +
        `${lagText(c, timeout, stall)} (${f(c.differing_at_end)} behind at the end of sending) | ${agreeText(c)} | ${f(c.two_clients)} | ${fsyncText(fsync, pair)} |`,
    );
  }
  out.push('', '### Every step', '');
  out.push(
    '| pair | phase | offered /s | achieved DORA/s | drops % | RA avg ms | server CPU s A + B (+ agents) | other CPU s | lag | differing at end of sending | files agree (only in A / only in B) | exchanges not completed | two clients | clients with two addresses A / B | state changes during the run |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|',
  );
  for (const r of steps) {
    const ca = isKea(r.pair!) ? ` (+ ${f((num(r.cpu_ca_a) ?? 0) + (num(r.cpu_ca_b) ?? 0), 2)})` : '';
    out.push(
      `| ${pairLabel(r.pair!)} | ${r.phase} | ${f(r.offered)} | ${f(r.achieved)} | ${f(r.drops_pct, 2)} | ${f(r.ra_avg, 2)} | ` +
        `${f(r.cpu_a, 2)} + ${f(r.cpu_b, 2)}${ca} | ${f(r.other_cpu, 2)} | ${lagText(r, timeout, stall)} | ${f(r.differing_at_end)} | ` +
        `${r.agree === 'yes' ? 'yes' : unconverged(r) ? `not converged (${f(r.only_a)} / ${f(r.only_b)})` : `**no** (${f(r.only_a)} / ${f(r.only_b)})`} | ` +
        `${f(r.not_completed)} | ` +
        `${f(r.two_clients)} | ${f(r.multi_a)} / ${f(r.multi_b)} | ${f(r.events)} |`,
    );
  }
  out.push('', '### Against the aim', '', ...failoverVerdicts(steps, fsync, pairs, dropMax, timeout));
  return out.join('\n');
}

export function failoverVerdicts(steps: Row[], fsync: Row[], pairs: Row[], dropMax: number, timeout = '?'): string[] {
  const lines: string[] = [];
  const rate = (pair: string) => {
    const c = confirmOf(steps, pair, dropMax);
    return c !== undefined && (num(c.drops_pct) ?? 100) < dropMax ? num(c.achieved) : undefined;
  };
  const ours = rate('leasehold-pair');
  const keas = ['kea-ha-lb', 'kea-ha-hs']
    .map((p) => ({ p, r: rate(p) }))
    .filter((x): x is { p: string; r: number } => x.r !== undefined);
  const best = keas.sort((x, y) => y.r - x.r)[0];
  if (ours !== undefined && best !== undefined) {
    const ratio = ours / best.r;
    lines.push(
      `- Rate: the Leasehold pair sustained ${f(ours)} DORA/s, the best Kea HA pair (${pairLabel(best.p)}) ${f(best.r)}: ` +
        `${f(ratio, 2)}x (aim: 2x): ${ratio >= 2 ? 'met' : 'NOT met'} in this run.`,
    );
  } else
    lines.push(
      '- Rate: not compared (a confirm run of the Leasehold pair or of both Kea HA pairs is missing or failed).',
    );
  const isc = rate('dhcpd-pair');
  if (ours !== undefined && isc !== undefined) {
    lines.push(`- Against ISC dhcpd's pair (${f(isc)} DORA/s): ${f(ours / isc, 2)}x.`);
  }
  const lf = fsync.filter((r) => r.pair === 'leasehold-pair');
  if (lf.length > 0) {
    const all = lf.every((r) => r.verdict === 'yes');
    lines.push(
      `- Durability: ${all ? 'every' : 'NOT every'} ACK the Leasehold pair sent in the strace run was fsynced on the server that sent it ` +
        `before it left (${lf.map((r) => `${r.server}: ${r.acks_lease_synced_before} of ${r.acks}`).join(', ')}).`,
    );
  }
  for (const p of pairs) {
    const mine = steps.filter((s) => s.pair === p.pair);
    if (mine.length === 0) continue;
    const late = mine.filter(unconverged);
    const settled = mine.filter((s) => !unconverged(s));
    const disagree = settled.filter((s) => s.agree !== 'yes');
    const two = mine.reduce((n, s) => n + (num(s.two_clients) ?? 0), 0);
    const at = (rows: Row[]) =>
      rows
        .slice(0, 4)
        .map((s) => `${s.phase} ${f(s.offered)}/s`)
        .join(', ') + (rows.length > 4 ? ` and ${rows.length - 4} more` : '');
    // A lease on one side only can be one no client was given only if some exchange did not complete.
    const differing = (s: Row) => (num(s.only_a) ?? 0) + (num(s.only_b) ?? 0) + (num(s.two_clients) ?? 0);
    const beyond = late.filter((s) => differing(s) > (num(s.not_completed) ?? 0));
    const lateText =
      late.length === 0
        ? ''
        : `; after ${late.length} run${late.length > 1 ? 's' : ''} (${at(late)}) the files never converged (still differing ${timeout} s after the end ` +
          'of sending, or neither file growing for the stall time), by ' +
          (beyond.length === 0
            ? 'no more addresses than the exchanges perfdhcp did not complete in that run: leases committed on one server for ' +
              'queries it never ACKed can explain them all'
            : `more addresses than the exchanges perfdhcp did not complete in ${at(beyond)}: ACKed leases missing on the partner`);
    lines.push(
      `- ${pairLabel(p.pair!)}: of the ${settled.length} runs whose files converged, the lease files agreed after ` +
        `${settled.length - disagree.length}${disagree.length > 0 ? ` (**not** after ${at(disagree)})` : ''}${lateText}; ` +
        `addresses held by two clients, over all ${mine.length} runs: ${two}.`,
    );
  }
  const other = steps.map((s) => num(s.other_cpu)).filter((x): x is number => x !== undefined);
  const loads = steps.map((s) => num(s.load1)).filter((x): x is number => x !== undefined);
  if (other.length > 0) {
    lines.push(
      `- The machine (2 cores) was shared with other work during this run: *other CPU s* per step ${f(Math.min(...other), 2)}–${f(Math.max(...other), 2)}, ` +
        `load average ${loads.length > 0 ? `${f(Math.min(...loads), 2)}–${f(Math.max(...loads), 2)}` : 'n/a'} at the steps' start. ` +
        "Two servers, their agents and perfdhcp share those 2 cores, so the rates are the pairs' on this machine, not their ceilings; compare ratios within one run.",
    );
  }
  return lines;
}
