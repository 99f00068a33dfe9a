// The classes phase's tables (run.sh classes_phase): Leasehold with configs/dhcpd.conf against
// configs/dhcpd-classes.conf (50 classes, 200 subclasses), perfdhcp sending the same packets to
// both. From classes.tsv and classes-env.txt in the results folder to Markdown (printed, saved as
// classes-summary.md and put in bench/RESULTS.md's `classes` section).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { f, num, readTsv } from './summary.js';

type Row = Record<string, string>;

const PLAIN = 'leasehold';
const CLASSES = 'leasehold-classes';

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

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? `${f((100 * (a - b)) / b, 1)} %` : 'n/a';

export function classesSummary(dir: string, dropMax: number): string {
  const steps = readTsv(resolve(dir, 'classes.tsv'));
  const env = readFileSync(resolve(dir, 'classes-env.txt'), 'utf8').trimEnd();
  const rounds = [...new Set(steps.map((s) => s.phase!.split('/')[1]).filter((r): r is string => !!r))];
  const out: string[] = [...env.split('\n').map((l) => `    ${l}`), ''];
  out.push(
    `### Sustained DORA rate, plain against 50 classes / 200 subclasses (drops < ${dropMax} %)`,
    '',
    '| round | configuration | offered /s | achieved DORA/s | drops % | DO avg ms | RA avg ms | server CPU s | DORA per CPU-s | saturation DORA/s (30 k/s offered) | other CPU s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const rates: number[] = [];
  const cpus: number[] = [];
  const described: string[] = [];
  for (const round of rounds) {
    const rows = [PLAIN, CLASSES].map((server) => ({
      c: confirmOf(steps, server, round, dropMax),
      s: satOf(steps, server, round),
      server,
    }));
    for (const { c, s, server } of rows) {
      if (c === undefined) continue;
      const passed = (num(c.drops_pct) ?? 100) < dropMax;
      out.push(
        `| ${round} | ${server === PLAIN ? 'plain (configs/dhcpd.conf)' : '50 classes, 200 subclasses'} | ${f(c.offered)} | ${f(c.achieved)}${passed ? '' : ' (failed)'} | ${f(c.drops_pct, 2)} | ${f(c.do_avg, 3)} | ${f(c.ra_avg, 3)} | ${f(c.srv_cpu, 2)} | ${f(perCpu(c))} | ${f(s?.achieved)} | ${f(c.other_cpu, 2)} |`,
      );
    }
    const [p, k] = rows.map((r) => r.c);
    const pc = perCpu(p);
    const kc = perCpu(k);
    if (pc !== undefined && kc !== undefined) cpus.push(kc / pc);
    // The rate is compared only where both confirm runs passed.
    const ok = (r: Row | undefined) => r !== undefined && (num(r.drops_pct) ?? 100) < dropMax;
    if (ok(p) && ok(k)) {
      rates.push(num(k!.achieved)! / num(p!.achieved)!);
      described.push(
        `${round}: ${f(k!.achieved)} against ${f(p!.achieved)} (${ratio(num(k!.achieved), num(p!.achieved))})`,
      );
    } else described.push(`${round}: not compared (a confirm run failed)`);
  }
  const mean = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${f(100 * (x - 1), 1)} %`);
  out.push(
    '',
    `Sustained rate, classes against plain, per round: ${described.join('; ')}. Mean: ${pct(mean(rates))} (aim: within 15 %).`,
    `DORA per server CPU-second, classes against plain, mean over the rounds: ${pct(mean(cpus))}.`,
  );
  const m = mean(rates);
  if (m !== undefined) {
    const few =
      rates.length < rounds.length
        ? `, only ${rates.length} of ${rounds.length} rounds compared: too few to conclude`
        : '';
    out.push(
      `${m >= 0.85 ? 'Within' : 'NOT within'} 15 % on the sustained rate in this run${few}. On a shared 2-core machine the` +
        ' rate moves with other work (*other CPU s*); the server CPU per DORA is the steadier figure.',
    );
  }
  return out.join('\n');
}
