// The console's API dashboard in headless Chromium: a known mix of requests (calls, 4XX, 5XX,
// cache hits and misses on a caching stage) drawn from the CloudWatch metrics API; the figures
// the page shows equal what the API itself answers to the AWS SDK's CloudWatch client.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRestApiCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { Gatehouse } from '../../src/server.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { deploy, putMethod, resourcePath } from '../execute/helpers.ts';

const SHOTS = join(process.cwd(), 'tmp', 'console-screenshots');

describe('the console\'s API dashboard', { timeout: 180_000 }, () => {
  let gh: Gatehouse;
  let browser: TestBrowser;
  let apiId: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    gh = await startTestGatehouse();
    const client = apiGatewayClient(gh.url);
    apiId = (await client.send(new CreateRestApiCommand({ name: 'watched' }))).id!;
    await putMethod(client, apiId, await resourcePath(client, apiId, '/ok'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }],
    });
    await putMethod(client, apiId, await resourcePath(client, apiId, '/fail'), {
      httpMethod: 'GET',
      integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 500}' } },
      responses: [{ statusCode: '500', selectionPattern: '5\\d\\d', responseTemplates: { 'application/json': '{"ok": false}' } }],
    });
    await deploy(client, apiId, 'prod');
    await client.send(new UpdateStageCommand({
      restApiId: apiId, stageName: 'prod',
      patchOperations: [{ op: 'replace', path: '/cacheClusterEnabled', value: 'true' }, { op: 'replace', path: '/*/*/caching/enabled', value: 'true' }],
    }));
    client.destroy();
    const base = `${gh.url}/restapis/${apiId}/prod/_user_request_`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/ok`)).status);
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${base}/fail`)).status);
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/nowhere`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 500, 500, 403, 403, 403]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await gh?.close();
  });

  it('shows calls, errors, latency and cache hits and misses as the metrics API counts them', async () => {
    const cw = new CloudWatchClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    const sum = async (metric: string): Promise<number> => {
      const out = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApiGateway', MetricName: metric, Dimensions: [{ Name: 'ApiName', Value: 'watched' }, { Name: 'Stage', Value: 'prod' }],
        StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ['Sum'],
      }));
      return (out.Datapoints ?? []).reduce((a, d) => a + (d.Sum ?? 0), 0);
    };
    const expected = { calls: await sum('Count'), errors4: await sum('4XXError'), errors5: await sum('5XXError'), hits: await sum('CacheHitCount'), misses: await sum('CacheMissCount') };
    cw.destroy();
    assert.equal(expected.calls, 9);
    assert.equal(expected.errors4, 3);
    assert.equal(expected.errors5, 2);
    assert.ok(expected.hits >= 3, `cache hits ${expected.hits}`);
    assert.equal(expected.hits + expected.misses, 6, 'every call to a method lookup the cache; unrouted ones do not');

    const w = await browser.page([gh.url]);
    await w.page.goto(`${gh.url}/_gatehouse/console/`);
    await w.page.getByLabel('Access key ID').fill(CREDENTIALS.accessKeyId);
    await w.page.getByLabel('Secret access key').fill(CREDENTIALS.secretAccessKey);
    await w.page.getByRole('button', { name: 'Sign in' }).click();
    await w.page.getByRole('heading', { name: 'APIs' }).waitFor();
    await w.page.goto(`${gh.url}/_gatehouse/console/#/apis/${apiId}/dashboard`);
    await w.page.getByLabel('Stage').selectOption('prod');
    for (const [id, n] of Object.entries(expected)) {
      await w.page.getByTestId(`summary-${id}`).getByText(`${n} total`, { exact: true }).waitFor();
    }
    await w.page.getByTestId('summary-latency').getByText(/ms average$/).waitFor();
    await w.page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    assert.deepEqual(w.errors, [], w.errors.join('\n'));
    assert.deepEqual(w.foreignRequests, []);
  });
});
