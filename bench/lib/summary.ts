// The tables of a run: from steps.tsv, fsync.tsv and servers.tsv in the results folder to
// Markdown (printed, saved as summary.md and put in bench/RESULTS.md's `dora` section).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type Row = Record<string, string>;

export function readTsv(path: string): Row[] {
  if (!existsSync(path)) return [];
  const [head, ...lines] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const keys = (head ?? '').split('\t');
  return lines.map((l) => {
    const v = l.split('\t');
    return Object.fromEntries(keys.map((k, i) => [k, v[i] ?? '']));
  });
}

/** A TSV cell as a number, undefined when empty or not numeric. */
export function num(x: string | undefined): number | undefined {
  if (x === undefined || x === '') return undefined;
  const v = Number(x);
  return Number.isFinite(v) ? v : undefined;
}

/** A figure for the tables: thousands separators, `digits` decimals, n/a when missing. */
export function f(x: string | number | undefined, digits = 0): string {
  const v = typeof x === 'number' ? x : num(x);
  if (v === undefined) return 'n/a';
  return v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const mib = (kb: string | undefined) =>
  num(kb) === undefined || num(kb) === 0 ? 'n/a' : `${f(num(kb)! / 1024, 0)} MB`;

export function summary(dir: string): string {
  const servers = readTsv(resolve(dir, 'servers.tsv'));
  const steps = readTsv(resolve(dir, 'steps.tsv'));
  const fsync = new Map(readTsv(resolve(dir, 'fsync.tsv')).map((r) => [r.server!, r]));
  const dropMax = num(servers[0]?.drop_max) ?? 1;
  const of = (name: string, phase: string): Row | undefined => {
    const rows = steps.filter((s) => s.server === name && s.phase === phase);
    if (phase === 'confirm') {
      const ok = rows.filter((s) => (num(s.drops_pct) ?? 100) < dropMax);
      if (ok.length > 0) return ok[ok.length - 1];
    }
    return rows[rows.length - 1];
  };
  const out: string[] = [];
  out.push(
    `### Highest sustained DORA rate (drops < ${dropMax} %, ${servers[0]?.confirm_secs ?? '?'} s confirm run)`,
    '',
  );
  out.push(
    '| server | version | offered /s | achieved DORA/s | drops % | DO avg / max ms | RA avg / max ms | server CPU s | DORA per CPU-s | peak resident | fsync before ACK |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const sv of servers) {
    const n = sv.server!;
    const fv = fsync.get(n)?.verdict ?? 'n/a';
    const c = of(n, 'confirm');
    if (sv.note) {
      out.push(`| ${n} | ${sv.version} | ${sv.note} | | | | | | | | ${fv} |`);
      continue;
    }
    if (c === undefined) {
      out.push(`| ${n} | ${sv.version} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | ${fv} |`);
      continue;
    }
    const cpu = num(c.srv_cpu) ?? 0;
    const per = cpu > 0 ? (num(c.ra_recv) ?? 0) / cpu : undefined;
    out.push(
      `| ${n} | ${sv.version} | ${f(c.offered)} | ${f(c.achieved)} | ${f(c.drops_pct, 2)} | ` +
        `${f(c.do_avg, 3)} / ${f(c.do_max, 1)} | ${f(c.ra_avg, 3)} / ${f(c.ra_max, 1)} | ${f(c.srv_cpu, 2)} | ` +
        `${f(per)} | ${mib(c.hwm_kb)} | ${fv} |`,
    );
  }
  // The control runs only in the half phase (run.sh), so servers.tsv does not list it.
  const names = servers.map((sv) => sv.server!);
  if (!names.includes(CONTROL)) names.push(CONTROL);
  const half = names.map((n) => ({ n, r: of(n, 'half') })).filter((x) => x.r !== undefined);
  if (half.length > 0) {
    out.push(
      '',
      `### Latency at half of Leasehold's highest sustained rate (${f(half[0]!.r!.offered)}/s offered to every server, ${half[0]!.r!.secs} s)`,
      '',
      '| server | offered /s | achieved DORA/s | drops % | DO avg / max ms | RA avg / max ms | server CPU s |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const { n, r } of half) {
      out.push(
        `| ${n === CONTROL ? `${n} (${CONTROL_LABEL})` : n} | ${f(r!.offered)} | ${f(r!.achieved)} | ${f(r!.drops_pct, 2)} | ${f(r!.do_avg, 3)} / ${f(r!.do_max, 1)} | ` +
          `${f(r!.ra_avg, 3)} / ${f(r!.ra_max, 1)} | ${f(r!.srv_cpu, 2)} |`,
      );
    }
  }
  const verdicts = verdictLines(servers, of, half);
  if (verdicts.length > 0) out.push('', '### Against the targets (issue 6)', '', ...verdicts);
  out.push('', '### Saturation probe, unloaded latency, details', '');
  out.push(
    '| server | sat. offered /s | sat. achieved DORA/s | sat. drops % | sat. server CPU s (user+sys) | sat. DORA per CPU-s | sat. peak resident | DO / RA avg ms at low rate | leases in file after confirm | perfdhcp CPU s (confirm) | other CPU s (confirm) | search + confirm steps offered:drops % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const sv of servers) {
    const n = sv.server!;
    if (sv.note) continue;
    const s = of(n, 'sat');
    const lt = of(n, 'lat');
    const c = of(n, 'confirm');
    const tries = steps
      .filter((x) => x.server === n && (x.phase === 'search' || x.phase === 'confirm'))
      .map((x) => `${f(x.offered)}:${f(x.drops_pct, 1)}`)
      .join(' ');
    const scpu = num(s?.srv_cpu) ?? 0;
    const sper = s !== undefined && scpu > 0 ? (num(s.ra_recv) ?? 0) / scpu : undefined;
    out.push(
      `| ${n} | ${f(s?.offered)} | ${f(s?.achieved)} | ${f(s?.drops_pct, 2)} | ` +
        `${f(s?.srv_cpu, 2)} (${f(s?.srv_utime, 2)}+${f(s?.srv_stime, 2)}) | ${f(sper)} | ${mib(s?.hwm_kb)} | ` +
        `${f(lt?.do_avg, 3)} / ${f(lt?.ra_avg, 3)} at ${f(lt?.offered)}/s | ${c?.leases ?? 'n/a'} | ` +
        `${f(c?.pd_cpu, 2)} | ${f(c?.other_cpu, 2)} | ${tries} |`,
    );
  }
  if (fsync.size > 0) {
    out.push('', '### Durability check (strace, low rate)', '');
    out.push(
      "| server | ACKs traced | ACKs whose lease was written before send | ...and fsync'd before send | lease-file syncs | lease-file writes | verdict |",
      '|---|---:|---:|---:|---:|---:|---|',
    );
    for (const sv of servers) {
      const r = fsync.get(sv.server!);
      if (r === undefined) continue;
      out.push(
        `| ${sv.server} | ${r.acks} | ${r.acks_lease_written_before} | ${r.acks_lease_synced_before} | ` +
          `${r.lease_syncs} | ${r.lease_writes} | ${r.verdict} |`,
      );
    }
  }
  return out.join('\n');
}

const isLeasehold = (n: string) => n === 'leasehold' || n.startsWith('leasehold-');

/** Leasehold with its lease file on tmpfs (run.sh's HALF_CONTROL): never a peer, shown beside Leasehold. */
const CONTROL = 'leasehold-nosync';
const CONTROL_LABEL = 'control: lease file on tmpfs, fdatasync costs nothing, NOT durable';

/** Leasehold's sustained rate against the best peer's, and its RA latency at the half rate against each peer's. */
function verdictLines(
  servers: Row[],
  of: (name: string, phase: string) => Row | undefined,
  half: { n: string; r: Row | undefined }[],
): string[] {
  const lines: string[] = [];
  const ours = of('leasehold', 'confirm');
  const peers = servers.filter((sv) => !isLeasehold(sv.server!) && !sv.note);
  const best = peers
    .map((sv) => ({ n: sv.server!, a: num(of(sv.server!, 'confirm')?.achieved) ?? 0 }))
    .sort((x, y) => y.a - x.a)[0];
  const a = num(ours?.achieved) ?? 0;
  if (best !== undefined && best.a > 0 && a > 0) {
    const ratio = a / best.a;
    const met = ratio >= 2 ? 'met, and the 2x stretch goal too' : ratio >= 1.25 ? 'met' : 'NOT met';
    lines.push(
      `- Sustained rate: Leasehold ${f(a)} DORA/s, best peer ${best.n} ${f(best.a)}: ${f(ratio, 2)}x (target 1.25x): ${met}.`,
    );
  }
  const ourHalf = half.find((h) => h.n === 'leasehold')?.r;
  const ourRa = num(ourHalf?.ra_avg);
  if (ourRa !== undefined) {
    for (const { n, r } of half) {
      if (isLeasehold(n)) continue;
      const ra = num(r?.ra_avg);
      if (ra === undefined) continue;
      const verdict = ourRa <= ra ? 'no worse: met' : 'worse: NOT met';
      lines.push(
        `- REQUEST-to-ACK average at ${f(ourHalf?.offered)}/s: Leasehold ${f(ourRa, 3)} ms, ${n} ${f(ra, 3)} ms: ${verdict}` +
          ` (${n} dropped ${f(r?.drops_pct, 2)} %, Leasehold ${f(ourHalf?.drops_pct, 2)} %).`,
      );
    }
  }
  const control = num(half.find((h) => h.n === CONTROL)?.r?.ra_avg);
  if (control !== undefined && ourRa !== undefined) {
    lines.push(
      `- Control, not a target: the same Leasehold with its lease file on tmpfs (every fdatasync returns at once; not ` +
        `durable) answered REQUESTs in ${f(control, 3)} ms on average at that rate, against ${f(ourRa, 3)} ms with it ` +
        'on disk (one run each: compare over several runs; "lease-file disk" above is the sync alone).',
    );
  }
  return lines;
}
