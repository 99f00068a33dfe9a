// The web dashboard's files: the page, its scripts and style (src/http/dashboard/), and the two libraries it
// uses, served from node_modules (the server may have no internet): Chart.js (the pools' history plot) and Pico's
// classless CSS. `/` and `/dashboard` redirect to `/dashboard/`, keeping the query (`?token=`).
//
// These files hold no data and are answered without a token, before authorization: a browser cannot send
// `Authorization: Bearer` when it loads a page. The page then sends the token on every API call (it takes it once
// from `?token=` or from its sign-in form and keeps it in sessionStorage), so every piece of data goes through the
// API's own authorization and roles. They are answered from an onRequest hook that runs before the API's, not as
// routes: the API's routes (and the OpenAPI document that describes them) stay the API's alone.
//
// Only GET and HEAD, only the names listed here (no path from the request reaches the file system), each file
// read once and kept (a few hundred KiB in all), and headers that keep the page to its own origin.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DASHBOARD_PATH = '/dashboard/';

interface Asset {
  /** Absolute path, or undefined when the file cannot be found (answered 404 with why). */
  path: () => string | undefined;
  type: string;
  /** Library files change only with the package: the browser may keep them a while. */
  vendor: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

/** src/http/dashboard/ - beside this file when run from src/, three levels up from dist/src/http/ otherwise. */
function ownDir(): string {
  for (const dir of [join(here, 'dashboard'), resolve(here, '../../../src/http/dashboard')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return join(here, 'dashboard');
}

let ownDirCache: string | undefined;
function own(name: string): () => string {
  return () => {
    ownDirCache ??= ownDir();
    return join(ownDirCache, name);
  };
}

/** A file of an installed package: its main entry's directory (packages' `exports` hide their other files). */
function packaged(pkg: string, fromMain: string): () => string | undefined {
  return () => {
    try {
      return resolve(dirname(createRequire(import.meta.url).resolve(pkg)), fromMain);
    } catch {
      return undefined;
    }
  };
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/dashboard/', { path: own('index.html'), type: 'text/html; charset=utf-8', vendor: false }],
  ...['app.js', 'api.js', 'ui.js', 'pools.js', 'leases.js', 'panels.js'].map(
    (f) => [`/dashboard/${f}`, { path: own(f), type: JS, vendor: false }] as const,
  ),
  ['/dashboard/style.css', { path: own('style.css'), type: CSS, vendor: false }],
  // chart.js's main entry is dist/chart.cjs; the UMD build beside it sets window.Chart
  ['/dashboard/vendor/chart.umd.min.js', { path: packaged('chart.js', 'chart.umd.min.js'), type: JS, vendor: true }],
  // @picocss/pico's main entry is css/pico.min.css
  [
    '/dashboard/vendor/pico.classless.min.css',
    { path: packaged('@picocss/pico', 'pico.classless.min.css'), type: CSS, vendor: true },
  ],
]);

/** The page loads its own files only, talks to its own origin only, and is never framed. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const contents = new Map<string, Promise<Buffer>>();

function load(path: string): Promise<Buffer> {
  let got = contents.get(path);
  if (got === undefined) {
    got = readFile(path);
    contents.set(path, got);
    got.catch(() => contents.delete(path)); // a file installed later is found on the next request
  }
  return got;
}

function redirectTarget(url: string): string | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== '/' && path !== '/dashboard') return undefined;
  return DASHBOARD_PATH + (q < 0 ? '' : url.slice(q));
}

async function serve(asset: Asset, reply: FastifyReply): Promise<FastifyReply> {
  const path = asset.path();
  let body: Buffer;
  try {
    if (path === undefined) throw new Error('its package is not installed');
    body = await load(path);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return reply.code(404).send({ error: `dashboard file missing (${why}): run the install command (npm ci)` });
  }
  return reply
    .headers(SECURITY_HEADERS)
    .header('cache-control', asset.vendor ? 'public, max-age=86400' : 'no-cache')
    .type(asset.type)
    .send(body);
}

/**
 * Serves the dashboard. Call it before the API's authorization hook is added: its hook answers the dashboard's
 * files (which then skip authorization) and lets every other request through.
 */
export function registerDashboard(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const target = redirectTarget(req.url);
    if (target !== undefined) return reply.redirect(target, 302);
    const q = req.url.indexOf('?');
    const asset = ASSETS.get(q < 0 ? req.url : req.url.slice(0, q));
    if (asset !== undefined) return serve(asset, reply);
  });
}
