// The execution plane follows the change log: management calls through one process (a Store
// instance of its own) reach the compiled stages of another on the same SQLite file, through
// that process's FollowingFeed, without either calling the other.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateDeploymentCommand, DeleteRestApiCommand, UpdateStageCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { FollowingFeed, type FeedBatch } from '../../src/feed/index.ts';
import { openSqliteStore, type Store } from '../../src/store/index.ts';
import { callStage, type Answer } from '../execute/helpers.ts';
import { createMockApi } from '../helpers/mock-api.ts';
import { tempDataDir } from '../helpers/server.ts';
import { executionOn, managementOn } from './planes.ts';

describe('compiled stages follow changes made by another process', () => {
  const dir = tempDataDir();
  let storeA: Store;
  let storeB: Store;
  let feed: FollowingFeed;
  let management: Awaited<ReturnType<typeof managementOn>>;
  let execution: Awaited<ReturnType<typeof executionOn>>;
  let client: APIGatewayClient;
  let apiId: string;
  /** Resolves with the next batch of B's feed that names stage `name` (or any batch when undefined). */
  let next: (name?: string) => Promise<FeedBatch>;

  before(async () => {
    storeA = openSqliteStore(dir);
    storeB = openSqliteStore(dir);
    management = await managementOn(storeA);
    client = management.client;
    feed = new FollowingFeed(storeB);
    await feed.start();
    execution = await executionOn(storeB, feed);
    // Subscribed after the execution plane: when this listener runs, the plane has seen the batch.
    const waiting: { name: string | undefined; resolve: (b: FeedBatch) => void }[] = [];
    feed.subscribe((b) => {
      for (const w of waiting.splice(0)) {
        if (w.name === undefined || b.resync || b.changes.some((c) => c.kind === 'stage' && c.id === w.name)) w.resolve(b);
        else waiting.push(w);
      }
    });
    next = (name) => new Promise((resolve) => waiting.push({ name, resolve }));
    apiId = await createMockApi(client, 'followed');
  });

  after(async () => {
    await management.close();
    await execution.close();
    await feed.close();
    await storeA.close();
    await storeB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hello = (stage = 'dev'): Promise<Answer> => callStage(execution.url, apiId, stage, '/hello');

  /** Calls the stage until it answers `body` (a reload runs in the background once its change arrives). */
  async function eventually(body: string, stage = 'dev'): Promise<Answer> {
    for (let i = 0; ; i++) {
      const a = await hello(stage);
      if (a.body === body || i === 200) return a;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('a stage created elsewhere is served as soon as its change arrives, though a request found none before', async () => {
    assert.equal((await hello()).status, 403, 'no stage yet');
    const arrived = next('dev');
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { v: 'one' } }));
    await arrived;
    // The "no such stage" answer was forgotten when the change arrived: this request loads the stage.
    const a = await hello();
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body), { v: 'one' });
  });

  it('a stage edited elsewhere is recompiled, and a redeployment is served', async () => {
    let arrived = next('dev');
    await client.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations: [{ op: 'replace', path: '/variables/v', value: 'two' }] }));
    await arrived;
    assert.deepEqual(JSON.parse((await eventually('{"v": "two"}')).body), { v: 'two' });

    arrived = next('dev');
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev', variables: { v: 'three' } }));
    await arrived;
    assert.deepEqual(JSON.parse((await eventually('{"v": "three"}')).body), { v: 'three' });
  });

  it('a deleted API stops being served', async () => {
    assert.equal((await hello()).status, 200);
    const arrived = next('dev');
    await client.send(new DeleteRestApiCommand({ restApiId: apiId }));
    await arrived;
    assert.equal((await hello()).status, 403);
  });

  it('a cleared store (reset) stops every stage being served', async () => {
    apiId = await createMockApi(client, 'cleared');
    let arrived = next('prod');
    await client.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod', variables: { v: 'x' } }));
    await arrived;
    assert.equal((await hello('prod')).status, 200);
    arrived = next();
    await storeA.clear();
    const batch = await arrived;
    assert.deepEqual(batch.changes?.map((c) => c.op), ['clear']);
    assert.equal((await hello('prod')).status, 403);
  });
});
