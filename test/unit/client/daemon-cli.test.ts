// `leasehold client` flags (dhclient(8) names, Debian defaults), the script choice and the script contract
// (environment = the client's variables + PATH only; exit status is the answer), the built-in script's syntax,
// and the lease file's rewrite/append.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseClientFlags } from '../../../src/cli/client.js';
import { LeaseFile } from '../../../src/client/daemon-files.js';
import { DEFAULT_SCRIPT } from '../../../src/client/default-script.js';
import { CLIENT_PATH, chooseScript, ScriptRunner, SYSTEM_SCRIPT } from '../../../src/client/script-runner.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import { ip, T0 } from './harness.js';

test('flags: Debian defaults', () => {
  const r = parseClientFlags(['eth0']);
  assert.ok(r.ok);
  assert.equal(r.flags.configFile, '/etc/dhcp/dhclient.conf');
  assert.equal(r.flags.leaseFile, '/var/lib/dhcp/dhclient.leases');
  assert.equal(r.flags.pidFile, '/run/dhclient.pid');
  assert.equal(r.flags.port, 68);
  assert.equal(r.flags.script, undefined);
  assert.deepEqual(r.flags.interfaces, ['eth0']);
});

test('flags: every dhclient flag', () => {
  const r = parseClientFlags('-d -v -1 -q -r -cf C -lf L -pf P -sf S -p 1068 -s 192.0.2.1 ep0 ep1'.split(' '));
  assert.ok(r.ok);
  const f = r.flags;
  assert.deepEqual([f.debug, f.verbose, f.oneTry, f.quiet, f.release, f.exit], [true, true, true, true, true, false]);
  assert.deepEqual([f.configFile, f.leaseFile, f.pidFile, f.script, f.port], ['C', 'L', 'P', 'S', 1068]);
  assert.equal(f.server, ip('192.0.2.1'));
  assert.deepEqual(f.interfaces, ['ep0', 'ep1']);
});

test('flags: errors', () => {
  assert.deepEqual(parseClientFlags(['-r', '-x']), { ok: false, error: '-r and -x cannot be used together' });
  assert.equal(parseClientFlags(['-p', 'x']).ok, false);
  assert.equal(parseClientFlags(['-s', 'host']).ok, false);
  assert.equal(parseClientFlags(['-cf']).ok, false);
  assert.equal(parseClientFlags(['-z']).ok, false);
  assert.deepEqual(parseClientFlags(['--help']), { ok: false, help: true });
});

test('script choice: -sf, then dhclient.conf, then /sbin/dhclient-script, then the built-in one', () => {
  assert.deepEqual(
    chooseScript('/a', '/b', () => true),
    { kind: 'file', path: '/a' },
  );
  assert.deepEqual(
    chooseScript(undefined, '/b', () => true),
    { kind: 'file', path: '/b' },
  );
  assert.deepEqual(
    chooseScript(undefined, undefined, () => true),
    { kind: 'file', path: SYSTEM_SCRIPT },
  );
  assert.deepEqual(
    chooseScript(undefined, undefined, () => false),
    { kind: 'builtin' },
  );
  assert.deepEqual(
    chooseScript('builtin', undefined, () => true),
    { kind: 'builtin' },
  );
});

test('script runner: the environment is the variables plus PATH, and the exit status comes back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-script-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 's.sh');
  writeFileSync(script, `#!/bin/sh\nenv | sort > "${dir}/env"\nexit 3\n`, { mode: 0o755 });
  const runner = new ScriptRunner({ choice: { kind: 'file', path: script }, log: () => {} });
  const status = await runner.run('BOUND', { reason: 'BOUND', interface: 'eth0', new_ip_address: '192.0.2.9' });
  assert.equal(status, 3);
  const env = readFileSync(join(dir, 'env'), 'utf8').split('\n').filter(Boolean);
  // sh adds PWD (and maybe SHLVL); nothing of this process's environment leaks in.
  const ours = env.filter((l) => !/^(PWD|SHLVL|_)=/.test(l));
  assert.deepEqual(ours, [`PATH=${CLIENT_PATH}`, 'interface=eth0', 'new_ip_address=192.0.2.9', 'reason=BOUND']);
  const missing = new ScriptRunner({ choice: { kind: 'file', path: join(dir, 'nope') }, log: () => {} });
  assert.equal(await missing.run('PREINIT', {}), -1);
});

test('built-in script: valid POSIX sh', () => {
  const r = spawnSync('sh', ['-n', '-c', DEFAULT_SCRIPT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(
    DEFAULT_SCRIPT.includes(['$', '{RESOLV_CONF:-/etc/resolv.conf}'].join('')),
    'shell parameters are not template-expanded',
  );
});

test('lease file: a rewrite drops expired leases and keeps the rest; append adds a block', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lh-leases-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dhclient.leases');
  const nowSec = Math.floor(T0 / 1000);
  const lease = (addr: string, expire: number) => ({
    address: ip(addr),
    interface: 'eth0',
    options: new Map([[1, new Uint8Array([255, 255, 255, 0])]]),
    renew: expire - 20,
    rebind: expire - 10,
    expire,
  });
  const store = new LeaseFile(path, Catalogue.standard());
  assert.deepEqual(store.read().leases, [], 'a missing file is empty');
  store.append(lease('192.0.2.10', nowSec - 5));
  store.append(lease('192.0.2.11', nowSec + 500));
  assert.equal(store.read().leases.length, 2);
  store.rewrite(store.read(), nowSec);
  const after = store.read().leases;
  assert.deepEqual(
    after.map((l) => l.address),
    [ip('192.0.2.11')],
  );
  assert.match(readFileSync(path, 'utf8'), /option subnet-mask 255\.255\.255\.0;/);
});
