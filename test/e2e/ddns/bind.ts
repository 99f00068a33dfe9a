// BIND `named` as the DNS server of dynamic DNS end-to-end tests: an authoritative-only named (recursion off,
// IPv4 only) in a namespace of the test, listening on one documentation address, with primary zones written by
// this harness (SOA, NS, and the NS name's A record at that address), TSIG keys, and updates allowed per zone to
// one key. It runs in the foreground (`named -g`, everything logged to stderr) as root, with its configuration,
// zone files, journals, PID file, session key and lock file in a temporary directory removed when the test ends.
//
// What named needs here (BIND 9.18 on Debian 12): no `-u` (as root it can read the root-owned 0700 temporary
// directory; `-u bind` could not); no AppArmor step (the kernel has no AppArmor, and Debian's profile for
// /usr/sbin/named would only confine it to /etc/bind, /var/lib/bind and /var/cache/bind when it has); every file
// named would otherwise put under /run/named or /etc/bind (pid-file, session-keyfile, lock-file, bindkeys-file,
// managed keys, rndc key via `controls`) moved into the directory or switched off.
//
// Safety: named, dig and nsupdate run only through the Lab (inside the test's namespaces, stopped by PID), and
// named listens only on `address`, which must be a documentation address.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { assertTestAddress, type Lab, type Netns } from '../lib/netns.js';
import type { RunResult, Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';

export const NAMED = '/usr/sbin/named';
export const DIG = '/usr/bin/dig';
export const NSUPDATE = '/usr/bin/nsupdate';

export interface BindKey {
  name: string;
  /** 'hmac-md5', 'hmac-sha1', 'hmac-sha256', … as named.conf spells it. */
  algorithm: string;
  /** base64 */
  secret: string;
}

export interface BindZone {
  /** 'example.org.' or '2.0.192.in-addr.arpa.' (the final dot is added when missing). */
  name: string;
  /** Name of the key allowed to update the zone; none: every update is refused. */
  updateKey?: string;
}

export interface BindOptions {
  /** Where named listens, an address of one of the namespace's interfaces (documentation ranges only). */
  address: string;
  zones: BindZone[];
  keys: BindKey[];
  /** Default 53. */
  port?: number;
  /** Hard limit on each run of named (it is killed after it), default 300 s. */
  timeoutMs?: number;
  /** How long start() waits for named to answer, default 20 s. */
  startTimeoutMs?: number;
}

export type RecordType = 'A' | 'PTR' | 'TXT' | 'DHCID' | 'CNAME' | 'SOA' | 'NS' | 'ANY';

export interface Bind {
  /** The address and port named listens on. */
  readonly address: string;
  readonly port: number;
  /** Its working directory: named.conf, zone files (`<zone>db`), journals (`<zone>db.jnl`), PID file. */
  readonly dir: string;
  /** Records of `name`/`type` as `dig +short` prints them, sorted. Throws when named does not answer. */
  query(name: string, type: RecordType): Promise<string[]>;
  /** Waits (bounded) until query() returns exactly `expected` (compared sorted); fails with what it last saw. */
  waitRecords(name: string, type: RecordType, expected: string[], timeoutMs?: number): Promise<void>;
  /** Every record of a zone by AXFR, one "owner ttl class type rdata" line each (blanks collapsed), in the
   * transfer's order (the SOA first, once). Throws when the transfer fails. */
  zoneRecords(zone: string): Promise<string[]>;
  /** named's stderr so far, of every run since startBind (append-only: offsets stay valid for waitForLog). */
  log(): string;
  /** Whether named is running (started and not exited). */
  running(): boolean;
  /** Stops named (SIGTERM, SIGKILL after 5 s) and resolves once it has exited. Safe when already stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same files (zones reloaded with their journals) and waits until it answers. */
  start(): Promise<void>;
}

/** Skips the test (and returns false) unless named, dig and nsupdate are installed. */
export function requireBind(t: TestContext): boolean {
  const missing = [NAMED, DIG, NSUPDATE].filter((p) => !existsSync(p));
  if (missing.length > 0) t.skip(`${missing.join(', ')} not installed (bind9, bind9-dnsutils)`);
  return missing.length === 0;
}

const NAME_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/;

function absolute(name: string): string {
  const n = name.endsWith('.') ? name : `${name}.`;
  if (!NAME_RE.test(n)) throw new Error(`bad DNS name ${JSON.stringify(name)}`);
  return n;
}

function checkKey(k: BindKey): void {
  if (!/^[A-Za-z0-9._-]+$/.test(k.name)) throw new Error(`bad key name ${JSON.stringify(k.name)}`);
  if (!/^hmac-[a-z0-9]+$/.test(k.algorithm)) throw new Error(`bad key algorithm ${JSON.stringify(k.algorithm)}`);
  if (!/^[A-Za-z0-9+/]+=*$/.test(k.secret)) throw new Error(`key ${k.name}: secret is not base64`);
}

function zoneFileName(zone: string): string {
  return `${zone}db`; // 'example.org.' → 'example.org.db'
}

/** A minimal zone: SOA and NS, the NS name (`ns.<zone>`) with an A record at named's address. */
export function zoneFile(zone: string, address: string): string {
  return `$TTL 300
@ IN SOA ns.${zone} hostmaster.${zone} 1 3600 600 86400 60
@ IN NS ns.${zone}
ns IN A ${address}
`;
}

export function namedConf(dir: string, opts: BindOptions): string {
  const port = opts.port ?? 53;
  const keys = opts.keys.map((k) => `key "${k.name}" {\n  algorithm ${k.algorithm};\n  secret "${k.secret}";\n};\n`);
  const zones = opts.zones.map((z) => {
    const name = absolute(z.name);
    const update = z.updateKey === undefined ? 'none;' : `key "${z.updateKey}";`;
    return `zone "${name}" {
  type primary;
  file "${join(dir, zoneFileName(name))}";
  allow-update { ${update} };
};
`;
  });
  return `options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  lock-file "${join(dir, 'named.lock')}";
  managed-keys-directory "${dir}";
  bindkeys-file "${join(dir, 'bind.keys')}";
  listen-on port ${port} { ${opts.address}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  allow-query { any; };
  allow-transfer { any; };
};
controls { };
${keys.join('')}${zones.join('')}`;
}

/**
 * Starts named inside `ns` listening on `opts.address` (which must already be an address of one of the namespace's
 * interfaces) and waits until every zone's SOA can be asked of it. The temporary directory is removed when the test
 * ends (after named is stopped); named itself is also stopped by the Lab's cleanup.
 */
export async function startBind(t: TestContext, lab: Lab, ns: Netns, opts: BindOptions): Promise<Bind> {
  assertTestAddress(opts.address);
  const port = opts.port ?? 53;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
  for (const k of opts.keys) checkKey(k);
  for (const z of opts.zones) {
    if (z.updateKey !== undefined && !opts.keys.some((k) => k.name === z.updateKey)) {
      throw new Error(`zone ${z.name}: no key ${z.updateKey}`);
    }
  }
  const zones = opts.zones.map((z) => absolute(z.name));

  const dir = mkdtempSync(join(tmpdir(), 'lh-bind-'));
  let current: Spawned | undefined;
  let earlier = ''; // stderr of the runs before `current`
  t.after(async () => {
    if (current) earlier += (await current.stop(1000)).stderr;
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const conf = join(dir, 'named.conf');
  writeFileSync(conf, namedConf(dir, opts));
  for (const zone of zones) writeFileSync(join(dir, zoneFileName(zone)), zoneFile(zone, opts.address));

  const log = () => earlier + (current?.stderr() ?? '');
  const running = () => current !== undefined && current.process.exitCode === null && !current.process.signalCode;

  const dig = async (args: string[]): Promise<RunResult> =>
    lab.run(ns, DIG, [`@${opts.address}`, '-p', String(port), ...args], { timeoutMs: 10_000 });

  const query = async (name: string, type: RecordType): Promise<string[]> => {
    const run = await dig(['+short', '+time=1', '+tries=1', absolute(name), type]);
    const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
    if (run.code !== 0 || lines.some((l) => l.startsWith(';'))) {
      throw new Error(`dig ${name} ${type}: exit ${run.code ?? run.signal}\n${run.stdout}${run.stderr}`);
    }
    return lines.sort();
  };

  const stop = async (): Promise<void> => {
    const proc = current;
    if (!proc) return;
    const r = await proc.stop(5000);
    earlier += r.stderr;
    current = undefined;
  };

  const start = async (): Promise<void> => {
    if (running()) throw new Error('named is already running');
    await stop(); // a named that exited by itself: keep its output
    const proc = lab.spawn(ns, NAMED, ['-g', '-4', '-c', conf], { timeoutMs: opts.timeoutMs ?? 300_000 });
    current = proc;
    const from = earlier.length;
    const timeoutMs = opts.startTimeoutMs ?? 20_000;
    try {
      await waitForLog(log, /\brunning$/, { from, timeoutMs, name: 'named stderr' });
      await waitFor(
        async () => {
          if (proc.process.exitCode !== null || proc.process.signalCode) throw new Error('named exited');
          for (const zone of zones) if ((await query(zone, 'SOA')).length !== 1) return false;
          return true;
        },
        { what: `named answering SOA of ${zones.join(', ')} at ${opts.address}#${port}`, timeoutMs, seen: log },
      );
    } catch (e) {
      await stop();
      throw new Error(`named did not start: ${(e as Error).message}\n--- named stderr\n${log().slice(from)}`);
    }
  };

  const bind: Bind = {
    address: opts.address,
    port,
    dir,
    query,
    async waitRecords(name, type, expected, timeoutMs) {
      const want = [...expected].sort();
      let last: string[] | undefined;
      await waitFor(
        async () => {
          last = await query(name, type);
          return last.length === want.length && last.every((r, i) => r === want[i]);
        },
        {
          what: `${name} ${type} = ${JSON.stringify(want)}`,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          seen: () => `last answer: ${last === undefined ? '(none)' : JSON.stringify(last)}`,
        },
      );
    },
    async zoneRecords(zone) {
      const run = await dig([
        '+onesoa',
        '+nocmd',
        '+nocomments',
        '+nostats',
        '+time=2',
        '+tries=1',
        absolute(zone),
        'AXFR',
      ]);
      const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
      const errors = lines.filter((l) => l.startsWith(';'));
      if (run.code !== 0 || errors.length > 0 || lines.length === 0) {
        throw new Error(`AXFR of ${zone}: exit ${run.code ?? run.signal}\n${run.stdout}${run.stderr}`);
      }
      return lines.map((l) => l.trim().split(/\s+/).join(' '));
    },
    log,
    running,
    stop,
    start,
  };
  await start();
  return bind;
}

export interface NsupdateOptions {
  /** TSIG key to sign with (`-y algorithm:name:secret`); none: unsigned. */
  key?: BindKey;
  timeoutMs?: number;
}

/**
 * Runs `nsupdate` inside `ns` against `server` (address, port) with `commands` (update lines; `server` is prepended,
 * and `send` appended when the last line is not one). Returns the run: exit code 0 when every update succeeded.
 */
export function nsupdate(
  lab: Lab,
  ns: Netns,
  server: { address: string; port: number },
  commands: readonly string[],
  opts: NsupdateOptions = {},
): Promise<RunResult> {
  const lines = [`server ${server.address} ${server.port}`, ...commands];
  if (lines.at(-1)?.trim() !== 'send') lines.push('send');
  const args = ['-t', '3'];
  if (opts.key) args.push('-y', `${opts.key.algorithm}:${opts.key.name}:${opts.key.secret}`);
  return lab.run(ns, NSUPDATE, args, { timeoutMs: opts.timeoutMs ?? 15_000, stdin: `${lines.join('\n')}\n` });
}
