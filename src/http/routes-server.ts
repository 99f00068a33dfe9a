// /api/v1/pools, /failover, /stats, /config/test, /config/reload, /history (daemon-history.ts, newest first),
// /openapi.json, and /metrics.

import type { FastifyInstance } from 'fastify';
import { failoverStateName } from '../failover/wire.js';
import { colonHex } from '../leases/text.js';
import { STATE_NAMES } from '../server/address-table.js';
import { isoTime, parseHex, poolsJson, STATE_COUNT } from '../server/admin-queries.js';
import type { FailoverStateSource } from '../server/omapi-failover.js';
import { parseIpv4 } from '../wire/ip.js';
import type { RouteContext } from './context.js';
import { dropCounts, messageLabel } from './metrics.js';
import { OPENAPI } from './openapi.js';
import { pageLimit, param, sendError } from './reply.js';

export function failoverJson(name: string, src: FailoverStateSource) {
  const r = src.relationship;
  const s = src.settings;
  return {
    name,
    role: r.role,
    localState: failoverStateName(r.me.state),
    partnerState: failoverStateName(r.partner.state),
    mclt: r.mclt,
    localAddress: s.listen.address ?? null,
    localPort: s.listen.port,
    partnerAddress: s.peer.address,
    partnerPort: s.peer.port,
    unackedUpdates: r.updates.flyingCount,
  };
}

function byType(counts: Float64Array, reply: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  counts.forEach((n, t) => {
    if (n > 0) out[messageLabel(t, reply)] = n;
  });
  return out;
}

/** The configuration text of a /config/test body: text/plain, or JSON `{"config": text}`. */
function configText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null && typeof (body as { config?: unknown }).config === 'string') {
    return (body as { config: string }).config;
  }
  return undefined;
}

export function registerServerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { source, metrics, census } = ctx;

  app.get('/api/v1/openapi.json', async () => OPENAPI);

  app.get('/api/v1/pools', async () => {
    const c = await census.counts();
    return poolsJson(c.allocator, c.counts);
  });

  app.get('/api/v1/failover', async () => [...source.failover()].map(([name, src]) => failoverJson(name, src)));

  app.get('/api/v1/stats', async () => {
    const c = await census.counts();
    const leases: Record<string, number> = {};
    for (let s = 0; s < STATE_COUNT; s++) {
      let n = 0;
      for (let p = 0; p < c.allocator.pools.length; p++) n += c.counts[p * STATE_COUNT + s] ?? 0;
      leases[STATE_NAMES[s]!] = n;
    }
    const drops = Object.fromEntries([...dropCounts(source.drops())].filter(([, n]) => n > 0));
    return {
      ...source.stats(),
      drops,
      dropsTotal: Object.values(drops).reduce((a, b) => a + b, 0),
      receivedByType: byType(metrics.packets.received, false),
      repliesByType: byType(metrics.packets.replies, true),
      leases,
      dynamicHosts: source.hosts().count,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    };
  });

  app.post<{ Body: unknown }>('/api/v1/config/test', async (req, reply) => {
    const reloader = source.reloader;
    if (reloader === undefined) return sendError(reply, 501, 'this server cannot check configurations yet');
    const text = configText(req.body);
    if (text === undefined) {
      return sendError(reply, 400, 'the body must be the configuration text (text/plain) or {"config": text}');
    }
    return reloader.testConfig(text);
  });

  app.post('/api/v1/config/reload', async (req, reply) => {
    const reloader = source.reloader;
    if (reloader === undefined) return sendError(reply, 501, 'this server cannot reload yet');
    if (source.stopping()) return sendError(reply, 503, 'the server is shutting down');
    source.log(`HTTP API: configuration reload asked for from ${req.ip}`);
    const result = await reloader.reload(); // counted in leasehold_reloads_total by daemon-http.ts's reloader
    if (result.ok) return result;
    const first = result.errors[0]?.split('\n')[0] ?? 'unknown error';
    return reply.code(409).send({ error: `the configuration was refused: ${first}`, ...result });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/history', async (req, reply) => {
    const history = source.history();
    if (history === undefined) return sendError(reply, 501, 'lease history is not kept (--history-days 0)');
    const ip = param(req.query.ip) || undefined;
    const macText = param(req.query.mac) || undefined;
    if (ip === undefined && macText === undefined) return sendError(reply, 400, 'give ip= or mac=');
    if (ip !== undefined && parseIpv4(ip) === undefined) return sendError(reply, 400, `${ip} is not an address`);
    const mac = macText === undefined ? undefined : parseHex(macText);
    if (macText !== undefined && mac === undefined)
      return sendError(reply, 400, `${macText} is not a hardware address`);
    const limit = pageLimit(req.query.limit);
    if (typeof limit !== 'number') return sendError(reply, 400, limit.error);
    const entries = await history.query({
      ...(ip !== undefined ? { ip } : {}),
      ...(mac !== undefined ? { mac: colonHex(mac) } : {}),
      limit,
    });
    return {
      items: entries.map((e) => ({
        at: isoTime(e.t),
        ip: e.ip,
        state: e.state,
        hardware: e.hardware ?? null,
        clientId: e.clientId ?? null,
        hostname: e.hostname ?? null,
        starts: isoTime(e.starts),
        ends: isoTime(e.ends ?? undefined),
      })),
    };
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.text();
    return reply.type(metrics.contentType).send(text);
  });
}
