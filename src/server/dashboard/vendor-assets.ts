// Third-party browser files the dashboard loads, served from the installed npm packages as they
// ship (no build step): Chart.js's UMD build at /vendor/chart.umd.js, with its source map.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../package/package-root.js';
import { ApiError } from '../errors.js';

/**
 * A day, then revalidated by ETag (the package's name and version): a vendor file changes only with
 * its package, and a browser must not keep an old build long after a Slipway upgrade brings a new one.
 */
const CACHE = 'public, max-age=86400';

/** Each served name, its package, its file inside the package's dist/, and its type. */
const VENDOR: readonly { name: string; pkg: string; file: string; type: string }[] = [
  { name: 'chart.umd.js', pkg: 'chart.js', file: 'chart.umd.js', type: 'text/javascript; charset=utf-8' },
  { name: 'chart.umd.js.map', pkg: 'chart.js', file: 'chart.umd.js.map', type: 'application/json' },
];

/** The dist/ folder of an installed package, found as Node finds it from Slipway's own package. */
function distOf(pkg: string): string | undefined {
  try {
    // The package's main entry sits in its dist/ (chart.js exports no other path).
    return dirname(createRequire(join(packageRoot(), 'package.json')).resolve(pkg));
  } catch {
    return undefined;
  }
}

/** Registers `/vendor/<name>` for each vendor file, cached a day and then revalidated; a missing package is a 404 naming it. */
export function registerVendorAssets(app: FastifyInstance): void {
  for (const asset of VENDOR) {
    app.get(`/vendor/${asset.name}`, async (request, reply) => {
      const dist = distOf(asset.pkg);
      if (dist === undefined)
        throw new ApiError(404, 'NOT_FOUND', `the ${asset.pkg} package is not installed: run npm install`);
      const { version } = JSON.parse(await readFile(join(dist, '..', 'package.json'), 'utf8')) as {
        version?: string;
      };
      const etag = `"${asset.pkg}@${version ?? 'unknown'}/${asset.file}"`;
      reply.header('x-content-type-options', 'nosniff').header('cache-control', CACHE).header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(asset.type).send(await readFile(join(dist, asset.file)));
    });
  }
}
