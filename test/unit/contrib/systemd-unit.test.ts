// contrib/systemd: the unit's settings, read by parsing it, its command line by `leasehold server`'s own flag
// parser, its /etc/default file, and `systemd-analyze verify` (skipped where systemd-analyze is missing; install.sh
// installs it with Debian's systemd package).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDhcpdFlags } from '../../../src/cli/dhcpd-flags.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const contrib = path.join(repoRoot, 'contrib', 'systemd');
const unitText = readFileSync(path.join(contrib, 'leasehold-server.service'), 'utf8');
const defaultText = readFileSync(path.join(contrib, 'leasehold-server.default'), 'utf8');

const dir = mkdtempSync(path.join(tmpdir(), 'lh-systemd-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** systemd's unit syntax: [Section], Key=Value (a key may repeat), '#'/';' comments, '\' continuations. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `not a setting: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();

/** The one value of a setting (a repeated setting is a failure here). */
function one(key: string, section = service): string | undefined {
  const values = section.get(key);
  if (values === undefined) return undefined;
  assert.equal(values.length, 1, `${key} is set ${values.length} times`);
  return values[0];
}

/** A list setting's words, all assignments together. */
function words(key: string): Set<string> {
  return new Set((service.get(key) ?? []).flatMap((v) => v.split(/\s+/).filter((w) => w !== '')));
}

test('Type=notify, reload by SIGHUP, restart on failure', () => {
  assert.equal(one('Type'), 'notify');
  assert.equal(one('ExecReload'), '/bin/kill -HUP $MAINPID');
  assert.equal(one('Restart'), 'on-failure');
  assert.equal(one('NotifyAccess'), undefined, 'the default (main) keeps child processes from notifying');
  assert.equal(one('PIDFile'), undefined);
  assert.equal(one('WantedBy', unit.get('Install')), 'multi-user.target');
});

test("ExecStart is leasehold server's own command line: foreground, ISC's files, no PID file", () => {
  const exec = one('ExecStart') ?? '';
  const argv = exec.split(/\s+/);
  assert.equal(argv[0], '/usr/local/bin/leasehold');
  assert.equal(argv[1], 'server');
  // Unquoted $VAR: systemd splits its value into words (and drops it when empty).
  const vars = argv.filter((a) => a.startsWith('$'));
  assert.deepEqual(vars.sort(), ['$INTERFACESv4', '$OPTIONS']);
  const parsed = parseDhcpdFlags(argv.slice(2).filter((a) => !a.startsWith('$')));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const flags = parsed.ok ? parsed.flags : undefined;
  assert.equal(flags?.foreground, true, '-f: Type=notify needs the process systemd started');
  assert.equal(flags?.debug, false, 'not -d: logs go to syslog');
  assert.equal(flags?.noPid, true);
  assert.equal(flags?.configFile, '/etc/dhcp/dhcpd.conf');
  assert.equal(flags?.leaseFile, '/var/lib/dhcp/dhcpd.leases');
  assert.equal(flags?.user, undefined, 'the unit sets User=; -user would need CAP_SETUID');
  assert.equal(flags?.port, 67);
  assert.deepEqual(flags?.interfaces, []);
  assert.ok(
    (service.get('ReadWritePaths') ?? []).some((p) => path.dirname(flags?.leaseFile ?? '/') === p),
    "the lease file's directory is writable",
  );
});

test('an unprivileged user with CAP_NET_RAW and CAP_NET_BIND_SERVICE only', () => {
  assert.equal(one('User'), 'dhcpd');
  assert.equal(one('Group'), 'dhcpd');
  assert.notEqual(one('DynamicUser'), 'yes');
  const caps = ['CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'];
  assert.deepEqual([...words('AmbientCapabilities')].sort(), caps);
  assert.deepEqual([...words('CapabilityBoundingSet')].sort(), caps);
  assert.equal(one('NoNewPrivileges'), 'yes');
  assert.equal(one('PrivateUsers'), undefined, 'capabilities in a user namespace would not open packet sockets');
});

test('file system and kernel protections', () => {
  assert.equal(one('ProtectSystem'), 'strict');
  assert.deepEqual(service.get('ReadWritePaths'), ['/var/lib/dhcp']);
  for (const key of [
    'ProtectHome',
    'PrivateTmp',
    'PrivateDevices',
    'ProtectKernelTunables',
    'ProtectKernelModules',
    'ProtectKernelLogs',
    'ProtectControlGroups',
    'ProtectClock',
    'ProtectHostname',
    'RestrictNamespaces',
    'RestrictRealtime',
    'RestrictSUIDSGID',
    'LockPersonality',
  ]) {
    assert.equal(one(key), 'yes', key);
  }
  assert.deepEqual([...words('RestrictAddressFamilies')].sort(), [
    'AF_INET',
    'AF_INET6',
    'AF_NETLINK',
    'AF_PACKET',
    'AF_UNIX',
  ]);
  assert.notEqual(one('MemoryDenyWriteExecute'), 'yes', "V8's JIT needs writable executable memory");
  assert.notEqual(one('PrivateNetwork'), 'yes');
});

test('the /etc/default file defines what ExecStart uses, in the style of Debian', () => {
  assert.equal(one('EnvironmentFile'), '-/etc/default/leasehold-server', 'optional: the unit runs without it');
  const assignments = new Map<string, string>();
  for (const raw of defaultText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)="([^"$`\\]*)"$/.exec(line);
    assert.ok(m, `not a plain VAR="value" line (systemd and sh must read it alike): ${line}`);
    assignments.set(m[1]!, m[2]!);
  }
  assert.deepEqual([...assignments.keys()].sort(), ['INTERFACESv4', 'OPTIONS']);
  assert.equal(assignments.get('INTERFACESv4'), '', 'empty: every interface with a subnet, as dhcpd');
});

const hasAnalyze = spawnSync('systemd-analyze', ['--version'], { timeout: 10_000 }).status === 0;

/** The unit with ExecStart pointing at this checkout (verify requires the program to exist). */
function unitCopy(name: string, edit: (text: string) => string = (t) => t): string {
  const sub = mkdtempSync(path.join(dir, `${name}-`));
  const file = path.join(sub, 'leasehold-server.service');
  writeFileSync(file, edit(unitText.replace('/usr/local/bin/leasehold', path.join(repoRoot, 'bin', 'leasehold'))));
  return file;
}

function verify(file: string) {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 60_000 });
  const about = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('leasehold-server'));
  return { status: r.status, about, all: `${r.stdout}${r.stderr}` };
}

test(
  'systemd-analyze verify accepts the unit, with nothing to say about it',
  { skip: !hasAnalyze && 'systemd-analyze not installed' },
  () => {
    const r = verify(unitCopy('good'));
    assert.equal(r.status, 0, r.all);
    assert.deepEqual(r.about, [], 'verify exits 0 even for unknown keys and bad values: its words are the verdict');
    // The check above can fail: a misspelt key and a bad value are reported.
    const bad = verify(
      unitCopy('bad', (t) =>
        t.replace('ProtectSystem=strict', 'ProtectSystem=sometimes').replace('Restart=', 'Restrat='),
      ),
    );
    assert.equal(bad.about.length, 2, bad.all);
  },
);

test(
  'systemd-analyze security rates the unit OK or better',
  { skip: !hasAnalyze && 'systemd-analyze not installed' },
  (t) => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', unitCopy('security')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const m = /Overall exposure level for leasehold-server\.service: ([\d.]+)/.exec(r.stdout);
    if (!m) return t.skip(`this systemd-analyze has no offline security review: ${r.stderr.trim()}`);
    assert.ok(Number(m[1]) <= 3.0, `exposure ${m[1]}:\n${r.stdout}`);
  },
);
