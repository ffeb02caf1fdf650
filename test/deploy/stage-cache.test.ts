// The stage cache on a real store: loads are real (loadStage on SQLite); only the moment each
// load's result reaches the cache is held back, to finish them in an order the test chooses.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { loadStage, StageCache, type CompiledApi } from '../../src/deploy/index.ts';
import { LocalFeed } from '../../src/feed/index.ts';
import { openSqliteStore, type Store } from '../../src/store/index.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { tempDataDir } from '../helpers/server.ts';
import { managementOn } from './planes.ts';

interface HeldLoad {
  readonly version: number;
  release(): void;
  /** Settles when the cache has taken (or refused) the result. */
  readonly done: Promise<unknown>;
}

describe('stage cache', () => {
  const dir = tempDataDir();
  let store: Store;
  let feed: LocalFeed;
  let management: Awaited<ReturnType<typeof managementOn>>;
  let client: APIGatewayClient;
  let apiId: string;

  before(async () => {
    store = openSqliteStore(dir);
    feed = new LocalFeed(store);
    await feed.start();
    management = await managementOn(store);
    client = management.client;
    apiId = await createMockApi(client, 'cached');
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { v: '1' } }));
  });

  after(async () => {
    await management.close();
    await feed.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A cache whose loads read the store when they begin but hand their result over on release. */
  function heldCache(): { cache: StageCache; loads: HeldLoad[] } {
    const loads: HeldLoad[] = [];
    const cache = new StageCache((id, name, version) => {
      const result = loadStage(store, id, name, version);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const handed = gate.then(() => result);
      // The cache takes the result in a microtask; `done` waits for the next macrotask, after it.
      const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
      const done = handed.then(settled, settled);
      loads.push({ version, release, done });
      return handed;
    }, () => feed.position);
    return { cache, loads };
  }

  const setVariable = (value: string) =>
    client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations: [{ op: 'replace', path: '/variables/v', value }] }));

  it('carries the feed position its load began at, and never takes an older load over a newer one', async () => {
    const { cache, loads } = heldCache();
    const first = cache.get(apiId, 'dev');
    assert.ok(first instanceof Promise, 'the first request waits for the load');
    loads[0]!.release();
    const v1 = (await first)!;
    assert.equal(v1.stageVariables.v, '1');
    assert.equal(v1.version, feed.position);

    await setVariable('2');
    cache.refresh(apiId, 'dev');
    await setVariable('3');
    cache.refresh(apiId, 'dev');
    const [older, newer] = [loads[1]!, loads[2]!];
    assert.ok(newer.version > older.version, `positions ${older.version} < ${newer.version}`);
    // Until a reload finishes, requests are served the stage they had.
    assert.equal(cache.get(apiId, 'dev'), v1);

    newer.release();
    await newer.done;
    const v3 = cache.get(apiId, 'dev') as CompiledApi;
    assert.equal(v3.stageVariables.v, '3');
    assert.equal(v3.version, newer.version);

    older.release();
    await older.done;
    assert.equal(cache.get(apiId, 'dev'), v3, 'the older load, finishing last, did not replace the newer stage');
  });

  it('a load that finishes first while a newer one runs is served until the newer one lands', async () => {
    const { cache, loads } = heldCache();
    const first = cache.get(apiId, 'dev');
    loads[0]!.release();
    await first;
    await setVariable('4');
    cache.refresh(apiId, 'dev');
    await setVariable('5');
    cache.refresh(apiId, 'dev');
    loads[1]!.release();
    await loads[1]!.done;
    assert.equal((cache.get(apiId, 'dev') as CompiledApi).stageVariables.v, '4');
    loads[2]!.release();
    await loads[2]!.done;
    assert.equal((cache.get(apiId, 'dev') as CompiledApi).stageVariables.v, '5');
  });

  it('remembers a missing stage until a change names it, and loads it at once then', async () => {
    const { cache, loads } = heldCache();
    const missing = cache.get(apiId, 'later');
    loads[0]!.release();
    assert.equal(await missing, null);
    assert.equal(cache.get(apiId, 'later'), null, 'a known miss is answered without a load');
    assert.equal(loads.length, 1);
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'later', variables: { v: 'L' } }));
    cache.refresh(apiId, 'later');
    const found = cache.get(apiId, 'later');
    assert.ok(found instanceof Promise, 'the miss was forgotten: this request loads the stage');
    loads[1]!.release();
    assert.equal((await found)!.stageVariables.v, 'L');
  });

  it('a reload that fails keeps the stage served and is retried by the next request', async () => {
    // The loads read through a Store instance of their own, closed and reopened: a connection lost and back.
    let reader = openSqliteStore(dir);
    const cache = new StageCache((id, name, version) => loadStage(reader, id, name, version), () => feed.position);
    const v = (await cache.get(apiId, 'dev'))!;
    await reader.close();
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    cache.refresh(apiId, 'dev');
    await settled();
    assert.equal(cache.get(apiId, 'dev'), v, 'still served after the failed reload');
    await settled();
    reader = openSqliteStore(dir);
    await setVariable('6');
    // This request is served the stage it had and starts the retry.
    assert.equal(cache.get(apiId, 'dev'), v);
    for (let i = 0; i < 100 && (cache.get(apiId, 'dev') as CompiledApi).stageVariables.v !== '6'; i++) await settled();
    assert.equal((cache.get(apiId, 'dev') as CompiledApi).stageVariables.v, '6');
    await reader.close();
  });
});
