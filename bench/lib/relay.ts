// The relay phase of bench/run.sh (issue 13): perfdhcp's clients behind `leasehold relay` and behind
// ISC dhcrelay, in front of the same server. This file holds what the shell should not compute:
// the offered rates from RELAY_RATES, the last sustained rate of a server in RESULTS.md (the
// base of those rates when this run measured none), and the tables of relay.tsv, rendered into
// RESULTS.md's `relay` section.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { f, num, readTsv } from './summary.js';

type Row = Record<string, string>;

/** Rounded to three significant digits (run.sh's round3): 8,695 -> 8,700, 4,347.5 -> 4,350. */
export function round3(r: number): number {
  if (!(r >= 1)) return 1;
  const e = Math.max(2, Math.floor(Math.log10(r)));
  const f = 10 ** (e - 2);
  return Math.round(r / f) * f;
}

/**
 * RELAY_RATES: words separated by spaces or commas, each a percentage of `base` ("25%") or an
 * absolute rate ("4000"); rounded to three significant digits, duplicates dropped, in the order given.
 * A percentage without a base, or a word that is neither, is an error: the run should stop, not guess.
 */
export function relayRates(spec: string, base: number | undefined): number[] {
  const out: number[] = [];
  for (const word of spec.split(/[\s,]+/).filter(Boolean)) {
    const pct = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(word);
    let r: number;
    if (pct) {
      if (base === undefined || !(base > 0)) throw new Error(`${word}: a percentage needs a base rate (RELAY_BASE)`);
      r = round3((base * Number(pct[1])) / 100);
    } else if (/^[0-9]+(?:\.[0-9]+)?$/.test(word)) {
      r = round3(Number(word));
    } else {
      throw new Error(`${word}: not a rate (N or N%)`);
    }
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * The achieved DORA/s of `server` in the highest-sustained-rate table of RESULTS.md's `dora`
 * section (the figure of the last full `npm run bench`), or undefined when there is none.
 */
export function lastSustained(results: string, server = 'leasehold'): number | undefined {
  const a = results.indexOf('<!-- dora:begin -->');
  const b = results.indexOf('<!-- dora:end -->');
  if (a < 0 || b < a) return undefined;
  const section = results.slice(a, b);
  const t = section.indexOf('### Highest sustained DORA rate');
  if (t < 0) return undefined;
  const lines = section.slice(t).split('\n');
  let head: string[] | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('###')) break;
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (head === undefined) {
      head = cells;
      continue;
    }
    if (cells[0] !== server) continue;
    const v = Number((cells[head.indexOf('achieved DORA/s')] ?? '').replaceAll(',', ''));
    return Number.isFinite(v) && v > 0 ? v : undefined;
  }
  return undefined;
}

export function lastSustainedFile(path: string, server = 'leasehold'): number | undefined {
  try {
    return lastSustained(readFileSync(path, 'utf8'), server);
  } catch {
    return undefined;
  }
}

/** Relay CPU per completed DORA, in microseconds (relay user+system seconds / ACKs received). */
export function cpuPerExchangeUs(row: Row, field = 'relay_cpu'): number | undefined {
  const cpu = num(row[field]);
  const acks = num(row.ra_recv);
  if (cpu === undefined || acks === undefined || acks <= 0) return undefined;
  return (cpu / acks) * 1e6;
}

const LABEL: Record<string, string> = {
  none: 'no relay agent (perfdhcp relays, routed)',
  leasehold: '`leasehold relay`',
  dhcrelay: 'ISC dhcrelay',
};
const label = (relay: string) => LABEL[relay] ?? relay;

/** The highest offered rate of `relay` with drops below dropMax, over every step (fixed and search). */
export function highestPassing(rows: Row[], relay: string, dropMax: number): number | undefined {
  let best: number | undefined;
  for (const r of rows) {
    if (r.relay !== relay) continue;
    const o = num(r.offered);
    if (o === undefined || (num(r.drops_pct) ?? 100) >= dropMax) continue;
    if (best === undefined || o > best) best = o;
  }
  return best;
}

/** The lowest offered rate of `relay` with drops at or above dropMax, if any step failed. */
export function lowestFailing(rows: Row[], relay: string, dropMax: number): number | undefined {
  let worst: number | undefined;
  for (const r of rows) {
    if (r.relay !== relay) continue;
    const o = num(r.offered);
    if (o === undefined || (num(r.drops_pct) ?? 100) < dropMax) continue;
    if (worst === undefined || o < worst) worst = o;
  }
  return worst;
}

/** The Markdown of a relay phase: relay.tsv and relay-env.txt of results folder `dir`. */
export function relaySummary(rows: Row[], env: string[], dropMax: number): string {
  const out: string[] = [];
  const relays = [...new Set(rows.map((r) => r.relay!))];
  const fixed = rows.filter((r) => r.phase === 'fixed');
  const search = rows.filter((r) => r.phase === 'search');
  out.push(...env.map((l) => `    ${l}`), '');
  if (fixed.length > 0) {
    out.push(
      `### Relayed DORA at fixed offered rates (${fixed[0]!.secs} s each)`,
      '',
      '| offered /s | relay | achieved DORA/s | drops % | DO avg / max ms | RA avg / max ms | relay CPU s (user+sys) | relay CPU µs per DORA | server CPU s | perfdhcp CPU s | other CPU s | load average (1/5/15 min) at start |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const r of fixed) {
      const none = r.relay === 'none';
      const per = cpuPerExchangeUs(r);
      out.push(
        `| ${f(r.offered)} | ${label(r.relay!)} | ${f(r.achieved)} | ${f(r.drops_pct, 2)} | ` +
          `${f(r.do_avg, 3)} / ${f(r.do_max, 1)} | ${f(r.ra_avg, 3)} / ${f(r.ra_max, 1)} | ` +
          `${none ? '—' : `${f(r.relay_cpu, 2)} (${f(r.relay_utime, 2)}+${f(r.relay_stime, 2)})`} | ` +
          `${none || per === undefined ? '—' : f(per, 1)} | ${f(r.srv_cpu, 2)} | ${f(r.pd_cpu, 2)} | ${f(r.other_cpu, 2)} | ` +
          `${r.load1} ${r.load5} ${r.load15} |`,
      );
    }
  }
  if (search.length > 0) {
    out.push(
      '',
      `### Short search: highest offered rate with drops < ${dropMax} % (${search[0]!.secs} s steps)`,
      '',
      '| relay | highest passing /s | lowest failing /s | steps offered:drops % (relay CPU µs per DORA) |',
      '|---|---:|---:|---|',
    );
    for (const relay of relays) {
      const mine = rows.filter((r) => r.relay === relay);
      const steps = mine
        .filter((r) => r.phase === 'search')
        .map((r) => {
          const per = cpuPerExchangeUs(r);
          return `${f(r.offered)}:${f(r.drops_pct, 1)}${relay === 'none' || per === undefined ? '' : ` (${f(per, 0)})`}`;
        })
        .join(' ');
      out.push(
        `| ${label(relay)} | ${f(highestPassing(mine, relay, dropMax))} | ${f(lowestFailing(mine, relay, dropMax))} | ${steps} |`,
      );
    }
  }
  const verdicts = relayVerdicts(rows, dropMax);
  const shared = sharedMachineLine(rows);
  if (shared !== undefined) verdicts.push(shared);
  if (verdicts.length > 0) out.push('', '### Against the aim (issue 13)', '', ...verdicts);
  return out.join('\n');
}

/**
 * A warning when other work took the machine during the steps: *other CPU s* (busy time outside
 * perfdhcp, server and relay) above 0.5 s in any step, with its range and the load averages seen.
 */
export function sharedMachineLine(rows: Row[]): string | undefined {
  const other = rows.map((r) => num(r.other_cpu)).filter((x): x is number => x !== undefined);
  if (other.length === 0 || Math.max(...other) <= 0.5) return undefined;
  const loads = rows.map((r) => num(r.load1)).filter((x): x is number => x !== undefined);
  const range = (xs: number[], d: number) => `${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)}`;
  return (
    `- The machine was shared: other work took ${range(other, 2)} CPU-s per step (load average ` +
    `${loads.length > 0 ? range(loads, 2) : 'n/a'} at the steps' start), so drops and latencies here are ` +
    "mostly the contention's; the relays' CPU per DORA is the figure that carries over. Run again on a quiet machine."
  );
}

/**
 * Issue 13's aim, stated per relay: never the bottleneck below the server's own sustained rate.
 * The server's own rate here is the highest passing rate without a relay agent in the same topology
 * (the `none` rows); a relay meets the aim when it passed every rate the server alone passed.
 */
export function relayVerdicts(rows: Row[], dropMax: number): string[] {
  const lines: string[] = [];
  const own = highestPassing(rows, 'none', dropMax);
  for (const relay of [...new Set(rows.map((r) => r.relay!))]) {
    if (relay === 'none') continue;
    const mine = rows.filter((r) => r.relay === relay);
    const pass = highestPassing(mine, relay, dropMax);
    const fails = mine.filter(
      (r) => (num(r.drops_pct) ?? 100) >= dropMax && own !== undefined && (num(r.offered) ?? 0) <= own,
    );
    const cpu = mine.map((r) => cpuPerExchangeUs(r)).filter((x): x is number => x !== undefined);
    const cpuText =
      cpu.length > 0
        ? `; relay CPU ${f(Math.min(...cpu), 1)}–${f(Math.max(...cpu), 1)} µs per DORA over its steps`
        : '';
    if (own === undefined) {
      lines.push(
        `- ${label(relay)}: highest passing rate ${f(pass)}/s; no rate passed without a relay agent, so no comparison${cpuText}.`,
      );
    } else if (fails.length === 0) {
      lines.push(
        `- ${label(relay)}: every rate up to the server's own highest passing rate here (${f(own)}/s without a relay agent) ` +
          `that was offered through it passed (highest ${f(pass)}/s)${cpuText}: met at the rates measured.`,
      );
    } else {
      const at = fails.map((r) => `${f(r.offered)}/s (${f(r.drops_pct, 2)} %)`).join(', ');
      lines.push(
        `- ${label(relay)}: dropped ${dropMax} % or more at ${at}, rates the server passed without a relay agent ` +
          `(up to ${f(own)}/s)${cpuText}: NOT met at those rates.`,
      );
    }
  }
  return lines;
}

export function relaySummaryDir(dir: string, dropMax: number): string {
  const rows = readTsv(resolve(dir, 'relay.tsv'));
  let env: string[] = [];
  try {
    env = readFileSync(resolve(dir, 'relay-env.txt'), 'utf8').trimEnd().split('\n');
  } catch {
    // no environment lines
  }
  return relaySummary(rows, env, dropMax);
}
