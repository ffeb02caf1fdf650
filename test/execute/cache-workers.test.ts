// `--workers 2` without Redis: the workers' stage caches live in the cluster primary (reached
// over IPC), so an answer cached through one worker is a hit through the other, and
// FlushStageCache through either empties it. node:cluster hands connections to workers in turn
// (round robin), so consecutive requests on fresh connections reach both.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, FlushStageCacheCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { serveProcess, until, type ServeProcess, freshGet } from '../helpers/processes.ts';
import { apiGatewayClient } from '../helpers/server.ts';
import { createApi, putMethod, resourcePath, startBackend, type Backend } from './helpers.ts';

describe('the stage cache shared by --workers 2 through the cluster primary', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-cache-workers-'));
  let gh: ServeProcess;
  let backend: Backend;
  let client: APIGatewayClient;
  let apiId: string;
  let stageUrl: string;

  before(async () => {
    backend = await startBackend((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: backend.requests.length }));
    });
    gh = await serveProcess(['--port', '0', '--workers', '2', '--data-dir', dir]);
    client = apiGatewayClient(gh.url);
    const api = await createApi(client, 'workers-cache');
    apiId = api.id;
    const items = await resourcePath(client, api.id, '/items');
    await putMethod(client, api.id, items, {
      httpMethod: 'GET',
      requestParameters: { 'method.request.querystring.k': false },
      integration: { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backend.url}/items`, cacheKeyParameters: ['method.request.querystring.k'] },
    });
    await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'prod', cacheClusterEnabled: true, cacheClusterSize: '0.5' }));
    await client.send(new UpdateStageCommand({ restApiId: api.id, stageName: 'prod', patchOperations: [{ op: 'replace', path: '/*/*/caching/enabled', value: 'true' }] }));
    stageUrl = `${gh.url}/restapis/${api.id}/prod/_user_request_/items`;
    // Both workers serve the stage with its cache: four requests of a new key, on fresh
    // connections, cost one back-end call.
    let attempt = 0;
    await until(async () => {
      const key = `ready${attempt++}`;
      const before = backend.requests.length;
      for (let i = 0; i < 4; i++) if ((await freshGet(`${stageUrl}?k=${key}`)).status !== 200) return false;
      return backend.requests.length === before + 1;
    }, 100);
  });

  after(async () => {
    client?.destroy();
    await gh?.stop();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('consecutive connections reach both workers, and both answer from one cache', async () => {
    // Round robin: consecutive fresh connections alternate between the two workers.
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) pids.push(JSON.parse((await freshGet(`${gh.url}/_gatehouse/health`)).body).pid);
    assert.equal(new Set(pids).size, 2, `both workers answer: ${pids}`);
    const before = backend.requests.length;
    const bodies = new Set<string>();
    for (let i = 0; i < 10; i++) bodies.add((await freshGet(`${stageUrl}?k=shared`)).body);
    assert.equal(bodies.size, 1);
    assert.equal(backend.requests.length, before + 1, 'one back-end call for ten requests over two workers');
  });

  it('FlushStageCache through the port empties the cache for both workers', async () => {
    const first = (await freshGet(`${stageUrl}?k=flush`)).body;
    await client.send(new FlushStageCacheCommand({ restApiId: apiId, stageName: 'prod' }));
    const before = backend.requests.length;
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) bodies.add((await freshGet(`${stageUrl}?k=flush`)).body);
    assert.equal(bodies.size, 1);
    assert.ok(!bodies.has(first));
    assert.equal(backend.requests.length, before + 1);
  });
});
