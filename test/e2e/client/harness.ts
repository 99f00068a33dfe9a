// Shared set-up of the client's end-to-end tests: a server namespace and a client namespace joined by a veth
// pair (srv0 192.0.2.1/24 in the server namespace, ep0 without an address in the client's — ep0 is the name
// the seed dhclient.conf configures), a real server (ISC dhcpd, Kea, dnsmasq) started inside the server
// namespace on srv0 only, and `leasehold client` inside the client namespace.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DEFAULT_SCRIPT } from '../../../src/client/default-script.js';
import { loadNative } from '../../../src/io/native.js';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor } from '../lib/wait.js';
import {
  parseEnv,
  REPO,
  readIfExists,
  SERVER_ADDR,
  serverFiles,
  startLeasehold,
  type Topology,
  tempDir,
  topology,
  waitForLease,
} from '../server/harness.js';

// The namespaces, temp dirs and lease-file helpers are the server tests' own; re-exported for the client tests.
export { parseEnv, REPO, readIfExists, SERVER_ADDR, tempDir, type Topology, topology, waitForLease };

export const LEASEHOLD = join(REPO, 'bin/leasehold');
export const DHCPD = '/usr/sbin/dhcpd';
export const KEA = '/usr/sbin/kea-dhcp4';
export const DNSMASQ = '/usr/sbin/dnsmasq';

/** Skips the test (returning false) when a peer program is not installed, or the packet addon is not built
 * (the client would fall back to UDP, which cannot send from 0.0.0.0). */
export function requireBinary(t: TestContext, path: string): boolean {
  const native = loadNative();
  if (!native.ok) {
    t.skip(native.reason);
    return false;
  }
  if (existsSync(path)) return true;
  t.skip(`${path} is not installed`);
  return false;
}

/** A dhclient-script that records each reason in DIR/reasons and dumps its environment to DIR/env.REASON
 * (whole or not at all: written aside and renamed, so that a test that sees the file reads all of it). */
export function envScript(dir: string): string {
  const path = join(dir, 'env-script.sh');
  const env = `"${dir}/env.$reason"`;
  writeFileSync(
    path,
    `#!/bin/sh\necho "$reason" >> "${dir}/reasons"\nenv > ${env}.tmp && mv -f ${env}.tmp ${env}\nexit 0\n`,
    {
      mode: 0o755,
    },
  );
  return path;
}

export function reasons(dir: string): string[] {
  return (readIfExists(join(dir, 'reasons')) ?? '').split('\n').filter(Boolean);
}

/** Waits until the script has seen `reason` and returns its environment for it. */
export async function scriptEnv(dir: string, reason: string, timeoutMs: number): Promise<Map<string, string>> {
  const file = join(dir, `env.${reason}`);
  const text = await waitFor(() => readIfExists(file), {
    timeoutMs,
    what: `script reason ${reason}`,
    seen: () => `reasons: ${reasons(dir).join(' ')}`,
  });
  return parseEnv(text);
}

async function started(proc: Spawned, what: string, ready: (p: Spawned) => boolean, timeoutMs = 20_000) {
  try {
    await waitFor(() => ready(proc), { timeoutMs, what });
  } catch (e) {
    const run = await proc.stop(500);
    throw new Error(`${(e as Error).message}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  }
  return proc;
}

export interface DhcpdFiles {
  conf: string;
  leases: string;
  pid: string;
}

/** ISC dhcpd in the foreground on srv0 only. */
export async function startDhcpd(
  lab: Lab,
  ns: Netns,
  dir: string,
  conf: string,
  extra: string[] = [],
  /** A restart: keep the lease file the previous run left. */
  keepLeases = false,
): Promise<Spawned & DhcpdFiles> {
  const files = { conf: join(dir, 'dhcpd.conf'), leases: join(dir, 'dhcpd.leases'), pid: join(dir, 'dhcpd.pid') };
  writeFileSync(files.conf, conf);
  if (!keepLeases || !existsSync(files.leases)) writeFileSync(files.leases, '');
  const args = ['-4', '-f', '-d', '-cf', files.conf, '-lf', files.leases, '-pf', files.pid, ...extra, 'srv0'];
  const proc = lab.spawn(ns, DHCPD, args, { timeoutMs: 90_000 });
  await started(proc, 'dhcpd: Server starting service.', (p) => p.stderr().includes('Server starting service.'));
  return Object.assign(proc, files);
}

/** A plain dhcpd.conf for 192.0.2.0/24 with `lease` seconds of lease time. */
export function dhcpdConf(lease: number, extra = ''): string {
  return `default-lease-time ${lease};
max-lease-time ${lease};
authoritative;
ddns-update-style none;
option domain-name-servers 192.0.2.53;
option domain-name "example.test";
${extra}
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  range 192.0.2.100 192.0.2.199;
}
`;
}

/** Kea with a memfile lease database in `dir`, listening on srv0 only. */
export async function startKea(lab: Lab, ns: Netns, dir: string, lease: number): Promise<Spawned> {
  const conf = {
    Dhcp4: {
      'interfaces-config': { interfaces: ['srv0'], 'dhcp-socket-type': 'raw' },
      'lease-database': { type: 'memfile', persist: true, name: join(dir, 'kea-leases4.csv'), 'lfc-interval': 0 },
      'control-socket': undefined,
      'valid-lifetime': lease,
      'renew-timer': Math.floor(lease / 2),
      'rebind-timer': Math.floor((lease * 7) / 8),
      'option-data': [
        { name: 'domain-name-servers', data: '192.0.2.53' },
        { name: 'domain-name', data: 'example.test' },
      ],
      subnet4: [
        {
          id: 1,
          subnet: '192.0.2.0/24',
          pools: [{ pool: '192.0.2.100 - 192.0.2.199' }],
          'option-data': [{ name: 'routers', data: '192.0.2.1' }],
        },
      ],
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'INFO' }],
    },
  };
  const path = join(dir, 'kea-dhcp4.json');
  writeFileSync(path, JSON.stringify(conf, null, 2));
  // Kea keeps its PID file and lock under KEA_PIDFILE_DIR / KEA_LOCKFILE_DIR: point both at our directory.
  const env = { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir, KEA_LOGGER_DESTINATION: 'stdout' };
  const proc = lab.spawn(ns, KEA, ['-c', path], { timeoutMs: 90_000, env });
  return started(proc, 'kea-dhcp4 serving', (p) => /DHCP4_STARTED|DHCP4_CONFIG_COMPLETE/.test(p.stdout() + p.stderr()));
}

/** dnsmasq as a DHCP server only (--port=0: no DNS), bound to srv0. */
export async function startDnsmasq(
  lab: Lab,
  ns: Netns,
  dir: string,
  lease: number,
  extra: string[] = [],
): Promise<Spawned> {
  const args = [
    '-d',
    '-C',
    '/dev/null',
    '--port=0',
    '--interface=srv0',
    '--bind-interfaces',
    `--dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,${lease}`,
    '--dhcp-option=option:router,192.0.2.1',
    '--dhcp-option=option:dns-server,192.0.2.53',
    `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    '--dhcp-authoritative',
    ...extra,
  ];
  const proc = lab.spawn(ns, DNSMASQ, args, { timeoutMs: 90_000 });
  return started(proc, 'dnsmasq started', (p) => /DHCP, IP range/.test(p.stdout() + p.stderr()));
}

export interface ClientRun {
  dir: string;
  conf?: string;
  script?: string;
  extra?: string[];
  iface?: string;
  /** -1 (the default here); false to keep trying, as after a DECLINE. */
  oneTry?: boolean;
  /** Give the client a private /etc (see privateResolvConf) so that its script's writes stay in `dir`. */
  privateEtc?: boolean;
  timeoutMs?: number;
}

export function clientPaths(dir: string) {
  return { leases: join(dir, 'dhclient.leases'), pid: join(dir, 'dhclient.pid') };
}

/** `leasehold client -d -1 -v ... ep0` inside `ns`. */
export function startClient(lab: Lab, ns: Netns, r: ClientRun): Spawned {
  const p = clientPaths(r.dir);
  const args = [LEASEHOLD, 'client', '-d', ...(r.oneTry === false ? [] : ['-1']), '-v', '-lf', p.leases, '-pf', p.pid];
  args.push('-cf', r.conf ?? join(r.dir, 'no-dhclient.conf'));
  if (r.script !== undefined) args.push('-sf', r.script);
  args.push(...(r.extra ?? []), r.iface ?? 'ep0');
  const opts = { timeoutMs: r.timeoutMs ?? 60_000 };
  if (!r.privateEtc) return lab.spawn(ns, process.execPath, args, opts);
  // In a mount namespace of its own, /etc is an overlay whose upper layer is DIR/etc-upper: whatever a script
  // writes there (resolv.conf, Debian's resolv.conf.dhclient-new.PID) stays in DIR. Where overlayfs is not
  // available, only resolv.conf is bind-mounted.
  const up = join(r.dir, 'etc-upper');
  const sh = [
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${up},workdir=${join(r.dir, 'etc-work')} /etc 2>/dev/null ||`,
    `mount --bind ${join(up, 'resolv.conf')} /etc/resolv.conf || exit 97; exec "$@"`,
  ].join(' ');
  return lab.spawn(
    ns,
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', sh, 'sh', process.execPath, ...args],
    opts,
  );
}

/** Prepares DIR/etc-upper (for `privateEtc`) and returns the path of the client's resolv.conf. */
export function privateResolvConf(dir: string): string {
  mkdirSync(join(dir, 'etc-upper'), { recursive: true });
  mkdirSync(join(dir, 'etc-work'), { recursive: true });
  const path = join(dir, 'etc-upper', 'resolv.conf');
  writeFileSync(path, '# leasehold test\n');
  return path;
}

/** The IPv4 addresses and the default route of an interface in `ns`. */
export async function addressesAndRoute(lab: Lab, ns: Netns, iface = 'ep0') {
  const addr = await lab.run(ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', iface]);
  const route = await lab.run(ns, 'ip', ['-4', 'route', 'show', 'default']);
  return { addr: addr.stdout, route: route.stdout };
}

// ---- what the scenarios run against every server share ----

/** A server the client is tested against, started (or restarted, keeping its lease file) in `ns`. */
export interface ServerPeer {
  name: string;
  binary: string;
  start(lab: Lab, ns: Netns, dir: string, restart: boolean): Promise<Spawned>;
  /** dhclient.conf text the client needs with this server, if any. */
  clientConf?: string;
}

/** dnsmasq raises any lease under two minutes to 120 s. */
const DNSMASQ_MIN_LEASE = 120;

/**
 * ISC dhcpd, Kea, dnsmasq and Leasehold's server, each giving `lease`-second leases on 192.0.2.0/24. dnsmasq
 * cannot lease for less than two minutes: below that its row leases for 120 s and tells the client `lease`
 * seconds (T1 1/2, T2 7/8) with `supersede` in dhclient.conf, as an administrator could.
 */
export function serverPeers(lease: number): ServerPeer[] {
  const dnsmasqConf =
    lease < DNSMASQ_MIN_LEASE
      ? `supersede dhcp-lease-time ${lease};\nsupersede dhcp-renewal-time ${Math.floor(lease / 2)};\n` +
        `supersede dhcp-rebinding-time ${Math.floor((lease * 7) / 8)};\n`
      : undefined;
  return [
    {
      name: 'ISC dhcpd',
      binary: DHCPD,
      start: (lab, ns, dir, restart) => startDhcpd(lab, ns, dir, dhcpdConf(lease), [], restart),
    },
    { name: 'Kea', binary: KEA, start: (lab, ns, dir) => startKea(lab, ns, dir, lease) },
    {
      name: 'dnsmasq',
      binary: DNSMASQ,
      start: (lab, ns, dir) => startDnsmasq(lab, ns, dir, Math.max(lease, DNSMASQ_MIN_LEASE)),
      ...(dnsmasqConf !== undefined ? { clientConf: dnsmasqConf } : {}),
    },
    {
      name: 'Leasehold server',
      binary: process.execPath,
      start: (lab, ns, dir) => startLeasehold(lab, ns, serverFiles(dir, dhcpdConf(lease))),
    },
  ];
}

/** The built-in script, recording first "REASON new_ip old_ip lease-time T2" ('-' when unset) in DIR/events. */
export function recordingScript(dir: string): string {
  const path = join(dir, 'script.sh');
  const vars = ['new_ip_address', 'old_ip_address', 'new_dhcp_lease_time', 'new_dhcp_rebinding_time'];
  const record = `echo "$reason ${vars.map((v) => `\${${v}:--}`).join(' ')}"`;
  writeFileSync(path, `#!/bin/sh\n${record} >> "${dir}/events"\n${DEFAULT_SCRIPT}`, { mode: 0o755 });
  return path;
}

/** One run of the recording script. */
export interface ScriptEvent {
  reason: string;
  address: string;
  old: string;
  lease: number;
  rebind: number;
}

export function scriptEvents(dir: string): ScriptEvent[] {
  return (readIfExists(join(dir, 'events')) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [reason = '', address = '', old = '', lease = '', rebind = ''] = l.split(' ');
      return { reason, address, old, lease: Number(lease), rebind: Number(rebind) };
    });
}

export const countEvents = (dir: string, reason: string) => scriptEvents(dir).filter((e) => e.reason === reason).length;

/** Polls `ip addr` / `ip route` in `ns` until `ok` holds (the script records its reason before it configures). */
export async function untilLinkState(
  lab: Lab,
  ns: Netns,
  ok: (s: { addr: string; route: string }) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<{ addr: string; route: string }> {
  let last = { addr: '', route: '' };
  return waitFor(
    async () => {
      last = await addressesAndRoute(lab, ns);
      return ok(last) && last;
    },
    { timeoutMs, what, intervalMs: 100, seen: () => `${last.addr}\n${last.route}` },
  );
}

/** `address`/24 on ep0 and the default route via the server. */
export const configured =
  (address: string) =>
  (s: { addr: string; route: string }): boolean =>
    new RegExp(`inet ${address.replaceAll('.', '\\.')}/24 `).test(s.addr) &&
    /default via 192\.0\.2\.1 dev ep0/.test(s.route);

// Concurrent `ip netns add`s race in iproute2 (the first ones set up the /run/netns mount: "Cannot open network
// namespace"), so scenarios that run concurrently create their namespaces one after the other.
let setupChain: Promise<unknown> = Promise.resolve();
export function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = setupChain.then(fn, fn);
  setupChain = run.catch(() => undefined);
  return run;
}
