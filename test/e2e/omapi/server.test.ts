// ISC's omshell (4.4.3), scripted on stdin, against `leasehold server` with `omapi-port` in dhcpd.conf, in
// namespaces of the test's own: a real ISC dhclient gets a lease, omshell opens it by IP and reads its state
// and hardware address; omshell creates a host with the client's MAC and a fixed address, and the client's
// next DHCPDISCOVER gets that address - also after a server restart, the host read back from the lease file;
// omshell removes the host and the client is back in the pool. Without a key, and with `omapi-key`, where an
// unkeyed or wrong-keyed session is refused. Then `control` state 2 shuts the server down as SIGTERM does.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, type TestContext, test } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { processAlive, waitFor } from '../lib/wait.js';
import {
  requireTool,
  seedServerConf,
  serverFiles,
  startDhclient,
  startLeasehold,
  tempDir,
  topology,
} from '../server/harness.js';
import { KEY, omshell, requireOmshell } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const FIXED = '192.0.2.50';
const PORT = 7911;

function conf(keyed: boolean): string {
  const base = seedServerConf(); // has `omapi-port 7911;`
  assert.match(base, /omapi-port 7911;/);
  if (!keyed) return base;
  return `${base}
key ${KEY.name} {
  algorithm hmac-md5;
  secret "${KEY.secret}";
}
omapi-key ${KEY.name};
`;
}

function hex(ip: string): string {
  return ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':');
}

async function bound(lab: Lab, ns: Netns, dir: string, tag: string): Promise<string> {
  const client = startDhclient(lab, ns, dir, tag);
  try {
    const env = await client.waitFor('BOUND', 20_000);
    return env.get('new_ip_address') ?? '';
  } finally {
    await client.stop();
  }
}

async function scenario(t: TestContext, keyed: boolean): Promise<void> {
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client, clientMac } = await topology(lab);
  const files = serverFiles(dir, conf(keyed));
  const key = keyed ? KEY : undefined;
  let srv = await startLeasehold(lab, server, files);

  // a real client's lease, opened by IP
  const dynamic = await bound(lab, client, dir, 'first');
  assert.match(dynamic, /^192\.0\.2\.1\d\d$/);
  const lease = await omshell(lab, server, PORT, ['new lease', `set ip-address = ${dynamic}`, 'open'], key);
  assert.match(lease, /obj: lease\n/);
  assert.match(lease, /state = 00:00:00:02\n/, lease);
  assert.match(lease, new RegExp(`ip-address = ${hex(dynamic)}\\n`));
  assert.match(lease, new RegExp(`hardware-address = ${clientMac}\\nhardware-type = 00:00:00:01\\n`));

  if (keyed) {
    const unkeyed = await omshell(lab, server, PORT, [
      'new lease',
      `set ip-address = ${dynamic}`,
      'open',
      'new host',
      'set name = "intruder"',
      'set hardware-address = 52:54:00:00:00:99',
      'create',
    ]);
    assert.equal(unkeyed.match(/can't open object: no key specified\n/g)?.length, 2, unkeyed);
    assert.doesNotMatch(unkeyed, /state = /);
    const wrong = await omshell(lab, server, PORT, ['new lease', `set ip-address = ${dynamic}`, 'open'], {
      name: KEY.name,
      secret: 'd3JvbmdzZWNyZXQ=',
    });
    assert.match(wrong, /can't open object: /);
    assert.doesNotMatch(wrong, /state = /);
  }

  // a host with the client's MAC and a fixed address: the next DISCOVER gets it
  const created = await omshell(
    lab,
    server,
    PORT,
    [
      'new host',
      'set name = "laptop"',
      `set hardware-address = ${clientMac}`,
      'set hardware-type = 1',
      `set ip-address = ${FIXED}`,
      'create',
    ],
    key,
  );
  assert.match(created, /obj: host\n/, created);
  assert.doesNotMatch(created, /can't/);
  // durable before the answer: the record is in the file once omshell has its reply
  assert.match(
    readFileSync(files.leases, 'latin1'),
    new RegExp(`host laptop \\{\\n  dynamic;\\n  hardware ethernet ${clientMac};\\n  fixed-address ${FIXED};\\n\\}\\n`),
  );
  assert.equal(await bound(lab, client, dir, 'fixed'), FIXED);

  // a restart: the host is read back from the lease file
  const first = await srv.stop();
  assert.doesNotMatch(first.stderr, /closed: |internal error/);
  srv = await startLeasehold(lab, server, files);
  assert.equal(await bound(lab, client, dir, 'restarted'), FIXED);
  const open = await omshell(lab, server, PORT, ['new host', 'set name = "laptop"', 'open'], key);
  assert.match(open, new RegExp(`ip-address = ${hex(FIXED)}\\n`), open);

  // removed: back in the pool
  const removed = await omshell(lab, server, PORT, ['new host', 'set name = "laptop"', 'open', 'remove'], key);
  assert.doesNotMatch(removed, /can't/, removed);
  assert.match(readFileSync(files.leases, 'latin1'), /host laptop \{\n {2}dynamic;\n {2}deleted;\n\}\n/);
  const back = await bound(lab, client, dir, 'removed');
  assert.match(back, /^192\.0\.2\.1\d\d$/);

  // control state 2: a clean shutdown, as SIGTERM
  const pid = srv.pid;
  const stop = await omshell(lab, server, PORT, ['new control', 'open', 'set state = 2', 'update'], key);
  assert.doesNotMatch(stop, /can't/, stop);
  await waitFor(() => pid === undefined || !processAlive(pid), { what: 'the server to exit after control state 2' });
  const last = await srv.stop();
  assert.match(last.stderr, /OMAPI control object set to state 2, initiating shutdown\./);
  assert.equal(last.code, 0, last.stderr);
}

test('omshell against leasehold server without a key: lease by IP, host create → fixed address, restart, remove, control', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t) || !requireTool(t, '/sbin/dhclient')) return;
  await scenario(t, false);
});

test('omshell against leasehold server with omapi-key: the same signed; unkeyed and wrong-keyed sessions refused', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t) || !requireTool(t, '/sbin/dhclient')) return;
  await scenario(t, true);
});
