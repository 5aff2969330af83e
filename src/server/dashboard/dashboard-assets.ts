// Serves the dashboard's static files (the top-level dashboard/ folder) with strict security headers.
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../../package/package-root.js';
import { ApiError } from '../errors.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Scripts and styles only from this origin, no inline code, no framing. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The dashboard/ folder shipped next to package.json (found from src/, dist/ or the bundle alike). */
export function dashboardDir(): string {
  return join(packageRoot(), 'dashboard');
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found · Slipway</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main class="notfound"><h1>Not found</h1><p>There is nothing here. <a href="/">Open the dashboard</a>.</p></main></body></html>
`;

/**
 * Registers `/` (index.html), one route per file of the dashboard folder, and a catch-all GET
 * that answers unknown paths: the usual JSON 404 under /api/, an HTML 404 page elsewhere.
 */
export function registerDashboardAssets(app: FastifyInstance, dir = dashboardDir()): void {
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => extname(name) in TYPES) : [];
  const send = async (reply: FastifyReply, name: string) => {
    const body = await readFile(join(dir, name));
    return securityHeaders(reply)
      .type(TYPES[extname(name)] ?? 'application/octet-stream')
      .send(body);
  };
  app.get('/', async (_request, reply) => {
    if (!files.includes('index.html'))
      throw new ApiError(404, 'NOT_FOUND', `the dashboard is not installed (no ${join(dir, 'index.html')})`);
    return send(reply, 'index.html');
  });
  for (const name of files) {
    if (name === 'index.html') continue;
    app.get(`/${name}`, async (_request, reply) => send(reply, name));
  }
  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (path.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html'))
      throw new ApiError(404, 'NOT_FOUND', `no route ${request.method} ${path}`);
    return securityHeaders(reply)
      .code(404)
      .type(TYPES['.html'] as string)
      .send(NOT_FOUND_PAGE);
  });
}
