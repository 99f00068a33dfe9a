// Shared set-up of the server's end-to-end tests: a server namespace and a client namespace joined by
// a veth pair (srv0 192.0.2.1/24 — ep0, the interface name the seed dhclient.conf configures), the
// seed configuration moved to 192.0.2.0/24, Leasehold's server started inside the server namespace,
// and the real clients (ISC dhclient, busybox udhcpc, dhcpcd) inside the client namespace, each with
// a script that writes its environment to a file.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../../..');
export const SERVER_ADDR = '192.0.2.1';

/** bin/leasehold once src/cli/server.ts calls serve(); until then the guarded test entry. */
export function serverCommand(): string[] {
  const cli = join(REPO, 'dist/src/cli/server.js');
  const wired = existsSync(cli) && readFileSync(cli, 'utf8').includes('serve.js');
  return wired ? [join(REPO, 'bin/leasehold'), 'server'] : [join(here, 'serve-entry.js')];
}

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'lh-server-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The seed talk's dhcpd.conf with its network moved to 192.0.2.0/24 (and the NTP server named by address:
 * the namespaces have no DNS). */
export function seedServerConf(): string {
  return readFileSync(join(REPO, 'test/fixtures/conf/xgrid_dhcpd.conf'), 'utf8')
    .replaceAll('192.168.1.', '192.0.2.')
    .replace('time.euro.apple.com', '192.0.2.123');
}

/** The seed configuration plus a second subnet, 198.51.100.0/24, for a server with two interfaces. */
export function twoSubnetConf(): string {
  return `${seedServerConf()}
subnet 198.51.100.0 netmask 255.255.255.0 {
  option routers 198.51.100.1;
  range 198.51.100.100 198.51.100.199;
}
`;
}

export interface Topology {
  server: Netns;
  client: Netns;
  clientMac: string;
}

export async function topology(lab: Lab, clientIf = 'ep0'): Promise<Topology> {
  const server = await lab.netns();
  const client = await lab.netns();
  const [, cli] = await lab.veth(server, client, { aIf: 'srv0', bIf: clientIf, aAddr: `${SERVER_ADDR}/24` });
  return { server, client, clientMac: cli.mac };
}

export interface BridgedTopology {
  server: Netns;
  clients: { ns: Netns; mac: string }[];
}

/**
 * One server namespace whose srv0 is a bridge (192.0.2.1/24) and `n` client namespaces, each with its own
 * ep0 on that bridge: several clients with MACs of their own on one link.
 */
export async function bridgedTopology(lab: Lab, n: number): Promise<BridgedTopology> {
  const server = await lab.netns();
  await lab.ip(['-n', server.name, 'link', 'add', 'srv0', 'type', 'bridge']);
  await lab.addAddress(server, 'srv0', `${SERVER_ADDR}/24`);
  await lab.ip(['-n', server.name, 'link', 'set', 'srv0', 'up']);
  const clients: BridgedTopology['clients'] = [];
  for (let i = 0; i < n; i++) {
    const ns = await lab.netns();
    const [, cli] = await lab.veth(server, ns, { aIf: `port${i}`, bIf: 'ep0' });
    await lab.ip(['-n', server.name, 'link', 'set', `port${i}`, 'master', 'srv0']);
    clients.push({ ns, mac: cli.mac });
  }
  return { server, clients };
}

export interface ServerFiles {
  dir: string;
  conf: string;
  leases: string;
  pid: string;
}

export function serverFiles(dir: string, confText = seedServerConf()): ServerFiles {
  const files = { dir, conf: join(dir, 'dhcpd.conf'), leases: join(dir, 'dhcpd.leases'), pid: join(dir, 'dhcpd.pid') };
  writeFileSync(files.conf, confText);
  if (!existsSync(files.leases)) writeFileSync(files.leases, ''); // as Debian's package creates it
  return files;
}

/** The environment that makes the server skip packet sockets (ISC's socket mode). */
export const UDP_ONLY: NodeJS.ProcessEnv = { ...process.env, LEASEHOLD_TRANSPORT: 'udp' };

export async function startLeasehold(
  lab: Lab,
  ns: Netns,
  f: ServerFiles,
  extra: string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<Spawned> {
  const args = [...serverCommand(), '-d', '-cf', f.conf, '-lf', f.leases, '-pf', f.pid, ...extra, 'srv0'];
  const proc = lab.spawn(ns, process.execPath, args, { timeoutMs: 60_000, ...(env ? { env } : {}) });
  // Everything the start-up logs (Listening on…, Wrote N leases…) and the PID file come before this line.
  await waitForLog(proc, /^Server starting service\.$/, { name: 'server stderr' }).catch(async (e: Error) => {
    await proc.stop(500);
    throw e;
  });
  return proc;
}

/** `KEY=VALUE` lines (a script's `env` dump) as a map; values may not contain newlines. */
export function parseEnv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/**
 * A client hook script that dumps its environment to DIR/env.<tag>.<reason>, appends "<reason> <address>"
 * to DIR/events.<tag>, and succeeds. `reason` is the shell expression naming the event: `$reason` for
 * dhclient and dhcpcd, `$1` for udhcpc. With `configure`, it also sets the address on the interface as
 * dhclient-script would (dhclient's variables), so the client can renew by unicast.
 */
export function envScript(dir: string, tag: string, reason: string, configure = false): string {
  const path = join(dir, `${tag}-script.sh`);
  // The environment is written whole or not at all (a rename), and before the event: a test that sees either
  // reads a complete file.
  const lines = [
    '#!/bin/sh',
    `env > "${dir}/env.${tag}.${reason}.tmp" && mv -f "${dir}/env.${tag}.${reason}.tmp" "${dir}/env.${tag}.${reason}"`,
    `echo "${reason} \${new_ip_address:-$ip}" >> "${dir}/events.${tag}"`,
  ];
  if (configure) {
    lines.push(
      'case "$reason" in',
      '  BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;',
      '  EXPIRE|FAIL|RELEASE|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" ;;',
      'esac',
    );
  }
  lines.push('exit 0', '');
  writeFileSync(path, lines.join('\n'), { mode: 0o755 });
  return path;
}

/** The events a hook script recorded so far ("REASON ADDRESS" lines). */
export function events(dir: string, tag: string): string[] {
  return (readIfExists(join(dir, `events.${tag}`)) ?? '').split('\n').filter(Boolean);
}

export interface DhclientRun {
  proc: Spawned;
  /** Waits until the script ran for `reason` (the n-th time, default the first); returns its environment. */
  waitFor(reason: string, timeoutMs: number, nth?: number): Promise<Map<string, string>>;
  /**
   * Waits until dhclient's own lease file (DIR/<tag>.leases) holds a complete lease for `address`: dhclient
   * writes it after the BOUND script has run, and `dhclient -r` with that file releases only what it finds.
   */
  leaseWritten(address: string): Promise<void>;
  stop(): Promise<void>;
}

/** ISC dhclient in `ns` on `ifname` with the seed dhclient.conf (or `conf`), in the foreground. */
export function startDhclient(
  lab: Lab,
  ns: Netns,
  dir: string,
  tag: string,
  opts: { configure?: boolean; conf?: string; ifname?: string; extra?: string[] } = {},
): DhclientRun {
  const script = envScript(dir, tag, '$reason', opts.configure ?? false);
  const args = ['-d', '-1', '-v', '-sf', script, '-lf', join(dir, `${tag}.leases`), '-pf', join(dir, `${tag}.pid`)];
  args.push(
    '-cf',
    opts.conf ?? join(REPO, 'test/fixtures/conf/dhclient.conf'),
    ...(opts.extra ?? []),
    opts.ifname ?? 'ep0',
  );
  const proc = lab.spawn(ns, '/sbin/dhclient', args, { timeoutMs: 60_000 });
  return {
    proc,
    async waitFor(reason, timeoutMs, nth = 1) {
      await waitFor(() => events(dir, tag).filter((e) => e.startsWith(`${reason} `)).length >= nth, {
        timeoutMs,
        what: `dhclient ${reason} #${nth}`,
        seen: () => `events: ${events(dir, tag).join(', ')}\n--- dhclient\n${proc.stderr()}`,
      });
      return parseEnv(readFileSync(join(dir, `env.${tag}.${reason}`), 'utf8'));
    },
    async leaseWritten(address) {
      const file = join(dir, `${tag}.leases`);
      const block = new RegExp(`lease \\{[^}]*\\n\\s*fixed-address ${address.replaceAll('.', '\\.')};[^}]*\\n\\}`);
      await waitFor(() => block.test(readIfExists(file) ?? ''), {
        what: `dhclient's lease for ${address} in ${file}`,
        seen: () => readIfExists(file) ?? '(no file)',
      });
    },
    async stop() {
      await proc.stop(2000);
    },
  };
}

/**
 * `dhclient -r` with the lease file, PID file and script of the run `tag` (startDhclient's): releases the lease
 * that run got. The run must have written its lease file first (DhclientRun.leaseWritten), and have been
 * stopped; the script must configure the address (the release goes by unicast from it).
 */
export function releaseDhclient(lab: Lab, ns: Netns, dir: string, tag: string, conf: string, ifname = 'ep0') {
  const args = ['-r', '-v', '-sf', join(dir, `${tag}-script.sh`), '-lf', join(dir, `${tag}.leases`)];
  args.push('-pf', join(dir, `${tag}.pid`), '-cf', conf, ifname);
  return lab.run(ns, '/sbin/dhclient', args, { timeoutMs: 15_000 });
}

/** The last record of `address` in a lease file ('' when there is none). */
export function lastLease(leases: string, address: string): string {
  const blocks = readFileSync(leases, 'latin1').split(/\n(?=lease )/);
  return blocks.filter((b) => b.startsWith(`lease ${address} {`)).at(-1) ?? '';
}

/**
 * Waits until the last record of `address` in the lease file matches `re` (a record written after a message
 * that has no reply to wait for: a RELEASE, a DECLINE, an expiry); returns it.
 */
export function waitForLease(leases: string, address: string, re: RegExp, timeoutMs?: number): Promise<string> {
  return waitFor(
    () => {
      const block = lastLease(leases, address);
      return re.test(block) ? block : undefined;
    },
    {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      what: `lease ${address} matching ${re} in ${leases}`,
      seen: () => readIfExists(leases) ?? '(no file)',
    },
  );
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Skips the test (and returns false) when a peer program is not installed. */
export function requireTool(t: TestContext, path: string): boolean {
  if (existsSync(path)) return true;
  t.skip(`${path} not installed`);
  return false;
}
