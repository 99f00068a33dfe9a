// Helpers for bench/run.sh (`node dist/bench/lib/cli.js SUBCOMMAND ...`):
//
//   cpu PID                 "user_s sys_s" of PID, its live descendants and reaped children
//   rss PID                 "rss_kb peak_kb" (VmRSS, VmHWM) of PID and its live descendants
//   macs N SEED FILE        N distinct random locally-administered MACs, one a line
//   perfdhcp FILE           a perfdhcp report as shell assignments (P_do_sent=..., ...)
//   fsync TRACE PREFIX      the durability verdict of an strace log, as shell assignments (F_...)
//   classessummary DIR DROP_MAX TITLE  the classes phase's tables (DIR/classes.tsv): printed, saved as
//                           DIR/classes-summary.md and, unless BENCH_NO_RESULTS=1, RESULTS.md section `classes`
//   ddnssummary DIR DROP_MAX TITLE  the DDNS phase's tables (DIR/ddns.tsv, DIR/ddns-drain.tsv): printed, saved as
//                           DIR/ddns-summary.md and, unless BENCH_NO_RESULTS=1, RESULTS.md section `ddns`
//   classesconf [SEED]      the classes phase's configuration (bench/configs/dhcpd-classes.conf) for SEED
//   synctime DIR N          N lease-sized appends + fdatasync in a scratch file under DIR: one line of figures
//   summary DIR TITLE       Markdown tables of a run; also written to DIR/summary.md and, unless
//                           BENCH_NO_RESULTS=1, to bench/RESULTS.md (section `dora`)
//   lastrate SERVER         the achieved DORA/s of SERVER's sustained row in bench/RESULTS.md (empty if none)
//   relayrates SPEC [BASE]  RELAY_RATES ("25% 50%", "4000") as offered rates, one a line
//   relaysummary DIR DROP_MAX TITLE   the relay phase's tables (DIR/relay.tsv): printed, saved as
//                           DIR/relay-summary.md and, unless BENCH_NO_RESULTS=1, RESULTS.md section `relay`
//   foconverge FORMAT A B READY START DONE SECS TIMEOUT [STALL]   the failover phase's partner lag: reads lease
//                           files A and B (FORMAT isc|kea), writes READY, waits for START (perfdhcp's start,
//                           ms), polls from START + SECS until they agree and DONE exists, or TIMEOUT s, or
//                           STALL s without either file growing while they differ (shell assignments L_...)
//   focheck FORMAT A B      do lease files A and B agree, is an address held by two clients (shell assignments C_...)
//   keastate URL            the HA state of a Kea server through its control agent (ha-heartbeat)
//   failoversummary DIR DROP_MAX TITLE   the failover phase's tables (DIR/failover.tsv): printed, saved as
//                           DIR/failover-summary.md and, unless BENCH_NO_RESULTS=1, RESULTS.md section `failover`

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RESULTS_FILE, writeSection } from '../results-file.js';
import { classesSummary } from './classes.js';
import { classesConf, macList } from './classes-conf.js';
import { ddnsSummary } from './ddns.js';
import { checkFiles, converge, failoverSummary, keaState, type LeaseFormat } from './failover.js';
import { fsyncCheckFile } from './fsync.js';
import { parsePerfdhcpFile } from './perfdhcp.js';
import { cpuSeconds, residentKb } from './proc.js';
import { lastSustainedFile, relayRates, relaySummaryDir } from './relay.js';
import { summary } from './summary.js';
import { measureSyncs, syncLine } from './sync-time.js';

/** A single-quoted shell word. */
const q = (v: string | number) => `'${String(v).replaceAll("'", "'\\''")}'`;

function macs(n: number, seed: number, file: string): void {
  writeFileSync(file, `${macList(n, seed).join('\n')}\n`);
}

function main(argv: string[]): number | Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'cpu': {
      const [u, s] = cpuSeconds(Number(args[0]));
      console.log(`${u.toFixed(2)} ${s.toFixed(2)}`);
      return 0;
    }
    case 'rss': {
      const [rss, hwm] = residentKb(Number(args[0]));
      console.log(`${rss} ${hwm}`);
      return 0;
    }
    case 'macs':
      macs(Number(args[0]), Number(args[1]), args[2]!);
      return 0;
    case 'perfdhcp':
      for (const [k, v] of Object.entries(parsePerfdhcpFile(args[0]!))) console.log(`P_${k}=${q(v)}`);
      return 0;
    case 'fsync':
      for (const [k, v] of Object.entries(fsyncCheckFile(args[0]!, args[1]!))) console.log(`F_${k}=${q(v)}`);
      return 0;
    case 'synctime':
      console.log(syncLine(measureSyncs(args[0]!, Number(args[1] ?? 2000))));
      return 0;
    case 'summary': {
      const dir = args[0]!;
      const env = readFileSync(resolve(dir, 'env.txt'), 'utf8').trimEnd();
      const text = [
        `## DHCPv4 rate against the peers (\`npm run bench\`)${args[1] ? ` — ${args[1]}` : ''}`,
        '',
        ...env.split('\n').map((l) => `    ${l}`),
        '',
        summary(dir),
        '',
        'Method, caveats and how to reproduce: bench/README.md.',
      ].join('\n');
      writeFileSync(resolve(dir, 'summary.md'), `${text}\n`);
      if (process.env.BENCH_NO_RESULTS !== '1') writeSection('dora', text);
      console.log(text);
      return 0;
    }
    case 'classessummary': {
      const dir = args[0]!;
      const text = [
        `## Classes: plain configuration against 50 classes and 200 subclasses (\`npm run bench\`, classes phase)${args[2] ? ` — ${args[2]}` : ''}`,
        '',
        classesSummary(dir, Number(args[1] ?? 1)),
        '',
        'Method: bench/README.md, "Classes phase".',
      ].join('\n');
      writeFileSync(resolve(dir, 'classes-summary.md'), `${text}\n`);
      if (process.env.BENCH_NO_RESULTS !== '1') writeSection('classes', text);
      console.log(text);
      return 0;
    }
    case 'ddnssummary': {
      const dir = args[0]!;
      const text = [
        `## DDNS: plain configuration against dynamic DNS to BIND (\`npm run bench\`, DDNS phase)${args[2] ? ` — ${args[2]}` : ''}`,
        '',
        ddnsSummary(dir, Number(args[1] ?? 1)),
        '',
        'Method: bench/README.md, "DDNS phase".',
      ].join('\n');
      writeFileSync(resolve(dir, 'ddns-summary.md'), `${text}\n`);
      if (process.env.BENCH_NO_RESULTS !== '1') writeSection('ddns', text);
      console.log(text);
      return 0;
    }
    case 'classesconf':
      process.stdout.write(classesConf(Number(args[0] ?? 20261122)));
      return 0;
    case 'lastrate':
      console.log(lastSustainedFile(RESULTS_FILE, args[0] ?? 'leasehold') ?? '');
      return 0;
    case 'relayrates': {
      const base = args[1] === undefined || args[1] === '' ? undefined : Number(args[1]);
      try {
        for (const r of relayRates(args[0] ?? '', base)) console.log(r);
      } catch (e) {
        console.error(`RELAY_RATES: ${(e as Error).message}`);
        return 2;
      }
      return 0;
    }
    case 'relaysummary': {
      const dir = args[0]!;
      const text = [
        `## Relayed DHCPv4 rate (\`npm run bench\`, relay phase)${args[2] ? ` — ${args[2]}` : ''}`,
        '',
        relaySummaryDir(dir, Number(args[1] ?? 1)),
        '',
        'Topology, method and caveats: bench/README.md, "Relay phase".',
      ].join('\n');
      writeFileSync(resolve(dir, 'relay-summary.md'), `${text}\n`);
      if (process.env.BENCH_NO_RESULTS !== '1') writeSection('relay', text);
      console.log(text);
      return 0;
    }
    case 'foconverge': {
      const [format, pathA, pathB, readyFile, startFile, doneFile, secs, timeoutS, stallS] = args;
      return converge({
        format: format as LeaseFormat,
        pathA: pathA!,
        pathB: pathB!,
        readyFile: readyFile!,
        startFile: startFile!,
        doneFile: doneFile!,
        secs: Number(secs),
        timeoutS: Number(timeoutS ?? 30),
        stallS: Number(stallS ?? 10),
      }).then((c) => {
        console.log(`L_lag_ms=${q(c.lagMs === undefined ? '' : c.lagMs)}`);
        console.log(
          `L_lag_bound=${q(c.lagMs === undefined ? (c.gaveUp ?? 'timeout') : c.atFirstPoll ? 'first-poll' : 'exact')}`,
        );
        console.log(`L_first_poll_ms=${q(c.firstPollMs)}`);
        console.log(`L_differing_at_end=${q(c.differingAtEnd)}`);
        console.log(`L_polls=${q(c.polls)}`);
        console.log(`L_settled_ms=${q(c.settledMs ?? '')}`);
        console.log(`L_differing_settled=${q(c.differingSettled ?? '')}`);
        return 0;
      });
    }
    case 'focheck': {
      const a = checkFiles(args[1]!, args[2]!, args[0] as LeaseFormat);
      for (const [k, v] of Object.entries(a)) console.log(`C_${k}=${q(Array.isArray(v) ? v.join('; ') : v)}`);
      return 0;
    }
    case 'keastate':
      return keaState(args[0]!).then((s) => {
        console.log(s);
        return 0;
      });
    case 'failoversummary': {
      const dir = args[0]!;
      const text = [
        `## Failover pairs (\`npm run bench\`, failover phase)${args[2] ? ` — ${args[2]}` : ''}`,
        '',
        failoverSummary(dir, Number(args[1] ?? 1)),
        '',
        'Topology, method and caveats: bench/README.md, "Failover phase".',
      ].join('\n');
      writeFileSync(resolve(dir, 'failover-summary.md'), `${text}\n`);
      if (process.env.BENCH_NO_RESULTS !== '1') writeSection('failover', text);
      console.log(text);
      return 0;
    }
    default:
      console.error(
        'usage: cli.js cpu|rss|macs|perfdhcp|fsync|classesconf|classessummary|ddnssummary|synctime|summary|lastrate|relayrates|relaysummary|foconverge|focheck|keastate|failoversummary ...',
      );
      return 2;
  }
}

void Promise.resolve(main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
