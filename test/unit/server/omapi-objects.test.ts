// The server's OMAPI objects (omapi-objects.ts) over a real allocator and the engine: lease lookups and `ends`,
// host create / update / remove with their lease-file records, the DHCP engine seeing the host at once, the
// records read back into a fresh table (a restart), failures of the store, failover-state and control.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostRecord, LeaseFileRecord } from '../../../src/leases/lease.js';
import { parseLeases } from '../../../src/leases/reader.js';
import { formatRecord } from '../../../src/leases/writer.js';
import { isObjectRef, type ObjectProvider, type ObjectRef, type Outcome } from '../../../src/omapi/provider.js';
import { DHCP_R, ISC_R } from '../../../src/omapi/results.js';
import { type NameValue, stringValue, u32Value } from '../../../src/omapi/wire.js';
import { DynamicHosts } from '../../../src/server/dynamic-hosts.js';
import { ServerObjects } from '../../../src/server/omapi-objects.js';
import { ip, Server, treeOf } from './helpers.js';

const CONF = `
default-lease-time 600;
max-lease-time 600;
authoritative;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.109;
}
host printer { hardware ethernet 52:54:00:00:00:aa; fixed-address 192.0.2.60; }
`;

const MAC = '52:54:00:12:34:56';
const mac = (s: string) => Uint8Array.from(s.split(':').map((h) => Number.parseInt(h, 16)));
const ipv = (s: string) => Uint8Array.from(s.split('.').map(Number));
const nv = (name: string, value: Uint8Array | string | null): NameValue => ({
  name,
  value: typeof value === 'string' ? stringValue(value) : value,
});

function setup(opts: { failCommit?: boolean } = {}) {
  const tree = treeOf(CONF);
  const server = new Server(tree, { name: 'eth0', addresses: [ip('192.0.2.1')] });
  const hosts = new DynamicHosts(tree);
  server.ctx.dynamicHosts = hosts;
  const committed: LeaseFileRecord[] = [];
  const log: string[] = [];
  const deferred: (() => void)[] = [];
  let shutdowns = 0;
  let ended = 0;
  const objects: ObjectProvider = new ServerObjects({
    tree,
    allocator: server.leases,
    hosts,
    commit: async (records) => {
      if (opts.failCommit) throw new Error('disk full');
      committed.push(...records);
    },
    now: () => server.now,
    log: (l) => log.push(l),
    shutdown: () => shutdowns++,
    leaseEnded: () => ended++,
    defer: (fn) => deferred.push(fn),
  });
  return {
    tree,
    server,
    hosts,
    objects,
    committed,
    log,
    deferred,
    shutdowns: () => shutdowns,
    ended: () => ended,
  };
}

async function value<T>(o: Outcome<T> | Promise<Outcome<T>>): Promise<T> {
  const r = await o;
  assert.ok(r.ok, `failed: ${r.ok ? '' : `${r.result} ${r.message ?? ''}`}`);
  return r.value;
}

async function attrs(objects: ObjectProvider, ref: ObjectRef): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const a of await value(objects.read(ref, {}))) {
    out.set(
      a.name,
      a.value === null ? '' : isObjectRef(a.value) ? `ref:${a.value.id}` : Buffer.from(a.value).toString('hex'),
    );
  }
  return out;
}

test('lease: found by ip-address, hardware-address and client identifier; state and hardware as ISC sends them', async () => {
  const s = setup();
  const { address } = s.server.dora({ mac: MAC, uid: Uint8Array.of(1, 2, 3) });
  const byIp = await value(s.objects.lookup('lease', [nv('ip-address', ipv(address))], {}));
  assert.deepEqual(byIp, { type: 'lease', id: address });
  assert.deepEqual(await value(s.objects.lookup('lease', [nv('hardware-address', mac(MAC))], {})), byIp);
  assert.deepEqual(
    await value(s.objects.lookup('lease', [nv('dhcp-client-identifier', Uint8Array.of(1, 2, 3))], {})),
    byIp,
  );
  const a = await attrs(s.objects, byIp);
  assert.equal(a.get('state'), '00000002');
  assert.equal(a.get('hardware-address'), '525400123456');
  assert.equal(a.get('hardware-type'), '00000001');
  assert.equal(a.get('ends'), (s.server.now + 600).toString(16).padStart(8, '0'));
  assert.equal(a.get('starts'), s.server.now.toString(16).padStart(8, '0'));
  // an address no pool holds, a MAC no lease has, no key at all
  const miss = await s.objects.lookup('lease', [nv('ip-address', ipv('198.51.100.1'))], {});
  assert.deepEqual(miss, { ok: false, result: ISC_R.NOTFOUND });
  assert.equal((await s.objects.lookup('lease', [nv('hardware-address', mac('52:54:00:00:00:01'))], {})).ok, false);
  assert.deepEqual(await s.objects.lookup('lease', [nv('name', 'x')], {}), { ok: false, result: DHCP_R.NOKEYS });
});

test('lease: setting ends writes the lease before answering and expires it on the timer', async () => {
  const s = setup();
  const { address } = s.server.dora({ mac: MAC });
  const ref = await value(s.objects.lookup('lease', [nv('ip-address', ipv(address))], {}));
  await value(s.objects.update(ref, [nv('ends', u32Value(s.server.now - 1))], {}));
  assert.equal(s.committed.length, 1);
  const rec = s.committed[0]!;
  assert.ok(rec.kind === 'lease');
  assert.equal(rec.ends, s.server.now - 1);
  assert.equal(s.ended(), 1);
  assert.match(
    s.log[0]!,
    new RegExp(`^lease ${address.replaceAll('.', '\\.')} end changed from \\d+ to ${s.server.now - 1}$`),
  );
  // the timer's expiry frees it
  const expired = s.server.leases.expire(s.server.now);
  assert.equal(expired.length, 1);
  assert.equal(expired[0]!.bindingState, 'free');
  // not settable / not a lease attribute
  assert.deepEqual(await s.objects.update(ref, [nv('starts', u32Value(1))], {}), { ok: false, result: ISC_R.NOPERM });
  assert.equal((await s.objects.update(ref, [nv('my-var', 'x')], {})).ok, false);
  // state 1 (free) on an active lease releases it
  const again = s.server.dora({ mac: MAC });
  const ref2 = await value(s.objects.lookup('lease', [nv('ip-address', ipv(again.address))], {}));
  await value(s.objects.update(ref2, [nv('state', u32Value(1))], {}));
  assert.equal((await attrs(s.objects, ref2)).get('state'), '00000001');
});

test('host: create writes ISC write_host text before answering, and the next DISCOVER gets the fixed address', async () => {
  const s = setup();
  const ref = await value(
    s.objects.create(
      'host',
      [
        nv('name', 'laptop'),
        nv('hardware-address', mac(MAC)),
        nv('hardware-type', u32Value(1)),
        nv('ip-address', ipv('192.0.2.50')),
      ],
      {},
    ),
  );
  assert.deepEqual(ref, { type: 'host', id: 'laptop' });
  assert.equal(s.committed.length, 1);
  assert.equal(
    formatRecord(s.committed[0]!),
    'host laptop {\n  dynamic;\n  hardware ethernet 52:54:00:12:34:56;\n  fixed-address 192.0.2.50;\n}\n',
  );
  const offer = s.server.send({ mac: MAC, type: 1 });
  assert.equal(offer.reply?.message.yiaddr, ip('192.0.2.50'));
  // looked up by name, hardware address; read back
  assert.deepEqual(await value(s.objects.lookup('host', [nv('name', 'laptop')], {})), ref);
  assert.deepEqual(await value(s.objects.lookup('host', [nv('hardware-address', mac(MAC))], {})), ref);
  const a = await attrs(s.objects, ref);
  assert.equal(a.get('ip-address'), 'c0000232');
  assert.equal(a.get('name'), Buffer.from('laptop').toString('hex'));
  // the same name again: already exists; a host without hardware address or identifier: invalid
  assert.equal(
    (await s.objects.create('host', [nv('name', 'laptop'), nv('hardware-address', mac(MAC))], {})).ok,
    false,
  );
  const bare = await s.objects.create('host', [nv('name', 'bare')], {});
  assert.equal(bare.ok ? 0 : bare.result, DHCP_R.INVALIDARG);
  // a configuration host's name is taken too
  const dup = await s.objects.create('host', [nv('name', 'printer'), nv('hardware-address', mac(MAC))], {});
  assert.equal(dup.ok ? 0 : dup.result, ISC_R.EXISTS);
});

test('host: update rewrites the record, remove writes `deleted`; both reach the engine at once', async () => {
  const s = setup();
  const ref = await value(
    s.objects.create(
      'host',
      [
        nv('name', 'laptop'),
        nv('hardware-address', mac(MAC)),
        nv('ip-address', ipv('192.0.2.50')),
        nv('statements', 'option host-name "lap";'),
      ],
      {},
    ),
  );
  await value(s.objects.update(ref, [nv('ip-address', ipv('192.0.2.51'))], {}));
  assert.equal(
    formatRecord(s.committed[1]!),
    'host laptop {\n  dynamic;\n  hardware ethernet 52:54:00:12:34:56;\n  fixed-address 192.0.2.51;\n        option host-name "lap";\n}\n',
  );
  assert.equal(s.server.send({ mac: MAC, type: 1 }).reply?.message.yiaddr, ip('192.0.2.51'));
  await value(s.objects.remove(ref, {}));
  assert.equal(formatRecord(s.committed[2]!), 'host laptop {\n  dynamic;\n  deleted;\n}\n');
  assert.equal(s.hosts.count, 0);
  const offer = s.server.send({ mac: MAC, type: 1 });
  assert.ok((offer.reply?.message.yiaddr ?? 0) >= ip('192.0.2.100'));
  assert.deepEqual(await s.objects.lookup('host', [nv('name', 'laptop')], {}), { ok: false, result: ISC_R.NOTFOUND });
});

test('host: the records read back (a restart) give the same table; a removed dynamic host is gone', async () => {
  const s = setup();
  await value(
    s.objects.create(
      'host',
      [nv('name', 'a'), nv('hardware-address', mac(MAC)), nv('ip-address', ipv('192.0.2.50'))],
      {},
    ),
  );
  await value(
    s.objects.create(
      'host',
      [nv('name', 'b'), nv('hardware-address', mac('52:54:00:00:00:0b')), nv('dhcp-client-identifier', 'id-b')],
      {},
    ),
  );
  const bRef = { type: 'host', id: 'b' };
  await value(s.objects.remove(bRef, {}));
  // the printer of dhcpd.conf, removed through OMAPI: `host printer { deleted; }`, masked
  await value(s.objects.remove({ type: 'host', id: 'printer' }, {}));
  assert.equal(formatRecord(s.committed.at(-1)!), 'host printer {\n  deleted;\n}\n');
  assert.equal(s.server.send({ mac: '52:54:00:00:00:aa', type: 1 }).reply?.message.yiaddr !== ip('192.0.2.60'), true);

  const text = s.committed.map((r) => formatRecord(r)).join('');
  const parsed = parseLeases(text, 'dhcpd.leases');
  assert.equal(parsed.error, undefined);
  const fresh = new DynamicHosts(s.tree);
  const conf = new Map(s.tree.hosts.map((h) => [h.name, h] as const));
  for (const r of parsed.records) if (r.kind === 'host') fresh.apply(r as HostRecord, conf);
  assert.equal(fresh.count, 1);
  assert.equal(fresh.get('a')?.host.fixedAddresses[0], '192.0.2.50');
  assert.equal(fresh.masked.size, 1);
  const restarted = new Server(s.tree, { name: 'eth0', addresses: [ip('192.0.2.1')] });
  restarted.ctx.dynamicHosts = fresh;
  assert.equal(restarted.send({ mac: MAC, type: 1 }).reply?.message.yiaddr, ip('192.0.2.50'));
});

test('host: a configuration host is found and read; it cannot be updated', async () => {
  const s = setup();
  const ref = await value(s.objects.lookup('host', [nv('hardware-address', mac('52:54:00:00:00:aa'))], {}));
  assert.deepEqual(ref, { type: 'host', id: 'printer' });
  assert.equal((await attrs(s.objects, ref)).get('ip-address'), 'c000023c');
  const u = await s.objects.update(ref, [nv('ip-address', ipv('192.0.2.61'))], {});
  assert.equal(u.ok ? 0 : u.result, ISC_R.NOPERM);
});

test('a store that cannot write: the host is not created, the answer is an I/O error', async () => {
  const s = setup({ failCommit: true });
  const r = await s.objects.create('host', [nv('name', 'laptop'), nv('hardware-address', mac(MAC))], {});
  assert.equal(r.ok ? 0 : r.result, ISC_R.IOERROR);
  assert.equal(s.hosts.count, 0);
  assert.match(s.log[0]!, /disk full/);
});

test('failover-state: not found; control: state 2 shuts down after the answer, other states are invalid', async () => {
  const s = setup();
  assert.ok(s.objects.hasType('failover-state') && s.objects.hasType('control'));
  assert.deepEqual(await s.objects.lookup('failover-state', [nv('name', 'peer')], {}), {
    ok: false,
    result: ISC_R.NOTFOUND,
  });
  const ctl = await value(s.objects.lookup('control', [], {}));
  assert.equal((await attrs(s.objects, ctl)).get('state'), '00000001');
  const bad = await s.objects.update(ctl, [nv('state', u32Value(3))], {});
  assert.equal(bad.ok ? 0 : bad.result, DHCP_R.INVALIDARG);
  await value(s.objects.update(ctl, [nv('state', u32Value(2))], {}));
  assert.equal(s.shutdowns(), 0, 'not before the answer');
  assert.equal(s.deferred.length, 1);
  s.deferred[0]!();
  assert.equal(s.shutdowns(), 1);
  await value(s.objects.update(ctl, [nv('state', u32Value(2))], {}));
  assert.equal(s.deferred.length, 1, 'once');
  assert.equal((await s.objects.remove(ctl, {})).ok, false);
});
