// ISC's omshell (4.4.3), scripted on stdin, against Leasehold's OMAPI listener with the in-memory provider, in a
// namespace of the test's own: open a lease, create / update / open / remove a host - without a key, with the
// required key, and refused when the key is missing, wrong or unknown.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLab, requireRoot } from '../lib/netns.js';
import { KEY, omshell, requireOmshell, startServer } from './harness.js';

const HOST_SCRIPT = [
  'new lease',
  'set ip-address = 192.0.2.10',
  'open',
  'close',
  'new host',
  'set name = "pc1"',
  'set hardware-address = 52:54:00:aa:bb:cc',
  'set hardware-type = 1',
  'set ip-address = 192.0.2.20',
  'create',
  'set ip-address = 192.0.2.21',
  'update',
  'close',
  'new host',
  'set name = "pc1"',
  'open',
  'remove',
  'new host',
  'set name = "pc1"',
  'open',
];

function checkHostScript(out: string): void {
  // the lease: its state (active) and hardware address, as omshell prints them
  assert.match(out, /obj: lease\nip-address = c0:00:02:0a\nstate = 00:00:00:02\n/);
  assert.match(out, /hardware-address = 52:54:00:12:34:56\nhardware-type = 00:00:00:01\nends = 65:53:f1:00\n/);
  // the created host, sent back by the server (hardware-type as the server's 4-byte value)
  assert.match(
    out,
    /obj: host\nname = "pc1"\nhardware-address = 52:54:00:aa:bb:cc\nhardware-type = 00:00:00:01\nip-address = c0:00:02:14\n/,
  );
  // updated
  assert.match(out, /ip-address = c0:00:02:15\n/);
  // opened again by name, then removed: the last open finds nothing
  assert.match(out, /obj: host\nname = "pc1"\nip-address = c0:00:02:15\nhardware-address = 52:54:00:aa:bb:cc\n/);
  assert.match(out, /can't open object: not found\n/);
  assert.doesNotMatch(out, /can't (update|destroy) object|dhcpctl_connect/);
}

test('omshell without a key: lease lookup, host create/update/open/remove', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  const { port } = await startServer(lab, ns);
  const out = await omshell(lab, ns, port, HOST_SCRIPT);
  checkHostScript(out);
  // creating the same host twice: already exists
  const twice = await omshell(lab, ns, port, [
    'new host',
    'set name = "pc2"',
    'set hardware-address = 52:54:00:aa:bb:01',
    'create',
    'close',
    'new host',
    'set name = "pc2"',
    'set hardware-address = 52:54:00:aa:bb:01',
    'create',
  ]);
  assert.match(twice, /can't open object: already exists\n/);
});

test('omshell with the required key: everything works signed; no key, a wrong secret or name are refused', async (t) => {
  if (!requireRoot(t) || !requireOmshell(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  const server = await startServer(lab, ns, { keys: [KEY], requiredKey: KEY.name });
  const signed = await omshell(lab, ns, server.port, HOST_SCRIPT, KEY);
  checkHostScript(signed);

  const unsigned = await omshell(lab, ns, server.port, [
    'new lease',
    'set ip-address = 192.0.2.10',
    'open',
    'close',
    'new host',
    'set name = "x"',
    'set hardware-address = 52:54:00:00:00:01',
    'create',
  ]);
  assert.equal(unsigned.match(/can't open object: no key specified\n/g)?.length, 2);
  assert.doesNotMatch(unsigned, /state = /);

  // A wrong secret: the server answers "invalid TSIG key" unsigned; ISC's library drops such an answer and the
  // connection, as it does against ISC dhcpd.
  const wrongSecret = await omshell(lab, ns, server.port, ['new lease', 'set ip-address = 192.0.2.10', 'open'], {
    name: KEY.name,
    secret: 'd3JvbmdzZWNyZXQ=',
  });
  assert.match(wrongSecret, /can't open object: /);
  assert.doesNotMatch(wrongSecret, /state = /);
  const wrongName = await omshell(lab, ns, server.port, ['new lease'], { name: 'nokey', secret: KEY.secret });
  assert.match(wrongName, /dhcpctl_connect: not found\n/);

  // none of it hurt: a signed session still works, and the unsigned host was never created
  const after = await omshell(lab, ns, server.port, ['new host', 'set name = "x"', 'open'], KEY);
  assert.match(after, /can't open object: not found\n/);
  const lease = await omshell(lab, ns, server.port, ['new lease', 'set ip-address = 192.0.2.10', 'open'], KEY);
  assert.match(lease, /state = 00:00:00:02\n/);
  // what a process left once it has exited is complete: no connection was closed for cause
  const run = await server.proc.stop();
  assert.doesNotMatch(run.stderr, /closed: /);
});
