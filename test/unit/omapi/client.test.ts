import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullAlgorithmName, type OmapiKey, secretFromBase64 } from '../../../src/omapi/auth.js';
import { ClientProtocol, FIRST_ID } from '../../../src/omapi/client.js';
import { MemoryProvider } from '../../../src/omapi/memory-provider.js';
import { DHCP_R, ISC_R } from '../../../src/omapi/results.js';
import { findValue, readU32, stringValue, u32Value } from '../../../src/omapi/wire.js';
import { PipeConnection } from './client-pipe.js';
import { CAPTURE_KEY, OMSHELL_INTRO, OMSHELL_OPEN_AUTHENTICATOR, OMSHELL_OPEN_LEASE_SIGNED } from './isc-capture.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));
const KEY: OmapiKey = {
  name: CAPTURE_KEY.name,
  algorithm: CAPTURE_KEY.algorithm,
  secret: secretFromBase64(CAPTURE_KEY.secretBase64)!,
};

function provider(): MemoryProvider {
  const p = new MemoryProvider();
  p.addLease({
    ipAddress: ip('192.0.2.10'),
    state: 2,
    hardwareType: 1,
    hardwareAddress: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56),
  });
  return p;
}

test('the client sends the bytes ISC omshell sends: intro, authenticator open, signed lease open', () => {
  const c = new ClientProtocol(FIRST_ID);
  assert.equal(hex(c.intro()), OMSHELL_INTRO);
  const auth = c.buildAuthenticator(KEY, fullAlgorithmName(KEY.algorithm));
  assert.equal(auth.id, FIRST_ID);
  assert.equal(hex(auth.bytes), OMSHELL_OPEN_AUTHENTICATOR);
  c.acceptAuthenticator(KEY, { kind: 'object', handle: 1, values: [] });
  assert.ok(c.signing);
  const open = c.buildOpen('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(hex(open.bytes), OMSHELL_OPEN_LEASE_SIGNED);
});

test('open, create, update, refresh, remove against a session: answers as objects and statuses', async () => {
  const c = await PipeConnection.connect({ provider: provider() });
  const lease = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(lease.kind, 'object');
  assert.equal(readU32(lease.kind === 'object' ? findValue(lease.values, 'state')?.value : null), 2);
  const missing = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.99') }]);
  assert.deepEqual(missing.kind === 'status' && [missing.result, missing.text], [ISC_R.NOTFOUND, 'not found']);
  const host = [
    { name: 'name', value: stringValue('pc1') },
    { name: 'hardware-address', value: Uint8Array.of(0x52, 0x54, 0, 0xaa, 0xbb, 0xcc) },
    { name: 'hardware-type', value: u32Value(1) },
  ];
  const created = await c.open('host', host, { create: true, exclusive: true });
  assert.equal(created.kind, 'object');
  const again = await c.open('host', host, { create: true, exclusive: true });
  assert.equal(again.kind === 'status' && again.text, 'already exists');
  const handle = created.kind === 'object' ? created.handle : 0;
  const upd = await c.update(handle, [{ name: 'ip-address', value: ip('192.0.2.21') }]);
  assert.notEqual(upd.kind === 'status' && upd.result !== 0, true);
  const ref = await c.refresh(handle);
  assert.deepEqual(ref.kind === 'object' && [...findValue(ref.values, 'ip-address')!.value!], [192, 0, 2, 21]);
  const rm = await c.remove(handle);
  assert.equal(rm.kind === 'status' && rm.result, ISC_R.SUCCESS);
  const gone = await c.open('host', [{ name: 'name', value: stringValue('pc1') }]);
  assert.equal(gone.kind === 'status' && gone.text, 'not found');
});

test('with a key every message is signed and answers are checked; a wrong key name or secret is refused', async () => {
  const opts = { provider: provider(), keys: [KEY], requiredKey: KEY.name };
  const c = await PipeConnection.connect(opts, KEY);
  const lease = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(lease.kind, 'object');
  assert.equal(readU32(c.sent[1]!.subarray(4, 8)), 16); // authlen: HMAC-MD5

  const unsigned = await PipeConnection.connect(opts);
  const refused = await unsigned.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(refused.kind === 'status' && refused.result, DHCP_R.NOKEYS);

  await assert.rejects(PipeConnection.connect(opts, { ...KEY, name: 'nokey' }), /not found/);

  const wrong = await PipeConnection.connect(opts, { ...KEY, secret: stringValue('wrongsecret') });
  const bad = await wrong.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(bad.kind === 'status' && bad.text, 'invalid TSIG key');
});

test('a server answer with a bad signature or garbage is an error, not an answer', () => {
  const c = new ClientProtocol();
  assert.equal(c.receive(Uint8Array.of(0, 0, 0, 100, 0, 0, 0, 24))[0]?.kind, 'introduced');
  c.acceptAuthenticator(KEY, { kind: 'object', handle: 7, values: [] });
  const forged = new Uint8Array(24 + 4 + 16);
  const dv = new DataView(forged.buffer);
  dv.setUint32(0, 7);
  dv.setUint32(4, 16);
  dv.setUint32(8, 5);
  assert.equal(c.receive(forged)[0]?.kind, 'error');
  const d = new ClientProtocol();
  assert.equal(d.receive(Uint8Array.of(0, 0, 0, 99, 0, 0, 0, 24))[0]?.kind, 'error');
  // split across chunks
  const e = new ClientProtocol();
  assert.deepEqual(e.receive(Uint8Array.of(0, 0, 0)), []);
  assert.equal(e.receive(Uint8Array.of(100, 0, 0, 0, 24))[0]?.kind, 'introduced');
});
