// The queries of the HTTP API (src/server/admin-queries.ts) over a real allocator filled by the engine: lease
// JSON with ISO dates, filters (state, pool, mac, hostname, ip prefix), cursor paging that walks no more than its
// budget and survives a reload's renumbering, pool counts from a census, hosts of dhcpd.conf and dynamic ones.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Census, listLeases } from '../../../src/http/walk.js';
import { parseLeases } from '../../../src/leases/reader.js';
import {
  compileFilter,
  decodeCursor,
  encodeCursor,
  hostByName,
  hostsPage,
  isoTime,
  type LeaseFilter,
  leaseByIp,
  leaseJson,
  poolsJson,
  scanLeases,
} from '../../../src/server/admin-queries.js';
import { Allocator } from '../../../src/server/allocator.js';
import { DynamicHosts } from '../../../src/server/dynamic-hosts.js';
import { ip, Server, treeOf } from '../server/helpers.js';

const CONF = `
default-lease-time 600;
max-lease-time 600;
authoritative;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.149;
}
shared-network lab {
  subnet 198.51.100.0 netmask 255.255.255.0 {
    pool { range 198.51.100.10 198.51.100.19; }
  }
}
host printer {
  hardware ethernet 52:54:00:00:00:aa;
  fixed-address 192.0.2.60;
  option domain-name "print.example";
  option routers 192.0.2.1;
}
`;

const mac = (i: number) => `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`;

/** A server with `n` clients bound in 192.0.2.0/24 (host names client0..), one released, one abandoned. */
function setup(n = 10) {
  const tree = treeOf(CONF);
  const server = new Server(tree, { name: 'eth0', addresses: [ip('192.0.2.1')] });
  const bound: string[] = [];
  for (let i = 0; i < n; i++) bound.push(server.dora({ mac: mac(i), hostname: `Client${i}` }).address);
  server.leases.release(server.leases.slotOf(ip(bound[0]!)), server.now);
  server.leases.abandon(server.leases.slotOf(ip(bound[1]!)), server.now, 3600);
  return { tree, server, alloc: server.leases, bound };
}

function filter(alloc: Allocator, q: Parameters<typeof compileFilter>[0]): LeaseFilter {
  const f = compileFilter(q, alloc);
  assert.ok(!('error' in f), 'error' in f ? f.error : '');
  return f;
}

test('a lease as JSON: fields, ISO 8601 times in UTC, pool named by its first range', () => {
  const { alloc, bound, server } = setup(3);
  const l = leaseJson(alloc, alloc.slotOf(ip(bound[2]!)));
  assert.equal(l.ip, bound[2]);
  assert.equal(l.state, 'active');
  assert.equal(l.hardware, mac(2));
  assert.equal(l.hostname, 'Client2');
  assert.equal(l.clientId, null);
  assert.equal(l.pool, '192.0.2.100-192.0.2.149');
  assert.equal(l.starts, new Date(server.now * 1000).toISOString().replace('.000Z', 'Z'));
  assert.match(l.starts ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(l.ends, isoTime(server.now + 600));
  assert.equal(isoTime(1_700_000_000), '2023-11-14T22:13:20Z');
  assert.equal(isoTime(Number.POSITIVE_INFINITY), null);
  assert.equal(isoTime(undefined), null);
  // any address of a pool has a lease (free when never handed out); others none
  assert.deepEqual(leaseByIp(alloc, '192.0.2.149'), {
    ip: '192.0.2.149',
    state: 'free',
    hardware: null,
    clientId: null,
    hostname: null,
    starts: null,
    ends: null,
    cltt: null,
    pool: '192.0.2.100-192.0.2.149',
  });
  assert.equal(leaseByIp(alloc, '192.0.2.5'), undefined);
  assert.deepEqual(leaseByIp(alloc, 'nope'), { error: '"nope" is not an IPv4 address' });
});

test('filters: state (several), pool or network, mac, hostname, ip prefix or CIDR; bad ones are errors', () => {
  const { alloc, bound } = setup(10);
  const ips = (q: Parameters<typeof compileFilter>[0]) =>
    scanLeases(alloc, filter(alloc, q), 0, 1000, 1e9).items.map((l) => l.ip);
  // never-used addresses are not listed
  assert.equal(ips({}).length, 10);
  assert.deepEqual(ips({ state: 'abandoned' }), [bound[1]]);
  assert.deepEqual(ips({ state: 'free,abandoned' }), [bound[0], bound[1]].sort());
  assert.equal(ips({ state: 'active' }).length, 8);
  assert.deepEqual(ips({ mac: mac(5).toUpperCase() }), [bound[5]]);
  assert.deepEqual(ips({ hostname: 'client7' }), [bound[7]]);
  assert.equal(ips({ pool: '192.0.2.100-192.0.2.149' }).length, 10);
  assert.equal(ips({ pool: 'lab' }).length, 0);
  assert.deepEqual(ips({ ip: `${bound[3]}` }), [bound[3]]);
  assert.equal(ips({ ip: '192.0.2.0/24' }).length, 10);
  assert.equal(ips({ ip: '198.51.100.0/24' }).length, 0);
  assert.equal(ips({ ip: '192.0.2.1' }).length, 10); // 192.0.2.1xx
  for (const bad of [{ state: 'bound' }, { pool: 'nowhere' }, { mac: 'zz' }, { ip: 'x.y' }, { ip: '10.0.0.0/33' }]) {
    assert.ok('error' in compileFilter(bad, alloc), JSON.stringify(bad));
  }
});

test('paging: limit items, an opaque cursor to go on, the budget bounds the slots looked at', async () => {
  const { alloc } = setup(10);
  const all = scanLeases(alloc, filter(alloc, {}), 0, 1000, 1e9).items.map((l) => l.ip);
  const seen: string[] = [];
  let from = 0;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 10);
    const page = scanLeases(alloc, filter(alloc, {}), from, 3, 1e9);
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((l) => l.ip));
    if (page.next === undefined) break;
    const cursor = encodeCursor(page.next);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    from = decodeCursor(cursor)!;
  }
  assert.deepEqual(seen, all);
  assert.equal(decodeCursor('bogus!'), undefined);
  // a budget of 5 slots stops the walk early with where to go on
  const short = scanLeases(alloc, filter(alloc, { state: 'abandoned' }), 0, 10, 5);
  assert.equal(short.complete, false);
  assert.equal(short.next, alloc.address[5]);
  // across turns (4 slots or 2 leases a turn), the listing fills its page
  const listed = await listLeases(() => alloc, { state: 'active' }, 0, 5, 4, 2);
  assert.ok(!('error' in listed));
  assert.equal(listed.items.length, 5);
  assert.ok(listed.next !== undefined);
  const rest = await listLeases(() => alloc, { state: 'active' }, listed.next, 100, 4, 2);
  assert.ok(!('error' in rest));
  assert.equal(rest.items.length, 3);
  assert.equal(rest.next, undefined);
});

test('a cursor is an address: a reload that renumbers the slots does not lose the place', async () => {
  const { alloc, tree } = setup(10);
  const first = await listLeases(() => alloc, {}, 0, 4);
  assert.ok(!('error' in first) && first.next !== undefined);
  // the new configuration adds a range below: every slot moves
  const next = new Allocator(
    treeOf(
      `${CONF.replace('range 192.0.2.100 192.0.2.149;', 'range 192.0.2.20 192.0.2.29; range 192.0.2.100 192.0.2.149;')}`,
    ),
  );
  next.loadAll(alloc.leaseRecords(), 1_700_000_000);
  assert.notEqual(next.slotOf(ip(first.items[0]!.ip)), alloc.slotOf(ip(first.items[0]!.ip)));
  const rest = await listLeases(() => next, {}, first.next, 100);
  assert.ok(!('error' in rest));
  assert.deepEqual(
    [...first.items, ...rest.items].map((l) => l.ip),
    scanLeases(alloc, filter(alloc, {}), 0, 100, 1e9).items.map((l) => l.ip),
  );
  assert.ok(tree);
});

test('pools: counts from the lists and a census split across turns', async () => {
  const { alloc } = setup(10);
  const census = new Census(
    () => alloc,
    1000,
    () => 0,
    7,
  );
  const c = await census.counts();
  const pools = poolsJson(c.allocator, c.counts);
  assert.deepEqual(
    pools.map((p) => ({ ...p, utilization: Math.round(p.utilization * 100) })),
    [
      {
        name: '192.0.2.100-192.0.2.149',
        network: '192.0.2.0/24',
        ranges: ['192.0.2.100-192.0.2.149'],
        failoverPeer: null,
        total: 50,
        free: 41,
        backup: 0,
        active: 8,
        abandoned: 1,
        utilization: 16,
      },
      {
        name: '198.51.100.10-198.51.100.19',
        network: 'lab',
        ranges: ['198.51.100.10-198.51.100.19'],
        failoverPeer: null,
        total: 10,
        free: 10,
        backup: 0,
        active: 0,
        abandoned: 0,
        utilization: 0,
      },
    ],
  );
  // cached while fresh: the same object
  assert.equal(await census.counts(), c);
});

test('hosts: dhcpd.conf hosts and dynamic ones, options as values, paging by name, masked ones gone', () => {
  const tree = treeOf(CONF);
  const hosts = new DynamicHosts(tree);
  const enter = (text: string) => {
    const parsed = parseLeases(`${text}\n`, 'test');
    const r = parsed.records[0];
    assert.ok(r?.kind === 'host', parsed.error?.message);
    hosts.apply(r, new Map(tree.hosts.map((h) => [h.name, h])));
  };
  enter('host laptop {\n  dynamic;\n  hardware ethernet 52:54:00:12:34:56;\n  fixed-address 192.0.2.50;\n}');
  enter('host tablet {\n  dynamic;\n  uid "tab";\n        option host-name "tab";\n}');
  assert.deepEqual(hostByName(tree, hosts, 'printer'), {
    name: 'printer',
    hardware: '52:54:00:00:00:aa',
    fixedAddress: '192.0.2.60',
    clientId: null,
    options: { 'domain-name': 'print.example', routers: '192.0.2.1' },
    dynamic: false,
  });
  assert.deepEqual(hostByName(tree, hosts, 'tablet'), {
    name: 'tablet',
    hardware: null,
    fixedAddress: null,
    clientId: '74:61:62',
    options: { 'host-name': 'tab' },
    dynamic: true,
  });
  const names = (after?: string, limit = 10) => hostsPage(tree, hosts, {}, after, limit);
  assert.deepEqual(
    names().items.map((h) => h.name),
    ['laptop', 'printer', 'tablet'],
  );
  const p1 = names(undefined, 2);
  assert.deepEqual(
    p1.items.map((h) => h.name),
    ['laptop', 'printer'],
  );
  assert.equal(p1.next, 'printer');
  assert.deepEqual(
    names('printer', 2).items.map((h) => h.name),
    ['tablet'],
  );
  assert.equal(names('printer', 2).next, undefined);
  assert.deepEqual(
    hostsPage(tree, hosts, { name: 'LAP' }, undefined, 10).items.map((h) => h.name),
    ['laptop'],
  );
  // a removed dhcpd.conf host is gone from both
  enter('host printer {\n  deleted;\n}');
  assert.equal(hostByName(tree, hosts, 'printer'), undefined);
  assert.deepEqual(
    names().items.map((h) => h.name),
    ['laptop', 'tablet'],
  );
});
