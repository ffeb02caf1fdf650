// The generated JavaScript SDK as AWS's README says to use it: unzipped, loaded into a web page
// with script tags, in headless Chromium, calling a live stage of a gateway that enforces SigV4
// (--auth enforce) from another origin, with CORS set up as the console's "Enable CORS" does.
// Every method of the PetStore API (the CORS OPTIONS methods too); the API key method with and
// without the key; the AWS_IAM methods signed in the page by the SDK (SubtleCrypto). No page errors, no request elsewhere.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetSdkCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { unzipSync } from 'fflate';
import type { Gatehouse } from '../../src/server.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import type { Backend } from '../execute/helpers.ts';
import { apiGateway, KEYS, startEnforcing } from '../iam/helpers.ts';
import { createPetStore, startEcho, type PetStore } from './helpers.ts';

const SCRIPTS = [
  'lib/apiGatewayCore/utils.js', 'lib/apiGatewayCore/sigV4Client.js', 'lib/apiGatewayCore/simpleHttpClient.js',
  'lib/apiGatewayCore/apiGatewayClient.js', 'apigClient.js',
];

/** What the page does with the SDK: every method, each outcome recorded. */
const DRIVER = `
async function outcome(p) {
  try {
    const r = await p;
    return { status: r.status, data: r.data, type: r.headers['content-type'] };
  } catch (e) {
    return { error: e.message, status: e.response ? e.response.status : null, data: e.response ? e.response.data : null };
  }
}
window.runAll = async function (config) {
  const client = apigClientFactory.newClient(config);
  const bare = apigClientFactory.newClient({});
  return {
    rootGet: await outcome(client.rootGet({}, {}, {})),
    petsGet: await outcome(client.petsGet({ type: 'fish', page: 3 })),
    petsPost: await outcome(client.petsPost({}, { type: 'dog', price: 4 })),
    petsPetIdGet: await outcome(client.petsPetIdGet({ petId: 'rex', 'x-trace': 'page' })),
    petsPetIdDelete: await outcome(client.petsPetIdDelete({ petId: 'rex' })),
    secretGet: await outcome(client.secretGet()),
    iamOnlyGet: await outcome(client.iamOnlyGet({}, undefined, { queryParams: { filter: 'a b' } })),
    iamOnlyItemPut: await outcome(client.iamOnlyItemPut({ item: 'a b+c(1)' }, { n: 1 })),
    secretWithoutKey: await outcome(bare.secretGet()),
    iamUnsigned: await outcome(bare.iamOnlyGet()),
    missingParameter: await outcome(client.petsPetIdGet({})),
    subtle: typeof crypto.subtle,
    methods: Object.keys(client).sort(),
    // The OPTIONS methods "Enable CORS" added are methods of the SDK too, as in AWS's.
    options: await Promise.all(Object.keys(client).filter((n) => /Options$/.test(n)).sort().map(async (n) => {
      const r = await outcome(client[n]({ petId: 'p', item: 'i' }));
      return [n, r.status];
    })),
  };
};
`;

/** The page: the README's script tags, then the driver. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>SDK</title><link rel="icon" href="data:,">
${SCRIPTS.map((s) => `<script type="text/javascript" src="${s}"></script>`).join('\n')}
<script type="text/javascript">${DRIVER}</script>
</head><body><p id="ready">ready</p></body></html>
`;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** Serves `root`'s files (the unzipped SDK and the page) at http://127.0.0.1:{port}. */
async function startStatic(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { url: `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`, server };
}

describe('the generated JavaScript SDK in Chromium', () => {
  let gh: Gatehouse;
  let echo: Backend;
  let admin: APIGatewayClient;
  let store: PetStore;
  let dir: string;
  let site: { url: string; server: Server };
  let browser: TestBrowser;
  let apiOrigin: string;

  before(async () => {
    gh = await startEnforcing();
    echo = await startEcho();
    admin = apiGateway(gh.url, KEYS.admin);
    store = await createPetStore(admin, gh.url, KEYS.admin, echo.url);
    apiOrigin = `http://${store.restApiId}.execute-api.localhost:${new URL(gh.url).port}`;
    const out = await admin.send(new GetSdkCommand({
      restApiId: store.restApiId, stageName: 'prod', sdkType: 'javascript', parameters: { invokeUrl: `${apiOrigin}/prod` },
    }));
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-page-'));
    for (const [path, data] of Object.entries(unzipSync(out.body!))) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), data);
    }
    const root = join(dir, 'apiGateway-js-sdk');
    writeFileSync(join(root, 'index.html'), PAGE);
    site = await startStatic(root);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => (site ? site.server.close(() => r()) : r()));
    admin.destroy();
    await gh.close();
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls every method from a page of another origin, with an API key and a SigV4-signed AWS_IAM method', async () => {
    const { page, errors, foreignRequests, context } = await browser.page([site.url, apiOrigin]);
    // Generous bounds: on a loaded CI machine Chromium can take long to start rendering.
    page.setDefaultTimeout(120_000);
    page.setDefaultNavigationTimeout(120_000);
    try {
      await page.goto(`${site.url}/index.html`);
      await page.waitForSelector('#ready');
      const config = { apiKey: store.apiKey, accessKey: KEYS.invoker.accessKeyId, secretKey: KEYS.invoker.secretAccessKey, region: 'us-east-1' };
      // The page's own function (a string there: tsx would add helpers to a function passed from here).
      const results = (await page.evaluate((c) => (globalThis as unknown as { runAll(c: unknown): Promise<unknown> }).runAll(c), config)) as Record<string, unknown>;

      // A cross-origin answer reaches a page only when its CORS headers allow it (which the
      // page cannot read itself: Access-Control-Allow-Origin is not exposed to scripts).
      assert.deepEqual(results.rootGet, { status: 200, data: { root: true }, type: 'application/json' });
      assert.deepEqual(results.petsGet, { status: 200, data: { type: 'fish', page: '3' }, type: 'application/json' });
      assert.deepEqual(results.petsPost, { status: 200, data: { created: true, pet: { type: 'dog', price: 4 } }, type: 'application/json' });
      assert.deepEqual(results.petsPetIdGet, { status: 200, data: { petId: 'rex', trace: 'page' }, type: 'application/json' });
      assert.deepEqual(results.petsPetIdDelete, { status: 200, data: { deleted: 'rex' }, type: 'application/json' });
      assert.deepEqual(results.secretGet, { status: 200, data: { secret: 'opened' }, type: 'application/json' });
      assert.deepEqual(results.iamOnlyItemPut, { status: 200, data: { item: 'a b+c(1)', body: { n: 1 } }, type: 'application/json' });
      assert.deepEqual(results.iamOnlyGet, { status: 200, data: { userArn: 'arn:aws:iam::111111111111:user/invoker' }, type: 'application/json' });
      // The gateway's own refusals reach the page (DEFAULT_4XX carries the CORS header).
      assert.deepEqual(results.secretWithoutKey, { error: 'Request failed with status code 403', status: 403, data: { message: 'Forbidden' } });
      assert.deepEqual(results.iamUnsigned, { error: 'Request failed with status code 403', status: 403, data: { message: 'Missing Authentication Token' } });
      assert.deepEqual(results.missingParameter, { error: 'Missing required parameter: petId', status: null, data: null });
      assert.equal(results.subtle, 'object');
      assert.deepEqual(results.methods, [
        'iamOnlyGet', 'iamOnlyItemOptions', 'iamOnlyItemPut', 'iamOnlyOptions', 'petsGet', 'petsOptions', 'petsPetIdDelete',
        'petsPetIdGet', 'petsPetIdOptions', 'petsPost', 'rootGet', 'rootOptions', 'secretGet', 'secretOptions',
      ]);
      assert.deepEqual(results.options, [
        ['iamOnlyItemOptions', 200], ['iamOnlyOptions', 200], ['petsOptions', 200], ['petsPetIdOptions', 200], ['rootOptions', 200], ['secretOptions', 200],
      ]);
      assert.deepEqual(errors.filter((e) => !/status of 403/.test(e)), []);
      assert.deepEqual(foreignRequests, []);
    } finally {
      await context.close();
    }
  });
});
