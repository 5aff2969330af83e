// The standard OpenFeature web SDK and OFREP web provider in a real Chromium, on a page of another
// origin than the agent-style OFREP server (two loopback ports): the page's requests go through the
// browser's CORS checks, preflight included. The page reads flags, then sees a change by polling;
// the 304s on the server show the browser let the provider read the ETag (Expose-Headers), since
// it sends If-None-Match only with an ETag it could read.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { launchChromium } from '../server/helpers/dashboard-page.js';
import { startWebOfrepServer, type WebOfrepServer, waitFor, webDocument } from './ofrep-web-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The application: the packages as an application imports them, a provider on the OFREP server the
 * page's `?ofrep=` names, and what it reads written into the page (re-read on each change).
 */
const APP = `
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';

const out = document.getElementById('flags');
const client = OpenFeature.getClient();
let changes = 0;
function show() {
  const theme = client.getStringDetails('theme', 'code-default');
  out.dataset.theme = theme.value;
  out.dataset.reason = theme.reason;
  out.dataset.discount = String(client.getNumberValue('discount', -1));
  out.dataset.retired = client.getStringValue('retired', 'code-default');
  out.dataset.changes = String(changes);
}
client.addHandler(ProviderEvents.ConfigurationChanged, () => {
  changes += 1;
  show();
});
(async () => {
  try {
    const baseUrl = new URL(location.href).searchParams.get('ofrep');
    await OpenFeature.setContext({ targetingKey: 'browser-user', plan: 'pro' });
    await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl, pollInterval: 200 }));
    show();
    out.dataset.ready = 'yes';
  } catch (error) {
    out.dataset.error = String(error);
  }
})();
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>OFREP in a browser</title><link rel="icon" href="data:,"></head>
<body><output id="flags"></output><script type="module" src="/app.js"></script></body></html>`;

/** The page and its script, served on a loopback port of their own. */
async function startPageServer(script: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [type, body] =
      path === '/'
        ? ['text/html; charset=utf-8', PAGE]
        : path === '/app.js'
          ? ['text/javascript; charset=utf-8', script]
          : ['text/plain', 'not found'];
    res.writeHead(body === 'not found' ? 404 : 200, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('the OFREP web provider in Chromium, cross-origin', {
  timeout: 120_000,
  skip: skipWithout(CHROMIUM),
}, () => {
  let browser: Browser;
  let ofrep: WebOfrepServer;
  let page: { server: Server; url: string };

  before(async () => {
    const bundled = await build({
      stdin: { contents: APP, resolveDir: ROOT, sourcefile: 'app.js', loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
    });
    ofrep = await startWebOfrepServer(webDocument('light'));
    page = await startPageServer(bundled.outputFiles[0]?.text ?? '');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await ofrep?.close();
    if (page) {
      page.server.closeAllConnections();
      await new Promise((resolve) => page.server.close(resolve));
    }
  });

  test('the page reads flags from the other origin, then sees a change by polling', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await tab.goto(`${page.url}?ofrep=${encodeURIComponent(ofrep.baseUrl)}`);
      assert.notEqual(new URL(page.url).origin, new URL(ofrep.baseUrl).origin);
      await tab.waitForSelector('#flags[data-ready], #flags[data-error]', {
        state: 'attached',
        timeout: 15_000,
      });
      const read = (name: string) => tab.locator('#flags').getAttribute(`data-${name}`);
      assert.equal(await read('error'), null);
      assert.equal(await read('theme'), 'light');
      assert.equal(await read('reason'), 'STATIC');
      assert.equal(await read('discount'), '10', 'targeting on the context the page set');
      assert.equal(await read('retired'), 'code-default', 'a disabled flag gives the code default');
      // The browser asked first (content-type JSON is not a simple request), and was allowed.
      assert.ok((ofrep.counts.get('OPTIONS /ofrep/v1/evaluate/flags 204') ?? 0) >= 1, 'a preflight');
      assert.equal(ofrep.bulk(200), 1);

      // Polls with the ETag the browser let the provider read.
      await waitFor('two 304s', () => ofrep.bulk(304) >= 2);
      ofrep.serve(webDocument('dark'));
      await tab.waitForSelector('#flags[data-theme="dark"]', { state: 'attached', timeout: 5_000 });
      assert.equal(await read('changes'), '1');
      assert.equal(ofrep.bulk(200), 2, 'one more 200 carries the change');
      const notModified = ofrep.bulk(304);
      await waitFor('a 304 under the new ETag', () => ofrep.bulk(304) > notModified);
      assert.deepEqual(errors, []);
    } finally {
      await tab.close();
    }
  });
});
