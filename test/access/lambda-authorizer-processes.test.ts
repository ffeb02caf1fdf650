// The authorizer cache shared by several `gatehouse serve` processes: two processes on one
// PostgreSQL and one Redis, the second serving with two node:cluster workers, so three processes
// answer requests. A cached TOKEN authorizer's function runs once per identity across all of
// them, and FlushStageAuthorizersCache through one empties the cache for all. Then --workers 2
// alone (no Redis): the cluster primary holds the cache the workers share.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { apiGatewayClient, CREDENTIALS } from '../helpers/server.ts';
import { startPrivateRedis, type PrivateRedis, createTestDatabase, type TestDatabase } from '../helpers/private-services.ts';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';
import { authorizerUri, COUNTING_AUTHORIZER, createAuthorizedApi, createFunction, deployStage, REGION, startCounter, type Counter } from './lambda-authorizer-helpers.ts';


describe('the authorizer cache across processes sharing Redis', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  const dirs: string[] = [];
  let redis: PrivateRedis;
  let counter: Counter;
  let one: ServeProcess;
  let two: ServeProcess;
  let restApiId: string;

  before(async () => {
    db = await createTestDatabase();
    [redis, counter] = await Promise.all([startPrivateRedis(), startCounter()]);
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'gh-authorizer-'));
      dirs.push(d);
      return d;
    };
    const shared = ['--port', '0', '--postgres', db.url, '--redis', redis.url];
    [one, two] = await Promise.all([serveProcess([...shared, '--data-dir', dir()]), serveProcess([...shared, '--data-dir', dir(), '--workers', '2'])]);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await Promise.all([redis?.destroy(), counter?.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  const get = (proc: ServeProcess, token: string, path = '/pets/1') => freshGet(`${proc.url}/restapis/${restApiId}/prod/_user_request_${path}`, { Authorization: token });

  it('the function runs once per identity across three processes, and a flush through one is seen by all', async () => {
    const client = apiGatewayClient(one.url);
    const lambda = new LambdaClient({ endpoint: one.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      await createFunction(lambda, 'shared-authorizer', COUNTING_AUTHORIZER, { COUNTER_URL: counter.url });
      const api = await createAuthorizedApi(client, 'shared', {
        type: 'TOKEN', authorizerUri: authorizerUri('shared-authorizer'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300,
      });
      restApiId = api.restApiId;
      await deployStage(client, restApiId, 'prod');
      // Every process serves the stage (its workers included) before counting starts.
      for (const p of [one, two, two, two]) await until(async () => (await get(p, 'warm-up')).status === 200);

      const answers: number[] = [];
      for (let i = 0; i < 4; i++) {
        for (const p of [one, two]) answers.push((await get(p, 'shared', `/pets/${i}`)).status);
      }
      assert.deepEqual([...new Set(answers)], [200]);
      assert.equal(counter.count('shared'), 1, 'one call for the identity, whichever process and worker answered');
      // The cached policy still denies what it does not cover, on every process.
      assert.equal((await get(two, 'shared', '/other')).status, 403);
      assert.equal(counter.count('shared'), 1);

      await apiGatewayClient(two.url).send(new FlushStageAuthorizersCacheCommand({ restApiId, stageName: 'prod' }));
      assert.equal((await get(one, 'shared')).status, 200);
      assert.equal(counter.count('shared'), 2, 'the flush through the second process emptied the first one\'s cache too');
      assert.equal((await get(two, 'shared')).status, 200);
      assert.equal(counter.count('shared'), 2);
    } finally {
      lambda.destroy();
      client.destroy();
    }
  });
});

describe('the authorizer cache of --workers 2 without Redis (kept by the cluster primary)', { timeout: 120_000 }, () => {
  let dir: string;
  let counter: Counter;
  let proc: ServeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-authorizer-workers-'));
    counter = await startCounter();
    proc = await serveProcess(['--port', '0', '--data-dir', dir, '--workers', '2']);
  });

  after(async () => {
    await proc?.stop();
    await counter?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both workers answer from one cache, and the flush empties it', async () => {
    const client = apiGatewayClient(proc.url);
    const lambda = new LambdaClient({ endpoint: proc.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      await createFunction(lambda, 'workers-authorizer', COUNTING_AUTHORIZER, { COUNTER_URL: counter.url });
      const api = await createAuthorizedApi(client, 'workers', {
        type: 'TOKEN', authorizerUri: authorizerUri('workers-authorizer'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300,
      });
      await deployStage(client, api.restApiId, 'prod');
      const get = (token: string) => freshGet(`${proc.url}/restapis/${api.restApiId}/prod/_user_request_/pets/1`, { Authorization: token });
      const pids = new Set<number>();
      // Fresh connections until both workers have answered (node:cluster hands connections round robin).
      await until(async () => {
        const h = await freshGet(`${proc.url}/_gatehouse/health`, {});
        pids.add((JSON.parse(h.body) as { pid: number }).pid);
        return pids.size === 2;
      });
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await get('workers')).status);
      assert.deepEqual([...new Set(answers)], [200]);
      assert.equal(counter.count('workers'), 1);
      await client.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.restApiId, stageName: 'prod' }));
      for (let i = 0; i < 4; i++) assert.equal((await get('workers')).status, 200);
      assert.equal(counter.count('workers'), 2);
    } finally {
      lambda.destroy();
      client.destroy();
    }
  });
});
