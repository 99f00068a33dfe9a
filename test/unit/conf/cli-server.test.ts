// `leasehold server` flags (dhcpd's) and `-t` on fixture files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DHCPD_DEFAULTS, parseDhcpdFlags } from '../../../src/cli/dhcpd-flags.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = path.join(repoRoot, 'bin', 'leasehold');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'conf');

test('dhcpd flags: defaults and every flag', () => {
  const r = parseDhcpdFlags([]);
  assert.ok(r.ok);
  assert.equal(r.flags.configFile, '/etc/dhcp/dhcpd.conf');
  assert.deepEqual(r.flags, { ...DHCPD_DEFAULTS, interfaces: [] });
  const all = parseDhcpdFlags(
    '-cf a.conf -lf a.leases -pf a.pid --no-pid -p 6767 -f -d -q -t -T -4 --history-days 7 eth0 eth1'.split(' '),
  );
  assert.ok(all.ok);
  assert.deepEqual(all.flags, {
    configFile: 'a.conf',
    leaseFile: 'a.leases',
    pidFile: 'a.pid',
    noPid: true,
    port: 6767,
    foreground: true,
    debug: true,
    quiet: true,
    testConfig: true,
    testLeases: true,
    historyDays: 7,
    interfaces: ['eth0', 'eth1'],
  });
  assert.equal(parseDhcpdFlags(['--history-days', '-1']).ok, false);
});

test('dhcpd flags: errors', () => {
  assert.deepEqual(parseDhcpdFlags(['-cf']), { ok: false, error: '-cf requires a file name' });
  assert.equal(parseDhcpdFlags(['-p', 'x']).ok, false);
  assert.equal(parseDhcpdFlags(['-x']).ok, false);
  assert.equal(parseDhcpdFlags(['-6']).ok, false);
  assert.deepEqual(parseDhcpdFlags(['--help']), { ok: false, help: true });
});

function server(args: string[], cwd: string) {
  return spawnSync(process.execPath, [bin, 'server', ...args], { cwd, encoding: 'utf8' });
}

test('server -t: a valid file exits 0 quietly', () => {
  const r = server(['-t', '-q', '-cf', 'my_dhcpd.conf'], fixtures);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});

test('server -t: includes resolve from the working directory', () => {
  const r = server(['-t', '-cf', 'primary_failover.conf'], path.join(fixtures, 'failover'));
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /error/i);
});

test('server -t: an invalid file prints the diagnostic with a caret and exits 1', () => {
  const r = server(['-t', '-cf', 'bad-semicolon.conf'], fixtures);
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    'bad-semicolon.conf:3:1: semicolon expected.\nsubnet 192.0.2.0 netmask 255.255.255.0 {\n^\n' +
      'Configuration file errors encountered -- exiting\n',
  );
});

test('server -t: a missing file', () => {
  const r = server(['-t', '-cf', 'no-such.conf'], fixtures);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Can't open no-such\.conf: No such file or directory/);
});

test('server without -t refuses to start on a lease file it cannot open, and says why', () => {
  const r = server(['-cf', 'my_dhcpd.conf', '-lf', '/nonexistent/dir/dhcpd.leases', '--no-pid', '-f', '-d'], fixtures);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nonexistent\/dir\/dhcpd\.leases/);
});

test('dhcpd flags: -user and -group are kept; -chroot is refused with a reason', () => {
  const r = parseDhcpdFlags(['-user', 'dhcpd', '-group', 'dhcpd', 'eth0']);
  assert.ok(r.ok);
  assert.equal(r.flags.user, 'dhcpd');
  assert.equal(r.flags.group, 'dhcpd');
  assert.deepEqual(r.flags.interfaces, ['eth0']);
  assert.deepEqual(parseDhcpdFlags(['-user']), { ok: false, error: '-user requires a name' });
  const c = parseDhcpdFlags(['-chroot', '/var/lib/dhcp']);
  assert.equal(c.ok, false);
});
