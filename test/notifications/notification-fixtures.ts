/** Notifications the channel tests send, named by scenario. */
import type { Notification } from '../../src/notifications/notification.js';

/** A deploy of `web` to production that went well, with every link set. */
export const DEPLOY_COMPLETED: Notification = {
  trigger: 'deploy.completed',
  id: 'evt-deploy-0001',
  title: 'web deployed to production',
  text: 'Revision 42 of web is serving 100% of production traffic.',
  service: 'web',
  environment: 'production',
  commitSha: '8f14e45fceea167a5a36dedd4bea2543f3c1a2b9',
  repository: 'acme/shop',
  url: 'https://slipway.example.com/runs/42',
  at: Date.UTC(2026, 2, 14, 9, 26, 53),
  outcome: 'success',
  environmentUrl: 'https://shop.example.com',
};

/** A pipeline of `acme/shop` that failed at its test stage. */
export const PIPELINE_FAILED: Notification = {
  trigger: 'pipeline.failed',
  id: 'evt-pipeline-0002',
  title: 'Pipeline ci failed at stage test',
  text: 'Job unit-tests exited with code 1.',
  commitSha: '8f14e45fceea167a5a36dedd4bea2543f3c1a2b9',
  repository: 'acme/shop',
  pipeline: 'ci',
  url: 'https://slipway.example.com/runs/43',
  at: Date.UTC(2026, 2, 14, 9, 30, 0),
  outcome: 'failure',
};
