// /api/v1/leases and /api/v1/hosts: the lease table (listed a page at a time, walked across turns - walk.ts),
// a lease freed as OMAPI frees it, and the persistent hosts OMAPI keeps, through the same commands
// (admin-commands.ts): each change is in the lease file before the answer.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MemoryHost } from '../omapi/memory-provider.js';
import {
  decodeCursor,
  encodeCursor,
  hostByName,
  hostsPage,
  leaseByIp,
  leaseJson,
  parseHex,
} from '../server/admin-queries.js';
import { NO_SLOT } from '../server/allocator.js';
import { parseIpv4 } from '../wire/ip.js';
import type { RouteContext } from './context.js';
import { hostFromJson } from './host-input.js';
import { pageLimit, param, sendError, sendFailure } from './reply.js';
import { listLeases } from './walk.js';

type Query = Record<string, unknown>;
type Named = { Params: { name: string } };

function who(req: FastifyRequest): string {
  return `from ${req.ip}`;
}

export function registerDataRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { source } = ctx;

  const refuseWhileStopping = (reply: FastifyReply): boolean => {
    if (!source.stopping()) return false;
    sendError(reply, 503, 'the server is shutting down');
    return true;
  };

  app.get<{ Querystring: Query }>('/api/v1/leases', async (req, reply) => {
    const q = req.query;
    const limit = pageLimit(q.limit);
    if (typeof limit !== 'number') return sendError(reply, 400, limit.error);
    const cursorText = param(q.cursor);
    const from = cursorText === undefined || cursorText === '' ? 0 : decodeCursor(cursorText);
    if (from === undefined) return sendError(reply, 400, 'not a cursor this server gave');
    const listed = await listLeases(
      () => source.allocator(),
      { state: param(q.state), pool: param(q.pool), mac: param(q.mac), hostname: param(q.hostname), ip: param(q.ip) },
      from,
      limit,
    );
    if ('error' in listed) return sendError(reply, 400, listed.error);
    return { items: listed.items, next: listed.next === undefined ? null : encodeCursor(listed.next) };
  });

  app.get<{ Params: { ip: string } }>('/api/v1/leases/:ip', async (req, reply) => {
    const lease = leaseByIp(source.allocator(), req.params.ip);
    if (lease === undefined) return sendError(reply, 404, `no pool holds ${req.params.ip}`);
    if ('error' in lease) return sendError(reply, 400, lease.error);
    return lease;
  });

  app.delete<{ Params: { ip: string } }>('/api/v1/leases/:ip', async (req, reply) => {
    const ip = req.params.ip;
    const a = parseIpv4(ip);
    if (a === undefined) return sendError(reply, 400, `${JSON.stringify(ip)} is not an IPv4 address`);
    if (refuseWhileStopping(reply)) return reply;
    const alloc = source.allocator();
    const slot = alloc.slotOf(a);
    if (slot === NO_SLOT) return sendError(reply, 404, `no pool holds ${ip}`);
    const freed = await source.admin().freeLease(slot, ip);
    if (!freed.ok) return sendFailure(reply, freed);
    source.log(`HTTP API: lease ${ip} freed ${who(req)}`);
    // The allocator the change went to (a reload meanwhile carried it over to the new one).
    const now = source.allocator();
    const s = now.slotOf(a);
    return s === NO_SLOT ? leaseJson(alloc, slot) : leaseJson(now, s);
  });

  app.get<{ Querystring: Query }>('/api/v1/hosts', async (req, reply) => {
    const q = req.query;
    const limit = pageLimit(q.limit);
    if (typeof limit !== 'number') return sendError(reply, 400, limit.error);
    const cursorText = param(q.cursor);
    let after: string | undefined;
    if (cursorText !== undefined && cursorText !== '') {
      const text = Buffer.from(cursorText, 'base64url').toString('utf8');
      if (!text.startsWith('h')) return sendError(reply, 400, 'not a cursor this server gave');
      after = text.slice(1);
    }
    const macText = param(q.mac);
    const mac = macText === undefined || macText === '' ? undefined : parseHex(macText);
    if (macText !== undefined && macText !== '' && mac === undefined) {
      return sendError(reply, 400, `${JSON.stringify(macText)} is not a hardware address`);
    }
    const got = hostsPage(source.tree(), source.hosts(), { name: param(q.name), mac }, after, limit);
    return {
      items: got.items,
      next: got.next === undefined ? null : Buffer.from(`h${got.next}`).toString('base64url'),
    };
  });

  app.get<Named>('/api/v1/hosts/:name', async (req, reply) => {
    const host = hostByName(source.tree(), source.hosts(), req.params.name);
    return host ?? sendError(reply, 404, `no host named ${req.params.name}`);
  });

  app.post<{ Body: unknown }>('/api/v1/hosts', async (req, reply) => {
    const input = hostFromJson(req.body, source.tree().catalogue);
    if (!input.ok) return sendError(reply, 400, input.error);
    if (refuseWhileStopping(reply)) return reply;
    const created = await source.admin().createHost(input.host);
    if (!created.ok) {
      return sendFailure(reply, created, { 409: `a host named ${input.host.name} exists` });
    }
    const name = created.value;
    source.log(`HTTP API: host ${name} created ${who(req)}`);
    reply.code(201).header('location', `/api/v1/hosts/${encodeURIComponent(name)}`);
    return hostByName(source.tree(), source.hosts(), name);
  });

  app.put<Named & { Body: unknown }>('/api/v1/hosts/:name', async (req, reply) => {
    const name = req.params.name;
    const input = hostFromJson(req.body, source.tree().catalogue, name);
    if (!input.ok) return sendError(reply, 400, input.error);
    if (refuseWhileStopping(reply)) return reply;
    const admin = source.admin();
    const current = admin.changeableHost(name);
    if (!current.ok) {
      return sendFailure(reply, current, {
        404: `no host named ${name}`,
        409: `${name} is a host of dhcpd.conf: change it there and reload`,
      });
    }
    const host: MemoryHost = input.host;
    if (current.value.group !== undefined) host.group = current.value.group; // not part of the API's host
    const written = await admin.writeHost(host);
    if (!written.ok) return sendFailure(reply, written);
    source.log(`HTTP API: host ${name} replaced ${who(req)}`);
    return hostByName(source.tree(), source.hosts(), name);
  });

  app.delete<Named>('/api/v1/hosts/:name', async (req, reply) => {
    const name = req.params.name;
    if (refuseWhileStopping(reply)) return reply;
    const removed = await source.admin().removeHost(name);
    if (!removed.ok) return sendFailure(reply, removed, { 404: `no host named ${name}` });
    source.log(`HTTP API: host ${name} removed ${who(req)}`);
    return reply.code(204).send();
  });
}
