// The HTTP service (fastify): every request authorized first (tokens.ts), then the routes; every error answered
// as `{"error": message}` with the status a client expects. `startHttp` listens (TLS when given a certificate
// and key) and gives back what stops it.

import { type FastifyError, type FastifyInstance, fastify } from 'fastify';
import type { RouteContext } from './context.js';
import { registerDashboard } from './dashboard.js';
import { registerDataRoutes } from './routes-data.js';
import { registerServerRoutes } from './routes-server.js';
import { authorize, type ListenAddress, type Tokens } from './tokens.js';

/** A configuration text may be large (with its includes' hosts): 16 MiB. */
const BODY_LIMIT = 16 << 20;

export interface AppOptions {
  ctx: RouteContext;
  /** undefined: no tokens file (the caller listens only on loopback then). */
  tokens: Tokens | undefined;
  /** PEM certificate and key: HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
}

export function buildApp(opts: AppOptions): FastifyInstance {
  const base = { logger: false, bodyLimit: BODY_LIMIT, return503OnClosing: true } as const;
  const app = (opts.tls === undefined
    ? fastify(base)
    : fastify({ ...base, https: { cert: opts.tls.cert, key: opts.tls.key } })) as unknown as FastifyInstance;

  registerDashboard(app); // the page's files, before authorization (they hold no data): dashboard.ts
  app.addHook('onRequest', async (req, reply) => {
    const auth = authorize(opts.tokens, req.method, req.headers.authorization);
    if (auth.ok) return;
    if (auth.status === 401) reply.header('www-authenticate', 'Bearer realm="leasehold"');
    return reply.code(auth.status).send({ error: auth.error });
  });

  // Anything the client sends as the configuration to check is text.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) opts.ctx.source.log(`HTTP API: internal error: ${err.stack ?? err.message}`);
    reply.code(status).send({ error: status >= 500 && err.statusCode === undefined ? 'internal error' : err.message });
  });

  registerDataRoutes(app, opts.ctx);
  registerServerRoutes(app, opts.ctx);
  return app;
}

export interface HttpListener {
  /** "http://127.0.0.1:8067" */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttp(opts: AppOptions & { listen: ListenAddress }): Promise<HttpListener> {
  const app = buildApp(opts);
  await app.listen({ host: opts.listen.host, port: opts.listen.port });
  const scheme = opts.tls === undefined ? 'http' : 'https';
  const host = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.listen.port;
  return { url: `${scheme}://${host}:${port}`, close: () => app.close() };
}
