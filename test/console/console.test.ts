// The web console in headless Chromium against a live gateway: each workflow done through the
// page, then checked through the management API with the SDK (the console did what it showed).
// Every page is watched for console errors and for requests to any origin but the gateway's.
// Screenshots of the main views go to tmp/console-screenshots/ (git-ignored test artefacts).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiKeyCommand, GetApiKeysCommand, GetMethodCommand, GetResourcesCommand, GetRestApisCommand, GetStageCommand, GetUsagePlansCommand,
  type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import type { Page } from 'playwright-core';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, startTestGatehouse } from '../helpers/server.ts';
import { launchBrowser, type TestBrowser, type WatchedPage } from '../helpers/browser.ts';

const SHOTS = join(process.cwd(), 'tmp', 'console-screenshots');

describe('the web console', { timeout: 240_000 }, () => {
  let gh: Gatehouse;
  let client: APIGatewayClient;
  let browser: TestBrowser;
  let watched: WatchedPage;
  let page: Page;

  async function signIn(p: Page, url: string, accessKeyId = CREDENTIALS.accessKeyId, secret = CREDENTIALS.secretAccessKey): Promise<void> {
    await p.goto(`${url}/_gatehouse/console/`);
    await p.getByLabel('Access key ID').fill(accessKeyId);
    await p.getByLabel('Secret access key').fill(secret);
    await p.getByLabel('Region').fill('us-east-1');
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  async function apiIdByName(name: string): Promise<string> {
    const apis = await client.send(new GetRestApisCommand({ limit: 500 }));
    const a = apis.items?.find((x) => x.name === name);
    assert.ok(a, `API ${name} exists`);
    return a.id!;
  }

  /** Clicks an operation's button and waits until it has finished (the button is enabled again). */
  async function act(testId: string, p: Page = page): Promise<void> {
    await p.getByTestId(testId).click();
    await p.waitForFunction((id) => {
      const b = document.querySelector(`[data-testid="${id}"]`);
      return b === null || !(b as HTMLButtonElement).disabled;
    }, testId);
  }

  async function shot(name: string, p: Page = page): Promise<void> {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    gh = await startTestGatehouse();
    client = apiGatewayClient(gh.url);
    browser = await launchBrowser();
    watched = await browser.page([gh.url]);
    page = watched.page;
    page.on('dialog', (d) => void d.accept());
    await signIn(page, gh.url);
    await page.getByRole('heading', { name: 'APIs' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await gh?.close();
  });

  it('serves the page with a policy that keeps it on its own origin', async () => {
    const res = await fetch(`${gh.url}/_gatehouse/console/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    const again = await fetch(`${gh.url}/_gatehouse/console/app.js`, { headers: { 'if-none-match': (await fetch(`${gh.url}/_gatehouse/console/app.js`)).headers.get('etag')! } });
    assert.equal(again.status, 304);
    const redirect = await fetch(`${gh.url}/_gatehouse/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    // A deep link loads the page too.
    assert.equal((await fetch(`${gh.url}/_gatehouse/console/apis/abc`)).headers.get('content-type'), 'text/html; charset=utf-8');
  });

  it('creates an API, its resources ({param}, {proxy+}) and deletes one', async () => {
    await page.getByLabel('API name').fill('console-pets');
    await page.getByLabel('Description').fill('made in the console');
    await act('create-api');
    await page.getByRole('link', { name: 'Resources' }).waitFor();
    const id = await apiIdByName('console-pets');
    assert.match(page.url(), new RegExp(`#/apis/${id}$`));

    await page.getByLabel('Resource path part').fill('pets');
    await act('create-resource');
    await page.getByRole('heading', { name: /^\/pets Resource/ }).waitFor();
    await page.getByLabel('Resource path part').fill('{petId}');
    await act('create-resource');
    await page.getByRole('heading', { name: /^\/pets\/\{petId\} Resource/ }).waitFor();
    // A second variable path part beside {petId} is refused with AWS's message, where the user acted.
    await page.getByRole('link', { name: '/pets', exact: true }).click();
    await page.getByRole('heading', { name: /^\/pets Resource/ }).waitFor();
    await page.getByLabel(/Configure as proxy resource/).check();
    await act('create-resource');
    await page.getByRole('alert').filter({ hasText: /BadRequestException: A sibling \(\{petId\}\) of this resource already has a variable path part/ }).waitFor();
    await page.getByRole('link', { name: '/', exact: true }).click();
    await page.getByRole('heading', { name: /^\/ Resource/ }).waitFor();
    await page.getByLabel(/Configure as proxy resource/).check();
    await act('create-resource');
    await page.getByRole('heading', { name: /^\/\{proxy\+\} Resource/ }).waitFor();
    let paths = (await client.send(new GetResourcesCommand({ restApiId: id }))).items!.map((r) => r.path).sort();
    assert.deepEqual(paths, ['/', '/pets', '/pets/{petId}', '/{proxy+}']);

    await act('delete-resource');
    await page.getByRole('heading', { name: /^\/ Resource/ }).waitFor();
    paths = (await client.send(new GetResourcesCommand({ restApiId: id }))).items!.map((r) => r.path).sort();
    assert.deepEqual(paths, ['/', '/pets', '/pets/{petId}']);
  });

  it('creates a MOCK method and edits its four boxes; Test shows the execution log', async () => {
    const id = await apiIdByName('console-pets');
    const pets = (await client.send(new GetResourcesCommand({ restApiId: id }))).items!.find((r) => r.path === '/pets')!;
    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${id}/resources/${pets.id}`);
    await page.getByLabel('HTTP method').selectOption('GET');
    await page.getByLabel('Integration type').selectOption('MOCK');
    await act('create-method');
    await page.getByRole('heading', { name: '/pets – GET – Method Execution' }).waitFor();
    // waitFor, not isVisible: the boxes may render a moment after the heading (a busy CI machine saw them missing).
    for (const box of ['method-request', 'integration-request', 'integration-response', 'method-response']) await page.getByTestId(`box-${box}`).waitFor();
    await shot('method-execution');

    // Method Request: an API key and a query string parameter.
    await page.getByTestId('box-method-request').click();
    await page.getByLabel('API key required').check();
    await page.getByLabel('Request parameters').fill('method.request.querystring.type=true');
    await act('save-method-request');
    await page.getByTestId('box-method-request').getByText('API Key: Required').waitFor();

    // Method Response: a header.
    await page.getByTestId('box-method-response').click();
    await page.getByLabel('HTTP status').fill('404');
    await page.getByLabel('Response headers').fill('X-Pet-Count');
    await act('save-method-response');
    await page.getByTestId('box-method-response').getByText('HTTP 200, HTTP 404').waitFor();

    // Integration Request: its mapping template in the code editor.
    await page.getByTestId('box-integration-request').click();
    await page.getByLabel('Template application/json').fill('{"statusCode": $input.params(\'code\')}');
    await page.getByLabel('Request body passthrough').selectOption('NEVER');
    await act('save-integration-request');

    // Integration Response: the 200's template and a header mapping, and a 404 by selection pattern.
    await page.getByTestId('box-integration-response').click();
    await page.getByLabel('Header mappings').waitFor();
    await page.getByLabel('Add mapping template').count();
    await page.getByRole('button', { name: 'Add mapping template' }).click();
    await page.getByLabel('Template application/json').last().fill('{"pets": [], "type": "$input.params(\'type\')"}');
    await act('save-integration-response');
    await page.getByRole('button', { name: 'Add integration response' }).click();
    await page.getByLabel('Method response status').selectOption('404');
    await page.getByLabel('Selection pattern (HTTP status regex, or Lambda error regex)').fill('404');
    await page.getByLabel('Header mappings').fill("method.response.header.X-Pet-Count='0'");
    await act('save-integration-response');
    await page.getByRole('table', { name: 'Integration responses' }).getByText('404', { exact: true }).first().waitFor();

    const m = await client.send(new GetMethodCommand({ restApiId: id, resourceId: pets.id!, httpMethod: 'GET' }));
    assert.equal(m.apiKeyRequired, true);
    assert.deepEqual(m.requestParameters, { 'method.request.querystring.type': true });
    assert.deepEqual(m.methodResponses?.['404']?.responseParameters, { 'method.response.header.X-Pet-Count': false });
    assert.equal(m.methodIntegration?.passthroughBehavior, 'NEVER');
    assert.equal(m.methodIntegration?.requestTemplates?.['application/json'], '{"statusCode": $input.params(\'code\')}');
    assert.equal(m.methodIntegration?.integrationResponses?.['200']?.responseTemplates?.['application/json'], '{"pets": [], "type": "$input.params(\'type\')"}');
    assert.equal(m.methodIntegration?.integrationResponses?.['404']?.selectionPattern, '404');
    assert.deepEqual(m.methodIntegration?.integrationResponses?.['404']?.responseParameters, { 'method.response.header.X-Pet-Count': "'0'" });

    // Test: TestInvokeMethod with its log.
    await page.getByTestId('open-test').click();
    await page.getByLabel('Query strings').fill('type=cat&code=200');
    await act('run-test');
    await page.getByTestId('test-result').waitFor();
    assert.equal(await page.getByTestId('test-status').textContent(), '200');
    assert.deepEqual(JSON.parse((await page.getByTestId('test-body').textContent())!), { pets: [], type: 'cat' });
    assert.match((await page.getByTestId('test-log').textContent())!, /Method completed with status: 200/);
    await shot('method-test');
    await page.getByLabel('Query strings').fill('type=cat&code=404');
    await act('run-test');
    await page.getByTestId('test-status').getByText('404').waitFor();
  });

  it('deploys the API and edits the stage: variables, throttling, caching, logging, canary', async () => {
    const id = await apiIdByName('console-pets');
    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${id}/stages`);
    await page.getByLabel('Stage name').fill('dev');
    await page.getByLabel('Deployment description').fill('first');
    await act('deploy');
    await page.getByRole('heading', { name: 'dev Stage Editor' }).waitFor();
    await page.getByLabel('Stage variables').fill('backend=pets.example\nversion=1');
    await page.getByLabel('Default method throttling: rate (requests per second)').fill('50');
    await page.getByLabel('Burst').fill('20');
    await page.getByLabel('Enable API cache').check();
    await page.getByLabel('CloudWatch logging').selectOption('INFO');
    await page.getByLabel('Canary: percentage of requests').fill('10');
    await act('save-stage');
    await page.getByTestId('save-stage').getByText('Save Changes', { exact: true }).waitFor();
    await shot('stage-editor');
    let s = await client.send(new GetStageCommand({ restApiId: id, stageName: 'dev' }));
    for (let i = 0; i < 50 && s.variables?.version !== '1'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await client.send(new GetStageCommand({ restApiId: id, stageName: 'dev' }));
    }
    assert.deepEqual(s.variables, { backend: 'pets.example', version: '1' });
    assert.equal(s.methodSettings?.['*/*']?.throttlingRateLimit, 50);
    assert.equal(s.methodSettings?.['*/*']?.throttlingBurstLimit, 20);
    assert.equal(s.methodSettings?.['*/*']?.loggingLevel, 'INFO');
    assert.equal(s.cacheClusterEnabled, true);
    assert.equal(s.canarySettings?.percentTraffic, 10);
    // The deployed method answers as the console built it.
    const key = await client.send(new CreateApiKeyCommand({ name: 'tester', enabled: true }));
    const res = await fetch(`${gh.url}/restapis/${id}/dev/_user_request_/pets?type=dog&code=200`, { headers: { 'x-api-key': key.value! } });
    assert.equal(res.status, 403, 'a key not in a usage plan of the stage is refused');
  });

  it('imports the example PetStore API, clones it, exports it', async () => {
    await page.goto(`${gh.url}/_gatehouse/console/#/apis`);
    await page.getByLabel('Example API').check();
    await act('create-api');
    await page.getByRole('link', { name: 'Resources' }).waitFor();
    const petstore = await apiIdByName('PetStore');
    const paths = (await client.send(new GetResourcesCommand({ restApiId: petstore }))).items!.map((r) => r.path).sort();
    assert.deepEqual(paths, ['/', '/pets', '/pets/{petId}']);

    await page.goto(`${gh.url}/_gatehouse/console/#/apis`);
    await page.getByLabel('Clone from API').check();
    await page.getByLabel('API name').fill('PetStore copy');
    await page.getByLabel('Clone from', { exact: true }).selectOption(petstore);
    await act('create-api');
    await page.getByRole('link', { name: 'Resources' }).waitFor();
    const copy = await apiIdByName('PetStore copy');
    assert.deepEqual((await client.send(new GetResourcesCommand({ restApiId: copy }))).items!.map((r) => r.path).sort(), paths);

    await page.goto(`${gh.url}/_gatehouse/console/#/apis`);
    await page.getByLabel('Import from Swagger or Open API 3').check();
    await page.getByLabel('Definition', { exact: true }).fill(JSON.stringify({ swagger: '2.0', info: { title: 'pasted', version: '1' }, paths: { '/ping': { get: { responses: { 200: { description: 'ok' } } } } } }));
    await act('create-api');
    await page.getByRole('link', { name: 'Resources' }).waitFor();
    const pasted = await apiIdByName('pasted');
    assert.ok((await client.send(new GetResourcesCommand({ restApiId: pasted }))).items!.some((r) => r.path === '/ping'));

    // An import AWS refuses shows AWS's message where the user acted.
    await page.goto(`${gh.url}/_gatehouse/console/#/apis`);
    await page.getByLabel('Import from Swagger or Open API 3').check();
    await page.getByLabel('Definition', { exact: true }).fill('{"not": "a definition"');
    await act('create-api');
    await page.getByRole('alert').filter({ hasText: 'BadRequestException' }).waitFor();

    await page.goto(`${gh.url}/_gatehouse/console/#/apis/${await apiIdByName('console-pets')}/export`);
    await page.getByLabel('Stage').fill('dev');
    await act('export');
    const exported = JSON.parse((await page.getByLabel('Exported definition').textContent())!);
    assert.equal(exported.swagger, '2.0');
    assert.ok(exported.paths['/pets'].get['x-amazon-apigateway-integration']);
  });

  it('creates an API key and a usage plan with the stage and the key; the usage chart counts the key\'s calls', async () => {
    await page.goto(`${gh.url}/_gatehouse/console/#/keys`);
    await page.getByLabel('Name').fill('console-key');
    await act('create-key');
    const value = await page.getByTestId('key-value').textContent();
    const keys = await client.send(new GetApiKeysCommand({ includeValues: true }));
    const key = keys.items!.find((k) => k.name === 'console-key')!;
    assert.equal(key.value, value);

    const id = await apiIdByName('console-pets');
    await page.goto(`${gh.url}/_gatehouse/console/#/usage-plans`);
    await page.getByLabel('Name').fill('gold');
    await page.getByLabel('Throttling rate (requests per second)').fill('100');
    await page.getByLabel('Quota (requests)').fill('1000');
    await act('create-plan');
    await page.getByRole('heading', { name: 'gold' }).waitFor();
    await page.getByLabel('API id').fill(id);
    await page.getByLabel('Stage', { exact: true }).fill('dev');
    await act('add-stage');
    await page.getByRole('listitem').filter({ hasText: `${id} dev` }).waitFor();
    await page.getByLabel('API key to add').selectOption(key.id!);
    await act('add-key');
    await page.getByRole('listitem').filter({ hasText: key.id! }).waitFor();
    const plan = (await client.send(new GetUsagePlansCommand({}))).items!.find((p) => p.name === 'gold')!;
    assert.deepEqual(plan.apiStages, [{ apiId: id, stage: 'dev' }]);
    assert.equal(plan.quota?.limit, 1000);

    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${gh.url}/restapis/${id}/dev/_user_request_/pets?type=dog&code=200`, { headers: { 'x-api-key': value! } });
      assert.equal(r.status, 200);
    }
    await page.reload();
    await page.getByTestId('usage-console-key').getByText('console-key: 3 requests').waitFor();
    await shot('usage-plan');
  });

  it('is usable on a narrow window and from the keyboard', async () => {
    const narrow = await browser.page([gh.url], { width: 420, height: 800 });
    narrow.page.on('dialog', (d) => void d.accept());
    await signIn(narrow.page, gh.url);
    await narrow.page.getByRole('heading', { name: 'APIs' }).waitFor();
    const width = await narrow.page.evaluate(() => document.documentElement.scrollWidth);
    const widest = await narrow.page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 421).map((e) => `${e.tagName}.${e.className}`).slice(0, 5).join(' '));
    assert.ok(width <= 440, `no horizontal scrolling at 420 px (page is ${width} px wide: ${widest})`);
    await shot('narrow-api-list', narrow.page);
    // Keyboard: Tab reaches the API name field and Enter on the button creates the API.
    await narrow.page.getByLabel('API name').focus();
    await narrow.page.keyboard.type('keyboard-api');
    let tabs = 0;
    while (tabs++ < 20 && (await narrow.page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)) !== 'create-api') await narrow.page.keyboard.press('Tab');
    await narrow.page.keyboard.press('Enter');
    await narrow.page.getByRole('link', { name: 'Resources' }).waitFor();
    await apiIdByName('keyboard-api');
    assert.deepEqual(narrow.errors, []);
    assert.deepEqual(narrow.foreignRequests, []);
    await narrow.context.close();
  });

  it('left no console errors and made no request to another origin', () => {
    // Chromium logs each refused call as a failed resource: exactly the two refusals the tests
    // asked for (a second variable path part, an invalid definition), and nothing else.
    const refused: string[] = watched.errors.filter((e) => e === 'Failed to load resource: the server responded with a status of 400 (Bad Request)');
    assert.equal(refused.length, 2, watched.errors.join('\n'));
    assert.deepEqual(watched.errors.filter((e) => !refused.includes(e)), [], watched.errors.join('\n'));
    assert.deepEqual(watched.foreignRequests, []);
    writeFileSync(join(SHOTS, 'README.txt'), 'Screenshots of the console views, written by test/console/console.test.ts.\n');
  });
});

describe('the web console under --auth enforce', { timeout: 120_000 }, () => {
  let gh: Gatehouse;
  let browser: TestBrowser;

  before(async () => {
    const dir = join(tmpdir(), `gh-console-enforce-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const identities = join(dir, 'identities.json');
    writeFileSync(identities, JSON.stringify({
      accounts: { '111111111111': { users: { alice: { accessKeys: [{ accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret' }], policies: { all: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:*', Resource: '*' }] } } } } } },
    }));
    gh = await startTestGatehouse({ auth: 'enforce', identities });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await gh?.close();
  });

  it('refuses wrong credentials with AWS\'s message and works with valid ones', async () => {
    const w = await browser.page([gh.url]);
    await w.page.goto(`${gh.url}/_gatehouse/console/`);
    await w.page.getByLabel('Access key ID').fill('AKIAALICE00000000001');
    await w.page.getByLabel('Secret access key').fill('wrong-secret');
    await w.page.getByLabel('Region').fill('us-east-1');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('alert').filter({ hasText: /signature/i }).waitFor();
    await w.page.getByLabel('Secret access key').fill('alice-secret');
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('heading', { name: 'APIs' }).waitFor();
    await w.page.getByLabel('API name').fill('alice-api');
    await w.page.getByTestId('create-api').click();
    await w.page.getByRole('link', { name: 'Resources' }).waitFor();
    const alice = apiGatewayClient(gh.url);
    alice.config.credentials = async () => ({ accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret' });
    const apis = await alice.send(new GetRestApisCommand({}));
    assert.deepEqual(apis.items?.map((a) => a.name), ['alice-api']);
    // Filtered: the SDK's own 403 for the wrong signature is logged by Chromium as a failed resource.
    assert.deepEqual(w.errors.filter((e) => !/status of 403/.test(e)), []);
    assert.deepEqual(w.foreignRequests, []);
  });
});
