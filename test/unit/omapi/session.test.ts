import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keySigner, type OmapiKey } from '../../../src/omapi/auth.js';
import { MemoryProvider } from '../../../src/omapi/memory-provider.js';
import type { ObjectProvider } from '../../../src/omapi/provider.js';
import { DHCP_R, ISC_R, resultText } from '../../../src/omapi/results.js';
import { OmapiSession, type SessionOptions, type SessionOutput } from '../../../src/omapi/session.js';
import {
  decodeMessage,
  encodeIntro,
  encodeMessage,
  findValue,
  type NameValue,
  type OmapiMessage,
  OP,
  type OutgoingMessage,
  readU32,
  stringValue,
  u32Value,
} from '../../../src/omapi/wire.js';

const KEY: OmapiKey = { name: 'omkey', algorithm: 'hmac-md5', secret: stringValue('secretsecretsecret') };
const ip = (s: string) => Uint8Array.from(s.split('.').map(Number));
const mac = (s: string) => Uint8Array.from(s.split(':').map((h) => Number.parseInt(h, 16)));
const str = (v: Uint8Array | null | undefined) => (v ? Buffer.from(v).toString() : undefined);

function provider(): MemoryProvider {
  const p = new MemoryProvider({ groups: ['g1'] });
  p.addLease({
    ipAddress: ip('192.0.2.10'),
    state: 2,
    hardwareType: 1,
    hardwareAddress: mac('52:54:00:12:34:56'),
    ends: 1_700_000_000,
    clientHostname: 'laptop',
  });
  p.addLease({ ipAddress: ip('192.0.2.11'), state: 1 });
  return p;
}

interface Reply {
  out: SessionOutput;
  msgs: OmapiMessage[];
}

/** A scripted OMAPI client driving one session; the clock is injected. */
class Client {
  now = 1000;
  private xid = 100;
  authid = 0;
  key: OmapiKey | undefined;
  readonly session: OmapiSession;

  constructor(opts: Partial<SessionOptions> & { provider?: ObjectProvider } = {}) {
    this.session = new OmapiSession({ provider: opts.provider ?? provider(), ...opts }, this.now);
  }

  async intro(): Promise<Reply> {
    return this.feed(encodeIntro());
  }

  async feed(bytes: Uint8Array): Promise<Reply> {
    const out = await this.session.receive(bytes, this.now);
    const msgs: OmapiMessage[] = [];
    for (const b of out.send) {
      const r = decodeMessage(b, 0);
      assert.equal(r.kind, 'message');
      if (r.kind !== 'message') continue;
      assert.equal(r.end, b.length);
      if (r.message.authid !== 0) {
        assert.ok(this.key, 'a signed reply needs a key');
        assert.deepEqual(keySigner(this.key)!.sign(r.signed), r.message.signature, 'reply signature');
      }
      msgs.push(r.message);
    }
    return { out, msgs };
  }

  bytes(m: Omit<OutgoingMessage, 'id'>, sign = this.key !== undefined && this.authid !== 0): Uint8Array {
    return encodeMessage(
      { ...m, id: this.xid++, ...(sign ? { authid: this.authid } : {}) },
      sign ? keySigner(this.key!) : undefined,
    );
  }

  async send(m: Omit<OutgoingMessage, 'id'>, sign?: boolean): Promise<Reply> {
    return this.feed(this.bytes(m, sign));
  }

  async one(m: Omit<OutgoingMessage, 'id'>, sign?: boolean): Promise<OmapiMessage> {
    const r = await this.send(m, sign);
    assert.equal(r.msgs.length, 1, 'one reply');
    assert.equal(r.out.close, undefined, `not closed: ${JSON.stringify(r.out.close)}`);
    return r.msgs[0]!;
  }

  open(type: string, object: NameValue[], flags: { create?: boolean; exclusive?: boolean; update?: boolean } = {}) {
    const message: NameValue[] = [{ name: 'type', value: stringValue(type) }];
    for (const f of ['create', 'update', 'exclusive'] as const)
      if (flags[f]) message.push({ name: f, value: u32Value(1) });
    return this.one({ op: OP.open, message, object });
  }

  async authenticate(key: OmapiKey = KEY): Promise<OmapiMessage> {
    const reply = await this.open('authenticator', [
      { name: 'name', value: stringValue(key.name) },
      { name: 'algorithm', value: stringValue('hmac-md5.SIG-ALG.REG.INT.') },
    ]);
    if (reply.op === OP.update) {
      this.key = key;
      this.authid = reply.handle;
    }
    return reply;
  }
}

function status(m: OmapiMessage): { result: number; text: string | undefined } {
  assert.equal(m.op, OP.status, `a status, not op ${m.op}`);
  return { result: readU32(findValue(m.message, 'result')?.value)!, text: str(findValue(m.message, 'message')?.value) };
}

function values(m: OmapiMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of m.object) out[v.name] = v.value ? Buffer.from(v.value).toString('hex') : '';
  return out;
}

test('greeting and intro; open a lease by address: ISC attributes and encodings', async () => {
  const c = new Client();
  assert.equal(Buffer.from(c.session.greeting()).toString('hex'), '0000006400000018');
  assert.deepEqual((await c.intro()).msgs, []);
  const reply = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(reply.op, OP.update);
  assert.equal(reply.rid, 100);
  assert.ok(reply.handle > 0);
  assert.deepEqual(
    reply.object.map((v) => v.name),
    [
      'state',
      'ip-address',
      'client-hostname',
      'subnet',
      'pool',
      'hardware-address',
      'hardware-type',
      'ends',
      'starts',
      'tstp',
      'tsfp',
      'atsfp',
      'cltt',
      'flags',
    ],
  );
  const v = values(reply);
  assert.equal(v.state, '00000002');
  assert.equal(v['ip-address'], 'c000020a');
  assert.equal(v['hardware-address'], '525400123456');
  assert.equal(v['hardware-type'], '00000001');
  assert.equal(v.ends, (1_700_000_000).toString(16).padStart(8, '0'));
  assert.equal(v.flags, '00');
  // the same object again: the same handle
  const again = await c.open('lease', [{ name: 'hardware-address', value: mac('52:54:00:12:34:56') }]);
  assert.equal(again.handle, reply.handle);
});

test('lookups that fail: not found, key conflict, no key; leases cannot be created or removed', async () => {
  const c = new Client();
  await c.intro();
  assert.deepEqual(status(await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.99') }])), {
    result: ISC_R.NOTFOUND,
    text: 'no object matches specification',
  });
  assert.equal(resultText(ISC_R.NOTFOUND), 'not found');
  const conflict = await c.open('lease', [
    { name: 'ip-address', value: ip('192.0.2.11') },
    { name: 'hardware-address', value: mac('52:54:00:12:34:56') },
  ]);
  assert.equal(status(conflict).result, DHCP_R.KEYCONFLICT);
  assert.equal(resultText(DHCP_R.KEYCONFLICT), 'key conflict');
  assert.equal(status(await c.open('lease', [{ name: 'foo', value: u32Value(1) }])).result, DHCP_R.NOKEYS);
  const created = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.99') }], { create: true });
  assert.deepEqual(status(created), { result: ISC_R.NOTIMPLEMENTED, text: "can't create new object" });
  const lease = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.11') }]);
  const del = status(await c.one({ op: OP.delete, handle: lease.handle }));
  assert.equal(del.result, ISC_R.NOTIMPLEMENTED);
});

test('host: create (exclusive), open by name, update, refresh, delete', async () => {
  const p = provider();
  const c = new Client({ provider: p });
  await c.intro();
  const hostValues: NameValue[] = [
    { name: 'name', value: stringValue('h1') },
    { name: 'hardware-address', value: mac('52:54:00:aa:bb:cc') },
    { name: 'hardware-type', value: u32Value(1) },
    { name: 'ip-address', value: ip('192.0.2.20') },
  ];
  const created = await c.open('host', hostValues, { create: true, exclusive: true });
  assert.equal(created.op, OP.update);
  assert.deepEqual(values(created), {
    'ip-address': 'c0000214',
    name: Buffer.from('h1').toString('hex'),
    'hardware-address': '525400aabbcc',
    'hardware-type': '00000001',
  });
  assert.ok(p.hosts.has('h1'));
  // again, exclusive: already exists
  assert.deepEqual(status(await c.open('host', hostValues, { create: true, exclusive: true })), {
    result: ISC_R.EXISTS,
    text: 'specified object already exists',
  });
  // open by name: same handle
  const opened = await c.open('host', [{ name: 'name', value: stringValue('h1') }]);
  assert.equal(opened.handle, created.handle);
  // update the address
  const upd = status(
    await c.one({ op: OP.update, handle: opened.handle, object: [{ name: 'ip-address', value: ip('192.0.2.21') }] }),
  );
  assert.deepEqual(upd, { result: ISC_R.SUCCESS, text: undefined });
  const refreshed = await c.one({ op: OP.refresh, handle: opened.handle });
  assert.equal(refreshed.op, OP.update);
  assert.equal(values(refreshed)['ip-address'], 'c0000215');
  // a name cannot be changed; an unknown attribute is refused
  const rename = status(
    await c.one({ op: OP.update, handle: opened.handle, object: [{ name: 'name', value: stringValue('h2') }] }),
  );
  assert.deepEqual(rename, { result: ISC_R.EXISTS, text: "can't update object" });
  const unknown = status(
    await c.one({ op: OP.update, handle: opened.handle, object: [{ name: 'bogus', value: u32Value(1) }] }),
  );
  assert.equal(unknown.result, DHCP_R.UNKNOWNATTRIBUTE);
  // a null ip-address removes it
  await c.one({ op: OP.update, handle: opened.handle, object: [{ name: 'ip-address', value: null }] });
  assert.equal(p.hosts.get('h1')!.ipAddress, undefined);
  // delete, then the handle is gone
  assert.deepEqual(status(await c.one({ op: OP.delete, handle: opened.handle })), {
    result: ISC_R.SUCCESS,
    text: undefined,
  });
  assert.ok(!p.hosts.has('h1'));
  assert.deepEqual(status(await c.one({ op: OP.refresh, handle: opened.handle })), {
    result: ISC_R.NOTFOUND,
    text: 'no matching handle',
  });
  // a host without hardware address or client identifier is refused
  const bare = await c.open('host', [{ name: 'name', value: stringValue('h3') }], { create: true });
  assert.equal(status(bare).result, DHCP_R.INVALIDARG);
});

test('lease: set state and ends; ip-address is not settable', async () => {
  const p = provider();
  const c = new Client({ provider: p });
  await c.intro();
  const lease = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  const set = await c.one({
    op: OP.update,
    handle: lease.handle,
    object: [
      { name: 'state', value: u32Value(3) },
      { name: 'ends', value: u32Value(5) },
    ],
  });
  assert.equal(status(set).result, ISC_R.SUCCESS);
  assert.equal(p.leases.get('192.0.2.10')!.state, 3);
  assert.equal(p.leases.get('192.0.2.10')!.ends, 5);
  const bad = await c.one({ op: OP.update, handle: lease.handle, object: [{ name: 'state', value: u32Value(9) }] });
  assert.equal(status(bad).result, DHCP_R.INVALIDARG);
  const perm = await c.one({
    op: OP.update,
    handle: lease.handle,
    object: [{ name: 'ip-address', value: ip('192.0.2.1') }],
  });
  assert.equal(status(perm).result, ISC_R.NOPERM);
});

test('bad handles, bad flags, notify, no type on create, unknown type', async () => {
  const c = new Client();
  await c.intro();
  for (const op of [OP.refresh, OP.update, OP.delete]) {
    assert.deepEqual(status(await c.one({ op, handle: 4242 })), { result: ISC_R.NOTFOUND, text: 'no matching handle' });
  }
  const badFlag = await c.one({
    op: OP.open,
    message: [
      { name: 'type', value: stringValue('host') },
      { name: 'create', value: Uint8Array.of(1) },
    ],
  });
  assert.deepEqual(status(badFlag), { result: DHCP_R.INVALIDARG, text: 'invalid create flag value' });
  assert.deepEqual(status(await c.one({ op: OP.notify })), {
    result: ISC_R.NOTIMPLEMENTED,
    text: 'notify not implemented yet',
  });
  const noType = await c.one({
    op: OP.open,
    message: [
      { name: 'type', value: stringValue('widget') },
      { name: 'create', value: u32Value(1) },
    ],
  });
  assert.deepEqual(status(noType), { result: DHCP_R.INVALIDARG, text: 'type required on create' });
  // no type, no create: a refresh by handle
  assert.equal(status(await c.one({ op: OP.open, handle: 77 })).text, 'no matching handle');
});

test('unknown opcode: a status, then the connection closes', async () => {
  const c = new Client();
  await c.intro();
  const r = await c.send({ op: 99 });
  assert.equal(r.msgs.length, 1);
  assert.equal(status(r.msgs[0]!).result, ISC_R.NOTIMPLEMENTED);
  assert.equal(r.out.close?.cause, 'unknown-opcode');
  assert.deepEqual((await c.send({ op: OP.refresh, handle: 1 })).out.send, []); // closed: nothing more
});

test('a status or a response from the client closes the connection, as ISC disconnects', async () => {
  const a = new Client();
  await a.intro();
  assert.equal((await a.send({ op: OP.status })).out.close?.cause, 'unexpected-status');
  const b = new Client();
  await b.intro();
  assert.equal((await b.send({ op: OP.update, rid: 5 })).out.close?.cause, 'unexpected-response');
});

test('with a required key: nothing without a signature; the authenticator handshake; signed replies', async () => {
  const p = provider();
  const c = new Client({ provider: p, keys: [KEY], requiredKey: 'omkey' });
  await c.intro();
  // unsigned: refused
  assert.deepEqual(status(await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }])), {
    result: DHCP_R.NOKEYS,
    text: 'No authenticator on message',
  });
  assert.equal(status(await c.one({ op: OP.refresh, handle: 1 })).result, DHCP_R.NOKEYS);
  assert.equal(status(await c.one({ op: OP.delete, handle: 1 })).result, DHCP_R.NOKEYS);
  const created = await c.open(
    'host',
    [
      { name: 'name', value: stringValue('x') },
      { name: 'hardware-address', value: mac('52:54:00:00:00:01') },
    ],
    { create: true },
  );
  assert.equal(status(created).result, DHCP_R.NOKEYS);
  assert.equal(p.hosts.size, 0);
  assert.equal(resultText(DHCP_R.NOKEYS), 'no key specified');
  // the handshake: an unsigned update naming the authenticator's handle, name and algorithm
  const auth = await c.authenticate();
  assert.equal(auth.op, OP.update);
  assert.equal(auth.authid, 0);
  assert.ok(auth.handle > 0);
  assert.equal(str(findValue(auth.object, 'name')?.value), 'omkey');
  assert.equal(str(findValue(auth.object, 'algorithm')?.value), 'hmac-md5.SIG-ALG.REG.INT.');
  assert.equal(findValue(auth.object, 'key'), undefined);
  // signed: works, and the reply is signed with the same authid
  const lease = await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(lease.op, OP.update);
  assert.equal(lease.authid, c.authid);
  assert.equal(lease.signature.length, 16);
  // the authenticator cannot be updated or removed
  assert.equal(status(await c.one({ op: OP.update, handle: c.authid })).text, 'cannot update authenticator');
  assert.equal(status(await c.one({ op: OP.delete, handle: c.authid })).result, ISC_R.NOTIMPLEMENTED);
});

test('wrong signature, unknown authid: refused unsigned, nothing done, the session goes on', async () => {
  const p = provider();
  const c = new Client({ provider: p, keys: [KEY], requiredKey: 'omkey' });
  await c.intro();
  await c.authenticate();
  const good = c.bytes({
    op: OP.open,
    message: [
      { name: 'type', value: stringValue('host') },
      { name: 'create', value: u32Value(1) },
    ],
    object: [
      { name: 'name', value: stringValue('evil') },
      { name: 'hardware-address', value: mac('52:54:00:00:00:02') },
    ],
  });
  const bad = good.slice();
  bad[bad.length - 1]! ^= 0xff;
  const r = await c.feed(bad);
  assert.equal(r.msgs[0]!.authid, 0);
  assert.deepEqual(status(r.msgs[0]!), { result: DHCP_R.INVALIDKEY, text: 'invalid signature' });
  assert.equal(resultText(DHCP_R.INVALIDKEY), 'invalid TSIG key');
  assert.equal(p.hosts.size, 0);
  const forged = c.bytes({ op: OP.refresh, handle: 1 });
  forged.set([0, 0, 0, 9], 0); // authid 9: no such authenticator
  const unknown = await c.feed(forged);
  assert.equal(status(unknown.msgs[0]!).result, DHCP_R.KEY_UNKNOWN);
  // the session still works
  assert.equal((await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }])).op, OP.update);
});

test('wrong key: unknown name, wrong algorithm, a key that is not the omapi-key', async () => {
  const other: OmapiKey = { name: 'other', algorithm: 'hmac-md5', secret: stringValue('x') };
  const c = new Client({ keys: [KEY, other], requiredKey: 'omkey' });
  await c.intro();
  assert.deepEqual(status(await c.authenticate({ ...KEY, name: 'nokey' })), {
    result: ISC_R.NOTFOUND,
    text: 'no object matches specification',
  });
  const wrongAlg = await c.open('authenticator', [
    { name: 'name', value: stringValue('omkey') },
    { name: 'algorithm', value: stringValue('hmac-sha256') },
  ]);
  assert.equal(status(wrongAlg).result, ISC_R.NOTFOUND);
  assert.deepEqual(status(await c.authenticate(other)), {
    result: DHCP_R.INVALIDKEY,
    text: "can't select authenticator",
  });
  // without a required key, signing is optional but still checked
  const open = new Client({ keys: [KEY] });
  await open.intro();
  assert.equal((await open.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }])).op, OP.update);
  await open.authenticate();
  const signed = await open.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(signed.authid, open.authid);
});

test('bad introductions and oversized messages close the connection', async () => {
  const v = new Client();
  assert.equal((await v.feed(Uint8Array.from([0, 0, 0, 99, 0, 0, 0, 24]))).out.close?.cause, 'bad-version');
  const h = new Client();
  assert.equal((await h.feed(Uint8Array.from([0, 0, 0, 100, 0, 0, 0, 8]))).out.close?.cause, 'bad-header-size');
  const big = new Client({ limits: { maxMessageBytes: 1024 } });
  await big.intro();
  const r = await big.send({ op: OP.open, object: [{ name: 'statements', value: new Uint8Array(2000) }] });
  assert.equal(r.out.close?.cause, 'value-too-long');
  const big2 = new Client({ limits: { maxMessageBytes: 1024 } });
  await big2.intro();
  const two = new Uint8Array(600);
  const r2 = await big2.feed(
    big2
      .bytes({
        op: OP.open,
        object: [
          { name: 'a', value: two },
          { name: 'b', value: two },
        ],
      })
      .subarray(0, 700),
  );
  assert.equal(r2.out.close?.cause, 'message-too-large'); // known from the declared length, before the bytes came
  const len = new Client();
  await len.intro();
  const lying = encodeMessage({ op: OP.open, id: 1 }, undefined, 1000);
  assert.equal((await len.feed(lying)).out.close?.cause, 'bad-authlen');
});

test('bytes one at a time, and several messages in one read: same answers, in order', async () => {
  const c = new Client();
  const stream = [
    encodeIntro(),
    c.bytes({
      op: OP.open,
      message: [{ name: 'type', value: stringValue('lease') }],
      object: [{ name: 'ip-address', value: ip('192.0.2.10') }],
    }),
    c.bytes({ op: OP.refresh, handle: 1 }),
    c.bytes({ op: OP.refresh, handle: 2 }),
  ];
  const all = Buffer.concat(stream);
  const replies: OmapiMessage[] = [];
  for (let i = 0; i < all.length; i++) replies.push(...(await c.feed(all.subarray(i, i + 1))).msgs);
  assert.deepEqual(
    replies.map((m) => [m.op, m.rid]),
    [
      [OP.update, 100],
      [OP.update, 101],
      [OP.status, 102],
    ],
  );
  const d = new Client();
  const together = await d.feed(all);
  assert.deepEqual(
    together.msgs.map((m) => [m.op, m.rid]),
    [
      [OP.update, 100],
      [OP.update, 101],
      [OP.status, 102],
    ],
  );
});

test('calls not awaited one by one are still processed in order', async () => {
  const c = new Client();
  const a = c.session.receive(encodeIntro(), 0);
  const b = c.session.receive(c.bytes({ op: OP.refresh, handle: 5 }), 0);
  const d = c.session.receive(c.bytes({ op: OP.notify }), 0);
  const outs = await Promise.all([a, b, d]);
  assert.deepEqual(
    outs.map((o) => o.send.length),
    [0, 1, 1],
  );
});

test('idle: no intro within the intro time, nothing within the idle time', () => {
  const c = new Client({ introTimeoutMs: 5000, idleTimeoutMs: 60_000 });
  assert.equal(c.session.deadline(), 6000);
  assert.deepEqual(c.session.tick(5999), { send: [] });
  assert.equal(c.session.tick(6000).close?.cause, 'idle');
  assert.equal(c.session.deadline(), undefined);
});

test('idle after the intro uses the idle time; any bytes push the deadline', async () => {
  const c = new Client({ introTimeoutMs: 5000, idleTimeoutMs: 60_000 });
  c.now = 2000;
  await c.intro();
  assert.equal(c.session.deadline(), 62_000);
  c.now = 50_000;
  await c.feed(Uint8Array.of(0, 0)); // half a header
  assert.equal(c.session.deadline(), 110_000);
  const closed = c.session.tick(110_000);
  assert.equal(closed.close?.cause, 'idle');
  assert.match(closed.close!.detail, /unfinished message/);
});

test('a provider that throws fails the request, not the session', async () => {
  const p = provider();
  const throwing: ObjectProvider = {
    hasType: (t) => p.hasType(t),
    lookup: () => {
      throw new Error('boom');
    },
    create: (t, v) => p.create(t, v),
    update: (r, v) => p.update(r, v),
    read: (r) => p.read(r),
    remove: (r) => p.remove(r),
  };
  const c = new Client({ provider: throwing });
  await c.intro();
  const r = status(await c.open('lease', [{ name: 'ip-address', value: ip('192.0.2.10') }]));
  assert.equal(r.result, ISC_R.UNEXPECTED);
  assert.match(r.text!, /boom/);
  assert.equal(status(await c.one({ op: OP.notify })).result, ISC_R.NOTIMPLEMENTED);
});

test('host lookups: by hardware address with a bad hardware-type, by lease address, conflicts', async () => {
  const p = provider();
  const c = new Client({ provider: p });
  await c.intro();
  await c.open(
    'host',
    [
      { name: 'name', value: stringValue('lap') },
      { name: 'hardware-address', value: mac('52:54:00:12:34:56') },
    ],
    { create: true },
  );
  await c.open(
    'host',
    [
      { name: 'name', value: stringValue('other') },
      { name: 'dhcp-client-identifier', value: stringValue('cid') },
    ],
    { create: true },
  );
  const byLease = await c.open('host', [{ name: 'ip-address', value: ip('192.0.2.10') }]);
  assert.equal(str(findValue(byLease.object, 'name')?.value), 'lap');
  const badType = await c.open('host', [
    { name: 'hardware-address', value: mac('52:54:00:12:34:56') },
    { name: 'hardware-type', value: u32Value(0x100) },
  ]);
  assert.equal(status(badType).result, DHCP_R.INVALIDARG);
  const conflict = await c.open('host', [
    { name: 'dhcp-client-identifier', value: stringValue('cid') },
    { name: 'name', value: stringValue('lap') },
  ]);
  assert.equal(status(conflict).result, DHCP_R.KEYCONFLICT);
  const generated = await c.open('host', [{ name: 'hardware-address', value: mac('52:54:00:00:00:09') }], {
    create: true,
  });
  assert.match(str(findValue(generated.object, 'name')?.value) ?? '', /^nh[0-9a-f]{16}$/);
});
