import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type OmapiKey, secretFromBase64 } from '../../../src/omapi/auth.js';
import { MemoryProvider } from '../../../src/omapi/memory-provider.js';
import type { SessionOptions } from '../../../src/omapi/session.js';
import { Shell } from '../../../src/shell/shell.js';
import { PipeConnection } from '../omapi/client-pipe.js';

const KEY: OmapiKey = { name: 'omkey', algorithm: 'hmac-md5', secret: secretFromBase64('c2VjcmV0c2VjcmV0c2VjcmV0')! };

function provider(): MemoryProvider {
  const p = new MemoryProvider();
  p.addLease({
    ipAddress: Uint8Array.of(192, 0, 2, 10),
    state: 2,
    hardwareType: 1,
    hardwareAddress: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56),
    ends: 1_700_000_000,
  });
  return p;
}

/** Runs lines as `leasehold shell` does when scripted: the object and "> " before each line. */
async function script(lines: string[], raw: boolean, opts: SessionOptions = { provider: provider() }) {
  let out = '';
  let err = '';
  const shell = new Shell({
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    connect: (req) => PipeConnection.connect(opts, req.key),
    raw,
  });
  for (const l of lines) {
    out += `${shell.status()}> `;
    await shell.line(l);
  }
  out += `${shell.status()}> `;
  return { out, err };
}

const HOST = [
  'server 127.0.0.1',
  'port 7911',
  'connect',
  '# a lease by address',
  'new lease',
  'set ip-address = 192.0.2.10',
  'open',
  'close',
  '',
  'new host',
  'set name = "pc1"',
  'set hardware-address = 52:54:00:aa:bb:cc',
  'set hardware-type = 1',
  'set ip-address = 192.0.2.20',
  'create',
  'set ip-address = 192.0.2.21',
  'update',
  'refresh',
  'remove',
  'new host',
  'set name = "pc1"',
  'open',
];

test('scripted, raw: what omshell prints', async () => {
  const { out, err } = await script(HOST, true);
  assert.equal(err, '');
  assert.ok(
    out.startsWith('> > > obj: <null>\n> obj: <null>\n> obj: lease\n> obj: lease\nip-address = c0:00:02:0a\n> '),
    out,
  );
  assert.match(out, /obj: lease\nip-address = c0:00:02:0a\nstate = 00:00:00:02\n/);
  assert.match(out, /hardware-address = 52:54:00:12:34:56\nhardware-type = 00:00:00:01\nends = 65:53:f1:00\n/);
  // set locally: a string and an integer print as such until the server's answer replaces them
  assert.match(out, /obj: host\nname = "pc1"\nhardware-address = 52:54:00:aa:bb:cc\nhardware-type = 1\n/);
  assert.match(
    out,
    /obj: host\nname = "pc1"\nhardware-address = 52:54:00:aa:bb:cc\nhardware-type = 00:00:00:01\nip-address = c0:00:02:14\n/,
  );
  assert.match(out, /ip-address = c0:00:02:15\n/);
  assert.match(out, /can't open object: not found\n/);
  assert.doesNotMatch(out, /can't (update|refresh|destroy)/);
});

test('scripted, readable by default: addresses, dates, state names', async () => {
  const { out } = await script(HOST.slice(0, 7), false);
  assert.match(out, /obj: lease\nip-address = 192\.0\.2\.10\nstate = active\n/);
  assert.match(out, /hardware-type = 1\nends = 2023-11-14 22:13:20 UTC\n/);
});

test('keys: signed session works; wrong key name fails to connect; wrong secret refused', async () => {
  const opts = { provider: provider(), keys: [KEY], requiredKey: KEY.name };
  const ok = await script(
    ['key omkey c2VjcmV0c2VjcmV0c2VjcmV0', 'connect', 'new lease', 'set ip-address = 192.0.2.10', 'open'],
    false,
    opts,
  );
  assert.match(ok.out, /state = active\n/);
  const none = await script(['connect', 'new lease', 'set ip-address = 192.0.2.10', 'open'], false, opts);
  assert.match(none.out, /can't open object: no key specified\n/);
  const name = await script(['key nokey c2VjcmV0c2VjcmV0c2VjcmV0', 'connect', 'new lease'], false, opts);
  assert.equal(name.err, 'dhcpctl_connect: not found\n');
  assert.match(name.out, /not connected\.\n/);
  const secret = await script(
    ['key omkey d3JvbmdzZWNyZXQ=', 'connect', 'new lease', 'set ip-address = 192.0.2.10', 'open'],
    false,
    opts,
  );
  assert.match(secret.out, /can't open object: invalid TSIG key\n/);
});

test('state errors as omshell words them', async () => {
  const { out } = await script(
    ['new host', 'connect', 'set a = 1', 'open', 'update', 'remove', 'close', 'new host', 'new lease', 'bogus'],
    true,
  );
  for (const s of [
    'not connected.',
    'no open object.',
    'you must make a new object first!',
    "you haven't opened an object yet!",
    'no object.',
    'not open.',
    'an object is already open.',
    'unknown token: bogus',
  ]) {
    assert.ok(out.includes(`${s}\n`), `${s} in ${out}`);
  }
});
