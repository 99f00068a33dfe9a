// The scale benchmark (`npm run bench:scale`), in-process and without network: a pool of
// 1,000,000 addresses and a dhcpd.leases file holding 1,000,000 leases.
//
//   daemon start-up of `leasehold server` itself: startServer() (daemon-start.ts) with a fake
//          interface and transport, from reading dhcpd.conf to "Server starting service." -
//          configuration, the warm-up of the packet path, the lease file read straight into the
//          allocator, the start-up rewrite with its fsyncs, the daemon built. Time, resident memory once started, and the peak
//          (VmHWM).
//   stages the same lease path timed in its parts (configuration, Allocator, warm-up,
//          FileJournal.load into the allocator, rewrite).
//   alloc  the cost of one allocation (clientSlots + allocate + commit, as the engine does for a
//          new client) over 10,000 allocations at 0 %, 50 % and 95 % of the pool in use: time
//          per allocation and the allocator's `steps` work counter, which must stay flat.
//
// Each measurement runs in a fresh child process so memory figures are its own. Knobs:
// SCALE_LEASES (1000000), SCALE_POOL (1000000), SCALE_WORK ($TMPDIR/leasehold-scale), SCALE_RUNS
// (3), SCALE_PROF=1 (runs the first daemon child under --cpu-prof, profile in SCALE_WORK/prof),
// SCALE_NO_RESULTS=1 (do not touch bench/RESULTS.md).

import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDhcpdConfText } from '../src/conf/index.js';
import { buildScopeTree, type ScopeTree } from '../src/conf/scope-tree.js';
import type { SystemInterface } from '../src/io/interfaces.js';
import { FileJournal } from '../src/leases/journal.js';
import type { Lease } from '../src/leases/lease.js';
import { formatFileHeader, formatLease } from '../src/leases/writer.js';
import { Allocator, NO_SLOT } from '../src/server/allocator.js';
import type { ClientIdentity } from '../src/server/client-id.js';
import { startServer } from '../src/server/daemon-start.js';
import { warmUp as warmUpPacketPath } from '../src/server/daemon-warm-up.js';
import { machineLine, writeSection } from './results-file.js';

const LEASES = Number(process.env.SCALE_LEASES ?? 1_000_000);
const POOL = Number(process.env.SCALE_POOL ?? 1_000_000);
const WORK = resolve(process.env.SCALE_WORK ?? resolve(tmpdir(), 'leasehold-scale'));
/** The benchmark's clock: leases are written relative to it, so the result never depends on today. */
const NOW = 1_790_000_000;
const POOL_LOW = 0x0a000001; // 10.0.0.1: a /12, payload only (nothing here touches a network)
const WINDOW = Math.min(10_000, Math.floor(POOL * 0.04));
const RUNS = Math.max(1, Number(process.env.SCALE_RUNS ?? 3));

function confText(pool: number): string {
  const high = POOL_LOW + pool - 1;
  const ip = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  return `authoritative;\nsubnet 10.0.0.0 netmask 255.240.0.0 {\n  range ${ip(POOL_LOW)} ${ip(high)};\n}\n`;
}

function scopeTree(pool: number): ScopeTree {
  const res = parseDhcpdConfText(confText(pool));
  if (res.error !== undefined || res.conf === undefined) throw new Error(`bench conf: ${res.error?.message}`);
  return buildScopeTree(res.conf, res.catalogue);
}

function mac(i: number): Uint8Array {
  return new Uint8Array([0x02, 0x00, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]);
}

/** A lease as the server writes them: 80 % active, 20 % expired (free); half with a uid. */
function leaseOf(i: number): Lease {
  const active = i % 5 !== 0;
  const hw = mac(i);
  const starts = NOW - 3600 + (i % 3600);
  const lease: Lease = {
    kind: 'lease',
    address: POOL_LOW + i,
    starts: active ? starts : starts - 86400,
    ends: active ? starts + 7200 : starts - 86400 + 7200,
    cltt: active ? starts : starts - 86400,
    bindingState: active ? 'active' : 'free',
    hardware: { type: 1, address: hw },
  };
  if (active) lease.nextBindingState = 'free';
  if (i % 2 === 0) lease.uid = new Uint8Array([1, ...hw]);
  if (i % 4 === 0) lease.clientHostname = `host-${i}`;
  return lease;
}

/** Writes the file with the project's writer, streaming (formatLeaseFile would collect all). */
function generate(file: string, n: number): void {
  const fd = openSync(file, 'w');
  try {
    let chunk = formatFileHeader();
    for (let i = 0; i < n; i++) {
      chunk += formatLease(leaseOf(i));
      if (chunk.length > 1 << 20) {
        writeSync(fd, Buffer.from(chunk, 'latin1'));
        chunk = '';
      }
    }
    writeSync(fd, Buffer.from(chunk, 'latin1'));
  } finally {
    closeSync(fd);
  }
}

function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const ms = (t0: bigint, t1: bigint) => Number(t1 - t0) / 1e6;

interface StageFigures {
  fileBytes: number;
  /** Configuration parse and scope tree, then the Allocator of the pool. */
  confMs: number;
  allocatorMs: number;
  /** FileJournal.load(allocator.leaseHolder()) without the rewrite: read, parse, fill the allocator. */
  loadMs: number;
  /** The start-up rewrite: format, write, fsync, dhcpd.leases~, rename, directory fsync. */
  rewriteMs: number;
  /** daemon-warm-up.ts, which startServer runs between the allocator and the lease file. */
  warmMs: number;
  totalMs: number;
  leases: number;
  rss: number;
  heapUsed: number;
  peakRss: number;
}

/** The daemon's lease path in its parts (what startServer does, timed stage by stage). */
async function childStages(file: string): Promise<StageFigures> {
  const t0 = process.hrtime.bigint();
  const tree = scopeTree(POOL);
  const t1 = process.hrtime.bigint();
  const allocator = new Allocator(tree);
  const t2w = process.hrtime.bigint();
  const warm = await warmUpPacketPath();
  if ('error' in warm) throw new Error(`warm-up: ${warm.error}`);
  const t2 = process.hrtime.bigint();
  const journal = new FileJournal(file, { rewriteOnLoad: false, clock: () => NOW * 1000 });
  const loaded = await journal.load(allocator.leaseHolder(NOW));
  const t3 = process.hrtime.bigint();
  await journal.rewrite();
  const t4 = process.hrtime.bigint();
  const mem = process.memoryUsage();
  const fig: StageFigures = {
    fileBytes: statSync(file).size,
    confMs: ms(t0, t1),
    allocatorMs: ms(t1, t2w),
    warmMs: ms(t2w, t2),
    loadMs: ms(t2, t3),
    rewriteMs: ms(t3, t4),
    totalMs: ms(t0, t4),
    leases: loaded.leaseCount ?? loaded.leases.size,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    peakRss: peakRss(),
  };
  if (allocator.stats(0).total !== POOL) throw new Error('pool size');
  await journal.close();
  return fig;
}

interface DaemonFigures {
  /** startServer() until "Server starting service." (configuration, warm-up, leases, rewrite, sockets). */
  startMs: number;
  rss: number;
  heapUsed: number;
  peakRss: number;
  wrote: string;
}

/**
 * `leasehold server` itself (startServer, as bin/leasehold runs it) on the file, with a fake
 * interface and transport (no sockets: this measures the leases, and needs no namespace).
 */
async function childDaemon(file: string): Promise<DaemonFigures> {
  const dir = resolve(file, '..');
  const conf = resolve(dir, 'daemon.conf');
  writeFileSync(conf, confText(POOL));
  const lines: string[] = [];
  const log = { info: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
  const eth0: SystemInterface = {
    name: 'eth0',
    index: 2,
    broadcast: true,
    loopback: false,
    up: true,
    addresses: [{ address: 0x0a0ffffe, mask: 0xfff00000 }], // 10.15.255.254, outside the range
  };
  const t0 = process.hrtime.bigint();
  const started = await startServer(
    // warmUp as bin/leasehold runs it (serve.ts): the packet path is compiled before "Server starting service."
    { configFile: conf, leaseFile: file, pidFile: undefined, port: 67, quiet: false, interfaces: [], warmUp: true },
    {
      log,
      clock: () => NOW * 1000,
      listInterfaces: () => [eth0],
      openTransport: async (interfaces) => ({
        kind: 'udp',
        interfaces,
        describe: () => [],
        send: async () => undefined,
        close: async () => undefined,
      }),
      daemon: { timer: () => () => undefined },
    },
  );
  const t1 = process.hrtime.bigint();
  if (!started.ok || !lines.includes('Server starting service.')) throw new Error(`start failed:\n${lines.join('\n')}`);
  const mem = process.memoryUsage();
  const fig: DaemonFigures = {
    startMs: ms(t0, t1),
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    peakRss: peakRss(),
    wrote: lines.find((l) => l.startsWith('Wrote ')) ?? '',
  };
  await started.server.stop();
  return fig;
}

interface AllocWindow {
  utilization: number;
  nsPerAllocation: number;
  stepsPerAllocation: number;
  maxSteps: number;
}

function identity(i: number): ClientIdentity {
  const address = mac(i);
  return {
    uid: undefined,
    hardware: { type: 1, address },
    uidKey: undefined,
    hwKey: `1/${Buffer.from(address).toString('hex')}`,
  };
}

/** The same work on a small pool first, so the measured windows see optimized code. */
function warmUp(): void {
  const a = new Allocator(scopeTree(50_000));
  for (let i = 0; i < 30_000; i++) {
    const id = identity(i);
    a.clientSlots(id);
    a.commit(a.allocate([0], false, NOW), id, undefined, NOW, NOW + 7200, false);
  }
}

function childAlloc(): AllocWindow[] {
  warmUp();
  const a = new Allocator(scopeTree(POOL));
  const out: AllocWindow[] = [];
  let next = 0;
  const one = (id: ClientIdentity): void => {
    if (a.clientSlots(id).length !== 0) throw new Error('new client already has a lease');
    const slot = a.allocate([0], false, NOW);
    if (slot === NO_SLOT) throw new Error('pool exhausted');
    a.commit(slot, id, undefined, NOW, NOW + 7200, false);
  };
  for (const utilization of [0, 0.5, 0.95]) {
    const target = Math.floor(POOL * utilization);
    while (next < target) one(identity(next++));
    const ids: ClientIdentity[] = [];
    for (let k = 0; k < WINDOW; k++) ids.push(identity(next + k));
    next += WINDOW;
    let maxSteps = 0;
    const steps0 = a.steps;
    const t0 = process.hrtime.bigint();
    for (const id of ids) {
      const s = a.steps;
      one(id);
      if (a.steps - s > maxSteps) maxSteps = a.steps - s;
    }
    const t1 = process.hrtime.bigint();
    out.push({
      utilization,
      nsPerAllocation: Number(t1 - t0) / WINDOW,
      stepsPerAllocation: (a.steps - steps0) / WINDOW,
      maxSteps,
    });
  }
  return out;
}

/**
 * `leasehold server -T` on the file: the command-line check of a lease database, end to end
 * (reads the configuration and the file, no sockets). Wall time and peak resident memory, from
 * GNU time when it is installed.
 */
function cliCheck(file: string): { ms: number; peakKb: number; ok: boolean } {
  const conf = resolve(WORK, 'scale.conf');
  writeFileSync(conf, confText(POOL));
  const bin = fileURLToPath(new URL('../../bin/leasehold', import.meta.url));
  const args = [process.execPath, bin, 'server', '-T', '-cf', conf, '-lf', file];
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M', ...args], { encoding: 'utf8', timeout: 600_000 })
    : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 600_000 });
  const msv = ms(t0, process.hrtime.bigint());
  const peak = /PEAK_KB (\d+)/.exec(r.stderr ?? '');
  return { ms: msv, peakKb: peak ? Number(peak[1]) : 0, ok: r.status === 0 };
}

/** Runs this file in a fresh node with `args`; returns what it printed as JSON. */
function child<T>(args: string[], nodeArgs: string[] = []): T {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...nodeArgs, self, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed (${r.status ?? r.signal})`);
  return JSON.parse(r.stdout) as T;
}

const MB = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
const sec = (msv: number) => `${(msv / 1000).toFixed(2)} s`;

function median<T>(runs: T[], key: (x: T) => number): T {
  const sorted = [...runs].sort((x, y) => key(x) - key(y));
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  mkdirSync(WORK, { recursive: true });
  const file = resolve(WORK, `scale-${LEASES}.leases`);
  const startLoad = loadavg();
  const copy = resolve(WORK, 'run', 'dhcpd.leases');
  mkdirSync(resolve(copy, '..'), { recursive: true });
  try {
    const g0 = process.hrtime.bigint();
    generate(file, LEASES);
    const genMs = ms(g0, process.hrtime.bigint());
    console.error(`generated ${LEASES} leases in ${sec(genMs)}: ${file}`);
    const profDir = resolve(WORK, 'prof');
    const prof = process.env.SCALE_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    // Each run starts from the generated file (the start-up rewrite replaces the copy).
    const fresh = (): string => {
      for (const f of [copy, `${copy}~`]) if (existsSync(f)) rmSync(f);
      copyFileSync(file, copy);
      return copy;
    };
    const daemons: DaemonFigures[] = [];
    const stages: StageFigures[] = [];
    for (let k = 0; k < RUNS; k++) {
      daemons.push(child<DaemonFigures>(['daemon', fresh()], k === 0 ? prof : []));
      console.error(`daemon: ${JSON.stringify(daemons[k])}`);
      stages.push(child<StageFigures>(['stages', fresh()]));
      console.error(`stages: ${JSON.stringify(stages[k])}`);
    }
    // The run with the median time is reported; the range shows the noise of a shared machine.
    const daemon = median(daemons, (x) => x.startMs);
    const stage = median(stages, (x) => x.totalMs);
    const range = <T>(runs: T[], f: (x: T) => number, show = sec) =>
      `${show(Math.min(...runs.map(f)))} – ${show(Math.max(...runs.map(f)))}`;
    const check = cliCheck(file);
    console.error(`server -T: ${JSON.stringify(check)}`);
    const alloc = child<AllocWindow[]>(['alloc']);
    console.error(`alloc: ${JSON.stringify(alloc)}`);

    const lines = [
      `## Scale: ${LEASES.toLocaleString('en')} leases (\`npm run bench:scale\`)`,
      '',
      `Date: ${new Date().toISOString()}  `,
      `Machine: ${machineLine()}  `,
      `Pool: ${POOL.toLocaleString('en')} addresses; lease file: ${LEASES.toLocaleString('en')} leases, ` +
        `${MB(stage.fileBytes)}, written by src/leases/writer.ts (80 % active, half with uid, a quarter with ` +
        'client-hostname). Each row is a fresh Node process; each run starts from the same file.',
      '',
      `Load average at start: ${startLoad
        .map((x) => x.toFixed(2))
        .join(' ')} (other work on the machine slows every figure here).`,
      '',
      `| start-up | time (median of ${RUNS} runs) | range over the runs |`,
      '|---|---:|---:|',
      `| **\`leasehold server\` start (startServer: configuration, warm-up, lease file read into the allocator, ` +
        `rewrite + fsync, sockets) until "Server starting service."** | **${sec(daemon.startMs)}** | ` +
        `${range(daemons, (x) => x.startMs)} |`,
      `| the same path in stages: configuration + scope tree | ${sec(stage.confMs)} | ${range(stages, (x) => x.confMs)} |`,
      `| ... build the Allocator for the pool | ${sec(stage.allocatorMs)} | ${range(stages, (x) => x.allocatorMs)} |`,
      `| ... warm-up of the packet path (about 3,800 synthetic exchanges, daemon-warm-up.ts) | ${sec(stage.warmMs)} | ${range(stages, (x) => x.warmMs)} |`,
      `| ... FileJournal.load(allocator.leaseHolder()): read, parse, fill the allocator | ${sec(stage.loadMs)} | ` +
        `${range(stages, (x) => x.loadMs)} |`,
      `| ... start-up rewrite (format, write, fsync, dhcpd.leases~, rename, fsync dir) | ${sec(stage.rewriteMs)} | ` +
        `${range(stages, (x) => x.rewriteMs)} |`,
      `| ... total of the stages | ${sec(stage.totalMs)} | ${range(stages, (x) => x.totalMs)} |`,
      `| \`leasehold server -T\` on the file (CLI check, end to end), one run | ${check.ok ? sec(check.ms) : 'failed'} | ` +
        `${check.peakKb > 0 ? `peak ${MB(check.peakKb * 1024)}` : ''} |`,
      '',
      `Memory of the started server (median run): resident **${MB(daemon.rss)}** (V8 heap used ` +
        `${MB(daemon.heapUsed)}), peak resident (VmHWM) **${MB(daemon.peakRss)}** ` +
        `(over the runs: resident ${range(daemons, (x) => x.rss, MB)}, peak ${range(daemons, (x) => x.peakRss, MB)}). ` +
        `It logged: "${daemon.wrote}"`,
      '',
      `| pool in use | time per allocation | allocator steps per allocation (mean / max) |`,
      '|---:|---:|---:|',
      ...alloc.map(
        (w) =>
          `| ${(w.utilization * 100).toFixed(0)} % | ${(w.nsPerAllocation / 1000).toFixed(2)} µs | ` +
          `${w.stepsPerAllocation.toFixed(2)} / ${w.maxSteps} |`,
      ),
      '',
      `Allocation: ${WINDOW.toLocaleString('en')} new clients per row (clientSlots + allocate + commit, as the ` +
        'engine does for a DISCOVER/REQUEST of a new client), after filling the pool to that level.',
    ];
    const text = lines.join('\n');
    console.log(text);
    if (process.env.SCALE_NO_RESULTS !== '1') writeSection('scale', text);
  } finally {
    for (const f of [file, copy, `${copy}~`, resolve(WORK, 'run', 'daemon.conf'), resolve(WORK, 'scale.conf')]) {
      if (existsSync(f)) rmSync(f);
    }
  }
}

const [mode, arg] = process.argv.slice(2);
if (mode === 'gen' && arg !== undefined) {
  generate(arg, LEASES); // a file to profile the reader with
} else if (mode === 'daemon' && arg !== undefined) {
  console.log(JSON.stringify(await childDaemon(arg)));
} else if (mode === 'stages' && arg !== undefined) {
  console.log(JSON.stringify(await childStages(arg)));
} else if (mode === 'alloc') {
  console.log(JSON.stringify(childAlloc()));
} else {
  main();
}
