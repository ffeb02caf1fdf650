// GET /_gatehouse/metrics: CloudWatch's API Gateway metrics as Prometheus counters and histograms,
// per stage and, where metrics/enabled is on, per method; the stage cache's hits and misses;
// Lambda's invocations, errors, duration and concurrency per function; prom-client's process
// metrics. A real gateway, APIs made through the SDK, requests over HTTP, exact increases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateDeploymentCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Gatehouse } from '../../src/server.ts';
import { LATENCY_BUCKETS_MS } from '../../src/observe/metrics.ts';
import { apiGatewayClient, CREDENTIALS, REGION, startTestGatehouse } from '../helpers/server.ts';
import { ROLE, zip } from '../lambda/helpers.ts';
import { callStage, createApi, deploy, putMethod, resourcePath } from '../execute/helpers.ts';
import { grew, sample, scrape, type Sample } from './helpers.ts';

let gh: Gatehouse;
let client: APIGatewayClient;
let apiId: string;

/** A MOCK method answering `status` (the integration response selected by it). */
async function mockMethod(path: string, status: number): Promise<void> {
  await putMethod(client, apiId, await resourcePath(client, apiId, path), {
    httpMethod: 'GET',
    integration: { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` } },
    responses: [{ statusCode: String(status), selectionPattern: status === 200 ? undefined : String(status), responseTemplates: { 'application/json': `{"status": ${status}}` } }],
  });
}

before(async () => {
  gh = await startTestGatehouse();
  client = apiGatewayClient(gh.url);
  apiId = (await createApi(client, 'metrics-api')).id;
  await mockMethod('/ok', 200);
  await mockMethod('/bad', 400);
  await mockMethod('/fail', 500);
  await mockMethod('/detailed', 200);
  await deploy(client, apiId, 'prod');
  await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/~1detailed/GET/metrics/enabled', value: 'true' }] }));
});

after(async () => {
  client.destroy();
  await gh.close();
});

const stage = (s: string): Record<string, string> => ({ api_id: apiId, api_name: 'metrics-api', stage: s, method: '', resource: '' });

describe('API Gateway metrics', () => {
  let before: Sample[];
  let now: Sample[];

  test('a known mix of 2xx, 4xx and 5xx counts exactly, per stage and per detailed method', async () => {
    before = await scrape(gh.url);
    const calls: [string, number, number][] = [['/ok', 200, 3], ['/bad', 400, 2], ['/fail', 500, 1], ['/nowhere', 403, 1], ['/detailed', 200, 4]];
    for (const [path, status, times] of calls) {
      for (let i = 0; i < times; i++) assert.equal((await callStage(gh.url, apiId, 'prod', path)).status, status, path);
    }
    now = await scrape(gh.url);
    const prod = stage('prod');
    // The stage's series holds every request but the detailed method's (CloudWatch's ApiName+Stage
    // dimensions); a request with no method (403 Missing Authentication Token) counts on the stage.
    assert.equal(grew(before, now, 'apigateway_requests_total', prod), 7);
    assert.equal(grew(before, now, 'apigateway_4xx_errors_total', prod), 3);
    assert.equal(grew(before, now, 'apigateway_5xx_errors_total', prod), 1);
    const detailed = { ...prod, method: 'GET', resource: '/detailed' };
    assert.equal(grew(before, now, 'apigateway_requests_total', detailed), 4);
    assert.equal(grew(before, now, 'apigateway_4xx_errors_total', detailed), 0);
    assert.equal(grew(before, now, 'apigateway_5xx_errors_total', detailed), 0);
    // Methods without detailed metrics have no series of their own.
    assert.equal(now.filter((s) => s.name === 'apigateway_requests_total' && s.labels.api_id === apiId).length, 2);
  });

  test('latency histograms: one observation per request, integration latency only where an integration ran', () => {
    const prod = stage('prod');
    const detailed = { ...prod, method: 'GET', resource: '/detailed' };
    assert.equal(grew(before, now, 'apigateway_latency_milliseconds_count', prod), 7);
    assert.equal(grew(before, now, 'apigateway_latency_milliseconds_bucket', { ...prod, le: '+Inf' }), 7);
    assert.equal(grew(before, now, 'apigateway_integration_latency_milliseconds_count', prod), 6);
    assert.equal(grew(before, now, 'apigateway_latency_milliseconds_count', detailed), 4);
    assert.equal(grew(before, now, 'apigateway_integration_latency_milliseconds_count', detailed), 4);
    // Buckets are cumulative and end at the count; every bound is there.
    let previous = 0;
    for (const le of LATENCY_BUCKETS_MS) {
      const v = sample(now, 'apigateway_latency_milliseconds_bucket', { ...prod, le: String(le) });
      assert.ok(v >= previous, `bucket ${le} is cumulative`);
      previous = v;
    }
    assert.ok(previous <= sample(now, 'apigateway_latency_milliseconds_count', prod));
    assert.ok(sample(now, 'apigateway_latency_milliseconds_sum', prod) >= 0);
  });

  test('the stage cache: hits and misses of the stage, as CacheHitCount and CacheMissCount', async () => {
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'cached', cacheClusterEnabled: true, cacheClusterSize: '0.5' }));
    await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'cached', patchOperations: [{ op: 'replace', path: '/*/*/caching/enabled', value: 'true' }] }));
    const first = await scrape(gh.url);
    for (let i = 0; i < 3; i++) assert.equal((await callStage(gh.url, apiId, 'cached', '/ok')).status, 200);
    const then = await scrape(gh.url);
    const cached = stage('cached');
    assert.equal(grew(first, then, 'apigateway_cache_misses_total', cached), 1);
    assert.equal(grew(first, then, 'apigateway_cache_hits_total', cached), 2);
    assert.equal(grew(first, then, 'apigateway_requests_total', cached), 3);
    // Only the miss ran the integration.
    assert.equal(grew(first, then, 'apigateway_integration_latency_milliseconds_count', cached), 1);
  });

  test('a redeploy keeps counting in the same series', async () => {
    const first = await scrape(gh.url);
    await deploy(client, apiId, 'prod');
    await callStage(gh.url, apiId, 'prod', '/ok');
    const then = await scrape(gh.url);
    assert.equal(grew(first, then, 'apigateway_requests_total', stage('prod')), 1);
  });
});

describe('process and Lambda metrics', () => {
  test("prom-client's default process metrics are there", async () => {
    const samples = await scrape(gh.url);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.ok(samples.some((s) => s.name === name), name);
    }
  });

  test('Lambda invocations, errors, duration and concurrent executions per function', { timeout: 60_000 }, async () => {
    const lambda = new LambdaClient({ endpoint: gh.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      await lambda.send(new CreateFunctionCommand({
        FunctionName: 'MetricsFn', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler',
        Code: { ZipFile: zip({ 'index.js': "exports.handler = async (e) => { if (e.fail) throw new Error('asked to'); return { ok: true }; };" }) },
      }));
      const first = await scrape(gh.url);
      const invoke = (payload: unknown) => lambda.send(new InvokeCommand({ FunctionName: 'MetricsFn', Payload: Buffer.from(JSON.stringify(payload)) }));
      assert.equal((await invoke({})).FunctionError, undefined);
      assert.equal((await invoke({})).FunctionError, undefined);
      assert.equal((await invoke({ fail: true })).FunctionError, 'Unhandled');
      const then = await scrape(gh.url);
      const fn = { function_name: 'MetricsFn', account_id: '000000000000', region: REGION };
      assert.equal(grew(first, then, 'lambda_invocations_total', fn), 3);
      assert.equal(grew(first, then, 'lambda_errors_total', fn), 1);
      assert.equal(grew(first, then, 'lambda_duration_milliseconds_count', fn), 3);
      assert.equal(sample(then, 'lambda_concurrent_executions', fn), 0);
    } finally {
      lambda.destroy();
    }
  });
});
