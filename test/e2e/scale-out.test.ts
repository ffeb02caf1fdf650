// Several `gatehouse serve` processes on one PostgreSQL and one Redis are one gateway: a change
// through any of them is served by all, a process started later catches up, kill -9 of one
// loses only its in-flight requests, and PostgreSQL or Redis restarting under load is survived.
// The PostgreSQL and Redis here are the test's own (restarting the machine's would break the
// test files running beside this one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, UpdateStageCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { createMockApi } from '../helpers/mock-api.ts';
import { apiGatewayClient } from '../helpers/server.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/private-services.ts';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';

const temps: string[] = [];
function temp(): string {
  const t = mkdtempSync(join(tmpdir(), 'gh-scale-'));
  temps.push(t);
  return t;
}

async function call(base: string, apiId: string, stage = 'prod'): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(`${base}/restapis/${apiId}/${stage}/_user_request_/hello`, { signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.text() };
  } catch (err) {
    return { status: 0, body: String(err) };
  }
}

const workerPid = async (base: string): Promise<number | null> => {
  const r = await freshGet(`${base}/_gatehouse/health`);
  return r.status === 200 ? (JSON.parse(r.body) as { pid: number }).pid : null;
};

const served = (base: string, apiId: string, v: string) => async () => {
  const r = await call(base, apiId);
  return r.status === 200 && JSON.parse(r.body).v === v;
};

describe('several gatehouse processes on one PostgreSQL and one Redis', { timeout: 240_000 }, () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  const procs: ServeProcess[] = [];
  const start = async () => {
    const p = await serveProcess(['--port', '0', '--postgres', pg.url, '--redis', redis.url, '--data-dir', temp()]);
    procs.push(p);
    return p;
  };

  before(async () => {
    [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await Promise.all([pg?.destroy(), redis?.destroy()]);
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  it('a deployment through one process is served by every other, and a process started later catches up', async () => {
    const [a, b, c] = await Promise.all([start(), start(), start()]);
    const ca = apiGatewayClient(a!.url);
    const apiId = await createMockApi(ca, 'scale');
    await ca.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'one' } }));
    for (const p of [a!, b!, c!]) await until(served(p.url, apiId, 'one'));

    // A change through B (a stage variable, no redeployment) reaches A and C.
    await apiGatewayClient(b!.url).send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'two' }] }));
    for (const p of [a!, b!, c!]) await until(served(p.url, apiId, 'two'));

    // The management API reads the same data through every process.
    const names = (await apiGatewayClient(c!.url).send(new GetRestApisCommand({}))).items!.map((i) => i.name);
    assert.deepEqual(names, ['scale']);

    // A process started after the changes serves the current state at once.
    const d = await start();
    assert.deepEqual(JSON.parse((await call(d.url, apiId)).body), { v: 'two' });
    await d.stop();
  });

  it('kill -9 of one process loses only its own in-flight requests', async () => {
    const [a, b] = procs;
    const apiId = await createMockApi(apiGatewayClient(a!.url), 'kill');
    await apiGatewayClient(a!.url).send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'k' } }));
    await until(served(b!.url, apiId, 'k'));
    let stop = false;
    const results: number[] = [];
    const load = (async () => {
      while (!stop) results.push((await call(b!.url, apiId)).status);
    })();
    await until(() => results.length >= 20);
    await a!.kill9();
    const before = results.length;
    await until(() => results.length >= before + 50);
    stop = true;
    await load;
    assert.deepEqual([...new Set(results)], [200], 'the surviving process answered every request');
    // Its management API still works without A.
    const cb = apiGatewayClient(b!.url);
    await cb.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'after' }] }));
    await until(served(b!.url, apiId, 'after'));
    procs.splice(procs.indexOf(a!), 1);
  });

  it('Redis restarting under load: requests keep being served and changes still spread', async () => {
    const [b, c] = procs;
    const cb = apiGatewayClient(b!.url);
    const apiId = await createMockApi(cb, 'redis');
    await cb.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'r1' } }));
    await until(served(c!.url, apiId, 'r1'));
    await redis.stop();
    const during = await Promise.all(Array.from({ length: 20 }, () => call(c!.url, apiId)));
    assert.deepEqual([...new Set(during.map((r) => r.status))], [200]);
    // Changes still spread while Redis is down (the store's change log is the truth; Redis only wakes followers early).
    await cb.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'r2' }] }));
    await until(served(c!.url, apiId, 'r2'));
    await redis.start();
    await cb.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'r3' }] }));
    await until(served(c!.url, apiId, 'r3'));
  });

  it('PostgreSQL restarting under load: deployed stages keep serving, management answers 503 while it is down, then recovers', async () => {
    const [b, c] = procs;
    const cb = apiGatewayClient(b!.url);
    const apiId = await createMockApi(cb, 'postgres');
    await cb.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'p1' } }));
    await until(served(c!.url, apiId, 'p1'));
    await pg.stop('immediate');
    const during = await Promise.all(Array.from({ length: 20 }, () => call(c!.url, apiId)));
    assert.deepEqual([...new Set(during.map((r) => r.status))], [200], 'compiled stages need no store');
    const down = await fetch(`${b!.url}/restapis`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/apigateway/aws4_request' } });
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('x-amzn-errortype'), 'ServiceUnavailableException');
    await pg.start();
    await until(async () => (await fetch(`${b!.url}/restapis`)).status === 200, 200);
    await cb.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'p2' }] }));
    for (const p of [b!, c!]) await until(served(p.url, apiId, 'p2'));
  });
});

describe('--workers 2 on the embedded store', { timeout: 120_000 }, () => {
  it('every worker serves the port and follows changes made through the others; a killed worker is replaced', async () => {
    const gh = await serveProcess(['--port', '0', '--workers', '2', '--data-dir', temp()]);
    try {
      const client = apiGatewayClient(gh.url);
      const apiId = await createMockApi(client, 'workers');
      await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'w1' } }));
      // Both workers answer (the health check names the process); each serves the deployment.
      const pids = new Set<number>();
      await until(async () => {
        const pid = await workerPid(gh.url);
        if (pid !== null) pids.add(pid);
        return pids.size === 2;
      }, 0);
      assert.ok(!pids.has(gh.pid), 'the primary serves no request');
      await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'w2' }] }));
      // Every request from now on sees the change, whichever worker takes it.
      let consecutive = 0;
      await until(async () => {
        const r = await freshGet(`${gh.url}/restapis/${apiId}/prod/_user_request_/hello`);
        consecutive = r.status === 200 && JSON.parse(r.body).v === 'w2' ? consecutive + 1 : 0;
        return consecutive >= 20;
      }, 0);
      // A worker killed with -9 is replaced; the port keeps answering meanwhile.
      const victim = [...pids][0]!;
      process.kill(victim, 'SIGKILL');
      const after = new Set<number>();
      await until(async () => {
        const pid = await workerPid(gh.url);
        if (pid !== null && pid !== victim) after.add(pid);
        return after.size === 2;
      }, 20);
      assert.ok(await served(gh.url, apiId, 'w2')());
    } finally {
      assert.equal(await gh.stop(), 0);
    }
  });
});
