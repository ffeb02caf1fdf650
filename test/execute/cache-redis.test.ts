// Two `gatehouse serve` processes on one PostgreSQL and one Redis share one stage cache: an
// answer cached through one is a hit through the other, FlushStageCache through either empties
// it for both, and the size bound holds in Redis (Redis drops the entry that expires soonest).
// The Redis is the test's own (a private redis-server on a free port); PostgreSQL is the
// machine's, with a database of the test's own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, FlushStageCacheCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { startPrivateRedis, type PrivateRedis, createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';
import { serveProcess, until, type ServeProcess } from '../helpers/processes.ts';
import { apiGatewayClient } from '../helpers/server.ts';
import { callStage, createApi, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';


describe('the stage cache shared by two processes through Redis', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let redis: PrivateRedis;
  let backend: Backend;
  let a: ServeProcess;
  let b: ServeProcess;
  let client: APIGatewayClient;
  let apiId: string;

  before(async () => {
    db = await createTestDatabase('gatehouse_cache');
    redis = await startPrivateRedis();
    backend = await startBackend((req, _body, res) => {
      const size = Number(new URL(req.url!, 'http://backend').searchParams.get('size') ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: backend.requests.length, pad: 'x'.repeat(size) }));
    });
    const serve = () => {
      const dir = mkdtempSync(join(tmpdir(), 'gh-cache-'));
      dirs.push(dir);
      // A 1 MiB bound per stage, so eviction is reachable.
      return serveProcess(['--port', '0', '--postgres', db.url, '--redis', redis.url, '--data-dir', dir, '--stage-cache-max-mb', '1']);
    };
    [a, b] = await Promise.all([serve(), serve()]);
    client = apiGatewayClient(a.url);

    const api = await createApi(client, 'shared-cache');
    apiId = api.id;
    const items = await resourcePath(client, apiId, '/items');
    await putMethod(client, apiId, items, {
      httpMethod: 'GET',
      requestParameters: { 'method.request.querystring.k': false },
      integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/items`, cacheKeyParameters: ['method.request.querystring.k'] },
    });
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', cacheClusterEnabled: true, cacheClusterSize: '0.5' }));
    await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/*/*/caching/enabled', value: 'true' }] }));
    // Both processes serve the stage with its cache settings: a key answered twice by B without
    // a second back-end call means B has compiled the stage as it is now.
    await until(async () => {
      const before = backend.requests.length;
      const first = await callStage(b.url, apiId, 'prod', '/items?k=ready');
      const second = await callStage(b.url, apiId, 'prod', '/items?k=ready');
      return first.status === 200 && second.body === first.body && backend.requests.length <= before + 1;
    }, 100);
  });

  after(async () => {
    client?.destroy();
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([redis?.destroy(), backend?.close()]);
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const calls = () => backend.requests.length;
  const get = (p: ServeProcess, query: string) => callStage(p.url, apiId, 'prod', `/items?${query}`);

  it('an answer cached through one process is a hit through the other', async () => {
    const before = calls();
    const viaA = await get(a, 'k=shared');
    const viaB = await get(b, 'k=shared');
    assert.equal(viaA.status, 200);
    assert.equal(viaB.body, viaA.body);
    assert.equal(calls(), before + 1);
  });

  it('FlushStageCache through one process empties the cache for both', async () => {
    const first = await get(a, 'k=flush');
    assert.equal((await get(b, 'k=flush')).body, first.body);
    await apiGatewayClient(b.url).send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    const before = calls();
    const afterFlush = await get(a, 'k=flush');
    assert.notEqual(afterFlush.body, first.body);
    assert.equal(calls(), before + 1);
    assert.equal((await get(b, 'k=flush')).body, afterFlush.body, 'and the new answer is shared again');
  });

  it('at the size bound, Redis drops the entry that expires soonest', async () => {
    // Three ~400 KB answers do not fit in 1 MiB; the first stored expires first and goes.
    const k1 = await get(a, 'k=big1&size=400000');
    const k2 = await get(b, 'k=big2&size=400000');
    const before = calls();
    assert.equal((await get(b, 'k=big1&size=400000')).body, k1.body);
    await get(a, 'k=big3&size=400000');
    assert.equal(calls(), before + 1);
    assert.equal((await get(a, 'k=big2&size=400000')).body, k2.body, 'big2 stayed');
    assert.notEqual((await get(b, 'k=big1&size=400000')).body, k1.body, 'big1 was evicted');
    assert.equal(calls(), before + 2);
  });

  it('while Redis is down requests are served from the back end and FlushStageCache answers 503; then the cache works again', async () => {
    await redis.stop();
    const before = calls();
    const down1 = await get(a, 'k=outage');
    const down2 = await get(b, 'k=outage');
    assert.deepEqual([down1.status, down2.status], [200, 200]);
    assert.equal(calls(), before + 2, 'the cache acts as empty: every request reaches the back end');
    await assert.rejects(apiGatewayClient(a.url).send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' })),
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.name === 'ServiceUnavailableException' && err.$metadata?.httpStatusCode === 503);
    await redis.start();
    // Both processes reconnect by themselves; a key answered twice with one back-end call is
    // cached again. Each try takes a new key: a try that ran while one process was still
    // reconnecting leaves its key cached, and a second try on it would reach no back end at all.
    let attempt = 0;
    await until(async () => {
      const key = `k=back${attempt++}`;
      const n0 = calls();
      const first = await get(a, key);
      const second = await get(b, key);
      return second.body === first.body && calls() === n0 + 1;
    }, 200);
  });
});
