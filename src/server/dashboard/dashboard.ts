// The web dashboard: its session API routes and its static files, wired into the server in two calls.
import type { FastifyInstance } from 'fastify';
import { registerDashboardAssets } from './dashboard-assets.js';
import { registerVendorAssets } from './vendor-assets.js';

export { sessionRoutes as dashboardRoutes } from './session-routes.js';

/** Registers the dashboard's pages and the vendor files they load (the session routes go with the API routes). */
export function registerDashboard(app: FastifyInstance): void {
  registerVendorAssets(app);
  registerDashboardAssets(app);
}
