// API keys, throttles and quotas across processes: two `gatehouse serve` processes on one
// PostgreSQL and one Redis (the test's own, so it can stop Redis) are one gateway. A key or plan
// changed through one is enforced by the other without a redeployment; a bucket or a quota is one
// shared limit however the requests are spread (exact counts under concurrent load); GetUsage and
// UpdateUsage through either see the same counts. With Redis down, requests keep being served
// (limits fail open, the log says so once) and enforcement resumes when it is back. `--workers 2`
// without Redis shares one quota through the cluster primary.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  GetUsageCommand, UpdateApiKeyCommand, UpdateStageCommand, UpdateUsageCommand, type APIGatewayClient,
} from '@aws-sdk/client-api-gateway';
import { apiGatewayClient } from '../helpers/server.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/private-services.ts';
import { serveProcess, until, type ServeProcess, freshGet as getOnOwnConnection } from '../helpers/processes.ts';
import type { Answer } from '../execute/helpers.ts';
import { addKey, assertForbidden, burst, get, mockApi, planWithKey } from './traffic-helpers.ts';

const temps: string[] = [];
function temp(): string {
  const t = mkdtempSync(join(tmpdir(), 'gh-usage-'));
  temps.push(t);
  return t;
}

const today = () => new Date().toISOString().slice(0, 10);

describe('two processes on one PostgreSQL and one Redis', { timeout: 180_000 }, () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let a: ServeProcess;
  let b: ServeProcess;
  let ca: APIGatewayClient;
  let cb: APIGatewayClient;
  let apiId: string;

  before(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    const args = () => ['--port', '0', '--postgres', pg.url, '--redis', redis.url, '--data-dir', temp()];
    a = await serveProcess(args());
    b = await serveProcess(args());
    ca = apiGatewayClient(a.url);
    cb = apiGatewayClient(b.url);
    apiId = await mockApi(ca, 'shared', [{ path: '/k', apiKeyRequired: true }, { path: '/open' }]);
    await until(async () => (await get(b.url, apiId, '/open')).status === 200);
  });
  after(async () => {
    ca?.destroy();
    cb?.destroy();
    await Promise.all([a?.stop(), b?.stop()].map((p) => p?.catch(() => undefined)));
    await Promise.all([pg?.destroy(), redis?.destroy()]);
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  test('a key made and changed through one process is enforced by the other without a redeployment', async (t) => {
    let started = Date.now();
    const { planId, keyId, value } = await planWithKey(ca, 'across', [{ apiId, stage: 'test' }]);
    await until(async () => (await get(b.url, apiId, '/k', value)).status === 200);
    t.diagnostic(`new key served by the other process after ${Date.now() - started} ms`);

    started = Date.now();
    await ca.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    await until(async () => (await get(b.url, apiId, '/k', value)).status === 403);
    t.diagnostic(`disabled key refused by the other process after ${Date.now() - started} ms`);
    assertForbidden(await get(b.url, apiId, '/k', value), 'disabled through A, refused by B');

    // A second key, added to the plan through B, is admitted by A.
    const second = await addKey(cb, planId, 'across-2');
    await until(async () => (await get(a.url, apiId, '/k', second.value)).status === 200);
  });

  test('a stage limit is one bucket for both processes: exactly its burst is admitted under concurrent load', async () => {
    const id = await mockApi(ca, 'bucket', [{ path: '/x' }]);
    await ca.send(new UpdateStageCommand({ restApiId: id, stageName: 'test', patchOperations: [
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '0.01' }, { op: 'replace', path: '/*/*/throttling/burstLimit', value: '10' },
    ] }));
    // Neither process has served the stage yet: each compiles it, limits included, on its first request.
    const answers = await Promise.all([
      ...Array.from({ length: 15 }, () => get(a.url, id, '/x')),
      ...Array.from({ length: 15 }, () => get(b.url, id, '/x')),
    ]);
    const admitted = answers.filter((r) => r.status === 200).length;
    // The rate adds 0.01 tokens a second: under one more in the seconds this takes.
    assert.equal(admitted, 10, `admitted ${admitted} of 30`);
    assert.equal(answers.filter((r) => r.status === 429).length, 20);
  });

  test('a quota is one count for both processes; GetUsage and UpdateUsage through either agree', async () => {
    const { planId, keyId, value } = await planWithKey(ca, 'quota', [{ apiId, stage: 'test' }], { quota: { limit: 7, period: 'DAY' } });
    // A request refused with 403 (the process has not read the key yet) is not counted, and is sent again.
    const counts = await Promise.all([
      ...Array.from({ length: 10 }, () => waitAdmittedOrLimited(a.url, apiId, value)),
      ...Array.from({ length: 10 }, () => waitAdmittedOrLimited(b.url, apiId, value)),
    ]);
    const ok = counts.filter((r) => r.status === 200).length;
    assert.equal(ok, 7, `admitted ${ok} of 20: ${JSON.stringify(counts.map((r) => r.status))}`);
    assert.deepEqual(counts.filter((r) => r.status !== 200).map((r) => JSON.parse(r.body)), Array(13).fill({ message: 'Limit Exceeded' }));
    const d = today();
    assert.deepEqual(await getUsageVia(ca, planId, d), { [keyId]: [[7, 0]] });
    assert.deepEqual(await getUsageVia(cb, planId, d), { [keyId]: [[7, 0]] });

    await cb.send(new UpdateUsageCommand({ usagePlanId: planId, keyId, patchOperations: [{ op: 'replace', path: '/remaining', value: '2' }] }));
    assert.deepEqual(await burst(3, () => get(a.url, apiId, '/k', value)), { 200: 2, 429: 1 });
    assert.deepEqual(await getUsageVia(cb, planId, d), { [keyId]: [[9, 0]] });
  });

  test('Redis down: requests keep being served (limits fail open), the log says so once, and enforcement resumes when it is back', async () => {
    const { value } = await planWithKey(ca, 'outage', [{ apiId, stage: 'test' }], { quota: { limit: 1, period: 'DAY' } });
    await until(async () => (await get(b.url, apiId, '/k', value)).status !== 403);
    assert.equal((await get(b.url, apiId, '/k', value)).status, 429, 'the quota of 1 is used');
    await redis.stop();
    const during = await burst(20, () => get(b.url, apiId, '/k', value));
    assert.deepEqual(during, { 200: 20 }, 'fail open: the quota is not enforced while Redis is down');
    assert.deepEqual(await burst(5, () => get(b.url, apiId, '/open')), { 200: 5 });
    const lost = b.stdout().split('\n').filter((l) => l.includes('shared state: unreachable'));
    assert.equal(lost.length, 1, `said once:\n${lost.join('\n')}`);

    await redis.start();
    await until(async () => {
      await get(b.url, apiId, '/k', value);
      return b.stdout().includes('shared state: reachable again');
    }, 200);
    // Redis kept nothing (no persistence): a new key of the plan gets the full quota, and no more.
    const fresh = await planWithKey(ca, 'after-outage', [{ apiId, stage: 'test' }], { quota: { limit: 3, period: 'DAY' } });
    assert.deepEqual(await burst(6, () => waitAdmittedOrLimited(b.url, apiId, fresh.value)), { 200: 3, 429: 3 });
    assert.equal(b.stdout().split('\n').filter((l) => l.includes('shared state: unreachable')).length, 1);
  });
});

/** A request with the key, retried while the process does not know the key yet (403). */
async function waitAdmittedOrLimited(url: string, apiId: string, value: string): Promise<Answer> {
  for (;;) {
    const r = await get(url, apiId, '/k', value);
    if (r.status !== 403) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function getUsageVia(c: APIGatewayClient, usagePlanId: string, day = today()): Promise<Record<string, number[][]> | undefined> {
  return (await c.send(new GetUsageCommand({ usagePlanId, startDate: day, endDate: day }))).items;
}

describe('--workers 2 without Redis', { timeout: 120_000 }, () => {
  let gw: ServeProcess;
  before(async () => {
    gw = await serveProcess(['--port', '0', '--workers', '2', '--data-dir', temp()]);
  });
  after(async () => {
    await gw?.stop();
  });

  test('both workers count one quota through the primary', async () => {
    const c = apiGatewayClient(gw.url);
    try {
      const id = await mockApi(c, 'workers', [{ path: '/k', apiKeyRequired: true }]);
      const { value } = await planWithKey(c, 'workers', [{ apiId: id, stage: 'test' }], { quota: { limit: 5, period: 'DAY' } });
      const url = `${gw.url}/restapis/${id}/test/_user_request_/k`;
      // Each request on a connection of its own, so node:cluster spreads them over both workers;
      // a worker that has not read the key yet answers 403 and is asked again.
      const statuses: number[] = [];
      await Promise.all(Array.from({ length: 12 }, async () => {
        for (;;) {
          const r = await freshGet(url, value);
          if (r.status !== 403) {
            statuses.push(r.status);
            return;
          }
          await new Promise((res) => setTimeout(res, 50));
        }
      }));
      assert.equal(statuses.filter((s) => s === 200).length, 5, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 429).length, 7);
    } finally {
      c.destroy();
    }
  });
});

/** GET on a connection of its own, with the API key when given. */
const freshGet = (url: string, key?: string) => getOnOwnConnection(url, key === undefined ? {} : { 'x-api-key': key }, 10_000);

