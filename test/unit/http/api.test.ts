// The HTTP API in process (fastify's inject, no socket) over a real allocator filled by the engine and the
// commands OMAPI uses: every route answers, roles are enforced, a freed lease and a created host are written
// (the records handed to `commit`) before the answer and seen by the engine, errors are `{"error"}` with the
// expected status, the OpenAPI document describes exactly the routes there are, /metrics speaks Prometheus.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../../src/http/app.js';
import type { HttpSource, ReloadResult } from '../../../src/http/context.js';
import { Metrics } from '../../../src/http/metrics.js';
import type { OPENAPI } from '../../../src/http/openapi.js';
import { parseTokens } from '../../../src/http/tokens.js';
import { Census } from '../../../src/http/walk.js';
import type { LeaseFileRecord } from '../../../src/leases/lease.js';
import { formatRecord } from '../../../src/leases/writer.js';
import { AdminCommands } from '../../../src/server/admin-commands.js';
import { DropCounter, memoryLogger } from '../../../src/server/daemon-log.js';
import { DynamicHosts } from '../../../src/server/dynamic-hosts.js';
import { ip, Server, treeOf, yiaddr } from '../server/helpers.js';

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
const ADMIN = { authorization: 'Bearer adm' };
const READ = { authorization: 'Bearer rd' };

function setup(opts: { tokens?: boolean; failCommit?: boolean } = {}) {
  const tree = treeOf(CONF);
  const server = new Server(tree, { name: 'eth0', addresses: [ip('192.0.2.1')] });
  const hosts = new DynamicHosts(tree);
  server.ctx.dynamicHosts = hosts;
  const committed: LeaseFileRecord[] = [];
  const log = memoryLogger();
  const admin = new AdminCommands(
    {
      tree,
      allocator: server.leases,
      hosts,
      commit: async (records) => {
        if (opts.failCommit) throw new Error('disk full');
        committed.push(...records);
      },
      now: () => server.now,
      log: (l) => log.info(l),
    },
    'HTTP API',
  );
  const reloads: string[] = [];
  const source: HttpSource = {
    tree: () => tree,
    allocator: () => server.leases,
    hosts: () => hosts,
    admin: () => admin,
    stats: () => ({ received: 7, conflicts: 0, replies: 5, committed: 3, commitFailures: 0, sendFailures: 0 }),
    drops: () => {
      const d = new DropCounter(log);
      d.drop('too-short', 'x');
      return d;
    },
    failover: () => new Map(),
    history: () => undefined,
    reloader: {
      reload: async (): Promise<ReloadResult> => {
        reloads.push('reload');
        return reloads.length === 1
          ? { ok: true, errors: [], notes: ['omapi-port changed'] }
          : { ok: false, errors: ['dhcpd.conf:3:1: semicolon expected.\nrange\n^'], notes: [] };
      },
      testConfig: (text) => ({
        ok: !text.includes('{{'),
        errors: text.includes('{{') ? ['conf:1: bad'] : [],
        notes: [],
      }),
    },
    stopping: () => false,
    log: (l) => log.info(l),
  };
  const metrics = new Metrics({ defaultMetrics: false });
  const census = new Census(() => server.leases, 0);
  metrics.attach({
    stats: source.stats,
    drops: source.drops,
    census: () => census.counts(),
    dynamicHosts: () => hosts.count,
    failover: source.failover,
  });
  metrics.packets.received[1] = 4;
  metrics.packets.replies[5] = 2;
  const tokens = opts.tokens === false ? undefined : parseTokens('admin adm\nread rd\n', 't');
  const app = buildApp({
    ctx: { source, metrics, census, startedAt: Date.now() },
    tokens: tokens === undefined ? undefined : tokens.ok ? tokens.tokens : undefined,
  });
  return { tree, server, hosts, committed, log, app, reloads, metrics };
}

test('roles: no token 401 with WWW-Authenticate; read GETs, read DELETE 403; admin deletes', async () => {
  const { app, server } = setup();
  const { address } = server.dora({ mac: MAC });
  const none = await app.inject({ method: 'GET', url: '/api/v1/leases' });
  assert.equal(none.statusCode, 401);
  assert.match(none.headers['www-authenticate'] as string, /^Bearer/);
  assert.deepEqual(none.json(), { error: 'an Authorization: Bearer TOKEN header is required' });
  assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
  assert.equal((await app.inject({ url: '/api/v1/leases', headers: { authorization: 'Bearer x' } })).statusCode, 401);
  assert.equal((await app.inject({ url: '/api/v1/leases', headers: READ })).statusCode, 200);
  const denied = await app.inject({ method: 'DELETE', url: `/api/v1/leases/${address}`, headers: READ });
  assert.equal(denied.statusCode, 403);
  assert.match(denied.json().error, /read token may only GET/);
  assert.equal(
    (await app.inject({ method: 'DELETE', url: `/api/v1/leases/${address}`, headers: ADMIN })).statusCode,
    200,
  );
  // without a tokens file: open
  assert.equal((await setup({ tokens: false }).app.inject({ url: '/api/v1/pools' })).statusCode, 200);
});

test('leases: list with filters and paging, by ip, DELETE frees it in the lease file before the answer', async () => {
  const { app, server, committed, log } = setup();
  const bound = [0, 1, 2, 3].map((i) => server.dora({ mac: `52:54:00:00:02:0${i}`, hostname: `pc${i}` }).address);
  const list = await app.inject({ url: '/api/v1/leases?limit=3', headers: READ });
  assert.equal(list.statusCode, 200);
  const page = list.json();
  assert.deepEqual(
    page.items.map((l: { ip: string }) => l.ip),
    bound.slice(0, 3),
  );
  assert.equal(typeof page.next, 'string');
  const rest = (await app.inject({ url: `/api/v1/leases?limit=3&cursor=${page.next}`, headers: READ })).json();
  assert.deepEqual(rest, { items: [await leaseOf(bound[3]!)], next: null });
  const byHost = (await app.inject({ url: '/api/v1/leases?hostname=PC2&state=active', headers: READ })).json();
  assert.deepEqual(
    byHost.items.map((l: { ip: string }) => l.ip),
    [bound[2]],
  );
  assert.equal((await app.inject({ url: '/api/v1/leases?limit=1001', headers: READ })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/leases?cursor=@@', headers: READ })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/leases?state=bound', headers: READ })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/v1/leases/192.0.2.5', headers: READ })).statusCode, 404);
  assert.equal((await app.inject({ url: '/api/v1/leases/x', headers: READ })).statusCode, 400);

  async function leaseOf(address: string) {
    return (await app.inject({ url: `/api/v1/leases/${address}`, headers: READ })).json();
  }
  const before = await leaseOf(bound[1]!);
  assert.equal(before.state, 'active');
  assert.equal(before.hostname, 'pc1');
  const del = await app.inject({ method: 'DELETE', url: `/api/v1/leases/${bound[1]}`, headers: ADMIN });
  assert.equal(del.statusCode, 200);
  assert.equal(del.json().state, 'free');
  const rec = committed.at(-1);
  assert.ok(rec?.kind === 'lease' && rec.address === ip(bound[1]!));
  assert.match(formatRecord(rec), /binding state free;/);
  assert.ok(log.lines.includes(`lease ${bound[1]} state changed from active to free`));
  assert.ok(log.lines.some((l) => l.startsWith(`HTTP API: lease ${bound[1]} freed from `)));
  // the same client now gets its address back through a fresh DISCOVER (it is free and still its own)
  assert.equal(yiaddr(server.send({ mac: '52:54:00:00:02:01', type: 1 })), bound[1]);
});

test('hosts: POST writes the record and the engine serves it; PUT replaces; DELETE removes; 409 and 400', async () => {
  const { app, server, committed } = setup();
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/hosts',
    headers: ADMIN,
    payload: { name: 'laptop', hardware: MAC, fixedAddress: '192.0.2.50', options: { 'domain-name': 'lab.example' } },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.headers.location, '/api/v1/hosts/laptop');
  assert.deepEqual(created.json(), {
    name: 'laptop',
    hardware: MAC,
    fixedAddress: '192.0.2.50',
    clientId: null,
    options: { 'domain-name': 'lab.example' },
    dynamic: true,
  });
  const rec = committed.at(-1);
  assert.ok(rec?.kind === 'host');
  assert.equal(
    formatRecord(rec),
    `host laptop {\n  dynamic;\n  hardware ethernet ${MAC};\n  fixed-address 192.0.2.50;\n        option domain-name "lab.example";\n}\n`,
  );
  assert.equal(yiaddr(server.send({ mac: MAC, type: 1 })), '192.0.2.50');

  const dup = await app.inject({
    method: 'POST',
    url: '/api/v1/hosts',
    headers: ADMIN,
    payload: { name: 'laptop', hardware: MAC },
  });
  assert.equal(dup.statusCode, 409);
  assert.deepEqual(dup.json(), { error: 'a host named laptop exists' });
  const conf = await app.inject({
    method: 'POST',
    url: '/api/v1/hosts',
    headers: ADMIN,
    payload: { name: 'printer', hardware: MAC },
  });
  assert.equal(conf.statusCode, 409);
  for (const payload of [
    { name: 'x' },
    { name: 'bad name', hardware: MAC },
    { name: 'x', hardware: 'zz' },
    { name: 'x', hardware: MAC, fixedAddress: '300.1.1.1' },
    { name: 'x', hardware: MAC, options: { 'no-such-option': '1' } },
    { name: 'x', hardware: MAC, options: { routers: '192.0.2.1; deleted' } },
    { name: 'x', hardware: MAC, colour: 'red' },
  ]) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/hosts', headers: ADMIN, payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(typeof r.json().error, 'string');
  }
  const garbage = await app.inject({
    method: 'POST',
    url: '/api/v1/hosts',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    payload: '{',
  });
  assert.equal(garbage.statusCode, 400);
  assert.equal(typeof garbage.json().error, 'string');

  const put = await app.inject({
    method: 'PUT',
    url: '/api/v1/hosts/laptop',
    headers: ADMIN,
    payload: { hardware: MAC, fixedAddress: '192.0.2.51' },
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().fixedAddress, '192.0.2.51');
  assert.deepEqual(put.json().options, {});
  assert.equal(yiaddr(server.send({ mac: MAC, type: 1 })), '192.0.2.51');
  assert.equal(
    (await app.inject({ method: 'PUT', url: '/api/v1/hosts/nobody', headers: ADMIN, payload: { hardware: MAC } }))
      .statusCode,
    404,
  );
  const confPut = await app.inject({
    method: 'PUT',
    url: '/api/v1/hosts/printer',
    headers: ADMIN,
    payload: { hardware: MAC },
  });
  assert.equal(confPut.statusCode, 409);
  assert.match(confPut.json().error, /host of dhcpd.conf/);
  const renamed = await app.inject({
    method: 'PUT',
    url: '/api/v1/hosts/laptop',
    headers: ADMIN,
    payload: { name: 'other', hardware: MAC },
  });
  assert.equal(renamed.statusCode, 400);

  const list = (await app.inject({ url: '/api/v1/hosts', headers: READ })).json();
  assert.deepEqual(
    list.items.map((h: { name: string }) => h.name),
    ['laptop', 'printer'],
  );
  assert.equal((await app.inject({ url: '/api/v1/hosts/laptop', headers: READ })).json().fixedAddress, '192.0.2.51');
  assert.equal((await app.inject({ url: '/api/v1/hosts/nobody', headers: READ })).statusCode, 404);

  const del = await app.inject({ method: 'DELETE', url: '/api/v1/hosts/laptop', headers: ADMIN });
  assert.equal(del.statusCode, 204);
  assert.equal(formatRecord(committed.at(-1)!), 'host laptop {\n  dynamic;\n  deleted;\n}\n');
  assert.match(yiaddr(server.send({ mac: MAC, type: 1 })), /^192\.0\.2\.10\d$/);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/hosts/laptop', headers: ADMIN })).statusCode, 404);
  // a dhcpd.conf host is masked, as OMAPI does
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/v1/hosts/printer', headers: ADMIN })).statusCode, 204);
  assert.equal(formatRecord(committed.at(-1)!), 'host printer {\n  deleted;\n}\n');
  assert.equal((await app.inject({ url: '/api/v1/hosts/printer', headers: READ })).statusCode, 404);
});

test('a lease file that cannot be written: 500, nothing entered', async () => {
  const { app } = setup({ failCommit: true });
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/hosts',
    headers: ADMIN,
    payload: { name: 'a', hardware: MAC },
  });
  assert.equal(r.statusCode, 500);
  assert.match(r.json().error, /could not be written/);
  assert.equal((await app.inject({ url: '/api/v1/hosts/a', headers: READ })).statusCode, 404);
});

test('pools, failover, stats, config test and reload, history, unknown routes', async () => {
  const { app, server, reloads } = setup();
  server.dora({ mac: MAC });
  const pools = (await app.inject({ url: '/api/v1/pools', headers: READ })).json();
  assert.equal(pools.length, 1);
  assert.equal(pools[0].active, 1);
  assert.equal(pools[0].total, 10);
  assert.deepEqual((await app.inject({ url: '/api/v1/failover', headers: READ })).json(), []);
  const stats = (await app.inject({ url: '/api/v1/stats', headers: READ })).json();
  assert.equal(stats.received, 7);
  assert.deepEqual(stats.drops, { 'too-short': 1 });
  assert.deepEqual(stats.receivedByType, { DHCPDISCOVER: 4 });
  assert.deepEqual(stats.repliesByType, { DHCPACK: 2 });
  assert.equal(stats.leases.active, 1);

  const good = await app.inject({
    method: 'POST',
    url: '/api/v1/config/test',
    headers: { ...ADMIN, 'content-type': 'text/plain' },
    payload: 'subnet 192.0.2.0 netmask 255.255.255.0 {}',
  });
  assert.deepEqual(good.json(), { ok: true, errors: [], notes: [] });
  const bad = await app.inject({
    method: 'POST',
    url: '/api/v1/config/test',
    headers: ADMIN,
    payload: { config: '{{' },
  });
  assert.deepEqual(bad.json(), { ok: false, errors: ['conf:1: bad'], notes: [] });
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/v1/config/test', headers: ADMIN, payload: { x: 1 } })).statusCode,
    400,
  );
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/v1/config/test', headers: READ, payload: 'x' })).statusCode,
    403,
  );

  const ok = await app.inject({ method: 'POST', url: '/api/v1/config/reload', headers: ADMIN });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { ok: true, errors: [], notes: ['omapi-port changed'] });
  const refused = await app.inject({ method: 'POST', url: '/api/v1/config/reload', headers: ADMIN });
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().error, 'the configuration was refused: dhcpd.conf:3:1: semicolon expected.');
  assert.equal(refused.json().ok, false);
  assert.equal(reloads.length, 2);

  assert.equal((await app.inject({ url: '/api/v1/history?ip=192.0.2.100', headers: READ })).statusCode, 501);
  const unknown = await app.inject({ url: '/api/v1/nothing', headers: READ });
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(unknown.json(), { error: 'no such endpoint: GET /api/v1/nothing' });
});

test('the OpenAPI document describes every route, and only those', async () => {
  const { app } = setup();
  const routes = new Set<string>();
  const doc = (await app.inject({ url: '/api/v1/openapi.json', headers: READ })).json() as typeof OPENAPI;
  assert.equal(doc.openapi, '3.1.0');
  // printRoutes draws a tree: each level is indented by 4 more columns and continues its parent's path
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('/');
    if (at < 0) continue;
    const m = /^(\S+)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at));
    assert.ok(m, line);
    const depth = Math.floor((at - 4) / 4);
    stack.length = depth;
    stack.push(m[1]!);
    for (const method of m[2]?.split(', ') ?? []) if (method !== 'HEAD') routes.add(`${method} ${stack.join('')}`);
  }
  const described = new Set<string>(['GET /metrics']);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      if (method === 'parameters') continue;
      described.add(`${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
  }
  assert.deepEqual([...routes].sort(), [...described].sort());
});

test('/metrics: Prometheus text with leasehold_ series (packets by type, drops, leases by pool and state)', async () => {
  const { app, server, metrics } = setup();
  server.dora({ mac: MAC });
  const r = await app.inject({ url: '/metrics', headers: READ });
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /^text\/plain/);
  const text = r.body;
  assert.match(text, /^leasehold_packets_received_total\{type="DHCPDISCOVER"\} 4$/m);
  assert.match(text, /^leasehold_replies_total\{type="DHCPACK"\} 2$/m);
  assert.match(text, /^leasehold_packets_total 7$/m);
  assert.match(text, /^leasehold_drops_total\{cause="too-short"\} 1$/m);
  assert.match(text, /^leasehold_leases\{pool="192\.0\.2\.100-192\.0\.2\.109",state="active"\} 1$/m);
  assert.match(text, /^leasehold_pool_utilization\{pool="192\.0\.2\.100-192\.0\.2\.109"\} 0\.1$/m);
  assert.match(text, /^leasehold_reloads_total\{outcome="ok"\} 0$/m);
  assert.match(text, /^# TYPE leasehold_commit_duration_seconds histogram$/m);
  // counters follow the source's growth, and never go back when it starts again from zero
  metrics.packets.received[1] = 6;
  const again = (await app.inject({ url: '/metrics', headers: READ })).body;
  assert.match(again, /^leasehold_packets_received_total\{type="DHCPDISCOVER"\} 6$/m);
  metrics.packets.received[1] = 1;
  const after = (await app.inject({ url: '/metrics', headers: READ })).body;
  assert.match(after, /^leasehold_packets_received_total\{type="DHCPDISCOVER"\} 7$/m);
  metrics.reloaded(true);
  metrics.observeCommit(0.003);
  const last = (await app.inject({ url: '/metrics', headers: READ })).body;
  assert.match(last, /^leasehold_reloads_total\{outcome="ok"\} 1$/m);
  assert.match(last, /^leasehold_commit_duration_seconds_count 1$/m);
});
