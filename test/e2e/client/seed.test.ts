// The seed talk's client configuration (test/fixtures/conf/dhclient.conf: the user-defined option
// xgrid-controller, `request ... ntp-servers, xgrid-controller; require subnet-mask, domain-name-servers;`)
// against ISC dhcpd running the seed's server configuration moved to 192.0.2.0/24: the script sees
// new_ntp_servers and new_xgrid_controller; a server that does not send domain-name-servers is refused.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor } from '../lib/wait.js';
import {
  DHCPD,
  envScript,
  REPO,
  readIfExists,
  reasons,
  requireBinary,
  scriptEnv,
  startClient,
  startDhcpd,
  tempDir,
  topology,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const SEED_CLIENT = join(REPO, 'test/fixtures/conf/dhclient.conf');

/** The seed dhcpd.conf moved to 192.0.2.0/24, the NTP server named by address (no DNS in the namespaces). */
function seedServerConf(): string {
  return readFileSync(join(REPO, 'test/fixtures/conf/xgrid_dhcpd.conf'), 'utf8')
    .replaceAll('192.168.1.', '192.0.2.')
    .replace('time.euro.apple.com', '192.0.2.123')
    .replace('omapi-port 7911;', '');
}

test('seed configs: the script sees new_ntp_servers and new_xgrid_controller', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await startDhcpd(lab, server, dir, seedServerConf());
  const proc = startClient(lab, client, { dir, conf: SEED_CLIENT, script: envScript(dir) });
  const env = await scriptEnv(dir, 'BOUND', 20_000).catch(async (e: Error) => {
    const r = await proc.stop(500);
    throw new Error(`${e.message}\n--- client stderr\n${r.stderr}`);
  });
  assert.equal(env.get('new_ntp_servers'), '192.0.2.123');
  assert.equal(env.get('new_xgrid_controller'), '192.0.2.89');
  assert.equal(env.get('new_domain_name'), 'diablotin.fr');
  assert.equal(env.get('new_domain_name_servers'), '192.0.2.1');
  assert.equal(env.get('requested_xgrid_controller'), '1');
  assert.equal(env.get('requested_ntp_servers'), '1');
  assert.match(env.get('new_ip_address') ?? '', /^192\.0\.2\.1\d\d$/);
  // The user-defined option reaches the lease file by its name (written after the BOUND script has run).
  const file = join(dir, 'dhclient.leases');
  const leases = await waitFor(
    () => {
      const text = readIfExists(file);
      return text?.includes('expire') && text;
    },
    { what: `the lease in ${file}`, seen: () => readIfExists(file) ?? '(no file)' },
  );
  assert.match(leases, /option xgrid-controller 192\.0\.2\.89;/);
  assert.match(leases, /option ntp-servers 192\.0\.2\.123;/);
  await proc.stop(2000);
});

test('seed client config: an offer without domain-name-servers is refused', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await startDhcpd(lab, server, dir, seedServerConf().replace(/^option domain-name-servers .*$/m, ''));
  // The seed file with a 6 s `timeout` before it (the interface block copies the outer settings), so that -1
  // gives up quickly.
  const conf = join(dir, 'dhclient.conf');
  writeFileSync(conf, `timeout 6;\n${readFileSync(SEED_CLIENT, 'utf8')}`);
  const proc = startClient(lab, client, { dir, conf, script: envScript(dir) });
  const r = await proc.exited;
  assert.match(r.stderr, /DHCPOFFER of 192\.0\.2\.1\d\d: no domain-name-servers option\./, r.stderr);
  assert.equal(r.code, 2, `-1 without a lease exits 2\n${r.stderr}`);
  assert.ok(!reasons(dir).includes('BOUND'), `no BOUND: ${reasons(dir).join(' ')}`);
  assert.equal(reasons(dir).at(-1), 'FAIL');
});
