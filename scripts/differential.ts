// Runs ISC's differential tester (../shared/differential/run.py) against Leasehold and names what
// it finds: differences in option order only, differences that follow from a departure from ISC
// that README.md lists (and which steps and addresses it reached), and the rest, which are bugs.
//
//   node dist/scripts/differential.js --seed 3 --config rich [--steps 150] [--out DIR] [--keep]
//
// Exit status 0 when every difference is order or a named departure. Root is needed (the tester
// makes network namespaces).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Diff {
  kind: string;
  detail: string;
}
interface Reply {
  yiaddr?: string;
}
interface Sent {
  ciaddr?: string | null;
  opt50?: string | null;
}
interface Step {
  step: number;
  action: { client: number; kind: string };
  diffs: Diff[];
  sent: { ref?: Sent; cand?: Sent };
  replies: { ref: Reply[]; cand: Reply[] };
}
export interface Report {
  summary: string;
  exit_status: number;
  steps: Step[];
  lease_file_diffs: { ip: string; detail: string }[];
}

/** A departure from ISC kept on purpose (README "Where Leasehold departs from ISC on purpose"). */
export interface Departure {
  name: string;
  /** The candidate's log line that marks one occurrence, and the address it concerns. */
  marker: RegExp;
}

export const DEPARTURES: readonly Departure[] = [
  {
    name: 'DECLINE of an address leased to another client is not honoured',
    marker: /^DHCPDECLINE of (\d+\.\d+\.\d+\.\d+) .*: not abandoned: leased to another client$/,
  },
];

export interface Verdict {
  /** Steps whose only differences are option order. */
  orderOnly: number[];
  /** Per departure: the steps and lease-file addresses its occurrences reached. */
  departures: { name: string; seeds: string[]; steps: number[]; leaseFile: string[] }[];
  /** Everything else: a line each. */
  unexplained: string[];
}

const ADDRESS = /\d+\.\d+\.\d+\.\d+/g;

function stepAddresses(s: Step): string[] {
  const out: string[] = [];
  for (const side of ['ref', 'cand'] as const) {
    const sent = s.sent[side];
    if (sent?.opt50) out.push(sent.opt50);
    if (sent?.ciaddr && sent.ciaddr !== '0.0.0.0') out.push(sent.ciaddr);
    for (const r of s.replies[side]) if (r.yiaddr && r.yiaddr !== '0.0.0.0') out.push(r.yiaddr);
  }
  for (const d of s.diffs) if (d.kind === 'yiaddr') out.push(...(d.detail.match(ADDRESS) ?? []));
  return out;
}

/**
 * Sorts the report's differences. A departure's reach is followed through the run: from the address
 * it concerned, every later differing step that involves a reached address (asked for, offered or
 * acked on either side) is attributed to it, and the addresses of that step are reached in turn (a
 * client the departure moved to another address moves the next client too).
 */
/** The `set NAME = ...;` and `billing ...;` lines of each address's last lease block. */
function leaseScopes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^lease (\S+) \{\n([\s\S]*?)^\}/gm)) {
    const lines = m[2]!.split('\n').map((l) => l.trim());
    out.set(m[1]!, lines.filter((l) => l.startsWith('set ') || l.startsWith('billing ')).join(' '));
  }
  return out;
}

/**
 * What the tester's lease comparison leaves out (it compares state, hardware, uid and host name): the
 * lease-bound variables and the class billing of each address's final record, in ISC's order.
 */
export function leaseScopeDiffs(ref: string, cand: string): { ip: string; detail: string }[] {
  const r = leaseScopes(ref);
  const c = leaseScopes(cand);
  const out: { ip: string; detail: string }[] = [];
  for (const ip of new Set([...r.keys(), ...c.keys()])) {
    const a = r.get(ip) ?? '';
    const b = c.get(ip) ?? '';
    if (a !== b) out.push({ ip, detail: `set/billing lines [${a}]/[${b}]` });
  }
  return out;
}

export function classify(report: Report, candidateLog: string): Verdict {
  const verdict: Verdict = { orderOnly: [], departures: [], unexplained: [] };
  const reached = new Map<string, number>();
  for (const [i, d] of DEPARTURES.entries()) {
    const seeds: string[] = [];
    for (const line of candidateLog.split('\n')) {
      const m = d.marker.exec(line.trim());
      if (m?.[1] !== undefined && !seeds.includes(m[1])) seeds.push(m[1]);
    }
    for (const a of seeds) reached.set(a, i);
    verdict.departures.push({ name: d.name, seeds, steps: [], leaseFile: [] });
  }
  for (const s of report.steps) {
    if (s.diffs.length === 0) continue;
    if (s.diffs.every((d) => d.kind === 'order')) {
      verdict.orderOnly.push(s.step);
      continue;
    }
    const addresses = stepAddresses(s);
    const by = addresses.map((a) => reached.get(a)).find((i) => i !== undefined);
    if (by !== undefined) {
      verdict.departures[by]!.steps.push(s.step);
      for (const a of addresses) if (!reached.has(a)) reached.set(a, by);
      continue;
    }
    const what = s.diffs
      .filter((d) => d.kind !== 'order')
      .map((d) => `[${d.kind}] ${d.detail}`)
      .join('; ');
    verdict.unexplained.push(`step ${s.step} c${String(s.action.client).padStart(2, '0')} ${s.action.kind}: ${what}`);
  }
  for (const l of report.lease_file_diffs) {
    const by = reached.get(l.ip);
    if (by !== undefined) verdict.departures[by]!.leaseFile.push(l.ip);
    else verdict.unexplained.push(`lease-file ${l.ip}: ${l.detail}`);
  }
  return verdict;
}

export function formatVerdict(v: Verdict): string[] {
  const out = [`order only: ${v.orderOnly.length} steps`];
  for (const d of v.departures) {
    if (d.seeds.length === 0) continue;
    out.push(
      `departure "${d.name}": at ${d.seeds.join(', ')}; reached steps ${d.steps.join(',') || '-'}, lease-file ${d.leaseFile.join(', ') || '-'}`,
    );
  }
  out.push(`unexplained: ${v.unexplained.length}`);
  for (const u of v.unexplained) out.push(`  ${u}`);
  return out;
}

export interface RunOptions {
  seed: number;
  config: string;
  steps: number;
  out?: string;
  keep?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository (dist/scripts -> ..; scripts -> ..). */
export const REPO = resolve(here, here.endsWith(join('dist', 'scripts')) ? '../..' : '..');
export const TESTER = resolve(REPO, '../shared/differential');

/** Runs the tester once; returns its report, the candidate's log and the tester's own output. */
export function runTester(o: RunOptions): { report: Report; candidateLog: string; output: string } {
  const work = o.out ?? mkdtempSync(join(tmpdir(), 'leasehold-differential-'));
  const out = join(work, `${o.config}-s${o.seed}`);
  try {
    const r = spawnSync(
      '/usr/bin/python3',
      [
        join(TESTER, 'run.py'),
        '--seed',
        String(o.seed),
        '--steps',
        String(o.steps),
        '--config',
        o.config,
        '-q',
        '--out',
        out,
      ],
      {
        env: { ...process.env, DHCPD: `${join(REPO, 'bin', 'leasehold')} server` },
        encoding: 'utf8',
        timeout: 20 * 60_000,
      },
    );
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const reportFile = join(out, 'report.json');
    if (!existsSync(reportFile)) throw new Error(`the tester wrote no report (exit ${r.status}):\n${output}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    const leases = (side: string) => {
      const f = join(out, side, 'dhcpd.leases');
      return existsSync(f) ? readFileSync(f, 'latin1') : '';
    };
    report.lease_file_diffs.push(...leaseScopeDiffs(leases('ref'), leases('cand')));
    const logFile = join(out, 'cand', 'dhcpd.log');
    const candidateLog = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return { report, candidateLog, output };
  } finally {
    if (o.out === undefined && o.keep !== true) rmSync(work, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const o: RunOptions = { seed: 1, config: 'seed-talk', steps: 150 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--seed' && v !== undefined) o.seed = Number(argv[++i]);
    else if (a === '--config' && v !== undefined) o.config = argv[++i]!;
    else if (a === '--steps' && v !== undefined) o.steps = Number(argv[++i]);
    else if (a === '--out' && v !== undefined) o.out = argv[++i]!;
    else if (a === '--keep') o.keep = true;
    else {
      process.stderr.write(`usage: differential.js [--seed N] [--config NAME] [--steps K] [--out DIR] [--keep]\n`);
      return 2;
    }
  }
  const { report, candidateLog } = runTester(o);
  const v = classify(report, candidateLog);
  process.stdout.write(`${o.config} seed ${o.seed}: ${report.summary}\n${formatVerdict(v).join('\n')}\n`);
  return v.unexplained.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
