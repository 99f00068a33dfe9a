// The DDNS phase's tables (run.sh ddns_phase): Leasehold with configs/dhcpd.conf against configs/dhcpd-ddns.conf
// (dynamic DNS on, to a BIND named in the server's namespace), perfdhcp sending the same packets to both. From
// ddns.tsv (every step), ddns-drain.tsv (what named held after each confirm run of leasehold-ddns) and
// ddns-env.txt in the results folder to Markdown (printed, saved as ddns-summary.md and put in bench/RESULTS.md's
// `ddns` section). The aim (issue 17): the sustained rate with DDNS within 10 % of the rate without it, and every
// update eventually applied.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { f, num, readTsv } from './summary.js';

type Row = Record<string, string>;

const PLAIN = 'leasehold';
const DDNS = 'leasehold-ddns';
/** The aim: the DDNS rate no more than this much below the plain one. */
const AIM = 0.1;

/** The reported row of a server in a round: its last passing confirm run, else its last confirm run. */
function confirmOf(steps: Row[], server: string, round: string, dropMax: number): Row | undefined {
  const rows = steps.filter((s) => s.server === server && s.phase === `confirm/${round}`);
  const ok = rows.filter((s) => (num(s.drops_pct) ?? 100) < dropMax);
  return ok[ok.length - 1] ?? rows[rows.length - 1];
}

function satOf(steps: Row[], server: string, round: string): Row | undefined {
  return steps.find((s) => s.server === server && s.phase === `sat/${round}`);
}

const perCpu = (r: Row | undefined) => {
  const acks = num(r?.ra_recv);
  const cpu = num(r?.srv_cpu);
  return acks !== undefined && cpu !== undefined && cpu > 0 ? acks / cpu : undefined;
};

const pctDiff = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? `${f((100 * (a - b)) / b, 1)} %` : 'n/a';

const mib = (kb: string | undefined) => (num(kb) === undefined || num(kb) === 0 ? 'n/a' : `${f(num(kb)! / 1024)} MB`);

const passed = (r: Row | undefined, dropMax: number) => r !== undefined && (num(r.drops_pct) ?? 100) < dropMax;

/** "applied/expected" with the share when short. */
function applied(n: string | undefined, expected: string | undefined): string {
  const a = num(n);
  const e = num(expected);
  if (a === undefined || e === undefined) return 'n/a';
  return a === e ? `${f(a)}/${f(e)}` : `**${f(a)}/${f(e)}** (${f(e > 0 ? (100 * a) / e : 0, 1)} %)`;
}

function drainText(d: Row): string {
  const ms = num(d.drain_ms);
  if (d.outcome === 'complete' && ms !== undefined) {
    // Complete at the first count: the updates were all in before it, so its time is only a bound.
    return d.polls === '1' ? `≤ ${f(ms / 1000, 1)} s (first count)` : `${f(ms / 1000, 1)} s`;
  }
  const last = num(d.last_change_ms);
  const lastTxt = last === undefined ? '' : `; last change ${f(Math.max(0, last) / 1000, 1)} s after`;
  return d.outcome === 'stalled' ? `**stalled**${lastTxt}` : `**not within the timeout**${lastTxt}`;
}

export function ddnsSummary(dir: string, dropMax: number): string {
  const steps = readTsv(resolve(dir, 'ddns.tsv'));
  const drains = readTsv(resolve(dir, 'ddns-drain.tsv'));
  const env = readFileSync(resolve(dir, 'ddns-env.txt'), 'utf8').trimEnd();
  const rounds = [...new Set(steps.map((s) => s.phase!.split('/')[1]).filter((r): r is string => !!r))];
  const out: string[] = [...env.split('\n').map((l) => `    ${l}`), ''];

  out.push(
    `### Sustained DORA rate, plain against DDNS on (drops < ${dropMax} %)`,
    '',
    '*other CPU s* includes named (the DDNS runs only); *named CPU s* is named over the perfdhcp run.',
    '',
    '| round | configuration | offered /s | achieved DORA/s | drops % | DO avg ms | RA avg ms | server CPU s | DORA per CPU-s | named CPU s | saturation DORA/s | peak resident | other CPU s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const rates: number[] = [];
  const cpus: number[] = [];
  const described: string[] = [];
  for (const round of rounds) {
    const rows = [PLAIN, DDNS].map((server) => ({
      c: confirmOf(steps, server, round, dropMax),
      s: satOf(steps, server, round),
      server,
    }));
    for (const { c, s, server } of rows) {
      if (c === undefined) continue;
      const d = drains.find((x) => x.report === c.report);
      // Above the main phases' ceiling (1.25 x the saturation probe's rate): run.sh's ddns_search_up.
      const above = (num(c.offered) ?? 0) > 1.25 * (num(s?.achieved) ?? Number.POSITIVE_INFINITY) + 1;
      out.push(
        `| ${round} | ${server === PLAIN ? 'plain (configs/dhcpd.conf)' : 'DDNS (configs/dhcpd-ddns.conf)'} | ${f(c.offered)} | ${f(c.achieved)}${passed(c, dropMax) ? '' : ' (failed)'} | ${f(c.drops_pct, 2)} | ${f(c.do_avg, 3)} | ${f(c.ra_avg, 3)} | ${f(c.srv_cpu, 2)} | ${f(perCpu(c))} | ${server === DDNS ? f(d?.named_cpu_run, 2) : '-'} | ${f(s?.achieved)}${above ? ' (searched above 1.25 ×)' : ''} | ${mib(c.hwm_kb)} | ${f(c.other_cpu, 2)} |`,
      );
    }
    const [p, k] = rows.map((r) => r.c);
    const pc = perCpu(p);
    const kc = perCpu(k);
    if (pc !== undefined && kc !== undefined) cpus.push(kc / pc);
    // The rate is compared only where both confirm runs passed.
    if (passed(p, dropMax) && passed(k, dropMax)) {
      rates.push(num(k!.achieved)! / num(p!.achieved)!);
      described.push(
        `${round}: ${f(k!.achieved)} against ${f(p!.achieved)} (${pctDiff(num(k!.achieved), num(p!.achieved))})`,
      );
    } else described.push(`${round}: not compared (a confirm run failed or is missing)`);
  }

  out.push(
    '',
    '### Updates applied: records in named after each confirm run of DDNS',
    '',
    "Expected: the active leases in the run's lease file (last record per address), read again at every count (an" +
      ' overloaded server still ACKs what is left in its socket queue after perfdhcp exits; *ACKs* are those perfdhcp' +
      ' received); each should have an A and a DHCID record in bench.example.org. and a PTR record in' +
      ' 18.198.in-addr.arpa. (counted by AXFR every DDNS_DRAIN_POLL s while the server keeps running). *Drain*: from' +
      " perfdhcp's exit to the first count at which all three were complete. *Server log*: its `Unable to ...` and" +
      ' `... FAILED: ...` lines (should be 0) and, of those, the ones saying that the update is retried. *named*: the' +
      ' updates it dropped at its `update-quota` (100 at a time, the default; the sender hears nothing and resends)' +
      ' and those it refused or whose prerequisites failed (a resent update that had been applied meanwhile meets' +
      ' its own records: YXDOMAIN, which the server resolves through the DHCID).',
    '',
    '| round | offered /s | ACKs | expected (active leases) | A | DHCID | PTR | drain | Unable to / FAILED lines | retrying lines | named: dropped (quota) / refused or unsuccessful | named CPU s run / drain | server CPU s in drain | server resident at end (peak) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  );
  // The confirm runs reported in the first table (the others are searches' failed confirms or the first confirm
  // under the ceiling): marked, and the verdict's failure count is theirs.
  const reported = new Set<string>();
  for (const round of rounds) {
    const c = confirmOf(steps, DDNS, round, dropMax);
    if (c?.report !== undefined) reported.add(c.report);
  }
  let allApplied = drains.length > 0;
  let failures = 0;
  let failuresAll = 0;
  for (const d of drains) {
    const step = steps.find((s) => s.report === d.report);
    const complete = d.outcome === 'complete';
    if (!complete) allApplied = false;
    const lines = (num(d.unable) ?? 0) + (num(d.failed) ?? 0);
    failuresAll += lines;
    if (reported.has(d.report!)) failures += lines;
    out.push(
      `| ${d.round} | ${f(d.offered)}${reported.has(d.report!) ? ' (reported)' : ''} | ${f(step?.ra_recv)} | ${f(d.expected)} | ${applied(d.a, d.expected)} | ${applied(d.dhcid, d.expected)} | ${applied(d.ptr, d.expected)} | ${drainText(d)} | ${f(d.unable)} / ${f(d.failed)} | ${f(d.retrying)} | ${f(d.named_dropped)} / ${f(d.named_refused)} | ${f(d.named_cpu_run, 2)} / ${f(d.named_cpu_drain, 2)} | ${f(d.srv_cpu_drain, 2)} | ${mib(d.rss_kb)} (${mib(d.hwm_kb)}) |`,
    );
  }
  if (drains.length === 0) out.push('| - | no confirm run of DDNS was measured | | | | | | | | | | | | |');

  const mean = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${f(100 * (x - 1), 1)} %`);
  const m = mean(rates);
  out.push(
    '',
    `Sustained rate, DDNS against plain, per round: ${described.join('; ')}. Mean: ${pct(m)} (aim: within ${100 * AIM} %).`,
    `DORA per server CPU-second, DDNS against plain, mean over the rounds: ${pct(mean(cpus))}.`,
  );
  const verdict: string[] = [];
  if (m !== undefined) {
    const few =
      rates.length < rounds.length
        ? ` (only ${rates.length} of ${rounds.length} rounds compared: too few to conclude)`
        : '';
    verdict.push(`${m >= 1 - AIM ? 'Within' : 'NOT within'} ${100 * AIM} % on the sustained rate in this run${few}`);
  } else verdict.push('The rates could not be compared (no round where both confirm runs passed)');
  verdict.push(
    drains.length === 0
      ? 'no update count'
      : allApplied
        ? `every update applied after each of the ${drains.length} confirm runs of DDNS (the reported ones: ${drains
            .filter((d) => reported.has(d.report!))
            .map(drainText)
            .join(', ')} after perfdhcp stopped)`
        : '**not every update was applied** within the wait (see the table)',
    `${failures === 0 ? 'no' : f(failures)} failure line${failures === 1 ? '' : 's'} in the server's log in the reported runs (${f(failuresAll)} in all of them)`,
  );
  out.push(
    `${verdict.join('; ')}. On a shared 2-core machine named, the server and perfdhcp share the cores, so the DDNS` +
      " rate pays for named's CPU too (*named CPU s*); the server CPU per DORA is the steadier figure.",
  );
  return out.join('\n');
}
